"""Each integration's profile decides which status values a task may report."""

from __future__ import annotations

import itertools

import maesn
import pytest
from helpers import DOCUMENTED_STATUSES, Harness, envelope, page_meta
from maesn import Integration, TaskStatus
from scripted_server import ScriptedServer

DOCUMENTED = DOCUMENTED_STATUSES
UNDOCUMENTED = [i for i in Integration if not i.profile.statuses_documented]
CASES = list(itertools.product(DOCUMENTED, TaskStatus))


def _ids(case: tuple[Integration, TaskStatus]) -> str:
    return f"{case[0].value}-{case[1].value}"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_every_profile_accepts_exactly_its_statuses(
    harness: Harness, scripted_server: ScriptedServer, case: tuple[Integration, TaskStatus]
) -> None:
    """A listed status is returned with its meaning; an unlisted one raises with the task."""
    integration, status = case
    scripted_server.reply(200, envelope(status.value))
    if status in integration.profile.statuses:
        task = harness.get_task("t-1", integration=integration, company_id="c-1")
        assert task.status is status
        assert task.outcome is integration.profile.outcome_of(status)
        assert task.is_pending == (
            status in integration.profile.statuses_for(maesn.TaskOutcome.PENDING)
        )
        assert task.is_done == (not task.is_pending)
        return
    with pytest.raises(maesn.UnexpectedTaskStatusError) as caught:
        harness.get_task("t-1", integration=integration, company_id="c-1")
    assert caught.value.task.status is status
    assert "wrong integration" in str(caught.value)
    assert integration.value in str(caught.value)


def test_abaconnect_reporting_success_suggests_a_wrong_integration(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """SUCCESS is a DATEV status: from an AbaConnect client it points at the configuration."""
    scripted_server.reply(200, envelope("SUCCESS"))
    with pytest.raises(maesn.UnexpectedTaskStatusError, match=r"integration=\.\.\."):
        harness.get_task("t-1", integration="abaconnect")


def test_strict_status_off_turns_the_error_into_a_warning(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """With strict_status=False the task is returned and a MaesnWarning says why it is odd."""
    scripted_server.reply(200, envelope("SUCCESS"))
    with pytest.warns(maesn.MaesnWarning, match="never reports"):
        task = harness.get_task("t-1", integration="abaconnect", strict_status=False)
    assert task.status is TaskStatus.SUCCESS
    assert task.outcome is None
    assert not task.is_done
    assert not task.is_pending


@pytest.mark.parametrize("integration", DOCUMENTED)
def test_unknown_status_is_kept_raw_and_warned(
    harness: Harness, scripted_server: ScriptedServer, integration: Integration
) -> None:
    """A value the spec does not know is never an exception: the raw string survives."""
    scripted_server.reply(200, envelope("QUEUED_AT_TARGET", response_data={"kept": True}))
    with pytest.warns(maesn.MaesnWarning, match="QUEUED_AT_TARGET"):
        task = harness.get_task("t-1", integration=integration, company_id="c-1")
    assert task.status == "QUEUED_AT_TARGET"
    assert not isinstance(task.status, TaskStatus)
    assert task.response_data == {"kept": True}
    assert task.outcome is None


def test_abaconnect_finished_is_done_but_not_a_declared_success(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """FINISHED only says AbaConnect is done: the outcome is in information."""
    scripted_server.reply(
        200, envelope("FINISHED", information=[{"message": "2 of 3 booked", "type": "warning"}])
    )
    task = harness.get_task("t-1", integration="abaconnect")
    assert task.is_done
    assert not task.succeeded
    assert task.outcome is maesn.TaskOutcome.COMPLETED
    assert task.messages == ["2 of 3 booked"]


def test_task_surfaces_information_response_data_warnings_and_pagination(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """Every part of the envelope reaches the Task, typed, with the raw envelope kept."""
    scripted_server.reply(
        200,
        envelope(
            "FINISHED",
            information=[
                {
                    "filename": "EXTF_Buchungsstapel.csv",
                    "message": "exported",
                    "timestamp": "2026-01-31T10:15:00Z",
                    "type": "information",
                },
                {"message": "no timestamp", "type": "information", "timestamp": "yesterday-ish"},
            ],
            response_data=[{"index": 0}, {"index": 1}],
            warnings=["Field not used by target system"],
            pagination=page_meta(2, 1),
        ),
    )
    task = harness.get_task("t-1", integration="datev-rewe-export", company_id="c-1")
    assert task.succeeded
    first, second = task.information
    assert first.filename == "EXTF_Buchungsstapel.csv"
    assert first.timestamp_at is not None
    assert (first.timestamp_at.year, first.timestamp_at.minute) == (2026, 15)
    assert first.timestamp_at.utcoffset() is not None
    assert second.timestamp == "yesterday-ish"
    assert second.timestamp_at is None
    assert task.response_data == [{"index": 0}, {"index": 1}]
    assert task.warnings == ("Field not used by target system",)
    assert task.pagination == maesn.Pagination(
        total=2, per_page=50000, current_page=1, total_pages=1
    )
    assert task.envelope is not None
    assert task.envelope["data"]["responseData"] == [{"index": 0}, {"index": 1}]


def test_warnings_point_at_the_callers_code(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """A MaesnWarning names the line that called the client, not a line inside maesn."""
    scripted_server.reply(200, envelope("QUEUED_AT_TARGET"))
    with pytest.warns(maesn.MaesnWarning) as warned:
        harness.get_task("t-1")
    (warning,) = warned
    assert warning.filename.endswith("helpers.py"), warning.filename


def test_exactly_the_documented_integrations_have_their_own_statuses() -> None:
    """Statuses are documented for the DATEV variants and AbaConnect only; the rest are generic."""
    assert {i.value for i in DOCUMENTED} == {
        "abaconnect",
        "datev-rewe",
        "datev-rewe-export",
        "datev-rewe-longtoken",
        "datev-unternehmen-online",
    }
    assert all(
        i.profile.outcomes == maesn.Integration.SEVDESK.profile.outcomes for i in UNDOCUMENTED
    )


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("IN_PROGRESS", maesn.TaskOutcome.PENDING),
        ("OPEN", maesn.TaskOutcome.PENDING),
        ("SUCCESS", maesn.TaskOutcome.SUCCEEDED),
        ("FINISHED", maesn.TaskOutcome.COMPLETED),
        ("FAILED", maesn.TaskOutcome.FAILED),
        ("RUNNING", maesn.TaskOutcome.PENDING),
        ("QUEUED_AT_TARGET", maesn.TaskOutcome.PENDING),
        ("SUCCEEDED", maesn.TaskOutcome.SUCCEEDED),
        ("DONE", maesn.TaskOutcome.COMPLETED),
        ("ERROR", maesn.TaskOutcome.FAILED),
        ("UNSUCCESSFUL", maesn.TaskOutcome.FAILED),
        ("CANCELLATION_FAILED", maesn.TaskOutcome.CANCEL_FAILED),
        ("Task has been processed.", None),
    ],
)
def test_undocumented_statuses_are_read_by_the_generic_rules(
    status: str, outcome: maesn.TaskOutcome | None
) -> None:
    """Where statuses are not documented, any value is kept and read by its words."""
    assert maesn.Integration.SEVDESK.profile.outcome_of(status) is outcome
    assert maesn.Integration.ABACONNECT.profile.outcome_of(status) is (
        outcome if status in {"IN_PROGRESS", "FINISHED"} else None
    )


@pytest.mark.parametrize("integration", [*UNDOCUMENTED, None], ids=str)
def test_a_client_warns_once_that_the_statuses_are_not_documented(
    harness: Harness, scripted_server: ScriptedServer, integration: Integration | None
) -> None:
    """The first poll of a client whose integration's statuses are undocumented warns, once."""
    scripted_server.reply(200, envelope("IN_PROGRESS"))
    scripted_server.reply(200, envelope("SUCCESS"))
    options = harness.client_kwargs(integration=integration, interactive_auth=True)
    with maesn.Client(**options) as client:
        with pytest.warns(maesn.MaesnWarning) as warned:
            first = client.get_task("t-1")
        second = client.get_task("t-1")  # no second warning: filterwarnings=error would raise
    assert (first.outcome, second.outcome) == (
        maesn.TaskOutcome.PENDING,
        maesn.TaskOutcome.SUCCEEDED,
    )
    assert second.succeeded
    (warning,) = warned
    assert (str(integration) if integration else "no integration") in str(warning.message)
    assert warning.filename == __file__


def test_a_wait_on_an_undocumented_integration_ends_by_the_generic_rules(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """FAILED ends a sevdesk wait as TaskFailedError, as on every integration."""
    scripted_server.reply(200, envelope("IN_PROGRESS"))
    scripted_server.reply(200, envelope("FAILED", information=[{"message": "no"}]))
    options = harness.client_kwargs(integration="sevdesk")
    with (
        pytest.warns(maesn.MaesnWarning, match="sevdesk"),
        maesn.Client(**options) as client,
        pytest.raises(maesn.TaskFailedError) as caught,
    ):
        client.wait_for_task("t-1")
    assert caught.value.task.status is TaskStatus.FAILED
