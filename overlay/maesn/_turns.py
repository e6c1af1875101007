"""One request at a time per key, across every client of the process: threads and event loops.

Some target systems take one request per connection at a time (an integration profile says
`single_request`); their requests carry a key (`Send.exclusive_key`, a hash of the account key),
and the drivers send each inside `turn(key, deadline)` (sync) or `aturn(key, deadline)` (async).
Requests with the same key are sent one after the other, first come first served, whichever
client, thread or event loop sends them; requests with different keys (or none) do not wait.

A request waits for its turn within its attempt's deadline: past it, `QueueTimeout` (a
`httpx.PoolTimeout`: nothing was sent, so the send flow may retry it like any pool timeout).
A waiter that times out, is cancelled or interrupted leaves the queue; one that was handed the
turn at that very moment hands it on, so the section is never left held.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx

__all__ = ["QueueTimeout", "aturn", "turn"]


class QueueTimeout(httpx.PoolTimeout):
    """The attempt's deadline passed while the request waited to be sent; nothing was sent."""


def _expired() -> QueueTimeout:
    return QueueTimeout(
        "the request's total timeout ran out while it waited for its turn: nothing was sent"
    )


@dataclass(eq=False)
class _Waiter:
    wake: Callable[[], object]
    granted: bool = False


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Turns:
    """The queue of one key: who sends now, who waits (FIFO)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = False
        self._queue: deque[_Waiter] = deque()

    def _enter_or_queue(self, waiter: _Waiter) -> bool:
        """Take the turn at once (True), or queue `waiter` (False)."""
        with self._lock:
            if not self._busy:
                self._busy = True
                return True
            self._queue.append(waiter)
            return False

    def _pass_on(self) -> None:
        """Hand the turn to the next waiter that can still take it, else free it (lock held)."""
        while self._queue:
            waiter = self._queue.popleft()
            waiter.granted = True
            try:
                waiter.wake()
            except RuntimeError:  # its event loop is closed: nobody waits there any more
                waiter.granted = False
                continue
            return
        self._busy = False

    def release(self) -> None:
        """End the current turn."""
        with self._lock:
            self._pass_on()

    def settle(self, waiter: _Waiter) -> bool:
        """After a wait ended: True if `waiter` holds the turn, else it leaves the queue."""
        with self._lock:
            if not waiter.granted:
                self._queue.remove(waiter)
            return waiter.granted

    def abandon(self, waiter: _Waiter) -> None:
        """A waiter gives up (interrupted, cancelled): out of the queue, or the turn handed on."""
        with self._lock:
            if waiter.granted:
                self._pass_on()
            else:
                self._queue.remove(waiter)

    def acquire(self, deadline: float | None) -> bool:
        """Wait for the turn until `deadline` (time.monotonic), blocking the thread."""
        event = threading.Event()
        waiter = _Waiter(event.set)
        if self._enter_or_queue(waiter):
            return True
        try:
            event.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        except BaseException:
            self.abandon(waiter)
            raise
        return self.settle(waiter)

    async def aacquire(self, deadline: float | None) -> bool:
        """Wait for the turn until `deadline` (time.monotonic), in the running event loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        waiter = _Waiter(lambda: loop.call_soon_threadsafe(_resolve, future))
        if self._enter_or_queue(waiter):
            return True
        try:
            async with asyncio.timeout(None if deadline is None else deadline - time.monotonic()):
                await future
        except TimeoutError:
            return self.settle(waiter)
        except BaseException:
            self.abandon(waiter)
            raise
        return True


_REGISTRY: weakref.WeakValueDictionary[str, _Turns] = weakref.WeakValueDictionary()
_REGISTRY_LOCK = threading.Lock()


def _turns_of(key: str) -> _Turns:
    """The key's queue (alive while someone holds or waits for it)."""
    with _REGISTRY_LOCK:
        turns = _REGISTRY.get(key)
        if turns is None:
            turns = _REGISTRY[key] = _Turns()
        return turns


@contextlib.contextmanager
def turn(key: str | None, deadline: float | None) -> Iterator[None]:
    """Hold `key`'s turn for the block (no key: no waiting). Raises QueueTimeout past `deadline`."""
    if key is None:
        yield
        return
    turns = _turns_of(key)
    if not turns.acquire(deadline):
        raise _expired()
    try:
        yield
    finally:
        turns.release()


@contextlib.asynccontextmanager
async def aturn(key: str | None, deadline: float | None) -> AsyncIterator[None]:
    """`turn` for a coroutine: waits without blocking its event loop; cancellation leaks nothing."""
    if key is None:
        yield
        return
    turns = _turns_of(key)
    if not await turns.aacquire(deadline):
        raise _expired()
    try:
        yield
    finally:
        turns.release()
