"""Keeping the keys secret: the `Secret` holder, one `Redactor`, and a filter for httpx's logs.

Every text that may reach a message, a repr or a log line passes through a `Redactor`, which
replaces each key's value with the single marker `[redacted]`.

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

import json
import logging
import re
import weakref
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "MIN_FULL_REDACTION",
    "REDACTED",
    "Redactor",
    "Secret",
    "escaped_forms",
    "guard_logs",
    "redact_json",
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


def _pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    parts = []
    for value in sorted(set(values), key=len, reverse=True):
        escaped = re.escape(value)
        if len(value) < MIN_FULL_REDACTION:
            escaped = f"(?<![{_WORD}]){escaped}(?![{_WORD}])"
        parts.append(escaped)
    return re.compile("|".join(parts)) if parts else None


def escaped_forms(value: str) -> set[str]:
    """`value` as it stands in the texts a key can reach: as is, and escaped in JSON and reprs.

    A body is JSON (a double quote or a backslash in a key is escaped there), and messages and
    httpcore's log lines show values with repr (which escapes backslashes and a quote): each
    form is redacted.
    """
    slashed = value.replace("\\", "\\\\")
    return {
        value,
        json.dumps(value)[1:-1],
        slashed.replace("'", "\\'"),
        slashed.replace('"', '\\"'),
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
        values = [form for s in secrets if s.reveal() for form in escaped_forms(s.reveal())]
        self._pattern = _pattern(values)
        # Only a key that shares an edge with the marker can appear anew across an inserted
        # marker (the pass itself leaves no match between two replacements).
        self._straddling = [
            v for v in values if len(v) >= MIN_FULL_REDACTION and _overlaps_marker(v)
        ]

    def __call__(self, text: str) -> str:
        """`text` with every key value replaced by `REDACTED`, in one pass."""
        if self._pattern is None:
            return text
        redacted = self._pattern.sub(REDACTED, text)
        if self._straddling and any(v in redacted for v in self._straddling):
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
