"""`Client` and `AsyncClient`: the same calls, driven with blocking or asyncio I/O."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, overload

import httpx

from . import _clock
from ._base import BaseClient
from ._exceptions import MaesnError
from ._export import EntriesFrom, aiter_entries, default_entries, iter_entries
from ._flow import Connection, arun, arun_iter, run, run_iter
from ._handles import AsyncTaskHandle, TaskHandle
from ._models import Task, TaskPage
from ._resources import Operation, TaskStart, load_operation
from ._validation import check_at_least
from ._waiting import WaitOptions

if TYPE_CHECKING:
    from maesn_api.models.company_response_dto import CompanyResponseDto

__all__ = ["AsyncClient", "Client", "TaskResult"]

TaskResult = tuple[str, Task | MaesnError]
"""What `wait_for_tasks(..., return_exceptions=True)` yields per task: its id, and the finished
Task or the MaesnError its wait ended with (TaskFailedError, TaskTimeoutError, an APIError...)."""


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

    def _call_operation(
        self, operation: Operation, args: tuple[Any, ...], kwargs: dict[str, Any], *, raw: bool
    ) -> Any:
        """One generated operation: checked, sent through this client, answered (see _resources)."""
        http = self._http()
        request, company = self._operation_request(operation, args, kwargs)
        result = run(self._operation_flow(operation, request, raw=raw), http)
        if isinstance(result, TaskStart):
            return TaskHandle(self, result.task_id, created=result.created, company_id=company)
        return result

    def companies(self, **options: Any) -> list[CompanyResponseDto]:
        """The companies the account key can reach (GET /auth/companies).

        Their ids are the `company_id` DATEV calls need. Takes the generated
        `auth.get_companies` arguments.
        """
        result: list[CompanyResponseDto] = self._call_operation(
            load_operation("auth", "get_companies"), (), options, raw=False
        )
        return result

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
        max_wait: float = 600.0,
        poll_interval: float = 1.0,
        max_interval: float = 30.0,
        company_id: str | None = None,
        on_update: Callable[[Task], object] | None = None,
        on_poll: Callable[[Task], object] | None = None,
        raise_on_failure: bool = True,
        fail_on_error_information: bool = False,
    ) -> Task:
        """Poll until the task is done and return it.

        The wait between polls starts at `poll_interval` and grows 1.5x (with jitter) up to
        `max_interval`; a longer Retry-After from the server wins. It never sleeps past `max_wait`
        seconds (the wait's overall deadline; the client's `timeout` bounds each request): then
        TaskTimeoutError carries the last task seen. A task that ends without success raises a
        TaskFailedError subclass quoting its information messages (or, with
        `raise_on_failure=False`, is returned). A status the integration does not define raises
        UnexpectedTaskStatusError at once. `on_update(task)` is called whenever the status
        changes, `on_poll(task)` after every poll.

        `fail_on_error_information=True` also treats as failed a task whose status counts as
        success but whose `information` holds an entry of a type the integration uses for errors
        (`profile.error_information_types`: AbaConnect's FINISHED with an `ERROR` entry). By
        default (False) such a task is returned: AbaConnect's FINISHED only says the task is done,
        check `task.profile.error_information(task.information)` yourself.
        """
        options = WaitOptions.create(
            max_wait=max_wait,
            poll_interval=poll_interval,
            max_interval=max_interval,
            company_id=company_id,
            on_update=on_update,
            on_poll=on_poll,
            raise_on_failure=raise_on_failure,
            fail_on_error_information=fail_on_error_information,
        )
        http = self._http()
        return run(self._wait_flow(task_id, options), http)

    @overload
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        max_wait: float = ...,
        poll_interval: float = ...,
        max_interval: float = ...,
        company_id: str | None = ...,
        concurrency: int = ...,
        return_exceptions: Literal[False] = ...,
        fail_on_error_information: bool = ...,
    ) -> Iterator[Task]: ...
    @overload
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        max_wait: float = ...,
        poll_interval: float = ...,
        max_interval: float = ...,
        company_id: str | None = ...,
        concurrency: int = ...,
        return_exceptions: Literal[True],
        fail_on_error_information: bool = ...,
    ) -> Iterator[TaskResult]: ...
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        max_wait: float = 600.0,
        poll_interval: float = 1.0,
        max_interval: float = 30.0,
        company_id: str | None = None,
        concurrency: int = 50,
        return_exceptions: bool = False,
        fail_on_error_information: bool = False,
    ) -> Iterator[Task] | Iterator[TaskResult]:
        """Wait for many tasks over this client's connection, yielding each as it finishes.

        One loop polls the tasks round-robin, the one due soonest first, each with the intervals
        of `wait_for_task`; up to `concurrency` tasks are in rotation at a time, the next starts
        when one finishes. `max_wait` counts from this call for every task. The arguments (and
        every task id) are checked here, before any request.

        By default it yields each finished Task, and the first error (TaskFailedError,
        TaskTimeoutError, an APIError...) ends the whole iteration. With `return_exceptions=True`
        it yields one `(task_id, Task | MaesnError)` pair per task (`maesn.TaskResult`) and never
        raises for one task's failure; failed tasks come as TaskFailedError carrying `.task`.
        """
        options = WaitOptions.create(
            max_wait=max_wait,
            poll_interval=poll_interval,
            max_interval=max_interval,
            company_id=company_id,
            fail_on_error_information=fail_on_error_information,
        )
        ids = self._task_ids(task_ids)
        cap = check_at_least("concurrency", concurrency, 1)
        http = self._http()
        flow = self._wait_many_flow(
            ids, options, concurrency=cap, return_exceptions=bool(return_exceptions)
        )
        return run_iter(flow, http)

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
        """Yield every entry of a finished export, in order, exactly once (see iter_task_pages).

        A page is let go before the next is fetched: memory holds one decoded page at a time.
        """
        pages = self.iter_task_pages(
            task_id, start_page=start_page, company_id=company_id, entries_from=entries_from
        )
        return iter_entries(pages)

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

    async def _call_operation(
        self, operation: Operation, args: tuple[Any, ...], kwargs: dict[str, Any], *, raw: bool
    ) -> Any:
        """One generated operation, awaited (see `Client._call_operation`)."""
        http = self._http()
        request, company = self._operation_request(operation, args, kwargs)
        result = await arun(self._operation_flow(operation, request, raw=raw), http)
        if isinstance(result, TaskStart):
            return AsyncTaskHandle(self, result.task_id, created=result.created, company_id=company)
        return result

    async def companies(self, **options: Any) -> list[CompanyResponseDto]:
        """The companies the account key can reach (see `Client.companies`)."""
        result: list[CompanyResponseDto] = await self._call_operation(
            load_operation("auth", "get_companies"), (), options, raw=False
        )
        return result

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
        max_wait: float = 600.0,
        poll_interval: float = 1.0,
        max_interval: float = 30.0,
        company_id: str | None = None,
        on_update: Callable[[Task], object] | None = None,
        on_poll: Callable[[Task], object] | None = None,
        raise_on_failure: bool = True,
        fail_on_error_information: bool = False,
    ) -> Task:
        """Poll until the task is done and return it (see `Client.wait_for_task`).

        Cancelling the awaiting task stops the wait at once.
        """
        options = WaitOptions.create(
            max_wait=max_wait,
            poll_interval=poll_interval,
            max_interval=max_interval,
            company_id=company_id,
            on_update=on_update,
            on_poll=on_poll,
            raise_on_failure=raise_on_failure,
            fail_on_error_information=fail_on_error_information,
        )
        http = self._http()
        return await arun(self._wait_flow(task_id, options), http)

    @overload
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        max_wait: float = ...,
        poll_interval: float = ...,
        max_interval: float = ...,
        company_id: str | None = ...,
        concurrency: int = ...,
        return_exceptions: Literal[False] = ...,
        fail_on_error_information: bool = ...,
    ) -> AsyncIterator[Task]: ...
    @overload
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        max_wait: float = ...,
        poll_interval: float = ...,
        max_interval: float = ...,
        company_id: str | None = ...,
        concurrency: int = ...,
        return_exceptions: Literal[True],
        fail_on_error_information: bool = ...,
    ) -> AsyncIterator[TaskResult]: ...
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        max_wait: float = 600.0,
        poll_interval: float = 1.0,
        max_interval: float = 30.0,
        company_id: str | None = None,
        concurrency: int = 50,
        return_exceptions: bool = False,
        fail_on_error_information: bool = False,
    ) -> AsyncIterator[Task] | AsyncIterator[TaskResult]:
        """Wait for many tasks at once, yielding each as it finishes, with `async for`.

        At most `concurrency` waits poll at the same time, all over this client's one connection
        pool, each with the intervals of `wait_for_task`; `max_wait` counts from this call for
        every task. The arguments (and every task id) are checked here, before any request.

        By default it yields each finished Task, and the first error cancels the other waits and
        is raised. With `return_exceptions=True` it yields one `(task_id, Task | MaesnError)`
        pair per task (`maesn.TaskResult`) and never raises for one task's failure. Leaving the
        loop early (break, an exception, cancellation) cancels the waits still running.
        """
        options = WaitOptions.create(
            max_wait=max_wait,
            poll_interval=poll_interval,
            max_interval=max_interval,
            company_id=company_id,
            fail_on_error_information=fail_on_error_information,
        )
        ids = self._task_ids(task_ids)
        cap = check_at_least("concurrency", concurrency, 1)
        http = self._http()
        return self._wait_many(http, ids, options, cap, return_exceptions=bool(return_exceptions))

    async def _wait_many(
        self,
        http: Connection,
        task_ids: list[str],
        options: WaitOptions,
        concurrency: int,
        *,
        return_exceptions: bool,
    ) -> AsyncIterator[Any]:
        started = _clock.current().monotonic()
        gate = asyncio.Semaphore(concurrency)

        async def one(task_id: str) -> Task | TaskResult:
            async with gate:
                flow = self._wait_flow(task_id, options, started=started)
                if not return_exceptions:
                    return await arun(flow, http)
                try:
                    return task_id, await arun(flow, http)
                except MaesnError as exc:
                    return task_id, exc

        pending = [asyncio.ensure_future(one(task_id)) for task_id in task_ids]
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
        return aiter_entries(
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
