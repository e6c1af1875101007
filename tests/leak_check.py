"""What the key-leak property tests share: keys as users have them, and every log record.

`keys` draws keys the client accepts (printable ASCII, no whitespace at the ends) of a real
length, with a letter and a digit; `capture_root_logs` collects the message of every record of
every logger at DEBUG (the root logger), for as long as it is active.
"""

from __future__ import annotations

import contextlib
import logging
import string
from collections.abc import Iterator

from hypothesis import strategies as st
from maesn._redaction import MIN_FULL_REDACTION, REDACTED

__all__ = ["KEY_ALPHABET", "LogRecords", "capture_root_logs", "keys", "realistic_key"]

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
