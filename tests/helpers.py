"""Test helpers: task envelopes, running a call through either client, the server protocol.

`Running` is the start/stop protocol every loopback test server shares (scripted, hostile, Prism).
"""

from __future__ import annotations

import abc
import asyncio
import math
from dataclasses import dataclass, field
from typing import Any, Self

import maesn
from maesn.testing import Sandbox


class Running(abc.ABC):
    """A test server used as `with Server() as server:`; entering starts it, leaving stops it."""

    @abc.abstractmethod
    def start(self) -> object:
        """Start serving; when this returns, the server answers."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stop serving and release what start() took."""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


API_KEY = "test-api-key-5f0c1e9b"
ACCOUNT_KEY = "test-account-key-77d2a4c3"
KEYS: dict[str, Any] = {"api_key": API_KEY, "account_key": ACCOUNT_KEY}
DOCUMENTED_STATUSES = [i for i in maesn.Integration if i.profile.statuses_documented]
"""The integrations with task statuses of their own; the others read the generic ones (and warn
at a client's first poll)."""


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


def sandbox_keys(sandbox: Sandbox) -> dict[str, Any]:
    """The sandbox's keys and URL as client options (`api_key`, `account_key`, `base_url`)."""
    return {
        "api_key": sandbox.api_key,
        "account_key": sandbox.account_key,
        "base_url": sandbox.base_url,
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


@dataclass
class SandboxRunner:
    """Runs waits and exports through `maesn.Client` or `maesn.AsyncClient` against a sandbox."""

    mode: str
    sandbox: Sandbox

    def client_kwargs(self, **overrides: Any) -> dict[str, Any]:
        """The sandbox's keys and URL; the export integration with a companyId unless overridden."""
        return {
            "integration": "datev-rewe-export",
            "company_id": "company-1",
            **sandbox_keys(self.sandbox),
            **overrides,
        }

    def _run(self, sync_call: Any, async_call: Any, client: dict[str, Any]) -> Any:
        kwargs = self.client_kwargs(**client)
        if self.mode == "sync":
            with maesn.Client(**kwargs) as sync_client:
                return sync_call(sync_client)

        async def call() -> Any:
            async with maesn.AsyncClient(**kwargs) as async_client:
                return await async_call(async_client)

        return asyncio.run(call())

    def wait(
        self, task_id: str, client: dict[str, Any] | None = None, **options: Any
    ) -> maesn.Task:
        """wait_for_task with `options`, on a fresh client configured by `client`."""
        task: maesn.Task = self._run(
            lambda c: c.wait_for_task(task_id, **options),
            lambda c: c.wait_for_task(task_id, **options),
            client or {},
        )
        return task

    def pages(
        self,
        task_id: str,
        into: list[maesn.TaskPage],
        client: dict[str, Any] | None = None,
        **options: Any,
    ) -> None:
        """Collect iter_task_pages into `into` (pages delivered before an error stay there)."""

        def sync_call(c: maesn.Client) -> None:
            into.extend(c.iter_task_pages(task_id, **options))

        async def async_call(c: maesn.AsyncClient) -> None:
            async for page in c.iter_task_pages(task_id, **options):
                into.append(page)  # noqa: PERF401 - pages delivered before an error must stay

        self._run(sync_call, async_call, client or {})

    def entries(
        self, task_id: str, client: dict[str, Any] | None = None, **options: Any
    ) -> list[Any]:
        """Every entry of iter_task_entries, in order."""

        def sync_call(c: maesn.Client) -> list[Any]:
            return list(c.iter_task_entries(task_id, **options))

        async def async_call(c: maesn.AsyncClient) -> list[Any]:
            return [entry async for entry in c.iter_task_entries(task_id, **options)]

        result: list[Any] = self._run(sync_call, async_call, client or {})
        return result
