"""`Client` and `AsyncClient`: the same calls, driven with blocking or asyncio I/O."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Self

import httpx

from ._base import BaseClient
from ._export import EntriesFrom, default_entries
from ._flow import Connection, arun, arun_iter, run, run_iter
from ._models import Task, TaskPage
from ._validation import check_at_least
from ._waiting import WaitOptions

__all__ = ["AsyncClient", "Client"]


async def _entries_of(pages: AsyncIterator[TaskPage]) -> AsyncIterator[Any]:
    async for page in pages:
        for entry in page.entries:
            yield entry


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
        timeout: seconds for each request as a whole (waiting for a pooled connection,
            connecting, headers and body), however slowly the server sends; at most 1e6.
        max_retries: retries of a failed request (GETs on 429, 5xx and connection errors;
            writes only when nothing was sent); 0 disables.
        strict_status: raise UnexpectedTaskStatusError for a status the integration never
            reports; False turns that into a MaesnWarning.
        max_response_bytes: the largest response body (after decompression) read; a larger
            one raises ResponseTooLargeError while it streams in. Default 256 MiB.
        http_client: an `httpx.Client` you configured (proxies, custom CA, mTLS, event hooks,
            a transport). Requests go through it with maesn's URL, keys, timeout and retries;
            redirects are never followed. maesn never closes it: you do. Without one, the
            client creates (and closes) its own pool of 20 connections.

    `integration` and `company_id` default to the environment variables MAESN_INTEGRATION and
    MAESN_COMPANY_ID. `with_options(...)` (or `copy(...)`) returns a client with other settings
    sharing this one's pool.
    """

    _http_type = httpx.Client

    def _http(self) -> Connection:
        return self._check_open()

    def get_task(
        self, task_id: str, *, page: int | None = None, company_id: str | None = None
    ) -> Task:
        """Fetch a task's current state (one page of it, for paged exports)."""
        http = self._http()
        return run(self._get_task_flow(task_id, page=page, company_id=company_id), http)

    def wait_for_task(
        self,
        task_id: str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        max_interval: float = 30.0,
        company_id: str | None = None,
        on_update: Callable[[Task], object] | None = None,
        raise_on_failure: bool = True,
        on_poll: Callable[[Task], object] | None = None,
    ) -> Task:
        """Poll until the task is done and return it.

        The wait between polls starts at `poll_interval` and grows 1.5x (with jitter) up to
        `max_interval`; a longer Retry-After from the server wins. It never sleeps past `timeout`
        seconds: then TaskTimeoutError carries the last task seen. A task that ends without
        success raises a TaskFailedError subclass quoting its information messages (or, with
        `raise_on_failure=False`, is returned). A status the integration does not define raises
        UnexpectedTaskStatusError at once. `on_update(task)` is called whenever the status changes,
        `on_poll(task)` after every poll.
        """
        options = WaitOptions.create(
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            company_id=company_id,
            on_update=on_update,
            raise_on_failure=raise_on_failure,
            on_poll=on_poll,
        )
        http = self._http()
        return run(self._wait_flow(task_id, options), http)

    def iter_task_pages(
        self,
        task_id: str,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> Iterator[TaskPage]:
        """Yield a finished export's pages lazily, from `start_page` to the last.

        One page is in memory at a time. Each page is checked (the page asked for, the fixed page
        size, totals that do not change); any mismatch, or a page that fails after retries,
        raises IncompleteExportError with the page to pass as `start_page` to resume.
        """
        http = self._http()
        flow = self._export_flow(
            task_id, start_page=start_page, company_id=company_id, entries_from=entries_from
        )
        return run_iter(flow, http)

    def iter_task_entries(
        self,
        task_id: str,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> Iterator[Any]:
        """Yield every entry of a finished export, in order, exactly once (see iter_task_pages)."""
        pages = self.iter_task_pages(
            task_id, start_page=start_page, company_id=company_id, entries_from=entries_from
        )
        return itertools.chain.from_iterable(page.entries for page in pages)

    def close(self) -> None:
        """Close the client; it (and its export iterators) cannot be used afterwards.

        Closes the connection pool only if this client created it: an `http_client=` you passed
        stays open (you close it), and closing a `with_options` copy leaves the original's pool
        open.
        """
        self._closed = True
        self._connection.closed = True
        if self._owns_http:
            self._connection.http.close()  # type: ignore[union-attr]

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
    """Asyncio client for Maesn's asynchronous tasks; the same arguments as `Client`.

    `http_client` must be an `httpx.AsyncClient`. With its own pool, at most 20 requests are in
    flight at once (the pool's size); more concurrent calls queue for a slot within their timeout.
    """

    _http_type = httpx.AsyncClient

    def _http(self) -> Connection:
        return self._check_open()

    async def get_task(
        self, task_id: str, *, page: int | None = None, company_id: str | None = None
    ) -> Task:
        """Fetch a task's current state (one page of it, for paged exports)."""
        http = self._http()
        return await arun(self._get_task_flow(task_id, page=page, company_id=company_id), http)

    async def wait_for_task(
        self,
        task_id: str,
        *,
        timeout: float = 600.0,  # noqa: ASYNC109 - the overall deadline is the API, as on Client
        poll_interval: float = 1.0,
        max_interval: float = 30.0,
        company_id: str | None = None,
        on_update: Callable[[Task], object] | None = None,
        raise_on_failure: bool = True,
        on_poll: Callable[[Task], object] | None = None,
    ) -> Task:
        """Poll until the task is done and return it (see `Client.wait_for_task`).

        Cancelling the awaiting task stops the wait at once.
        """
        options = WaitOptions.create(
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            company_id=company_id,
            on_update=on_update,
            raise_on_failure=raise_on_failure,
            on_poll=on_poll,
        )
        http = self._http()
        return await arun(self._wait_flow(task_id, options), http)

    async def wait_for_tasks(
        self, task_ids: Iterable[str], *, concurrency: int = 50, **wait: Any
    ) -> AsyncIterator[Task]:
        """Wait for many tasks at once, yielding each as it finishes.

        At most `concurrency` waits poll at the same time, all over this client's one connection
        pool; `wait` takes the arguments of `wait_for_task`. The first error cancels the other
        waits and is raised.
        """
        check_at_least("concurrency", concurrency, 1)
        ids = list(task_ids)
        gate = asyncio.Semaphore(concurrency)

        async def one(task_id: str) -> Task:
            async with gate:
                return await self.wait_for_task(task_id, **wait)

        pending = [asyncio.ensure_future(one(task_id)) for task_id in ids]
        try:
            for finished in asyncio.as_completed(pending):
                yield await finished
        finally:
            for future in pending:
                future.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def iter_task_pages(
        self,
        task_id: str,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> AsyncIterator[TaskPage]:
        """Yield a finished export's pages lazily with `async for` (see `Client.iter_task_pages`).

        The arguments are checked when called, before anything is sent.
        """
        http = self._http()
        flow = self._export_flow(
            task_id, start_page=start_page, company_id=company_id, entries_from=entries_from
        )
        pages: AsyncIterator[TaskPage] = arun_iter(flow, http)
        return pages

    def iter_task_entries(
        self,
        task_id: str,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> AsyncIterator[Any]:
        """Yield every entry of a finished export, in order, exactly once, with `async for`."""
        return _entries_of(
            self.iter_task_pages(
                task_id, start_page=start_page, company_id=company_id, entries_from=entries_from
            )
        )

    async def aclose(self) -> None:
        """Close the client (see `Client.close`: a pool it did not create stays open)."""
        self._closed = True
        self._connection.closed = True
        if self._owns_http:
            await self._connection.http.aclose()  # type: ignore[union-attr]

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
