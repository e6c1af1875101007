"""Prism's example and generated responses parse into a Task or one of the client's typed errors."""

from __future__ import annotations

import contextlib
import itertools
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import maesn
import pytest
from helpers import DOCUMENTED_STATUSES, KEYS
from maesn import Integration, Pagination, TaskInformation, TaskStatus
from scripted_server import ScriptedServer

COMPANY_ID = "8f1c2d3e-company"
DYNAMIC_REQUESTS = 250
EXPECTED_ERRORS = (maesn.ResponseValidationError, maesn.UnexpectedTaskStatusError)
"""What a 200 the client cannot use may raise: a body that is not the envelope, or a status the
integration never reports. Anything else (an APIStatusError: Prism refused the request; a
non-Maesn exception: the client crashed) fails the test."""


def _client(base_url: str, integration: Integration, **options: Any) -> maesn.Client:
    return maesn.Client(
        integration=integration,
        company_id=COMPANY_ID,
        base_url=base_url,
        max_retries=0,
        **KEYS,
        **options,
    )


def _prism_example(prism_mock: str) -> dict[str, Any]:
    with httpx.Client(base_url=prism_mock, timeout=10) as client:
        response = client.get(
            "/accounting/asyncTask/t-1",
            headers={"X-API-KEY": KEYS["api_key"], "X-ACCOUNT-KEY": KEYS["account_key"]},
        )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _assert_is_example(task: maesn.Task, example: dict[str, Any]) -> None:
    data, meta = example["data"], example["meta"]
    assert task.status is TaskStatus(data["status"])
    assert task.information == tuple(
        TaskInformation(
            message=item.get("message"),
            type=item.get("type"),
            filename=item.get("filename"),
            timestamp=item.get("timestamp"),
        )
        for item in data["information"]
    )
    assert task.response_data == data["responseData"]
    assert task.warnings == tuple(meta["warnings"])
    page = meta["pagination"]
    assert task.pagination == Pagination(
        total=page["total"],
        per_page=page["perPage"],
        current_page=page["currentPage"],
        total_pages=page["totalPages"],
    )


@pytest.mark.parametrize("integration", DOCUMENTED_STATUSES, ids=str)
def test_prisms_example_parses_into_a_task(prism_mock: str, integration: Integration) -> None:
    """The spec's example (as Prism serves it statically) becomes a Task with every field.

    Prism 5.14.2 serves the first enum value (OPEN), not the `example` (SUCCESS), for `status`:
    integrations whose profile lacks it raise UnexpectedTaskStatusError carrying the same Task,
    or warn with strict_status=False.
    """
    example = _prism_example(prism_mock)
    status = TaskStatus(example["data"]["status"])
    with _client(prism_mock, integration) as client:
        if status in integration.profile.statuses:
            task = client.get_task("t-1")
        else:
            with pytest.raises(maesn.UnexpectedTaskStatusError) as caught:
                client.get_task("t-1")
            task = caught.value.task
    _assert_is_example(task, example)
    if status not in integration.profile.statuses:
        with (
            _client(prism_mock, integration, strict_status=False) as lenient,
            pytest.warns(maesn.MaesnWarning, match="never reports"),
        ):
            _assert_is_example(lenient.get_task("t-1"), example)


def test_some_integration_accepts_prisms_example_status(prism_mock: str) -> None:
    """At least one profile takes the example as is, so the strict path above is exercised."""
    status = TaskStatus(_prism_example(prism_mock)["data"]["status"])
    assert any(status in integration.profile.statuses for integration in Integration)


@dataclass
class Tally:
    """Outcomes of many requests to Prism's dynamic mode."""

    outcomes: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    maesn_warnings: int = 0
    other_warnings: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        """How many requests were made."""
        return self.outcomes.total()

    def __str__(self) -> str:
        counts = dict(self.outcomes.most_common())
        lines = [f"{self.requests} requests: {counts}, {self.maesn_warnings} MaesnWarnings"]
        lines += [f"  e.g. {name}: {text[:300]}" for name, text in self.examples.items()]
        lines += [f"  {count} x {reason}" for reason, count in self.reasons.most_common(8)]
        lines += [f"  UNEXPECTED: {text}" for text in self.unexpected[:3]]
        lines += [f"  OTHER WARNING: {text}" for text in self.other_warnings[:3]]
        return "\n".join(lines)


def _tally(base_url: str, *, strict_status: bool) -> Tally:
    """Poll Prism DYNAMIC_REQUESTS times, cycling through the integrations; count the outcomes."""
    tally = Tally()
    with contextlib.ExitStack() as stack:
        clients = [
            stack.enter_context(_client(base_url, integration, strict_status=strict_status))
            for integration in DOCUMENTED_STATUSES
        ]
        caught = stack.enter_context(warnings.catch_warnings(record=True))
        warnings.simplefilter("always")
        for client in itertools.islice(itertools.cycle(clients), DYNAMIC_REQUESTS):
            try:
                client.get_task("t-1")
            except EXPECTED_ERRORS as exc:
                name = type(exc).__name__
                tally.examples.setdefault(name, str(exc))
                reason = str(exc).split("envelope: ", 1)[-1].split(". Body", 1)[0]
                tally.reasons[" ".join(reason.split()[:3])] += 1
            except Exception as exc:  # noqa: BLE001 - anything else is what this test looks for
                name = f"unexpected {type(exc).__name__}"
                tally.unexpected.append("".join(traceback.format_exception(exc)))
            else:
                name = "Task"
            tally.outcomes[name] += 1
    tally.maesn_warnings = sum(issubclass(w.category, maesn.MaesnWarning) for w in caught)
    tally.other_warnings = [
        str(w.message) for w in caught if not issubclass(w.category, maesn.MaesnWarning)
    ]
    return tally


def _assert_no_crash(tally: Tally) -> None:
    assert tally.requests >= 200, tally
    assert not tally.unexpected, tally
    assert not tally.other_warnings, tally


@pytest.mark.parametrize("strict_status", [True, False], ids=["strict", "lenient"])
def test_generated_responses_of_the_pinned_spec_never_crash_the_client(
    prism_dynamic: str,
    strict_status: bool,  # noqa: FBT001 - a test parameter
) -> None:
    """Every response Prism generates from the pinned spec gives a Task or a typed error.

    Few become Tasks, for reasons the tally shows: Prism fills `meta.pagination` with fractional
    or negative numbers (the spec says `number`), which the client refuses as counts
    (openapi/fixes.yaml makes them integers), and `status` may be null.
    """
    tally = _tally(prism_dynamic, strict_status=strict_status)
    print(tally)  # noqa: T201 - shown with -rA and on failure
    _assert_no_crash(tally)


@pytest.mark.parametrize("strict_status", [True, False], ids=["strict", "lenient"])
def test_generated_responses_of_the_effective_spec_mostly_parse(
    prism_dynamic_effective: str,
    strict_status: bool,  # noqa: FBT001 - a test parameter
) -> None:
    """Responses generated from the spec the client is built from mostly parse into Tasks.

    The fixes make the pagination counts integers and open the status enum, so the generated
    statuses are random strings: kept raw, with a MaesnWarning. Maesn's published spec lets
    `status` be null, and Prism generates null about half the time: a task without a status
    cannot be interpreted, so that is a ResponseValidationError, as is a negative count; never
    anything untyped. Of the responses with a status, most parse.
    """
    tally = _tally(prism_dynamic_effective, strict_status=strict_status)
    print(tally)  # noqa: T201 - shown with -rA and on failure
    _assert_no_crash(tally)
    with_status = DYNAMIC_REQUESTS - tally.reasons["data.status is null"]
    assert with_status < DYNAMIC_REQUESTS, "Prism generated no null status: is it still nullable?"
    assert tally.outcomes["Task"] >= with_status // 2, tally


def test_a_list_as_data_is_named_in_the_error(scripted_server: ScriptedServer) -> None:
    """`{"data": []}` (what Prism generates from the oneOf) is reported as data being a list."""
    scripted_server.reply(200, {"data": []})
    with (
        _client(scripted_server.base_url, Integration.ABACONNECT) as client,
        pytest.raises(maesn.ResponseValidationError) as caught,
    ):
        client.get_task("t-1")
    assert "Unset" not in str(caught.value)
    assert "list" in str(caught.value)
