"""`maesn companies`, `maesn files upload`, `maesn export start`: getting a companyId and task ids.

Each runs `python -m maesn` in a subprocess against a sandbox; the sandbox's request log says
what reached it.
"""

from __future__ import annotations

import json
import shlex
import signal
from pathlib import Path

import pytest
from maesn.testing import Fault, Sandbox

from .conftest import COMPANY, Cli, InProcess, cli_env, interruptible

DUO = ("--integration", "datev-unternehmen-online", "--company-id", COMPANY)
EXPORT_KEY = "cli-export-account-key"
EXPORT = ("--integration", "datev-rewe-export", "--company-id", COMPANY)
FAST = ("--poll-interval", "0.01")


def _invoice(cli: Cli) -> str:
    (cli.cwd / "invoice.pdf").write_bytes(b"%PDF-1.7 invoice 1001")
    return "invoice.pdf"


@pytest.mark.parametrize("sandbox", [{"company_ids": ["c-1", "c-2"]}], indirect=True)
def test_companies_lists_the_ids_one_a_line(cli: Cli, sandbox: Sandbox) -> None:
    """Text: id and name a line; --json: the getCompanies data; through GET /auth/companies."""
    text = cli("companies", "--integration", "datev-rewe")
    assert text.code == 0
    assert text.stdout.splitlines() == ["c-1  Sandbox company 1", "c-2  Sandbox company 2"]
    document = json.loads(cli("companies", "--integration", "datev-rewe", "--json").stdout)
    assert [company["id"] for company in document] == ["c-1", "c-2"]
    assert sandbox.requests.count(operation="get_companies") == 2


def test_companies_with_a_wrong_key_exits_3_naming_the_key(cli: Cli) -> None:
    """A 401 is an API error (exit 3) that says which key was refused."""
    result = cli("companies", "--integration", "datev-rewe", env={"MAESN_ACCOUNT_KEY": "wrong"})
    assert result.code == 3
    assert "account key" in result.stderr.lower()


def test_files_upload_prints_the_task_id_of_the_upload(cli: Cli, sandbox: Sandbox) -> None:
    """The id alone on stdout, the upload sent once as multipart with the companyId."""
    result = cli("files", "upload", _invoice(cli), *DUO)
    assert result.code == 0, result.stderr
    task_id = result.stdout.strip()
    (upload,) = sandbox.requests.filter(operation="post_file_async")
    assert upload.started_task == task_id
    assert upload.query["companyId"] == [COMPANY]
    assert upload.headers["Content-Type"].startswith("multipart/form-data")
    assert upload.body_size > len(b"%PDF-1.7 invoice 1001")
    assert f"started upload of invoice.pdf (21 bytes): task {task_id}" in result.stderr


def test_files_upload_wait_waits_like_task_wait(cli: Cli, sandbox: Sandbox) -> None:
    """--wait: the task's summary; --json: the task document with its taskId."""
    result = cli("files", "upload", _invoice(cli), *DUO, "--wait", "--plain", *FAST)
    assert result.code == 0, result.stderr
    assert "SUCCESS (succeeded)" in result.stdout
    document = json.loads(
        cli("--json", "files", "upload", "invoice.pdf", *DUO, "--wait", *FAST).stdout
    )
    assert document["status"] == "SUCCESS"
    assert sandbox.requests.count(operation="post_file_async") == 2


def test_files_upload_wait_exits_1_when_the_task_fails(cli: Cli, sandbox: Sandbox) -> None:
    """A PARTIAL_SUCCESS upload ends with exit 1 and its information printed."""
    sandbox.on_start(
        "post_file_async",
        lifecycle=["OPEN", "PARTIAL_SUCCESS"],
        information=[{"message": "Unreadable PDF", "type": "ERROR"}],
    )
    result = cli("files", "upload", _invoice(cli), *DUO, "--wait", "--plain", *FAST)
    assert result.code == 1
    assert "Unreadable PDF" in result.stdout


def test_files_upload_is_sent_once_when_the_answer_is_a_5xx(cli: Cli, sandbox: Sandbox) -> None:
    """Writes are never retried once sent: one upload reached the sandbox, exit 3."""
    sandbox.inject(Fault.status(503), operation="post_file_async")
    result = cli("files", "upload", _invoice(cli), *DUO)
    assert result.code == 3
    assert sandbox.requests.count(operation="post_file_async") == 1


def test_files_upload_without_company_id_sends_nothing(cli: Cli, sandbox: Sandbox) -> None:
    """DUO needs a companyId: exit 2 naming --company-id and `maesn companies`."""
    result = cli("files", "upload", _invoice(cli), "--integration", "datev-unternehmen-online")
    assert result.code == 2
    assert "--company-id ID" in result.stderr
    assert "`maesn companies`" in result.stderr
    assert len(sandbox.requests) == 0


def test_files_upload_of_a_missing_file_exits_2(cli: Cli) -> None:
    """The path is named; nothing is sent."""
    result = cli("files", "upload", "nope.pdf", *DUO)
    assert result.code == 2
    assert "nope.pdf" in result.stderr


@pytest.mark.parametrize("sandbox", [{"page_size": 4}], indirect=True)
def test_export_start_out_saves_the_export(cli: Cli, sandbox: Sandbox) -> None:
    """A datev-rewe-export read starts an export; --out waits and saves every entry."""
    sandbox.add_account("datev-rewe-export", account_key=EXPORT_KEY)
    sandbox.on_start(entries=10)
    env = {"MAESN_ACCOUNT_KEY": EXPORT_KEY}
    result = cli("--json", "export", "start", *EXPORT, "--out", "e.jsonl", *FAST, env=env)
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["entries"], document["pages"]) == (10, 3)
    assert len(Path(cli.cwd / "e.jsonl").read_text().splitlines()) == 10
    (start,) = sandbox.requests.filter(operation="get_journal_entries")
    assert start.started_task == document["taskId"]


def test_export_start_prints_the_task_id(cli: Cli, sandbox: Sandbox) -> None:
    """Without --out or --wait: the id, ready for `maesn task export ID`."""
    sandbox.add_account("datev-rewe-export", account_key=EXPORT_KEY)
    result = cli("export", "start", *EXPORT, env={"MAESN_ACCOUNT_KEY": EXPORT_KEY})
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == sandbox.requests[-1].started_task


def test_export_start_for_an_integration_without_exports_exits_2(
    cli: Cli, sandbox: Sandbox
) -> None:
    """Reads of DUO are not tasks: said in option terms, nothing sent."""
    result = cli("export", "start", *DUO)
    assert result.code == 2
    assert "--integration datev-unternehmen-online does not run reads as exports" in result.stderr
    assert len(sandbox.requests) == 0


def test_task_wait_fail_on_error_information(cli: Cli, sandbox: Sandbox) -> None:
    """AbaConnect FINISHED with an ERROR entry: exit 0 by default, 1 with the option."""
    information = [{"message": "2 bookings rejected", "type": "ERROR"}]
    lenient = sandbox.add_task("abaconnect", lifecycle=["FINISHED"], information=information)
    strict = sandbox.add_task("abaconnect", lifecycle=["FINISHED"], information=information)
    args = ("--integration", "abaconnect", *FAST)
    assert cli("task", "wait", lenient, *args).code == 0
    failed = cli("task", "wait", strict, *args, "--fail-on-error-information", "--json")
    assert failed.code == 1
    error = json.loads(failed.stdout)
    assert error["error"]["exitCode"] == 1
    assert error["task"]["status"] == "FINISHED"


def test_a_validation_error_in_json_carries_its_argument(cli: Cli) -> None:
    """The JSON error document names the library argument that was wrong."""
    result = cli("--json", "files", "upload", _invoice(cli), "--integration", "datev-rewe")
    document = json.loads(result.stdout)
    assert document["error"]["argument"] == "company_id"


@pytest.mark.parametrize("sandbox", [{"page_size": 4}], indirect=True)
def test_export_start_again_after_ctrl_c_starts_nothing_and_names_a_resume_needing_no_options(
    cli: Cli, run: InProcess, sandbox: Sandbox
) -> None:
    """Ctrl-C after page 1, then the same command: exit 2 before any call; its resume finishes.

    The error's resumeCommand is the one the interrupted run printed; it names no option the
    state file records (integration, companyId), and runs without them.
    """
    sandbox.add_account("datev-rewe-export", account_key=EXPORT_KEY)
    sandbox.on_start(entries=10, lifecycle=["FINISHED"])
    sandbox.inject(Fault.delay(30), page=2)
    env = {"MAESN_ACCOUNT_KEY": EXPORT_KEY}
    start = ("export", "start", *EXPORT, "--out", "e.jsonl", "--plain", *FAST)
    with interruptible(*start, env=cli_env(sandbox.base_url, **env), cwd=cli.cwd) as process:
        assert process.stderr is not None
        while "page 1/3" not in process.stderr.readline():
            pass
        process.send_signal(signal.SIGINT)
        _, interrupted = process.communicate(timeout=120)
    assert process.returncode == 130
    assert sandbox.requests.count(operation="get_journal_entries") == 1
    # The delay kept page 2 from arriving before Ctrl-C; when Ctrl-C came before page 2 was even
    # asked for, the delay is still waiting for a request: the resume must not get it.
    sandbox.clear_faults()

    again = run("--json", *start, env=env)
    assert again.code == 2
    error = json.loads(again.stdout)["error"]
    assert (error["type"], error["exitCode"], error["resumePage"]) == ("PartialExportError", 2, 2)
    assert sandbox.requests.count(operation="get_journal_entries") == 1
    assert f"resume with: {error['resumeCommand']}" in interrupted
    resume = shlex.split(error["resumeCommand"])
    assert resume[:3] == ["maesn", "task", "export"]
    assert resume[resume.index("--start-page") + 1] == "2"
    assert not {"--integration", "--company-id"} & set(resume)

    resumed = run(*resume[1:], *FAST, env=env)
    assert resumed.code == 0, resumed.stderr
    assert len((cli.cwd / "e.jsonl").read_text().splitlines()) == 10
    assert sorted(p.name for p in cli.cwd.iterdir()) == ["e.jsonl"]
    assert sandbox.requests.count(operation="get_journal_entries") == 1


@pytest.mark.parametrize("sandbox", [{"page_size": 4}], indirect=True)
def test_a_resume_refuses_an_option_contradicting_the_saved_export(
    run: InProcess, sandbox: Sandbox
) -> None:
    """The state says datev-rewe-export: --integration abaconnect is exit 2 naming the option."""
    task_id = sandbox.add_task(
        "datev-rewe-export", entries=10, company_id=COMPANY, lifecycle=["FINISHED"]
    )
    sandbox.inject(Fault.status(503), task_id=task_id, page=2)
    export = ("task", "export", task_id, "--out", "e.jsonl")
    assert run(*export, *EXPORT, "--max-retries", "0").code == 3
    other = run("--json", *export, "--start-page", "2", "--integration", "abaconnect")
    assert other.code == 2
    assert json.loads(other.stdout)["error"]["option"] == "--integration"
    assert run(*export, "--start-page", "2", "--company-id", COMPANY).code == 0


def test_a_usage_error_names_the_command_once_after_the_cli_prefix(run: InProcess) -> None:
    """`export start --start-page 2`: exit 2; the message does not repeat the program name."""
    result = run("--json", "export", "start", "--start-page", "2")
    assert result.code == 2
    error = json.loads(result.stdout)["error"]
    assert (error["type"], error["exitCode"]) == ("UsageError", 2)
    assert not error["message"].startswith("maesn")
    text = run("task", "wait", "x", "--timeout", "soon")
    assert text.code == 2
    assert text.stderr.splitlines()[-1].startswith("maesn: error: task wait: argument --timeout")
