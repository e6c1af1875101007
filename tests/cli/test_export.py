"""`maesn task export`: every entry once, a final file only when complete, and resuming."""

from __future__ import annotations

import json
import shlex
import signal
from pathlib import Path

import pytest
from maesn.testing import Fault, Sandbox, export_entry

from .conftest import COMPANY, Cli, cli_env, interruptible

SMALL_PAGES = [{"page_size": 100}]


def _indexes(path: Path) -> list[int]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["index"] for line in lines]


def _finished_export(sandbox: Sandbox) -> str:
    """A FINISHED export of 250 entries (3 pages with SMALL_PAGES) for COMPANY: its task id."""
    return sandbox.add_task(
        "datev-rewe-export", entries=250, company_id=COMPANY, lifecycle=["FINISHED"]
    )


def _export_args(task_id: str, out: str = "export.jsonl") -> list[str]:
    return ["task", "export", task_id, "--out", out, "--integration", "datev-rewe-export",
            "--company-id", COMPANY, "--poll-interval", "0.05"]  # fmt: skip


@pytest.mark.parametrize("sandbox", SMALL_PAGES, indirect=True)
def test_export_waits_then_saves_every_entry_once_in_order(cli: Cli, sandbox: Sandbox) -> None:
    """A running export is waited for, then its 3 pages land in the file, nothing else left."""
    task_id = sandbox.add_task("datev-rewe-export", entries=250, company_id=COMPANY)
    result = cli(*_export_args(task_id))
    assert result.code == 0, result.stderr
    out = cli.cwd / "export.jsonl"
    assert _indexes(out) == list(range(250))
    assert json.loads(out.read_text().splitlines()[7]) == export_entry(7)
    assert sorted(p.name for p in cli.cwd.iterdir()) == ["export.jsonl"]
    assert f"saved 250 entries of task {task_id} to export.jsonl" in result.stdout
    assert "export: page 3/3, 50 entries (250 of 250)" in result.stderr

    again = cli(*_export_args(task_id), "--json")
    assert json.loads(again.stdout) == {
        "taskId": task_id, "file": "export.jsonl", "entries": 250, "pages": 3,
    }  # fmt: skip


@pytest.mark.parametrize("sandbox", SMALL_PAGES, indirect=True)
def test_an_interrupted_export_leaves_no_final_file_and_its_resume_finishes_it(
    cli: Cli, sandbox: Sandbox
) -> None:
    """Page 2 fails past the retries (exit 3, no final file); the printed resume finishes it.

    The partial keeps page 1; resuming appends pages 2-3, so every entry is in the final file
    exactly once.
    """
    task_id = _finished_export(sandbox)
    sandbox.inject(Fault.status(503), times=2, task_id=task_id, page=2)
    failed = cli(*_export_args(task_id), "--max-retries", "1")
    assert failed.code == 3
    out, partial = cli.cwd / "export.jsonl", cli.cwd / "export.jsonl.partial"
    assert not out.exists()
    assert _indexes(partial) == list(range(100))
    assert "stopped at page 2" in failed.stderr
    (resume_line,) = [line for line in failed.stderr.splitlines() if "resume with: " in line]
    resume = shlex.split(resume_line.split("resume with: ", 1)[1])
    assert resume[:2] == ["maesn", "task"]
    assert resume[resume.index("--start-page") + 1] == "2"

    wrong_page = cli(*_export_args(task_id), "--start-page", "3", "--json")
    assert wrong_page.code == 2
    assert json.loads(wrong_page.stdout)["error"]["resumePage"] == 2
    fresh = cli(*_export_args(task_id), "--json")
    assert fresh.code == 2
    assert json.loads(fresh.stdout)["error"]["resumeCommand"] == shlex.join(resume)

    resumed = cli(*resume[1:], "--poll-interval", "0.05")
    assert resumed.code == 0, resumed.stderr
    assert _indexes(out) == list(range(250))
    assert sorted(p.name for p in cli.cwd.iterdir()) == ["export.jsonl"]


@pytest.mark.parametrize("sandbox", SMALL_PAGES, indirect=True)
def test_a_changed_partial_file_is_refused(cli: Cli, sandbox: Sandbox) -> None:
    """Resuming checks the partial file holds exactly (N-1) x perPage lines.

    A page cut short by a crash (bytes past the size the state records) is cut off first.
    """
    task_id = _finished_export(sandbox)
    sandbox.inject(Fault.status(503), times=1, task_id=task_id, page=2)
    assert cli(*_export_args(task_id), "--max-retries", "0").code == 3
    partial = cli.cwd / "export.jsonl.partial"
    with partial.open("a", encoding="utf-8") as handle:
        handle.write('{"index": 100}\n{"index": 1')  # a crash in the middle of page 2
    resumed = cli(*_export_args(task_id), "--start-page", "2")
    assert resumed.code == 0, resumed.stderr
    assert _indexes(cli.cwd / "export.jsonl") == list(range(250))

    sandbox.inject(Fault.status(503), times=1, task_id=task_id, page=2)
    assert cli(*_export_args(task_id, "second.jsonl"), "--max-retries", "0").code == 3
    second = cli.cwd / "second.jsonl.partial"
    second.write_text("".join(second.read_text().splitlines(keepends=True)[:-1]))
    refused = cli(*_export_args(task_id, "second.jsonl"), "--start-page", "2")
    assert refused.code == 2
    assert "holds 99 lines, but 1 pages of 100 entries make 100" in refused.stderr
    assert not (cli.cwd / "second.jsonl").exists()


def test_exporting_a_task_without_pages_is_a_usage_error(cli: Cli, sandbox: Sandbox) -> None:
    """Only datev-rewe-export results are paged; nothing is written for another integration."""
    task_id = sandbox.add_task("abaconnect")
    result = cli("task", "export", task_id, "--out", "x.jsonl", "--integration", "abaconnect")
    assert result.code == 2
    assert "--integration abaconnect has no exports" in result.stderr
    assert "use `maesn task wait` or `maesn task get`" in result.stderr
    assert "get_task" not in result.stderr  # the CLI's words, not the library's
    assert list(cli.cwd.iterdir()) == []


def test_a_failed_export_task_exits_1_and_writes_nothing(cli: Cli, sandbox: Sandbox) -> None:
    """An export that ends DELETED exits 1 and leaves no file at all."""
    task_id = sandbox.add_task(
        "datev-rewe-export", lifecycle=["IN_PROGRESS", "DELETED"], company_id=COMPANY
    )
    result = cli(*_export_args(task_id))
    assert result.code == 1
    assert "ended DELETED" in result.stderr
    assert list(cli.cwd.iterdir()) == []


@pytest.mark.parametrize("sandbox", SMALL_PAGES, indirect=True)
def test_ctrl_c_during_an_export_keeps_the_saved_pages_and_says_how_to_resume(
    cli: Cli, sandbox: Sandbox
) -> None:
    """SIGINT while page 2 loads: exit 130, no traceback, page 1 kept, the resume command shown."""
    task_id = _finished_export(sandbox)
    sandbox.inject(Fault.delay(30), task_id=task_id, page=2)
    with interruptible(
        *_export_args(task_id), env=cli_env(sandbox.base_url), cwd=cli.cwd
    ) as process:
        assert process.stderr is not None
        assert "page 1/3" in process.stderr.readline()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert "interrupted; export.jsonl.partial keeps page 1 (100 entries); resume with:" in stderr
    assert "--start-page 2" in stderr
    assert _indexes(cli.cwd / "export.jsonl.partial") == list(range(100))
    assert not (cli.cwd / "export.jsonl").exists()


@pytest.mark.parametrize("sandbox", SMALL_PAGES, indirect=True)
def test_out_dash_writes_the_entries_to_stdout(cli: Cli, sandbox: Sandbox) -> None:
    """`--out -`: every entry once, in order, as JSON lines on stdout; no file named '-'."""
    task_id = sandbox.add_task("datev-rewe-export", entries=250, company_id=COMPANY)
    result = cli(*_export_args(task_id, out="-"))
    assert result.code == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        export_entry(i) for i in range(250)
    ]
    assert result.stderr.splitlines()[-1] == f"wrote 250 entries of task {task_id} to stdout"
    assert list(cli.cwd.iterdir()) == []


def test_exporting_a_task_that_is_not_an_export_says_so(cli: Cli, sandbox: Sandbox) -> None:
    """A first page without pagination: not "0 entries were delivered (pages 1..0)"."""
    task_id = sandbox.add_task("datev-rewe-export", entries=10, company_id=COMPANY)
    envelope = {"data": {"status": "FINISHED", "information": [], "responseData": {"id": 1}}}
    sandbox.inject(Fault.response(200, envelope), task_id=task_id, times=10)
    result = cli(*_export_args(task_id))
    assert result.code == 2
    assert result.stderr == (
        f"maesn: error: task '{task_id}' cannot be read as a datev-rewe-export export (the page "
        "has no meta.pagination): `task export` saves the pages of a finished export; check the "
        f"task id and --integration (`maesn task get {task_id}` shows the task)\n"
    )
    assert list(cli.cwd.iterdir()) == []


def test_a_first_page_that_fails_says_nothing_was_saved(cli: Cli, sandbox: Sandbox) -> None:
    """A 503 on page 1 after the retries: run again, instead of a resume with --start-page 1."""
    task_id = sandbox.add_task(
        "datev-rewe-export", entries=10, company_id=COMPANY, lifecycle=["FINISHED"]
    )
    sandbox.inject(Fault.status(503), task_id=task_id, times=10)
    result = cli(*_export_args(task_id), "--max-retries", "0")
    assert result.code == 3
    assert result.stderr.startswith("maesn: error: 503 from GET ")
    assert (
        "maesn: the export failed before its first entry: nothing was saved, so run the same "
        "command again" in result.stderr
    )
    assert "pages 1..0" not in result.stderr
    assert "--start-page 1" not in result.stderr


def test_a_bad_base_url_names_the_option_and_the_variable(cli: Cli) -> None:
    """The library's `base_url=...` advice, in the command line's terms."""
    result = cli("task", "get", "t", "--integration", "abaconnect", "--base-url", "ftp://x")
    assert result.code == 2
    assert result.stderr.startswith("maesn: error: --base-url (or MAESN_BASE_URL) 'ftp://x'")
    assert "base_url=" not in result.stderr


def test_ctrl_c_while_the_export_still_runs_says_where_it_stood(cli: Cli, sandbox: Sandbox) -> None:
    """SIGINT in the wait before page 1: the task's status and the same command to run again."""
    task_id = sandbox.add_task(
        "datev-rewe-export", entries=10, company_id=COMPANY, lifecycle=["IN_PROGRESS"]
    )
    with interruptible(
        *_export_args(task_id), env=cli_env(sandbox.base_url), cwd=cli.cwd
    ) as process:
        assert process.stderr is not None
        assert "IN_PROGRESS" in process.stderr.readline()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    last = stderr.splitlines()[-1]
    assert last.startswith(f"maesn: interrupted; task {task_id} was IN_PROGRESS after ")
    assert last.endswith(
        f"; continue with: maesn task export {task_id} --out export.jsonl "
        f"--integration datev-rewe-export --company-id {COMPANY}"
    )


@pytest.mark.parametrize("sandbox", SMALL_PAGES, indirect=True)
def test_the_json_error_of_an_interrupted_export_carries_its_resume_page(
    cli: Cli, sandbox: Sandbox
) -> None:
    """--json: `resumePage` is IncompleteExportError.resume_page, the message says the option."""
    task_id = _finished_export(sandbox)
    sandbox.inject(Fault.status(503), task_id=task_id, page=2)
    failed = cli(*_export_args(task_id), "--max-retries", "0", "--json")
    assert failed.code == 3
    error = json.loads(failed.stdout)["error"]
    assert (error["type"], error["resumePage"]) == ("IncompleteExportError", 2)
    assert error["message"].endswith("100 entries were saved; resume with --start-page 2")
    assert "start_page=" not in error["message"]
