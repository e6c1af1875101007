"""One request at a time per key (`exclusive_key`), across clients, threads and event loops.

A loopback server counts the requests it is handling at once and holds each one a moment, so
requests that overlap show as a count of 2; the clients send through the drivers
(`_flow.run`/`arun`) as every public call does, with `send_flow(..., exclusive_key=...)`.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import maesn
import pytest
from hostile_server import Conn, HostileServer, http_response, task_body
from maesn import _turns
from maesn._flow import Connection, arun, run
from maesn._retry import RetryPolicy
from maesn._sending import send_flow
from maesn.testing import FakeClock

HOLD = 0.2
"""Seconds the server holds each request before answering: the window an overlap shows in."""


class Overlaps:
    """A server script: holds each request HOLD seconds (or until released), counting overlap."""

    def __init__(self, *, hold: float = HOLD) -> None:
        self.hold = hold
        self.release = threading.Event()
        self.arrived = threading.Event()
        """Set when the first request arrives."""
        self.active = 0
        self.most = 0
        self.paths: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, conn: Conn) -> None:
        """Answer each request on the connection after holding it."""
        while (request := conn.read_request()) is not None:
            with self._lock:
                self.active += 1
                self.most = max(self.most, self.active)
                self.paths.append(request.split(b" ", 2)[1].decode())
            self.arrived.set()
            self.release.wait(self.hold)
            with self._lock:
                self.active -= 1
            if not conn.send(http_response(200, task_body())):
                return


def _flow(url: str, clock: FakeClock, key: str | None, timeout: float = 5.0) -> Any:
    request = httpx.Request("POST", url)
    return send_flow(
        request,
        policy=RetryPolicy(max_retries=0),
        clock=clock,
        rng=random.Random(0),  # noqa: S311 - jitter
        redact=str,
        timeout=timeout,
        exclusive_key=key,
    )


def _in_threads(*calls: Callable[[], object]) -> list[object]:
    """Run each call in a thread of its own, all at once; their results or exceptions."""
    results: list[object] = [None] * len(calls)

    def target(index: int) -> None:
        try:
            results[index] = calls[index]()
        except Exception as exc:  # noqa: BLE001 - reported to the test as a result
            results[index] = exc

    threads = [threading.Thread(target=target, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _sync_call(url: str, clock: FakeClock, key: str | None, **options: Any) -> Callable[[], Any]:
    def call() -> Any:
        with httpx.Client() as http:
            response, _ = run(_flow(url, clock, key, **options), Connection(http))
            return response.status_code

    return call


def _async_call(url: str, clock: FakeClock, key: str | None, **options: Any) -> Callable[[], Any]:
    """A call in an event loop of its own (asyncio.run in the calling thread)."""

    async def call() -> Any:
        async with httpx.AsyncClient() as http:
            response, _ = await arun(_flow(url, clock, key, **options), Connection(http))
            return response.status_code

    return lambda: asyncio.run(call())


@pytest.mark.parametrize(
    "kinds",
    [("sync", "sync"), ("async", "async"), ("sync", "async")],
    ids=["two-threads", "two-event-loops", "a-thread-and-an-event-loop"],
)
def test_requests_with_one_key_are_sent_one_after_the_other(
    kinds: tuple[str, str], fake_clock: FakeClock
) -> None:
    """Two clients, sent at once with the same key: the server never holds both."""
    script = Overlaps()
    with HostileServer(script) as server:
        url = server.base_url + "/accounting/bookings"
        makers = {"sync": _sync_call, "async": _async_call}
        results = _in_threads(*(makers[kind](url, fake_clock, "key-1") for kind in kinds))
    assert results == [200, 200]
    assert len(script.paths) == 2
    assert script.most == 1


def test_requests_in_one_event_loop_with_one_key_take_turns(fake_clock: FakeClock) -> None:
    """Five concurrent calls of one AsyncClient connection pool with one key: one at a time."""
    script = Overlaps(hold=0.05)
    with HostileServer(script) as server:
        url = server.base_url + "/accounting/bookings"

        async def calls() -> list[object]:
            async with httpx.AsyncClient() as http:
                connection = Connection(http)
                flows = [arun(_flow(url, fake_clock, "key-1"), connection) for _ in range(5)]
                return [response.status_code for response, _ in await asyncio.gather(*flows)]

        assert asyncio.run(calls()) == [200] * 5
    assert script.most == 1


def test_requests_with_different_keys_or_none_are_sent_in_parallel(fake_clock: FakeClock) -> None:
    """Keys "a" and "b", and no key: the server holds them at once."""
    script = Overlaps()
    with HostileServer(script) as server:
        url = server.base_url + "/accounting/bookings"
        results = _in_threads(
            _sync_call(url, fake_clock, "key-a"),
            _async_call(url, fake_clock, "key-b"),
            _sync_call(url, fake_clock, None),
        )
    assert results == [200, 200, 200]
    assert script.most >= 2  # with one key, it would be 1


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_waiter_past_its_deadline_times_out_and_sends_nothing(
    kind: str, fake_clock: FakeClock
) -> None:
    """The turn is held longer than the waiter's timeout: an APITimeoutError, nothing sent.

    The write was not applied (`may_have_been_applied` False: the wait is like a pool wait).
    """
    script = Overlaps(hold=30.0)
    with HostileServer(script) as server:
        url = server.base_url + "/accounting/bookings"
        holder_started = threading.Event()
        waiter = {"sync": _sync_call, "async": _async_call}[kind]

        def holder() -> object:
            holder_started.set()
            return _sync_call(url, fake_clock, "key-1")()

        def waiting() -> object:
            holder_started.wait(5)
            script.arrived.wait(5)  # the holder's request has arrived: it holds the turn
            try:
                return waiter(url, fake_clock, "key-1", timeout=0.3)()
            finally:
                script.release.set()  # the waiter gave up: let the holder finish

        held, waited = _in_threads(holder, waiting)
    assert held == 200
    assert isinstance(waited, maesn.APITimeoutError)
    assert waited.may_have_been_applied is False
    assert len(script.paths) == 1


def test_a_cancelled_waiter_leaves_the_turn_free(fake_clock: FakeClock) -> None:
    """A waiter cancelled while the turn is held: the next request with the key goes through."""
    script = Overlaps(hold=30.0)
    with HostileServer(script) as server:
        url = server.base_url + "/accounting/bookings"

        async def scenario() -> list[int]:
            async with httpx.AsyncClient() as http:
                connection = Connection(http)

                def call() -> Any:
                    return arun(_flow(url, fake_clock, "key-1"), connection)

                holder = asyncio.ensure_future(call())
                await asyncio.to_thread(script.arrived.wait, 5)
                waiter = asyncio.ensure_future(call())
                await _queued("key-1")
                waiter.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await waiter
                script.release.set()
                first, _ = await holder
                after, _ = await call()
                return [first.status_code, after.status_code]

        assert asyncio.run(scenario()) == [200, 200]
    assert len(script.paths) == 2  # the cancelled waiter sent nothing


async def _queued(key: str) -> None:
    """Return once a request waits for `key`'s turn."""
    turns = _turns._turns_of(key)
    while not turns._queue:  # noqa: ASYNC110 - the queue has no event to wait on
        await asyncio.sleep(0)


def test_a_waiter_cancelled_as_it_is_handed_the_turn_hands_it_on() -> None:
    """The turn passed to a waiter whose task is cancelled before it runs is not lost."""

    async def scenario() -> bool:
        turns = _turns._turns_of("key-race")
        assert await turns.aacquire(None)
        waiter = asyncio.ensure_future(turns.aacquire(None))
        await _queued("key-race")
        turns.release()  # hands the turn to the waiter...
        waiter.cancel()  # ...which is cancelled before it runs
        with pytest.raises(asyncio.CancelledError):
            await waiter
        taken = await asyncio.wait_for(turns.aacquire(None), 1.0)
        turns.release()
        return taken

    assert asyncio.run(scenario())


class Interrupted(Exception):  # noqa: N818 - stands for KeyboardInterrupt
    """Raised in a waiting thread, as Ctrl-C would."""


def test_a_sync_waiter_interrupted_while_waiting_leaves_the_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An exception in the waiting thread (KeyboardInterrupt, say) leaves the turn free."""
    turns = _turns._turns_of("key-interrupt")
    assert turns.acquire(None)

    def interrupted_wait(*_: object) -> bool:
        raise Interrupted

    with monkeypatch.context() as patched:
        patched.setattr(threading.Event, "wait", interrupted_wait)
        with pytest.raises(Interrupted):
            turns.acquire(None)
    turns.release()
    assert turns.acquire(time.monotonic())  # free at once: the waiter left the queue
    turns.release()
