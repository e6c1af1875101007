"""Every request the client can send passes Prism's validation against the pinned spec."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import httpx
import maesn
import pytest
from helpers import KEYS, Harness
from maesn import Integration
from maesn._profiles import PROFILES

COMPANY_ID = "8f1c2d3e-company"
TASK_IDS = ("0b6f3c52-3d1e-4c4e-9a57-2f1d8f1c2d3e", "an id with spaces, & ? # % and ü")


@dataclass(frozen=True)
class RequestCase:
    """One valid way to call get_task for an integration."""

    integration: Integration
    interactive_auth: bool
    company_id: str | None
    page: int | None

    def __str__(self) -> str:
        company = "company" if self.company_id else "no-company"
        auth = "-interactive" if self.interactive_auth else ""
        return f"{self.integration.value}{auth}-{company}-page={self.page}"


def _request_cases() -> list[RequestCase]:
    """Each integration's valid combinations of companyId, interactive auth and page."""
    cases = []
    for integration, profile in PROFILES.items():
        accounts: list[tuple[bool, str | None]] = [(False, COMPANY_ID)]
        accounts += (
            [(True, None), (True, COMPANY_ID)] if profile.company_id_required else [(False, None)]
        )
        pages = [None, 1, 2] if "page" in profile.paging_parameters else [None]
        cases += [
            RequestCase(integration, interactive_auth, company_id, page)
            for interactive_auth, company_id in accounts
            for page in pages
        ]
    return cases


REQUEST_CASES = _request_cases()


def accepted_task(harness: Harness, task_id: str, **arguments: Any) -> maesn.Task:
    """The task Prism answered; fails with Prism's validation message if it refused the request.

    Prism's static example may carry a status the integration never reports: the client then
    raises UnexpectedTaskStatusError, which still means Prism accepted the request and answered 200.
    """
    try:
        with warnings.catch_warnings():  # an undocumented row's statuses warn: not the point here
            warnings.simplefilter("ignore", maesn.MaesnWarning)
            return harness.get_task(task_id, **arguments)
    except maesn.UnexpectedTaskStatusError as exc:
        return exc.task
    except maesn.APIStatusError as exc:
        pytest.fail(
            f"Prism refused a request the client sends ({arguments}): {exc.status_code} {exc.body}",
            pytrace=False,
        )


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("case", REQUEST_CASES, ids=str)
def test_every_valid_request_is_accepted_by_prism(
    prism_mock: str, mode: str, case: RequestCase
) -> None:
    """Client and AsyncClient requests (page, companyId per the profile) pass the spec."""
    harness = Harness(mode=mode, base_url=prism_mock)
    task = accepted_task(
        harness,
        TASK_IDS[0],
        page=case.page,
        company_id=case.company_id,
        integration=case.integration,
        interactive_auth=case.interactive_auth,
    )
    assert task.task_id == TASK_IDS[0]


def test_the_cases_cover_every_integration_and_paging_parameter() -> None:
    """The request cases come from the profile table, so a new integration is covered at once."""
    assert {case.integration for case in REQUEST_CASES} == set(PROFILES)
    assert any(case.page is not None for case in REQUEST_CASES)
    assert any(case.interactive_auth for case in REQUEST_CASES)


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_task_ids_reach_the_route_as_one_segment(prism_mock: str, task_id: str) -> None:
    """Any task id is quoted into the one path segment the spec's route has."""
    task = accepted_task(Harness(mode="sync", base_url=prism_mock), task_id)
    assert task.task_id == task_id


@pytest.mark.parametrize(
    ("params", "headers", "message"),
    [
        ({"page": "two"}, KEYS, "page must be number"),
        # The published spec declares the key headers optional (Maesn's SDK sends them through
        # its security scheme), so a missing key is not a spec violation; its closed `limit` is.
        ({"limit": "7"}, KEYS, "limit must be equal to one of the allowed values"),
    ],
    ids=["page-not-a-number", "limit-not-allowed"],
)
def test_prism_rejects_what_the_spec_forbids(
    prism_mock: str, params: dict[str, str], headers: dict[str, str], message: str
) -> None:
    """The check is real: a request the spec forbids gets Prism's 422 naming the violation."""
    names = {"api_key": "X-API-KEY", "account_key": "X-ACCOUNT-KEY"}
    with httpx.Client(base_url=prism_mock, timeout=10) as client:
        response = client.get(
            "/accounting/asyncTask/t-1",
            params=params,
            headers={names[key]: value for key, value in headers.items()},
        )
    assert response.status_code == 422, response.text
    assert message in response.text
