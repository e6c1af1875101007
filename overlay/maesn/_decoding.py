"""Bytes to JSON: orjson when it decodes a body exactly, json otherwise, within a memory budget.

Bodies are decoded with orjson when the `fast` extra is installed, and with the standard
library's json where orjson refuses a valid body (integers beyond 64 bits, NaN and Infinity):
both give the same values. Before decoding, a body's peak memory is estimated
(`decoded_cost`), so a small body that would expand into gigabytes is refused, not decoded.
"""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

__all__ = [
    "DECODED_BUDGET_FACTOR",
    "FAST_JSON",
    "MIN_DECODED_BUDGET",
    "decode_json",
    "decoded_budget",
    "decoded_cost",
    "decoded_cost_exceeds",
]

orjson: Any
try:
    orjson = importlib.import_module("orjson")
except ImportError:  # pragma: no cover - depends on the `fast` extra
    orjson = None


FAST_JSON = orjson is not None
"""True when orjson (the `fast` extra) is installed and decodes bodies."""


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
