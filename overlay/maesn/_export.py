"""Paging an export's result: every entry exactly once, or an error saying where to resume.

`pages_flow` is pure (see `_flow.py`): it takes a `fetch_page` sub-flow for one page and emits
each checked TaskPage; `BaseClient` wires it, the drivers run it. One rule for its errors, in
`ExportLedger.stopped`: before any page was delivered, the error itself is raised (an APIError
such as AuthenticationError, a TaskError, a ResponseValidationError); after one or more delivered
pages, every failure is an IncompleteExportError with `resume_page`, the error as its `__cause__`.

Memory: only the page being fetched is referenced here; the page handed out is dropped before the
next request (the drivers and `iter_entries` do the same), so an export's peak is about one page
being decoded plus the one the caller still holds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from ._errors import (
    export_not_ready,
    failure_error,
    incomplete_export,
    not_entries,
    not_understood,
    page_out_of_range,
    pages_do_not_add_up,
)
from ._exceptions import (
    ClientClosedError,
    MaesnError,
)
from ._flow import Emit, Flow
from ._models import Pagination, Task, TaskPage
from ._profiles import IntegrationProfile

__all__ = [
    "EntriesFrom",
    "ExportLedger",
    "FetchPage",
    "NotEntriesError",
    "aiter_entries",
    "check_page_exists",
    "default_entries",
    "iter_entries",
    "pages_flow",
]

Redact = Callable[[str], str]
EntriesFrom = Callable[[Any], list[Any]]
"""Turns a page's `responseData` into its list of entries."""
FetchPage = Callable[[int], Flow[Task]]
"""One page of the export as a sub-flow: the task as answered for `?page=number`."""


class NotEntriesError(TypeError):
    """`default_entries` found no list of entries; the ledger turns it into its typed error."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def default_entries(response_data: Any) -> list[Any]:
    """`responseData` itself when it is a list, or its `entries` list when it holds one."""
    if isinstance(response_data, list):
        return response_data
    if isinstance(response_data, dict) and isinstance(response_data.get("entries"), list):
        entries: list[Any] = response_data["entries"]
        return entries
    raise NotEntriesError(type(response_data).__name__ if response_data is not None else "null")


def check_page_exists(task: Task, page: int) -> None:
    """Raise PageOutOfRangeError when `page` lies past the last page the answer reports.

    Page 1 always exists (an empty export has one empty page).
    """
    pagination = task.pagination
    if pagination is None or page <= max(pagination.total_pages, 1):
        return
    raise page_out_of_range(task, page, pagination)


def pages_flow(
    fetch_page: FetchPage,
    *,
    profile: IntegrationProfile,
    task_id: str,
    start_page: int,
    entries_from: EntriesFrom,
    redact: Redact,
    first: Task | None = None,
) -> Flow[None]:
    """Emit the export's pages from `start_page` to the last, checking that nothing is lost.

    `redact` is the client's redactor: an error built from a page's text is redacted with it
    before anything of that text is shown or cut. `first` is the answer for `start_page` when
    the caller already holds it (the finishing poll of a wait carries page 1): it is checked like
    a fetched page instead of being fetched again, and let go once handed out.
    """
    ledger = ExportLedger(profile, task_id, start_page, redact)
    number = start_page
    while True:
        try:
            if first is None:
                fetched = yield from fetch_page(number)
            else:
                fetched, first = first, None
            page = ledger.accept(fetched, number, entries_from)
            del fetched
        except MaesnError as exc:
            raise ledger.stopped(number, exc)  # noqa: B904 - stopped() sets __cause__ itself
        last = ledger.finished(page)
        # Hand the page over without keeping it: the next page is fetched and decoded while the
        # caller may already have dropped this one (see the module docstring).
        emit = Emit(page)
        del page
        yield emit
        del emit
        if last:
            return
        number += 1


def iter_entries(pages: Iterator[TaskPage]) -> Iterator[Any]:
    """Every entry of `pages`, in order; a page is let go before the next one is fetched."""
    for page in pages:
        entries = page.entries
        del page
        yield from entries
        del entries


async def aiter_entries(pages: AsyncIterator[TaskPage]) -> AsyncIterator[Any]:
    """Every entry of `pages`, in order, with `async for` (see `iter_entries`)."""
    async for page in pages:
        entries = page.entries
        del page
        for entry in entries:
            yield entry
        del entries


class ExportLedger:
    """Checks each page against the first and counts what was handed out.

    Pages must report the page that was asked for, hold no more than the fixed page size, be full
    unless they are the last, and agree on the totals; at the end the entries handed out must add
    up to `pagination.total`. A mismatch is a ResponseValidationError (the server's pages do not
    add up); `stopped` turns any error into what the export raises.
    """

    def __init__(
        self, profile: IntegrationProfile, task_id: str, start_page: int, redact: Redact
    ) -> None:
        self.profile = profile
        self.redact = redact
        self.task_id = task_id
        self.start_page = start_page
        self.pages_delivered = 0
        self.entries_yielded = 0
        self.totals: Pagination | None = None

    def stopped(self, page: int, cause: MaesnError) -> MaesnError:
        """What an export raises when `page` failed with `cause`: the one rule for its errors.

        Before any page was delivered, `cause` itself (so `except AuthenticationError` works);
        after, an IncompleteExportError naming the page to resume from, `cause` as `__cause__`.
        Using a closed client is the caller's doing, not the export's: ClientClosedError as is.
        """
        if self.pages_delivered == 0 or isinstance(cause, ClientClosedError):
            return cause
        return incomplete_export(self.task_id, page, cause, self.start_page, self.entries_yielded)

    def _check_ready(self, task: Task) -> None:
        if task.is_pending:
            raise export_not_ready(task)
        if task.outcome is None:
            raise not_understood(task)
        if not task.succeeded:
            raise failure_error(task)

    def accept(self, task: Task, page: int, entries_from: EntriesFrom) -> TaskPage:
        """Check one fetched page and return it; raises when entries would be lost or doubled."""
        self._check_ready(task)
        check_page_exists(task, page)
        pagination = task.pagination
        if pagination is None:
            raise pages_do_not_add_up(None, None, "the page has no meta.pagination")
        if pagination.current_page != page:
            raise pages_do_not_add_up(
                pagination,
                None,
                f"asked for page {page}, the server answered page {pagination.current_page}",
            )
        if self.totals is None:
            self._check_first(pagination)
            self.totals = pagination
        elif (pagination.total, pagination.total_pages, pagination.per_page) != (
            self.totals.total,
            self.totals.total_pages,
            self.totals.per_page,
        ):
            raise pages_do_not_add_up(
                pagination,
                None,
                f"the totals changed mid-export (total {self.totals.total} -> {pagination.total}, "
                f"totalPages {self.totals.total_pages} -> {pagination.total_pages}, perPage "
                f"{self.totals.per_page} -> {pagination.per_page})",
            )
        try:
            entries = entries_from(task.response_data)
        except NotEntriesError as exc:
            raise not_entries(task, exc.kind, self.redact) from None
        expected = self._expected_entries(pagination, page)
        if len(entries) != expected:
            raise pages_do_not_add_up(
                pagination,
                len(entries),
                f"the page holds {len(entries)} entries, {expected} were expected",
            )
        if page >= pagination.total_pages:
            owed = pagination.total - (self.start_page - 1) * pagination.per_page
            if self.entries_yielded + len(entries) != owed:
                raise pages_do_not_add_up(
                    pagination,
                    len(entries),
                    f"the pages add up to {self.entries_yielded + len(entries)} entries, "
                    f"pagination.total says {owed} from page {self.start_page} on",
                )
        self.entries_yielded += len(entries)
        self.pages_delivered += 1
        return TaskPage(
            number=page, entries=entries, pagination=pagination, response_data=task.response_data
        )

    def _check_first(self, pagination: Pagination) -> None:
        size = self.profile.page_size
        if size is not None and pagination.per_page > size:
            raise pages_do_not_add_up(
                pagination,
                None,
                f"perPage is {pagination.per_page}, above the fixed page size {size}",
            )
        if pagination.per_page < 1 and pagination.total > 0:
            raise pages_do_not_add_up(pagination, None, f"perPage is {pagination.per_page}")
        pages_needed = -(-pagination.total // pagination.per_page) if pagination.total else 0
        if pagination.total_pages != pages_needed and not (
            pagination.total == 0 and pagination.total_pages == 1
        ):
            raise pages_do_not_add_up(
                pagination,
                None,
                f"totalPages is {pagination.total_pages} but {pagination.total} entries at "
                f"{pagination.per_page} a page need {pages_needed}",
            )

    @staticmethod
    def _expected_entries(pagination: Pagination, page: int) -> int:
        before = (page - 1) * pagination.per_page
        return max(0, min(pagination.per_page, pagination.total - before))

    @staticmethod
    def finished(page: TaskPage) -> bool:
        """True after the last page; then the delivered entries add up to the total."""
        return page.number >= page.pagination.total_pages
