"""The demo data set `maesn sandbox` serves (`Sandbox.seed_demo`): a few records of the main lists.

Each entry is `(resource, operation, records)`, as `Sandbox.seed` takes them; the records are
JSON objects as Maesn's published spec describes the answers (checked when seeded).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["DEMO_RECORDS"]

_DATE = "2026-01-15T09:00:00.000Z"

_CUSTOMER = {
    "addresses": None,
    "companyName": None,
    "contactPersons": None,
    "contactType": "COMPANY",
    "documentId": None,
    "emailAddresses": None,
    "phoneNumbers": None,
    "projectId": None,
    "updatedDate": _DATE,
}

DEMO_RECORDS: Sequence[tuple[str, str, Sequence[Mapping[str, Any]]]] = (
    (
        "accounting",
        "get_customers",
        [
            {
                **_CUSTOMER,
                "id": "cus-1001",
                "companyName": "Nordlicht GmbH",
                "number": "10001",
                "role": "CUSTOMER",
            },
            {
                **_CUSTOMER,
                "id": "cus-1002",
                "companyName": "Bergblick AG",
                "number": "10002",
                "role": "CUSTOMER",
            },
        ],
    ),
    (
        "accounting",
        "get_suppliers",
        [
            {
                **_CUSTOMER,
                "id": "sup-7001",
                "companyName": "Papierwerk KG",
                "number": "70001",
                "role": "SUPPLIER",
            },
        ],
    ),
    (
        "accounting",
        "get_invoices",
        [
            {
                "invoiceId": f"inv-{number}",
                "addresses": None,
                "contactId": contact,
                "createdDate": _DATE,
                "currency": "EUR",
                "discountAmount": 0,
                "dueDate": "2026-02-14",
                "invoiceDate": "2026-01-15",
                "invoiceNumber": f"RE-2026-{number}",
                "invoiceType": "STANDARD",
                "journalCode": None,
                "lineAmountTypes": "EXCLUSIVE",
                "lineItems": None,
                "name": name,
                "oneLineAddress": None,
                "paidDate": None,
                "paymentStatus": status,
                "paymentTermDuration": 30,
                "paymentTermId": None,
                "reference": None,
                "shippingDate": None,
                "status": "OPEN" if status == "PENDING" else "PAID",
                "sumNetAmount": net,
                "taxRule": "NET",
                "totalAmount": round(net * 1.19, 2),
                "totalTaxAmount": round(net * 0.19, 2),
                "updatedDate": _DATE,
            }
            for number, contact, name, status, net in (
                ("0001", "cus-1001", "Consulting January", "PENDING", 1200.0),
                ("0002", "cus-1002", "Licences 2026", "PAID", 4800.0),
                ("0003", "cus-1001", "Workshop", "PENDING", 950.0),
            )
        ],
    ),
    (
        "accounting",
        "get_accounts",
        [
            {
                "id": f"acc-{number}",
                "balance": None,
                "class": kind,
                "code": number,
                "createdDate": _DATE,
                "currency": "EUR",
                "debitCreditIndicator": None,
                "description": None,
                "name": name,
                "number": number,
                "parentAccountId": None,
                "status": "ACTIVE",
                "type": None,
                "updatedDate": _DATE,
            }
            for number, name, kind in (
                ("1200", "Bank", "ASSET"),
                ("8400", "Revenue 19% VAT", "REVENUE"),
                ("4930", "Office supplies", "EXPENSE"),
            )
        ],
    ),
    (
        "accounting",
        "get_tax_rates",
        [
            {
                "id": f"tax-{code}",
                "code": code,
                "createdDate": _DATE,
                "description": None,
                "name": f"VAT {percentage}%",
                "percentage": percentage,
                "type": "EXCLUSIVE",
                "updatedDate": _DATE,
                "usage": "ALL",
            }
            for code, percentage in (("19", 19), ("7", 7))
        ],
    ),
)
