"""Waiting for a task: options, poll intervals, and the errors a wait ends in."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ._exceptions import (
    TaskCancelledError,
    TaskDeletedError,
    TaskFailedError,
    TaskPartiallySucceededError,
    TaskTimeoutError,
    UnexpectedTaskStatusError,
    ValidationError,
)
from ._models import Task
from ._status import TaskOutcome, TaskStatus
from ._validation import check_company_id, check_seconds

__all__ = [
    "POLL_BACKOFF",
    "WaitOptions",
    "failure_error",
    "jittered",
    "not_understood",
    "timeout_error",
]

POLL_BACKOFF = 1.5
"""Each pending poll waits this much longer than the last, up to max_interval."""
POLL_JITTER = 0.2
"""A poll's wait is shortened by up to this fraction, so many waiters do not poll in step."""

_FAILURES: Mapping[TaskOutcome, type[TaskFailedError]] = {
    TaskOutcome.FAILED: TaskFailedError,
    TaskOutcome.PARTIAL: TaskPartiallySucceededError,
    TaskOutcome.CANCELLED: TaskCancelledError,
    TaskOutcome.CANCEL_FAILED: TaskCancelledError,
    TaskOutcome.DELETED: TaskDeletedError,
}


@dataclass(frozen=True, kw_only=True)
class WaitOptions:
    """The arguments of one wait, checked."""

    timeout: float
    poll_interval: float
    max_interval: float
    company_id: str | None
    on_update: Callable[[Task], object] | None
    on_poll: Callable[[Task], object] | None
    raise_on_failure: bool

    @classmethod
    def create(
        cls,
        *,
        timeout: object,
        poll_interval: object,
        max_interval: object,
        company_id: object,
        on_update: Callable[[Task], object] | None,
        raise_on_failure: bool,
        on_poll: Callable[[Task], object] | None = None,
    ) -> WaitOptions:
        """Validate a wait's arguments before any request is sent."""
        first = check_seconds("poll_interval", poll_interval)
        cap = check_seconds("max_interval", max_interval)
        if cap < first:
            raise ValidationError(
                f"max_interval ({cap}) must not be shorter than poll_interval ({first})"
            )
        for name, callback in (("on_update", on_update), ("on_poll", on_poll)):
            if callback is not None and not callable(callback):
                raise ValidationError(f"{name} must be callable, got {callback!r}")
        return cls(
            timeout=check_seconds("timeout", timeout),
            poll_interval=first,
            max_interval=cap,
            company_id=check_company_id(company_id),
            on_update=on_update,
            on_poll=on_poll,
            raise_on_failure=bool(raise_on_failure),
        )


def jittered(interval: float, rng: random.Random) -> float:
    """`interval` shortened by a random fraction of up to POLL_JITTER."""
    return interval * (1.0 - POLL_JITTER * rng.random())


def _quoted_messages(task: Task) -> str:
    messages = task.messages
    if not messages:
        return "no information messages"
    return "; ".join(repr(m) for m in messages[:5]) + (
        f" (+{len(messages) - 5} more)" if len(messages) > 5 else ""  # noqa: PLR2004
    )


def _status_text(task: Task) -> str:
    return task.status.value if isinstance(task.status, TaskStatus) else repr(task.status)


def failure_error(task: Task) -> TaskFailedError:
    """The error for a task that ended without success, quoting its information messages."""
    outcome = task.outcome
    cls = _FAILURES.get(outcome, TaskFailedError) if outcome is not None else TaskFailedError
    return cls(
        f"task {task.task_id!r} ended {_status_text(task)} ({task.profile.name}): "
        f"{_quoted_messages(task)}. The task is on the exception's .task; pass "
        "raise_on_failure=False to get it returned instead",
        task=task,
    )


def not_understood(task: Task) -> UnexpectedTaskStatusError:
    """The error for a status that is neither pending nor terminal for the profile."""
    return UnexpectedTaskStatusError(
        f"task {task.task_id!r} reports {_status_text(task)}, which {task.profile.name} "
        f"({task.integration.value!r}) does not define as running or finished: stopped waiting "
        "at once rather than polling a status the client cannot interpret. Check integration=..., "
        "or upgrade maesn-client if Maesn added this status",
        task=task,
    )


def timeout_error(task: Task, elapsed: float, polls: int, options: WaitOptions) -> TaskTimeoutError:
    """The error for a deadline that passed while the task was pending."""
    return TaskTimeoutError(
        f"task {task.task_id!r} is still {_status_text(task)} after {elapsed:.1f}s and {polls} "
        f"polls (timeout={options.timeout:g}): wait longer with a larger timeout, or check "
        "again later with get_task",
        task=task,
        elapsed=elapsed,
    )
