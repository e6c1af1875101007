"""Hostile servers and input: every request bounded in time and size, every failure typed.

Each test runs against `hostile_server` (raw sockets) and would fail without its fix: an
OverflowError or httpx RuntimeError escaping, a drip-fed answer taking as long as the server
likes, a body growing without bound.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import random
import socket
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import httpx
import maesn
import pytest
from helpers import KEYS, envelope, sandbox_keys
from hostile_server import (
    HostileServer,
    chunked_forever,
    drip,
    gzip_bomb,
    http_response,
    reply,
    task_body,
)
from maesn._config import DEFAULT_MAX_RESPONSE_BYTES
from maesn._decoding import MIN_DECODED_BUDGET, decoded_budget, decoded_cost
from maesn._flow import Connection, install_deadline_backend, run
from maesn._retry import RetryPolicy
from maesn._sending import send_flow
from maesn.testing import FakeClock, Sandbox
from maesn_api.models.create_account_request_dto import CreateAccountRequestDto

OVERFLOWING_DATE = "Fri, 31 Dec 99999999999999999999 23:59:59 GMT"


def _call(mode: str, base_url: str, method: str, *args: Any, **client: Any) -> Any:
    """`method(*args)` on a fresh Client or AsyncClient of `base_url`."""
    kwargs = {"integration": "abaconnect", "base_url": base_url, **KEYS, **client}
    if mode == "sync":
        with maesn.Client(**kwargs) as sync_client:
            return getattr(sync_client, method)(*args)

    async def call() -> Any:
        async with maesn.AsyncClient(**kwargs) as async_client:
            return await getattr(async_client, method)(*args)

    return asyncio.run(call())


@pytest.mark.parametrize(
    ("status", "expected"),
    [(429, maesn.RateLimitError), (503, maesn.ServerError), (200, None)],
)
def test_a_retry_after_whose_year_overflows_is_ignored(
    mode: str,
    status: int,
    expected: type[Exception] | None,
    fake_clock: FakeClock,  # noqa: ARG001 - retries sleep on virtual time
) -> None:
    """No OverflowError: an unusable Retry-After is treated like none."""
    answer = http_response(status, task_body(), [("Retry-After", OVERFLOWING_DATE)])
    with HostileServer(reply(answer)) as server:
        if expected is None:
            assert _call(mode, server.base_url, "get_task", "t").is_done
        else:
            with pytest.raises(expected) as caught:
                _call(mode, server.base_url, "get_task", "t")
            assert getattr(caught.value, "retry_after", None) is None


@pytest.mark.parametrize(
    "timeout", [float("inf"), float("nan"), 1e10, 9.3e9, -1.0, 0, True, "1", 1e6 + 1]
)
def test_unusable_timeouts_are_refused_at_construction(timeout: Any) -> None:
    """inf, NaN, negatives and values the socket layer overflows on: ValidationError."""
    for cls in (maesn.Client, maesn.AsyncClient):
        with pytest.raises(maesn.ValidationError, match="timeout"):
            cls(integration="abaconnect", timeout=timeout, **KEYS)
    with (
        maesn.Client(integration="abaconnect", **KEYS) as client,
        pytest.raises(maesn.ValidationError, match="timeout"),
    ):
        client.with_options(timeout=timeout)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:99999",
        "http://127.0.0.1:0",
        "http://127.0.0.1:-1",
        "http://exa mple.com",
        "http://user:secret@example.com",
        "http://ho\\st",
    ],
)
def test_base_urls_are_validated_fully_at_construction(base_url: str) -> None:
    """A port out of range, a bad host or credentials in the URL: ValidationError, sync and async."""
    for cls in (maesn.Client, maesn.AsyncClient):
        with pytest.raises(maesn.ValidationError, match="base_url"):
            cls(integration="abaconnect", base_url=base_url, **KEYS)


@pytest.mark.parametrize("limit", [0, -1, 1.5, True, "10"])
def test_bad_max_response_bytes_is_refused(limit: Any) -> None:
    """The size limit is an int of at least 1."""
    with pytest.raises(maesn.ValidationError, match="max_response_bytes"):
        maesn.Client(integration="abaconnect", max_response_bytes=limit, **KEYS)


def _export(sandbox: Sandbox) -> dict[str, Any]:
    return {
        "integration": "datev-rewe-export",
        "company_id": "company-1",
        **sandbox_keys(sandbox),
    }


def test_an_export_iterator_resumed_after_close_raises_client_closed(
    mode: str, sandbox: Sandbox
) -> None:
    """Not httpx's RuntimeError: maesn's ClientClosedError."""
    task_id = sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=250)
    if mode == "sync":
        client = maesn.Client(**_export(sandbox))
        pages = client.iter_task_pages(task_id)
        next(pages)
        client.close()
        with pytest.raises(maesn.ClientClosedError):
            next(pages)
        return

    async def run() -> None:
        client = maesn.AsyncClient(**_export(sandbox))
        pages = client.iter_task_pages(task_id)
        await anext(pages)
        await client.aclose()
        with pytest.raises(maesn.ClientClosedError):
            await anext(pages)

    asyncio.run(run())


# -- time: the client's timeout bounds each request as a whole -----------------------------------

DRIPPED = http_response(200, task_body(), [("Content-Type", "application/json")])


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_drip_fed_answer_cannot_stretch_the_timeout(mode: str, part: str) -> None:
    """One byte every 0.05 s would take many seconds; timeout=0.5 ends the request.

    Proven by what the server managed to send before the client hung up, not by a stopwatch:
    the whole answer (without the bound) against a fraction of it.
    """
    start = 0 if part == "headers" else DRIPPED.index(b"\r\n\r\n") + 4
    with HostileServer(_drip_from(start, every=0.05)) as server:
        with pytest.raises(maesn.APITimeoutError):
            _call(mode, server.base_url, "get_task", "t", timeout=0.5, max_retries=0)
        server.join_scripts()  # the drip ends when a send finds the client gone
        dripped = server.bytes_sent - start
    assert dripped < (len(DRIPPED) - start) // 2


def _drip_from(start: int, *, every: float) -> Any:
    """Send DRIPPED[:start] at once, then the rest one byte at a time."""
    rest = drip(DRIPPED[start:], every=every)

    def script(conn: Any) -> None:
        conn.read_request = _once(conn.read_request)
        if conn.read_request() is None or (start and not conn.send(DRIPPED[:start])):
            return
        rest(conn)

    return script


def _once(read: Callable[[], bytes | None]) -> Callable[[], bytes | None]:
    """The first call reads the request; later calls (the drip script's) return it again."""
    box: list[bytes | None] = []

    def read_once() -> bytes | None:
        if not box:
            box.append(read())
        return box[0]

    return read_once


def test_many_waits_over_a_full_pool_end_near_their_deadline() -> None:
    """40 async waits over 20 connections, each answer 3.9 s late: all end by deadline + ~1 s.

    The first 20 polls hold every connection until 3.9 s; the other 20 queue for one. Before,
    a queued poll's pool wait and its read each got the whole time left, so those waits ended
    near 7.8 s, almost 4 s past the 4 s deadline; now the poll's total time is what is left.
    """
    pending = http_response(200, task_body("IN_PROGRESS"), [("Content-Type", "application/json")])

    def slow(conn: Any) -> None:
        while conn.read_request() is not None:
            if conn.server.stopping.wait(3.9) or not conn.send(pending):
                return

    max_wait = 4.0
    with HostileServer(slow) as server:

        async def one(client: maesn.AsyncClient) -> float:
            started = time.monotonic()
            with pytest.raises((maesn.TaskTimeoutError, maesn.APITimeoutError)):
                await client.wait_for_task("t", poll_interval=0.1, max_wait=max_wait)
            return time.monotonic() - started

        async def run() -> list[float]:
            async with maesn.AsyncClient(
                integration="abaconnect", base_url=server.base_url, **KEYS
            ) as client:
                return await asyncio.gather(*(one(client) for _ in range(40)))

        elapsed = asyncio.run(run())
    # "At most about 1 s past" the deadline (LAST_ATTEMPT_SECONDS), plus 1 s for a loaded machine.
    assert max(elapsed) < max_wait + 2.0


# -- size: max_response_bytes bounds each body while it streams in -------------------------------


@pytest.mark.parametrize(
    "script",
    [
        chunked_forever(),
        reply(gzip_bomb(8 * 1024 * 1024)),
        reply(http_response(200, b" " * (2 * 1024 * 1024))),
    ],
    ids=["endless-chunked", "gzip-bomb", "declared-length"],
)
def test_a_body_over_the_limit_raises_response_too_large(mode: str, script: Any) -> None:
    """An endless body, a bomb and an honest but huge body all stop at 1 MiB, typed."""
    limit = 1024 * 1024
    with HostileServer(script) as server:
        with pytest.raises(maesn.ResponseTooLargeError) as caught:
            _call(mode, server.base_url, "get_task", "t", max_response_bytes=limit)
        # Stopped early: an endless body is not read to the end, nor is it retried.
        assert len(server.requests) == 1
    assert caught.value.limit == limit
    assert isinstance(caught.value, maesn.APIError)


def test_a_compressed_body_under_the_limit_is_read(mode: str) -> None:
    """The limit counts decompressed bytes, and a body under it is a normal answer."""
    body = gzip.compress(task_body())
    answer = http_response(
        200, body, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]
    )
    with HostileServer(reply(answer)) as server:
        task = _call(mode, server.base_url, "get_task", "t", max_response_bytes=len(task_body()))
    assert task.is_done


# -- time: a large write to a slow reader is bounded too (issue 19, class 7) ---------------------

LARGE = 8 * 1024 * 1024
"""A body the slow reader needs about 3 s for: six times the timeout of the tests below."""
READ_CHUNK, READ_EVERY = 16 * 1024, 0.005
"""The slow reader takes READ_CHUNK bytes, then pauses READ_EVERY seconds: at most ~3 MB/s."""
SMALL_BUFFER = [(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)]
"""The client's send buffer, small and fixed: the kernel cannot take the body in its place, so
each `send` waits for the reader, and a bounded send shows in what the server read."""


class SlowReader:
    """Reads requests in small chunks with pauses between them, counting bytes; never answers."""

    def __init__(self) -> None:
        self.read = 0
        self.read_at_error = 0

    def __call__(self, conn: Any) -> None:
        """Read until the client hangs up or the server stops."""
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        while not conn.stopping:
            try:
                data = conn.sock.recv(READ_CHUNK)
            except OSError:
                return
            if not data or conn.server.stopping.wait(READ_EVERY):
                return
            self.read += len(data)

    def note_error(self) -> None:
        """Remember how much the server had read when the client gave up."""
        self.read_at_error = self.read


def _large_write(mode: str, base_url: str, reader: SlowReader) -> maesn.APIError:
    """create_account with a LARGE JSON body and timeout=0.5; the error raised."""
    body = CreateAccountRequestDto(name="n", description="x" * LARGE)
    kwargs = {"integration": "abaconnect", "base_url": base_url, **KEYS}
    kwargs |= {"timeout": 0.5, "max_retries": 0, "company_id": "c-1"}
    try:
        if mode == "sync":
            transport = httpx.HTTPTransport(socket_options=SMALL_BUFFER)
            with (
                httpx.Client(transport=transport) as http,
                maesn.Client(**kwargs, http_client=http) as client,
            ):
                client.accounting.create_account(body=body)
        else:

            async def call() -> None:
                transport = httpx.AsyncHTTPTransport(socket_options=SMALL_BUFFER)
                async with (
                    httpx.AsyncClient(transport=transport) as http,
                    maesn.AsyncClient(**kwargs, http_client=http) as client,
                ):
                    await client.accounting.create_account(body=body)

            asyncio.run(call())
    except maesn.APIError as exc:
        reader.note_error()
        return exc
    raise AssertionError("the write to a server that never answers returned")


def test_a_large_write_to_a_slow_reader_cannot_stretch_the_timeout(mode: str) -> None:
    """8 MB to a server reading ~3 MB/s would take ~3 s; timeout=0.5 ends the send itself.

    Proven by what the server had read when the client raised, not by a stopwatch: without the
    bound the sync client sent the whole body (each socket send got the time left at the start
    of the body anew) and only then timed out.
    """
    reader = SlowReader()
    with HostileServer(reader) as server:
        error = _large_write(mode, server.base_url, reader)
    assert isinstance(error, maesn.APITimeoutError)
    assert error.may_have_been_applied is True
    assert reader.read_at_error < LARGE // 2


@pytest.mark.parametrize("own_pool", [True, False], ids=["maesn-pool", "user-pool"])
def test_a_large_bytes_body_to_a_slow_reader_cannot_stretch_the_timeout(
    fake_clock: FakeClock, *, own_pool: bool
) -> None:
    """A `bytes` body through the sync driver: bounded on a pool maesn made and on a user's."""
    reader = SlowReader()
    transport = httpx.HTTPTransport(socket_options=SMALL_BUFFER)
    with HostileServer(reader) as server, httpx.Client(transport=transport) as http:
        if own_pool:
            assert install_deadline_backend(http)
        request = httpx.Request("PUT", server.base_url + "/files/1", content=b"\0" * LARGE)
        flow = send_flow(
            request,
            policy=RetryPolicy(max_retries=0),
            clock=fake_clock,
            rng=random.Random(0),  # noqa: S311 - jitter
            redact=str,
            timeout=0.5,
        )
        with pytest.raises(maesn.APITimeoutError):
            run(flow, Connection(http))
        reader.note_error()
    assert reader.read_at_error < LARGE // 2


def test_the_deadline_backend_leaves_requests_without_a_deadline_alone() -> None:
    """The user's own requests through a client maesn sent through: no deadline, no change."""
    body = b"x" * (256 * 1024)
    with (
        HostileServer(reply(http_response(200, b"ok"))) as server,
        httpx.Client() as http,
    ):
        Connection(http)  # installs the deadline backend on the user's client
        response = http.put(server.base_url + "/files/1", content=body)
        assert response.content == b"ok"
        assert server.requests[0].endswith(body)


# -- memory: what decoding a body costs is bounded too (issue 19, class 9) -----------------------

EMPTY_LISTS = b"[" + b",".join([b"[]"] * 2_000_000) + b"]"
"""6 MB of empty lists: ~135-200 MB once decoded (json, orjson), ~33 bytes per body byte."""


def _peak_of(call: Callable[[], object]) -> tuple[object, int]:
    """`call()`'s outcome (a result or a MaesnError) and the peak of memory traced meanwhile."""
    tracemalloc.start()
    try:
        try:
            outcome: object = call()
        except maesn.MaesnError as exc:
            outcome = exc
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return outcome, peak


@pytest.mark.parametrize("operation", ["get_task", "auth.test"])
def test_a_body_costly_to_decode_is_refused_before_decoding(mode: str, operation: str) -> None:
    """6 MB of `[[],[],...]` under an 8 MiB limit: refused, typed, before any decoder ran.

    The budget is 4 x 8 MiB, raised to its floor of 64 MiB; the body would take ~200 MB.

    Memory, not time: without the bound the call decoded it (a peak of 135 MB and more).
    """
    limit = 8 * 1024 * 1024
    answer = http_response(200, EMPTY_LISTS, [("Content-Type", "application/json")])
    with HostileServer(reply(answer)) as server:
        kwargs = {"integration": "abaconnect", "base_url": server.base_url, **KEYS}
        kwargs |= {"max_response_bytes": limit, "max_retries": 0}

        def call() -> object:
            if mode == "sync":
                with maesn.Client(**kwargs) as client:
                    if operation == "get_task":
                        return client.get_task("t")
                    return client.auth.test(account_key=KEYS["account_key"])

            async def async_call() -> object:
                async with maesn.AsyncClient(**kwargs) as client:
                    if operation == "get_task":
                        return await client.get_task("t")
                    return await client.auth.test(account_key=KEYS["account_key"])

            return asyncio.run(async_call())

        outcome, peak = _peak_of(call)
    assert isinstance(outcome, maesn.ResponseTooLargeError)
    assert outcome.bound == "decoded"
    assert outcome.limit == decoded_budget(limit) == MIN_DECODED_BUDGET
    assert outcome.estimated is not None
    assert outcome.estimated > outcome.limit
    assert peak < 48 * 1024 * 1024  # the body and its copies; decoding it would take 135+ MB


def test_an_export_page_of_50000_entries_is_decoded_at_the_default_limits(mode: str) -> None:
    """The bound leaves room for Maesn's largest pages: 50,000 entries decode as usual."""
    entries = [
        {"id": str(i), "name": f"Customer {i} GmbH", "amount": i * 1.5, "date": "2024-01-01"}
        for i in range(50_000)
    ]
    body = json.dumps(envelope("FINISHED", response_data=entries)).encode()
    answer = http_response(200, body, [("Content-Type", "application/json")])
    with HostileServer(reply(answer)) as server:
        task = _call(mode, server.base_url, "get_task", "t")
    assert decoded_cost(body) <= decoded_budget(DEFAULT_MAX_RESPONSE_BYTES)
    assert len(task.response_data) == 50_000
