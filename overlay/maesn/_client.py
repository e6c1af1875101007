"""`Client` and `AsyncClient`: the same calls, driven with blocking or asyncio I/O."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, Self, TypeVar, Unpack, overload

import httpx
from maesn_resources import AsyncResources, Resources

from ._base import BaseClient
from ._calls import PageData, PreparedCall, ReadTaskStart, TaskStart
from ._errors import task_started
from ._exceptions import MaesnError
from ._export import EntriesFrom, aiter_entries, default_entries, iter_entries
from ._flow import Connection, arun, arun_iter, run, run_iter
from ._handles import AsyncTaskHandle, TaskHandle, read_saved_handle
from ._models import Task, TaskPage
from ._operations import Operation
from ._pages import AsyncPage, SyncPage
from ._resource import CallMode
from ._rules import operation_pages
from ._validation import check_company_id, check_task_id
from ._waiting import BatchWaitKeywords, WaitKeywords, WaitOptions

if TYPE_CHECKING:
    from maesn_api.models.company_response_dto import CompanyResponseDto

__all__ = ["AsyncClient", "Client", "TaskResult"]

P = ParamSpec("P")
T = TypeVar("T")

TaskResult = tuple[str, Task | MaesnError]
"""What `wait_for_tasks(..., return_exceptions=True)` yields per task: its id, and the finished
Task or the MaesnError its wait ended with (TaskFailedError, TaskTimeoutError, an APIError...)."""


def _delivered(
    client: Client | AsyncClient,
    call: PreparedCall,
    result: Any,
    *,
    handle_type: Callable[..., TaskHandle | AsyncTaskHandle],
    page_type: Callable[..., SyncPage[Any] | AsyncPage[Any]],
    page_fetch: Callable[[PreparedCall], Any],
) -> Any:
    """What a call returns for `result`: a task handle, a page of a list, or the result itself."""
    if isinstance(result, TaskStart | ReadTaskStart):
        handle = handle_type(
            client,
            result.task_id,
            created=getattr(result, "created", None),
            company_id=call.company_id,
            operation=call.operation.qualname,
        )
        if isinstance(result, ReadTaskStart):
            raise task_started(call.operation, handle, result.task_id)
        return handle
    if isinstance(result, PageData):
        operation = call.operation
        return page_type(
            result.items,
            fetch=page_fetch(call),
            page=call.arguments.get("page") or 1,
            pagination=result.pagination,
            warnings=result.warnings,
            operation=operation.qualname,
            paged=operation_pages(client.profile, operation.operation_id) is not False,
        )
    return result


class Client(Resources, BaseClient):
    """Blocking client for Maesn's unified API: every operation typed, tasks waited for.

    Args:
        api_key: Maesn API key; default: the environment variable MAESN_API_KEY.
        account_key: the end user's account key for one target system; default: MAESN_ACCOUNT_KEY.
        integration: the target system behind the account key (a `maesn.Integration` or its
            id; default: MAESN_INTEGRATION). Its documented rules are applied before every call
            (companyId and environmentName, operations only another integration serves,
            timestamp formats) and decide what a task's status means. Optional: without one
            (or with an id the table does not know, which warns once) the generic rules apply,
            which cannot check those rules (see `maesn integrations`).
        company_id: default companyId for every call (DATEV needs one unless interactive_auth).
        environment_name: default environmentName for every call (Business Central needs one
            unless interactive_auth); `client.auth.get_environments()` lists them.
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

    Every operation of Maesn's API is a typed method of a resource: `client.accounting`,
    `client.auth`, `client.webhooks`... (one per tag of the spec). `integration`, `company_id`
    and `environment_name` default to the environment variables MAESN_INTEGRATION,
    MAESN_COMPANY_ID and MAESN_ENVIRONMENT_NAME. `with_options(...)` (or `copy(...)`) returns a
    client with other settings sharing this one's pool.
    """

    _http_type = httpx.Client

    def _http(self) -> Connection:
        return self._check_open()

    def _request(
        self, operation: Operation, arguments: dict[str, Any], *, mode: CallMode = "call"
    ) -> Any:
        """One operation: checked, sent through this client's pool, its answer interpreted."""
        call = self._prepare(operation, arguments, mode)
        result = run(self._call_flow(call), self._http())
        return self._deliver(call, result)

    def _deliver(self, call: PreparedCall, result: Any) -> Any:
        return _delivered(
            self,
            call,
            result,
            handle_type=TaskHandle,
            page_type=SyncPage,
            page_fetch=self._page_fetch,
        )

    def _page_fetch(self, call: PreparedCall) -> Callable[[int], SyncPage[Any]]:
        operation, arguments = call.operation, call.arguments

        def fetch(number: int) -> SyncPage[Any]:
            page: SyncPage[Any] = self._request(operation, {**arguments, "page": number})
            return page

        return fetch

    def paginate(
        self, method: Callable[P, SyncPage[T]], /, *args: P.args, **kwargs: P.kwargs
    ) -> Iterator[T]:
        """Every item of a list operation across all its pages, lazily, with one call.

        `for invoice in client.paginate(client.accounting.get_invoices, limit=100,
        last_modified_at=since): ...` calls the method with the arguments given (filters
        included) when the iteration starts, then fetches each following page as the previous
        one is used up. A failure on the first page raises its error; a later one raises
        `IncompleteListError` with `resume_page` (pass it as `page=` to continue).
        """

        def items() -> Iterator[T]:
            yield from method(*args, **kwargs).auto_paging_iter()

        return items()

    def companies(self) -> list[CompanyResponseDto]:
        """The companies the account key can reach (GET /auth/companies).

        Their ids are the `company_id` that DATEV, Exact and Business Central calls need.
        """
        return self.auth.get_companies()

    def task_handle(self, task_id: str, *, company_id: str | None = None) -> TaskHandle:
        """A handle on a task this account key started (by its id), to wait for or export."""
        return TaskHandle(self, check_task_id(task_id), company_id=check_company_id(company_id))

    def restore_handle(self, saved: str | bytes | Mapping[str, Any]) -> TaskHandle:
        """The handle `handle.to_json()` (or `to_dict()`) saved, bound to this client.

        The client must be of the integration that started the task (and hold the account key
        that started it); the saved value holds no key.
        """
        task_id, company_id, operation = read_saved_handle(saved, integration=self.profile.id)
        return TaskHandle(self, task_id, company_id=company_id, operation=operation)

    def get_task(
        self, task_id: str, *, page: int | None = None, company_id: str | None = None
    ) -> Task:
        """Fetch a task's current state (one page of it, for paged exports)."""
        http = self._http()
        return run(self._get_task_flow(task_id, page=page, company_id=company_id), http)

    def wait_for_task(self, task_id: str, **options: Unpack[WaitKeywords]) -> Task:
        """Poll until the task is done and return it.

        The wait between polls starts at `poll_interval` and grows 1.5x (with jitter) up to
        `max_interval`; a longer Retry-After from the server wins. It never sleeps past `max_wait`
        seconds (the wait's overall deadline; the client's `timeout` bounds each request): then
        TaskTimeoutError carries the last task seen. A task that ends without success raises a
        TaskFailedError subclass quoting its information messages (or, with
        `raise_on_failure=False`, is returned). A status the integration does not define raises
        UnexpectedTaskStatusError at once. `on_update(task)` is called whenever the status
        changes, `on_poll(task)` after every poll. The keywords are `maesn.WaitKeywords`.

        `fail_on_error_information=True` also treats as failed a task whose status counts as
        success but whose `information` holds an entry of a type the integration uses for errors
        (`profile.error_information_types`: AbaConnect's FINISHED with an `ERROR` entry). By
        default (False) such a task is returned: AbaConnect's FINISHED only says the task is done,
        check `task.profile.error_information(task.information)` yourself.
        """
        options_ = WaitOptions.create(**options)
        http = self._http()
        return run(self._wait_flow(task_id, options_), http)

    @overload
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        concurrency: int = ...,
        return_exceptions: Literal[False] = ...,
        **options: Unpack[BatchWaitKeywords],
    ) -> Iterator[Task]: ...
    @overload
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        concurrency: int = ...,
        return_exceptions: Literal[True],
        **options: Unpack[BatchWaitKeywords],
    ) -> Iterator[TaskResult]: ...
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        concurrency: int = 50,
        return_exceptions: bool = False,
        **options: Unpack[BatchWaitKeywords],
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
        flow = self._wait_many(
            task_ids, concurrency=concurrency, return_exceptions=return_exceptions, options=options
        )
        return run_iter(flow, self._http())

    def iter_task_pages(
        self,
        task_id: str,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
        first_page: Task | None = None,
    ) -> Iterator[TaskPage]:
        """Yield a finished export's pages lazily, from `start_page` to the last.

        One page is in memory at a time. Each page is checked (the page asked for, the fixed page
        size, totals that do not change); any mismatch, or a page that fails after retries,
        raises IncompleteExportError with the page to pass as `start_page` to resume.

        `first_page` is the Task `wait_for_task` (or `get_task`) returned for this task: the
        answer that finished the wait already carries page 1, so page 1 is taken from it (and
        checked like a fetched page) instead of being downloaded again. A Task of another page
        than `start_page` is not used. (`handle.wait()` then `handle.iter_entries()` does this
        by itself.)
        """
        http = self._http()
        flow = self._export_flow(
            task_id,
            start_page=start_page,
            company_id=company_id,
            entries_from=entries_from,
            first_page=first_page,
        )
        return run_iter(flow, http)

    def iter_task_entries(
        self,
        task_id: str,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
        first_page: Task | None = None,
    ) -> Iterator[Any]:
        """Yield every entry of a finished export, in order, exactly once (see iter_task_pages).

        A page is let go before the next is fetched: memory holds one decoded page at a time.
        `first_page`: the Task a wait returned, so page 1 is not downloaded twice.
        """
        pages = self.iter_task_pages(
            task_id,
            start_page=start_page,
            company_id=company_id,
            entries_from=entries_from,
            first_page=first_page,
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


class AsyncClient(AsyncResources, BaseClient):
    """Asyncio client for Maesn's unified API; the same arguments and calls as `Client`.

    `http_client` must be an `httpx.AsyncClient`. With its own pool, at most 20 requests are in
    flight at once (the pool's size); more concurrent calls queue for a slot within their timeout.
    """

    _http_type = httpx.AsyncClient

    def _http(self) -> Connection:
        return self._check_open()

    async def _request(
        self, operation: Operation, arguments: dict[str, Any], *, mode: CallMode = "call"
    ) -> Any:
        """One operation, awaited (see `Client._request`)."""
        call = self._prepare(operation, arguments, mode)
        result = await arun(self._call_flow(call), self._http())
        return self._deliver(call, result)

    def _deliver(self, call: PreparedCall, result: Any) -> Any:
        return _delivered(
            self,
            call,
            result,
            handle_type=AsyncTaskHandle,
            page_type=AsyncPage,
            page_fetch=self._page_fetch,
        )

    def _page_fetch(self, call: PreparedCall) -> Callable[[int], Awaitable[AsyncPage[Any]]]:
        operation, arguments = call.operation, call.arguments

        async def fetch(number: int) -> AsyncPage[Any]:
            page: AsyncPage[Any] = await self._request(operation, {**arguments, "page": number})
            return page

        return fetch

    def paginate(
        self, method: Callable[P, Awaitable[AsyncPage[T]]], /, *args: P.args, **kwargs: P.kwargs
    ) -> AsyncIterator[T]:
        """Every item of a list operation across all its pages, lazily, with `async for`.

        See `Client.paginate`: `async for invoice in client.paginate(
        client.accounting.get_invoices, limit=100): ...`.
        """

        async def items() -> AsyncIterator[T]:
            page = await method(*args, **kwargs)
            async for item in page.auto_paging_iter():
                yield item

        return items()

    async def companies(self) -> list[CompanyResponseDto]:
        """The companies the account key can reach (see `Client.companies`)."""
        return await self.auth.get_companies()

    def task_handle(self, task_id: str, *, company_id: str | None = None) -> AsyncTaskHandle:
        """A handle on a task this account key started (see `Client.task_handle`)."""
        return AsyncTaskHandle(
            self, check_task_id(task_id), company_id=check_company_id(company_id)
        )

    def restore_handle(self, saved: str | bytes | Mapping[str, Any]) -> AsyncTaskHandle:
        """The handle `handle.to_json()` saved, bound to this client (see `Client.restore_handle`)."""
        task_id, company_id, operation = read_saved_handle(saved, integration=self.profile.id)
        return AsyncTaskHandle(self, task_id, company_id=company_id, operation=operation)

    async def get_task(
        self, task_id: str, *, page: int | None = None, company_id: str | None = None
    ) -> Task:
        """Fetch a task's current state (one page of it, for paged exports)."""
        http = self._http()
        return await arun(self._get_task_flow(task_id, page=page, company_id=company_id), http)

    async def wait_for_task(self, task_id: str, **options: Unpack[WaitKeywords]) -> Task:
        """Poll until the task is done and return it (see `Client.wait_for_task`).

        Cancelling the awaiting task stops the wait at once.
        """
        options_ = WaitOptions.create(**options)
        http = self._http()
        return await arun(self._wait_flow(task_id, options_), http)

    @overload
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        concurrency: int = ...,
        return_exceptions: Literal[False] = ...,
        **options: Unpack[BatchWaitKeywords],
    ) -> AsyncIterator[Task]: ...
    @overload
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        concurrency: int = ...,
        return_exceptions: Literal[True],
        **options: Unpack[BatchWaitKeywords],
    ) -> AsyncIterator[TaskResult]: ...
    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        concurrency: int = 50,
        return_exceptions: bool = False,
        **options: Unpack[BatchWaitKeywords],
    ) -> AsyncIterator[Task] | AsyncIterator[TaskResult]:
        """Wait for many tasks, yielding each as it finishes, with `async for`.

        The same scheduling as `Client.wait_for_tasks` (one loop polls the tasks round-robin,
        the one due soonest first, over this client's pool); the arguments (and every task id)
        are checked here, before any request. Leaving the loop early (break, an exception,
        cancellation) stops every wait.
        """
        flow = self._wait_many(
            task_ids, concurrency=concurrency, return_exceptions=return_exceptions, options=options
        )
        iterator: AsyncIterator[Any] = arun_iter(flow, self._http())
        return iterator

    def iter_task_pages(
        self,
        task_id: str,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
        first_page: Task | None = None,
    ) -> AsyncIterator[TaskPage]:
        """Yield a finished export's pages lazily with `async for` (see `Client.iter_task_pages`).

        The arguments are checked when called, before anything is sent; `first_page` (the Task
        a wait returned) saves downloading page 1 again.
        """
        http = self._http()
        flow = self._export_flow(
            task_id,
            start_page=start_page,
            company_id=company_id,
            entries_from=entries_from,
            first_page=first_page,
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
        first_page: Task | None = None,
    ) -> AsyncIterator[Any]:
        """Yield every entry of a finished export, in order, exactly once, with `async for`."""
        return aiter_entries(
            self.iter_task_pages(
                task_id,
                start_page=start_page,
                company_id=company_id,
                entries_from=entries_from,
                first_page=first_page,
            )
        )

    async def aclose(self) -> None:
        """Close the client (see `Client.close`: a pool it did not create stays open)."""
        self._closed = True
        self._connection.closed = True
        if self._owns_http:
            await self._connection.aclose_http()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
