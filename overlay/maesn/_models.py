"""What the client returns: a task, its information entries, pagination and export pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from ._profiles import Integration, IntegrationProfile, profile_for
from ._redaction import redact_json
from ._status import TaskOutcome, TaskStatus

__all__ = ["Pagination", "Task", "TaskInformation", "TaskPage"]


@dataclass(frozen=True, slots=True)
class TaskInformation:
    """One `information` entry: what the target system said about the task.

    Which fields are filled depends on the integration (`profile.information_fields`); the others
    are None.

    Attributes:
        message: What the target system said (keys redacted).
        type: The entry's kind as the integration names it, e.g. ERROR or INFO.
        filename: The file the entry is about (DATEV Unternehmen Online uploads).
        timestamp: The timestamp exactly as Maesn sent it (`timestamp_at` parses it).
    """

    message: str | None = None
    type: str | None = None
    filename: str | None = None
    timestamp: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """The entry as a JSON-ready dict with Maesn's field names."""
        return {
            "message": self.message,
            "type": self.type,
            "filename": self.filename,
            "timestamp": self.timestamp,
        }

    @property
    def timestamp_at(self) -> datetime | None:
        """`timestamp` parsed (ISO 8601), or None when it is missing or not a date."""
        if not self.timestamp:
            return None
        from dateutil import parser  # noqa: PLC0415 - imported by the few who parse a timestamp

        try:
            return parser.isoparse(self.timestamp)
        except (ValueError, OverflowError):
            return None


@dataclass(frozen=True, slots=True)
class Pagination:
    """`meta.pagination`: where a page sits in a paged result.

    Attributes:
        total: Entries in the whole result.
        per_page: Entries on a full page (the integration's fixed page size).
        current_page: This page's number, counting from 1.
        total_pages: Pages in the whole result.
    """

    total: int
    per_page: int
    current_page: int
    total_pages: int

    def to_dict(self) -> dict[str, int]:
        """`meta.pagination` as Maesn names its fields."""
        return {
            "total": self.total,
            "perPage": self.per_page,
            "currentPage": self.current_page,
            "totalPages": self.total_pages,
        }


@dataclass(frozen=True, eq=False)
class Task:
    """One poll of an asynchronous task, interpreted with its integration's profile.

    Attributes:
        task_id: The id of the task, as passed to the call.
        integration: The integration whose rules interpret `status`: a `maesn.Integration`
            member, the raw id for one the table does not know, or None (generic rules).
        status: A TaskStatus member, or the raw string for a value the spec does not list (keys
            redacted).
        information: `data.information`: what the target system said about the task, in order.
        response_data: `responseData` exactly as sent: object, list, string or None. Not redacted
            and not in the repr (an export page holds 50,000 entries); `to_dict()` redacts it.
        warnings: `meta.warnings`: e.g. fields the target system ignored (keys redacted).
        pagination: `meta.pagination` of a paged result, else None.
        attempts: Requests this answer took, retries included.
    """

    task_id: str
    integration: Integration | str | None
    status: TaskStatus | str
    information: tuple[TaskInformation, ...] = ()
    response_data: Any = field(default=None, repr=False)
    warnings: tuple[str, ...] = ()
    pagination: Pagination | None = None
    attempts: int = 1
    _payload: Any = field(default=None, init=False, repr=False)
    _redact: Callable[[str], str] | None = field(default=None, init=False, repr=False)

    def _with_body(self, payload: dict[str, Any], redact: Callable[[str], str]) -> Task:
        """Attach the decoded body (for `envelope`) and the redactor (for it and `to_dict`)."""
        object.__setattr__(self, "_payload", payload)
        object.__setattr__(self, "_redact", redact)
        return self

    @cached_property
    def envelope(self) -> dict[str, Any] | None:
        """The whole response body as decoded JSON, with the keys redacted (built on first use).

        None for a Task that was not parsed from a response.
        """
        if self._payload is None:
            return None
        if self._redact is None:
            return dict(self._payload)
        redacted: dict[str, Any] = redact_json(self._payload, self._redact)
        return redacted

    def to_dict(self) -> dict[str, Any]:
        """The task as JSON-ready data (`json.dumps` works), keys redacted everywhere.

        Keys: task_id, integration, status, outcome, information, response_data, warnings,
        pagination, attempts. `response_data` is redacted like the other texts.
        """
        outcome = self.outcome
        status = self.status.value if isinstance(self.status, TaskStatus) else self.status
        data = self.response_data
        return {
            "task_id": self.task_id,
            "integration": self.profile.id or None,
            "status": status,
            "outcome": None if outcome is None else outcome.value,
            "information": [info.to_dict() for info in self.information],
            "response_data": data if self._redact is None else redact_json(data, self._redact),
            "warnings": list(self.warnings),
            "pagination": None if self.pagination is None else self.pagination.to_dict(),
            "attempts": self.attempts,
        }

    @property
    def profile(self) -> IntegrationProfile:
        """The rules of this task's integration (generic for an unknown id or none)."""
        return profile_for(self.integration)

    @cached_property
    def outcome(self) -> TaskOutcome | None:
        """What the status means for this integration; None when the profile cannot read it.

        A value outside the spec's list is None where the integration's statuses are
        documented, and read by the generic rules elsewhere.
        """
        return self.profile.outcome_of(self.status)

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
    """One page of an export's result (the repr shows counts, never the entries).

    Attributes:
        number: The page's number, counting from 1.
        entries: The page's entries, exactly as sent.
        pagination: `meta.pagination` of this page.
        response_data: The page's `responseData` as sent (the list, or the object holding it).
    """

    number: int
    entries: list[Any] = field(repr=False)
    pagination: Pagination
    response_data: Any = field(repr=False)

    def __repr__(self) -> str:
        p = self.pagination
        return (
            f"TaskPage(number={self.number}, entries=<{len(self.entries)} entries>, "
            f"pagination=Pagination(total={p.total}, per_page={p.per_page}, "
            f"current_page={p.current_page}, total_pages={p.total_pages}))"
        )
