"""The one place the client reads time and sleeps, so tests can replace both.

Retries, polling and deadlines call `current()`; `maesn.testing` installs a fake clock that
records sleeps and advances virtual time instead of waiting.
"""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["Clock", "SystemClock", "current", "install"]


class Clock(Protocol):
    """Monotonic time and sleeping, sync and async."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; never goes backwards."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for `seconds`."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Suspend the calling task for `seconds` (cancellable)."""
        ...


class SystemClock:
    """Real time: time.monotonic, time.sleep and asyncio.sleep."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Block for `seconds`."""
        time.sleep(max(0.0, seconds))

    async def asleep(self, seconds: float) -> None:
        """Suspend for `seconds`."""
        import asyncio  # noqa: PLC0415 - loaded already wherever this is awaited

        await asyncio.sleep(max(0.0, seconds))


_SYSTEM = SystemClock()
_current: Clock = _SYSTEM


def current() -> Clock:
    """The clock in use now."""
    return _current


def install(clock: Clock | None) -> Clock:
    """Use `clock` from now on (None restores real time); returns the clock it replaced."""
    global _current  # noqa: PLW0603 - one process-wide switch, like stamina.set_testing
    previous = _current
    _current = clock if clock is not None else _SYSTEM
    return previous
