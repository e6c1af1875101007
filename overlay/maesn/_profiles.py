"""Integration profiles: everything that differs per integration, as one table of data.

Validation, waiting and paging read this table; nothing else in the package branches on an
integration. Adding an integration is adding a row. Facts and their sources: docs.maesn.com's
"Get async task info" page (the seed of this project); what is inferred is marked in `notes`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from ._status import TaskOutcome, TaskStatus

if TYPE_CHECKING:
    from ._models import TaskInformation

__all__ = ["PROFILES", "Integration", "IntegrationProfile", "paged_integrations"]


class Integration(enum.StrEnum):
    """The target system behind an account key; it decides what a task's status means.

    Each account key belongs to one end user on one target system, so a client is configured with
    the integration its account key was connected to.
    """

    ABACONNECT = "abaconnect"
    """Abacus via AbaConnect (documented id)."""
    DATEV_UNTERNEHMEN_ONLINE = "datev-unternehmen-online"
    """DATEV Unternehmen Online (DUO). Our label: Maesn documents no target-system id for DUO."""
    DATEV_REWE = "datev-rewe"
    """DATEV Rechnungswesen, writing (documented id)."""
    DATEV_REWE_LONGTOKEN = "datev-rewe-longtoken"
    """DATEV Rechnungswesen with a long-lived token, writing (documented id)."""
    DATEV_REWE_EXPORT = "datev-rewe-export"
    """DATEV Rechnungswesen, reading: exports paged at 50,000 entries (documented id)."""

    @property
    def profile(self) -> IntegrationProfile:
        """This integration's row of the profile table (read-only)."""
        return PROFILES[self]


@dataclass(frozen=True, kw_only=True)
class IntegrationProfile:
    """One integration's rules for async tasks."""

    integration: Integration
    name: str
    """Human-readable name of the target system."""
    outcomes: Mapping[TaskStatus, TaskOutcome]
    """Every status this integration may report, with what it means here."""
    company_id_required: bool
    """companyId must be sent unless the account uses the Interactive Authentication Flow."""
    paging_parameters: tuple[str, ...]
    """Query parameters accepted for paging a task's result; empty when there is no paging."""
    page_size: int | None
    """Fixed number of entries per result page (it cannot be changed), or None without paging."""
    raw_data: bool
    """Whether the target system's raw data can be requested."""
    response_data: bool
    """Whether tasks of this integration document `responseData`."""
    information_fields: frozenset[str]
    """The fields this integration fills in each `information` entry."""
    error_information_types: frozenset[str] = frozenset()
    """`information[].type` values (compared case-insensitively) that report an error although
    the status counts as success; used only when a wait asks for it
    (`fail_on_error_information=True`). Empty where the status alone is authoritative."""
    reads_start_tasks: bool = False
    """Reads run as tasks: a GET answered with `data: {taskId}` started an export task (the
    client returns a TaskHandle for it)."""
    notes: str = ""

    @property
    def statuses(self) -> frozenset[TaskStatus]:
        """Every status this integration may report."""
        return frozenset(self.outcomes)

    @property
    def pagination(self) -> bool:
        """True when task results come in pages."""
        return bool(self.paging_parameters)

    def statuses_for(self, *outcomes: TaskOutcome) -> frozenset[TaskStatus]:
        """The statuses that mean any of `outcomes` for this integration."""
        return frozenset(status for status, outcome in self.outcomes.items() if outcome in outcomes)

    def outcome_of(self, status: TaskStatus) -> TaskOutcome | None:
        """What `status` means here, or None when this integration does not report it."""
        return self.outcomes.get(status)

    def error_information(
        self, information: Iterable[TaskInformation]
    ) -> tuple[TaskInformation, ...]:
        """The `information` entries whose `type` this integration uses to report an error."""
        kinds = self.error_information_types
        return tuple(info for info in information if (info.type or "").casefold() in kinds)


_FULL_INFORMATION = frozenset({"filename", "message", "timestamp", "type"})
_DATEV_REWE_WRITE = MappingProxyType(
    {
        TaskStatus.IN_PROGRESS: TaskOutcome.PENDING,
        TaskStatus.SUCCESS: TaskOutcome.SUCCEEDED,
        TaskStatus.FAILED: TaskOutcome.FAILED,
    }
)
_DATEV_REWE_NOTES = (
    "companyId: list them with client.companies() (GET /auth/companies) unless the account "
    "uses the Interactive Authentication Flow. Writing tasks (datev-rewe, datev-rewe-longtoken) "
    "report SUCCESS, IN_PROGRESS, FAILED; reading tasks (datev-rewe-export) FINISHED, IN_PROGRESS, FAILED, DELETED."
)

PROFILES: Mapping[Integration, IntegrationProfile] = MappingProxyType(
    {
        Integration.ABACONNECT: IntegrationProfile(
            integration=Integration.ABACONNECT,
            name="AbaConnect (Abacus)",
            outcomes=MappingProxyType(
                {
                    TaskStatus.IN_PROGRESS: TaskOutcome.PENDING,
                    TaskStatus.FINISHED: TaskOutcome.COMPLETED,
                }
            ),
            company_id_required=False,
            paging_parameters=(),
            page_size=None,
            raw_data=False,
            response_data=True,
            information_fields=frozenset({"message", "type"}),
            error_information_types=frozenset({"error"}),
            notes=(
                "FINISHED means done, not succeeded: the outcome is in information[] and "
                "responseData (inferred). Only one request may run per end user: start the next "
                "only after the previous task finished (documented)."
            ),
        ),
        Integration.DATEV_UNTERNEHMEN_ONLINE: IntegrationProfile(
            integration=Integration.DATEV_UNTERNEHMEN_ONLINE,
            name="DATEV Unternehmen Online",
            outcomes=MappingProxyType(
                {
                    TaskStatus.OPEN: TaskOutcome.PENDING,
                    TaskStatus.IN_PROGRESS: TaskOutcome.PENDING,
                    TaskStatus.SUCCESS: TaskOutcome.SUCCEEDED,
                    TaskStatus.FAILED: TaskOutcome.FAILED,
                    TaskStatus.PARTIAL_SUCCESS: TaskOutcome.PARTIAL,
                    TaskStatus.CANCELLED_SUCCESSFULLY: TaskOutcome.CANCELLED,
                    TaskStatus.CANCEL_FAILED: TaskOutcome.CANCEL_FAILED,
                }
            ),
            company_id_required=True,
            paging_parameters=(),
            page_size=None,
            raw_data=False,
            response_data=False,
            information_fields=_FULL_INFORMATION,
            notes=(
                "The id 'datev-unternehmen-online' is this client's label: Maesn documents none. "
                "OPEN and IN_PROGRESS are still running (inferred); PARTIAL_SUCCESS means some "
                "uploaded items were processed (inferred from DATEV's job states)."
            ),
        ),
        Integration.DATEV_REWE: IntegrationProfile(
            integration=Integration.DATEV_REWE,
            name="DATEV Rechnungswesen (write)",
            outcomes=_DATEV_REWE_WRITE,
            company_id_required=True,
            paging_parameters=(),
            page_size=None,
            raw_data=False,
            response_data=True,
            information_fields=_FULL_INFORMATION,
            notes=_DATEV_REWE_NOTES,
        ),
        Integration.DATEV_REWE_LONGTOKEN: IntegrationProfile(
            integration=Integration.DATEV_REWE_LONGTOKEN,
            name="DATEV Rechnungswesen, long token (write)",
            outcomes=_DATEV_REWE_WRITE,
            company_id_required=True,
            paging_parameters=(),
            page_size=None,
            raw_data=False,
            response_data=True,
            information_fields=_FULL_INFORMATION,
            notes=_DATEV_REWE_NOTES,
        ),
        Integration.DATEV_REWE_EXPORT: IntegrationProfile(
            integration=Integration.DATEV_REWE_EXPORT,
            name="DATEV Rechnungswesen (export)",
            outcomes=MappingProxyType(
                {
                    TaskStatus.IN_PROGRESS: TaskOutcome.PENDING,
                    TaskStatus.FINISHED: TaskOutcome.SUCCEEDED,
                    TaskStatus.FAILED: TaskOutcome.FAILED,
                    TaskStatus.DELETED: TaskOutcome.DELETED,
                }
            ),
            company_id_required=True,
            paging_parameters=("page",),
            page_size=50_000,
            raw_data=False,
            response_data=True,
            information_fields=_FULL_INFORMATION,
            reads_start_tasks=True,
            notes=(
                _DATEV_REWE_NOTES + " Only `page` is accepted; the page size is fixed at 50,000 "
                "entries and cannot be changed (no `limit`). DELETED: the result no longer "
                "exists (inferred)."
            ),
        ),
    }
)


def paged_integrations() -> str:
    """The ids of the integrations whose task results come in pages, for messages."""
    return ", ".join(p.integration.value for p in PROFILES.values() if p.pagination) or "none"
