"""Declared tasks: their lifecycle, their result, and the envelope one request sees.

What differs per integration comes from its profile: the default lifecycle (its still-running
statuses in table order, then its first success status), the `information` fields, the page size.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from maesn import _clock
from maesn._profiles import Integration, IntegrationProfile, profile_for
from maesn._status import TaskOutcome, TaskStatus

__all__ = ["Advance", "SandboxTask", "default_lifecycle", "encode_json"]

Advance = Literal["poll", "time"]

_INFORMATION_DEFAULTS = {
    "filename": "{task_id}.xml",
    "message": "The task is {status}.",
    "timestamp": "2026-01-31T12:00:00Z",
    "type": "information",
}
"""What a field of a served `information` entry holds when the declaration leaves it out."""


def encode_json(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def default_lifecycle(integration: Integration | str) -> tuple[TaskStatus, ...]:
    """The statuses a task of `integration` goes through unless told otherwise.

    Its still-running statuses in the order of its profile, then its first success status:
    DUO `OPEN → IN_PROGRESS → SUCCESS`, the export `IN_PROGRESS → FINISHED`.
    """
    outcomes = profile_for(integration).outcomes
    pending = [status for status, outcome in outcomes.items() if outcome is TaskOutcome.PENDING]
    success = next(status for status, outcome in outcomes.items() if outcome.is_success)
    return (*pending, success)


def _as_status(value: TaskStatus | str) -> str:
    """A TaskStatus member for a value the spec lists, the raw string otherwise."""
    try:
        return TaskStatus(value)
    except ValueError:
        return str(value)


def _check_entries(
    profile: IntegrationProfile, entries: int | None, entries_key: str | None, response_data: Any
) -> None:
    if entries is not None:
        if profile.page_size is None:
            raise ValueError(
                f"entries={entries} needs an integration with paged results; "
                f"{profile.id} has none: declare response_data instead"
            )
        if entries < 0:
            raise ValueError(f"entries must be 0 or more, got {entries}")
        if response_data is not None:
            raise ValueError("declare either entries (a paged export) or response_data, not both")
    if entries_key is not None and entries is None:
        raise ValueError("entries_key shapes the pages of an export: declare entries too")


@dataclass(kw_only=True)
class SandboxTask:
    """One declared task and how far its lifecycle has come."""

    task_id: str
    profile: IntegrationProfile
    lifecycle: tuple[str, ...]
    response_data: Any
    entries: int | None
    entries_key: str | None
    information: tuple[Mapping[str, str], ...] | None
    warnings: tuple[str, ...]
    company_id: str | None
    seed: int
    advance: Advance
    seconds_per_step: float
    created: float
    polls: int = 0

    @classmethod
    def declare(
        cls,
        integration: Integration | str,
        *,
        task_id: str,
        lifecycle: Sequence[TaskStatus | str] | None,
        response_data: Any,
        entries: int | None,
        entries_key: str | None = None,
        information: Sequence[Mapping[str, str]] | None,
        warnings: Sequence[str],
        company_id: str | None,
        seed: int,
        advance: Advance,
        seconds_per_step: float,
    ) -> SandboxTask:
        """Check a declaration against the integration's profile and build the task."""
        profile = profile_for(integration)
        statuses = tuple(
            _as_status(s)
            for s in (default_lifecycle(integration) if lifecycle is None else lifecycle)
        )
        if not statuses:
            raise ValueError("lifecycle must list at least one status (the last one repeats)")
        _check_entries(profile, entries, entries_key, response_data)
        for entry in information or ():
            extra = set(entry) - profile.information_fields
            if extra:
                raise ValueError(
                    f"{profile.id} fills only the information fields "
                    f"{sorted(profile.information_fields)}; remove {sorted(extra)}"
                )
        if advance not in {"poll", "time"}:
            raise ValueError(f"advance must be 'poll' or 'time', got {advance!r}")
        if seconds_per_step <= 0:
            raise ValueError(f"seconds_per_step must be positive, got {seconds_per_step!r}")
        return cls(
            task_id=task_id,
            profile=profile,
            lifecycle=statuses,
            response_data=response_data,
            entries=entries,
            entries_key=entries_key,
            information=None if information is None else tuple(information),
            warnings=tuple(warnings),
            company_id=company_id,
            seed=seed,
            advance=advance,
            seconds_per_step=seconds_per_step,
            created=_clock.current().monotonic(),
        )

    def outcome_of(self, status: str) -> TaskOutcome | None:
        """What `status` means for this task's integration (None: it does not report it)."""
        return self.profile.outcome_of(status)

    def current_status(self) -> str:
        """The status a request would see now."""
        if self.advance == "time":
            step = int((_clock.current().monotonic() - self.created) // self.seconds_per_step)
        else:
            step = self.polls
        return self.lifecycle[min(step, len(self.lifecycle) - 1)]

    def observe(self, *, paging: bool) -> str:
        """The status one served request sees; a status poll moves the lifecycle one step on.

        A request for a page of a task that is done does not: paging reads a finished result.
        """
        status = self.current_status()
        outcome = self.outcome_of(status)
        if not (paging and outcome is not None and outcome.is_done):
            self.polls += 1
        return status

    def total_pages(self, page_size: int) -> int:
        """How many pages the export has (0 for an empty export)."""
        return math.ceil((self.entries or 0) / page_size)

    def information_for(self, status: str) -> list[dict[str, str | None]]:
        """The `information` entries served with `status`.

        Each holds the four fields of Maesn's published spec: the integration's fields filled,
        the others null.
        """
        declared = self.information if self.information is not None else ({},)
        values = {"task_id": self.task_id, "status": status}
        filled = self.profile.information_fields
        return [
            {
                name: entry.get(name, _INFORMATION_DEFAULTS[name].format(**values))
                if name in filled
                else None
                for name in sorted(_INFORMATION_DEFAULTS)
            }
            for entry in declared
        ]
