"""The API key and account key never appear in a repr, an error or a log line."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus

import httpx
import maesn
import pytest
from helpers import ACCOUNT_KEY, API_KEY, KEYS, Harness, envelope
from hostile_server import HostileServer, hang, http_response, reply
from maesn import _redaction
from maesn._redaction import REDACTED, Redactor, Secret
from maesn.testing import Sandbox
from scripted_server import ScriptedServer


def _assert_clean(text: str) -> None:
    assert API_KEY not in text
    assert ACCOUNT_KEY not in text


def test_client_repr_hides_the_keys() -> None:
    """repr(client) shows its configuration, not its keys."""
    for cls in (maesn.Client, maesn.AsyncClient):
        client = cls(integration="datev-rewe", company_id="c-1", **KEYS)
        text = repr(client)
        _assert_clean(text)
        assert "api_key='***'" in text
        assert "datev-rewe" in text
        assert "c-1" in text


@pytest.mark.parametrize("status", [400, 401, 429, 500])
def test_errors_never_contain_the_keys_even_when_the_server_echoes_them(
    harness: Harness, scripted_server: ScriptedServer, status: int
) -> None:
    """A server that echoes a key in its error body does not leak it into our messages."""
    echo = {"message": f"key {API_KEY} with account {ACCOUNT_KEY} rejected"}
    scripted_server.reply(status, echo)
    with pytest.raises(maesn.APIStatusError) as caught:
        harness.get_task("t-1", max_retries=0)
    error = caught.value
    for text in (str(error), repr(error), *map(str, error.args)):
        _assert_clean(text)
    assert "[redacted]" in str(error)


def test_response_validation_errors_redact_echoed_keys(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """The excerpt of a malformed body in a message is redacted as well."""
    scripted_server.reply(200, f"<html>{API_KEY}</html>".encode())
    with pytest.raises(maesn.ResponseValidationError) as caught:
        harness.get_task("t-1")
    _assert_clean(str(caught.value))
    _assert_clean(repr(caught.value))


def test_logs_never_contain_the_keys(
    harness: Harness, scripted_server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Debug lines per attempt and warning lines carry no key, even echoed ones."""
    caplog.set_level(logging.DEBUG)
    scripted_server.reply(503, {"message": API_KEY})
    scripted_server.reply(200, envelope("FINISHED", warnings=[f"echo {ACCOUNT_KEY}"]))
    harness.get_task("t-1")
    assert caplog.records
    for record in caplog.records:
        _assert_clean(record.getMessage())


def test_one_debug_line_per_attempt(
    harness: Harness, scripted_server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Each attempt logs method, path, status, attempt number and elapsed time."""
    caplog.set_level(logging.DEBUG, logger="maesn")
    scripted_server.reply(503, {})
    scripted_server.reply(200, envelope("FINISHED"))
    harness.get_task("t-1")
    lines = [
        r.getMessage() for r in caplog.records if r.name == "maesn" and r.levelno == logging.DEBUG
    ]
    assert len(lines) == 2
    assert lines[0].startswith("GET /accounting/asyncTask/t-1 -> 503 (attempt 1, ")
    assert lines[1].startswith("GET /accounting/asyncTask/t-1 -> 200 (attempt 2, ")
    assert lines[1].endswith(" ms)")


def test_meta_warnings_are_logged_once_per_task(
    scripted_server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Polling the same task repeats its warnings; the log says each once."""
    caplog.set_level(logging.WARNING, logger="maesn")
    for _ in range(3):
        scripted_server.reply(
            200, envelope("FINISHED", warnings=["Field not used by target system"])
        )
    with maesn.Client(
        integration="abaconnect", base_url=scripted_server.base_url, **KEYS
    ) as client:
        for _ in range(3):
            task = client.get_task("t-1")
    assert task.warnings == ("Field not used by target system",)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["task t-1: Maesn warns: Field not used by target system"]


def test_user_agent_names_client_python_and_httpx(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """Every request says who is calling."""
    import platform  # noqa: PLC0415

    import httpx  # noqa: PLC0415

    scripted_server.reply(200, envelope("FINISHED"))
    harness.get_task("t-1")
    assert scripted_server.requests[0].headers["User-Agent"] == (
        f"maesn-client/{maesn.__version__} python/{platform.python_version()} "
        f"httpx/{httpx.__version__}"
    )


def test_task_texts_echoing_a_key_are_redacted_in_errors_warnings_and_reprs(
    fake_clock: object,
) -> None:
    """Information, warnings and an unknown status that echo a key never carry it further."""
    del fake_clock
    with Sandbox(account_key=ACCOUNT_KEY, api_key=API_KEY) as sandbox:
        failing = sandbox.add_task(
            "datev-rewe",
            lifecycle=["FAILED"],
            information=[{"message": f"account {ACCOUNT_KEY} is locked", "type": "error"}],
            warnings=[f"api key {API_KEY} is old"],
        )
        odd = sandbox.add_task("datev-rewe", lifecycle=[API_KEY])
        with maesn.Client(
            integration="datev-rewe", company_id="c", base_url=sandbox.base_url, **KEYS
        ) as client:
            with pytest.raises(maesn.TaskFailedError) as failed:
                client.wait_for_task(failing)
            with (
                pytest.warns(maesn.MaesnWarning) as warned,
                pytest.raises(maesn.UnexpectedTaskStatusError) as unexpected,
            ):
                client.wait_for_task(odd)
    for text in (
        str(failed.value),
        repr(failed.value.task),
        str(unexpected.value),
        repr(unexpected.value.task),
        *(str(w.message) for w in warned),
    ):
        _assert_clean(text)
    assert "[redacted]" in str(failed.value)
    assert failed.value.task.warnings == ("api key [redacted] is old",)


def _redactor(*keys: str) -> Redactor:
    return Redactor(Secret(key) for key in keys)


def test_redaction_is_one_pass_so_the_marker_is_never_rewritten() -> None:
    """A key that is part of the marker, or a key inside another key, never nests markers."""
    redact = _redactor("redacted-key-1", "dacted-key-1234")
    assert redact("x redacted-key-1 y dacted-key-1234") == f"x {REDACTED} y {REDACTED}"
    longer = _redactor("abcdefgh", "abcdefgh-ijkl")
    assert longer("k=abcdefgh-ijkl;") == f"k={REDACTED};"  # the longest key wins, replaced whole


@pytest.mark.parametrize("short", ["test", "a", "redacted", "e"])
def test_short_keys_are_replaced_only_as_whole_words(short: str) -> None:
    """Short keys never corrupt words, task data or the marker; standing alone they are hidden."""
    redact = _redactor(short, "a-long-account-key-77d2")
    assert redact("Document tested at latest") == "Document tested at latest"
    assert redact(f"key {short} rejected") == f"key {REDACTED} rejected"
    assert redact(f"[{short}]") == f"[{REDACTED}]"
    assert redact(REDACTED) == REDACTED or short == "redacted"
    assert redact("a-long-account-key-77d2") == REDACTED


def test_the_log_filter_holds_client_redactors_weakly() -> None:
    """A closed and dropped client leaves nothing registered on httpx's loggers."""
    import gc  # noqa: PLC0415

    gc.collect()
    before = len(_redaction._FILTER.redactors)
    client = maesn.Client(integration="abaconnect", **KEYS)
    assert len(_redaction._FILTER.redactors) == before + 1
    assert _redaction._FILTER in logging.getLogger("httpcore.http11").filters
    client.close()
    del client
    gc.collect()
    assert len(_redaction._FILTER.redactors) == before


def test_secret_never_shows_its_value() -> None:
    """repr, str and format of a Secret hide the key; reveal() is the only way out."""
    secret = Secret(API_KEY)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}"):
        _assert_clean(text)
    assert secret.reveal() == API_KEY


def test_a_key_formed_across_an_inserted_marker_is_not_shown() -> None:
    """Replacing one key can put the marker's tail before text that completes another key."""
    redact = _redactor("SECRET123456", "acted]tail1")
    assert "acted]tail1" not in redact("SECRET123456tail1")
    ordinary = _redactor("SECRET123456", "other-key-999")
    assert ordinary("a SECRET123456 b") == f"a {REDACTED} b"


# -- keys in URLs: every encoding a key takes on the way (issue 19, class 4) ----------------------

URL_KEY = "acc+key/x y&z=1'\"\\~%"
"""An account key with every character a query or a repr encodes (printable ASCII, accepted)."""


def test_every_encoding_of_a_key_is_in_escaped_forms() -> None:
    """quote, quote_plus (either hex case), JSON and repr escapes: the forms leak checks look for."""
    forms = _redaction.escaped_forms(URL_KEY)
    assert {quote(URL_KEY, safe=""), quote(URL_KEY), quote_plus(URL_KEY)} <= forms
    assert quote_plus(URL_KEY).lower() in {form.lower() for form in forms}
    assert json.dumps(URL_KEY)[1:-1] in forms
    assert repr(URL_KEY)[1:-1] in forms


@pytest.mark.parametrize(
    "encode",
    [
        lambda key: key,
        lambda key: quote(key, safe=""),
        quote,
        quote_plus,
        lambda key: quote_plus(key).lower(),
        lambda key: str(httpx.URL("http://h/p", params={"accountKey": key})).split("=", 1)[1],
        lambda key: json.dumps(key)[1:-1],
        lambda key: json.dumps(key, ensure_ascii=True).replace("/", "\\/")[1:-1],
        lambda key: "".join(c if c.isalnum() else f"\\u{ord(c):04X}" for c in key),
        lambda key: repr(key)[1:-1],
        lambda key: repr(key.encode())[2:-1],
    ],
    ids=[
        "plain",
        "quote",
        "quote-path",
        "quote-plus",
        "lower-hex",
        "httpx",
        "json",
        "json-slash",
        "json-unicode",
        "repr",
        "bytes-repr",
    ],
)
def test_a_key_is_redacted_in_every_encoding(encode: Callable[[str], str]) -> None:
    """Whatever encoded the key (a URL, JSON, a repr), the redactor replaces it whole."""
    redact = _redactor(URL_KEY, API_KEY)
    encoded = encode(URL_KEY)
    assert redact(f"GET /auth/test?accountKey={encoded}&x=1") == (
        f"GET /auth/test?accountKey={REDACTED}&x=1"
    )


def _echo_query(status: int) -> Callable[[bytes], bytes]:
    """Answer `status`, echoing the request target in the reason phrase, a header and the body."""

    def respond(request: bytes) -> bytes:
        target = request.split(b" ", 2)[1].decode("latin-1")
        body = json.dumps({"message": f"rejected {target}", "target": unquote_plus(target)})
        return http_response(
            status,
            body.encode(),
            [("Content-Type", "application/json"), ("X-Echo", target)],
            reason=f"No {target}",
        )

    return respond


def _auth_test(mode: str, base_url: str, **options: Any) -> maesn.APIError:
    """client.auth.test(account_key=URL_KEY) on a client whose account key is URL_KEY."""
    kwargs: dict[str, Any] = {"integration": "abaconnect", "base_url": base_url}
    kwargs |= {"api_key": API_KEY, "account_key": URL_KEY, "max_retries": 0, **options}
    if mode == "sync":
        with maesn.Client(**kwargs) as client, pytest.raises(maesn.APIError) as caught:
            client.auth.test(account_key=URL_KEY)
        return caught.value

    async def call() -> None:
        async with maesn.AsyncClient(**kwargs) as client:
            await client.auth.test(account_key=URL_KEY)

    with pytest.raises(maesn.APIError) as caught:
        asyncio.run(call())
    return caught.value


def _error_texts(error: maesn.APIError) -> list[str]:
    texts = [str(error), repr(error), *map(str, error.args), repr(vars(error))]
    if isinstance(error, maesn.APIStatusError):
        response, request = error.response, error.request
        texts += [repr(response), repr(request), str(response.url), str(request.url)]
        texts += [repr(response.headers), repr(request.headers), response.reason_phrase]
        texts += [response.text, repr(response.content), repr(request.content)]
        texts += [repr(error.headers), repr(response.request)]
    return texts


def _assert_no_form(texts: list[str], *keys: str) -> None:
    forms = {form for key in keys for form in _redaction.escaped_forms(key)}
    for text in texts:
        for form in forms:
            assert form not in text, (form, text)


@pytest.mark.parametrize("status", [302, 401, 500])
def test_a_key_sent_in_a_query_is_in_no_error_repr_or_log_record(
    mode: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    """The account key as a query parameter, echoed back: absent from every text, repr and log."""
    caplog.set_level(logging.DEBUG)
    with HostileServer(reply(_echo_query(status))) as server:
        error = _auth_test(mode, server.base_url)
    assert isinstance(error, maesn.APIStatusError)
    assert error.status_code == status
    texts = _error_texts(error) + [record.getMessage() for record in caplog.records]
    assert any(record.name == "httpx" for record in caplog.records)
    assert any(record.name == "maesn" for record in caplog.records)
    _assert_no_form(texts, URL_KEY, API_KEY)
    assert REDACTED in error.response.reason_phrase
    assert error.request.url.params["accountKey"] == REDACTED
    assert isinstance(error.body, dict)
    assert error.body["target"].endswith(REDACTED)


def test_a_key_in_a_query_is_absent_from_a_timeout_error(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """No answer: the transport error names the path, its query redacted."""
    caplog.set_level(logging.DEBUG)
    with HostileServer(hang) as server:
        error = _auth_test(mode, server.base_url, timeout=0.2)
    assert isinstance(error, maesn.APITimeoutError)
    assert "/auth/test?accountKey=" in str(error)
    _assert_no_form(_error_texts(error) + [r.getMessage() for r in caplog.records], URL_KEY)
