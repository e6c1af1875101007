"""Task handles: every task-starting operation found in the generated layer returns one.

Parametrized from `maesn.task_operations()`, so an operation added upstream (and regenerated) is
covered with no change here; the last test proves exactly that with a regenerated spec.
"""

from __future__ import annotations

import asyncio
import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import maesn
import pytest
from helpers import envelope, page_meta, sandbox_keys
from maesn._operations import Operation, find_operation
from maesn._profiles import Integration
from maesn.testing import FakeClock, Fault, Sandbox, default_lifecycle
from maesn.testing._starts import DEFAULT_COMPANIES
from samples import required_arguments, sample
from scripted_server import ScriptedServer

ROOT = Path(__file__).resolve().parent.parent
TASK_OPERATIONS = maesn.task_operations()
STARTS = [(op, status) for op in TASK_OPERATIONS for status in op.statuses]
KEYS: dict[str, Any] = {"api_key": "api-key-h", "account_key": "account-key-h"}


def start_body(operation: Operation, status: int, task_id: str | None) -> Any:
    """A valid body of the operation's `status` answer (Maesn's envelope), carrying `task_id`."""
    reply = operation.replies[status]
    assert reply.model is not None
    data = attrs.evolve(sample(reply.model.load()), task_id=task_id).to_dict()
    return {"meta": {"warnings": []}, "data": data, "errors": None, "rawData": None}


def test_the_task_operations_are_found_in_the_generated_models() -> None:
    """The 202 TaskIdResponseDto operations and the 201 bodies with a taskId, no hand list."""
    found = {op.qualname: op.statuses for op in TASK_OPERATIONS}
    assert found["accounting.post_file_async"] == (202,)
    assert found["accounting_v2.create_booking_proposal_v2"] == (202,)
    assert found["accounting.create_journal_entries"] == (201,)
    assert found["accounting.create_booking_proposal"] == (201,)
    assert "accounting.get_accounts" not in found
    assert "accounting.create_account" not in found  # a 201 whose body has no taskId


@pytest.mark.parametrize(("operation", "status"), STARTS, ids=str)
def test_every_task_operation_starts_a_task_and_the_handle_waits_for_it(
    operation: maesn.TaskOperation,
    status: int,
    scripted_server: ScriptedServer,
    fake_clock: FakeClock,  # noqa: ARG001 - polls sleep on virtual time
) -> None:
    """Start (sync) → TaskHandle bound to the call's companyId → wait → the finished task."""
    op = find_operation(operation.resource, operation.name)
    scripted_server.reply(status, start_body(op, status, "task-1"))
    scripted_server.reply(200, envelope("IN_PROGRESS"))
    scripted_server.reply(200, envelope("SUCCESS"))
    with maesn.Client(
        **KEYS, integration="datev-rewe", company_id="company-1", base_url=scripted_server.base_url
    ) as client:
        call = getattr(getattr(client, op.resource), op.name)
        handle = call(**required_arguments(op), company_id="company-7")
        assert isinstance(handle, maesn.TaskHandle)
        assert handle.task_id == "task-1"
        assert handle.company_id == "company-7"
        assert type(handle.created).__module__.startswith("maesn_api.models.")
        task = handle.wait(poll_interval=1.0)
    assert task.status is maesn.TaskStatus.SUCCESS
    start, *polls = scripted_server.requests
    assert start.method != "GET"
    assert [p.raw_path for p in polls] == ["/accounting/asyncTask/task-1?companyId=company-7"] * 2


@pytest.mark.anyio
@pytest.mark.parametrize(("operation", "status"), STARTS, ids=str)
async def test_every_task_operation_starts_a_task_on_the_async_client(
    operation: maesn.TaskOperation,
    status: int,
    scripted_server: ScriptedServer,
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """Start (awaited) → AsyncTaskHandle → get → wait → the finished task."""
    op = find_operation(operation.resource, operation.name)
    scripted_server.reply(status, start_body(op, status, "task-2"))
    scripted_server.reply(200, envelope("IN_PROGRESS"))
    scripted_server.reply(200, envelope("SUCCESS"))
    async with maesn.AsyncClient(
        **KEYS, integration="datev-rewe", company_id="company-1", base_url=scripted_server.base_url
    ) as client:
        call = getattr(getattr(client, op.resource), op.name)
        handle = await call(**required_arguments(op))
        assert isinstance(handle, maesn.AsyncTaskHandle)
        assert handle.company_id == "company-1"
        first = await handle.get()
        task = await handle.wait()
    assert first.status is maesn.TaskStatus.IN_PROGRESS
    assert task.status is maesn.TaskStatus.SUCCESS
    assert len(scripted_server.requests) == 3


def test_a_201_without_a_task_id_returns_the_created_object(
    scripted_server: ScriptedServer,
) -> None:
    """A synchronous 201 (taskId null) is the created object, not a handle."""
    op = find_operation("accounting", "create_booking_proposal")
    scripted_server.reply(201, start_body(op, 201, None))
    with maesn.Client(
        **KEYS, integration="datev-rewe", company_id="c-1", base_url=scripted_server.base_url
    ) as client:
        created = client.accounting.create_booking_proposal(**required_arguments(op))
    assert not isinstance(created, maesn.TaskHandle)
    assert type(created).__name__ == "BookingProposalResponseDto"
    assert created.task_id is None


def test_an_export_read_returns_a_handle_that_pages(
    scripted_server: ScriptedServer,
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """datev-rewe-export (its profile: reads start tasks): `data: {taskId}` is a handle.

    Wait, then iter_entries reads every page with the call's companyId.
    """
    scripted_server.reply(200, {"data": {"taskId": "export-1"}})
    scripted_server.reply(200, envelope("FINISHED"))
    for page, entries in ((1, [1, 2]), (2, [3])):
        scripted_server.reply(
            200, envelope("FINISHED", response_data=entries, pagination=page_meta(3, page, 2))
        )
    with maesn.Client(
        **KEYS, integration="datev-rewe-export", company_id="c-1", base_url=scripted_server.base_url
    ) as client:
        handle = client.accounting.as_task.get_journal_entries()
        assert isinstance(handle, maesn.TaskHandle)
        assert handle.created == {"taskId": "export-1"}
        handle.wait()
        assert list(handle.iter_entries()) == [1, 2, 3]
    paths = [r.raw_path for r in scripted_server.requests]
    assert paths[0].startswith("/accounting/journalEntries?")
    assert paths[-1] == "/accounting/asyncTask/export-1?page=2&companyId=c-1"


def test_a_plain_read_that_starts_a_task_raises_with_the_handle(
    scripted_server: ScriptedServer,
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """datev-rewe-export: the plain (page-typed) read answered with a task id loses nothing.

    It raises TaskStartedError carrying the handle, which waits for the task.
    """
    scripted_server.reply(200, {"data": {"taskId": "export-2"}})
    scripted_server.reply(200, envelope("FINISHED"))
    with maesn.Client(
        **KEYS, integration="datev-rewe-export", company_id="c-1", base_url=scripted_server.base_url
    ) as client:
        with pytest.raises(maesn.TaskStartedError) as caught:
            client.accounting.get_journal_entries()
        assert caught.value.handle.task_id == "export-2"
        assert caught.value.handle.wait().status is maesn.TaskStatus.FINISHED


def test_the_same_read_is_not_a_task_where_the_profile_says_reads_do_not_start_tasks(
    scripted_server: ScriptedServer,
) -> None:
    """datev-rewe (writing): `data: {taskId}` on a list read is a body the spec does not allow.

    And `as_task` is refused before sending: its reads do not run as tasks.
    """
    scripted_server.reply(200, {"data": {"taskId": "export-1"}})
    with maesn.Client(
        **KEYS, integration="datev-rewe", company_id="c-1", base_url=scripted_server.base_url
    ) as client:
        with pytest.raises(maesn.ResponseValidationError):
            client.accounting.get_journal_entries()
        with pytest.raises(maesn.ValidationError):
            client.accounting.as_task.get_journal_entries()
    assert len(scripted_server.requests) == 1


EXTRA_OPERATION = {
    "post": {
        "operationId": "createWidgetAsync",
        "tags": ["accounting"],
        "parameters": [
            {"name": "companyId", "in": "query", "required": False, "schema": {"type": "string"}}
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": {"name": {"type": "string"}}}
                }
            },
        },
        "responses": {
            "202": {
                "description": "Queued: the task id comes back.",
                "content": {
                    "application/json": {
                        "schema": {
                            "allOf": [
                                {"$ref": "#/components/schemas/BaseResponseDto"},
                                {
                                    "properties": {
                                        "data": {"$ref": "#/components/schemas/TaskIdResponseDto"}
                                    }
                                },
                            ]
                        }
                    }
                },
            }
        },
    }
}

PROBE = """
import sys
import maesn, maesn_api, maesn_resources
from scripted_server import ScriptedServer
from helpers import envelope
assert maesn_api.__file__.startswith(sys.argv[1]), maesn_api.__file__
assert maesn_resources.__file__.startswith(sys.argv[2]), maesn_resources.__file__
found = [op.qualname for op in maesn.task_operations()]
assert "accounting.create_widget_async" in found, found
with ScriptedServer() as server:
    server.reply(202, {"data": {"taskId": "widget-1"}})
    server.reply(200, envelope("SUCCESS"))
    with maesn.Client(api_key="a", account_key="b", integration="datev-rewe",
                      company_id="c-1", base_url=server.base_url) as client:
        from maesn_api.models.create_widget_async_body import CreateWidgetAsyncBody
        handle = client.accounting.create_widget_async(body=CreateWidgetAsyncBody(name="w"))
        assert isinstance(handle, maesn.TaskHandle), handle
        print(handle.task_id, handle.wait(poll_interval=0.01).status.value)
    assert server.requests[0].raw_path == "/accounting/widgets/async?companyId=c-1"
"""


@pytest.mark.slow
def test_a_regenerated_spec_with_a_new_task_operation_gets_a_handle_without_overlay_change(
    tmp_path: Path,
) -> None:
    """A 202 TaskIdResponseDto operation added to the spec and regenerated gets a TaskHandle.

    The spec is regenerated into a temp dir; the unchanged overlay imports that package.
    """
    import yaml  # noqa: PLC0415

    from scripts.regenerate import FIXES, SPEC, build_package  # noqa: PLC0415 - slow import
    from scripts.spec_yaml import load_document  # noqa: PLC0415

    spec = copy.deepcopy(load_document(SPEC))
    spec["paths"]["/accounting/widgets/async"] = EXTRA_OPERATION
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    workdir = tmp_path / "work"
    workdir.mkdir()
    package = build_package(workdir, spec_path=spec_path, fixes_path=FIXES)
    path = os.pathsep.join([str(package.parent), str(ROOT / "overlay"), str(ROOT / "tests")])
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE, str(package), str(package.parent / "maesn_resources")],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.split() == ["widget-1", "SUCCESS"], result.stderr


# -- against the sandbox (maesn.testing.Sandbox answers every task-starting operation) ---------


def sandbox_options(sandbox: Sandbox, integration: Integration, **overrides: Any) -> Any:
    """The sandbox's keys for `integration`'s account, its first company and its URL."""
    options: dict[str, Any] = {
        **sandbox_keys(sandbox),
        "integration": integration,
        "company_id": DEFAULT_COMPANIES[0],
    }
    return options | overrides


def sandbox_client(sandbox: Sandbox, integration: Integration, **overrides: Any) -> maesn.Client:
    """A Client for the sandbox (see sandbox_options)."""
    return maesn.Client(**sandbox_options(sandbox, integration, **overrides))


@pytest.mark.parametrize("operation", TASK_OPERATIONS, ids=str)
def test_every_task_operation_against_the_sandbox(
    operation: maesn.TaskOperation,
    fake_clock: FakeClock,  # noqa: ARG001 - polls sleep on virtual time
) -> None:
    """Start → TaskHandle → wait → the finished task, as the sandbox runs it (DATEV REWE)."""
    op = find_operation(operation.resource, operation.name)
    with (
        Sandbox(integration=Integration.DATEV_REWE) as sandbox,
        sandbox_client(sandbox, Integration.DATEV_REWE) as client,
    ):
        handle = getattr(getattr(client, op.resource), op.name)(**required_arguments(op))
        assert isinstance(handle, maesn.TaskHandle)
        task = handle.wait()
        (started,) = sandbox.requests.filter(operation=op.name)
    assert task.status is maesn.TaskStatus.SUCCESS
    assert started.started_task == handle.task_id
    assert started.query["companyId"] == [DEFAULT_COMPANIES[0]]


@pytest.mark.anyio
@pytest.mark.parametrize("operation", TASK_OPERATIONS, ids=str)
async def test_every_task_operation_against_the_sandbox_async(
    operation: maesn.TaskOperation,
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """The same through AsyncClient: an AsyncTaskHandle, awaited."""
    op = find_operation(operation.resource, operation.name)
    with Sandbox(integration=Integration.DATEV_REWE) as sandbox:
        async with maesn.AsyncClient(**sandbox_options(sandbox, Integration.DATEV_REWE)) as client:
            handle = await getattr(getattr(client, op.resource), op.name)(**required_arguments(op))
            assert isinstance(handle, maesn.AsyncTaskHandle)
            task = await handle.wait()
    assert task.status is maesn.TaskStatus.SUCCESS


def test_a_file_upload_to_duo_runs_the_duo_lifecycle(
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """DATEV Unternehmen Online: post_file_async uploads multipart; the task ends SUCCESS."""
    op = find_operation("accounting", "post_file_async")
    duo = Integration.DATEV_UNTERNEHMEN_ONLINE
    seen: list[maesn.TaskStatus | str] = []
    with Sandbox(integration=duo) as sandbox, sandbox_client(sandbox, duo) as client:
        handle = client.accounting.post_file_async(**required_arguments(op))
        task = handle.wait(on_poll=lambda t: seen.append(t.status))
        (upload,) = sandbox.requests.filter(operation="post_file_async")
    assert tuple(seen) == default_lifecycle(duo)
    assert task.status is maesn.TaskStatus.SUCCESS
    assert upload.headers["Content-Type"].startswith("multipart/form-data")
    assert upload.body_size > 0


def test_a_synchronous_201_from_the_sandbox_is_the_created_object() -> None:
    """on_start(synchronous=True): 201 with taskId null → the created object."""
    op = find_operation("accounting", "create_journal_entries")
    with (
        Sandbox(integration=Integration.DATEV_REWE) as sandbox,
        sandbox_client(sandbox, Integration.DATEV_REWE) as client,
    ):
        sandbox.on_start("create_journal_entries", synchronous=True)
        created = client.accounting.create_journal_entries(**required_arguments(op))
    assert not isinstance(created, maesn.TaskHandle)
    assert created.task_id is None


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_export_read_against_the_sandbox_pages_every_entry(
    mode: str,
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """datev-rewe-export: get_journal_entries starts an export; the handle pages all of it."""
    export = Integration.DATEV_REWE_EXPORT
    with Sandbox(integration=export, page_size=100) as sandbox:
        sandbox.on_start("get_journal_entries", entries=250)
        if mode == "sync":
            with sandbox_client(sandbox, export) as client:
                handle = client.accounting.as_task.get_journal_entries()
                handle.wait()
                entries = list(handle.iter_entries())
                pages = [page.number for page in handle.iter_pages()]
        else:
            entries, pages = asyncio.run(_async_export(sandbox))
    assert len(entries) == 250
    assert pages == [1, 2, 3]


async def _async_export(sandbox: Sandbox) -> tuple[list[Any], list[int]]:
    options = sandbox_options(sandbox, Integration.DATEV_REWE_EXPORT)
    async with maesn.AsyncClient(**options) as client:
        handle = await client.accounting.as_task.get_journal_entries()
        assert isinstance(handle, maesn.AsyncTaskHandle)
        await handle.wait()
        entries = [entry async for entry in handle.iter_entries()]
        pages = [page.number async for page in handle.iter_pages()]
    return entries, pages


def test_companies_against_the_sandbox() -> None:
    """client.companies() lists the sandbox's companies, for DATEV without a companyId."""
    with (
        Sandbox(integration=Integration.DATEV_REWE) as sandbox,
        sandbox_client(sandbox, Integration.DATEV_REWE, company_id=None) as client,
    ):
        companies = client.companies()
    assert [company.id for company in companies] == list(DEFAULT_COMPANIES)


def test_a_started_write_is_never_retried_sandbox_log(
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """A 503 to a booking write is raised after one request (the sandbox's log shows one)."""
    op = find_operation("accounting", "create_journal_entries")
    with (
        Sandbox(integration=Integration.DATEV_REWE) as sandbox,
        sandbox_client(sandbox, Integration.DATEV_REWE) as client,
    ):
        sandbox.inject(Fault.status(503), operation="create_journal_entries", times=3)
        with pytest.raises(maesn.ServerError):
            client.accounting.create_journal_entries(**required_arguments(op))
        sandbox.inject(Fault.status(503), operation="get_companies")
        client.companies()
        writes = sandbox.requests.filter(operation="create_journal_entries")
        reads = sandbox.requests.filter(operation="get_companies")
    assert len(writes) == 1
    assert [r.status for r in reads] == [503, 200]


RESTORE = """
import sys, maesn
saved = sys.stdin.read()
with maesn.Client(api_key=sys.argv[1], account_key=sys.argv[2], base_url=sys.argv[3],
                  integration="datev-unternehmen-online") as client:
    handle = client.restore_handle(saved)
    task = handle.wait(poll_interval=0.01, max_interval=0.05)
    print(handle.task_id, handle.company_id, handle.operation, task.status.value)
"""


def test_a_saved_handle_is_restored_and_waited_for_in_another_process() -> None:
    """A task started here is waited for by a worker process from `handle.to_json()` alone."""
    duo = Integration.DATEV_UNTERNEHMEN_ONLINE
    op = find_operation("accounting", "post_file_async")
    with Sandbox(integration=duo) as sandbox, sandbox_client(sandbox, duo) as client:
        handle = client.accounting.post_file_async(**required_arguments(op))
        saved = handle.to_json()
        assert sandbox.api_key not in saved
        assert sandbox.account_key not in saved
        result = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", RESTORE, sandbox.api_key, sandbox.account_key, sandbox.base_url],
            input=saved,
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        handle.task_id,
        DEFAULT_COMPANIES[0],
        "accounting.post_file_async",
        "SUCCESS",
    ]


@pytest.mark.parametrize(
    ("saved", "problem"),
    [
        ('{"maesn_task_handle": 1, "task_id": "t", "integration": "abaconnect"}', "integration"),
        ('{"maesn_task_handle": 2, "task_id": "t", "integration": "datev-rewe"}', "format"),
        ('{"maesn_task_handle": 1, "task_id": "t\\n", "integration": "datev-rewe"}', "task id"),
        (
            '{"maesn_task_handle": 1, "task_id": "t", "integration": "datev-rewe", "key": "k"}',
            "field",
        ),
        ("not json", "JSON"),
        ("[]", "format"),
    ],
)
def test_a_saved_handle_that_does_not_fit_the_client_is_refused(saved: str, problem: str) -> None:
    """Another integration's handle, an unknown format, a bad task id: ValidationError."""
    with (
        maesn.Client(**KEYS, integration="datev-rewe", base_url="http://127.0.0.1:9") as client,
        pytest.raises(maesn.ValidationError),
    ):
        client.restore_handle(saved)
    assert problem


def test_a_handle_round_trips_through_to_dict() -> None:
    """to_dict() is JSON-ready and restores to an equal handle (async client too)."""
    with maesn.Client(**KEYS, integration="datev-rewe", base_url="http://127.0.0.1:9") as client:
        handle = client.task_handle("task-1", company_id="c-1")
        restored = client.restore_handle(handle.to_dict())
    assert (restored.task_id, restored.company_id) == ("task-1", "c-1")
    aclient = maesn.AsyncClient(**KEYS, integration="datev-rewe", base_url="http://127.0.0.1:9")
    again = aclient.restore_handle(handle.to_json())
    assert isinstance(again, maesn.AsyncTaskHandle)
    assert again.to_dict() == handle.to_dict()
    asyncio.run(aclient.aclose())
