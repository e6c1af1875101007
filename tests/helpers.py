"""Test helpers: task envelopes and one way to run a call through Client or AsyncClient."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from typing import Any

import maesn

API_KEY = "test-api-key-5f0c1e9b"
ACCOUNT_KEY = "test-account-key-77d2a4c3"
KEYS: dict[str, Any] = {"api_key": API_KEY, "account_key": ACCOUNT_KEY}


def envelope(
    status: str = "SUCCESS",
    *,
    information: list[dict[str, Any]] | None = None,
    response_data: Any = None,
    warnings: list[str] | None = None,
    pagination: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A 200 body as Maesn sends it for GET /accounting/asyncTask/{taskId}."""
    meta: dict[str, Any] = {}
    if warnings is not None:
        meta["warnings"] = warnings
    if pagination is not None:
        meta["pagination"] = pagination
    body: dict[str, Any] = {
        "data": {
            "status": status,
            "information": information or [],
            "responseData": response_data,
        }
    }
    if meta:
        body["meta"] = meta
    return body


def page_meta(total: int, page: int, per_page: int = 50_000) -> dict[str, int]:
    """meta.pagination for `page` of a result of `total` entries."""
    return {
        "total": total,
        "perPage": per_page,
        "currentPage": page,
        "totalPages": max(1, math.ceil(total / per_page)),
    }


@dataclass
class Harness:
    """Runs the same call through `maesn.Client` (mode "sync") or `maesn.AsyncClient`."""

    mode: str
    base_url: str
    defaults: dict[str, Any] = field(default_factory=dict)

    def client_kwargs(self, **overrides: Any) -> dict[str, Any]:
        """Constructor arguments: the test keys, this server, AbaConnect unless overridden."""
        return {
            "integration": "abaconnect",
            "base_url": self.base_url,
            **KEYS,
            **self.defaults,
            **overrides,
        }

    def get_task(
        self,
        task_id: str,
        *,
        page: Any = None,
        company_id: Any = None,
        **client: Any,
    ) -> maesn.Task:
        """`get_task` on a fresh client of the harness's mode."""
        kwargs = self.client_kwargs(**client)
        if self.mode == "sync":
            with maesn.Client(**kwargs) as sync_client:
                return sync_client.get_task(task_id, page=page, company_id=company_id)

        async def call() -> maesn.Task:
            async with maesn.AsyncClient(**kwargs) as async_client:
                return await async_client.get_task(task_id, page=page, company_id=company_id)

        return asyncio.run(call())
