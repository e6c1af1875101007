"""The sandbox's stored records: per account key and company, per collection, with their times.

A scope is one account key and one companyId (None for calls that send none): what one end user
sees of one company, as at Maesn. Records seeded for an account without a company are the
account's base data: every scope of the account has them (scopes made later get a copy), and
each scope changes its own copy. Each record keeps its last modification time, read from the
sandbox's `WallClock`, for `lastModifiedAt` filtering and webhook `filterDate`s.
"""

from __future__ import annotations

import copy
import math
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from maesn import _clock

__all__ = ["Record", "RecordStore", "Scope", "WallClock", "paginate"]

Scope = tuple[str, str | None]
"""(account key, companyId or None)."""
Key = tuple[str, ...]
"""A concrete collection (`("accounting", "invoice")`, `("accounting", "invoice", "inv-1",
"lineItem")`), or the path of a singleton."""


class WallClock:
    """Wall-clock time that moves with `maesn._clock.current()`, so a `FakeClock` moves it.

    It starts at the real UTC time it was made, and then follows the monotonic time of whichever
    clock is installed (each clock from the moment it is first read).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = datetime.now(UTC)
        self._clock: object = None
        self._reading = 0.0

    def now(self) -> datetime:
        """The current time (never earlier than the time it last returned)."""
        clock = _clock.current()
        reading = clock.monotonic()
        with self._lock:
            if clock is self._clock:
                self._last += timedelta(seconds=max(0.0, reading - self._reading))
            self._clock, self._reading = clock, reading
            return self._last


@dataclass(frozen=True)
class Record:
    """One stored record: its id, its value (as stored, before shaping) and when it changed."""

    id: str
    value: Mapping[str, Any]
    modified: datetime


class RecordStore:
    """Every scope's collections of records; safe to use from the handler threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scopes: dict[Scope, dict[Key, dict[str, Record]]] = {}
        self._base: dict[str, dict[Key, dict[str, Record]]] = {}

    @staticmethod
    def new_id() -> str:
        """A new record id (`sandbox-` and 12 hex digits)."""
        return f"sandbox-{uuid.uuid4().hex[:12]}"

    def _collections(self, scope: Scope) -> dict[Key, dict[str, Record]]:
        found = self._scopes.get(scope)
        if found is None:
            base = self._base.get(scope[0], {})
            found = {key: dict(records) for key, records in base.items()}
            self._scopes[scope] = found
        return found

    def put(self, scope: Scope, key: Key, record: Record) -> None:
        """Store `record` (replacing one with its id) in the scope's collection `key`."""
        with self._lock:
            self._collections(scope).setdefault(key, {})[record.id] = record

    def put_base(self, account_key: str, key: Key, record: Record) -> None:
        """Store `record` for every scope of `account_key`, those that exist and those to come."""
        with self._lock:
            self._base.setdefault(account_key, {}).setdefault(key, {})[record.id] = record
            for (account, _company), collections in self._scopes.items():
                if account == account_key:
                    collections.setdefault(key, {})[record.id] = copy.deepcopy(record)

    def get(self, scope: Scope, key: Key, record_id: str) -> Record | None:
        """The record with this id, or None."""
        with self._lock:
            return self._collections(scope).get(key, {}).get(record_id)

    def all(self, scope: Scope, key: Key) -> list[Record]:
        """The collection's records, oldest first."""
        with self._lock:
            return list(self._collections(scope).get(key, {}).values())

    def remove(self, scope: Scope, key: Key, record_id: str) -> Record | None:
        """Remove the record with this id; the removed record, or None when there was none."""
        with self._lock:
            return self._collections(scope).get(key, {}).pop(record_id, None)

    def count(self) -> int:
        """How many records every scope holds together."""
        with self._lock:
            return sum(
                len(records)
                for collections in self._scopes.values()
                for records in collections.values()
            )


def paginate(records: Sequence[Any], *, page: int, limit: int) -> tuple[list[Any], dict[str, int]]:
    """Page `page` (from 1) of `records`, `limit` a page, and its `meta.pagination`.

    A page past the last is empty and keeps the totals (`currentPage` the page asked for).
    """
    start = (page - 1) * limit
    return list(records[start : start + limit]), {
        "total": len(records),
        "perPage": limit,
        "currentPage": page,
        "totalPages": math.ceil(len(records) / limit),
    }
