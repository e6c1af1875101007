"""Pages of a list operation, and iterating every item across pages.

A list operation (one that takes `page` and `limit`: Maesn's pagination, pages from 1, `limit`
one of 5, 10, 20, 50, 100, `meta.pagination` in the answer) returns a `SyncPage` (`AsyncPage`):
iterable over its own items, knowing its pagination and Maesn's warnings. `auto_paging_iter()`
goes on through the following pages lazily, one request per page, with the call's own filters;
`Client.paginate(method, ...)` does the same from the first page with one call.

A page keeps its items as decoded JSON and builds each generated model the first time it is read
(`PageItems`): a call costs what the request and the decoding cost, and the models a caller reads
cost their own building. An item that does not match its model raises `ResponseValidationError`
when it is read.

A page ends the iteration when `meta.pagination` says it is the last, when the answer has no
`meta.pagination` (an integration that does not page returns everything at once), when the
integration's profile documents that the operation does not page, or when a page comes back
empty. A failure after the first page raises `IncompleteListError` with the page to resume from
(`page=` of the same call) and the cause chained; nothing is yielded twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

from ._errors import incomplete_list, page_not_as_asked
from ._exceptions import IncompleteListError, MaesnError
from ._models import Pagination

__all__ = ["AsyncPage", "PageItems", "SyncPage"]

T = TypeVar("T")
_UNBUILT: Any = object()


class PageItems(Sequence[T]):
    """A page's items: each built from its decoded JSON (`build(item, index)`) when first read.

    Reading an item again returns the same object; the decoded JSON stays (for the error body).
    """

    __slots__ = ("_build", "_built", "_raw")

    def __init__(self, raw: list[Any], build: Callable[[Any, int], T]) -> None:
        self._raw: list[Any] = raw
        self._built: list[T] = [_UNBUILT] * len(raw)
        self._build = build

    def __len__(self) -> int:
        return len(self._built)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._built)))]
        item = self._built[index]
        if item is _UNBUILT:
            position = index + len(self._built) if index < 0 else index
            item = self._build(self._raw[position], position)
            self._built[position] = item
        return item

    def __iter__(self) -> Iterator[T]:
        for index in range(len(self._built)):
            yield self[index]

    def __repr__(self) -> str:
        built = sum(1 for item in self._built if item is not _UNBUILT)
        return f"<maesn page items: {len(self._built)} ({built} built)>"


class _Page(Generic[T]):
    """What a sync and an async page share: items, pagination, warnings, the next page's number."""

    def __init__(
        self,
        data: Sequence[T],
        *,
        page: int,
        pagination: Pagination | None,
        warnings: tuple[str, ...],
        operation: str,
        paged: bool = True,
    ) -> None:
        self._items = data
        self.page = page
        """This page's number (from 1)."""
        self.pagination = pagination
        """Maesn's `meta.pagination` (None when the answer has none: then there is one page)."""
        self.warnings = warnings
        """Maesn's `meta.warnings` for this page (they are logged too)."""
        self.operation = operation
        """The operation (`resource.operation`) this page comes from."""
        self._paged = paged

    @property
    def data(self) -> list[T]:
        """This page's items (generated models), every one built (iterating builds them lazily)."""
        items = self._items
        if not isinstance(items, list):
            items = self._items = list(items)
        return items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return list(self._items[index])
        return self._items[index]

    def has_next_page(self) -> bool:
        """Whether another page follows (per `meta.pagination`; never after an empty page)."""
        return self.next_page_number() is not None

    def next_page_number(self) -> int | None:
        """The number of the page after this one, or None when this is the last."""
        pagination = self.pagination
        if not self._paged or pagination is None or not self._items:
            return None
        if pagination.current_page >= pagination.total_pages:
            return None
        return self.page + 1

    def __repr__(self) -> str:
        total = f" of {self.pagination.total_pages}" if self.pagination else ""
        return f"<maesn page {self.page}{total} of {self.operation}: {len(self._items)} items>"


def _check_follows(previous: _Page[Any], following: _Page[Any], number: int) -> None:
    """The server answered the page asked for (else items would be doubled or lost)."""
    current = following.pagination.current_page if following.pagination else number
    if current != number:
        raise page_not_as_asked(previous.operation, number, current)


class SyncPage(_Page[T]):
    """One page of a list, from a `Client`."""

    def __init__(
        self,
        data: Sequence[T],
        *,
        fetch: Callable[[int], SyncPage[T]],
        page: int,
        pagination: Pagination | None,
        warnings: tuple[str, ...],
        operation: str,
        paged: bool = True,
    ) -> None:
        super().__init__(
            data,
            page=page,
            pagination=pagination,
            warnings=warnings,
            operation=operation,
            paged=paged,
        )
        self._fetch = fetch

    def next_page(self) -> SyncPage[T] | None:
        """The following page (one request), or None after the last."""
        number = self.next_page_number()
        if number is None:
            return None
        following = self._fetch(number)
        _check_follows(self, following, number)
        return following

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        """This page, then each following page, fetched lazily."""
        page: SyncPage[T] | None = self
        while page is not None:
            yield page
            number = page.next_page_number()
            try:
                page = page.next_page()
            except IncompleteListError:
                raise
            except MaesnError as exc:
                raise incomplete_list(self.operation, number, exc) from exc

    def auto_paging_iter(self) -> Iterator[T]:
        """Every item of this page and the following pages, lazily (one page in memory)."""
        yielded = 0
        try:
            for page in self.iter_pages():
                for item in page:
                    yield item
                    yielded += 1
        except IncompleteListError as exc:
            exc.items_yielded = yielded
            raise


class AsyncPage(_Page[T]):
    """One page of a list, from an `AsyncClient`."""

    def __init__(
        self,
        data: Sequence[T],
        *,
        fetch: Callable[[int], Awaitable[AsyncPage[T]]],
        page: int,
        pagination: Pagination | None,
        warnings: tuple[str, ...],
        operation: str,
        paged: bool = True,
    ) -> None:
        super().__init__(
            data,
            page=page,
            pagination=pagination,
            warnings=warnings,
            operation=operation,
            paged=paged,
        )
        self._fetch = fetch

    async def next_page(self) -> AsyncPage[T] | None:
        """The following page (one request), or None after the last."""
        number = self.next_page_number()
        if number is None:
            return None
        following = await self._fetch(number)
        _check_follows(self, following, number)
        return following

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """This page, then each following page, fetched lazily (`async for`)."""
        page: AsyncPage[T] | None = self
        while page is not None:
            yield page
            number = page.next_page_number()
            try:
                page = await page.next_page()
            except IncompleteListError:
                raise
            except MaesnError as exc:
                raise incomplete_list(self.operation, number, exc) from exc

    async def auto_paging_iter(self) -> AsyncIterator[T]:
        """Every item of this page and the following pages, lazily (`async for`)."""
        yielded = 0
        try:
            async for page in self.iter_pages():
                for item in page:
                    yield item
                    yielded += 1
        except IncompleteListError as exc:
            exc.items_yielded = yielded
            raise
