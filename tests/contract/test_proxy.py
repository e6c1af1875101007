"""Prism's proxy mode checks the sandbox's responses against the spec.

With `--errors`, Prism 5.14.2 turns a response that violates the spec into a 500 with
`Content-Type: application/problem+json`, `type: https://stoplight.io/prism/errors#VIOLATIONS`
and the violations in `validation` (each with `location`, `severity`, `code`, `message`), and
repeats them in the `sl-violations` header. Violations of severity Warning (such as a 404 the spec
does not list) pass the upstream response through, with the `sl-violations` header.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import maesn
import pytest
from helpers import DOCUMENTED_STATUSES as DOCUMENTED
from maesn import Integration, TaskOutcome, TaskStatus
from maesn.testing import FakeClock, Fault, Sandbox, default_lifecycle

from .conftest import PROXY_PAGE_SIZE

VIOLATIONS = "https://stoplight.io/prism/errors#VIOLATIONS"
COMPANY_ID = "c-contract"
EXPORT_ENTRIES = 2 * PROXY_PAGE_SIZE + 1


def _client(sandbox: Sandbox, url: str, integration: Integration) -> maesn.Client:
    """A client through the proxy: a violation must surface at once, not after retries."""
    return maesn.Client(
        integration=integration,
        company_id=COMPANY_ID,
        base_url=url,
        api_key=sandbox.api_key,
        account_key=sandbox.account_key,
        max_retries=0,
    )


def _terminal_cases() -> Iterator[Any]:
    for integration in DOCUMENTED:
        profile = integration.profile
        pending = [s for s, o in profile.outcomes.items() if o is TaskOutcome.PENDING]
        for status, outcome in profile.outcomes.items():
            if outcome is not TaskOutcome.PENDING:
                yield pytest.param(
                    integration, (*pending, status), id=f"{integration.value}-{status.value}"
                )


def _lifecycle_cases() -> list[Any]:
    default = [pytest.param(i, default_lifecycle(i), id=f"{i.value}-default") for i in DOCUMENTED]
    return default + list(_terminal_cases())


def _no_violation(call: Any) -> Any:
    try:
        return call()
    except maesn.ServerError as exc:
        if VIOLATIONS in exc.text:
            pytest.fail(f"Prism found the sandbox's response violates the spec: {exc.text}")
        raise


@pytest.mark.usefixtures("fake_clock")
@pytest.mark.parametrize(("integration", "lifecycle"), _lifecycle_cases())
def test_every_lifecycle_conforms_to_the_spec(
    proxied_sandbox: Sandbox,
    prism_proxy: str,
    integration: Integration,
    lifecycle: tuple[TaskStatus, ...],
) -> None:
    """Each integration's lifecycle, to each terminal status, passes Prism with no violation."""
    task_id = proxied_sandbox.add_task(
        integration,
        lifecycle=lifecycle,
        company_id=COMPANY_ID,
        response_data={"id": "r-1", "name": "created"},
        information=[{"message": "received", "type": "information"}],
        warnings=["Field not used by target system"],
    )
    seen: list[TaskStatus | str] = []
    with _client(proxied_sandbox, prism_proxy, integration) as client:
        task = _no_violation(
            lambda: client.wait_for_task(
                task_id, raise_on_failure=False, on_update=lambda t: seen.append(t.status)
            )
        )
    assert tuple(seen) == lifecycle
    assert task.status is lifecycle[-1]


@pytest.mark.parametrize("entries", [EXPORT_ENTRIES, 0])
def test_export_pages_conform_to_the_spec(
    proxied_sandbox: Sandbox, prism_proxy: str, fake_clock: FakeClock, entries: int
) -> None:
    """An export's pages (first, second via page=2, all via iter_task_pages) pass Prism."""
    del fake_clock
    integration = Integration.DATEV_REWE_EXPORT
    task_id = proxied_sandbox.add_task(integration, entries=entries, company_id=COMPANY_ID)
    with _client(proxied_sandbox, prism_proxy, integration) as client:
        finished = _no_violation(lambda: client.wait_for_task(task_id))
        assert finished.pagination is not None
        assert finished.pagination.total == entries
        if entries:
            second = _no_violation(lambda: client.get_task(task_id, page=2))
            assert second.pagination is not None
            assert second.pagination.current_page == 2
        else:  # page 2 of an empty export passed Prism; it lies past the last page
            with pytest.raises(maesn.PageOutOfRangeError):
                _no_violation(lambda: client.get_task(task_id, page=2))
        pages = _no_violation(lambda: list(client.iter_task_pages(task_id)))
    assert sum(len(page.entries) for page in pages) == entries


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"data": {"status": 5}}, "data.status must be string"),
        (
            {"data": {"status": "SUCCESS", "information": [{"message": 3}]}},
            "data.information.0.message must be string",
        ),
        ({"data": {"status": "SUCCESS", "information": {"message": "x"}}}, "must be array"),
        ({"meta": {"pagination": {"total": 1.5}}, "data": {"status": "SUCCESS"}}, "integer"),
    ],
    ids=["status-number", "message-number", "information-object", "total-fraction"],
)
def test_prism_reports_a_response_that_violates_the_spec(
    proxied_sandbox: Sandbox, prism_proxy: str, body: dict[str, Any], message: str
) -> None:
    """The check is real: a wrong body from the sandbox reaches the client as Prism's 500."""
    integration = Integration.DATEV_REWE
    task_id = proxied_sandbox.add_task(integration, company_id=COMPANY_ID)
    proxied_sandbox.inject(
        Fault.response(200, body=json.dumps(body), headers={"Content-Type": "application/json"}),
        task_id=task_id,
    )
    with (
        _client(proxied_sandbox, prism_proxy, integration) as client,
        pytest.raises(maesn.ServerError) as caught,
    ):
        client.get_task(task_id)
    problem = json.loads(caught.value.text)
    assert problem["type"] == VIOLATIONS
    assert any(message in item["message"] for item in problem["validation"]), problem
    assert json.loads(caught.value.headers["sl-violations"]) == problem["validation"]


def _violations_along(
    sandbox: Sandbox,
    url: str,
    integration: Integration,
    *,
    entries: int | None = None,
    entries_key: str | None = None,
) -> list[dict[str, Any]]:
    """The violations of severity Error along a task's default lifecycle (raw HTTP, via Prism).

    An export is walked with `entries` and finishes with a request for page 2.
    """
    result: dict[str, Any] = (
        {"entries": entries, "entries_key": entries_key}
        if entries is not None
        else {"response_data": {"id": "p-1"}}
    )
    task_id = sandbox.add_task(integration, company_id=COMPANY_ID, **result)
    found = []
    params: dict[str, Any] = {"companyId": COMPANY_ID}
    with httpx.Client(base_url=url, headers=sandbox.headers, timeout=30) as client:
        for step in range(len(default_lifecycle(integration)) + 1):
            if entries is not None and step == len(default_lifecycle(integration)):
                params["page"] = 2
            response = client.get(f"/accounting/asyncTask/{task_id}", params=params)
            found += [
                item
                for item in json.loads(response.headers.get("sl-violations", "[]"))
                if item["severity"] == "Error"
            ]
    return found


@pytest.mark.parametrize("integration", DOCUMENTED, ids=str)
def test_every_lifecycle_conforms_to_the_pinned_spec_verbatim(
    proxied_sandbox: Sandbox, prism_proxy_pinned: str, integration: Integration
) -> None:
    """Against openapi/maesn.yaml exactly as Maesn wrote it, the sandbox has zero violations.

    A running task leaves responseData out, and export pages are declared with
    `entries_key="entries"` (an object, which is what the pinned spec's responseData type allows).
    """
    entries = EXPORT_ENTRIES if integration.profile.pagination else None
    found = _violations_along(
        proxied_sandbox, prism_proxy_pinned, integration, entries=entries, entries_key="entries"
    )
    assert not found, found


def test_a_bare_list_export_page_departs_from_the_pinned_spec_only_at_response_data(
    proxied_sandbox: Sandbox, prism_proxy_pinned: str
) -> None:
    """The default bare-list page breaks only the pinned spec's responseData type.

    Maesn describes export results as lists of records; the pinned spec types responseData as a
    Project object, which openapi/fixes.yaml corrects (the fixed spec accepts the list: see
    test_export_pages_conform_to_the_spec). Any other violation fails here.
    """
    found = _violations_along(
        proxied_sandbox, prism_proxy_pinned, Integration.DATEV_REWE_EXPORT, entries=EXPORT_ENTRIES
    )
    assert found
    assert {item["location"][-1] for item in found} == {"responseData"}, found
