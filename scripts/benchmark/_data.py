"""The bodies the benchmark server sends: realistic journal entries in Maesn's envelope.

Every body is encoded once, before any measurement, so the server only writes bytes. The records
look like a DATEV Rechnungswesen export: nested objects, umlauts and other non-ASCII text, decimal
amounts, dates and timestamps; about 383 bytes each as compact UTF-8 JSON.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

__all__ = [
    "EXPORT_TASK",
    "PENDING_POLLS",
    "SMALL_TASK",
    "Bodies",
    "build_bodies",
    "encode",
    "journal_entry",
]

#: The task id of the finished export; its pages are `?page=1..N`.
EXPORT_TASK = "export-rewe-2026"
#: The task id of a small finished AbaConnect task (for `get_task` polls).
SMALL_TASK = "abaconnect-finished"
#: Task ids starting with this prefix answer IN_PROGRESS until their third poll, then FINISHED.
WAIT_PREFIX = "wait-"
#: Polls a waited-for task needs: it is pending on the first two, finished on the third.
PENDING_POLLS = 3

_ACCOUNTS = (
    ("1200", "Bank Sparkasse Köln"),
    ("1400", "Forderungen aus LuL"),
    ("1576", "Abziehbare Vorsteuer 19 %"),
    ("1600", "Verbindlichkeiten aus LuL"),
    ("3400", "Wareneingang 19 % Vorsteuer"),
    ("4210", "Miete für Büroräume"),
    ("4930", "Bürobedarf"),
    ("8400", "Erlöse 19 % USt"),
)
_PARTNERS = (
    "Müller & Söhne GmbH",
    "Bäckerei Größer e.K.",
    "Öztürk Handelsgesellschaft mbH",
    "Zürcher Präzisionsteile AG",
    "Dvořák s.r.o.",
    "Café Frühstück am Rhein",
)
_TEXTS = (
    "Büromaterial Quartal",
    "Miete März inkl. Nebenkosten",
    "Wareneinkauf laut Lieferschein",
    "Gutschrift Skonto 2 %",
    "Ausgangsrechnung Beratung",
)


def journal_entry(index: int, rng: random.Random) -> dict[str, Any]:
    """One journal-entry-like record (deterministic for a given rng state)."""
    booked = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
    account, account_name = rng.choice(_ACCOUNTS)
    contra, contra_name = rng.choice(_ACCOUNTS)
    net = rng.randrange(100, 2_500_000) / 100
    rate = rng.choice((19.0, 7.0, 0.0))
    return {
        "id": f"JE-{booked.year}-{index:07d}",
        "date": booked.isoformat(),
        "documentNumber": f"RE{rng.randrange(10**7):07d}",
        "description": f"{rng.choice(_TEXTS)} {rng.choice(_PARTNERS)}",
        "amount": net,
        "currency": "EUR",
        "debitCredit": rng.choice(("S", "H")),
        "account": {"number": account, "name": account_name},
        "contraAccount": {"number": contra, "name": contra_name},
        "tax": {"code": rng.choice(("9", "8", "")), "rate": rate},
        "createdAt": datetime(
            booked.year, booked.month, booked.day, rng.randrange(24), rng.randrange(60), tzinfo=UTC
        ).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def encode(value: Any) -> bytes:
    """Compact UTF-8 JSON, as servers send it (umlauts as UTF-8 bytes, not escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _envelope(status: str, data_extra: bytes, meta: dict[str, Any]) -> bytes:
    return b"".join(
        (
            b'{"meta":',
            encode(meta),
            b',"data":{"status":',
            encode(status),
            b',"information":[]',
            data_extra,
            b"}}",
        )
    )


@dataclass(frozen=True)
class Bodies:
    """Every body the server sends, encoded once."""

    pages: tuple[bytes, ...]
    small_finished: bytes
    pending: bytes
    entries: int
    page_size: int


def build_bodies(entries: int, page_size: int, seed: int = 2026) -> Bodies:
    """The export's pages (`entries` records, `page_size` a page) and the small task bodies."""
    rng = random.Random(seed)  # noqa: S311 - test data, not cryptography
    total_pages = max(1, -(-entries // page_size))
    pages = []
    for number in range(1, total_pages + 1):
        start, stop = (number - 1) * page_size, min(number * page_size, entries)
        records = [journal_entry(index, rng) for index in range(start, stop)]
        pagination = {
            "total": entries,
            "perPage": page_size,
            "currentPage": number,
            "totalPages": total_pages,
        }
        pages.append(
            _envelope(
                "FINISHED",
                b',"responseData":' + encode(records),
                {"warnings": [], "pagination": pagination},
            )
        )
    small = encode(
        {
            "meta": {"warnings": []},
            "data": {
                "status": "FINISHED",
                "information": [{"message": "Buchungsstapel übertragen", "type": "INFO"}],
                "responseData": {"id": "B-2026-0042", "übertragen": 12, "betrag": 1234.56},
            },
        }
    )
    pending = encode(
        {"meta": {"warnings": []}, "data": {"status": "IN_PROGRESS", "information": []}}
    )
    return Bodies(
        pages=tuple(pages),
        small_finished=small,
        pending=pending,
        entries=entries,
        page_size=page_size,
    )
