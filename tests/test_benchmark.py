"""The benchmark runs end to end with tiny sizes and checks itself; no test looks at a time."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import scripts.benchmark.__main__ as benchmark_main
from scripts.benchmark.__main__ import REQUIRED_ROWS, check
from scripts.benchmark._data import (
    EXPORT_TASK,
    INVOICES_PATH,
    INVOICES_PER_PAGE,
    PENDING_POLLS,
    SMALL_TASK,
    WAIT_EXPORT_PREFIX,
    WAIT_PREFIX,
    build_bodies,
)
from scripts.benchmark._harness import RawConnection, Row, ServerProcess

pytestmark = pytest.mark.tooling

ROOT = Path(__file__).resolve().parents[1]


def _rows_of(table: str) -> list[tuple[str, str, list[str]]]:
    rows = []
    for line in table.splitlines():
        if line.startswith("| ") and not line.startswith(("| scenario", "|---")):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows.append((cells[0], cells[1], cells[2:]))
    return rows


@pytest.mark.slow
def test_quick_run_prints_every_row_and_passes_its_self_check() -> None:
    """`--quick` exits 0, prints every expected row with a ratio, and says its check passed."""
    result = subprocess.run(
        [sys.executable, "-m", "scripts.benchmark", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = _rows_of(result.stdout)
    for section, label, optional in REQUIRED_ROWS:
        found = [
            cells
            for scenario, contender, cells in rows
            if contender == label and scenario.split(" ")[0] == section
        ]
        assert found, f"no row {section} / {label} in:\n{result.stdout}"
        ratio = found[0][2]
        if not optional:
            assert ratio not in {"", "\u2013"} or section == "startup", (section, label, ratio)
    assert "self-check: all" in result.stdout
    assert "Server check: a bare socket fetched page 1" in result.stdout
    assert "load average" in result.stdout
    assert "Python 3." in result.stdout


def _row(scenario: str, contender: str, ratio: float, **changes: object) -> Row:
    row = Row(
        scenario=scenario,
        contender=contender,
        against="",
        median_s=1.0,
        per_unit_us=1.0,
        per="x",
        ratio=ratio,
        ratio_min=ratio,
        ratio_max=ratio,
        rounds=2,
    )
    return replace(row, **changes)  # type: ignore[arg-type]


def _complete() -> list[Row]:
    return [_row(f"{section} scenario", label, 1.0) for section, label, _ in REQUIRED_ROWS]


def test_self_check_accepts_a_complete_run() -> None:
    """Every expected row with a finite ratio: no problem."""
    assert check(_complete()) == []


def test_self_check_reports_a_missing_row() -> None:
    """A row that is not printed is named."""
    rows = [row for row in _complete() if row.contender != "maesn Client.get_task"]
    assert check(rows) == ["missing row: get_task: / maesn Client.get_task"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, 0.0])
def test_self_check_reports_a_ratio_that_is_not_finite(bad: float) -> None:
    """NaN, infinite or zero ratios are problems of that row."""
    rows = [
        _row(row.scenario, row.contender, bad) if row.contender == "maesn Client.get_task" else row
        for row in _complete()
    ]
    problems = check(rows)
    assert len(problems) >= 1
    assert all("maesn Client.get_task" in problem for problem in problems)


def test_self_check_allows_skipping_only_optional_rows() -> None:
    """Optional contenders (orjson, TypeScript) may be skipped with a reason; others may not."""
    optional = next(label for _, label, is_optional in REQUIRED_ROWS if is_optional)
    required = "maesn AsyncClient.wait_for_tasks"
    rows = [
        replace(row, skipped="not here", ratio=math.nan)
        if row.contender in {optional, required}
        else row
        for row in _complete()
    ]
    assert check(rows) == [f"wait: / {required} did not run: not here"]


def test_a_run_whose_self_check_fails_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row missing from a run makes `main` exit 1 and name the row on stderr."""
    rows = [row for row in _complete() if row.contender != "maesn Client.iter_task_entries"]
    monkeypatch.setattr(benchmark_main, "run", lambda _sizes, _only: (rows, []))
    assert benchmark_main.main(["--quick"]) == 1
    assert "missing row: export / maesn Client.iter_task_entries" in capsys.readouterr().err


def test_records_are_realistic_journal_entries() -> None:
    """Pages in Maesn's envelope of nested, non-ASCII, about 383-byte journal entries."""
    bodies = build_bodies(entries=250, page_size=100)
    assert len(bodies.pages) == 3
    pages = [json.loads(page) for page in bodies.pages]
    assert [page["meta"]["pagination"]["currentPage"] for page in pages] == [1, 2, 3]
    assert {page["meta"]["pagination"]["total"] for page in pages} == {250}
    records = [record for page in pages for record in page["data"]["responseData"]]
    assert len(records) == 250
    assert len({record["id"] for record in records}) == 250
    encoded = b"".join(page for page in bodies.pages)
    assert "ü".encode() in encoded  # umlauts travel as UTF-8, not as \u escapes
    first = records[0]
    assert isinstance(first["account"], dict)
    assert isinstance(first["amount"], float)
    assert first["date"].count("-") == 2
    sizes = [
        len(json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode()) for r in records
    ]
    assert 330 < sum(sizes) / len(sizes) < 430


def test_server_process_serves_pages_small_tasks_and_pending_tasks() -> None:
    """The server process answers pages, a small finished task, and pending-then-finished."""
    with ServerProcess(entries=30, page_size=20) as server:
        connection = RawConnection(server.port)
        try:
            second = json.loads(connection.get(f"/accounting/asyncTask/{EXPORT_TASK}?page=2"))
            small = json.loads(connection.get(f"/accounting/asyncTask/{SMALL_TASK}"))
            statuses = [
                json.loads(connection.get(f"/accounting/asyncTask/{WAIT_PREFIX}t1"))["data"][
                    "status"
                ]
                for _ in range(PENDING_POLLS)
            ]
        finally:
            connection.close()
    assert second["meta"]["pagination"] == {
        "total": 30,
        "perPage": 20,
        "currentPage": 2,
        "totalPages": 2,
    }
    assert len(second["data"]["responseData"]) == 10
    assert small["data"]["status"] == "FINISHED"
    assert statuses == ["IN_PROGRESS"] * (PENDING_POLLS - 1) + ["FINISHED"]


def test_invoices_fill_every_property_of_the_generated_model() -> None:
    """The list scenario's invoices set every field of InvoiceResponseDto and its nested models."""
    from maesn_api.models.invoice_response_dto import InvoiceResponseDto  # noqa: PLC0415

    bodies = build_bodies(entries=10, page_size=10)
    page = json.loads(bodies.invoices)
    assert len(page["data"]) == INVOICES_PER_PAGE
    first = page["data"][0]
    model = InvoiceResponseDto.from_dict(first)
    assert model.to_dict() == first  # every key known to the model, none left over
    assert not model.additional_properties
    assert all(value not in (None, [], "") for value in first.values())
    line = first["lineItems"][0]
    assert all(value is not None for value in line.values())
    assert line["dimensions"]


def test_server_counts_the_pages_a_wait_then_export_fetched() -> None:
    """A wait-export task answers IN_PROGRESS twice, then page 1 without `page`; /stats counts."""
    with ServerProcess(entries=30, page_size=20) as server:
        connection = RawConnection(server.port)
        try:
            json.loads(connection.get("/stats"))
            path = f"/accounting/asyncTask/{WAIT_EXPORT_PREFIX}t1"
            polls = [json.loads(connection.get(path)) for _ in range(PENDING_POLLS)]
            second = json.loads(connection.get(f"{path}?page=2"))
            counted = json.loads(connection.get("/stats"))
            invoices = json.loads(connection.get(INVOICES_PATH))
        finally:
            connection.close()
    statuses = [poll["data"]["status"] for poll in polls]
    assert statuses == ["IN_PROGRESS"] * (PENDING_POLLS - 1) + ["FINISHED"]
    assert polls[-1]["meta"]["pagination"]["currentPage"] == 1
    assert second["meta"]["pagination"]["currentPage"] == 2
    assert counted["pages"] == [1, 2]
    assert counted["bytes"] > 0
    assert len(invoices["data"]) == INVOICES_PER_PAGE
