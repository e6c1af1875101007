"""Property tests: whatever bytes come back, a call ends as a Task or a MaesnError, in time.

A raw-socket server answers each request with the example's bytes and closes the connection.
The client (no retries, a 1 s timeout, a 64 KiB size limit) must return a `Task` or raise a
`maesn.MaesnError`: never another exception, never later than its timeout allows, never holding
more than its size limit. Examples are small and bounded so the whole file runs in seconds.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import maesn
import pytest
from helpers import KEYS
from hostile_server import Conn, HostileServer, http_response, task_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TIMEOUT = 1.0
LIMIT = 64 * 1024
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Answers:
    """The bytes the server sends next (one example at a time)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data = b""

    def script(self, conn: Conn) -> None:
        """Read the request, send the current example, hang up."""
        if conn.read_request() is not None:
            with self.lock:
                data = self.data
            conn.send(data)


@pytest.fixture(scope="module")
def answers() -> Iterator[tuple[Answers, str]]:
    """One hostile server for the module, and the holder of what it answers."""
    holder = Answers()
    with HostileServer(holder.script) as server:
        yield holder, server.base_url


def _outcome(mode: str, base_url: str) -> object:
    kwargs: dict[str, Any] = {
        "integration": "abaconnect",
        "base_url": base_url,
        "timeout": TIMEOUT,
        "max_retries": 0,
        "max_response_bytes": LIMIT,
        **KEYS,
    }
    with warnings.catch_warnings():
        # A status the pinned spec does not know is a MaesnWarning, not a failure.
        warnings.simplefilter("ignore", maesn.MaesnWarning)
        try:
            if mode == "sync":
                with maesn.Client(**kwargs) as client:
                    return client.get_task("t")

            async def call() -> maesn.Task:
                async with maesn.AsyncClient(**kwargs) as client:
                    return await client.get_task("t")

            return asyncio.run(call())
        except maesn.MaesnError as exc:
            return exc


def _check(answers: tuple[Answers, str], mode: str, data: bytes) -> None:
    holder, base_url = answers
    with holder.lock:
        holder.data = data
    started = time.monotonic()
    outcome = _outcome(mode, base_url)
    elapsed = time.monotonic() - started
    assert isinstance(outcome, maesn.Task | maesn.MaesnError), repr(outcome)
    # Every example is sent at once and the connection closed: nothing may take the full
    # timeout plus more than a loaded machine's scheduling slack.
    assert elapsed < TIMEOUT + 2.0
    if isinstance(outcome, maesn.APIStatusError | maesn.ResponseValidationError) and isinstance(
        outcome.body, str
    ):
        assert len(outcome.body) <= LIMIT


modes = pytest.mark.parametrize("mode", ["sync", "async"])


@modes
@SETTINGS
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes(answers: tuple[Answers, str], mode: str, data: bytes) -> None:
    """Any bytes at all as the answer."""
    _check(answers, mode, data)


_status_lines = st.builds(
    lambda version, code, reason: f"{version} {code} {reason}".encode(errors="surrogateescape"),
    st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2", "HTTP/1.1x", "", "http/1.1"]),
    st.one_of(st.integers(-5, 1200), st.text(max_size=5)),
    st.text(max_size=30),
)


@modes
@SETTINGS
@given(status_line=_status_lines)
def test_arbitrary_status_lines(
    answers: tuple[Answers, str], mode: str, status_line: bytes
) -> None:
    """A valid body after any status line."""
    body = task_body()
    _check(answers, mode, status_line + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)


_header_names = st.one_of(
    st.sampled_from(
        [
            "Retry-After",
            "Content-Length",
            "Content-Encoding",
            "Transfer-Encoding",
            "Content-Type",
            "X-Request-Id",
            "Location",
        ]
    ),
    st.text(min_size=1, max_size=12),
)
_header_values = st.one_of(
    st.sampled_from(
        [
            "Fri, 31 Dec 99999999999999999999 23:59:59 GMT",
            "inf",
            "nan",
            "-1",
            "1e999",
            "99999999999999999999",
            "gzip",
            "br",
            "deflate",
            "chunked",
            "identity",
        ]
    ),
    st.text(max_size=40),
)


@modes
@SETTINGS
@given(
    status=st.sampled_from([200, 202, 301, 400, 401, 404, 429, 500, 503, 520]),
    headers=st.lists(st.tuples(_header_names, _header_values), max_size=5),
)
def test_arbitrary_headers(
    answers: tuple[Answers, str], mode: str, status: int, headers: list[tuple[str, str]]
) -> None:
    """Any headers (Retry-After, lengths, encodings included) around a valid body."""
    head = f"HTTP/1.1 {status} X\r\n".encode()
    for name, value in headers:
        head += name.encode(errors="surrogateescape") + b": "
        head += value.encode(errors="surrogateescape") + b"\r\n"
    _check(answers, mode, head + b"\r\n" + task_body())


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
_status = st.sampled_from(["FINISHED", "IN_PROGRESS", "FAILED", "PENDING", ""]) | st.text(
    max_size=10
)


@modes
@SETTINGS
@given(
    body=st.one_of(
        _json,
        st.builds(lambda data: {"data": data}, _json),
        st.builds(
            lambda status, information, data, meta: {
                "data": {"status": status, "information": information, "responseData": data},
                "meta": meta,
            },
            _status,
            _json,
            _json,
            _json,
        ),
    )
)
def test_arbitrary_json(answers: tuple[Answers, str], mode: str, body: Any) -> None:
    """Any JSON value, envelope-shaped or not, as a 200 body."""
    raw = json.dumps(body).encode()
    _check(answers, mode, http_response(200, raw, [("Content-Type", "application/json")]))
