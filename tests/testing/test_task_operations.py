"""Every task-starting operation, end to end: client call -> handle -> wait -> result, on the sandbox.

Parametrized from `maesn.task_operations()` (read from the generated layer): an operation added
upstream and regenerated is covered with no change here. The arguments are the minimal valid
ones `tests/samples.py` builds from the generated models.
"""

from __future__ import annotations

import maesn
import pytest
from maesn import AsyncTaskHandle, Integration, TaskHandle
from maesn._resources import load_operation
from maesn.testing import Sandbox
from samples import required_arguments

COMPANY = "c-sandbox-1"
REWE = Integration.DATEV_REWE
EXPORT = Integration.DATEV_REWE_EXPORT

OPERATIONS = maesn.task_operations()


def _client(sandbox: Sandbox, account_key: str, integration: Integration) -> maesn.Client:
    return maesn.Client(
        integration=integration,
        company_id=COMPANY,
        base_url=sandbox.base_url,
        api_key=sandbox.api_key,
        account_key=account_key,
    )


def _async_client(
    sandbox: Sandbox, account_key: str, integration: Integration
) -> maesn.AsyncClient:
    return maesn.AsyncClient(
        integration=integration,
        company_id=COMPANY,
        base_url=sandbox.base_url,
        api_key=sandbox.api_key,
        account_key=account_key,
    )


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.qualname)
def test_start_handle_wait_result(
    operation: maesn.TaskOperation, maesn_sandbox: Sandbox, maesn_fake_clock: object
) -> None:
    """The call returns a TaskHandle bound to the companyId; waiting ends in the task's result."""
    del maesn_fake_clock
    key = maesn_sandbox.add_account(REWE)
    arguments = required_arguments(load_operation(operation.resource, operation.name))
    with _client(maesn_sandbox, key, REWE) as client:
        handle = getattr(getattr(client, operation.resource), operation.name)(**arguments)
        assert isinstance(handle, TaskHandle)
        assert handle.company_id == COMPANY
        (start,) = maesn_sandbox.requests.filter(operation=operation.name)
        assert start.started_task == handle.task_id
        task = handle.wait(poll_interval=0.01)
    assert task.status == "SUCCESS"
    assert task.response_data["id"].startswith(f"sandbox-{operation.name}-")
    assert maesn_sandbox.requests.count(task_id=handle.task_id) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.qualname)
async def test_start_handle_wait_result_async(
    operation: maesn.TaskOperation, maesn_sandbox: Sandbox, maesn_fake_clock: object
) -> None:
    """The same with AsyncClient: an AsyncTaskHandle whose wait is awaited."""
    del maesn_fake_clock
    key = maesn_sandbox.add_account(REWE)
    arguments = required_arguments(load_operation(operation.resource, operation.name))
    async with _async_client(maesn_sandbox, key, REWE) as client:
        handle = await getattr(getattr(client, operation.resource), operation.name)(**arguments)
        assert isinstance(handle, AsyncTaskHandle)
        task = await handle.wait(poll_interval=0.01)
    assert task.status == "SUCCESS"


@pytest.mark.parametrize(
    "operation",
    [op for op in OPERATIONS if 201 in load_operation(op.resource, op.name).responses],
    ids=lambda op: op.qualname,
)
def test_a_call_completed_at_once_returns_the_created_object(
    operation: maesn.TaskOperation, maesn_sandbox: Sandbox
) -> None:
    """A 201 without a task id is the created object, not a handle; no task exists."""
    maesn_sandbox.on_start(operation.name, synchronous=True)
    key = maesn_sandbox.add_account(REWE)
    arguments = required_arguments(load_operation(operation.resource, operation.name))
    with _client(maesn_sandbox, key, REWE) as client:
        created = getattr(getattr(client, operation.resource), operation.name)(**arguments)
    assert not isinstance(created, TaskHandle)
    assert getattr(created, "task_id", None) is None
    assert created.id.startswith("sandbox-")


def test_a_write_is_sent_once_when_the_answer_is_a_5xx(maesn_sandbox: Sandbox) -> None:
    """Writes are never retried once sent: the sandbox saw one upload, and no task started."""
    maesn_sandbox.inject(maesn.testing.Fault.status(503), operation="post_file_async")
    arguments = required_arguments(load_operation("accounting", "post_file_async"))
    with (
        _client(maesn_sandbox, maesn_sandbox.account_key, REWE) as client,
        pytest.raises(maesn.ServerError),
    ):
        client.accounting.post_file_async(**arguments)
    assert maesn_sandbox.requests.count(operation="post_file_async") == 1


@pytest.mark.maesn_sandbox(page_size=4)
def test_an_export_read_returns_a_handle_that_pages(
    maesn_sandbox: Sandbox, maesn_fake_clock: object
) -> None:
    """datev-rewe-export: a read starts an export; the handle waits and iterates its entries."""
    del maesn_fake_clock
    key = maesn_sandbox.add_account(EXPORT)
    maesn_sandbox.on_start(entries=10)
    with _client(maesn_sandbox, key, EXPORT) as client:
        handle = client.accounting.get_journal_entries()
        assert isinstance(handle, TaskHandle)
        handle.wait(poll_interval=0.01)
        assert len(list(handle.iter_entries())) == 10
        assert [page.number for page in handle.iter_pages()] == [1, 2, 3]


def test_companies_come_from_the_sandbox(maesn_sandbox: Sandbox) -> None:
    """client.companies() lists the sandbox's companies."""
    with _client(maesn_sandbox, maesn_sandbox.account_key, REWE) as client:
        assert [company.id for company in client.companies()] == ["c-sandbox-1", "c-sandbox-2"]
