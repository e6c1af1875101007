"""Transport control: http_client=, with_options()/copy() on one pool, environment variables."""

from __future__ import annotations

import asyncio
import gc
import json
import random
import warnings
from typing import Any

import httpcore
import httpx
import maesn
import pytest
from helpers import KEYS, envelope, sandbox_keys
from hostile_server import HostileServer, http_response, reply, task_body
from maesn.testing import FakeClock, Fault, Sandbox


def _kwargs(sandbox: Sandbox, **overrides: Any) -> dict[str, Any]:
    return {
        "integration": "abaconnect",
        **sandbox_keys(sandbox),
        **overrides,
    }


def test_http_client_with_event_hooks_and_a_custom_transport_is_used_and_left_open(
    sandbox: Sandbox,
) -> None:
    """Requests go through the user's client (its hooks fire); closing maesn leaves it open."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["FINISHED"])
    seen: list[tuple[str, Any]] = []
    http = httpx.Client(
        transport=httpx.HTTPTransport(retries=0),
        event_hooks={
            "request": [lambda request: seen.append(("request", request.url.path))],
            "response": [lambda response: seen.append(("response", response.status_code))],
        },
    )
    with http:
        with maesn.Client(**_kwargs(sandbox), http_client=http) as client:
            assert client.get_task(task_id).is_done
        assert seen == [("request", f"/accounting/asyncTask/{task_id}"), ("response", 200)]
        assert not http.is_closed
        assert sandbox.requests[0].headers["User-Agent"].startswith("maesn-client/")


def test_async_http_client_with_a_mock_transport(fake_clock: FakeClock) -> None:  # noqa: ARG001
    """An httpx.AsyncClient with its own transport answers the call; it stays open."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=envelope("FINISHED"))

    async def call() -> tuple[maesn.Task, bool]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            async with maesn.AsyncClient(
                integration="abaconnect", base_url="https://maesn.test", http_client=http, **KEYS
            ) as client:
                task = await client.get_task("t-1")
            return task, http.is_closed

    task, closed = asyncio.run(call())
    assert task.is_done
    assert not closed
    assert str(seen[0].url) == "https://maesn.test/accounting/asyncTask/t-1"
    assert seen[0].headers["X-API-KEY"] == KEYS["api_key"]


@pytest.mark.parametrize(
    ("cls", "wrong"), [(maesn.Client, httpx.AsyncClient), (maesn.AsyncClient, httpx.Client)]
)
def test_an_http_client_of_the_wrong_kind_is_refused(cls: Any, wrong: Any) -> None:
    """A sync client needs an httpx.Client, an async one an httpx.AsyncClient."""
    with pytest.raises(maesn.ValidationError, match="http_client"):
        cls(integration="abaconnect", http_client=wrong(), **KEYS)


def test_with_options_shares_one_pool(sandbox: Sandbox, fake_clock: FakeClock) -> None:  # noqa: ARG001
    """Calls through the client and its copies reuse one connection (one client port)."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["FINISHED"])
    with maesn.Client(**_kwargs(sandbox)) as client:
        copies = [client.with_options(timeout=5), client.copy(max_retries=0), client]
        for each in copies * 2:
            each.get_task(task_id)
    ports = {request.client_port for request in sandbox.requests}
    assert len(sandbox.requests) == 6
    assert len(ports) == 1


def test_async_with_options_shares_one_pool(sandbox: Sandbox, fake_clock: FakeClock) -> None:  # noqa: ARG001
    """The same for AsyncClient."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["FINISHED"])

    async def call() -> None:
        async with maesn.AsyncClient(**_kwargs(sandbox)) as client:
            for each in [client.with_options(timeout=5), client.copy(max_retries=0), client] * 2:
                await each.get_task(task_id)

    asyncio.run(call())
    assert len({request.client_port for request in sandbox.requests}) == 1


def test_with_options_changes_only_the_copy(sandbox: Sandbox, fake_clock: FakeClock) -> None:  # noqa: ARG001
    """max_retries and company_id apply to the copy; the original keeps its own."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["FINISHED"])
    with maesn.Client(**_kwargs(sandbox)) as client:
        quick = client.with_options(max_retries=0, company_id="c-9")
        assert (quick.company_id, client.company_id) == ("c-9", None)
        sandbox.inject(Fault.status(503), times=2)
        with pytest.raises(maesn.ServerError) as caught:
            quick.get_task(task_id)
        assert caught.value.attempts == 1
        assert client.get_task(task_id).attempts == 2
    assert sandbox.requests[0].query["companyId"] == ["c-9"]
    assert "companyId" not in sandbox.requests[-1].query


def test_with_options_account_key_is_sent_and_redacted(
    sandbox: Sandbox,
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """Another account key on the same pool: sent by the copy, kept out of its repr."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["FINISHED"])
    with maesn.Client(**_kwargs(sandbox)) as client:
        other = client.with_options(account_key="another-account-key-123")
        with pytest.raises(maesn.AuthenticationError) as caught:
            other.get_task(task_id)
        assert "another-account-key-123" not in repr(other) + str(caught.value)
        assert client.get_task(task_id).is_done


def test_with_options_refuses_what_it_cannot_change_and_bad_values() -> None:
    """integration/base_url need a new client; values are validated like the constructor's."""
    with maesn.Client(integration="abaconnect", **KEYS) as client:
        for bad in ({"integration": "bexio"}, {"base_url": "http://x"}, {"timeout": 0}):
            with pytest.raises(maesn.ValidationError):
                client.with_options(**bad)


def test_closing_a_copy_keeps_the_pool_closing_the_original_closes_every_copy(
    sandbox: Sandbox,
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """The pool belongs to the client that created it."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["FINISHED"])
    client = maesn.Client(**_kwargs(sandbox))
    first, second = client.with_options(timeout=5), client.with_options(timeout=6)
    first.close()
    with pytest.raises(maesn.ClientClosedError):
        first.get_task(task_id)
    assert second.get_task(task_id).is_done
    client.close()
    with pytest.raises(maesn.ClientClosedError):
        second.get_task(task_id)


def test_environment_variables_configure_integration_and_company(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """MAESN_INTEGRATION and MAESN_COMPANY_ID are read by the library, like MAESN_API_KEY."""
    monkeypatch.setenv("MAESN_INTEGRATION", "datev-rewe-export")
    monkeypatch.setenv("MAESN_COMPANY_ID", "company-7")
    for cls in (maesn.Client, maesn.AsyncClient):
        client = cls(**KEYS)
        assert client.integration is maesn.Integration.DATEV_REWE_EXPORT
        assert client.company_id == "company-7"
        explicit = cls(integration="abaconnect", company_id="c-1", **KEYS)
        assert (explicit.integration, explicit.company_id) == ("abaconnect", "c-1")


def test_no_integration_anywhere_means_the_generic_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """integration= is optional: without it (and without MAESN_INTEGRATION) nothing warns yet."""
    monkeypatch.delenv("MAESN_INTEGRATION", raising=False)
    with maesn.Client(**KEYS) as client:
        assert client.integration is None
        assert client.profile.id == ""
        assert not client.profile.known


def test_an_unknown_integration_in_the_environment_is_accepted_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """MAESN_INTEGRATION=nope: the raw id, the generic rules, one UnknownIntegrationWarning."""
    monkeypatch.setenv("MAESN_INTEGRATION", "nope")
    with pytest.warns(maesn.UnknownIntegrationWarning) as warned, maesn.Client(**KEYS) as client:
        assert client.integration == "nope"
    assert [w.message.integration for w in warned] == ["nope"]  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["", "  ", 7])
def test_an_integration_that_is_not_an_id_is_refused(value: object) -> None:
    """An empty or non-string integration is a mistake, not an unknown id."""
    with pytest.raises(maesn.ValidationError) as caught:
        maesn.Client(integration=value, **KEYS)  # type: ignore[arg-type]
    assert caught.value.argument == "integration"


def test_the_poll_request_is_one_exact_path_segment_and_query(sandbox: Sandbox) -> None:
    """The prebuilt URL percent-encodes every reserved character of task id and companyId."""
    task_id = "a/b?c#d%e f&"
    sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], task_id="x")
    with (
        maesn.Client(
            **_kwargs(sandbox, integration="datev-rewe-export", company_id="c&d=e/f"),
        ) as client,
        pytest.raises(maesn.NotFoundError),
    ):
        client.get_task(task_id, page=2)
    (request,) = sandbox.requests
    assert request.raw_path == (
        "/accounting/asyncTask/a%2Fb%3Fc%23d%25e%20f%26?page=2&companyId=c%26d%3De%2Ff"
    )
    assert request.task_id == task_id
    assert json.loads(json.dumps(request.query)) == {"page": ["2"], "companyId": ["c&d=e/f"]}


# -- cancellation and event loops (issue 19, class 8) --------------------------------------------


def _finished_server() -> HostileServer:
    """Answers every request at once with a finished task (keep-alive, so connections pool)."""
    return HostileServer(reply(http_response(200, task_body())))


@pytest.mark.parametrize("own_pool", [True, False], ids=["maesn-pool", "user-pool"])
def test_many_cancelled_calls_leave_the_pool_usable(*, own_pool: bool) -> None:
    """400 calls cancelled at random moments (wait_for), then 40 calls: every one answered.

    httpcore's pool loses a connection slot when a cancellation lands in its bookkeeping (a new
    connection assigned but not yet connecting, a response being closed): after a few hundred
    such cancellations all 20 slots were marked in use with no request, and every later call
    timed out against a healthy server. The client now stops a request only where httpcore
    cleans up after itself.
    """
    rng = random.Random(19)  # noqa: S311 - when to cancel, not secrets
    with _finished_server() as server:

        async def run() -> tuple[int, list[object]]:
            http = httpx.AsyncClient(limits=httpx.Limits(max_connections=20))
            kwargs: dict[str, Any] = {"integration": "abaconnect", "base_url": server.base_url}
            kwargs |= {**KEYS, "timeout": 5.0, "max_retries": 0}
            if not own_pool:
                kwargs["http_client"] = http
            cancelled = 0
            async with http, maesn.AsyncClient(**kwargs) as client:
                for _ in range(400):
                    try:
                        await asyncio.wait_for(client.get_task("t"), rng.uniform(0, 0.004))
                    except TimeoutError:
                        cancelled += 1
                after = [await _outcome(client.get_task("t")) for _ in range(20)]
                after += await asyncio.gather(*(_outcome(client.get_task("t")) for _ in range(20)))
            return cancelled, after

        cancelled, after = asyncio.run(run())
    assert cancelled > 100  # the cancellations happened, at many different moments
    assert all(isinstance(outcome, maesn.Task) for outcome in after), after


@pytest.mark.parametrize("integration", ["abaconnect", "datev-rewe-export"])
def test_a_call_cancelled_before_its_first_byte_gives_its_connection_back(integration: str) -> None:
    """Cancelled after the request left the caller, before httpcore sent a byte: the slot is free.

    The request hook of the user's httpx client runs inside the exchange, just before httpcore's
    pool; it cancels the caller there, so the exchange is stopped at its first trace event
    ("send_request_headers" on the pooled, idle connection). httpcore's shielded clean-up after
    that reports a "response_closed" event of its own: the stop must let it through, or the one
    connection of this pool stays marked in use and the next call waits for it until its timeout
    (this happened under Python 3.12's `asyncio.wait_for`, which cancels the caller's own task).
    """
    with _finished_server() as server:

        async def run() -> tuple[object, object]:
            caller: list[asyncio.Task[Any]] = []

            async def cancel_the_caller(_request: httpx.Request) -> None:
                if caller:
                    caller.pop().cancel()

            http = httpx.AsyncClient(
                limits=httpx.Limits(max_connections=1),
                event_hooks={"request": [cancel_the_caller]},
            )
            kwargs: dict[str, Any] = {"integration": integration, "base_url": server.base_url}
            kwargs |= {**KEYS, "timeout": 2.0, "max_retries": 0, "http_client": http}
            kwargs["company_id"] = "c"  # DATEV needs one; AbaConnect takes it too
            async with http, maesn.AsyncClient(**kwargs) as client:
                await client.get_task("t")  # the pool's one connection, open and idle
                call = asyncio.create_task(client.get_task("t"))
                caller.append(call)
                cancelled = await _outcome_or_cancelled(call)
                return cancelled, await _outcome(client.get_task("t"))

        cancelled, after = asyncio.run(run())
    assert cancelled == "cancelled"
    assert isinstance(after, maesn.Task), after


class _CancellingStream(httpcore.AsyncNetworkStream):
    """A connection that cancels the caller when the answer arrives (the first read with data)."""

    def __init__(
        self, stream: httpcore.AsyncNetworkStream, caller: list[asyncio.Task[Any]]
    ) -> None:
        self.stream = stream
        self.caller = caller

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109 - httpcore's interface
        data = await self.stream.read(max_bytes, timeout)
        if data and self.caller:
            self.caller.pop().cancel()
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109 - httpcore's interface
        await self.stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self.stream.aclose()

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class _CancellingBackend(httpcore.AsyncNetworkBackend):
    """Cancels the caller task at a chosen moment of the exchange, from inside httpcore.

    `cancel_at` "connect": as the connect step ends; "answer": as the answer arrives. The caller
    (waiting in the client) then runs at the exchange's next pause: httpcore's bookkeeping
    between steps (the state lock of the new connection, or of the response's close), outside
    any I/O step.
    """

    def __init__(self, cancel_at: str) -> None:
        self.backend = httpcore.AnyIOBackend()
        self.cancel_at = cancel_at
        self.caller: list[asyncio.Task[Any]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self.backend.connect_tcp(host, port, timeout, local_address, socket_options)
        if self.cancel_at == "answer":
            return _CancellingStream(stream, self.caller)
        if self.caller:
            self.caller.pop().cancel()
        return stream

    async def sleep(self, seconds: float) -> None:
        await self.backend.sleep(seconds)


@pytest.mark.parametrize("cancel_at", ["connect", "answer"])
def test_a_call_cancelled_between_httpcore_steps_gives_its_connection_back(cancel_at: str) -> None:
    """A cancellation between httpcore's steps waits for a safe point: no connection is lost.

    Cancelled between the connect and the sending, httpcore leaves the new connection marked as
    never used and not available; cancelled inside the close that httpx starts when the body
    ends, it leaves the connection marked in use. Either way the slot was lost for good (with
    one slot, every later call timed out); both happened under Python 3.12's `asyncio.wait_for`.
    """
    backend = _CancellingBackend(cancel_at)
    transport = httpx.AsyncHTTPTransport()
    pool = httpcore.AsyncConnectionPool(max_connections=1, network_backend=backend)
    transport._pool = pool  # the pool httpx would build, with the test's backend
    with _finished_server() as server:

        async def run() -> tuple[object, object, list[str]]:
            http = httpx.AsyncClient(transport=transport)
            kwargs: dict[str, Any] = {"integration": "datev-rewe-export", "company_id": "c"}
            kwargs |= {**KEYS, "base_url": server.base_url, "timeout": 2.0, "max_retries": 0}
            async with http, maesn.AsyncClient(**kwargs, http_client=http) as client:
                call = asyncio.create_task(client.get_task("t"))
                backend.caller.append(call)
                cancelled = await _outcome_or_cancelled(call)
                left = [connection.info() for connection in pool.connections]
                return cancelled, await _outcome(client.get_task("t")), left

        cancelled, after, left = asyncio.run(run())
    assert cancelled == "cancelled"
    assert not any("NEW" in info or "ACTIVE" in info for info in left), left
    assert isinstance(after, maesn.Task), after


async def _outcome_or_cancelled(call: asyncio.Task[Any]) -> object:
    try:
        return await call
    except asyncio.CancelledError:
        return "cancelled"


async def _outcome(call: Any) -> object:
    try:
        return await call
    except maesn.MaesnError as exc:
        return exc


def test_an_async_client_used_under_a_second_event_loop_raises_a_maesn_error() -> None:
    """Its pool belongs to the first loop: a typed error before anything is sent.

    Not a RuntimeError from the in-flight limiter or from the first, closed loop.
    """
    # Each answer says `Connection: close` and closes: the client closes its side at once, so no
    # socket of the first loop is left for the third loop's aclose() (a keep-alive connection of a
    # closed loop cannot be closed from another one: "Event loop is closed", one run in a dozen).
    answer = http_response(200, task_body(), close=True)
    with HostileServer(reply(answer, close=True)) as server:
        client = maesn.AsyncClient(integration="abaconnect", base_url=server.base_url, **KEYS)

        async def many() -> list[object]:
            return [await _outcome(call) for call in [client.get_task("t") for _ in range(3)]]

        first = asyncio.run(many())
        sent = len(server.requests)
        with pytest.raises(maesn.WrongEventLoopError) as caught:
            asyncio.run(client.get_task("t"))
        asyncio.run(client.aclose())
        assert isinstance(caught.value, maesn.MaesnError)
        assert len(server.requests) == sent
    assert all(isinstance(outcome, maesn.Task) for outcome in first)


def test_closing_an_async_client_from_another_loop_raises_a_maesn_error() -> None:
    """aclose() in a second loop, with a keep-alive connection of the first (closed) loop.

    asyncio cannot close that socket from the second loop ("Event loop is closed", a raw
    RuntimeError from deep inside httpcore); the client says what to do instead. Its own
    loop closes it fine.
    """
    with HostileServer(reply(http_response(200, task_body()))) as server:  # keep-alive
        client = maesn.AsyncClient(integration="abaconnect", base_url=server.base_url, **KEYS)
        asyncio.run(client.get_task("t"))  # its connection stays open, idle, in the first loop
        with pytest.raises(maesn.WrongEventLoopError) as caught:
            asyncio.run(client.aclose())
        assert "close the client in the loop that uses it" in str(caught.value).lower()
        # The first loop is gone with the socket's transport: collect it without its warning.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            del client, caught
            gc.collect()

        async def used_and_closed_in_one_loop() -> object:
            async with maesn.AsyncClient(
                integration="abaconnect", base_url=server.base_url, **KEYS
            ) as own:
                return await own.get_task("t")

        assert isinstance(asyncio.run(used_and_closed_in_one_loop()), maesn.Task)


class _Hanging(httpx.AsyncBaseTransport):
    """A transport of the user's own that never answers (and reports no httpcore events)."""

    def __init__(self) -> None:
        self.cancelled = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:  # noqa: ARG002
        """Wait until cancelled."""
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        raise AssertionError


def test_the_deadline_and_cancellation_stop_a_custom_transport_too() -> None:
    """A transport that is not httpx's pool is stopped at once: no safe point to wait for."""
    transport = _Hanging()

    async def run() -> tuple[object, bool]:
        async with (
            httpx.AsyncClient(transport=transport) as http,
            maesn.AsyncClient(
                integration="abaconnect",
                base_url="https://maesn.test",
                http_client=http,
                timeout=0.2,
                max_retries=0,
                **KEYS,
            ) as client,
        ):
            timed_out = await _outcome(client.get_task("t"))
            try:
                await asyncio.wait_for(client.get_task("t"), 0.05)
            except TimeoutError:
                return timed_out, True
            return timed_out, False

    timed_out, cancelled = asyncio.run(run())
    assert isinstance(timed_out, maesn.APITimeoutError)
    assert cancelled
    assert transport.cancelled == 2
