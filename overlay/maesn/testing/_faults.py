"""Faults the sandbox can inject: what goes wrong between a client and Maesn, on demand.

A `Fault` says what to do to one response; `Sandbox.inject` says which requests get it (one task
or all, one page or all, the next N). Every fault is data applied by one code path in the
handler: an optional delay, then either a replacement response or the normal response changed
(status value swapped, body truncated, connection dropped mid-body).
"""

from __future__ import annotations

import http
import json
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Fault", "FaultRule", "Reply", "error_body", "reason_phrase"]

_REASONS = {499: "Client Closed Request", 520: "Unknown Error"}
"""Reason phrases of the non-IANA codes proxies in front of APIs answer with (nginx, Cloudflare)."""

_HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>\n"
)


def reason_phrase(status: int) -> str:
    """The reason phrase sent with `status` (empty for a code nobody named)."""
    if status in _REASONS:
        return _REASONS[status]
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def error_body(status: int, message: str, **extra: Any) -> bytes:
    """A Maesn-style JSON error body."""
    return json.dumps({"statusCode": status, "message": message, **extra}).encode()


@dataclass(frozen=True, kw_only=True)
class Reply:
    """A complete response: status, headers, body."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json; charset=utf-8"),)


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One thing to go wrong with a response. Build it with the class methods."""

    name: str
    """What the request log records for a request that got this fault."""
    wait: float = 0.0
    """Seconds the handler waits before answering."""
    reply: Reply | None = None
    """A response sent instead of the normal one."""
    task_status: str | None = None
    """A value that replaces `data.status` in the normal response."""
    cut: Literal["truncate", "drop"] | None = None
    """truncate: send half the body with a matching Content-Length; drop: announce the whole body,
    send half, close the connection."""

    @classmethod
    def status(
        cls, status: int, *, body: Any = None, headers: dict[str, str] | None = None
    ) -> Fault:
        """Answer `status` (500, 502, 503, or a non-IANA code like 520 or 499) with a JSON body."""
        if not 100 <= status <= 999:  # noqa: PLR2004 - the range of a three-digit status code
            raise ValueError(f"status must be a three-digit HTTP status code, got {status!r}")
        raw = (
            error_body(status, reason_phrase(status) or f"Status {status}")
            if body is None
            else json.dumps(body).encode()
        )
        reply_headers = (
            ("Content-Type", "application/json; charset=utf-8"),
            *(headers or {}).items(),
        )
        return cls(
            name=f"status {status}", reply=Reply(status=status, body=raw, headers=reply_headers)
        )

    @classmethod
    def rate_limit(cls, retry_after: float | str = 1) -> Fault:
        """Answer 429 Too Many Requests with a `Retry-After` header (seconds, or an HTTP date)."""
        value = retry_after if isinstance(retry_after, str) else f"{retry_after:g}"
        fault = cls.status(429, headers={"Retry-After": value})
        return cls(name=f"rate limit (Retry-After: {value})", reply=fault.reply)

    @classmethod
    def response(
        cls,
        status: int,
        body: Any = b"",
        *,
        headers: dict[str, str] | None = None,
    ) -> Fault:
        """Answer exactly `status`, `body` and `headers` (Content-Length is added).

        `body` is sent as is when it is `bytes` or `str` (UTF-8); any other value is encoded as
        JSON (a dict, a list, a number, None), with `Content-Type: application/json` unless
        `headers` names another. A value JSON cannot encode raises `TypeError` here, not in the
        sandbox's thread.
        """
        reply_headers = dict(headers or {})
        if isinstance(body, bytes):
            raw = body
        elif isinstance(body, str):
            raw = body.encode()
        else:
            try:
                raw = json.dumps(body, allow_nan=False).encode()
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"Fault.response body must be bytes, str or a JSON value, got "
                    f"{type(body).__name__}: {exc}"
                ) from None
            if not any(name.lower() == "content-type" for name in reply_headers):
                reply_headers["Content-Type"] = "application/json; charset=utf-8"
        return cls(
            name=f"custom {status}",
            reply=Reply(status=status, body=raw, headers=tuple(reply_headers.items())),
        )

    @classmethod
    def html(cls, status: int = 200) -> Fault:
        """Answer an HTML page with `text/html` (a proxy's error page, a captive portal)."""
        return cls(
            name=f"html {status}",
            reply=Reply(
                status=status,
                body=_HTML_PAGE,
                headers=(("Content-Type", "text/html; charset=utf-8"),),
            ),
        )

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Wait `seconds` (really, in the handler thread), then answer normally."""
        if seconds < 0:
            raise ValueError(f"delay must be zero or more seconds, got {seconds!r}")
        return cls(name=f"delay {seconds:g}s", wait=seconds)

    @classmethod
    def drop_connection(cls) -> Fault:
        """Send the headers with the full Content-Length, half of the body, then close."""
        return cls(name="drop connection", cut="drop")

    @classmethod
    def truncated_json(cls) -> Fault:
        """Send the first half of the normal body as a complete response (invalid JSON)."""
        return cls(name="truncated json", cut="truncate")

    @classmethod
    def unknown_status(cls, value: str = "QUEUED") -> Fault:
        """Answer normally, with `data.status` replaced by `value` (a status the spec lacks)."""
        return cls(name=f"unknown status {value}", task_status=value)


@dataclass(kw_only=True)
class FaultRule:
    """Which requests get a fault, and how many more times."""

    fault: Fault
    remaining: int
    task_id: str | None = None
    page: int | None = None
    operation: str | None = None

    def matches(self, task_id: str | None, page: int | None, operation: str | None = None) -> bool:
        """True when a request for `task_id` and `page` (None: no valid page given) gets it.

        A rule with an `operation` matches only that operation's calls; one without matches
        only task status requests (`task_id` not None).
        """
        if self.remaining <= 0:
            return False
        if self.operation is not None or operation is not None:
            return self.operation == operation and task_id is None
        if self.task_id is not None and task_id != self.task_id:
            return False
        return self.page is None or (page or 1) == self.page
