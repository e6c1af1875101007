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
    "INVOICES_PATH",
    "INVOICES_PER_PAGE",
    "PENDING_POLLS",
    "SMALL_TASK",
    "WAIT_EXPORT_PREFIX",
    "Bodies",
    "build_bodies",
    "encode",
    "invoice",
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
#: Task ids starting with this prefix are exports that answer IN_PROGRESS to their first two
#: polls; then a poll without `page` answers page 1 (as Maesn does) and `?page=N` page N.
WAIT_EXPORT_PREFIX = "wait-export-"
#: The list operation's path: a page of invoices with every property filled.
INVOICES_PATH = "/accounting/invoices"
#: Invoices on that page (Maesn's largest `limit`).
INVOICES_PER_PAGE = 100

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


def _line_item(invoice_index: int, line: int, rng: random.Random) -> dict[str, Any]:
    quantity = float(rng.randrange(1, 20))
    unit = rng.randrange(500, 250_000) / 100
    rate = rng.choice((19.0, 7.0, 0.0))
    net = round(quantity * unit, 2)
    account, account_name = rng.choice(_ACCOUNTS)
    return {
        "accountId": account,
        "createdDate": "2026-03-01T10:15:30.123Z",
        "description": f"{rng.choice(_TEXTS)} ({account_name})",
        "dimensions": [
            {"categoryName": "Kostenstelle", "id": f"KST-{rng.randrange(100, 999)}", "name": "Süd"},
            {"categoryName": "Kostenträger", "id": f"KTR-{rng.randrange(10, 99)}", "name": "Köln"},
        ],
        "discountItemAmount": 0.0,
        "discountItemPercentage": 0.0,
        "grossAmount": round(net * (1 + rate / 100), 2),
        "itemId": f"ART-{rng.randrange(10**5):05d}",
        "itemsAmount": net,
        "lineItemId": f"LI-{invoice_index:06d}-{line}",
        "name": f"Position {line + 1}",
        "quantity": quantity,
        "taxRatePercentage": rate,
        "unitAmount": unit,
        "updatedDate": "2026-03-02T08:00:00Z",
        "taxCode": {19.0: "USt19", 7.0: "USt7", 0.0: "frei"}[rate],
    }


def invoice(index: int, rng: random.Random) -> dict[str, Any]:
    """One invoice as Maesn's InvoiceResponseDto, every property filled (three line items)."""
    issued = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
    lines = [_line_item(index, line, rng) for line in range(3)]
    net = round(sum(line["itemsAmount"] for line in lines), 2)
    gross = round(sum(line["grossAmount"] for line in lines), 2)
    partner = rng.choice(_PARTNERS)
    return {
        "addresses": [
            {"city": "München", "countryCode": "DE", "postalCode": "80331", "type": "BILLING"},
            {"city": "Köln", "countryCode": "DE", "postalCode": "50667", "type": "SHIPPING"},
        ],
        "contactId": f"C-{rng.randrange(10**5):05d}",
        "createdDate": f"{issued.isoformat()}T09:30:00Z",
        "currency": "EUR",
        "discountAmount": 0.0,
        "dueDate": (issued + timedelta(days=30)).isoformat(),
        "invoiceDate": issued.isoformat(),
        "invoiceId": f"INV-{index:06d}",
        "invoiceNumber": f"RE-2026-{index:05d}",
        "invoiceType": "SALES",
        "journalCode": "VK",
        "lineAmountTypes": "EXCLUSIVE",
        "lineItems": lines,
        "name": partner,
        "oneLineAddress": f"{partner}, Hauptstraße {index % 200 + 1}, 80331 München",
        "paidDate": (issued + timedelta(days=12)).isoformat(),
        "paymentStatus": "PAID",
        "paymentTermDuration": 30.0,
        "paymentTermId": "PT-30",
        "reference": f"Auftrag {rng.randrange(10**6):06d}",
        "shippingDate": (issued + timedelta(days=1)).isoformat(),
        "status": "PAID",
        "sumNetAmount": net,
        "taxRule": "STANDARD",
        "totalAmount": gross,
        "totalTaxAmount": round(gross - net, 2),
        "updatedDate": f"{(issued + timedelta(days=12)).isoformat()}T16:45:00Z",
        "fileId": f"FILE-{index:06d}",
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
    invoices: bytes = b""
    """A page of INVOICES_PER_PAGE invoices in Maesn's envelope (`GET /accounting/invoices`)."""


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
    invoices = encode(
        {
            "meta": {
                "warnings": [],
                "pagination": {
                    "total": 10 * INVOICES_PER_PAGE,
                    "perPage": INVOICES_PER_PAGE,
                    "currentPage": 1,
                    "totalPages": 10,
                },
            },
            "data": [invoice(index, rng) for index in range(INVOICES_PER_PAGE)],
            "errors": None,
            "rawData": None,
        }
    )
    return Bodies(
        pages=tuple(pages),
        small_finished=small,
        pending=pending,
        entries=entries,
        page_size=page_size,
        invoices=invoices,
    )
