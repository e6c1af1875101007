"""Export entries: DATEV-style booking records computed from (seed, index), never stored.

An export of 150,000 entries costs nothing until a page is served, and a test can compute the
entry the sandbox serves at any index with `export_entry` to check order and completeness.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

__all__ = ["encode_entries", "export_entry"]

_MASK64 = (1 << 64) - 1
_FIRST_DATE = dt.date(2026, 1, 1)
_DATES = tuple((_FIRST_DATE + dt.timedelta(days=day)).isoformat() for day in range(365))
_TEXTS = (
    "Rechnung Bürobedarf",
    "Miete Geschäftsräume",
    "Wareneingang 19% VSt",
    "Erlöse 19% USt",
    "Reisekosten Bahn",
    "Telefon und Internet",
    "Kfz-Versicherung",
    "Bewirtungskosten",
)


def _mix(seed: int, index: int) -> int:
    """SplitMix64 of (seed, index): cheap, well spread, the same on every platform."""
    z = (seed * 0x9E3779B97F4A7C15 + index + 0x632BE59BD9B4E019) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def export_entry(index: int, *, seed: int = 0) -> dict[str, Any]:
    """The booking record a sandbox export with `seed` serves at position `index` (0-based)."""
    h = _mix(seed, index)
    cents = h % 10_000_000 + 1
    return {
        "index": index,
        "documentNumber": f"RE-{seed}-{index + 1:07d}",
        "date": _DATES[(h >> 24) % len(_DATES)],
        "account": str(1000 + (h >> 8) % 8000),
        "contraAccount": str(10000 + (h >> 40) % 60000),
        "amount": f"{cents // 100}.{cents % 100:02d}",
        "currency": "EUR",
        "debitCredit": "S" if h >> 63 else "H",
        "text": _TEXTS[(h >> 20) % len(_TEXTS)],
    }


def encode_entries(start: int, stop: int, *, seed: int = 0) -> bytes:
    """The JSON array of entries `start` (inclusive) to `stop` (exclusive), compact UTF-8."""
    entries = [export_entry(index, seed=seed) for index in range(start, stop)]
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode()
