"""Leftovers of the hostile-server review, each against a raw-socket server.

- a failure httpx raises outside `httpx.HTTPError` (a 3xx whose Location does not parse, a stream
  error, an unmapped h11/httpcore protocol error) is a typed APIConnectionError, not an escape;
- an export page of the wrong shape keeps a redacted body (redacted before anything is cut);
- a transport error names the method that failed, and says a write may have arrived;
- configuration errors name the argument that was wrong;
- every test RELIABILITY.md cites exists.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import warnings
from pathlib import Path
from typing import Any

import h11
import httpcore
import httpx
import maesn
import pytest
from helpers import API_KEY, KEYS, envelope, page_meta
from hostile_server import HostileServer, http_response, reply
from maesn._errors import error_from_transport
from maesn._flow import Connection, run
from maesn._redaction import REDACTED, escaped_forms
from maesn._retry import RetryPolicy
from maesn._sending import send_flow
from maesn.testing import FakeClock


def _get_task(mode: str, **client: Any) -> Any:
    """get_task("t-1") on a fresh Client or AsyncClient (abaconnect)."""
    kwargs = {"integration": "abaconnect", **KEYS, **client}
    if mode == "sync":
        with maesn.Client(**kwargs) as sync_client:
            return sync_client.get_task("t-1")

    async def call() -> Any:
        async with maesn.AsyncClient(**kwargs) as async_client:
            return await async_client.get_task("t-1")

    return asyncio.run(call())


@pytest.mark.parametrize("location", ["a:b", "x:y/z", "mailto:someone@example.com"])
def test_a_redirect_whose_location_does_not_parse_is_a_connection_error(
    mode: str,
    location: str,
    fake_clock: FakeClock,  # noqa: ARG001 - no retry sleeps for real
) -> None:
    """InvalidURL (no HTTPError) from building next_request: typed, and not retried."""
    answer = http_response(302, b"", [("Location", location)], reason="Found")
    with HostileServer(reply(answer)) as server:
        with pytest.raises(maesn.APIConnectionError) as caught:
            _get_task(mode, base_url=server.base_url)
        assert len(server.requests) == 1
    assert "GET /accounting/asyncTask/t-1" in str(caught.value)
    assert "InvalidURL" in str(caught.value)


@pytest.mark.parametrize(
    "raised",
    [
        httpx.StreamClosed(),
        httpx.ResponseNotRead(),
        httpx.InvalidURL("bad"),
        h11.RemoteProtocolError("bad framing"),
        httpcore.RemoteProtocolError("bad framing"),
        httpcore.LocalProtocolError("bad header"),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_untyped_transport_failures_become_connection_errors(
    mode: str,
    raised: Exception,
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """A transport (here a mock: the narrow unit) raising outside httpx.HTTPError is typed."""

    def handler(request: httpx.Request) -> httpx.Response:
        del request
        raise raised

    transport = httpx.MockTransport(handler)
    if mode == "sync":
        http: Any = httpx.Client(transport=transport)
    else:
        http = httpx.AsyncClient(transport=transport)
    with pytest.raises(maesn.APIConnectionError, match=type(raised).__name__):
        _get_task(mode, base_url="http://maesn.test", http_client=http)


def _export_server(response_data: Any) -> HostileServer:
    body = envelope("FINISHED", response_data=response_data, pagination=page_meta(2, 1))
    return HostileServer(reply(http_response(200, json.dumps(body).encode())))


def _export_pages(mode: str, base_url: str) -> list[maesn.TaskPage]:
    kwargs = {"integration": "datev-rewe-export", "company_id": "c-1", **KEYS}
    if mode == "sync":
        with maesn.Client(base_url=base_url, **kwargs) as client:
            return list(client.iter_task_pages("t-1"))

    async def pages() -> list[maesn.TaskPage]:
        async with maesn.AsyncClient(base_url=base_url, **kwargs) as client:
            return [page async for page in client.iter_task_pages("t-1")]

    return asyncio.run(pages())


@pytest.mark.parametrize("offset", [0, 1990, 1996, 5000])
def test_an_export_page_of_the_wrong_shape_keeps_a_redacted_body(mode: str, offset: int) -> None:
    """The body is redacted before anything is cut: no key, whole or in part, in any text."""
    echoed = {"rows": "x" * offset + API_KEY + " tail"}
    with _export_server(echoed) as server, pytest.raises(maesn.ResponseValidationError) as caught:
        _export_pages(mode, server.base_url)
    error = caught.value
    texts = [str(error), repr(error), error.body]
    for text in texts:
        for start in range(len(API_KEY) - 7):
            assert API_KEY[start : start + 8] not in text
    assert REDACTED in error.body
    assert " tail" in error.body  # kept whole: nothing after the key was cut away
    assert json.loads(error.body)["data"]["responseData"]["rows"].endswith(REDACTED + " tail")


QUOTED_KEY = "key'with\"quotes\\and-0123456789"
"""Printable ASCII as the client accepts it: JSON escapes its `"` and `\\`, repr its `'`."""


@pytest.mark.parametrize(
    "body",
    [
        {"statusCode": 401, "message": f"X-API-KEY {QUOTED_KEY} is invalid"},
        {"data": {"status": "FINISHED", "information": [QUOTED_KEY]}},
        {"data": {"status": QUOTED_KEY}},
    ],
    ids=["401-message", "information-not-an-object", "unknown-status"],
)
def test_a_key_with_quotes_and_backslashes_is_redacted_in_every_escaped_form(
    mode: str, body: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A key echoed in JSON (escaped there) or shown with repr is found in each form."""
    status = 401 if "statusCode" in body else 200
    answer = http_response(status, json.dumps(body).encode(), [("X-Echo", QUOTED_KEY)])
    caplog.set_level(logging.DEBUG)
    with HostileServer(reply(answer)) as server, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome: object = _get_task(mode, base_url=server.base_url, api_key=QUOTED_KEY)
        except maesn.MaesnError as exc:
            outcome = exc
    texts = [str(outcome), repr(outcome), *caplog.messages, *(str(w.message) for w in caught)]
    if isinstance(outcome, maesn.APIStatusError | maesn.ResponseValidationError):
        texts += [outcome.body if isinstance(outcome.body, str) else json.dumps(outcome.body)]
    if isinstance(outcome, maesn.Task):
        texts += [json.dumps(outcome.to_dict()), repr(outcome.envelope)]
    forms = escaped_forms(QUOTED_KEY)
    # as is, with \" and \\ (JSON, repr), with \' and \\ (repr); and percent-encoded
    assert {QUOTED_KEY, json.dumps(QUOTED_KEY)[1:-1], repr(QUOTED_KEY)[1:-1]} <= forms
    for text in texts:
        for form in forms:
            assert form not in text
        assert "0123456789" not in text


def _post(base_url: str) -> httpx.Request:
    return httpx.Request("POST", base_url + "/accounting/bookings", content=b"{}")


def test_a_write_that_may_have_arrived_says_so_and_names_its_method(
    fake_clock: FakeClock,
) -> None:
    """A POST whose connection dropped after sending: not 'retry later', and not 'GET'."""

    def drop(conn: Any) -> None:
        conn.read_request()  # read the whole request, then hang up without an answer

    with HostileServer(drop) as server, httpx.Client() as http:
        flow = send_flow(
            _post(server.base_url),
            policy=RetryPolicy(max_retries=3),
            clock=fake_clock,
            rng=random.Random(0),  # noqa: S311 - jitter
            redact=str,
            timeout=5.0,
        )
        with pytest.raises(maesn.APIConnectionError) as caught:
            run(flow, Connection(http))
        assert len(server.requests) == 1
    assert caught.value.may_have_been_applied is True
    message = str(caught.value)
    assert "for POST /accounting/bookings" in message
    assert "GET" not in message
    assert "retry later" not in message


def test_a_transport_error_without_its_request_still_names_the_method() -> None:
    """The request is passed in: the message names it even when httpx attached none."""
    error = error_from_transport(
        httpx.ConnectError("refused"),
        attempts=1,
        redact=str,
        request=httpx.Request("PUT", "http://127.0.0.1:9/accounting/invoices/1"),
    )
    assert "for PUT /accounting/invoices/1 from 127.0.0.1:9" in str(error)
    assert isinstance(error, maesn.APIConnectionError)
    assert (error.host, error.port) == ("127.0.0.1", 9)


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"api_key": ""}, "api_key"),
        ({"api_key": " key "}, "api_key"),
        ({"account_key": ""}, "account_key"),
        ({"account_key": "k\u00e9y"}, "account_key"),
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"base_url": "http://[::1"}, "base_url"),
        ({"base_url": "http://127.0.0.1:99999"}, "base_url"),
        ({"base_url": "http://u:p@example.com"}, "base_url"),
        ({"base_url": "http://example.com/?q=1"}, "base_url"),
        ({"base_url": "http://exa mple.com"}, "base_url"),
        ({"timeout": float("inf")}, "timeout"),
        ({"max_response_bytes": 0}, "max_response_bytes"),
    ],
)
def test_configuration_errors_name_their_argument(
    overrides: dict[str, Any], argument: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Program against ValidationError.argument: every configuration error sets it."""
    for name in ("MAESN_API_KEY", "MAESN_ACCOUNT_KEY", "MAESN_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    kwargs = {"integration": "abaconnect", **KEYS, **overrides}
    with pytest.raises(maesn.ValidationError) as caught:
        maesn.Client(**kwargs)
    assert caught.value.argument == argument


def test_every_test_reliability_md_names_exists() -> None:
    """RELIABILITY.md cites tests as `file::name` (or `::name` after its file): each must exist."""
    root = Path(__file__).parent.parent
    text = (root / "RELIABILITY.md").read_text(encoding="utf-8")
    cited: list[tuple[str, str]] = []
    current = ""
    for path, name in re.findall(r"`(tests/[\w/]+\.py)?::(\w+)`", text):
        current = path or current
        cited.append((current, name))
    assert len(cited) > 30
    missing = [
        f"{path}::{name}"
        for path, name in cited
        if not re.search(rf"^(async )?def {name}\(", (root / path).read_text(), re.MULTILINE)
    ]
    assert not missing
