"""The integration profile table: complete, consistent with the spec, read-only."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import maesn
import pytest
from maesn import Integration, TaskOutcome, TaskStatus
from maesn._profiles import PROFILES

from scripts.spec_yaml import load_document

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "maesn.yaml"


def test_task_status_lists_exactly_the_spec_enum() -> None:
    """maesn.TaskStatus holds the status values the pinned spec lists, no more, no fewer."""
    spec = load_document(SPEC)
    values = spec["components"]["schemas"]["AsyncTaskResponseDto"]["properties"]["status"]["enum"]
    assert [s.value for s in TaskStatus] == values


def test_every_integration_has_exactly_one_profile() -> None:
    """Adding an integration means adding a row; no row without an integration."""
    assert set(PROFILES) == set(Integration)
    for integration, profile in PROFILES.items():
        assert profile.integration is integration
        assert integration.profile is profile


@pytest.mark.parametrize(
    ("integration", "statuses"),
    [
        (Integration.ABACONNECT, {"IN_PROGRESS", "FINISHED"}),
        (
            Integration.DATEV_UNTERNEHMEN_ONLINE,
            {
                "OPEN",
                "IN_PROGRESS",
                "SUCCESS",
                "FAILED",
                "PARTIAL_SUCCESS",
                "CANCELLED_SUCCESSFULLY",
                "CANCEL_FAILED",
            },
        ),
        (Integration.DATEV_REWE, {"SUCCESS", "IN_PROGRESS", "FAILED"}),
        (Integration.DATEV_REWE_LONGTOKEN, {"SUCCESS", "IN_PROGRESS", "FAILED"}),
        (Integration.DATEV_REWE_EXPORT, {"FINISHED", "IN_PROGRESS", "FAILED", "DELETED"}),
    ],
)
def test_profiles_list_the_documented_statuses(
    integration: Integration, statuses: set[str]
) -> None:
    """Each row carries the statuses Maesn documents for that integration."""
    assert {s.value for s in integration.profile.statuses} == statuses


def test_rules_per_integration_match_the_documentation() -> None:
    """companyId, paging, page size, rawData and information fields as documented."""
    aba, duo = Integration.ABACONNECT.profile, Integration.DATEV_UNTERNEHMEN_ONLINE.profile
    export = Integration.DATEV_REWE_EXPORT.profile
    assert not aba.company_id_required
    assert {p.id for p in PROFILES.values() if p.company_id_required} == {
        "businesscentral",
        "datev-rewe",
        "datev-rewe-export",
        "datev-rewe-longtoken",
        "datev-unternehmen-online",
        "exact-de",
        "exact-gb",
        "exact-nl",
    }
    assert export.pagination
    assert export.paging_parameters == ("page",)
    assert export.page_size == 50_000
    assert [p for p in PROFILES.values() if p.pagination] == [export]
    assert not any(p.raw_data for p in PROFILES.values())
    assert aba.information_fields == {"message", "type"}
    assert duo.information_fields == {"filename", "message", "timestamp", "type"}
    assert aba.outcome_of(TaskStatus.FINISHED) is TaskOutcome.COMPLETED
    assert export.outcome_of(TaskStatus.FINISHED) is TaskOutcome.SUCCEEDED
    assert duo.statuses_for(TaskOutcome.PENDING) == {TaskStatus.OPEN, TaskStatus.IN_PROGRESS}


def test_duo_id_is_marked_as_our_label() -> None:
    """Maesn documents no id for DUO: the profile, which the CLI shows, says so."""
    duo = Integration.DATEV_UNTERNEHMEN_ONLINE.profile
    assert not duo.id_verified
    fact = duo.fact("id_verified")
    assert fact is not None
    assert fact.inferred is not None
    assert "documents no target-system id" in fact.inferred


def test_profiles_are_read_only() -> None:
    """Users and the CLI can read the table but not change it."""
    profile = Integration.DATEV_REWE_EXPORT.profile
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.page_size = 10  # type: ignore[misc]
    with pytest.raises(TypeError):
        profile.outcomes[TaskStatus.OPEN] = TaskOutcome.PENDING  # type: ignore[index]
    with pytest.raises(TypeError):
        PROFILES[Integration.ABACONNECT] = profile  # type: ignore[index]
    assert maesn.IntegrationProfile is type(profile)
