"""From an HTTP answer to a `Task` or a typed error: the one place responses are interpreted.

A 2xx body must be the async-task envelope the spec describes (`AsyncTaskEnvelope`: `data` with
`status`, `information` and `responseData`; `meta` with `warnings` and `pagination`). It is
checked field by field here, strictly: a body of another shape is a `ResponseValidationError`
keeping the raw body, never a half-parsed Task. Bodies are decoded with orjson when the `fast`
extra is installed, and with the standard library's json where orjson refuses a valid body
(integers beyond 64 bits, NaN and Infinity): both give the same Task.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import urllib.request
from collections.abc import Callable
from typing import Any

import httpx

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ResponseValidationError,
    applied_advice,
    excerpt,
    make_status_error,
    write_may_have_been_applied,
)
from ._hints import status_hint
from ._models import Pagination, Task, TaskInformation
from ._profiles import Integration
from ._redaction import redact_json
from ._retry import parse_retry_after
from ._status import TaskStatus

__all__ = [
    "DECODED_BUDGET_FACTOR",
    "FAST_JSON",
    "decode_json",
    "decoded_budget",
    "decoded_cost",
    "decoded_cost_exceeds",
    "envelope_pagination",
    "envelope_warnings",
    "error_from_response",
    "error_from_transport",
    "request_id_of",
    "task_from_payload",
    "task_from_response",
]

orjson: Any
try:
    orjson = importlib.import_module("orjson")
except ImportError:  # pragma: no cover - depends on the `fast` extra
    orjson = None

Redact = Callable[[str], str]
FAST_JSON = orjson is not None
"""True when orjson (the `fast` extra) is installed and decodes bodies."""
_REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "x-correlation-id", "request-id")
_KNOWN_STATUSES = {status.value: status for status in TaskStatus}
_INFORMATION_FIELDS = ("message", "type", "filename", "timestamp")
_COUNTS = (("total", "total"), ("perPage", "per_page"), ("currentPage", "current_page"))
_DEFAULT_PORTS = {"http": 80, "https": 443}


_DIGITS_ONLY = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))  # noqa: PLR2004
_LONG_NUMBER = b"0" * 19
"""orjson decodes integers outside [-2**63, 2**64) as floats, silently losing digits: a body with
a run of 19 or more digits anywhere is left to json (which keeps every integer exact)."""


DECODED_PER_BYTE = 20
"""Decoding cost of a body byte (a float or short string costs up to ~20 bytes per body byte)."""
DECODED_PER_CONTAINER = {b"[": 48, b"{": 64, b'"': 48}
"""And on top, per `[` (a list), `{` (a dict) and `"` (half a string): what each costs beyond
its bytes. `[[],[],...]` costs ~33 bytes per body byte (orjson), where an export page costs 5-16."""
DECODED_BUDGET_FACTOR = 4
"""A body is decoded only if its estimated cost is at most this many times max_response_bytes
(1 GiB at the default 256 MiB): a 50,000-entry export page (~20 MB) is estimated at ~0.6 GB."""
MIN_DECODED_BUDGET = 64 * 1024 * 1024
"""The budget is at least this (a small max_response_bytes still lets ordinary bodies decode)."""


def decoded_budget(max_bytes: int) -> int:
    """The most memory (estimated) decoding one body may take, for a client's max_response_bytes."""
    return max(DECODED_BUDGET_FACTOR * max_bytes, MIN_DECODED_BUDGET)


_JSON_VALUE = re.compile(rb'[ \t\r\n]*(?:\xef\xbb\xbf)?[ \t\r\n]*[\[{"]')
"""A body that starts (after whitespace and a BOM) a list, an object or a string."""


def decoded_cost(raw: bytes) -> int:
    """An upper estimate of the memory decoding `raw` as JSON takes at its peak, in bytes.

    Measured (tracemalloc) on the costliest shapes per byte for orjson and json: empty lists,
    empty and one-entry objects, short strings, floats, integers, astral strings. Bodies that do
    not start a list, an object or a string cost nothing to refuse (the decoder fails at once).
    Three byte counts, done only when a cheaper bound does not settle it.
    """
    if not _JSON_VALUE.match(raw):
        return 0
    return len(raw) * DECODED_PER_BYTE + sum(
        raw.count(char) * cost for char, cost in DECODED_PER_CONTAINER.items()
    )


def decoded_cost_exceeds(raw: bytes, budget: int) -> int | None:
    """`decoded_cost(raw)` when it is over `budget`, else None (without counting, when it cannot be)."""
    most = len(raw) * (DECODED_PER_BYTE + max(DECODED_PER_CONTAINER.values()))
    if most <= budget:
        return None
    cost = decoded_cost(raw)
    return cost if cost > budget else None


def decode_json(raw: bytes, *, fast: bool = True) -> Any:
    """Decode a JSON body: orjson when `fast` and installed, else (or where orjson refuses) json.

    orjson refuses NaN and Infinity, which json accepts; and it would turn integers beyond 64 bits
    into floats, so bodies that may hold one (19+ digits in a row, found with one translate and
    one substring search) go to json. Both paths give the same values.
    """
    if fast and orjson is not None and _LONG_NUMBER not in raw.translate(_DIGITS_ONLY):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # NaN, Infinity, a BOM, lone surrogates...: json decides, and reports errors
    return json.loads(raw)


def request_id_of(response: httpx.Response, redact: Redact | None = None) -> str | None:
    """The request id the server sent, if any (redacted when `redact` is given)."""
    for header in _REQUEST_ID_HEADERS:
        if value := response.headers.get(header):
            return redact(str(value)) if redact else str(value)
    return None


def _text(raw: bytes) -> str:
    # Decoded only on the error path: a 50,000-entry page is ~20 MB of text nobody needs.
    return raw.decode("utf-8", errors="replace")


def _safe_retry_after(response: httpx.Response) -> float | None:
    try:
        return parse_retry_after(response.headers.get("Retry-After"))
    except (OverflowError, ValueError):
        return None


def error_from_response(
    response: httpx.Response,
    *,
    attempts: int,
    redact: Redact,
    operation: str | None = None,
    task_id: str | None = None,
    integration: str | None = None,
    documented: str | None = None,
) -> APIStatusError:
    """The typed error for a non-2xx response; keeps its body (decoded), status and request id.

    Everything is redacted first; messages shorten the redacted text afterwards. The hint names
    what the call used (`status_hint`): the operation or the task id, the integration, and the
    companyId the request sent; `documented` adds what Maesn's docs say about the operation on
    that integration (`_rules.not_supported_hint`).
    """
    hint = status_hint(
        response.status_code,
        operation=operation,
        task_id=task_id,
        integration=integration,
        company_id=response.request.url.params.get("companyId"),
    )
    if documented:
        hint = f"{hint}. {documented}" if hint else documented
    text = redact(_text(response.content))
    body: object = text
    with contextlib.suppress(ValueError, RecursionError):
        body = redact_json(decode_json(response.content), redact)
    return make_status_error(
        response,
        body=body,
        text=text,
        request_id=request_id_of(response, redact),
        attempts=attempts,
        redact=redact,
        retry_after=_safe_retry_after(response),
        hint=redact(hint) if hint else None,
    )


def _environment_proxy(url: httpx.URL) -> str | None:
    """The proxy HTTP_PROXY/HTTPS_PROXY/ALL_PROXY name for `url` (NO_PROXY honoured), if any."""
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(url.host):
        return None
    return proxy


def _without_credentials(proxy: str) -> str:
    try:
        return str(httpx.URL(proxy).copy_with(username=None, password=None))
    except (httpx.InvalidURL, ValueError, TypeError):
        return "(a proxy URL that does not parse)"


def error_from_transport(
    exc: httpx.HTTPError,
    *,
    attempts: int,
    redact: Redact,
    proxy: str | None = None,
    request: httpx.Request | None = None,
    sent: bool = True,
) -> APIError:
    """The typed error for an httpx failure (no usable answer).

    Names the method, path, host and port of `request` (else of the one httpx attached to
    `exc`), and the proxy when one was in use (`proxy`, else the one the environment names for
    that URL, which httpx honours by default). `sent`: False when the failure proves no byte of
    the request left (no connection, no pool slot). A write that may have been applied says so
    (`may_have_been_applied`), and the advice is to check its effect, not to send it again.
    """
    where = ""
    host: str | None = None
    port: int | None = None
    if request is None:
        try:
            request = exc.request
        except RuntimeError:
            request = None
    if request is not None:
        url = request.url
        host, port = url.host, url.port or _DEFAULT_PORTS.get(url.scheme)
        proxy = proxy if proxy is not None else _environment_proxy(url)
        path = url.raw_path.decode("ascii", errors="replace")
        where = f" for {request.method} {path} from {host}:{port}"
    shown_proxy = _without_credentials(proxy) if proxy else None
    via = f" via the proxy {shown_proxy}" if shown_proxy else ""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    retries = "" if attempts == 1 else f" (after {attempts} attempts)"
    applied: bool | None = None
    later = "retry later"
    if request is not None:
        applied = write_may_have_been_applied(request.method, sent=sent)
        later = applied_advice(request.method) if applied else later
    fields: dict[str, Any] = {"host": host, "port": port, "proxy": shown_proxy}
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            redact(
                f"no answer in time{where}{via}{retries} ({detail}); raise timeout=... or {later}"
            ),
            attempts=attempts,
            may_have_been_applied=applied,
            **fields,
        )
    if isinstance(exc, httpx.DecodingError):
        return ResponseValidationError(
            redact(f"the response body{where} could not be decoded ({detail})"),
            body="",
            attempts=attempts,
            may_have_been_applied=applied,
        )
    check = "the proxy, " if shown_proxy else ""
    return APIConnectionError(
        redact(
            f"no complete answer{where}{via}{retries} ({detail}); check base_url, {check}and "
            f"the network, or {later}"
        ),
        attempts=attempts,
        may_have_been_applied=applied,
        **fields,
    )


def _invalid(
    reason: str, raw: bytes, status_code: int, attempts: int, redact: Redact
) -> ResponseValidationError:
    text = redact(_text(raw))
    return ResponseValidationError(
        f"the {status_code} response is not the async-task envelope: {reason}. "
        f"Body: {excerpt(text) or '(empty)'}",
        body=text,
        status_code=status_code,
        attempts=attempts,
    )


def task_from_response(
    response: httpx.Response,
    *,
    task_id: str,
    integration: Integration | str | None,
    attempts: int,
    redact: Redact,
) -> Task:
    """Interpret a response: a Task for a 2xx envelope, else raise the typed error."""
    if not 200 <= response.status_code < 300:  # noqa: PLR2004
        raise error_from_response(
            response,
            attempts=attempts,
            redact=redact,
            task_id=task_id,
            integration=str(integration) if integration is not None else None,
        )
    raw = response.content
    try:
        payload = decode_json(raw)
    except (ValueError, RecursionError) as exc:
        content_type = response.headers.get("content-type", "no content type")
        reason = redact(f"not JSON ({content_type}; {type(exc).__name__}: {exc})")
        raise _invalid(reason, raw, response.status_code, attempts, redact) from None
    try:
        return task_from_payload(
            payload, task_id=task_id, integration=integration, attempts=attempts, redact=redact
        )
    except _NotTheEnvelopeError as exc:
        raise _invalid(exc.describe(redact), raw, response.status_code, attempts, redact) from None


class _NotTheEnvelopeError(ValueError):
    """A decoded body that is not the envelope the spec describes."""

    def __init__(self, name: str, value: object = None, wanted: str = "") -> None:
        super().__init__(name)
        self.name, self.value, self.wanted = name, value, wanted

    def describe(self, redact: Redact) -> str:
        """The reason, with the offending value redacted first and then shortened."""
        if not self.wanted:
            return self.name
        value = self.value
        if isinstance(value, dict | list):
            shown = f"of {len(value)} items"
        else:
            text = redact(repr(value))
            shown = text if len(text) <= 60 else f"{text[:60]}..."  # noqa: PLR2004
        return f"{self.name} is {_kind(value)} {shown}, not {self.wanted}"


def _kind(value: object) -> str:
    """A JSON value's kind as JSON names it."""
    if value is None:
        return "null"
    kinds = {dict: "object", list: "list", str: "string", bool: "boolean", int: "number"}
    return kinds.get(type(value), "number" if isinstance(value, float) else type(value).__name__)


def _wrong(name: str, value: object, wanted: str) -> _NotTheEnvelopeError:
    return _NotTheEnvelopeError(name, value, wanted)


def _object(value: object, name: str, *, required: bool = False) -> dict[str, Any] | None:
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        if value is None:
            raise _NotTheEnvelopeError(f"{name} is missing")
        raise _wrong(name, value, "an object")
    return value


def _optional_str(value: object, name: str, redact: Redact) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _wrong(name, value, "a string")
    return redact(value)


def _information(items: object, redact: Redact) -> tuple[TaskInformation, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise _wrong("data.information", items, "a list of objects")
    result = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _wrong(f"data.information[{index}]", item, "an object")
        message, type_, filename, timestamp = (
            _optional_str(item.get(name), f"data.information[{index}].{name}", redact)
            for name in _INFORMATION_FIELDS
        )
        result.append(TaskInformation(message, type_, filename, timestamp))
    return tuple(result)


def _count(value: object, name: str) -> int:
    # JSON has one number type: accept 50000.0 as 50000, refuse 1.5, strings and booleans.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _wrong(f"meta.pagination.{name}", value, "a count")
    return value


def _pagination(meta: dict[str, Any]) -> Pagination | None:
    page = _object(meta.get("pagination"), "meta.pagination")
    if page is None:
        return None
    total, per_page, current = (_count(page.get(key), key) for key, _ in _COUNTS)
    return Pagination(
        total=total,
        per_page=per_page,
        current_page=current,
        total_pages=_count(page.get("totalPages"), "totalPages"),
    )


def _warnings(meta: dict[str, Any], redact: Redact) -> tuple[str, ...]:
    warnings = meta.get("warnings")
    if warnings is None:
        return ()
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise _wrong("meta.warnings", warnings, "a list of strings")
    return tuple(redact(w) for w in warnings)


def task_from_payload(
    payload: object,
    *,
    task_id: str,
    integration: Integration | str | None,
    attempts: int,
    redact: Redact,
) -> Task:
    """Build a Task from a decoded body; raises _NotTheEnvelopeError on any other shape.

    The texts a Task shows (an unknown status, information, warnings) are redacted here, once, so
    no message, repr or log built from a Task can carry a key a server echoed back.
    `responseData` is kept exactly as sent; `Task.envelope` and `Task.to_dict()` redact lazily.
    """
    body = _object(payload, "the body", required=True)
    assert body is not None  # noqa: S101 - required=True never returns None
    data = _object(body.get("data"), "`data`", required=True)
    assert data is not None  # noqa: S101
    if "status" not in data:
        raise _NotTheEnvelopeError("data.status is missing")
    status = data["status"]
    if status is None:
        # Maesn's published spec lets `status` be null; a task without one cannot be interpreted.
        raise _NotTheEnvelopeError("data.status is null")
    if not isinstance(status, str):
        raise _wrong("data.status", status, "a string")
    meta = _object(body.get("meta"), "meta") or {}
    task = Task(
        task_id=task_id,
        integration=integration,
        status=_KNOWN_STATUSES.get(status) or redact(status),
        information=_information(data.get("information"), redact),
        response_data=data.get("responseData"),
        warnings=_warnings(meta, redact),
        pagination=_pagination(meta),
        attempts=attempts,
    )
    return task._with_body(body, redact)  # noqa: SLF001 - the parser attaches the body, once


def envelope_pagination(meta: dict[str, Any]) -> Pagination | None:
    """`meta.pagination` of any envelope, checked (a ValueError says what is wrong)."""
    return _pagination(meta)


def envelope_warnings(meta: dict[str, Any], redact: Redact) -> tuple[str, ...]:
    """`meta.warnings` of any envelope, redacted and checked (a ValueError says what is wrong)."""
    return _warnings(meta, redact)
