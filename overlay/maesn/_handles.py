"""Handles on tasks a call started: the task id bound to the client and companyId that started it.

A task-starting operation (`maesn.task_operations()`) returns a `TaskHandle` from `Client` and an
`AsyncTaskHandle` from `AsyncClient`; each delegates to the client's own calls (`get_task`,
`wait_for_task`, `iter_task_pages`, `iter_task_entries`), so polling follows the same rules,
retries and errors as polling a task id by hand.

A wait on a handle that ends on a finished export keeps the answer it ended with (it carries page
1) until the handle's pages are iterated: `handle.wait()` then `handle.iter_entries()` downloads
page 1 once, not twice.

A handle outlives its process: `handle.to_json()` is a small JSON value (task id, integration,
companyId, operation; never a key) that `client.restore_handle(...)` turns back into a handle, in
a worker process for example (Celery, RQ, Dramatiq pass JSON between processes).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, Unpack

from ._exceptions import ValidationError
from ._export import EntriesFrom, default_entries
from ._validation import check_company_id, check_task_id
from ._waiting import WaitKeywords

if TYPE_CHECKING:
    from ._models import Task, TaskPage
    from ._profiles import IntegrationProfile

__all__ = ["HANDLE_FORMAT", "AsyncTaskHandle", "TaskHandle", "read_saved_handle"]

HANDLE_FORMAT = 1
"""The version of the saved-handle JSON (`TaskHandle.to_dict()`)."""
_FIELDS = frozenset({"maesn_task_handle", "task_id", "integration", "company_id", "operation"})


class _SyncTasks(Protocol):
    """The calls of a `Client` a handle delegates to."""

    @property
    def profile(self) -> IntegrationProfile: ...
    def _redact(self, text: str) -> str: ...
    def get_task(
        self, task_id: str, *, page: int | None = None, company_id: str | None = None
    ) -> Task: ...
    def wait_for_task(self, task_id: str, **options: Unpack[WaitKeywords]) -> Task: ...
    def iter_task_pages(
        self,
        task_id: str,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
        first_page: Task | None = None,
    ) -> Iterator[TaskPage]: ...
    def iter_task_entries(
        self,
        task_id: str,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
        first_page: Task | None = None,
    ) -> Iterator[Any]: ...


class _AsyncTasks(Protocol):
    """The calls of an `AsyncClient` a handle delegates to."""

    @property
    def profile(self) -> IntegrationProfile: ...
    def _redact(self, text: str) -> str: ...
    def get_task(
        self, task_id: str, *, page: int | None = None, company_id: str | None = None
    ) -> Awaitable[Task]: ...
    def wait_for_task(self, task_id: str, **options: Unpack[WaitKeywords]) -> Awaitable[Task]: ...
    def iter_task_pages(
        self,
        task_id: str,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
        first_page: Task | None = None,
    ) -> AsyncIterator[TaskPage]: ...
    def iter_task_entries(
        self,
        task_id: str,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
        first_page: Task | None = None,
    ) -> AsyncIterator[Any]: ...


class _Handle:
    __slots__ = (
        "_finished",
        "_integration",
        "_redact",
        "company_id",
        "created",
        "operation",
        "task_id",
    )

    def __init__(
        self,
        task_id: str,
        *,
        integration: str,
        redact: Callable[[str], str],
        created: Any = None,
        company_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        self.task_id = task_id
        """The id of the task the call started."""
        self.created = created
        """The parsed data of the answer that started the task (e.g. the created object)."""
        self.company_id = company_id
        """The companyId of the call that started the task (None when it sent none)."""
        self.operation = operation
        """The operation that started the task (`resource.operation`), when known."""
        self._integration = integration
        self._redact = redact
        self._finished: tuple[Task, str | None] | None = None

    def _company(self, company_id: str | None) -> str | None:
        return self.company_id if company_id is None else company_id

    def _keep(self, task: Task, company_id: str | None) -> Task:
        """Hold a wait's answer when it is page 1 of a finished export, for the pages."""
        pagination = task.pagination
        finished = task.succeeded and pagination is not None and pagination.current_page == 1
        self._finished = (task, company_id) if finished else None
        return task

    def _first_page(self, start_page: int, company_id: str | None) -> Task | None:
        """The held page 1, let go here: used when the pages start there, for the same company."""
        held, self._finished = self._finished, None
        if held is None or start_page != 1 or held[1] != company_id:
            return None
        return held[0]

    def _options(self, options: WaitKeywords) -> WaitKeywords:
        merged: WaitKeywords = {**options}
        merged["company_id"] = self._company(options.get("company_id"))
        return merged

    def to_dict(self) -> dict[str, Any]:
        """The handle as a JSON-ready dict: task id, integration, companyId, operation; no key."""
        return {
            "maesn_task_handle": HANDLE_FORMAT,
            "task_id": self.task_id,
            "integration": self._integration or None,
            "company_id": self.company_id,
            "operation": self.operation,
        }

    def to_json(self) -> str:
        """`to_dict()` as a JSON string, for a task queue or a database column."""
        return json.dumps(self.to_dict(), separators=(",", ":"))

    def __repr__(self) -> str:
        shown = self._redact(repr(self.task_id))
        company = self._redact(repr(self.company_id))
        return f"{type(self).__name__}(task_id={shown}, company_id={company})"


def read_saved_handle(saved: object, *, integration: str) -> tuple[str, str | None, str | None]:
    """Check a saved handle (`to_json()` / `to_dict()`) for a client of `integration` (an id).

    Returns the task id, companyId and operation; raises ValidationError naming what is wrong.
    """
    data: object = saved
    if isinstance(saved, str | bytes):
        try:
            data = json.loads(saved)
        except ValueError:
            raise ValidationError(
                "saved handle is not JSON: pass what handle.to_json() returned",
                argument="saved",
            ) from None
    if not isinstance(data, Mapping) or data.get("maesn_task_handle") != HANDLE_FORMAT:
        raise ValidationError(
            f"saved handle is not a maesn task handle (format {HANDLE_FORMAT}): pass what "
            "handle.to_json() or handle.to_dict() returned",
            argument="saved",
        )
    unknown = set(data) - _FIELDS
    if unknown:
        raise ValidationError(
            f"saved handle has unknown fields {sorted(map(str, unknown))}", argument="saved"
        )
    saved_integration = data.get("integration") or ""
    if saved_integration != integration:
        raise ValidationError(
            f"the handle was saved by a client of integration {saved_integration or None!r}; this "
            f"client is for {integration or None!r}: restore it with a client of that integration "
            "(a task id is only valid with the account key that started it)",
            argument="saved",
        )
    operation = data.get("operation")
    if operation is not None and not isinstance(operation, str):
        raise ValidationError("saved handle: operation must be a str or null", argument="saved")
    return check_task_id(data.get("task_id")), check_company_id(data.get("company_id")), operation


class TaskHandle(_Handle):
    """A task started through a `Client`.

    `.get()`, `.wait(...)`, and for paged integrations `.iter_pages()` / `.iter_entries()`;
    `.to_json()` saves it, `client.restore_handle(saved)` restores it.
    """

    __slots__ = ("_client",)

    def __init__(
        self,
        client: _SyncTasks,
        task_id: str,
        *,
        created: Any = None,
        company_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(
            task_id,
            integration=client.profile.id,
            redact=client._redact,  # noqa: SLF001
            created=created,
            company_id=company_id,
            operation=operation,
        )
        self._client = client

    def get(self, *, page: int | None = None, company_id: str | None = None) -> Task:
        """The task's current state (one page of it, for paged exports): `Client.get_task`."""
        return self._client.get_task(self.task_id, page=page, company_id=self._company(company_id))

    def wait(self, **options: Unpack[WaitKeywords]) -> Task:
        """Poll until the task is done and return it: `Client.wait_for_task` (same keywords).

        When the task is a finished export, the handle keeps the answer (page 1) until its pages
        are iterated, so `iter_pages()` / `iter_entries()` do not download page 1 again.
        """
        merged = self._options(options)
        task = self._client.wait_for_task(self.task_id, **merged)
        return self._keep(task, merged.get("company_id"))

    def iter_pages(
        self,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> Iterator[TaskPage]:
        """A finished export's pages, lazily: `Client.iter_task_pages` (paged integrations).

        Page 1 comes from the answer `wait()` ended with, when it carried it.
        """
        company = self._company(company_id)
        return self._client.iter_task_pages(
            self.task_id,
            start_page=start_page,
            company_id=company,
            entries_from=entries_from,
            first_page=self._first_page(start_page, company),
        )

    def iter_entries(
        self,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> Iterator[Any]:
        """Every entry of a finished export, in order: `Client.iter_task_entries`."""
        company = self._company(company_id)
        return self._client.iter_task_entries(
            self.task_id,
            start_page=start_page,
            company_id=company,
            entries_from=entries_from,
            first_page=self._first_page(start_page, company),
        )


class AsyncTaskHandle(_Handle):
    """A task started through an `AsyncClient`.

    `await .get()`, `await .wait(...)`, and for paged integrations `async for` over
    `.iter_pages()` / `.iter_entries()`; `.to_json()` saves it.
    """

    __slots__ = ("_client",)

    def __init__(
        self,
        client: _AsyncTasks,
        task_id: str,
        *,
        created: Any = None,
        company_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(
            task_id,
            integration=client.profile.id,
            redact=client._redact,  # noqa: SLF001
            created=created,
            company_id=company_id,
            operation=operation,
        )
        self._client = client

    async def get(self, *, page: int | None = None, company_id: str | None = None) -> Task:
        """The task's current state: `AsyncClient.get_task`."""
        return await self._client.get_task(
            self.task_id, page=page, company_id=self._company(company_id)
        )

    async def wait(self, **options: Unpack[WaitKeywords]) -> Task:
        """Poll until the task is done: `AsyncClient.wait_for_task` (same keywords).

        A finished export's answer (page 1) is kept for `iter_pages()` / `iter_entries()`.
        """
        merged = self._options(options)
        task = await self._client.wait_for_task(self.task_id, **merged)
        return self._keep(task, merged.get("company_id"))

    def iter_pages(
        self,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> AsyncIterator[TaskPage]:
        """A finished export's pages with `async for`: `AsyncClient.iter_task_pages`."""
        company = self._company(company_id)
        return self._client.iter_task_pages(
            self.task_id,
            start_page=start_page,
            company_id=company,
            entries_from=entries_from,
            first_page=self._first_page(start_page, company),
        )

    def iter_entries(
        self,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> AsyncIterator[Any]:
        """Every entry of a finished export with `async for`: `AsyncClient.iter_task_entries`."""
        company = self._company(company_id)
        return self._client.iter_task_entries(
            self.task_id,
            start_page=start_page,
            company_id=company,
            entries_from=entries_from,
            first_page=self._first_page(start_page, company),
        )
