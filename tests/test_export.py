"""Exports: every entry exactly once, in order, or an error that says where to resume."""

from __future__ import annotations

import asyncio
import gc
import json
import weakref
from typing import Any

import httpx
import maesn
import pytest
from helpers import Harness, SandboxRunner, sandbox_keys
from maesn._export import aiter_entries, default_entries, iter_entries, pages_flow
from maesn._flow import Connection, Flow, Send, Sleep, arun, arun_iter, run, run_iter
from maesn.testing import Fault, Sandbox, export_entry

PAGE = 100
TOTAL = 250  # pages of 100, 100 and 50


def _finished_export(sandbox: Sandbox, total: int = TOTAL) -> str:
    return sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=total)


def _page_body(
    entries: list[Any], *, page: int, total: int = TOTAL, total_pages: int = 3, per_page: int = PAGE
) -> bytes:
    return json.dumps(
        {
            "meta": {
                "warnings": [],
                "pagination": {
                    "total": total,
                    "perPage": per_page,
                    "currentPage": page,
                    "totalPages": total_pages,
                },
            },
            "data": {"status": "FINISHED", "information": [], "responseData": entries},
        }
    ).encode()


def _serve_instead(sandbox: Sandbox, task_id: str, page: int, body: bytes) -> None:
    sandbox.inject(
        Fault.response(200, body, headers={"Content-Type": "application/json"}),
        task_id=task_id,
        page=page,
    )


def test_150000_entries_over_3_full_pages_arrive_in_order_exactly_once(
    fake_clock: object, mode: str
) -> None:
    """The real page size: 3 x 50,000 entries, each once, in order, fetched lazily."""
    del fake_clock
    with Sandbox() as sandbox:
        task_id = sandbox.add_task("datev-rewe-export", entries=150_000, seed=7)
        runner = SandboxRunner(mode=mode, sandbox=sandbox)
        runner.wait(task_id)
        pages: list[maesn.TaskPage] = []
        runner.pages(task_id, pages)
    assert [p.number for p in pages] == [1, 2, 3]
    assert [len(p.entries) for p in pages] == [50_000, 50_000, 50_000]
    entries = [entry for page in pages for entry in page.entries]
    assert [entry["index"] for entry in entries] == list(range(150_000))
    for index in (0, 49_999, 50_000, 149_999):
        assert entries[index] == export_entry(index, seed=7)
    assert pages[-1].pagination == maesn.Pagination(
        total=150_000, per_page=50_000, current_page=3, total_pages=3
    )


def test_entries_flatten_the_pages(runner: SandboxRunner) -> None:
    """iter_task_entries yields the entries of every page, in order."""
    task_id = _finished_export(runner.sandbox)
    assert runner.entries(task_id) == [export_entry(i) for i in range(TOTAL)]


def test_pages_are_fetched_lazily(sandbox: Sandbox) -> None:
    """Only the pages consumed are requested: one page in memory at a time."""
    task_id = _finished_export(sandbox)
    with maesn.Client(
        integration="datev-rewe-export",
        company_id="c-1",
        **sandbox_keys(sandbox),
    ) as client:
        pages = client.iter_task_pages(task_id)
        first = next(pages)
        assert first.number == 1
        assert sandbox.requests.count(task_id=task_id) == 1
        second = next(pages)
        assert second.number == 2
        assert sandbox.requests.count(task_id=task_id) == 2
        pages.close()  # type: ignore[attr-defined]


def _short_page(sandbox: Sandbox, task_id: str) -> None:
    _serve_instead(
        sandbox, task_id, 2, _page_body([export_entry(i) for i in range(100, 199)], page=2)
    )


def _wrong_page(sandbox: Sandbox, task_id: str) -> None:
    _serve_instead(
        sandbox, task_id, 2, _page_body([export_entry(i) for i in range(200, 250)], page=3)
    )


def _totals_changed(sandbox: Sandbox, task_id: str) -> None:
    body = _page_body([export_entry(i) for i in range(100, 200)], page=2, total=260)
    _serve_instead(sandbox, task_id, 2, body)


def _failing_page(sandbox: Sandbox, task_id: str) -> None:
    sandbox.inject(Fault.status(503), times=4, task_id=task_id, page=2)


def _no_pagination(sandbox: Sandbox, task_id: str) -> None:
    body = json.loads(_page_body([export_entry(i) for i in range(100, 200)], page=2))
    del body["meta"]
    _serve_instead(sandbox, task_id, 2, json.dumps(body).encode())


@pytest.mark.parametrize(
    ("damage", "cause", "reason"),
    [
        (_short_page, maesn.ResponseValidationError, "holds 99 entries, 100 were expected"),
        (
            _wrong_page,
            maesn.ResponseValidationError,
            "asked for page 2, the server answered page 3",
        ),
        (_totals_changed, maesn.ResponseValidationError, "totals changed mid-export"),
        (_failing_page, maesn.ServerError, "503"),
        (_no_pagination, maesn.ResponseValidationError, "no meta.pagination"),
    ],
    ids=["short-page", "wrong-current-page", "totals-changed", "failing-page", "no-pagination"],
)
def test_a_damaged_page_stops_the_export_and_resuming_completes_it(
    runner: SandboxRunner, damage: Any, cause: type[maesn.APIError], reason: str
) -> None:
    """Nothing lost, nothing doubled: the error names page 2, and start_page=2 finishes the job."""
    task_id = _finished_export(runner.sandbox)
    damage(runner.sandbox, task_id)
    delivered: list[maesn.TaskPage] = []
    with pytest.raises(maesn.IncompleteExportError) as caught:
        runner.pages(task_id, delivered)
    error = caught.value
    assert error.resume_page == 2
    assert error.entries_yielded == 100
    assert type(error.__cause__) is cause
    assert reason in str(error.__cause__)
    assert [p.number for p in delivered] == [1]

    runner.pages(task_id, delivered, start_page=error.resume_page)
    entries = [entry for page in delivered for entry in page.entries]
    assert entries == [export_entry(i) for i in range(TOTAL)]


def test_a_failing_page_keeps_the_api_error_as_the_cause(runner: SandboxRunner) -> None:
    """The typed error of the page's last attempt is chained."""
    task_id = _finished_export(runner.sandbox)
    _failing_page(runner.sandbox, task_id)
    with pytest.raises(maesn.IncompleteExportError) as caught:
        runner.pages(task_id, [])
    assert isinstance(caught.value.__cause__, maesn.ServerError)
    assert caught.value.__cause__.attempts == 4


def _wrong_shape(sandbox: Sandbox, task_id: str) -> None:
    body = json.loads(_page_body([], page=2))
    body["data"]["responseData"] = {"rows": []}
    _serve_instead(sandbox, task_id, 2, json.dumps(body).encode())


def _bad_envelope(sandbox: Sandbox, task_id: str) -> None:
    _serve_instead(sandbox, task_id, 2, b'{"data": "not an envelope"}')


def _wrong_key(sandbox: Sandbox, task_id: str) -> None:
    sandbox.inject(Fault.status(401), task_id=task_id, page=2)


def _failed_now(sandbox: Sandbox, task_id: str) -> None:
    body = json.loads(_page_body([], page=2))
    body["data"]["status"] = "FAILED"
    _serve_instead(sandbox, task_id, 2, json.dumps(body).encode())


@pytest.mark.parametrize(
    ("damage", "cause"),
    [
        (_wrong_shape, maesn.ResponseValidationError),
        (_bad_envelope, maesn.ResponseValidationError),
        (_wrong_key, maesn.AuthenticationError),
        (_failed_now, maesn.TaskFailedError),
        (_short_page, maesn.ResponseValidationError),
    ],
    ids=["responseData-shape", "bad-envelope", "401", "task-failed", "page-mismatch"],
)
def test_every_failure_after_a_delivered_page_carries_resume_page(
    runner: SandboxRunner, damage: Any, cause: type[maesn.MaesnError]
) -> None:
    """One rule, whatever the kind: IncompleteExportError(resume_page=2), the error as __cause__."""
    task_id = _finished_export(runner.sandbox)
    damage(runner.sandbox, task_id)
    with pytest.raises(maesn.IncompleteExportError) as caught:
        runner.pages(task_id, [])
    assert caught.value.resume_page == 2
    assert caught.value.entries_yielded == PAGE
    assert isinstance(caught.value.__cause__, cause)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, maesn.AuthenticationError),
        (404, maesn.NotFoundError),
        (503, maesn.ServerError),
    ],
)
def test_a_failure_before_any_delivered_page_is_the_error_itself(
    runner: SandboxRunner, status: int, error: type[maesn.APIStatusError]
) -> None:
    """Nothing delivered yet: `except AuthenticationError` fires, no IncompleteExportError."""
    task_id = _finished_export(runner.sandbox)
    runner.sandbox.inject(Fault.status(status), times=4, task_id=task_id, page=1)
    with pytest.raises(error) as caught:
        runner.pages(task_id, [])
    assert type(caught.value) is error
    assert caught.value.status_code == status


def test_a_page_mismatch_on_the_first_page_is_a_response_validation_error(
    runner: SandboxRunner,
) -> None:
    """The server's first page does not add up: the typed error itself, nothing to resume."""
    task_id = _finished_export(runner.sandbox)
    _serve_instead(
        runner.sandbox, task_id, 1, _page_body([export_entry(i) for i in range(99)], page=1)
    )
    with pytest.raises(maesn.ResponseValidationError) as caught:
        runner.pages(task_id, [])
    assert json.loads(caught.value.body)["entries"] == 99


def test_a_resumed_export_raises_the_error_itself_until_it_delivers(
    runner: SandboxRunner,
) -> None:
    """Resuming at start_page=2 with a wrong key: the 401 itself, not 'resume at 2' again."""
    task_id = _finished_export(runner.sandbox)
    _wrong_key(runner.sandbox, task_id)
    with pytest.raises(maesn.AuthenticationError):
        runner.pages(task_id, [], start_page=2)


def test_a_pending_export_raises_suggesting_wait_for_task(runner: SandboxRunner) -> None:
    """Paging before the export is finished is refused with advice."""
    task_id = runner.sandbox.add_task("datev-rewe-export", lifecycle=["IN_PROGRESS"], entries=10)
    with pytest.raises(maesn.TaskPendingError, match="wait_for_task") as caught:
        runner.pages(task_id, [])
    assert caught.value.task.is_pending


@pytest.mark.parametrize(
    ("status", "error"), [("FAILED", maesn.TaskFailedError), ("DELETED", maesn.TaskDeletedError)]
)
def test_an_export_that_did_not_succeed_raises_its_failure(
    runner: SandboxRunner, status: str, error: type[maesn.TaskFailedError]
) -> None:
    """A failed or deleted export has no pages to read."""
    task_id = runner.sandbox.add_task("datev-rewe-export", lifecycle=[status], entries=10)
    with pytest.raises(error):
        runner.pages(task_id, [])


@pytest.mark.parametrize("integration", ["abaconnect", "datev-rewe", "datev-unternehmen-online"])
def test_paging_is_refused_where_the_integration_has_no_pages(
    runner: SandboxRunner, integration: str
) -> None:
    """Only paged integrations can be exported; the refusal comes before any request."""
    with pytest.raises(maesn.ValidationError, match="have no pages"):
        runner.pages("t-1", [], {"integration": integration})
    assert runner.sandbox.requests.count() == 0


@pytest.mark.parametrize(("start_page", "match"), [(0, ">= 1"), (True, "int"), (None, "None")])
def test_bad_start_pages_are_refused_before_any_request(
    runner: SandboxRunner, start_page: Any, match: str
) -> None:
    """start_page is a page number."""
    with pytest.raises(maesn.ValidationError, match=match):
        runner.pages("t-1", [], start_page=start_page)
    assert runner.sandbox.requests.count() == 0


def test_a_start_page_beyond_the_last_page_is_refused(runner: SandboxRunner) -> None:
    """Resuming past the end is a mistake, not an empty success."""
    task_id = _finished_export(runner.sandbox)
    with pytest.raises(maesn.PageOutOfRangeError) as caught:
        runner.pages(task_id, [], start_page=4)
    assert isinstance(caught.value, maesn.ValidationError)
    assert (caught.value.page, caught.value.total_pages) == (4, 3)


@pytest.mark.parametrize("page", [4, 9])
def test_get_task_of_a_page_past_the_last_says_how_many_pages_there_are(
    sandbox: Sandbox, mode: str, page: int
) -> None:
    """page=9 of a 3-page export is a PageOutOfRangeError with total_pages, not an empty page."""
    task_id = _finished_export(sandbox)
    harness = Harness(mode=mode, base_url=sandbox.base_url)
    keys = {"api_key": sandbox.api_key, "account_key": sandbox.account_key}
    client = {"integration": "datev-rewe-export", "company_id": "c-1", **keys}
    with pytest.raises(maesn.PageOutOfRangeError) as caught:
        harness.get_task(task_id, page=page, **client)
    assert (caught.value.page, caught.value.total_pages) == (page, 3)
    assert caught.value.task.pagination is not None
    assert harness.get_task(task_id, page=3, **client).pagination == maesn.Pagination(
        total=TOTAL, per_page=PAGE, current_page=3, total_pages=3
    )


def test_page_one_of_an_empty_export_exists(sandbox: Sandbox, mode: str) -> None:
    """An empty export has one (empty) page; page 2 is past the end."""
    task_id = sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=0)
    harness = Harness(mode=mode, base_url=sandbox.base_url)
    keys = {"api_key": sandbox.api_key, "account_key": sandbox.account_key}
    client = {"integration": "datev-rewe-export", "company_id": "c-1", **keys}
    assert harness.get_task(task_id, page=1, **client).response_data == []
    with pytest.raises(maesn.PageOutOfRangeError):
        harness.get_task(task_id, page=2, **client)


def test_entries_inside_an_object_are_found(runner: SandboxRunner) -> None:
    """ResponseData may hold the list under `entries`."""
    task_id = runner.sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=2)
    body = json.loads(_page_body([], page=1, total=2, total_pages=1))
    body["data"]["responseData"] = {"entries": [{"a": 1}, {"a": 2}], "format": "EXTF"}
    _serve_instead(runner.sandbox, task_id, 1, json.dumps(body).encode())
    pages: list[maesn.TaskPage] = []
    runner.pages(task_id, pages)
    assert pages[0].entries == [{"a": 1}, {"a": 2}]
    assert pages[0].response_data["format"] == "EXTF"


def test_another_shape_needs_entries_from(runner: SandboxRunner) -> None:
    """An unknown shape is a ResponseValidationError, and entries_from adapts to it."""
    task_id = runner.sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=2)
    body = json.loads(_page_body([], page=1, total=2, total_pages=1))
    body["data"]["responseData"] = {"rows": [[1], [2]]}
    for _ in range(2):
        _serve_instead(runner.sandbox, task_id, 1, json.dumps(body).encode())
    with pytest.raises(maesn.ResponseValidationError, match="entries_from"):
        runner.pages(task_id, [])
    pages: list[maesn.TaskPage] = []
    runner.pages(task_id, pages, entries_from=lambda data: data["rows"])
    assert pages[0].entries == [[1], [2]]


def test_an_empty_export_yields_one_empty_page(runner: SandboxRunner) -> None:
    """Zero entries is a complete export, not an error."""
    task_id = runner.sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=0)
    assert runner.entries(task_id) == []


@pytest.mark.anyio
async def test_bad_export_arguments_raise_when_called_not_when_iterated(sandbox: Sandbox) -> None:
    """Every export iterator, sync and async, checks its arguments at the call."""
    kwargs: dict[str, Any] = {
        "integration": "abaconnect",
        **sandbox_keys(sandbox),
    }
    with maesn.Client(**kwargs) as client:
        with pytest.raises(maesn.ValidationError):
            client.iter_task_pages("t-1")
        with pytest.raises(maesn.ValidationError):
            client.iter_task_entries("t-1")
    async with maesn.AsyncClient(**kwargs) as async_client:
        with pytest.raises(maesn.ValidationError):
            async_client.iter_task_pages("t-1")
        with pytest.raises(maesn.ValidationError):
            async_client.iter_task_entries("t-1")
    assert sandbox.requests.count() == 0


class _TrackedList(list[Any]):
    """A list that can be weakly referenced, to see when a page's entries are freed."""


def _tracked_export(pages: int, seen: list[int]) -> tuple[Any, list[weakref.ref[_TrackedList]]]:
    """pages_flow over a fake fetch recording how many earlier pages' entries are still alive.

    The count is taken as each page is fetched.
    """
    refs: list[weakref.ref[_TrackedList]] = []
    per_page = 3

    def fetch_page(number: int) -> Flow[maesn.Task]:
        seen.append(sum(ref() is not None for ref in refs))
        yield Sleep(0)
        entries = _TrackedList({"n": number, "i": i} for i in range(per_page))
        refs.append(weakref.ref(entries))
        return maesn.Task(
            task_id="t-1",
            integration=maesn.Integration.DATEV_REWE_EXPORT,
            status=maesn.TaskStatus.FINISHED,
            response_data=entries,
            pagination=maesn.Pagination(
                total=pages * per_page, per_page=per_page, current_page=number, total_pages=pages
            ),
        )

    flow = pages_flow(
        fetch_page,
        profile=maesn.Integration.DATEV_REWE_EXPORT.profile,
        task_id="t-1",
        start_page=1,
        entries_from=default_entries,
        redact=str,
    )
    return flow, refs


def test_no_earlier_page_is_referenced_while_the_next_is_fetched(fake_clock: object) -> None:
    """pages_flow, run_iter and iter_entries let a page go before fetching the next one."""
    del fake_clock
    seen: list[int] = []
    flow, refs = _tracked_export(4, seen)
    with httpx.Client() as http:
        entries = [entry["n"] for entry in iter_entries(run_iter(flow, Connection(http)))]
    assert entries == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    assert seen == [0, 0, 0, 0]
    assert len(refs) == 4


@pytest.mark.anyio
async def test_no_earlier_page_is_referenced_while_the_next_is_fetched_async(
    fake_clock: object,
) -> None:
    """The same through arun_iter and aiter_entries."""
    del fake_clock
    seen: list[int] = []
    flow, _ = _tracked_export(4, seen)
    async with httpx.AsyncClient() as http:
        entries = [entry["n"] async for entry in aiter_entries(arun_iter(flow, Connection(http)))]
    assert len(entries) == 12
    assert seen == [0, 0, 0, 0]


def test_a_dropped_page_is_freed_before_the_next_is_fetched_through_pages(
    fake_clock: object,
) -> None:
    """A caller of the pages iterator that lets each page go holds at most the current one."""
    del fake_clock
    seen: list[int] = []
    flow, _ = _tracked_export(3, seen)
    numbers = []
    with httpx.Client() as http:
        for page in run_iter(flow, Connection(http)):
            numbers.append(page.number)
            del page
    assert numbers == [1, 2, 3]
    assert seen == [0, 0, 0]


def _response_ref(request: httpx.Request) -> Flow[weakref.ref[httpx.Response]]:
    response = yield Send(request)
    assert response.content
    return weakref.ref(response)


@pytest.mark.anyio
async def test_a_response_is_freed_when_dropped_without_waiting_for_the_gc(
    sandbox: Sandbox,
) -> None:
    """A page's body is freed when dropped, not at the next full collection, in both drivers.

    httpx's response and its bound stream point at each other; the drivers cut that cycle.
    """
    task_id = _finished_export(sandbox)
    url = sandbox.task_url(task_id) + "?page=1&companyId=c-1"
    gc.disable()
    try:
        with httpx.Client(headers=sandbox.headers) as http:
            assert run(_response_ref(http.build_request("GET", url)), Connection(http))() is None
        async with httpx.AsyncClient(headers=sandbox.headers) as ahttp:
            ref = await arun(_response_ref(ahttp.build_request("GET", url)), Connection(ahttp))
            assert ref() is None
    finally:
        gc.enable()


def test_an_export_iterator_resumed_after_close_raises_client_closed(
    sandbox: Sandbox, fake_clock: object
) -> None:
    """The next page after close() is ClientClosedError, sync and async, not httpx's error."""
    del fake_clock
    task_id = _finished_export(sandbox)
    kwargs: dict[str, Any] = {
        "integration": "datev-rewe-export",
        "company_id": "c-1",
        **sandbox_keys(sandbox),
    }
    client = maesn.Client(**kwargs)
    pages = client.iter_task_pages(task_id)
    assert next(pages).number == 1
    client.close()
    with pytest.raises(maesn.ClientClosedError):
        next(pages)

    batch_client = maesn.Client(**kwargs)
    waits = batch_client.wait_for_tasks([_finished_export(sandbox), task_id])
    next(waits)
    batch_client.close()
    with pytest.raises(maesn.ClientClosedError):
        next(waits)

    async def run_async() -> None:
        async_client = maesn.AsyncClient(**kwargs)
        async_pages = async_client.iter_task_pages(task_id)
        assert (await anext(async_pages)).number == 1
        await async_client.aclose()
        with pytest.raises(maesn.ClientClosedError):
            await anext(async_pages)

    asyncio.run(run_async())
