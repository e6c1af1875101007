"""What the key-leak property tests share: keys as users have them, and every log record.

`keys` draws keys the client accepts (printable ASCII, no whitespace at the ends) of a real
length, with a letter and a digit; `capture_root_logs` collects the message of every record of
every logger at DEBUG (the root logger), for as long as it is active; `httpx_texts` lists what
the httpx request and response an error carries show (reprs, URL, headers, reason, body);
`assert_no_key` checks texts against every encoded form of the keys (`escaped_forms`).
"""

from __future__ import annotations

import contextlib
import logging
import string
from collections.abc import Iterable, Iterator

import httpx
from hypothesis import strategies as st
from maesn._redaction import MIN_FULL_REDACTION, REDACTED, escaped_forms

__all__ = [
    "KEY_ALPHABET",
    "LogRecords",
    "assert_no_key",
    "capture_root_logs",
    "httpx_texts",
    "keys",
    "realistic_key",
]

KEY_ALPHABET = string.ascii_letters + string.digits + "-_.~!$&'()*+,;=:@/[]{}|^`<>?#%\"\\ "
"""Printable ASCII, quotes and the backslash included (JSON and repr escape them)."""


def realistic_key(key: str) -> bool:
    """A key of the kind Maesn issues: no space at its ends, a letter and a digit in it."""
    return (
        key == key.strip()
        and key not in REDACTED
        and any(c.isdigit() for c in key)
        and any(c.isalpha() for c in key)
    )


keys = st.text(KEY_ALPHABET, min_size=MIN_FULL_REDACTION, max_size=40).filter(realistic_key)
"""Keys as the client accepts them (printable ASCII, no whitespace at the ends), of real length."""


class LogRecords(logging.Handler):
    """Keeps the message of every record it handles."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record's message."""
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def capture_root_logs() -> Iterator[LogRecords]:
    """Every record of every logger, at DEBUG, while active."""
    root = logging.getLogger()
    handler, level = LogRecords(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def httpx_texts(outcome: object) -> list[str]:
    """What the httpx objects an error carries show: reprs, URL, headers, reason phrase, body."""
    response = getattr(outcome, "response", None)
    request = getattr(outcome, "request", None)
    texts: list[str] = []
    if isinstance(response, httpx.Response):
        texts += [repr(response), str(response.url), response.reason_phrase, response.text]
        texts += [repr(response.headers), repr(response.content), repr(response.request)]
    if isinstance(request, httpx.Request):
        texts += [repr(request), str(request.url), repr(request.headers)]
        with contextlib.suppress(httpx.RequestNotRead):
            texts.append(repr(request.content))
    return texts


def assert_no_key(texts: Iterable[str], keys: Iterable[str]) -> None:
    """No form of any key (as is, JSON, repr, percent-encoded) in any of `texts`."""
    forms = {form for key in keys for form in escaped_forms(key)}
    for text in texts:
        for form in forms:
            assert form not in text, (form, text)
