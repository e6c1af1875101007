r"""Keeping the keys secret: the `Secret` holder, one `Redactor`, and a filter for httpx's logs.

Every text that may reach a message, a repr or a log line passes through a `Redactor`, which
replaces each key's value with the single marker `[redacted]`, in whatever encoding the key took
on the way: as is, percent-encoded in a URL (`quote` or `quote_plus`, either hex case, any mix
of encoded and plain characters), JSON-escaped (`\"`, `\\`, `\/`, `\u002b`) or repr-escaped
(`\'`); letters and digits, which no encoder changes, are matched as they are. The httpx
objects an error carries are redacted copies (`redacted_request`, `redacted_response`).

Redaction is one pass of one regular expression (the keys as an alternation, longest first), so
a replacement is never scanned again: the marker is never rewritten, and a key containing another
key is replaced whole. Redact first, then shorten or reflow text (an excerpt cut before
redaction would cut a key so it no longer matches).

A key formed anew across an inserted marker (possible only for a key that begins or ends with
part of `[redacted]`) makes the whole text `[redacted]`. A key that is part of the marker
(`"redacted"`) is replaced like any other, and the marker then shows those letters regardless.

Short keys: a key shorter than `MIN_FULL_REDACTION` characters (real Maesn keys are far longer)
is replaced only where it stands as a whole word, i.e. not next to a letter or digit. Replacing
every occurrence of a key such as `"a"` would rewrite ordinary words and the task's own data; the
price is that such a key embedded in a longer word is not found. Use keys of realistic length.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:  # the copies below are made of objects httpx made: it is loaded by then
    import httpx

__all__ = [
    "MIN_FULL_REDACTION",
    "REDACTED",
    "Redactor",
    "Secret",
    "escaped_forms",
    "guard_logs",
    "redact_json",
    "redacted_request",
    "redacted_response",
]

REDACTED = "[redacted]"
"""The one marker that replaces a key's value in every text the client produces."""

MIN_FULL_REDACTION = 8
"""Keys at least this long are replaced wherever they occur; shorter ones only as whole words."""

_WORD = "A-Za-z0-9"


class Secret:
    """A key that never shows itself in a repr, a str or a format."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The key itself, for the request header only."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


_BACKSLASHED = {"\\": "\\\\", '"': '\\"', "'": "\\'", "/": "\\/"}
"""What JSON or a repr may put for a character: a backslash before it (`/` in JSON only)."""


def _hex(value: int, width: int) -> str:
    """`value` in hex as a pattern matching either case (`[aA]`), so the scan keeps its speed."""
    digits = f"{value:0{width}x}"
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in digits)


def _character(char: str) -> str:
    r"""A pattern for one character of a key, in every form it can take in a text.

    A letter or digit is left as is by every encoder (quote, quote_plus, JSON, repr), so it
    stands for itself, which keeps the scan fast. Any other character: as is; percent-encoded
    (`%2B`, `%2b`, one per UTF-8 byte; a space also as `+`); JSON's `+` (a surrogate pair
    beyond the BMP); and a backslash escape where JSON or a repr uses one.
    """
    if char.isascii() and char.isalnum():
        return char
    units = char.encode("utf-16-be", "surrogatepass")
    forms = [
        "".join(
            f"\\\\[uU]{_hex(int.from_bytes(units[i : i + 2]), 4)}" for i in range(0, len(units), 2)
        ),
        "".join(f"%{_hex(byte, 2)}" for byte in char.encode("utf-8", "surrogatepass")),
    ]
    if char in _BACKSLASHED:
        forms.append(re.escape(_BACKSLASHED[char]))
    if char == " ":
        forms.append(re.escape("+"))
    # The plain character last: a key ending in "%" must take its "%25" whole, not stop at "%".
    forms.append(re.escape(char))
    return f"(?:{'|'.join(forms)})"


def _key_pattern(value: str) -> str:
    """A pattern matching `value` in any mix of its characters' forms (see `_character`)."""
    pattern = "".join(_character(char) for char in value)
    if len(value) < MIN_FULL_REDACTION:
        pattern = f"(?<![{_WORD}]){pattern}(?![{_WORD}])"
    return pattern


def _pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    parts = [_key_pattern(value) for value in sorted(set(values), key=len, reverse=True)]
    return re.compile("|".join(parts)) if parts else None


def escaped_forms(value: str) -> set[str]:
    """`value` as it stands in the texts a key can reach: the forms leak checks look for.

    As is; escaped in JSON and in reprs (a body is JSON; messages and httpcore's log lines show
    values with repr); percent-encoded in a URL by `quote` (path and component) and `quote_plus`
    (query), in upper and lower hex. The redactor finds more than these (any mix of the forms,
    JSON's unicode escapes), see `_character`.
    """
    slashed = value.replace("\\", "\\\\")
    encoded = {quote(value, safe=""), quote(value), quote_plus(value)}
    lowered = {re.sub("%[0-9A-F]{2}", lambda m: m[0].lower(), form) for form in encoded}
    return {
        value,
        json.dumps(value)[1:-1],
        slashed.replace("'", "\\'"),
        slashed.replace('"', '\\"'),
        *encoded,
        *lowered,
    }


def _overlaps_marker(value: str) -> bool:
    """Whether `value` could straddle an inserted marker: it shares an edge with REDACTED.

    A key that is part of the marker itself ("redacted") is not counted: the marker shows it
    regardless, and says nothing about the key.
    """
    return value not in REDACTED and any(
        value.endswith(REDACTED[:n]) or value.startswith(REDACTED[-n:])
        for n in range(1, len(REDACTED))
    )


class Redactor:
    """Replaces the keys' values in any text that may reach a message, a repr or a log."""

    __slots__ = ("__weakref__", "_pattern", "_straddling")

    def __init__(self, secrets: Iterable[Secret]) -> None:
        values = [s.reveal() for s in secrets if s.reveal()]
        self._pattern = _pattern(values)
        # Only a key that shares an edge with the marker can appear anew across an inserted
        # marker (the pass itself leaves no match between two replacements).
        self._straddling = _pattern(
            value
            for value in values
            if len(value) >= MIN_FULL_REDACTION
            and any(_overlaps_marker(form) for form in escaped_forms(value))
        )

    def __call__(self, text: str) -> str:
        """`text` with every key value replaced by `REDACTED`, in one pass."""
        if self._pattern is None:
            return text
        redacted = self._pattern.sub(REDACTED, text)
        if self._straddling is not None and self._straddling.search(redacted):
            return REDACTED  # a key formed across a marker: show nothing rather than the key
        return redacted

    def __repr__(self) -> str:
        return "Redactor(***)"


def redact_json(value: Any, redact: Callable[[str], str]) -> Any:
    """A copy of a decoded JSON value with every string (object keys too) redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): redact_json(v, redact) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_json(item, redact) for item in value]
    return value


# -- the httpx objects an error carries ----------------------------------------------------------

Redact = Callable[[str], str]


def _redacted_bytes(data: bytes, redact: Redact, encoding: str = "utf-8") -> bytes:
    """`data` with the keys redacted in its text (as `encoding`); the same bytes when none is.

    UTF-8 goes through `surrogateescape`, so bytes that are not UTF-8 come back unchanged.
    """
    errors = (
        "surrogateescape" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else "replace"
    )
    try:
        text = data.decode(encoding, errors)
    except LookupError:  # a charset Python does not know: the UTF-8 view is what is shown
        return _redacted_bytes(data, redact)
    clean = redact(text)
    return data if clean == text else clean.encode(encoding, errors)


def _redacted_headers(headers: httpx.Headers, redact: Redact) -> httpx.Headers:
    import httpx  # noqa: PLC0415 - see the import above

    items = [(redact(name), redact(value)) for name, value in headers.multi_items()]
    return httpx.Headers(items, encoding=headers.encoding)


def _redacted_url(url: httpx.URL, redact: Redact) -> httpx.URL:
    import httpx  # noqa: PLC0415

    shown = str(url)
    clean = redact(shown)
    if clean == shown:
        return url
    try:
        return httpx.URL(clean)
    except (httpx.InvalidURL, ValueError, TypeError):
        return url.copy_with(raw_path=b"/")


def redacted_request(request: httpx.Request, redact: Redact) -> httpx.Request:
    """A copy of `request` with every key replaced by `[redacted]`: URL, headers and body.

    The copy is for showing (errors hand it out), not for sending: its key headers say
    `[redacted]`. A streamed body that was never read stays out of the copy.
    """
    import httpx  # noqa: PLC0415

    try:
        content: bytes | None = _redacted_bytes(request.content, redact)
    except httpx.RequestNotRead:
        content = None
    return httpx.Request(
        request.method,
        _redacted_url(request.url, redact),
        headers=_redacted_headers(request.headers, redact),
        content=content,
    )


def redacted_response(response: httpx.Response, redact: Redact) -> httpx.Response:
    """A copy of a read `response` with every key replaced by `[redacted]`.

    Its request (`redacted_request`), headers, reason phrase and body (as its charset decodes
    it) are redacted; status, HTTP version and elapsed time are kept. The body is the decoded one
    (the copy's headers still name the Content-Encoding it arrived with).
    """
    import httpx  # noqa: PLC0415

    encoding = response.charset_encoding or "utf-8"
    copy = httpx.Response(
        response.status_code,
        content=_redacted_bytes(response.content, redact, encoding),
        request=redacted_request(response.request, redact),
        extensions={
            "http_version": response.http_version.encode("ascii", "replace"),
            "reason_phrase": redact(response.reason_phrase).encode("ascii", "replace"),
        },
    )
    copy.headers = _redacted_headers(response.headers, redact)
    with contextlib.suppress(RuntimeError):  # elapsed is set once the response was read
        copy.elapsed = response.elapsed
    return copy


# -- logs of the HTTP libraries ------------------------------------------------------------------

_GUARDED_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.connection_pool",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
"""httpx logs each response (status line with the reason phrase) at INFO on `httpx`; httpcore
logs headers at DEBUG on its submodules' loggers. A logger's filters do not apply to records of
its children, so each one gets the filter."""


class _LogRedaction(logging.Filter):
    """Redacts the keys of every live client from the records of httpx's and httpcore's loggers.

    Clients register their redactor with `guard_logs`; it is held weakly, so a client that is
    gone no longer costs anything here.
    """

    def __init__(self) -> None:
        super().__init__()
        self.redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        redactors = list(self.redactors)
        if not redactors:
            return True
        try:
            text = record.getMessage()
        except (TypeError, ValueError):  # a record whose args do not fit: leave it to logging
            return True
        clean = text
        for redact in redactors:
            clean = redact(clean)
        if clean != text:
            record.msg, record.args = clean, ()
        return True


_FILTER = _LogRedaction()


def guard_logs(redactor: Redactor) -> None:
    """Keep `redactor`'s keys out of httpx's and httpcore's log records for as long as it lives."""
    _FILTER.redactors.add(redactor)
    for name in _GUARDED_LOGGERS:
        target = logging.getLogger(name)
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)
