"""Sending: the pure send flow, and Maesn's retry rules for reads and writes on real servers."""

from __future__ import annotations

import asyncio
import random
import socket
from typing import Any

import httpx
import maesn
import pytest
from helpers import API_KEY, KEYS
from hostile_server import HostileServer, hang, http_response, reply, task_body
from maesn._flow import Connection, Send, Sleep, run
from maesn._retry import RetryPolicy
from maesn._sending import send_flow
from maesn.testing import FakeClock, Fault, Sandbox


def _flow(request: httpx.Request, clock: FakeClock, **kwargs: Any) -> Any:
    options: dict[str, Any] = {
        "policy": RetryPolicy(max_retries=2),
        "clock": clock,
        "rng": random.Random(0),  # noqa: S311 - jitter
        "redact": lambda text: text.replace(API_KEY, "[redacted]"),
        "timeout": 5.0,
        **kwargs,
    }
    return send_flow(request, **options)


def _response(request: httpx.Request, status: int) -> httpx.Response:
    return httpx.Response(status, request=request, content=b"{}")


def test_the_flow_yields_sends_and_sleeps_and_does_no_io(
    fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Driven by hand: a 503 then a 200 is one Sleep between two Sends; nothing else is needed.

    The flow uses the clock it is given and never looks the current one up.
    """

    def no_lookup() -> None:
        raise AssertionError("send_flow looked up the current clock")

    monkeypatch.setattr(maesn._clock, "current", no_lookup)
    request = httpx.Request("GET", "http://nowhere.invalid/accounting/asyncTask/t")
    flow = _flow(request, fake_clock, max_bytes=123)
    first = next(flow)
    assert first == Send(request, timeout=5.0, max_bytes=123)
    sleep = flow.send(_response(request, 503))
    assert isinstance(sleep, Sleep)
    assert isinstance(flow.send(None), Send)
    with pytest.raises(StopIteration) as done:
        flow.send(_response(request, 200))
    response, attempts = done.value.value
    assert (response.status_code, attempts) == (200, 2)


def test_an_attempt_near_the_deadline_gets_only_the_time_left(fake_clock: FakeClock) -> None:
    """With a deadline 2.5 s away, the attempt's total timeout is 2.5 s, not the client's 5."""
    request = httpx.Request("GET", "http://nowhere.invalid/x")
    flow = _flow(request, fake_clock, deadline=fake_clock.monotonic() + 2.5)
    assert next(flow).timeout == pytest.approx(2.5)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_write_is_not_retried_on_any_status(method: str, fake_clock: FakeClock) -> None:
    """A 503 or 429 answer to a write is final: the write may have been done."""
    request = httpx.Request(method, "http://nowhere.invalid/accounting/bookings")
    for status in (429, 500, 503, 520):
        flow = _flow(request, fake_clock)
        next(flow)
        with pytest.raises(StopIteration) as done:
            flow.send(_response(request, status))
        assert done.value.value[1] == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_write_is_retried_when_nothing_could_be_sent(fake_clock: FakeClock) -> None:
    """Connection refused: no byte left, so sending the write again is safe."""
    request = httpx.Request("POST", f"http://127.0.0.1:{_free_port()}/accounting/bookings")
    with httpx.Client() as http, pytest.raises(maesn.APIConnectionError) as caught:
        run(_flow(request, fake_clock), Connection(http))
    assert caught.value.attempts == 3
    assert len(fake_clock.sleeps) == 2


@pytest.mark.parametrize(
    ("script", "error"),
    [
        (reply(b"", close=True), maesn.APIConnectionError),  # read the request, hung up
        (reply(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{", close=True), None),
        (hang, maesn.APITimeoutError),
    ],
    ids=["hung-up", "dropped-mid-body", "no-answer"],
)
def test_a_write_that_reached_the_server_is_never_sent_again(
    script: Any, error: type[Exception] | None, fake_clock: FakeClock
) -> None:
    """Once the server has read the write, a failure is raised, not retried (server's count)."""
    with HostileServer(script) as server, httpx.Client() as http:
        request = httpx.Request("POST", server.base_url + "/accounting/bookings", content=b"{}")
        with pytest.raises(error or maesn.APIConnectionError):
            run(_flow(request, fake_clock, timeout=0.5), Connection(http))
        assert len(server.requests) == 1
        assert fake_clock.sleeps == []


def test_a_get_that_failed_the_same_way_is_retried(fake_clock: FakeClock) -> None:
    """The same hang-up on a GET is retried: reading twice changes nothing."""
    answers = iter([b"", http_response(200, task_body())])

    def script(conn: Any) -> None:
        if conn.read_request() is not None:
            conn.send(next(answers))

    with HostileServer(script) as server, httpx.Client() as http:
        request = httpx.Request("GET", server.base_url + "/accounting/asyncTask/t")
        response, attempts = run(_flow(request, fake_clock), Connection(http))
        assert (response.status_code, attempts) == (200, 2)
        assert len(server.requests) == 2


def test_a_write_answered_503_reaches_the_sandbox_once(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """The sandbox's request log sees one POST, where a GET with the same fault is retried."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["FINISHED"])
    sandbox.inject(Fault.status(503), times=2, task_id=task_id)
    url, headers = sandbox.task_url(task_id), sandbox.headers
    with httpx.Client() as http:
        post = httpx.Request("POST", url, headers=headers)
        response, attempts = run(_flow(post, fake_clock), Connection(http))
        assert (response.status_code, attempts) == (503, 1)
        get = httpx.Request("GET", url, headers=headers)
        response, attempts = run(_flow(get, fake_clock), Connection(http))
        assert (response.status_code, attempts) == (200, 2)
    assert [(r.method, r.status) for r in sandbox.requests] == [
        ("POST", 503),
        ("GET", 503),
        ("GET", 200),
    ]


def test_a_redirect_is_never_followed_even_by_a_client_that_would(
    mode: str,
    fake_clock: FakeClock,  # noqa: ARG001 - no retry sleeps for real
) -> None:
    """A 3xx with Location is an error, also through an http_client with follow_redirects."""
    elsewhere = http_response(302, b"", [("Location", "http://127.0.0.1:9/steal")])
    with HostileServer(reply(elsewhere)) as server:
        kwargs: dict[str, Any] = {"integration": "abaconnect", "base_url": server.base_url, **KEYS}
        if mode == "sync":
            with (
                httpx.Client(follow_redirects=True) as http,
                maesn.Client(**kwargs, http_client=http) as client,
                pytest.raises(maesn.APIError),
            ):
                client.get_task("t")
        else:

            async def call() -> None:
                async with (
                    httpx.AsyncClient(follow_redirects=True) as http,
                    maesn.AsyncClient(**kwargs, http_client=http) as client,
                ):
                    await client.get_task("t")

            with pytest.raises(maesn.APIError):
                asyncio.run(call())
        assert len(server.requests) == 1


# -- every error after a write says whether it may have been applied (issue 19, class 6) -------


def _call(mode: str, sandbox: Sandbox, operation: str, **arguments: Any) -> maesn.APIError:
    """Call `client.auth.<operation>` on a fresh client of `mode`; return the APIError raised."""
    options: dict[str, Any] = {"integration": "abaconnect", "max_retries": 2}
    options |= {"api_key": sandbox.api_key, "account_key": sandbox.account_key}
    options["base_url"] = sandbox.base_url
    if mode == "sync":
        with maesn.Client(**options) as client, pytest.raises(maesn.APIError) as caught:
            getattr(client.auth, operation)(**arguments)
        return caught.value

    async def call() -> None:
        async with maesn.AsyncClient(**options) as client:
            await getattr(client.auth, operation)(**arguments)

    with pytest.raises(maesn.APIError) as caught:
        asyncio.run(call())
    return caught.value


SELECTIONS = {"environment_name": "e", "company_id": "c"}


@pytest.mark.parametrize("status", [500, 502, 503, 504, 520, 599])
def test_a_write_answered_5xx_says_it_may_have_been_applied(
    mode: str, status: int, sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """A POST answered 5xx is sent once and raises with may_have_been_applied=True."""
    sandbox.inject(Fault.status(status), operation="set_end_user_selections", times=3)
    error = _call(
        mode, sandbox, "set_end_user_selections", account_key=sandbox.account_key, **SELECTIONS
    )
    assert isinstance(error, maesn.ServerError)
    assert error.may_have_been_applied is True
    assert error.hint is not None
    assert "retry later" not in error.hint
    assert len(sandbox.requests) == 1
    assert fake_clock.sleeps == []


@pytest.mark.parametrize("status", [400, 404, 409, 429])
def test_a_write_refused_with_a_4xx_was_not_applied(
    mode: str, status: int, sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """A 4xx answer to a write says the server refused it: may_have_been_applied=False."""
    sandbox.inject(Fault.status(status), operation="set_end_user_selections")
    error = _call(
        mode, sandbox, "set_end_user_selections", account_key=sandbox.account_key, **SELECTIONS
    )
    assert isinstance(error, maesn.APIStatusError)
    assert error.status_code == status
    assert error.may_have_been_applied is False
    assert fake_clock.sleeps == []


def test_a_read_leaves_may_have_been_applied_unset(
    mode: str, sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """A GET changes nothing: its errors carry None, after its retries."""
    sandbox.inject(Fault.status(502), operation="test", times=3)
    error = _call(mode, sandbox, "test", account_key=sandbox.account_key)
    assert isinstance(error, maesn.ServerError)
    assert error.may_have_been_applied is None
    assert error.attempts == 3
    assert len(fake_clock.sleeps) == 2


def test_a_write_that_could_not_be_sent_was_not_applied(fake_clock: FakeClock) -> None:
    """Connection refused on every attempt: the POST never left, may_have_been_applied=False."""
    request = httpx.Request("POST", f"http://127.0.0.1:{_free_port()}/accounting/bookings")
    with httpx.Client() as http, pytest.raises(maesn.APIConnectionError) as caught:
        run(_flow(request, fake_clock), Connection(http))
    assert caught.value.may_have_been_applied is False
    assert caught.value.attempts == 3


@pytest.mark.parametrize(
    ("script", "error"),
    [(reply(b"", close=True), maesn.APIConnectionError), (hang, maesn.APITimeoutError)],
    ids=["hung-up", "no-answer"],
)
def test_a_write_without_an_answer_may_have_been_applied_a_read_unset(
    script: Any, error: type[maesn.APIError], fake_clock: FakeClock
) -> None:
    """After sending, no answer: True for the POST, None for the GET (same failure)."""
    with HostileServer(script) as server, httpx.Client() as http:
        for method, applied in (("POST", True), ("GET", None)):
            request = httpx.Request(method, server.base_url + "/accounting/bookings")
            flow = _flow(request, fake_clock, timeout=0.3, policy=RetryPolicy(max_retries=0))
            with pytest.raises(error) as caught:
                run(flow, Connection(http))
            assert caught.value.may_have_been_applied is applied
