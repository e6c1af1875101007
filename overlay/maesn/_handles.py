"""Handles on tasks a call started: the task id bound to the client and companyId that started it.

A task-starting operation (`maesn.task_operations()`) returns a `TaskHandle` from `Client`
and an `AsyncTaskHandle` from `AsyncClient`; each delegates to the client's own calls
(`get_task`, `wait_for_task`, `iter_task_pages`, `iter_task_entries`), so polling follows the
same rules, retries and errors as polling a task id by hand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._export import EntriesFrom, default_entries

if TYPE_CHECKING:
    from ._client import AsyncClient, Client
    from ._models import Task, TaskPage

__all__ = ["AsyncTaskHandle", "TaskHandle"]


class _Handle:
    __slots__ = ("company_id", "created", "task_id")

    def __init__(self, task_id: str, *, created: Any = None, company_id: str | None = None) -> None:
        self.task_id = task_id
        """The id of the task the call started."""
        self.created = created
        """The parsed data of the answer that started the task (e.g. the created object)."""
        self.company_id = company_id
        """The companyId of the call that started the task (None when it sent none)."""

    def _company(self, company_id: str | None) -> str | None:
        return self.company_id if company_id is None else company_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(task_id={self.task_id!r}, company_id={self.company_id!r})"


class TaskHandle(_Handle):
    """A task started through a `Client`.

    `.get()`, `.wait(...)`, and for paged integrations `.iter_pages()` / `.iter_entries()`.
    """

    __slots__ = ("_client",)

    def __init__(
        self, client: Client, task_id: str, *, created: Any = None, company_id: str | None = None
    ) -> None:
        super().__init__(task_id, created=created, company_id=company_id)
        self._client = client

    def get(self, *, page: int | None = None, company_id: str | None = None) -> Task:
        """The task's current state (one page of it, for paged exports): `Client.get_task`."""
        return self._client.get_task(self.task_id, page=page, company_id=self._company(company_id))

    def wait(
        self,
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
        """Poll until the task is done and return it: `Client.wait_for_task` (same keywords)."""
        return self._client.wait_for_task(
            self.task_id,
            max_wait=max_wait,
            poll_interval=poll_interval,
            max_interval=max_interval,
            company_id=self._company(company_id),
            on_update=on_update,
            on_poll=on_poll,
            raise_on_failure=raise_on_failure,
            fail_on_error_information=fail_on_error_information,
        )

    def iter_pages(
        self,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> Iterator[TaskPage]:
        """A finished export's pages, lazily: `Client.iter_task_pages` (paged integrations)."""
        return self._client.iter_task_pages(
            self.task_id,
            start_page=start_page,
            company_id=self._company(company_id),
            entries_from=entries_from,
        )

    def iter_entries(
        self,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> Iterator[Any]:
        """Every entry of a finished export, in order: `Client.iter_task_entries`."""
        return self._client.iter_task_entries(
            self.task_id,
            start_page=start_page,
            company_id=self._company(company_id),
            entries_from=entries_from,
        )


class AsyncTaskHandle(_Handle):
    """A task started through an `AsyncClient`.

    `await .get()`, `await .wait(...)`, and for paged integrations `async for` over
    `.iter_pages()` / `.iter_entries()`.
    """

    __slots__ = ("_client",)

    def __init__(
        self,
        client: AsyncClient,
        task_id: str,
        *,
        created: Any = None,
        company_id: str | None = None,
    ) -> None:
        super().__init__(task_id, created=created, company_id=company_id)
        self._client = client

    async def get(self, *, page: int | None = None, company_id: str | None = None) -> Task:
        """The task's current state: `AsyncClient.get_task`."""
        return await self._client.get_task(
            self.task_id, page=page, company_id=self._company(company_id)
        )

    async def wait(
        self,
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
        """Poll until the task is done: `AsyncClient.wait_for_task` (same keywords)."""
        return await self._client.wait_for_task(
            self.task_id,
            max_wait=max_wait,
            poll_interval=poll_interval,
            max_interval=max_interval,
            company_id=self._company(company_id),
            on_update=on_update,
            on_poll=on_poll,
            raise_on_failure=raise_on_failure,
            fail_on_error_information=fail_on_error_information,
        )

    def iter_pages(
        self,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> AsyncIterator[TaskPage]:
        """A finished export's pages with `async for`: `AsyncClient.iter_task_pages`."""
        return self._client.iter_task_pages(
            self.task_id,
            start_page=start_page,
            company_id=self._company(company_id),
            entries_from=entries_from,
        )

    def iter_entries(
        self,
        *,
        start_page: int = 1,
        company_id: str | None = None,
        entries_from: EntriesFrom = default_entries,
    ) -> AsyncIterator[Any]:
        """Every entry of a finished export with `async for`: `AsyncClient.iter_task_entries`."""
        return self._client.iter_task_entries(
            self.task_id,
            start_page=start_page,
            company_id=self._company(company_id),
            entries_from=entries_from,
        )
