"""Property tests of issue 11's promises that needed more than one client or one argument.

- Keys: with two clients alive at once and a `with_options` copy (its own account key), whatever
  each request's keys are echoed as, no key of any client is in any str, repr or log record of
  any logger at DEBUG (the root logger is captured), sync and async. A key sent in a query
  (`client.auth.test(account_key=...)`) and echoed back percent-encoded is in no text either,
  the httpx request and response an error carries included, in any encoding (`escaped_forms`).
- Durations: any `timeout`, `max_wait`, `poll_interval`, `max_interval` is refused with a
  ValidationError naming it before a request is sent, or accepted and bounded: the call
  completes (no OverflowError at the socket or in the event loop) and no wait sleeps past
  `max_wait`, whatever Retry-After the server sends.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus

import maesn
import pytest
from helpers import KEYS, envelope
from hostile_server import HostileServer, http_response, reply
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from leak_check import LogRecords, assert_no_key, capture_root_logs, httpx_texts, keys
from maesn._config import MAX_TIMEOUT
from maesn._validation import MAX_SECONDS
from maesn.testing import fake_clock

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PLACES = ["reason", "header", "Location", "Retry-After", "X-Request-Id", "body", "task", "at-300"]


def _sent_keys(request: bytes) -> str:
    """The X-API-KEY and X-ACCOUNT-KEY values of a raw request, as one string."""
    found = {}
    for line in request.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        found[name.strip().lower()] = value.strip().decode("latin-1")
    return f"{found.get(b'x-api-key', '')} {found.get(b'x-account-key', '')}"


def _echo(place: str, status: int) -> Any:
    """A responder echoing the keys each request carried, at `place`."""

    def respond(request: bytes) -> bytes:
        echoed = _sent_keys(request)
        headers = [("Content-Type", "application/json")]
        reason = "OK"
        body = json.dumps(envelope("FINISHED")).encode()
        if place == "reason":
            reason = f"No {echoed}"
        elif place == "header":
            headers.append(("X-Echo", echoed))
        elif place == "Location":
            headers.append(("Location", f"a:{echoed}"))
        elif place in {"Retry-After", "X-Request-Id"}:
            headers.append((place, echoed))
        elif place == "body":
            body = json.dumps({"message": f"rejected {echoed}"}).encode()
        elif place == "task":
            task = envelope(
                "FINISHED",
                information=[{"message": echoed, "type": "ERROR"}],
                warnings=[echoed],
                response_data={echoed: [echoed]},
            )
            body = json.dumps(task).encode()
        elif place == "at-300":
            body = b"x" * 297 + echoed.encode() + b" tail"
        return http_response(status, body, headers, reason=reason)

    return respond


@pytest.fixture(scope="module")
def records() -> Iterator[LogRecords]:
    """Every record of every logger, at DEBUG."""
    with capture_root_logs() as handler:
        yield handler


def _texts(outcome: object) -> list[str]:
    texts = [str(outcome), repr(outcome)]
    if isinstance(outcome, maesn.Task):
        texts += [json.dumps(outcome.to_dict()), repr(outcome.envelope), *outcome.messages]
        texts += list(outcome.warnings)
    if isinstance(outcome, BaseException):
        texts += [str(arg) for arg in outcome.args]
        texts += [repr(getattr(outcome, name, None)) for name in ("body", "text", "request_id")]
        texts += httpx_texts(outcome)
    return texts


def _outcomes(
    mode: str, base_url: str, first: tuple[str, str], second: tuple[str, str], third: str
) -> list[object]:
    """get_task on two live clients and a with_options copy of the first (own account key)."""
    options: dict[str, Any] = {"integration": "abaconnect", "base_url": base_url}
    options |= {"max_retries": 0, "strict_status": False}

    def outcome(call: Any) -> object:
        try:
            return call()
        except maesn.MaesnError as exc:
            return exc

    if mode == "sync":
        with (
            maesn.Client(api_key=first[0], account_key=first[1], **options) as one,
            maesn.Client(api_key=second[0], account_key=second[1], **options) as two,
        ):
            copy = one.with_options(account_key=third)
            return [outcome(lambda c=c: c.get_task("t-1")) for c in (one, two, copy)]

    async def run() -> list[object]:
        async with (
            maesn.AsyncClient(api_key=first[0], account_key=first[1], **options) as one,
            maesn.AsyncClient(api_key=second[0], account_key=second[1], **options) as two,
        ):
            copy = one.with_options(account_key=third)
            results: list[object] = []
            for client in (one, two, copy):
                try:
                    results.append(await client.get_task("t-1"))
                except maesn.MaesnError as exc:
                    results.append(exc)
            return results

    return asyncio.run(run())


@SETTINGS
@given(
    all_keys=st.lists(keys, min_size=5, max_size=5, unique=True),
    place=st.sampled_from(PLACES),
    status=st.sampled_from([200, 302, 401, 429, 500]),
    mode=st.sampled_from(["sync", "async"]),
)
def test_no_key_of_any_live_client_in_any_text_or_log_record(
    records: LogRecords, all_keys: list[str], place: str, status: int, mode: str
) -> None:
    """Two clients and a copy alive at once: every key stays out of every text and record."""
    # One key inside another would be redacted as part of the longer one's text: a different
    # property (test_redaction covers overlapping keys).
    assume(not any(a != b and a in b for a in all_keys for b in all_keys))
    records.messages.clear()
    with (
        HostileServer(reply(_echo(place, status))) as server,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        outcomes = _outcomes(
            mode,
            server.base_url,
            (all_keys[0], all_keys[1]),
            (all_keys[2], all_keys[3]),
            all_keys[4],
        )
        assert len(server.requests) == 3
    assert records.messages, "DEBUG logging captured nothing: the test would prove nothing"
    texts = [text for outcome in outcomes for text in _texts(outcome)]
    texts += records.messages + [str(w.message) for w in caught]
    assert_no_key(texts, all_keys)


def _echo_target(status: int, place: str) -> Any:
    """Answer `status`, echoing the request target (the key percent-encoded in it) at `place`."""

    def respond(request: bytes) -> bytes:
        target = request.split(b" ", 2)[1].decode("latin-1")
        headers = [("Content-Type", "application/json")]
        reason, body = "Whatever", b"{}"
        if place == "reason":
            reason = f"No {target}"
        elif place in {"Location", "X-Request-Id", "X-Echo"}:
            headers.append((place, target))
        elif place == "body":
            body = json.dumps({"message": f"rejected {target}"}).encode()
        elif place == "decoded-body":
            body = json.dumps({"message": f"rejected {unquote_plus(target)}"}).encode()
        return http_response(status, body, headers, reason=reason)

    return respond


@SETTINGS
@given(
    api_key=keys,
    account_key=keys,
    status=st.sampled_from([302, 400, 401, 429, 500, 502]),
    place=st.sampled_from(["reason", "Location", "X-Request-Id", "X-Echo", "body", "decoded-body"]),
    mode=st.sampled_from(["sync", "async"]),
)
def test_no_key_sent_in_a_query_in_any_text_repr_or_log_record(  # noqa: PLR0917 - hypothesis's
    records: LogRecords, api_key: str, account_key: str, status: int, place: str, mode: str
) -> None:
    """auth.test(account_key=...) puts the key in the URL: no encoding of it shows anywhere.

    The server echoes the request target (the key percent-encoded, as httpx sent it, or decoded);
    the error's str, repr, fields, its httpx request and response (reprs, URL, headers, reason
    phrase, body) and every log record are free of every form of both keys.
    """
    assume(api_key not in account_key and account_key not in api_key)
    records.messages.clear()
    options: dict[str, Any] = {"integration": "abaconnect", "max_retries": 0}
    options |= {"api_key": api_key, "account_key": account_key}
    outcome: object = None
    with HostileServer(reply(_echo_target(status, place))) as server:
        options["base_url"] = server.base_url
        try:
            if mode == "sync":
                with maesn.Client(**options) as client:
                    client.auth.test(account_key=account_key)
            else:

                async def call() -> None:
                    async with maesn.AsyncClient(**options) as client:
                        await client.auth.test(account_key=account_key)

                asyncio.run(call())
        except maesn.APIStatusError as exc:
            outcome = exc
        assert len(server.requests) == 1
    assert isinstance(outcome, maesn.APIStatusError)
    assert records.messages, "DEBUG logging captured nothing: the test would prove nothing"
    assert_no_key([*_texts(outcome), *records.messages], [api_key, account_key])


durations = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([True, False, None, "1", 0, MAX_TIMEOUT, MAX_SECONDS, 9.3e9, 1e-300]),
)


@pytest.fixture(scope="module")
def finished() -> Iterator[HostileServer]:
    """Answers every poll at once with a finished task."""
    body = json.dumps(envelope("FINISHED")).encode()
    with HostileServer(reply(http_response(200, body))) as server:
        yield server


@SETTINGS
@given(timeout=durations, mode=st.sampled_from(["sync", "async", "with_options"]))
def test_any_timeout_is_refused_or_accepted_and_sent_without_overflow(
    finished: HostileServer, timeout: Any, mode: str
) -> None:
    """A refused timeout names `timeout`; an accepted one is finite, bounded and never overflows."""
    assume(not (mode == "with_options" and timeout is None))  # None keeps the current value
    kwargs = {"integration": "abaconnect", "base_url": finished.base_url, **KEYS}
    kwargs["max_retries"] = 0
    before = len(finished.requests)
    outcome: object
    try:
        if mode == "sync":
            with maesn.Client(timeout=timeout, **kwargs) as client:
                outcome = client.get_task("t-1")
        elif mode == "with_options":
            with maesn.Client(**kwargs) as client:
                outcome = client.with_options(timeout=timeout).get_task("t-1")
        else:

            async def call() -> maesn.Task:
                async with maesn.AsyncClient(timeout=timeout, **kwargs) as client:
                    return await client.get_task("t-1")

            outcome = asyncio.run(call())
    except maesn.ValidationError as exc:
        outcome = exc
    except maesn.APITimeoutError as exc:
        outcome = exc  # a timeout of a few nanoseconds runs out: typed, as it should be
    if isinstance(outcome, maesn.ValidationError):
        assert outcome.argument == "timeout"
        assert len(finished.requests) == before  # refused before anything was sent
        return
    assert isinstance(outcome, maesn.Task | maesn.APITimeoutError)
    assert 0 < timeout <= MAX_TIMEOUT


def _pending_then_finished(retry_after: str) -> Any:
    polls: list[bytes] = []

    def respond(request: bytes) -> bytes:
        polls.append(request)
        status = "IN_PROGRESS" if len(polls) == 1 else "FINISHED"
        body = json.dumps(envelope(status)).encode()
        return http_response(200, body, [("Retry-After", retry_after)])

    return respond


@SETTINGS
@given(
    name=st.sampled_from(["max_wait", "poll_interval", "max_interval"]),
    value=durations,
    retry_after=st.sampled_from(["1e15", "99999999999", "Fri, 31 Dec 9999 23:59:59 GMT", "5"]),
    mode=st.sampled_from(["sync", "async"]),
)
def test_any_wait_duration_is_refused_or_bounds_every_sleep(
    name: str, value: Any, retry_after: str, mode: str
) -> None:
    """Accepted durations keep every sleep within max_wait (the clock is virtual here)."""
    arguments: dict[str, Any] = {"max_wait": 60.0, "poll_interval": 1.0, "max_interval": 30.0}
    arguments[name] = value
    if name == "max_interval" and isinstance(value, int | float) and not isinstance(value, bool):
        arguments["poll_interval"] = min(1.0, value) if value > 0 else 1.0
    with HostileServer(reply(_pending_then_finished(retry_after))) as server, fake_clock() as clock:
        kwargs = {"integration": "abaconnect", "base_url": server.base_url, **KEYS}
        started = clock.monotonic()
        try:
            if mode == "sync":
                with maesn.Client(**kwargs) as client:
                    outcome: object = client.wait_for_task("t-1", **arguments)
            else:

                async def wait() -> maesn.Task:
                    async with maesn.AsyncClient(**kwargs) as client:
                        return await client.wait_for_task("t-1", **arguments)

                outcome = asyncio.run(wait())
        except (maesn.ValidationError, maesn.TaskTimeoutError) as exc:
            outcome = exc
        slept = clock.monotonic() - started
        sent = len(server.requests)
    if isinstance(outcome, maesn.ValidationError):
        assert outcome.argument in {"max_wait", "poll_interval", "max_interval"}
        assert sent == 0  # refused before anything was sent
        return
    assert isinstance(outcome, maesn.Task | maesn.TaskTimeoutError)
    assert 0 <= slept <= arguments["max_wait"] <= MAX_SECONDS
    # What the real clock is then asked to sleep fits time.sleep's nanosecond counter.
    assert MAX_SECONDS * 1e9 < 2**63
