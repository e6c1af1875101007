"""`Client` and `AsyncClient`: the same calls, driven with blocking or asyncio I/O."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import httpx

from ._base import BaseClient
from ._flow import arun, run
from ._models import Task

__all__ = ["AsyncClient", "Client"]


class Client(BaseClient):
    """Blocking client for Maesn's asynchronous tasks; one pooled connection set per client.

    Args:
        api_key: Maesn API key; default: the environment variable MAESN_API_KEY.
        account_key: the end user's account key for one target system; default: MAESN_ACCOUNT_KEY.
        integration: the target system behind the account key (a `maesn.Integration` or its
            value); it decides which statuses are valid and whether companyId and pages apply.
        company_id: default companyId for every call (DATEV needs one unless interactive_auth).
        interactive_auth: the account key was connected through Maesn's Interactive
            Authentication Flow, which stores the company with it: companyId is not required.
        base_url: default: MAESN_BASE_URL, else https://api.maesn.dev.
        timeout: seconds for each request.
        max_retries: retries of a failed request (429, 5xx, connection errors); 0 disables.
        strict_status: raise UnexpectedTaskStatusError for a status the integration never
            reports; False turns that into a MaesnWarning.
    """

    def _http(self) -> httpx.Client:
        return self._api.get_httpx_client()

    def get_task(
        self, task_id: str, *, page: int | None = None, company_id: str | None = None
    ) -> Task:
        """Fetch a task's current state (one page of it, for paged exports)."""
        http = self._http()
        return run(self._get_task_flow(http, task_id, page=page, company_id=company_id), http)

    def close(self) -> None:
        """Close the connection pool."""
        self._api.get_httpx_client().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(BaseClient):
    """Asyncio client for Maesn's asynchronous tasks; the same arguments as `Client`."""

    def _http(self) -> httpx.AsyncClient:
        return self._api.get_async_httpx_client()

    async def get_task(
        self, task_id: str, *, page: int | None = None, company_id: str | None = None
    ) -> Task:
        """Fetch a task's current state (one page of it, for paged exports)."""
        http = self._http()
        return await arun(
            self._get_task_flow(http, task_id, page=page, company_id=company_id), http
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._api.get_async_httpx_client().aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
