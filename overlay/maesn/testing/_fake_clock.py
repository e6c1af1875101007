"""Virtual time for tests: the client's polling and retry sleeps return at once, and are recorded."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

from maesn import _clock

__all__ = ["FakeClock", "fake_clock"]


class FakeClock:
    """A `maesn._clock.Clock` whose time moves only when something sleeps or calls `advance`.

    `sleep` and `asleep` record each requested duration in `sleeps` and move virtual time on
    without waiting; `asleep` still yields to the event loop once, so it stays a cancellation
    point. Safe to share between threads (the sandbox's handler threads read it).
    """

    def __init__(self, start: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._now = start
        self._slept = 0.0
        self.sleeps: list[float] = []
        """Every duration passed to `sleep` or `asleep`, in order."""

    def __repr__(self) -> str:
        return f"<FakeClock now={self._now:g} sleeps={len(self.sleeps)}>"

    def monotonic(self) -> float:
        """Virtual seconds."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move virtual time on by `seconds` without recording a sleep."""
        if seconds < 0:
            raise ValueError(f"time only moves forward; got {seconds!r} seconds")
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        """Record `seconds` and move virtual time on by it, at once."""
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(0.0, seconds)
            self._slept += max(0.0, seconds)

    async def asleep(self, seconds: float) -> None:
        """Yield to the event loop once (a cancellation point), then sleep like `sleep`."""
        await asyncio.sleep(0)
        self.sleep(seconds)

    @property
    def slept(self) -> float:
        """The virtual time every recorded sleep moved the clock on by.

        Added up in the order slept, as the clock adds them, so it equals the time the sleeps moved
        `monotonic()`: `sum()` rounds differently from Python 3.12 on (compensated summation) and
        can lie an ulp past a deadline the clock itself never passed.
        """
        with self._lock:
            return self._slept


@contextlib.contextmanager
def fake_clock(start: float = 0.0) -> Iterator[FakeClock]:
    """Install a `FakeClock` for the client's sleeps and deadlines; restore the previous clock."""
    clock = FakeClock(start)
    previous = _clock.install(clock)
    try:
        yield clock
    finally:
        _clock.install(previous)
