"""The command line downloads an export's page 1 once: the answer that ends its wait carries it."""

from __future__ import annotations

import json

import pytest
from maesn.testing import Sandbox

from .conftest import COMPANY, InProcess

EXPORT = ("--integration", "datev-rewe-export", "--company-id", COMPANY)
FAST = ("--poll-interval", "0.01")
EXPORT_KEY = "cli-first-page-export-key"


def _pages_requested(sandbox: Sandbox, task_id: str) -> list[str | None]:
    return [r.query.get("page", [None])[0] for r in sandbox.requests.filter(task_id=task_id)]


@pytest.mark.parametrize("sandbox", [{"page_size": 100}], indirect=True)
def test_task_export_of_a_running_export_fetches_page_one_once(
    run: InProcess, sandbox: Sandbox
) -> None:
    """`task export` asks for page 1 (pending), waits, then fetches pages 2 and 3 only."""
    task_id = sandbox.add_task(
        "datev-rewe-export",
        entries=250,
        company_id=COMPANY,
        lifecycle=["IN_PROGRESS", "IN_PROGRESS", "FINISHED"],
    )
    result = run("task", "export", task_id, "--out", "e.jsonl", *EXPORT, *FAST)
    assert result.code == 0, result.stderr
    assert len((run.cwd / "e.jsonl").read_text().splitlines()) == 250
    # The first request for page 1 found the export running (no entries); the wait's last poll
    # (no `page`) carried the finished page 1.
    assert _pages_requested(sandbox, task_id) == ["1", None, None, "2", "3"]


@pytest.mark.parametrize("sandbox", [{"page_size": 4}], indirect=True)
def test_export_start_out_fetches_page_one_once(run: InProcess, sandbox: Sandbox) -> None:
    """`export start --out` starts, waits and saves: page 1 is the wait's last answer."""
    sandbox.add_account("datev-rewe-export", account_key=EXPORT_KEY)
    sandbox.on_start(entries=10)
    env = {"MAESN_ACCOUNT_KEY": EXPORT_KEY}
    result = run("--json", "export", "start", *EXPORT, "--out", "e.jsonl", *FAST, env=env)
    assert result.code == 0, result.stderr
    task_id = json.loads(result.stdout)["taskId"]
    requested = _pages_requested(sandbox, task_id)
    assert requested[-2:] == ["2", "3"]
    assert requested.count("1") <= 1
    assert requested[requested.index("2") - 1] is None
