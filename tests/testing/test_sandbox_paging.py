"""Exports come in fixed pages of generated, deterministic booking entries."""

from __future__ import annotations

from typing import Any

import pytest
from maesn._profiles import Integration
from maesn.testing import Sandbox, export_entry

from . import GetTask

EXPORT = Integration.DATEV_REWE_EXPORT


def _finished_export(
    sandbox: Sandbox,
    get_task: GetTask,
    entries: int,
    *,
    page_size: int | None = None,
    seed: int = 0,
) -> str:
    """Declare an export, poll it until it is no longer IN_PROGRESS, return its id."""
    sandbox.page_size = page_size
    task_id = sandbox.add_task(EXPORT, entries=entries, seed=seed)
    while get_task(task_id, companyId="c").json()["data"]["status"] == "IN_PROGRESS":
        pass
    return task_id


def _page(get_task: GetTask, task_id: str, page: int | None) -> dict[str, Any]:
    params = {"companyId": "c"} if page is None else {"companyId": "c", "page": page}
    response = get_task(task_id, **params)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_three_full_pages_of_fifty_thousand_entries_in_order_without_overlap(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """150,000 entries: pages 1-3 hold 50,000 each, in index order, with the right totals."""
    task_id = _finished_export(maesn_sandbox, get_task, 150_000, seed=7)
    seen: list[int] = []
    for page in (1, 2, 3):
        body = _page(get_task, task_id, page)
        assert body["meta"]["pagination"] == {
            "total": 150_000,
            "perPage": 50_000,
            "currentPage": page,
            "totalPages": 3,
        }
        entries = body["data"]["responseData"]
        assert len(entries) == 50_000
        assert entries[0] == export_entry((page - 1) * 50_000, seed=7)
        assert entries[-1] == export_entry(page * 50_000 - 1, seed=7)
        seen += [entry["index"] for entry in entries]
    assert seen == list(range(150_000))


def test_the_last_page_is_shorter_and_no_page_means_page_one(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """With page_size 10 and 25 entries: 10, 10, 5; no page parameter serves page 1."""
    task_id = _finished_export(maesn_sandbox, get_task, 25, page_size=10)
    assert _page(get_task, task_id, None) == _page(get_task, task_id, 1)
    sizes = [len(_page(get_task, task_id, page)["data"]["responseData"]) for page in (1, 2, 3)]
    assert sizes == [10, 10, 5]
    assert _page(get_task, task_id, 3)["meta"]["pagination"]["totalPages"] == 3


def test_a_page_beyond_the_last_is_an_empty_list_with_the_same_totals(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """Page 4 of 3: 200, responseData [], totals unchanged, currentPage as asked."""
    task_id = _finished_export(maesn_sandbox, get_task, 30, page_size=10)
    body = _page(get_task, task_id, 4)
    assert body["data"]["responseData"] == []
    assert body["meta"]["pagination"] == {
        "total": 30,
        "perPage": 10,
        "currentPage": 4,
        "totalPages": 3,
    }


def test_an_empty_export_has_no_pages(maesn_sandbox: Sandbox, get_task: GetTask) -> None:
    """0 entries: totalPages 0 and an empty list."""
    task_id = _finished_export(maesn_sandbox, get_task, 0)
    body = _page(get_task, task_id, 1)
    assert body["data"]["responseData"] == []
    assert body["meta"]["pagination"]["totalPages"] == 0


def test_paging_a_pending_export_serves_the_status_without_data_and_advances_it(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """While IN_PROGRESS: null responseData, no pagination; the request still counts as a poll."""
    task_id = maesn_sandbox.add_task(EXPORT, entries=5)
    body = _page(get_task, task_id, 2)
    assert body["data"]["status"] == "IN_PROGRESS"
    assert body["data"]["responseData"] is None
    assert "pagination" not in body["meta"]
    assert maesn_sandbox.status_of(task_id) == "FINISHED"


def test_paging_a_finished_export_does_not_advance_its_lifecycle(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """Page requests read the result; only a status poll moves FINISHED on to DELETED."""
    task_id = maesn_sandbox.add_task(EXPORT, entries=5, lifecycle=["FINISHED", "DELETED"])
    for page in (1, 1, 2):
        assert _page(get_task, task_id, page)["data"]["status"] == "FINISHED"
    assert _page(get_task, task_id, None)["data"]["status"] == "FINISHED"
    deleted = _page(get_task, task_id, None)
    assert deleted["data"]["status"] == "DELETED"
    assert deleted["data"]["responseData"] is None
    assert "pagination" not in deleted["meta"]


def test_the_seed_varies_the_entries_deterministically() -> None:
    """The same (seed, index) gives the same entry; another seed another one."""
    assert export_entry(3, seed=1) == export_entry(3, seed=1)
    assert export_entry(3, seed=1) != export_entry(3, seed=2)
    assert export_entry(3)["index"] == 3
    assert set(export_entry(0)) >= {"account", "contraAccount", "amount", "date", "text"}


@pytest.mark.parametrize("page_size", [0, -5])
def test_a_page_size_override_must_be_positive(page_size: int) -> None:
    """Sandbox(page_size=...) refuses sizes below 1."""
    with pytest.raises(ValueError, match="positive"):
        Sandbox(page_size=page_size)


def test_entries_key_serves_each_page_as_an_object(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """With entries_key the page's entries sit in an object, the shape the pinned spec allows."""
    task_id = maesn_sandbox.add_task(
        "datev-rewe-export", lifecycle=["FINISHED"], entries=3, entries_key="entries"
    )
    body = _page(get_task, task_id, 1)
    assert body["data"]["responseData"] == {"entries": [export_entry(i) for i in range(3)]}
    with pytest.raises(ValueError, match="declare entries too"):
        maesn_sandbox.add_task("datev-rewe-export", entries_key="entries")
