"""A wait that ends on a finished export keeps page 1: iterating does not download it again.

The answer that finishes a wait on a `datev-rewe-export` task already carries page 1 (Maesn's
page size is 50,000 entries, tens of megabytes); `handle.wait()` then `handle.iter_entries()`
and `iter_task_pages(..., first_page=task)` take page 1 from it. The sandbox's request log says
which pages were requested.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import maesn
import pytest
from helpers import sandbox_keys
from maesn.testing import FakeClock, Sandbox, export_entry

TOTAL = 250  # the sandbox fixture's pages of 100: 100, 100 and 50
COMPANY = "company-1"


def _options(sandbox: Sandbox, **overrides: Any) -> dict[str, Any]:
    return {
        "integration": "datev-rewe-export",
        "company_id": COMPANY,
        **sandbox_keys(sandbox),
        **overrides,
    }


def _pages_requested(sandbox: Sandbox, task_id: str) -> list[str | None]:
    """The `page` of every request for the task, in order (None: a poll without one)."""
    return [
        request.query.get("page", [None])[0] for request in sandbox.requests.filter(task_id=task_id)
    ]


def _holds_a_page(handle: maesn.TaskHandle) -> bool:
    return handle._finished is not None


def _running_export(sandbox: Sandbox) -> str:
    return sandbox.add_task(
        "datev-rewe-export", lifecycle=["IN_PROGRESS", "FINISHED"], entries=TOTAL
    )


async def _handle_wait_then_entries(sandbox: Sandbox, task_id: str) -> list[Any]:
    async with maesn.AsyncClient(**_options(sandbox)) as client:
        handle = client.task_handle(task_id)
        await handle.wait()
        return [entry async for entry in handle.iter_entries()]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_handle_wait_then_iter_entries_downloads_page_one_once(
    sandbox: Sandbox,
    fake_clock: FakeClock,  # noqa: ARG001 - polls sleep on virtual time
    mode: str,
) -> None:
    """Polls without `page` until FINISHED, then only pages 2 and 3: page 1 came with the wait."""
    task_id = _running_export(sandbox)
    if mode == "sync":
        with maesn.Client(**_options(sandbox)) as client:
            handle = client.task_handle(task_id)
            handle.wait()
            entries = list(handle.iter_entries())
    else:
        entries = asyncio.run(_handle_wait_then_entries(sandbox, task_id))
    assert entries == [export_entry(i) for i in range(TOTAL)]
    assert _pages_requested(sandbox, task_id) == [None, None, "2", "3"]


def test_wait_for_task_then_first_page_downloads_page_one_once(
    sandbox: Sandbox,
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """The client-level pattern: the Task the wait returned is passed as `first_page`."""
    task_id = _running_export(sandbox)
    with maesn.Client(**_options(sandbox)) as client:
        finished = client.wait_for_task(task_id)
        pages = list(client.iter_task_pages(task_id, first_page=finished))
    assert [page.number for page in pages] == [1, 2, 3]
    assert [len(page.entries) for page in pages] == [100, 100, 50]
    assert _pages_requested(sandbox, task_id) == [None, None, "2", "3"]


@pytest.mark.anyio
async def test_wait_for_task_then_first_page_async(
    sandbox: Sandbox,
    fake_clock: FakeClock,  # noqa: ARG001
) -> None:
    """The same on AsyncClient.iter_task_entries."""
    task_id = _running_export(sandbox)
    async with maesn.AsyncClient(**_options(sandbox)) as client:
        finished = await client.wait_for_task(task_id)
        entries = [e async for e in client.iter_task_entries(task_id, first_page=finished)]
    assert len(entries) == TOTAL
    assert _pages_requested(sandbox, task_id) == [None, None, "2", "3"]


def test_without_first_page_page_one_is_fetched(sandbox: Sandbox) -> None:
    """Iterating a task id alone asks for page 1, as before (nothing is cached by the client)."""
    task_id = sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=TOTAL)
    with maesn.Client(**_options(sandbox)) as client:
        client.wait_for_task(task_id)
        assert sum(1 for _ in client.iter_task_entries(task_id)) == TOTAL
    assert _pages_requested(sandbox, task_id) == [None, "1", "2", "3"]


def test_a_first_page_of_another_page_than_start_page_is_not_used(sandbox: Sandbox) -> None:
    """A resumed export (start_page=2) fetches its pages; the Task of page 1 is not used."""
    task_id = sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=TOTAL)
    with maesn.Client(**_options(sandbox)) as client:
        finished = client.wait_for_task(task_id)
        pages = list(client.iter_task_pages(task_id, start_page=2, first_page=finished))
    assert [page.number for page in pages] == [2, 3]
    assert _pages_requested(sandbox, task_id) == [None, "2", "3"]


@pytest.mark.parametrize(
    "first_page",
    ["a task id", {"taskId": "x"}],
    ids=["str", "dict"],
)
def test_a_first_page_that_is_not_a_task_is_refused_before_any_request(
    sandbox: Sandbox, first_page: Any
) -> None:
    """ValidationError naming `first_page`; nothing sent."""
    task_id = sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=TOTAL)
    with (
        maesn.Client(**_options(sandbox)) as client,
        pytest.raises(maesn.ValidationError) as caught,
    ):
        client.iter_task_pages(task_id, first_page=first_page)
    assert caught.value.argument == "first_page"
    assert sandbox.requests.count(task_id=task_id) == 0


def test_the_task_of_another_task_is_refused(sandbox: Sandbox) -> None:
    """A Task of task A cannot be page 1 of task B."""
    one = sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=TOTAL)
    other = sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=TOTAL)
    with maesn.Client(**_options(sandbox)) as client:
        finished = client.wait_for_task(one)
        with pytest.raises(maesn.ValidationError) as caught:
            client.iter_task_entries(other, first_page=finished)
    assert caught.value.argument == "first_page"
    assert sandbox.requests.count(task_id=other) == 0


def test_a_handle_iterating_for_another_company_fetches_page_one(sandbox: Sandbox) -> None:
    """The kept page belongs to the wait's companyId: pages for another company are fetched."""
    task_id = sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=TOTAL)
    with maesn.Client(**_options(sandbox)) as client:
        handle = client.task_handle(task_id)
        handle.wait()
        pages = [page.number for page in handle.iter_pages(company_id="company-2")]
    assert pages == [1, 2, 3]
    assert _pages_requested(sandbox, task_id) == [None, "1", "2", "3"]


def test_a_failed_wait_keeps_nothing(sandbox: Sandbox) -> None:
    """A wait returning a failed export (raise_on_failure=False) keeps no page."""
    task_id = sandbox.add_task("datev-rewe-export", lifecycle=["FAILED"], entries=TOTAL)
    with maesn.Client(**_options(sandbox)) as client:
        handle = client.task_handle(task_id)
        handle.wait(raise_on_failure=False)
        assert not _holds_a_page(handle)


def test_the_handle_lets_page_one_go_once_iterating_starts(sandbox: Sandbox) -> None:
    """Memory: the kept answer is released by iter_pages(), and freed once page 2 is read."""
    task_id = sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=TOTAL)
    with maesn.Client(**_options(sandbox)) as client:
        handle = client.task_handle(task_id)
        kept = weakref.ref(handle.wait())
        assert _holds_a_page(handle)
        pages = handle.iter_pages()
        assert not _holds_a_page(handle)
        assert next(pages).number == 1
        assert next(pages).number == 2
        gc.collect()
        assert kept() is None
        pages.close()  # type: ignore[attr-defined]
    assert _pages_requested(sandbox, task_id) == [None, "2"]
