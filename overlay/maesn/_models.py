"""What the client returns: a task, its information entries, pagination and export pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from dateutil import parser as date_parser

from ._profiles import Integration, IntegrationProfile
from ._status import TaskOutcome, TaskStatus

if TYPE_CHECKING:  # importing maesn_api.models imports every generated model: see _response.py
    from maesn_api.models import AsyncTaskEnvelope

__all__ = ["Pagination", "Task", "TaskInformation", "TaskPage"]


@dataclass(frozen=True, slots=True)
class TaskInformation:
    """One `information` entry: what the target system said about the task.

    Which fields are filled depends on the integration (`profile.information_fields`); the others
    are None.
    """

    message: str | None = None
    type: str | None = None
    filename: str | None = None
    timestamp: str | None = None
    """The timestamp exactly as Maesn sent it."""

    @property
    def timestamp_at(self) -> datetime | None:
        """`timestamp` parsed (ISO 8601), or None when it is missing or not a date."""
        if not self.timestamp:
            return None
        try:
            return date_parser.isoparse(self.timestamp)
        except (ValueError, OverflowError):
            return None


@dataclass(frozen=True, slots=True)
class Pagination:
    """`meta.pagination`: where a page sits in a paged result."""

    total: int
    """Entries in the whole result."""
    per_page: int
    current_page: int
    total_pages: int


@dataclass(frozen=True, eq=False)
class Task:
    """One poll of an asynchronous task, interpreted with its integration's profile."""

    task_id: str
    integration: Integration
    status: TaskStatus | str
    """A TaskStatus member, or the raw string for a value the spec does not list."""
    information: tuple[TaskInformation, ...] = ()
    response_data: Any = field(default=None, repr=False)
    """`responseData` exactly as sent: object, list, string or None (not in the repr: an export
    page holds 50,000 entries)."""
    warnings: tuple[str, ...] = ()
    """`meta.warnings`: e.g. fields the target system ignored."""
    pagination: Pagination | None = None
    envelope: AsyncTaskEnvelope | None = field(default=None, repr=False)
    """The generated low-level model of the whole response, exactly as parsed (not redacted)."""
    attempts: int = 1
    """Requests this answer took, retries included."""

    @property
    def profile(self) -> IntegrationProfile:
        """The rules of this task's integration."""
        return self.integration.profile

    @cached_property
    def outcome(self) -> TaskOutcome | None:
        """What the status means for this integration; None when the profile does not list it."""
        if isinstance(self.status, TaskStatus):
            return self.profile.outcome_of(self.status)
        return None

    @property
    def is_pending(self) -> bool:
        """Still running: poll again."""
        return self.outcome is TaskOutcome.PENDING

    @property
    def is_done(self) -> bool:
        """Finished, whatever the result (see `succeeded` and `outcome`)."""
        return self.outcome is not None and self.outcome.is_done

    @property
    def succeeded(self) -> bool:
        """Finished and the integration reports success.

        AbaConnect's FINISHED only says the task is done (outcome COMPLETED): its result is in
        `information`, so `succeeded` is False there and `is_done` is True.
        """
        return self.outcome is TaskOutcome.SUCCEEDED

    @property
    def messages(self) -> list[str]:
        """The non-empty `information` messages, in order."""
        return [info.message for info in self.information if info.message]


@dataclass(frozen=True, slots=True)
class TaskPage:
    """One page of an export's result."""

    number: int
    entries: list[Any]
    pagination: Pagination
    response_data: Any
    """The page's `responseData` as sent (the list, or the object holding it)."""
