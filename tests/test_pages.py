"""Pages of every list operation, and iterating every item across them, sync and async.

Parametrized from the generated operations (those that take `page` and `limit`), against a
scripted server on loopback that answers each page with Maesn's `meta.pagination`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import maesn
import pytest
from maesn._operations import Operation, all_operations
from samples import required_arguments, sample
from scripted_server import ScriptedServer

LISTS = [op for op in all_operations() if op.result == "page"]
KEYS = {"api_key": "api-key-pages-1", "account_key": "account-key-pages-1"}


def options(server: ScriptedServer, **overrides: Any) -> dict[str, Any]:
    """Client options: abaconnect (no companyId rule), no retries."""
    return {
        **KEYS,
        "integration": "abaconnect",
        "base_url": server.base_url,
        "max_retries": 0,
        "environment_name": "env-1",
        **overrides,
    }


def page_body(operation: Operation, page: int, total_pages: int, items: int = 2) -> dict[str, Any]:
    """Page `page` of `total_pages`, `items` sample items each."""
    reply = operation.replies[min(operation.replies)]
    item = sample(reply.model.load()).to_dict() if reply.model else "x"
    return {
        "meta": {
            "warnings": [],
            "pagination": {
                "total": total_pages * items,
                "perPage": items,
                "currentPage": page,
                "totalPages": total_pages,
            },
        },
        "data": [item] * items,
    }


def queue_pages(server: ScriptedServer, operation: Operation, total_pages: int) -> None:
    """Queue every page of a `total_pages`-page list."""
    for page in range(1, total_pages + 1):
        server.reply(200, page_body(operation, page, total_pages))


def method(client: Any, operation: Operation) -> Any:
    """The bound list method."""
    return getattr(getattr(client, operation.resource), operation.name)


@pytest.mark.parametrize("operation", LISTS, ids=lambda op: op.qualname)
def test_every_list_iterates_every_item_across_pages(
    operation: Operation, scripted_server: ScriptedServer
) -> None:
    """`client.paginate(list, ...)`: three pages, six items, one request per page, filters kept."""
    queue_pages(scripted_server, operation, 3)
    with maesn.Client(**options(scripted_server)) as client:
        arguments = {**required_arguments(operation), "limit": 5}
        items = list(client.paginate(method(client, operation), **arguments))
    assert len(items) == 6
    pages = [r.raw_path for r in scripted_server.requests]
    assert len(pages) == 3
    assert all("limit=5" in path for path in pages)
    assert "page=" not in pages[0]
    assert ["page=2" in pages[1], "page=3" in pages[2]] == [True, True]


@pytest.mark.parametrize("operation", LISTS, ids=lambda op: op.qualname)
def test_every_list_iterates_every_item_across_pages_async(
    operation: Operation, scripted_server: ScriptedServer
) -> None:
    """The same with `async for` on an AsyncClient."""
    queue_pages(scripted_server, operation, 3)

    async def collect() -> list[Any]:
        async with maesn.AsyncClient(**options(scripted_server)) as client:
            found = method(client, operation)
            return [item async for item in client.paginate(found, **required_arguments(operation))]

    assert len(asyncio.run(collect())) == 6
    assert len(scripted_server.requests) == 3


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("operation", LISTS, ids=lambda op: op.qualname)
def test_a_failure_in_the_middle_says_which_page_to_resume_from(
    operation: Operation, scripted_server: ScriptedServer, mode: str
) -> None:
    """Page 2 of 3 fails: IncompleteListError with resume_page=2, the cause chained."""
    scripted_server.reply(200, page_body(operation, 1, 3))
    scripted_server.reply(500, {"message": "upstream down"})
    seen: list[Any] = []

    async def run_async() -> None:
        async with maesn.AsyncClient(**options(scripted_server)) as client:
            found = method(client, operation)
            async for item in client.paginate(found, **required_arguments(operation)):
                seen.append(item)  # noqa: PERF401 - items are kept as they arrive

    def run_sync() -> None:
        with maesn.Client(**options(scripted_server)) as client:
            found = method(client, operation)
            for item in client.paginate(found, **required_arguments(operation)):
                seen.append(item)  # noqa: PERF402 - items are kept as they arrive

    with pytest.raises(maesn.IncompleteListError) as caught:
        run_sync() if mode == "sync" else asyncio.run(run_async())
    assert caught.value.resume_page == 2
    assert caught.value.items_yielded == 2
    assert len(seen) == 2
    assert isinstance(caught.value.__cause__, maesn.ServerError)


def test_resuming_from_the_reported_page_delivers_the_rest_once(
    scripted_server: ScriptedServer,
) -> None:
    """The documented pattern: catch, then paginate again from `page=resume_page`."""
    operation = next(op for op in LISTS if op.name == "get_invoices")
    scripted_server.reply(200, page_body(operation, 1, 3))
    scripted_server.reply(503, {"message": "busy"})
    scripted_server.reply(200, page_body(operation, 2, 3))
    scripted_server.reply(200, page_body(operation, 3, 3))
    items: list[Any] = []
    with maesn.Client(**options(scripted_server)) as client:
        try:
            items.extend(client.paginate(client.accounting.get_invoices))
        except maesn.IncompleteListError as exc:
            items.extend(client.paginate(client.accounting.get_invoices, page=exc.resume_page))
    assert len(items) == 6


def test_a_page_is_a_sequence_that_knows_its_pagination(scripted_server: ScriptedServer) -> None:
    """`len`, indexing, iteration, `.pagination`, `.warnings`, `has_next_page`, `next_page`."""
    operation = next(op for op in LISTS if op.name == "get_invoices")
    body = page_body(operation, 1, 2)
    body["meta"]["warnings"] = ["Field not used by target system"]
    scripted_server.reply(200, body)
    scripted_server.reply(200, page_body(operation, 2, 2))
    with maesn.Client(**options(scripted_server)) as client:
        page = client.accounting.get_invoices(limit=10)
        assert len(page) == 2
        assert page[0] is next(iter(page))
        assert page.pagination == maesn.Pagination(
            total=4, per_page=2, current_page=1, total_pages=2
        )
        assert page.warnings == ("Field not used by target system",)
        assert page.has_next_page()
        second = page.next_page()
        assert second is not None
        assert second.page == 2
        assert not second.has_next_page()
        assert second.next_page() is None
    assert "limit=10" in scripted_server.requests[1].raw_path


@pytest.mark.parametrize(
    "meta",
    [None, {}, {"pagination": None}],
    ids=["no-meta", "empty-meta", "null-pagination"],
)
def test_an_answer_without_pagination_is_one_page(
    scripted_server: ScriptedServer, meta: Any
) -> None:
    """An integration that does not page returns everything: iteration ends after it."""
    operation = next(op for op in LISTS if op.name == "get_customers")
    scripted_server.reply(200, {"meta": meta, "data": page_body(operation, 1, 1, items=3)["data"]})
    with maesn.Client(**options(scripted_server)) as client:
        items = list(client.paginate(client.accounting.get_customers))
    assert len(items) == 3
    assert len(scripted_server.requests) == 1


def test_an_empty_page_ends_the_iteration(scripted_server: ScriptedServer) -> None:
    """A server that claims 1,000 pages but sends an empty one is not asked 999 more times."""
    operation = next(op for op in LISTS if op.name == "get_customers")
    scripted_server.reply(200, page_body(operation, 1, 1000))
    scripted_server.reply(200, page_body(operation, 2, 1000, items=0))
    with maesn.Client(**options(scripted_server)) as client:
        items = list(client.paginate(client.accounting.get_customers))
    assert len(items) == 2
    assert len(scripted_server.requests) == 2


def test_a_server_answering_another_page_raises_instead_of_doubling_items(
    scripted_server: ScriptedServer,
) -> None:
    """Asked for page 2, answered page 1 again: IncompleteListError, nothing yielded twice."""
    operation = next(op for op in LISTS if op.name == "get_customers")
    scripted_server.reply(200, page_body(operation, 1, 3))
    scripted_server.reply(200, page_body(operation, 1, 3))
    seen: list[Any] = []

    def collect(client: maesn.Client) -> None:
        for item in client.paginate(client.accounting.get_customers):
            seen.append(item)  # noqa: PERF402 - kept as they arrive

    with (
        maesn.Client(**options(scripted_server)) as client,
        pytest.raises(maesn.IncompleteListError) as caught,
    ):
        collect(client)
    assert caught.value.resume_page == 2
    assert len(seen) == 2


def test_paginate_sends_nothing_until_iterated(scripted_server: ScriptedServer) -> None:
    """`paginate` is lazy: the first page is fetched by the first `next()`."""
    operation = next(op for op in LISTS if op.name == "get_customers")
    queue_pages(scripted_server, operation, 1)
    with maesn.Client(**options(scripted_server)) as client:
        items = client.paginate(client.accounting.get_customers, limit=5)
        assert scripted_server.requests == []
        assert len(list(items)) == 2
    assert len(scripted_server.requests) == 1


def test_a_failure_on_the_first_page_raises_its_own_error(scripted_server: ScriptedServer) -> None:
    """Nothing was delivered: the APIError itself, not IncompleteListError."""
    scripted_server.reply(404, {"message": "not supported"})
    with maesn.Client(**options(scripted_server)) as client, pytest.raises(maesn.NotFoundError):
        list(client.paginate(client.accounting.get_customers))
