"""Prism's proxy checks the sandbox's answers to the calls that start tasks, and /auth/companies.

Each task-starting operation (from the generated layer) is called through `prism proxy --errors`
on the effective spec in front of the sandbox, with the minimal valid arguments `samples.py`
builds: its 202 `{data: {taskId}}` or 201 created object must satisfy the spec's response
schema, as must a 201 that completed at once and the companies list.
"""

from __future__ import annotations

import attrs
import maesn
import pytest
from maesn import Integration
from maesn._operations import find_operation
from maesn.testing import Sandbox
from samples import required_arguments

VIOLATIONS = "https://stoplight.io/prism/errors#VIOLATIONS"
COMPANY_ID = "c-contract"


def _prism_reads_the_request(operation: maesn.TaskOperation) -> bool:
    """False for a multipart body with a `files` array part.

    Prism 5.14 refuses those requests ("Request body property files must be array", one part
    or several) before they reach the sandbox, so it cannot check their answers; the sandbox's
    own tests cover them.
    """
    body = find_operation(operation.resource, operation.name).body
    if body is None or body.encoding != "multipart":
        return True
    return "files" not in {field.name for field in attrs.fields(body.model.load())}


OPERATIONS = [op for op in maesn.task_operations() if _prism_reads_the_request(op)]


def _client(sandbox: Sandbox, url: str, account_key: str) -> maesn.Client:
    return maesn.Client(
        integration=Integration.DATEV_REWE,
        company_id=COMPANY_ID,
        base_url=url,
        api_key=sandbox.api_key,
        account_key=account_key,
        max_retries=0,
    )


def _call(client: maesn.Client, operation: maesn.TaskOperation) -> object:
    arguments = required_arguments(find_operation(operation.resource, operation.name))
    try:
        return getattr(getattr(client, operation.resource), operation.name)(**arguments)
    except maesn.APIStatusError as exc:
        if VIOLATIONS in exc.text:
            pytest.fail(f"Prism found the sandbox's answer violates the spec: {exc.text}")
        raise


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.qualname)
def test_every_task_start_conforms_to_the_spec(
    proxied_sandbox: Sandbox, prism_proxy: str, operation: maesn.TaskOperation
) -> None:
    """The answer that carries the task id passes Prism with no violation."""
    key = proxied_sandbox.add_account(Integration.DATEV_REWE)
    with _client(proxied_sandbox, prism_proxy, key) as client:
        handle = _call(client, operation)
    assert isinstance(handle, maesn.TaskHandle)


@pytest.mark.parametrize(
    "operation",
    [op for op in OPERATIONS if 201 in find_operation(op.resource, op.name).replies],
    ids=lambda op: op.qualname,
)
def test_a_start_completed_at_once_conforms_to_the_spec(
    proxied_sandbox: Sandbox, prism_proxy: str, operation: maesn.TaskOperation
) -> None:
    """The 201 with the created object and no task id passes Prism too."""
    key = proxied_sandbox.add_account(Integration.DATEV_REWE)
    proxied_sandbox.on_start(operation.name, synchronous=True)
    with _client(proxied_sandbox, prism_proxy, key) as client:
        created = _call(client, operation)
    assert not isinstance(created, maesn.TaskHandle)


def test_companies_conform_to_the_spec(proxied_sandbox: Sandbox, prism_proxy: str) -> None:
    """GET /auth/companies passes Prism."""
    with _client(proxied_sandbox, prism_proxy, proxied_sandbox.account_key) as client:
        try:
            companies = client.companies()
        except maesn.APIStatusError as exc:
            pytest.fail(f"Prism: {exc.text}")
    assert [company.id for company in companies] == list(proxied_sandbox.company_ids)
