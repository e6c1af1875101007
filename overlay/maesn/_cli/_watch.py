"""Watching a wait: its status, elapsed time, polls and retries, for the live status line.

The status comes from `wait_for_task(on_update=...)`, polls and retries from `on_poll` (each
answered poll, with `Task.attempts` requests behind it), time from the client's clock
(`maesn._clock`, so a fake clock moves it too).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from maesn import _clock
from maesn._models import Task

from ._render import Display, StatusView, status_text, visible

__all__ = ["WaitWatch"]


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
        return visible(
            f"task {self.task_id}  {self.status}  {self.elapsed:.1f}s  "
            f"{_plural(self.polls, 'poll')}{retries}"
        )

    def summary(self) -> str:
        """The closing line of a wait."""
        retries = f" and {_plural(self.retries, 'retry')}" if self.retries else ""
        return visible(
            f"task {self.task_id} is {self.status} after {_plural(self.polls, 'poll')}{retries} "
            f"in {self.elapsed:.1f}s"
        )

    def interrupted(self) -> str:
        """Where the task stood when the wait was interrupted."""
        if not self.polls:
            return visible(f"task {self.task_id} had not answered after {self.elapsed:.1f}s")
        return visible(
            f"task {self.task_id} was {self.status} after {_plural(self.polls, 'poll')} in "
            f"{self.elapsed:.1f}s"
        )

    def on_update(self, task: Task) -> None:
        """wait_for_task's callback: the status changed."""
        self.status = status_text(task.status)
        if self._view is not None:
            self._view.update(changed=True)

    def on_poll(self, task: Task) -> None:
        """wait_for_task's callback: one more poll answered, after `task.attempts` requests."""
        self.polls += 1
        self.retries += task.attempts - 1
        if self._view is not None:
            self._view.update(changed=task.attempts > 1)

    @contextmanager
    def shown(self, display: Display) -> Iterator[None]:
        """Show the live line on `display` while the block runs."""
        try:
            with display.status(self.text) as view:
                self._view = view
                yield
        finally:
            self._view = None
