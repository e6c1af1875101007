"""Watching a wait: its status, elapsed time, polls and retries, for the live status line.

The status comes from `wait_for_task(on_update=...)`, the poll count from `on_poll`, time from
the client's clock (`maesn._clock`, so a fake clock moves it too). Retries are counted from the
DEBUG line the client logs on the `maesn` logger for each request attempt (method, path, status,
attempt, elapsed): an attempt above 1 is a retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from maesn import _clock
from maesn._models import Task

from ._render import Display, StatusView, status_text

__all__ = ["WaitWatch"]

_ATTEMPT_ARGS = 4
"""The client's attempt line: (path, status or error name, attempt, elapsed ms)."""


class _AttemptLog(logging.Handler):
    """Calls `on_attempt(attempt)` for each request attempt the client logs."""

    def __init__(self, on_attempt: Callable[[int], None]) -> None:
        super().__init__(logging.DEBUG)
        self._on_attempt = on_attempt

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if (
            isinstance(record.msg, str)
            and record.msg.startswith("GET ")
            and isinstance(args, tuple)
            and len(args) == _ATTEMPT_ARGS
            and isinstance(args[2], int)
        ):
            self._on_attempt(args[2])


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class WaitWatch:
    """Status, elapsed time, polls and retries of one wait; `on_update` goes to wait_for_task."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        self.status = "waiting for the first answer"
        self.polls = 0
        self.retries = 0
        self._clock = _clock.current()
        self._started = self._clock.monotonic()
        self._view: StatusView | None = None

    @property
    def elapsed(self) -> float:
        """Seconds since the wait began."""
        return self._clock.monotonic() - self._started

    def text(self) -> str:
        """The live line: `task ID  STATUS  1.2s  3 polls`."""
        retries = f", {_plural(self.retries, 'retry')}" if self.retries else ""
        return (
            f"task {self.task_id}  {self.status}  {self.elapsed:.1f}s  "
            f"{_plural(self.polls, 'poll')}{retries}"
        )

    def summary(self) -> str:
        """The closing line of a wait."""
        retries = f" and {_plural(self.retries, 'retry')}" if self.retries else ""
        return (
            f"task {self.task_id} is {self.status} after {_plural(self.polls, 'poll')}{retries} "
            f"in {self.elapsed:.1f}s"
        )

    def on_update(self, task: Task) -> None:
        """wait_for_task's callback: the status changed."""
        self.status = status_text(task.status)
        if self._view is not None:
            self._view.update(changed=True)

    def on_poll(self, task: Task) -> None:
        """wait_for_task's callback: one more poll answered."""
        del task
        self.polls += 1
        if self._view is not None:
            self._view.update(changed=False)

    def _on_attempt(self, attempt: int) -> None:
        if attempt == 1:
            return
        self.retries += 1
        if self._view is not None:
            self._view.update(changed=True)

    @contextmanager
    def shown(self, display: Display) -> Iterator[None]:
        """Show the live line on `display` while the block runs."""
        logger = logging.getLogger("maesn")
        counter = _AttemptLog(self._on_attempt)
        level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(counter)
        try:
            with display.status(self.text) as view:
                self._view = view
                yield
        finally:
            self._view = None
            logger.removeHandler(counter)
            logger.setLevel(level)
