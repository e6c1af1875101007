"""The sandbox serves every operation of the API, each answer valid by Maesn's published spec.

Parametrized from the generated layer (`maesn._operations.all_operations()`): an operation added
upstream and regenerated is called here with no change. Each is called through the client's raw
responses with the minimal valid arguments `samples.py` builds; a read, update or delete of one
record finds a record seeded for it first. The body is checked against openapi/maesn.yaml with
`spec_responses.py` (JSON Schema, `nullable`, the published `required` lists and `enum`s).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import maesn
import pytest
from maesn import Integration
from maesn._exceptions import ValidationError
from maesn._operations import Operation, all_operations
from maesn._rules import check_call
from maesn.testing import Sandbox
from maesn.testing._routes import route_named
from samples import required_arguments
from spec_responses import response_problems

COMPANY = "c-sandbox-1"
PARENT = "p-1"
CALLBACK = "http://127.0.0.1:9/maesn/webhooks"
OPERATIONS = all_operations()
TASK_STATUS = "get_async_task_info"
"""Served by the sandbox's tasks (`Sandbox.add_task`), not by stored records."""


def _serving_integration(operation: Operation) -> Integration:
    """The first integration whose documented rules let this operation through."""
    for integration in Integration:
        try:
            check_call(
                integration.profile,
                operation_id=operation.operation_id,
                given={p.wire: "x" for p in operation.parameters},
                accepts=frozenset(p.wire for p in operation.parameters),
                interactive_auth=False,
            )
        except ValidationError:
            continue
        if not integration.profile.reads_start_tasks:
            return integration
    pytest.fail(f"no integration serves {operation.operation_id}")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One sandbox for the module: each test seeds what it reads under its own ids."""
    with Sandbox() as running:
        yield running


@pytest.fixture(scope="module")
def accounts(sandbox: Sandbox) -> dict[Integration, str]:
    """An account key per integration."""
    return {integration: sandbox.add_account(integration) for integration in Integration}


def _arguments(sandbox: Sandbox, operation: Operation, account_key: str) -> dict[str, Any]:
    arguments = required_arguments(operation)
    route = route_named(operation.name)
    assert route is not None
    path = {p.wire: p for p in operation.parameters if p.location == "path"}
    for parameter in path.values():
        arguments[parameter.name] = PARENT
    if operation.name == TASK_STATUS:
        arguments["task_id"] = sandbox.add_task(Integration.ABACONNECT)
    elif route.kind in {"get", "update", "delete"}:
        (record_id,) = sandbox.seed(
            operation.resource,
            operation.name,
            [{}] if route.kind == "delete" else [_record(operation)],
            account_key=account_key,
            path=dict.fromkeys(path, PARENT),
        )
        item = route.item_parameter
        assert item is not None
        arguments[path[item].name] = record_id
    if route.kind == "subscribe":
        arguments["body"].callback_url = CALLBACK
    if route.kind == "unsubscribe":
        subscription = sandbox.subscriptions.create(account_key, callback_url=CALLBACK)
        arguments["webhook_id"] = subscription.id
    return arguments


def _record(operation: Operation) -> dict[str, Any]:
    """A valid record for the schema the operation answers (its required fields, sampled)."""
    from maesn.testing._answers import item_schema  # noqa: PLC0415 - the sandbox's own reader
    from maesn.testing._schemas import sample  # noqa: PLC0415

    value = sample(item_schema(operation, min(operation.replies)))
    return value if isinstance(value, dict) else {}


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.qualname)
def test_every_operation_answers_valid_by_the_published_spec(
    sandbox: Sandbox, accounts: dict[Integration, str], operation: Operation
) -> None:
    """A 2xx whose body validates against openapi/maesn.yaml's schema for that status."""
    integration = _serving_integration(operation)
    key = accounts[integration]
    with maesn.Client(
        integration=integration,
        company_id=COMPANY,
        environment_name="production",
        base_url=sandbox.base_url,
        api_key=sandbox.api_key,
        account_key=key,
        max_retries=0,
    ) as client:
        resource = getattr(client, operation.resource).with_raw_response
        raw = getattr(resource, operation.name)(**_arguments(sandbox, operation, key))
    assert 200 <= raw.status_code < 300, raw.content
    assert response_problems(operation.path, operation.method, raw.status_code, raw.content) == []
    raw.parse()  # the client reads it too


def test_the_check_is_real() -> None:
    """A list item with an enum value the spec does not list and a required field missing fails."""
    body = (
        b'{"meta":null,"data":[{"invoiceId":"i-1","status":"LOST"}],"errors":null,"rawData":null}'
    )
    problems = response_problems("/accounting/invoices", "GET", 200, body)
    assert any(problem.startswith("data/0/status") for problem in problems)
    assert any("'addresses' is a required property" in problem for problem in problems)
    assert response_problems("/accounting/invoices", "GET", 201, b"{}") == [
        "status 201 is not declared for GET /accounting/invoices"
    ]


def test_the_sandbox_reads_the_published_enums_and_required_lists() -> None:
    """The fixes drop property enums for the parser; the sandbox's schemas keep them."""
    from maesn._operations import find_operation  # noqa: PLC0415
    from maesn.testing._answers import item_schema  # noqa: PLC0415
    from maesn.testing._schemas import resolve  # noqa: PLC0415

    invoice = resolve(item_schema(find_operation("accounting", "get_invoices"), 200))
    assert "OPEN" in invoice["properties"]["status"]["enum"]
    assert "invoiceNumber" in invoice["required"]
