"""Paging an export's result: every entry exactly once, or an error saying where to resume."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._exceptions import (
    APIError,
    IncompleteExportError,
    ResponseValidationError,
    TaskPendingError,
    ValidationError,
)
from ._models import Pagination, Task, TaskPage
from ._profiles import IntegrationProfile
from ._waiting import failure_error, not_understood

__all__ = ["EntriesFrom", "ExportLedger", "default_entries"]

EntriesFrom = Callable[[Any], list[Any]]
"""Turns a page's `responseData` into its list of entries."""


def default_entries(response_data: Any) -> list[Any]:
    """`responseData` itself when it is a list, or its `entries` list when it holds one."""
    if isinstance(response_data, list):
        return response_data
    if isinstance(response_data, dict) and isinstance(response_data.get("entries"), list):
        entries: list[Any] = response_data["entries"]
        return entries
    kind = type(response_data).__name__ if response_data is not None else "null"
    raise ResponseValidationError(
        f"an export page's responseData is {kind}, neither a list of entries nor an object with "
        "an `entries` list: pass entries_from=... to read this shape",
        body=repr(response_data)[:2000],
    )


class ExportLedger:
    """Checks each page against the first and counts what was handed out.

    Pages must report the page that was asked for, hold no more than the fixed page size, be full
    unless they are the last, and agree on the totals; at the end the entries handed out must add
    up to `pagination.total`. Any mismatch raises IncompleteExportError naming the page to resume
    from: everything before it was delivered exactly once, nothing from it on.
    """

    def __init__(self, profile: IntegrationProfile, start_page: int) -> None:
        self.profile = profile
        self.start_page = start_page
        self.entries_yielded = 0
        self.totals: Pagination | None = None

    def _stopped(self, task_id: object, page: int, reason: str) -> IncompleteExportError:
        return IncompleteExportError(
            f"export of task {task_id!r} stopped at page {page}: {reason}. "
            f"{self.entries_yielded} entries were delivered (pages {self.start_page}.."
            f"{page - 1}); resume with start_page={page}",
            resume_page=page,
            entries_yielded=self.entries_yielded,
        )

    def _incomplete(self, task: Task, page: int, reason: str) -> IncompleteExportError:
        return self._stopped(task.task_id, page, reason)

    def fetch_failed(self, task_id: object, page: int, cause: APIError) -> IncompleteExportError:
        """The error for a page that could not be fetched (after the request's retries)."""
        return self._stopped(
            task_id, page, f"the page could not be fetched ({type(cause).__name__}: {cause})"
        )

    def _check_ready(self, task: Task) -> None:
        if task.is_pending:
            raise TaskPendingError(
                f"task {task.task_id!r} is still {task.status}: its export is not ready. Wait "
                "for it first (client.wait_for_task(task_id)), then page through it",
                task=task,
            )
        if task.outcome is None:
            raise not_understood(task)
        if not task.succeeded:
            raise failure_error(task)

    def accept(self, task: Task, page: int, entries_from: EntriesFrom) -> TaskPage:
        """Check one fetched page and return it; raises when entries would be lost or doubled."""
        self._check_ready(task)
        pagination = task.pagination
        if pagination is None:
            raise self._incomplete(task, page, "the page has no meta.pagination")
        if pagination.current_page != page:
            raise self._incomplete(
                task,
                page,
                f"asked for page {page}, the server answered page {pagination.current_page}",
            )
        if self.totals is None:
            self._check_first(task, page, pagination)
            self.totals = pagination
        elif (pagination.total, pagination.total_pages, pagination.per_page) != (
            self.totals.total,
            self.totals.total_pages,
            self.totals.per_page,
        ):
            raise self._incomplete(
                task,
                page,
                f"the totals changed mid-export (total {self.totals.total} -> {pagination.total}, "
                f"totalPages {self.totals.total_pages} -> {pagination.total_pages}, perPage "
                f"{self.totals.per_page} -> {pagination.per_page})",
            )
        entries = entries_from(task.response_data)
        expected = self._expected_entries(pagination, page)
        if len(entries) != expected:
            raise self._incomplete(
                task, page, f"the page holds {len(entries)} entries, {expected} were expected"
            )
        if page >= pagination.total_pages:
            owed = pagination.total - (self.start_page - 1) * pagination.per_page
            if self.entries_yielded + len(entries) != owed:
                raise self._incomplete(
                    task,
                    page,
                    f"the pages add up to {self.entries_yielded + len(entries)} entries, "
                    f"pagination.total says {owed} from page {self.start_page} on",
                )
        self.entries_yielded += len(entries)
        return TaskPage(
            number=page, entries=entries, pagination=pagination, response_data=task.response_data
        )

    def _check_first(self, task: Task, page: int, pagination: Pagination) -> None:
        size = self.profile.page_size
        if size is not None and pagination.per_page > size:
            raise self._incomplete(
                task, page, f"perPage is {pagination.per_page}, above the fixed page size {size}"
            )
        if pagination.per_page < 1 and pagination.total > 0:
            raise self._incomplete(task, page, f"perPage is {pagination.per_page}")
        pages_needed = -(-pagination.total // pagination.per_page) if pagination.total else 0
        if pagination.total_pages != pages_needed and not (
            pagination.total == 0 and pagination.total_pages == 1
        ):
            raise self._incomplete(
                task,
                page,
                f"totalPages is {pagination.total_pages} but {pagination.total} entries at "
                f"{pagination.per_page} a page need {pages_needed}",
            )
        if page > max(pagination.total_pages, 1):
            raise ValidationError(
                f"start_page={page} is beyond the last page ({pagination.total_pages}) of task "
                f"{task.task_id!r}"
            )

    @staticmethod
    def _expected_entries(pagination: Pagination, page: int) -> int:
        before = (page - 1) * pagination.per_page
        return max(0, min(pagination.per_page, pagination.total - before))

    def finished(self, page: TaskPage) -> bool:
        """True after the last page; then the delivered entries add up to the total."""
        return page.number >= page.pagination.total_pages
