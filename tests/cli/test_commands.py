"""`maesn task get`, `task wait`, `integrations` and `--help`, with each exit code."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from maesn import Integration
from maesn._cli import main
from maesn._validation import did_you_mean
from maesn.testing import Fault, Sandbox

from .conftest import COMPANY, Cli, InProcess, cli_env, interruptible

COMMANDS: tuple[list[str], ...] = (
    [],
    ["task"],
    ["task", "get"],
    ["task", "wait"],
    ["task", "export"],
    ["integrations"],
    ["sandbox"],
    ["demo"],
)


def test_python_m_maesn_help_lists_commands_exit_codes_and_environment(cli: Cli) -> None:
    """`python -m maesn --help` works and documents the commands, exit codes and variables."""
    result = cli("--help")
    assert result.code == 0
    for text in ("task", "integrations", "sandbox", "demo", "exit codes:", "MAESN_API_KEY"):
        assert text in result.stdout
    for code in ("0 ", "1 ", "2 ", "3 ", "4 ", "130"):
        assert f"\n  {code}" in result.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "maesn")
def test_every_command_has_complete_help(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Each command's --help has a description, its options and the exit codes."""
    assert main([*command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "exit codes:" in text
    assert "130  interrupted" in text
    if command[-1:] in (["get"], ["wait"], ["export"]):
        assert "--integration ID" in text
        assert "--company-id ID" in text
        assert "MAESN_ACCOUNT_KEY" in text
    if command[-1:] in (["wait"], ["export"]):
        assert "--timeout S" in text
        assert "--poll-interval S" in text


def test_integrations_lists_every_row_as_text_and_json(cli: Cli) -> None:
    """`maesn integrations` shows every row of the profile table with its sources; --json too."""
    text = cli("integrations")
    assert text.code == 0
    for integration in Integration:
        assert f"{integration.value}  {integration.profile.name}" in text.stdout
        for source in integration.profile.sources:
            assert source in text.stdout
    assert "50,000 entries a page" in text.stdout
    assert "Any other id works too" in text.stdout

    machine = cli("integrations", "--json")
    rows = json.loads(machine.stdout)
    assert [row["integration"] for row in rows] == [i.value for i in Integration]
    export = next(row for row in rows if row["integration"] == "datev-rewe-export")
    assert export["pageSize"] == 50_000
    assert export["pagingParameters"] == ["page"]
    assert export["statuses"]["DELETED"] == "deleted"
    assert all(fact["sources"] for row in rows for fact in row["facts"])


def test_integrations_id_shows_one_row_or_the_generic_rules(cli: Cli) -> None:
    """`maesn integrations ID`: that row; an id the table does not know shows the generic one."""
    one = json.loads(cli("integrations", "businesscentral", "--json").stdout)
    assert [row["integration"] for row in one] == ["businesscentral"]
    assert one[0]["environmentName"] == "required-unless-interactive-auth"
    unknown = cli("integrations", "newerp")
    assert unknown.code == 0
    assert unknown.stdout.startswith("newerp  newerp\n")
    assert "companyId          unknown: not checked" in unknown.stdout


def test_an_unknown_integration_works_with_one_warning(cli: Cli, sandbox: Sandbox) -> None:
    """--integration sevdsk: the task is read by the generic rules; stderr has one warning."""
    task_id = sandbox.add_task("datev-unternehmen-online", company_id=COMPANY)
    result = cli("task", "get", task_id, "--integration", "sevdsk", "--company-id", COMPANY)
    assert result.code == 0, result.stderr
    assert "OPEN (pending)" in result.stdout
    (line,) = result.stderr.splitlines()
    assert line.startswith("maesn: warning: integration 'sevdsk' is not in maesn-client's table")
    assert "did you mean 'sevdesk'?" in line


def test_task_get_prints_status_outcome_information_and_response_data(
    cli: Cli, sandbox: Sandbox
) -> None:
    """`task get` shows one poll: status with its outcome, information, responseData summary."""
    task_id = sandbox.add_task(
        "abaconnect",
        lifecycle=["FINISHED"],
        information=[{"message": "12 bookings imported", "type": "INFO"}],
        response_data={"imported": 12},
        warnings=["field x ignored"],
    )
    result = cli("task", "get", task_id, "--integration", "abaconnect")
    assert result.code == 0, result.stderr
    assert "FINISHED (completed)" in result.stdout
    assert "[INFO] 12 bookings imported" in result.stdout
    assert "field x ignored" in result.stdout
    assert "an object with imported" in result.stdout
    assert result.stderr == ""


def test_task_get_json_before_or_after_the_command_and_export_pages(
    cli: Cli, sandbox: Sandbox
) -> None:
    """Options work before and after the command; --json has the task and whole responseData."""
    task_id = sandbox.add_task(
        "datev-rewe-export", entries=3, lifecycle=["FINISHED"], company_id=COMPANY
    )
    first = cli(
        "--json", "--integration", "datev-rewe-export", "--company-id", COMPANY, "task", "get",
        task_id,
    )  # fmt: skip
    second = cli(
        "task", "get", task_id, "--json", "--page", "1",
        env={"MAESN_INTEGRATION": "datev-rewe-export", "MAESN_COMPANY_ID": COMPANY},
    )  # fmt: skip
    for result in (first, second):
        assert result.code == 0, result.stderr
    assert json.loads(first.stdout) == json.loads(second.stdout)
    document = json.loads(second.stdout)
    assert document["status"] == "FINISHED"
    assert document["outcome"] == "succeeded"
    assert document["pagination"] == {
        "total": 3,
        "perPage": 50_000,
        "currentPage": 1,
        "totalPages": 1,
    }
    assert [entry["index"] for entry in document["responseData"]] == [0, 1, 2]


def test_without_company_id_the_first_call_fails_with_a_usage_error_and_no_request(
    cli: Cli, sandbox: Sandbox
) -> None:
    """ValidationError exits 2 with one line naming the options to use; nothing was sent."""
    task_id = sandbox.add_task("datev-rewe", company_id=COMPANY)
    result = cli("task", "get", task_id, "--integration", "datev-rewe")
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("maesn: error: DATEV Rechnungswesen (write)")
    assert "--company-id ID" in lines[0]
    assert "--interactive-auth" in lines[0]
    assert "Traceback" not in result.output
    assert sandbox.requests.count(task_id=task_id) == 0


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["task", "get", "t-1", "--integration", "abaconnect"], {"MAESN_API_KEY": ""}, "MAESN_API_KEY is not set"),
        (["task", "wait", "t-1", "--integration", "abaconnect", "--timeout", "-1"], {}, "not a positive number"),
        (["task", "get", "t-1"], {"MAESN_INTEGRATION": " "}, "--integration must be a target-system id"),
        (["task", "get", "t-1", "--api-key", "x"], {}, "unrecognized arguments"),
        (["task", "get", "t-1", "--integration", "abaconnect", "--page", "2"], {}, "have no pages"),
    ],
    ids=["no-key", "bad-timeout", "blank-integration", "no-key-option", "page"],
)  # fmt: skip
def test_usage_and_validation_errors_exit_2(
    cli: Cli, args: list[str], env: dict[str, str], message: str
) -> None:
    """Bad options, missing settings and invalid input exit 2 with a message, no traceback."""
    result = cli(*args, env=env)
    assert result.code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_task_wait_shows_each_status_and_a_summary(cli: Cli, sandbox: Sandbox) -> None:
    """`task wait` polls to the end: a line per status (plain), then the summary; exit 0."""
    task_id = sandbox.add_task("datev-unternehmen-online", company_id=COMPANY)
    result = cli(
        "task", "wait", task_id, "--integration", "datev-unternehmen-online",
        "--company-id", COMPANY, "--poll-interval", "0.05",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    statuses = [line.split()[2] for line in result.stderr.splitlines()]
    assert statuses == ["OPEN", "IN_PROGRESS", "SUCCESS"]
    assert "3 polls" in result.stderr.splitlines()[-1]
    assert f"task {task_id} is SUCCESS after 3 polls" in result.stdout
    assert "SUCCESS (succeeded)" in result.stdout


def test_task_wait_counts_retries_behind_the_polls(cli: Cli, sandbox: Sandbox) -> None:
    """A poll that needed a retry shows in the summary as a retry, not as another poll."""
    task_id = sandbox.add_task("abaconnect")
    sandbox.inject(Fault.status(503), task_id=task_id)
    result = cli(
        "task", "wait", task_id, "--integration", "abaconnect", "--poll-interval", "0.05",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert f"task {task_id} is FINISHED after 2 polls and 1 retry" in result.stdout


def test_a_failed_task_exits_1_with_its_information(cli: Cli, sandbox: Sandbox) -> None:
    """FAILED exits 1: the task on stdout, one error line quoting its messages on stderr."""
    task_id = sandbox.add_task(
        "datev-rewe",
        lifecycle=["IN_PROGRESS", "FAILED"],
        company_id=COMPANY,
        information=[{"message": "Account 99999 does not exist", "type": "ERROR"}],
    )
    args = ["task", "wait", task_id, "--integration", "datev-rewe", "--company-id", COMPANY]
    result = cli(*args, "--poll-interval", "0.05")
    assert result.code == 1
    assert "[ERROR] Account 99999 does not exist" in result.stdout
    (error,) = [line for line in result.stderr.splitlines() if "error:" in line]
    assert f"task {task_id} ended FAILED" in error
    assert "'Account 99999 does not exist'" in error

    sandbox_task = sandbox.add_task("datev-rewe", lifecycle=["FAILED"], company_id=COMPANY)
    machine = cli("task", "wait", sandbox_task, *args[3:], "--json")
    assert machine.code == 1
    document = json.loads(machine.stdout)
    assert document["error"]["exitCode"] == 1
    assert document["error"]["type"] == "TaskFailedError"
    assert document["task"]["status"] == "FAILED"


@pytest.mark.parametrize(
    ("setup", "env", "message"),
    [
        ("unknown", {}, "404 from GET /accounting/asyncTask/no-such-task"),
        ("known", {"MAESN_ACCOUNT_KEY": "wrong-account-key"}, "401 from GET"),
        ("wrong-integration", {}, "never reports"),
    ],
)
def test_api_errors_exit_3(
    cli: Cli, sandbox: Sandbox, setup: str, env: dict[str, str], message: str
) -> None:
    """A 404, a 401 and a status the integration never reports exit 3 with one line."""
    task_id = "no-such-task"
    if setup == "known":
        task_id = sandbox.add_task("abaconnect")
    elif setup == "wrong-integration":
        task_id = sandbox.add_task("abaconnect", lifecycle=["SUCCESS"])
    result = cli(
        "task", "wait", task_id, "--integration", "abaconnect", "--max-retries", "0", env=env
    )
    assert result.code == 3
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("maesn: error:")]
    assert message in error
    assert "Traceback" not in result.stderr
    if setup == "wrong-integration":
        assert "Check --integration" in error


def test_a_task_still_running_at_the_timeout_exits_4(cli: Cli, sandbox: Sandbox) -> None:
    """--timeout 0.5 on a task that never finishes: exit 4 after about half a second."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"])
    started = time.monotonic()
    result = cli(
        "task", "wait", task_id, "--integration", "abaconnect", "--timeout", "0.5",
        "--poll-interval", "0.1",
    )  # fmt: skip
    assert result.code == 4
    assert f"task {task_id} is still IN_PROGRESS after 0.5s" in result.stderr
    assert "larger --timeout" in result.stderr
    assert time.monotonic() - started < 10
    assert sandbox.requests.count(task_id=task_id) >= 3


def test_ctrl_c_exits_130_quietly_and_says_where_the_task_stood(sandbox: Sandbox) -> None:
    """SIGINT during a wait: 130, no traceback, the task's status, polls and time, how to go on."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"])
    args = ("task", "wait", task_id, "--integration", "abaconnect", "--poll-interval", "0.1")
    with interruptible(*args, env=cli_env(sandbox.base_url)) as process:
        assert process.stderr is not None
        assert "IN_PROGRESS" in process.stderr.readline()  # it is polling now
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert "KeyboardInterrupt" not in stderr
    assert stdout == ""
    interrupted = stderr.splitlines()[-1]
    assert interrupted.startswith(f"maesn: interrupted; task {task_id} was IN_PROGRESS after ")
    assert " poll" in interrupted
    assert interrupted.endswith(
        f"s; continue with: maesn task wait {task_id} --integration abaconnect"
    )


def test_ctrl_c_with_json_prints_a_json_error(sandbox: Sandbox) -> None:
    """--json: Ctrl-C is a JSON document on stdout too (exit code 130, where the task stood)."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"])
    args = ("--json", "task", "wait", task_id, "--integration", "abaconnect")
    with interruptible(*args, env=cli_env(sandbox.base_url)) as process:
        # --json draws no status line: the sandbox's log says the wait has begun. It logs a
        # request before answering it, so a second poll proves the first answer arrived.
        sandbox.requests.wait_until(lambda log: sum(r.task_id == task_id for r in log) >= 2)
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=120)
    assert process.returncode == 130
    error = json.loads(stdout)["error"]
    assert (error["type"], error["exitCode"]) == ("KeyboardInterrupt", 130)
    assert re.match(rf"task {task_id} was IN_PROGRESS after [12] polls? in ", error["notes"][0])


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_child_of_a_process_ignoring_sigint_ignores_it_too() -> None:
    """The cause of the Ctrl-C tests that timed out on a loaded machine: not timing.

    A test run started with SIGINT ignored (a background job of a script, nohup) starts `python
    -m maesn` with SIG_IGN, and Python then installs no KeyboardInterrupt handler: the test's
    SIGINT was lost, and the test waited for its timeout.
    """
    with _sigint_ignored():
        shown = subprocess.run(
            [sys.executable, "-c", "import signal as s; print(s.getsignal(s.SIGINT) == s.SIG_IGN)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    assert shown.strip() == "True"


def test_the_ctrl_c_tests_get_their_sigint_even_when_started_ignoring_it(
    sandbox: Sandbox,
) -> None:
    """`interruptible` sets the handler in the child, so the SIGINT arrives whatever was inherited."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"])
    args = ("task", "wait", task_id, "--integration", "abaconnect", "--poll-interval", "0.1")
    with _sigint_ignored(), interruptible(*args, env=cli_env(sandbox.base_url)) as process:
        assert process.stderr is not None
        assert "IN_PROGRESS" in process.stderr.readline()
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=120)
    assert process.returncode == 130


def test_an_unknown_status_is_a_warning_line_not_a_crash(cli: Cli, sandbox: Sandbox) -> None:
    """A status the spec does not list prints one warning line; `task get` still exits 0."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["QUEUED"])
    result = cli("task", "get", task_id, "--integration", "abaconnect")
    assert result.code == 0
    assert "QUEUED (not defined for this integration)" in result.stdout
    assert result.stderr.startswith("maesn: warning: task ")
    assert len(result.stderr.splitlines()) == 1


def test_a_validation_error_names_the_option_from_its_argument_field(cli: Cli) -> None:
    """ValidationError.argument and .hint become the option and its advice, not Python names."""
    result = cli("task", "get", "t-1", env={"MAESN_INTEGRATION": " "})
    assert result.code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("maesn: error: --integration must be a target-system id")
    assert line.endswith(
        "; pass --integration ID or set MAESN_INTEGRATION (`maesn integrations` describes them)"
    )
    assert "integration=" not in line


def test_a_missing_company_id_points_at_maesn_companies(cli: Cli, sandbox: Sandbox) -> None:
    """The companyId advice names the command that lists the ids, in --json too."""
    result = cli("--json", "task", "get", "t-1", "--integration", "datev-rewe")
    error = json.loads(result.stdout)["error"]
    assert error["exitCode"] == 2
    assert "`maesn companies` lists the ids" in error["message"]
    assert "client.companies()" not in error["message"]
    assert len(sandbox.requests) == 0


def test_an_invalid_choice_carries_the_librarys_did_you_mean(run: InProcess) -> None:
    """Exit 2; `option` names what was wrong and `hint` is did_you_mean over its choices."""
    result = run("--json", "task", "wiat", "t-1")
    assert result.code == 2
    error = json.loads(result.stdout)["error"]
    assert (error["option"], error["hint"]) == (
        "COMMAND",
        did_you_mean("wiat", ["get", "wait", "export"]),
    )
    assert error["hint"] is not None


def test_an_unknown_integration_warns_with_the_librarys_did_you_mean(
    run: InProcess,
    sandbox: Sandbox,  # noqa: ARG001 - the command reads a task from it
) -> None:
    """`--integration datev` is accepted (Maesn adds systems) with one warning suggesting ids."""
    result = run("task", "get", "t-1", "--integration", "datev")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("maesn: warning:")]
    assert len(warnings) == 1
    hint = did_you_mean("datev", [i.value for i in Integration])
    assert hint is not None
    assert hint in warnings[0]
