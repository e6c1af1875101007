"""Waiting for tasks: the wait flow, its options, poll intervals, and the errors a wait ends in.

`wait_flow` polls one task; `wait_many_flow` polls many, round-robin by when each is due, over
one connection. Both are pure (see `_flow.py`): they take a `fetch` sub-flow for one poll, the
clock and the random source, and yield Send/Sleep/Emit; `BaseClient` wires them, the drivers run
them.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, Unpack

from ._errors import failure_error, not_understood, timeout_error
from ._exceptions import (
    APITimeoutError,
    MaesnError,
    ValidationError,
)
from ._flow import Emit, Flow, Sleep
from ._models import Task
from ._validation import check_company_id, check_seconds, did_you_mean

if TYPE_CHECKING:
    from ._clock import Clock

__all__ = [
    "POLL_BACKOFF",
    "BatchWaitKeywords",
    "Fetch",
    "WaitKeywords",
    "WaitOptions",
    "jittered",
    "wait_flow",
    "wait_many_flow",
]

POLL_BACKOFF = 1.5
"""Each pending poll waits this much longer than the last, up to max_interval."""
POLL_JITTER = 0.2
"""A poll's wait is shortened by up to this fraction, so many waiters do not poll in step."""

Fetch = Callable[[float | None], Flow[tuple[Task, float | None]]]
"""One poll as a sub-flow: given the wait's deadline (monotonic), the task and its Retry-After."""


class BatchWaitKeywords(TypedDict, total=False):
    """The keywords of every wait, one task or many (declared once; defaults in brackets).

    Attributes:
        max_wait: Seconds to wait in all before TaskTimeoutError [600].
        poll_interval: Seconds before the second poll; each pending poll waits 1.5x longer [1].
        max_interval: The longest wait between two polls [30].
        company_id: The companyId of the polls (default: the handle's, else the client's).
        fail_on_error_information: Treat a successful status with an error-typed `information`
            entry as failed (AbaConnect's FINISHED with an ERROR entry) [False].
    """

    max_wait: float
    poll_interval: float
    max_interval: float
    company_id: str | None
    fail_on_error_information: bool


class WaitKeywords(BatchWaitKeywords, total=False):
    """The keywords of a wait for one task: those of every wait, and the callbacks.

    Attributes:
        on_update: Called with the task whenever its status changes.
        on_poll: Called with the task after every poll.
        raise_on_failure: Raise a TaskFailedError subclass for a task that ends without
            success; False returns it [True].
    """

    on_update: Callable[[Task], object] | None
    on_poll: Callable[[Task], object] | None
    raise_on_failure: bool


@dataclass(frozen=True, kw_only=True)
class WaitOptions:
    """The arguments of one wait, checked."""

    max_wait: float
    poll_interval: float
    max_interval: float
    company_id: str | None
    on_update: Callable[[Task], object] | None = None
    on_poll: Callable[[Task], object] | None = None
    raise_on_failure: bool = True
    fail_on_error_information: bool = False

    @classmethod
    def create(cls, **keywords: Unpack[WaitKeywords]) -> WaitOptions:
        """Validate a wait's arguments (defaults for those not given) before any request."""
        unknown = sorted(set(keywords) - set(WaitKeywords.__annotations__))
        if unknown:
            name = unknown[0]
            hint = (
                "the wait's overall deadline is max_wait; timeout is the client's per-request "
                "setting (client.with_options(timeout=...))"
                if name == "timeout"
                else did_you_mean(name, sorted(WaitKeywords.__annotations__))
            )
            raise ValidationError(
                f"unknown wait keyword {name!r}{f' ({hint})' if hint else ''}: the keywords are "
                f"{', '.join(sorted(WaitKeywords.__annotations__))}",
                argument=name,
                hint=hint,
            )
        max_wait: object = keywords.get("max_wait", 600.0)
        first = check_seconds("poll_interval", keywords.get("poll_interval", 1.0))
        cap = check_seconds("max_interval", keywords.get("max_interval", 30.0))
        on_update = keywords.get("on_update")
        on_poll = keywords.get("on_poll")
        if cap < first:
            raise ValidationError(
                f"max_interval ({cap}) must not be shorter than poll_interval ({first})",
                argument="max_interval",
            )
        for name, callback in (("on_update", on_update), ("on_poll", on_poll)):
            if callback is not None and not callable(callback):
                raise ValidationError(f"{name} must be callable, got {callback!r}", argument=name)
        return cls(
            max_wait=check_seconds("max_wait", max_wait),
            poll_interval=first,
            max_interval=cap,
            company_id=check_company_id(keywords.get("company_id")),
            on_update=on_update,
            on_poll=on_poll,
            raise_on_failure=bool(keywords.get("raise_on_failure", True)),
            fail_on_error_information=bool(keywords.get("fail_on_error_information", False)),
        )


def jittered(interval: float, rng: random.Random) -> float:
    """`interval` shortened by a random fraction of up to POLL_JITTER."""
    return interval * (1.0 - POLL_JITTER * rng.random())


def wait_flow(
    fetch: Fetch,
    options: WaitOptions,
    *,
    clock: Clock,
    rng: random.Random,
    started: float | None = None,
) -> Flow[Task]:
    """Poll with `fetch` until the profile says the task is done, within `options.max_wait`.

    The deadline counts from `started` (a monotonic time; default: now). A failing poll raises its
    APIError; its retries never sleep past the deadline, and a poll cut short by the deadline ends
    the wait as a TaskTimeoutError carrying the last task seen.
    """
    began = clock.monotonic() if started is None else started
    deadline = began + options.max_wait
    interval = options.poll_interval
    polls = 0
    previous: Task | None = None
    while True:
        try:
            task, retry_after = yield from fetch(deadline)
        except APITimeoutError as exc:
            if previous is None or clock.monotonic() < deadline:
                raise
            raise timeout_error(
                previous, clock.monotonic() - began, polls, options.max_wait
            ) from exc
        polls += 1
        if options.on_poll is not None:
            options.on_poll(task)
        if options.on_update is not None and (previous is None or task.status != previous.status):
            options.on_update(task)
        previous = task
        if task.outcome is None:
            raise not_understood(task)
        if task.outcome.is_done:
            failed = not task.outcome.is_success or (
                options.fail_on_error_information
                and task.profile.error_information(task.information)
            )
            if not failed or not options.raise_on_failure:
                return task
            raise failure_error(task)
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            raise timeout_error(task, clock.monotonic() - began, polls, options.max_wait)
        # Retry-After can only lengthen a wait: a 0 or a past date must not make it spin.
        wanted = max(retry_after or 0.0, jittered(interval, rng))
        yield Sleep(min(wanted, remaining))
        interval = min(options.max_interval, interval * POLL_BACKOFF)


@dataclass(eq=False)
class _Waiter:
    task_id: str
    flow: Flow[Task]


def _until_sleep(flow: Flow[Task]) -> Flow[float | Task]:
    """Forward `flow`'s requests until it asks to sleep (return the seconds) or ends (the task)."""
    result: object = None
    while True:
        try:
            action = flow.send(result)
        except StopIteration as stop:
            task: Task = stop.value
            return task
        if isinstance(action, Sleep):
            return action.seconds
        result = yield action


def wait_many_flow(
    task_ids: Iterable[str],
    fetch_for: Callable[[str], Fetch],
    options: WaitOptions,
    *,
    clock: Clock,
    rng: random.Random,
    concurrency: int,
    return_exceptions: bool,
) -> Flow[None]:
    """Wait for many tasks over one connection, emitting each as it finishes.

    Up to `concurrency` waits are in rotation at a time; the one due soonest polls next (a wait's
    Sleep, between polls or before a retry, only sets when it is due again). Each task's
    `max_wait` counts from the start of this flow. Emits the Task, or with `return_exceptions`
    the pair `(task_id, Task | MaesnError)`; without it the first error ends the flow (the other
    waits are closed, nothing more is sent).
    """
    started = clock.monotonic()
    waiting = iter(task_ids)
    order = itertools.count()
    due: list[tuple[float, int, _Waiter]] = []
    polling: _Waiter | None = None

    def admit(free: int) -> None:
        for task_id in itertools.islice(waiting, free):
            flow = wait_flow(fetch_for(task_id), options, clock=clock, rng=rng, started=started)
            heapq.heappush(due, (started, next(order), _Waiter(task_id, flow)))

    try:
        admit(concurrency)
        while due:
            when, _, polling = heapq.heappop(due)
            if (pause := when - clock.monotonic()) > 0:
                yield Sleep(pause)
            step: float | Task | MaesnError
            try:
                step = yield from _until_sleep(polling.flow)
            except MaesnError as exc:
                if not return_exceptions:
                    raise
                step = exc
            if isinstance(step, int | float):
                heapq.heappush(due, (clock.monotonic() + step, next(order), polling))
                continue
            admit(1)
            yield Emit((polling.task_id, step) if return_exceptions else step)
    finally:
        for left in [polling, *(entry[2] for entry in due)]:
            if left is not None:
                left.flow.close()
