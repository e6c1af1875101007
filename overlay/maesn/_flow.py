"""Sans-I/O flows: the client's logic is written once and driven twice, sync and async.

A flow is a generator that yields actions and gets their results sent back:

- `Send(request, timeout=..., max_bytes=..., exclusive_key=...)` → the driver sends the request,
  reads its whole body, and sends back the `httpx.Response`, or the `httpx.HTTPError` it failed
  with (the flow decides whether to retry). `timeout` bounds the WHOLE attempt (waiting for its
  turn and a place in flight, a pooled connection, connecting, sending, headers and body), not
  each socket operation; `max_bytes` bounds the body after decompression, checked while it
  streams in (`ResponseTooLarge`); requests with the same `exclusive_key` are sent one at a time
  across the process (`_turns.py`). Waiting past the deadline before sending is `QueueTimeout`.
- `Sleep(seconds)` → the driver sleeps on the current clock and sends back None;
- `Emit(value)` → an iterating driver hands `value` to its caller (export pages).

The flow's return value is the call's result. Sending and retrying live in `_sending.py`, waiting
in `_waiting.py`, exporting in `_export.py`; the drivers below are the only code that differs
between `Client` and `AsyncClient`, and the only code (with the client's wiring) that looks up the
current clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import math
import socket
import ssl
import time
import weakref
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import h11
import httpcore
import httpx

from . import _clock
from ._exceptions import ClientClosedError, WrongEventLoopError
from ._turns import QueueTimeout, aturn, turn

__all__ = [
    "Connection",
    "DeadlineExceeded",
    "Emit",
    "Flow",
    "ResponseTooLarge",
    "Send",
    "Sleep",
    "UnreadableResponse",
    "arun",
    "arun_iter",
    "run",
    "run_iter",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Send:
    """Send this request; answer with the response (body read) or the httpx error."""

    request: httpx.Request
    timeout: float | None = None
    """Seconds for the whole attempt: pool wait, connect, send, headers and body."""
    max_bytes: int | None = None
    """The most body bytes (after decompression) accepted; more is `ResponseTooLarge`."""
    exclusive_key: str | None = None
    """Requests with the same key are sent one at a time, process-wide (`_turns.py`)."""

    def deadline(self) -> float | None:
        """When the attempt must end (time.monotonic), if it starts now."""
        return None if self.timeout is None else time.monotonic() + self.timeout

    @property
    def byte_limit(self) -> float:
        """`max_bytes`, or infinity."""
        return self.max_bytes if self.max_bytes is not None else math.inf


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait this many seconds on the current clock."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Emit:
    """Hand a value to the iterating caller."""

    value: Any


Action = Send | Sleep | Emit
Flow = Generator[Action, Any, T]


class DeadlineExceeded(httpx.TimeoutException):
    """The attempt's total time ran out (however slowly the server was answering)."""


class ResponseTooLarge(httpx.HTTPError):
    """The body (declared, or decoded so far) is larger than the Send's `max_bytes`."""

    def __init__(self, message: str, *, request: httpx.Request, limit: int) -> None:
        super().__init__(message)
        self.request = request
        self.limit = limit


class UnreadableResponse(httpx.HTTPError):
    """Sending or reading failed with an exception outside httpx.HTTPError (see `UNTYPED`)."""

    def __init__(self, cause: Exception, *, request: httpx.Request) -> None:
        super().__init__(f"the answer could not be read ({type(cause).__name__}: {cause})")
        self.request = request


UNTYPED: tuple[type[Exception], ...] = (
    httpx.InvalidURL,  # a 3xx whose Location does not parse (httpx builds next_request eagerly)
    httpx.StreamError,  # a stream read twice or after close: a RuntimeError, not an HTTPError
    httpcore.ProtocolError,  # raised by a transport that does not map httpcore's errors
    h11.ProtocolError,  # raised by a transport that does not map h11's errors
)
"""What httpx (or the layers under it) can raise while sending or reading that is not an
`httpx.HTTPError`. The drivers turn these into `UnreadableResponse`, an HTTPError the flows
handle like any other transport failure (never retried: the same answer would fail the same way),
so they end as an APIConnectionError instead of escaping the MaesnError tree."""


class _Gate:
    """What one pool's clients share: the in-flight cap and the event loop they send in.

    Both are set on first use, in the running loop.
    """

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.semaphore: asyncio.Semaphore | None = None
        self.loop: weakref.ref[asyncio.AbstractEventLoop] | None = None


class Connection:
    """How one maesn client sends: its httpx client, and whether the maesn client was closed.

    `with_options` copies get their own Connection on the same httpx client and in-flight cap.
    `max_in_flight` caps the requests an AsyncClient has in flight at its pool size, so thousands
    of concurrent waits queue here (cheaply) instead of in httpcore's pool, whose assignment scans
    every queued request against every connection on each event. A sync httpx client, the
    user's own too, gets the deadline backend (`install_deadline_backend`), so each attempt's
    timeout bounds it as a whole.
    """

    def __init__(
        self,
        http: httpx.Client | httpx.AsyncClient,
        *,
        max_in_flight: int | None = None,
        share: Connection | None = None,
    ) -> None:
        self.http = http
        self.closed = False
        if isinstance(http, httpx.Client):
            install_deadline_backend(http)
        self._gate: _Gate = share._gate if share is not None else _Gate(max_in_flight)  # noqa: SLF001

    def check_loop(self) -> None:
        """Refuse a second event loop with maesn's error: the pool belongs to the first one."""
        loop = asyncio.get_running_loop()
        gate = self._gate
        if gate.loop is None:
            gate.loop = weakref.ref(loop)
        elif gate.loop() is not loop:
            raise WrongEventLoopError(
                "this AsyncClient sent its first request in another event loop, which owns its "
                "connections (and in-flight limit): create the AsyncClient inside the event loop "
                "that uses it, one per loop (each asyncio.run() is a new loop)"
            )

    async def aclose_http(self) -> None:
        """Close the (async) httpx client; raise WrongEventLoopError where its loop must do it.

        Its pool's connections belong to the loop that sent the first request: closing them from
        another loop, once that one is closed, fails inside asyncio ("Event loop is closed").
        """
        http = self.http
        assert isinstance(http, httpx.AsyncClient)  # noqa: S101 - an async client always holds one
        try:
            await http.aclose()
        except RuntimeError:
            owner = self._gate.loop
            if owner is None or owner() is asyncio.get_running_loop():
                raise
            raise WrongEventLoopError(
                "this AsyncClient's connections belong to the event loop that sent its first "
                "request, which is closed: they cannot be closed from another loop. Close the "
                "client in the loop that uses it (`async with maesn.AsyncClient(...)` inside it)"
            ) from None

    @contextlib.asynccontextmanager
    async def gate(self, deadline: float | None) -> AsyncIterator[None]:
        """Hold one of the in-flight cap's places (none without a cap), waiting until `deadline`.

        Past the deadline: `QueueTimeout` (nothing was sent).
        """
        gate = self._gate
        if gate.limit is None:
            yield
            return
        if gate.semaphore is None:
            gate.semaphore = asyncio.Semaphore(gate.limit)
        try:
            async with asyncio.timeout(_time_left(deadline)):
                await gate.semaphore.acquire()
        except TimeoutError:
            raise QueueTimeout(
                "the request's total timeout ran out while it waited for a place in flight: "
                "nothing was sent"
            ) from None
        try:
            yield
        finally:
            gate.semaphore.release()

    def check_open(self) -> None:
        """Refuse to send after close() with maesn's error, not httpx's RuntimeError."""
        if self.closed or self.http.is_closed:
            raise ClientClosedError(
                "the client (or the httpx client it sends through) was closed: create a new one, "
                "or use it in a `with` block that covers every call, export iterators included"
            )


# -- the total deadline of one attempt, sync ----------------------------------------------------
#
# Blocking sockets only know per-operation timeouts, so a server dripping one byte at a time never
# trips them. The sync driver sets the attempt's deadline here; the network backend installed on
# the pool (`install_deadline_backend`) caps every connect, read and write at the time left.
# A write is one `send` after another: httpcore's loops over a whole body (a 10 MB JSON body is
# one write) with the same timeout for each `send`, so a server that keeps reading, slowly,
# stretched it without end; here each `send` gets the time left at that moment.

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "maesn_deadline", default=None
)


def _left(
    timeout: float | None, expired: type[httpcore.TimeoutException] = httpcore.ReadTimeout
) -> float | None:
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the request's total timeout ran out")
    return left if timeout is None else min(timeout, left)


_WRITE_PIECE = 64 * 1024
"""Bytes written at a time through a stream whose socket is not reachable (see `write`)."""


def _send_all(sock: socket.socket, buffer: bytes, timeout: float | None) -> None:
    """Send `buffer` on a blocking socket, each `send` bounded by the deadline's time left."""
    view = memoryview(buffer)
    try:
        while view:
            sock.settimeout(_left(timeout, httpcore.WriteTimeout))
            view = view[sock.send(view) :]
    except TimeoutError as exc:
        raise httpcore.WriteTimeout(str(exc)) from exc
    except OSError as exc:
        raise httpcore.WriteError(str(exc)) from exc


class _DeadlineStream(httpcore.NetworkStream):
    """A stream whose every operation ends by the attempt's deadline (`_deadline`).

    `sock` is the stream's socket when the stream is httpcore's own (`SyncBackend`) over a plain
    or a TLS socket: writes then go to it directly, one deadline-bounded `send` at a time.
    """

    def __init__(self, stream: httpcore.NetworkStream, sock: socket.socket | None) -> None:
        self._stream = stream
        self._sock = sock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if _deadline.get() is None:
            self._stream.write(buffer, timeout)
        elif self._sock is not None:
            _send_all(self._sock, buffer, timeout)
        else:
            for start in range(0, len(buffer), _WRITE_PIECE):
                piece = buffer[start : start + _WRITE_PIECE]
                self._stream.write(piece, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(ssl_context, server_hostname, _left(timeout))
        # Over a plain socket, httpcore's TLS stream wraps it in an SSLSocket (writable directly);
        # TLS inside TLS (an HTTPS proxy) is a stream of its own that only it can write.
        plain = self._sock is not None and not isinstance(self._sock, ssl.SSLSocket)
        sock = stream.get_extra_info("socket") if plain else None
        return _DeadlineStream(stream, sock if isinstance(sock, ssl.SSLSocket) else None)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend
        self._own = type(backend) is httpcore.SyncBackend

    def _wrap(self, stream: httpcore.NetworkStream) -> _DeadlineStream:
        sock = stream.get_extra_info("socket") if self._own else None
        return _DeadlineStream(stream, sock if isinstance(sock, socket.socket) else None)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host,
            port,
            _left(timeout, httpcore.ConnectTimeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return self._wrap(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, _left(timeout, httpcore.ConnectTimeout), socket_options
        )
        return self._wrap(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def install_deadline_backend(http: httpx.Client) -> bool:
    """Make the transport of a sync httpx client honour the total deadline (once; idempotent).

    httpx does not expose the pool's network backend, so this reaches into httpx's transport
    (`HTTPTransport`, with or without a proxy); where that is not possible (a custom transport)
    it returns False and the deadline is checked between body chunks and caps each phase's
    timeout instead. The backend changes nothing for requests sent without a deadline (a user's
    own requests through the same client): each timeout passes through as given.
    """
    pool = getattr(getattr(http, "_transport", None), "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, _DeadlineBackend):
        return True
    if not isinstance(backend, httpcore.NetworkBackend):
        return False
    pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]  # noqa: SLF001
    return True


def _too_large(request: httpx.Request, limit: int, what: str) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"the response body {what} the limit of {limit} bytes (max_response_bytes)",
        request=request,
        limit=limit,
    )


def _declared_length(response: httpx.Response) -> int | None:
    # Content-Length counts encoded bytes: only a plain body can be refused before reading.
    value = response.headers.get("content-length")
    if value is None or response.headers.get("content-encoding") or not value.isdigit():
        return None
    return int(value)


def _time_left(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.monotonic()


def _limit_to(request: httpx.Request, deadline: float | None) -> None:
    """Give each phase (pool, connect, write, read) at most the time left, measured now."""
    left = _time_left(deadline)
    if left is None:
        return
    if left <= 0:
        raise QueueTimeout("the request's total timeout ran out before it was sent")
    request.extensions["timeout"] = httpx.Timeout(left).as_dict()


def _check_length(response: httpx.Response, action: Send) -> None:
    limit = action.max_bytes
    declared = _declared_length(response)
    if limit is not None and declared is not None and declared > limit:
        raise _too_large(action.request, limit, f"is declared as {declared} bytes, over")


def _unbind(response: httpx.Response) -> None:
    """Replace httpx's (closed) bound stream with the read body.

    The bound stream points back at the response: that cycle keeps every body (an export page's
    ~10-20 MB) alive until a full garbage collection; without it the response is freed as soon as
    it is dropped.
    """
    response.stream = httpx.ByteStream(response.content)


def _send_sync(connection: Connection, action: Send) -> httpx.Response | httpx.HTTPError:
    connection.check_open()
    http = connection.http
    assert isinstance(http, httpx.Client)  # noqa: S101 - a sync client always holds one
    request = action.request
    limit, ends = action.byte_limit, action.deadline()
    token = _deadline.set(ends)
    try:
        with turn(action.exclusive_key, ends):
            _limit_to(request, ends)
            response = http.send(request, stream=True, follow_redirects=False)
            try:
                _check_length(response, action)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise _too_large(request, int(limit), "grew over")
                    if ends is not None and time.monotonic() > ends:
                        raise DeadlineExceeded(
                            "the request's total timeout ran out", request=request
                        )
                    chunks.append(chunk)
                response._content = b"".join(chunks)  # noqa: SLF001 - what Response.read() sets
            finally:
                response.close()
            _unbind(response)
    except httpx.HTTPError as exc:
        return exc
    except UNTYPED as exc:
        return UnreadableResponse(exc, request=request)
    finally:
        _deadline.reset(token)
    return response


# -- sending in asyncio: stopped only where httpcore cleans up after itself ---------------------
#
# A cancellation that lands in httpcore's pool bookkeeping loses a connection slot for good (a
# new connection assigned to a request that is cancelled before it starts connecting; a response
# whose close is interrupted): a few hundred such cancellations (`asyncio.wait_for` around a
# call) left every slot marked in use with no request, and every later call timed out. So the
# exchange runs in a task of its own that the caller's cancellation (or the deadline) never
# interrupts directly; `_Exchange.stop` stops it at a safe point instead, told by the trace
# events httpcore reports: by cancelling it inside an I/O step (connecting, sending, reading:
# httpcore closes the connection and frees the slot); between steps (before the first, after a
# connect, between the headers and the body) by raising at the next step's first event, since
# a cancellation there can land in httpcore's state lock and leave the connection marked in use;
# or not at all once the close has begun (it is quick). Python 3.12's `asyncio.wait_for`, which
# cancels the caller's own task, hit those windows often. The caller waits, so the pool is
# consistent and the in-flight place free when the call ends. A transport of the user's own
# (not httpx's pool) has no such points to wait for: it is cancelled at once. A request queued
# for a slot of a full pool reaches its first event when it gets one (or its pool wait, bounded
# by the deadline, ends); maesn's own pool never queues (the in-flight cap matches its size).


def _pooled(http: httpx.AsyncClient, request: httpx.Request) -> bool:
    """Whether `request` goes through httpx's own transport (httpcore's pool) or a custom one.

    A custom transport reports no trace events and keeps no pool of httpcore's: it is stopped
    by cancelling it at once.
    """
    find = getattr(http, "_transport_for_url", None)
    transport = find(request.url) if callable(find) else getattr(http, "_transport", None)
    return isinstance(transport, httpx.AsyncHTTPTransport)


class _Abandoned(Exception):  # noqa: N818 - a signal inside the exchange, never raised out of it
    """Stops an exchange at its first trace event, before any I/O."""


class _Exchange:
    """One request's trip through httpx, in a task of its own (see above)."""

    def __init__(self, http: httpx.AsyncClient, action: Send, limit: float) -> None:
        self.http = http
        self.action = action
        self.request = request = action.request
        self.limit = limit
        self.sent = False
        """httpcore began to send the request: from here a stop may leave it applied."""
        self.in_io = False
        """Between an I/O step's "started" and its "complete"/"failed" event: a cancellation
        lands inside the step, whose clean-up (httpcore's `except BaseException`) frees the slot."""
        self.closing = False
        """The body is read (or reading failed) and the response is being closed."""
        self.abandoned = False
        """Stop at the next step's "started" event (raised there, once)."""
        self.stopped_at_step = False
        self.cancelled = False
        self.pooled = _pooled(http, request)
        """Sent through httpx's own pool (httpcore), whose trace events mark the safe points."""
        self._trace = request.extensions.get("trace")
        request.extensions["trace"] = self.trace

    async def trace(self, name: str, info: dict[str, Any]) -> None:
        """The trace extension httpcore calls: its events mark where a stop is safe."""
        if name.endswith("response_closed.started"):
            # httpx closes the response itself when the body ends (or reading it failed), inside
            # the loop that reads it, and httpcore after a failed step: only the close is left,
            # never interrupted, and its events must pass (or the connection stays in use).
            self.closing = True
        elif name.endswith(".started"):
            if self.abandoned and not self.stopped_at_step:
                self.stopped_at_step = True
                raise _Abandoned
            self.in_io = True
            self.sent = self.sent or ".send_request_" in name
        else:  # ".complete" or ".failed"
            self.in_io = False
        if self._trace is not None:
            await self._trace(name, info)

    def stop(self, task: asyncio.Task[Any]) -> None:
        """Stop `task` (running `run`) at its next safe point.

        Inside an I/O step it is cancelled at once. Between steps (waiting for a connection, in
        httpcore's bookkeeping after a connect, between the headers and the body) a cancellation
        can land where httpcore does not clean up (a new connection left marked in use for good),
        so the exchange stops at the next step's first event instead.
        """
        if task.done() or self.closing or self.cancelled:
            return
        if self.in_io or not self.pooled:
            self.cancelled = True
            task.cancel()
        else:
            self.abandoned = True

    async def run(self) -> httpx.Response | httpx.HTTPError:
        """Send, read the whole body within the limit, close: the response or the httpx error."""
        try:
            return await self._run()
        finally:
            if self._trace is None:
                self.request.extensions.pop("trace", None)
            else:
                self.request.extensions["trace"] = self._trace

    async def _run(self) -> httpx.Response | httpx.HTTPError:
        request = self.request
        try:
            response = await self.http.send(request, stream=True, follow_redirects=False)
            try:
                _check_length(response, self.action)
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.limit:
                        raise _too_large(request, int(self.limit), "grew over")
                    chunks.append(chunk)
                response._content = b"".join(chunks)  # noqa: SLF001 - what Response.aread() sets
            finally:
                self.closing = True
                await response.aclose()
            _unbind(response)
        except httpx.HTTPError as exc:
            return exc
        except UNTYPED as exc:
            return UnreadableResponse(exc, request=request)
        return response


async def _finish(task: asyncio.Task[Any]) -> None:
    """Wait until `task` is done, through any cancellation of the caller (raised afterwards)."""
    cancelled = False
    while not task.done():
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError


def _outcome(exchange: _Exchange, task: asyncio.Task[Any]) -> httpx.Response | httpx.HTTPError:
    """What a stopped exchange's task ended with, as the driver answers it."""
    if task.cancelled():
        return DeadlineExceeded("the request's total timeout ran out", request=exchange.request)
    error = task.exception()
    if isinstance(error, _Abandoned) and exchange.sent:
        return DeadlineExceeded("the request's total timeout ran out", request=exchange.request)
    if isinstance(error, _Abandoned):
        return QueueTimeout("the request's total timeout ran out before it was sent")
    result: httpx.Response | httpx.HTTPError = task.result()
    return result


async def _exchange(
    exchange: _Exchange, deadline: float | None
) -> httpx.Response | httpx.HTTPError:
    task = asyncio.get_running_loop().create_task(exchange.run())
    try:
        done, _ = await asyncio.wait({task}, timeout=_time_left(deadline))
    except asyncio.CancelledError:
        exchange.stop(task)
        await _finish(task)
        if not task.cancelled():
            task.exception()  # retrieved: the caller's cancellation is what is raised
        raise
    if not done:  # the deadline: stopped like a cancellation (a read body is still returned)
        exchange.stop(task)
        await _finish(task)
    return _outcome(exchange, task)


async def _send_async(connection: Connection, action: Send) -> httpx.Response | httpx.HTTPError:
    connection.check_open()
    connection.check_loop()
    http = connection.http
    assert isinstance(http, httpx.AsyncClient)  # noqa: S101 - an async client always holds one
    request = action.request
    limit, ends = action.byte_limit, action.deadline()
    try:
        async with aturn(action.exclusive_key, ends), connection.gate(ends):
            _limit_to(request, ends)
            return await _exchange(_Exchange(http, action, limit), ends)
    except httpx.HTTPError as exc:
        return exc


def run_iter(flow: Flow[Any], connection: Connection) -> Iterator[Any]:
    """Drive `flow` with blocking I/O, yielding what it emits."""
    try:
        action = next(flow)
        while True:
            result: Any = None
            if isinstance(action, Send):
                result = _send_sync(connection, action)
            elif isinstance(action, Sleep):
                _clock.current().sleep(action.seconds)
            else:
                # Emitted values (export pages) are not kept here once handed over.
                value = action.value
                del action
                yield value
                del value
            action = flow.send(result)
    except StopIteration:
        return
    finally:
        flow.close()


async def arun_iter(flow: Flow[Any], connection: Connection) -> AsyncIterator[Any]:
    """Drive `flow` with asyncio I/O, yielding what it emits (cancellation closes the flow)."""
    try:
        action = next(flow)
        while True:
            result: Any = None
            if isinstance(action, Send):
                result = await _send_async(connection, action)
            elif isinstance(action, Sleep):
                await _clock.current().asleep(action.seconds)
            else:
                # Emitted values (export pages) are not kept here once handed over.
                value = action.value
                del action
                yield value
                del value
            action = flow.send(result)
    except StopIteration:
        return
    finally:
        flow.close()


def _capture(flow: Flow[T], box: list[T]) -> Flow[None]:
    box.append((yield from flow))


def _no_emits(value: object) -> TypeError:
    return TypeError(f"a flow that returns a value emitted {value!r}")


def run(flow: Flow[T], connection: Connection) -> T:
    """Drive `flow` with blocking I/O and return its result."""
    box: list[T] = []
    for value in run_iter(_capture(flow, box), connection):
        raise _no_emits(value)
    return box[0]


async def arun(flow: Flow[T], connection: Connection) -> T:
    """Drive `flow` with asyncio I/O and return its result."""
    box: list[T] = []
    async for value in arun_iter(_capture(flow, box), connection):
        raise _no_emits(value)
    return box[0]
