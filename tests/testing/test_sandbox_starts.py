"""The sandbox answers every task-starting operation of the generated layer, and /auth/companies.

The routes come from the generated layer (`maesn.testing._routes`), so the tests parametrize
from it too: an operation added upstream and regenerated is covered with no change here.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import httpx
import maesn
import pytest
from maesn._operations import find_operation
from maesn._profiles import Integration
from maesn.testing import Fault, Sandbox, default_lifecycle
from maesn.testing._routes import Route, _route, all_routes, task_routes

from scripts.spec_check import METHODS
from scripts.spec_yaml import load_document

ROOT = Path(__file__).resolve().parent.parent.parent

COMPANY = "c-sandbox-1"
DUO = Integration.DATEV_UNTERNEHMEN_ONLINE
REWE = Integration.DATEV_REWE
EXPORT = Integration.DATEV_REWE_EXPORT

TASK_ROUTES = {route.operation: route for route in task_routes()}


def _send(
    client: httpx.Client,
    route: Route,
    *,
    account_key: str | None = None,
    company_id: str | None = COMPANY,
) -> httpx.Response:
    """Call `route` with a body of the kind it declares."""
    params = {} if company_id is None else {"companyId": company_id}
    headers = {} if account_key is None else {"X-ACCOUNT-KEY": account_key}
    body: dict[str, Any] = {}
    if route.body == "json":
        body["json"] = {"name": "sandbox"}
    elif route.body == "multipart":
        body["files"] = {"file": ("invoice.pdf", b"%PDF-1.7 sandbox")}
    return client.request(route.method, route.template, params=params, headers=headers, **body)


def test_the_task_starting_operations_are_found_in_the_generated_layer() -> None:
    """202 with TaskIdResponseDto and 201 with a taskId field, from the models, not a list."""
    assert {"post_file_async", "create_expense_async", "create_booking_proposal_v2"} <= set(
        TASK_ROUTES
    )
    assert {"create_contact", "create_project", "create_sales_order"} <= set(TASK_ROUTES)
    assert {
        "create_transaction",
        "create_contacts",
        "create_contacts_v1",
        "create_journal_entries",
        "create_expense",
        "create_booking_proposal",
    } <= set(TASK_ROUTES)
    assert TASK_ROUTES["post_file_async"].task_status == 202
    assert TASK_ROUTES["post_file_async"].body == "multipart"
    assert TASK_ROUTES["create_transaction"].task_status == 201
    assert TASK_ROUTES["create_contact"].task_status == 202  # spec9 declares the 202
    assert "get_accounts" not in TASK_ROUTES


def _placeholders(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_the_sandbox_routes_every_operation_of_the_pinned_spec() -> None:
    """One route per operation of openapi/maesn.yaml, by method and path (counted from the spec)."""
    spec = load_document(ROOT / "openapi" / "maesn.yaml")
    declared = sorted(
        (method.upper(), _placeholders(path))
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    )
    routed = sorted((route.method, _placeholders(route.template)) for route in all_routes())
    assert routed == declared


def test_the_sandbox_serves_exactly_the_clients_task_operations() -> None:
    """The sandbox and the client agree on what starts a task (one reading of the models)."""
    assert {r.operation for r in task_routes()} == {op.name for op in maesn.task_operations()}


def test_the_route_comes_from_the_operations_facts() -> None:
    """Method, path template, query and body kind are the generated `Operation`'s."""
    operation = dataclasses.replace(
        find_operation("accounting", "post_file_async"),
        path="/accounting/receipts/{receiptId}/async",
    )
    route = _route(operation)
    assert route.body == "multipart"
    assert route.task_status == 202
    assert route.method == "POST"
    assert route.pattern.fullmatch("/accounting/receipts/r-1/async")
    assert not route.pattern.fullmatch("/accounting/receipts/r-1/x/async")


@pytest.mark.parametrize("operation", sorted(TASK_ROUTES))
def test_every_task_starting_operation_starts_a_task_of_the_accounts_integration(
    operation: str, maesn_sandbox: Sandbox, client: httpx.Client
) -> None:
    """Start -> taskId -> the task runs the integration's lifecycle, for the call's company."""
    route = TASK_ROUTES[operation]
    key = maesn_sandbox.add_account(REWE)
    response = _send(client, route, account_key=key)
    assert response.status_code == route.task_status
    task_id = response.json()["data"]["taskId"]
    assert isinstance(task_id, str)
    (logged,) = maesn_sandbox.requests.filter(operation=operation)
    assert logged.started_task == task_id
    assert logged.body_size > 0
    seen = [
        client.get(
            f"/accounting/asyncTask/{task_id}",
            params={"companyId": COMPANY},
            headers={"X-ACCOUNT-KEY": key},
        ).json()["data"]["status"]
        for _ in default_lifecycle(REWE)
    ]
    assert tuple(seen) == default_lifecycle(REWE)
    other = client.get(
        f"/accounting/asyncTask/{task_id}", params={"companyId": "c-other"}
    ).status_code
    assert other == 404


@pytest.mark.parametrize(
    "operation", sorted(op for op, route in TASK_ROUTES.items() if route.created_model)
)
def test_an_operation_declaring_a_201_can_complete_synchronously(
    operation: str, maesn_sandbox: Sandbox, client: httpx.Client
) -> None:
    """on_start(synchronous=True): 201, the created object, taskId null, no task started."""
    maesn_sandbox.on_start(operation, synchronous=True)
    response = _send(client, TASK_ROUTES[operation])
    assert response.status_code == 201
    data = response.json()["data"]
    assert data.get("taskId") is None
    assert data["id"].startswith("sandbox-")
    assert maesn_sandbox.requests[-1].started_task is None
    assert _send(client, TASK_ROUTES[operation]).json()["data"]["taskId"] is not None


def test_an_operation_without_a_201_refuses_to_complete_synchronously(
    maesn_sandbox: Sandbox,
) -> None:
    """The upload (postFileAsync) declares only a 202."""
    with pytest.raises(ValueError, match="declares no 201"):
        maesn_sandbox.on_start("post_file_async", synchronous=True)
    with pytest.raises(ValueError, match="no operation"):
        maesn_sandbox.on_start("post_files_async")


def test_the_company_id_rule_follows_the_accounts_profile(
    maesn_sandbox: Sandbox, client: httpx.Client
) -> None:
    """DUO needs companyId (400 naming it); AbaConnect and interactive-auth accounts do not."""
    upload = TASK_ROUTES["post_file_async"]
    refused = _send(client, upload, company_id=None)
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["validationErrors"]] == ["companyId"]
    aba = maesn_sandbox.add_account("abaconnect")
    assert _send(client, upload, account_key=aba, company_id=None).status_code == 202
    interactive = maesn_sandbox.add_account(DUO, interactive_auth=True)
    assert _send(client, upload, account_key=interactive, company_id=None).status_code == 202
    assert maesn_sandbox.requests.filter(status=400)[0].started_task is None


@pytest.mark.maesn_sandbox(interactive_auth=True)
def test_an_interactive_auth_sandbox_needs_no_company_id(client: httpx.Client) -> None:
    """Sandbox(interactive_auth=True) applies to the calls that start tasks too."""
    assert _send(client, TASK_ROUTES["post_file_async"], company_id=None).status_code == 202


def test_keys_are_checked_before_anything_else(
    maesn_sandbox: Sandbox, client: httpx.Client
) -> None:
    """A wrong account key is a 401 and starts nothing."""
    response = _send(client, TASK_ROUTES["post_file_async"], account_key="not-a-key")
    assert response.status_code == 401
    assert maesn_sandbox.requests[-1].started_task is None
    assert client.get("/auth/companies", headers={"X-API-KEY": "wrong"}).status_code == 401


def test_bodies_are_checked_against_what_the_operation_sends(
    maesn_sandbox: Sandbox, client: httpx.Client
) -> None:
    """JSON where JSON is declared, multipart with a boundary where multipart is."""
    del maesn_sandbox
    params = {"companyId": COMPANY}
    not_json = client.post(
        "/accounting/contacts",
        params=params,
        content=b"{",
        headers={"Content-Type": "application/json"},
    )
    assert not_json.status_code == 400
    json_upload = client.post("/accounting/files/async", params=params, json={"file": "x"})
    assert json_upload.status_code == 400
    assert json_upload.json()["validationErrors"][0]["field"] == "body"
    unknown = client.post(
        "/accounting/files/async", params={**params, "limit": "1"}, files={"f": ("a", b"1")}
    )
    assert unknown.status_code == 400
    assert unknown.json()["validationErrors"][0]["field"] == "limit"


def test_unknown_paths_and_methods(maesn_sandbox: Sandbox, client: httpx.Client) -> None:
    """404 for a path no operation has, 405 with Allow for a wrong method."""
    del maesn_sandbox
    assert client.get("/nowhere").status_code == 404
    wrong = client.delete("/accounting/files/async")
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "POST"


def test_faults_reach_an_operations_calls_and_start_nothing(
    maesn_sandbox: Sandbox, client: httpx.Client
) -> None:
    """inject(operation=...) faults that operation's calls only; the log says which."""
    maesn_sandbox.inject(Fault.status(503), operation="post_file_async")
    task_id = maesn_sandbox.add_task("abaconnect")
    assert client.get(f"/accounting/asyncTask/{task_id}").status_code == 200
    assert _send(client, TASK_ROUTES["post_file_async"]).status_code == 503
    assert _send(client, TASK_ROUTES["post_file_async"]).status_code == 202
    faulted = maesn_sandbox.requests.filter(operation="post_file_async", status=503)
    assert [(r.fault, r.started_task) for r in faulted] == [("status 503", None)]
    with pytest.raises(ValueError, match="no operation"):
        maesn_sandbox.inject(Fault.status(500), operation="post_files_async")


def test_a_global_fault_still_goes_to_task_requests_only(
    maesn_sandbox: Sandbox, client: httpx.Client
) -> None:
    """A fault without operation keeps its meaning: the next task status request."""
    maesn_sandbox.inject(Fault.status(500))
    assert _send(client, TASK_ROUTES["post_file_async"]).status_code == 202
    assert client.get("/accounting/asyncTask/any").status_code == 500


def test_on_start_shapes_the_next_started_task(
    maesn_sandbox: Sandbox, client: httpx.Client
) -> None:
    """Lifecycle, information and responseData of the next task; then the defaults again."""
    maesn_sandbox.on_start(
        "post_file_async",
        lifecycle=["IN_PROGRESS", "PARTIAL_SUCCESS"],
        information=[{"message": "1 of 2 files processed", "type": "warning"}],
    )
    first = _send(client, TASK_ROUTES["post_file_async"]).json()["data"]["taskId"]
    second = _send(client, TASK_ROUTES["post_file_async"]).json()["data"]["taskId"]
    assert maesn_sandbox._tasks[first].lifecycle == ("IN_PROGRESS", "PARTIAL_SUCCESS")
    assert maesn_sandbox._tasks[second].lifecycle == default_lifecycle(DUO)


def test_companies_lists_the_sandboxes_companies(client: httpx.Client) -> None:
    """GET /auth/companies: the getCompanies envelope, a CompanyResponseDto a company."""
    body = client.get("/auth/companies").json()
    assert [company["id"] for company in body["data"]] == ["c-sandbox-1", "c-sandbox-2"]
    assert client.get("/auth/companies", params={"page": "1"}).status_code == 400


@pytest.mark.maesn_sandbox(company_ids=["c-7"])
def test_companies_are_configurable(client: httpx.Client) -> None:
    """Sandbox(company_ids=...)."""
    assert [c["id"] for c in client.get("/auth/companies").json()["data"]] == ["c-7"]


@pytest.mark.maesn_sandbox(page_size=10)
def test_a_read_of_the_export_integration_starts_a_paged_export(
    maesn_sandbox: Sandbox, client: httpx.Client
) -> None:
    """datev-rewe-export: GET /accounting/journalEntries answers {data: {taskId}}, then pages."""
    key = maesn_sandbox.add_account(EXPORT)
    maesn_sandbox.on_start(entries=25)
    started = client.get(
        "/accounting/journalEntries", params={"companyId": COMPANY}, headers={"X-ACCOUNT-KEY": key}
    )
    assert started.status_code == 200
    task_id = started.json()["data"]["taskId"]
    with maesn.Client(
        integration=EXPORT,
        company_id=COMPANY,
        base_url=maesn_sandbox.base_url,
        api_key=maesn_sandbox.api_key,
        account_key=key,
    ) as maesn_client:
        maesn_client.wait_for_task(task_id, poll_interval=0.01)
        entries = list(maesn_client.iter_task_entries(task_id))
    assert len(entries) == 25


def test_a_read_of_a_non_export_integration_starts_nothing(
    maesn_sandbox: Sandbox, client: httpx.Client
) -> None:
    """DUO reads are not tasks: the list itself is answered, and no task is started."""
    response = client.get("/accounting/journalEntries", params={"companyId": COMPANY})
    assert response.status_code == 200
    assert response.json()["data"] == []
    assert maesn_sandbox.requests[-1].started_task is None


def test_the_started_task_is_waited_for_by_the_client(maesn_sandbox: Sandbox) -> None:
    """A DUO upload's task id, waited for with maesn.Client, ends SUCCESS."""
    with httpx.Client(base_url=maesn_sandbox.base_url, headers=maesn_sandbox.headers) as http:
        task_id = _send(http, TASK_ROUTES["post_file_async"]).json()["data"]["taskId"]
    with maesn.Client(
        integration=DUO,
        company_id=COMPANY,
        base_url=maesn_sandbox.base_url,
        api_key=maesn_sandbox.api_key,
        account_key=maesn_sandbox.account_key,
    ) as maesn_client:
        task = maesn_client.wait_for_task(task_id, poll_interval=0.01)
    assert task.status == "SUCCESS"
