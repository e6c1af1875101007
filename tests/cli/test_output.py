"""Output styles (rich, plain, without rich), --debug, and keys that never show."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import maesn
import pytest
from maesn.testing import Fault, Sandbox

from .conftest import ACCOUNT_KEY, API_KEY, COMPANY, Cli, Result, cli_env

WITHOUT_RICH = (
    "import sys; sys.modules['rich'] = None; from maesn._cli import main; "
    "sys.exit(main(sys.argv[1:]))"
)


def _wait_args(task_id: str) -> list[str]:
    return ["task", "wait", task_id, "--integration", "abaconnect", "--poll-interval", "0.05"]


def test_on_a_terminal_rich_draws_the_status_line_and_the_progress_bar(
    cli: Cli, sandbox: Sandbox
) -> None:
    """With rich and a terminal (forced by FORCE_COLOR), the live parts are drawn with ANSI."""
    task_id = sandbox.add_task("abaconnect")
    waited = cli(*_wait_args(task_id), env={"FORCE_COLOR": "1"})
    assert waited.code == 0, waited.stderr
    assert "\x1b[" in waited.stderr
    assert "FINISHED" in waited.stderr
    assert "\x1b[" not in waited.stdout  # stdout is the result, plain

    export_id = sandbox.add_task("datev-rewe-export", entries=10, company_id=COMPANY)
    exported = cli(
        "task", "export", export_id, "--out", "e.jsonl", "--integration", "datev-rewe-export",
        "--company-id", COMPANY, "--poll-interval", "0.05", env={"FORCE_COLOR": "1"},
    )  # fmt: skip
    assert exported.code == 0, exported.stderr
    assert "10/10 entries" in exported.stderr
    assert "━" in exported.stderr  # the bar


def test_plain_flag_and_missing_rich_fall_back_to_lines(cli: Cli, sandbox: Sandbox) -> None:
    """--plain, or rich not installed, give one plain line per status even on a terminal."""
    plain = cli(*_wait_args(sandbox.add_task("abaconnect")), "--plain", env={"FORCE_COLOR": "1"})
    completed = subprocess.run(  # noqa: S603 - our interpreter, our arguments
        [sys.executable, "-c", WITHOUT_RICH, *_wait_args(sandbox.add_task("abaconnect"))],
        env=cli_env(sandbox.base_url, FORCE_COLOR="1"),
        capture_output=True,
        text=True,
        check=False,
    )
    without_rich = Result(completed.returncode, completed.stdout, completed.stderr)
    for result in (plain, without_rich):
        assert result.code == 0, result.stderr
        assert "\x1b[" not in result.output
        assert [line.split()[2] for line in result.stderr.splitlines()] == [
            "IN_PROGRESS",
            "FINISHED",
        ]


def test_only_the_cli_display_imports_rich_and_only_when_drawing() -> None:
    """No module of maesn imports rich at import time; _cli/_render.py does, inside functions.

    (httpx imports rich for its own command line when rich is installed, so `sys.modules` alone
    cannot prove this; with rich blocked, the package and the CLI still import and run.)
    """
    package = Path(maesn.__file__).parent
    importers = {}
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name == "rich" or name.startswith("rich.") for name in names):
                importers[path.relative_to(package).as_posix()] = id(node) in top_level
    assert importers == {"_cli/_render.py": False}

    code = (
        "import sys; sys.modules['rich'] = None; import maesn, maesn.testing, maesn._cli; "
        "sys.exit(maesn._cli.main(['integrations']))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # noqa: S603


@pytest.mark.parametrize("sandbox", [{"page_size": 5}], indirect=True)
def test_keys_never_appear_in_any_output_even_with_debug(cli: Cli, sandbox: Sandbox) -> None:
    """Successes, errors, retries and --debug never print either key, on stdout or stderr."""
    ok = sandbox.add_task("abaconnect", information=[{"message": f"echo {API_KEY}"}])
    export_id = sandbox.add_task("datev-rewe-export", entries=12, company_id=COMPANY)
    sandbox.inject(Fault.status(503), task_id=ok)
    sandbox.inject(Fault.status(503), times=4, task_id=export_id, page=2)
    export = ["task", "export", export_id, "--out", "e.jsonl", "--integration",
              "datev-rewe-export", "--company-id", COMPANY, "--max-retries", "1"]  # fmt: skip
    runs = [
        cli(*_wait_args(ok), "--debug"),
        cli("task", "get", ok, "--integration", "abaconnect", "--json", "--debug"),
        cli("task", "get", "missing", "--integration", "abaconnect", "--debug"),
        cli("task", "get", ok, "--integration", "abaconnect", "--debug",
            env={"MAESN_ACCOUNT_KEY": ACCOUNT_KEY + "-old"}),
        cli(*export, "--debug"),
        cli(*export[:4], "f.jsonl", *export[5:], "--json"),
        cli("task", "get", ok, "--integration", "datev-rewe", "--debug"),
    ]  # fmt: skip
    assert [run.code for run in runs] == [0, 0, 3, 3, 3, 3, 2]
    debug = runs[0].stderr
    assert " DEBUG maesn: GET /accounting/asyncTask/" in debug
    assert "-> 503 (attempt 1" in debug
    assert "[redacted]" in runs[0].stdout  # the information message echoed the key
    assert "Traceback" in runs[2].stderr  # --debug shows tracebacks
    for run in runs:
        assert API_KEY not in run.output
        assert ACCOUNT_KEY not in run.output


def test_a_usage_error_with_json_is_a_json_document(cli: Cli) -> None:
    """--json: a missing argument is JSON on stdout (exit 2), not only argparse's usage text."""
    result = cli("--json", "task", "get")
    assert result.code == 2
    error = json.loads(result.stdout)["error"]
    assert (error["type"], error["exitCode"]) == ("UsageError", 2)
    assert "the following arguments are required: ID" in error["message"]
    assert "usage:" not in result.stderr  # the usage text is for people, not for --json


def test_a_usage_error_without_json_shows_the_usage_and_one_error_line(cli: Cli) -> None:
    """Text mode keeps argparse's usage and says where --help is; stdout stays empty."""
    result = cli("task", "wait", "x", "--timeout", "soon")
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: maesn task wait")
    assert result.stderr.splitlines()[-1] == (
        "maesn: error: task wait: argument --timeout: 'soon' is not a positive number of "
        "seconds (see `maesn task wait --help`)"
    )


def test_an_argument_that_is_not_utf8_is_a_usage_error(sandbox: Sandbox) -> None:
    """An invalid UTF-8 byte in argv: exit 2 naming the argument, not an internal error (70)."""
    completed = subprocess.run(  # noqa: S603 - our interpreter, our arguments
        [sys.executable, "-m", "maesn", "task", "get", b"task-\xff", "--integration", "abaconnect"],
        env=cli_env(sandbox.base_url),
        capture_output=True,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.decode() == (
        "maesn: error: ID 'task-\\xff' is not valid UTF-8 text: check the terminal's encoding, "
        "or retype it\n"
    )
    assert sandbox.requests.count() == 0
    company = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "maesn", "--json", "task", "get", "t", "--integration",
         "datev-rewe", "--company-id", b"\xc3("],
        env=cli_env(sandbox.base_url), capture_output=True, check=False,
    )  # fmt: skip
    assert company.returncode == 2
    assert "--company-id" in json.loads(company.stdout)["error"]["message"]


HOSTILE = "\x1b[2J\x1b]0;pwned\x07done\r\x9b31m"


def test_server_text_cannot_drive_the_terminal_or_forge_lines(cli: Cli, sandbox: Sandbox) -> None:
    """Escape sequences in statuses, messages and warnings are shown escaped, one line each."""
    task_id = sandbox.add_task(
        "abaconnect",
        lifecycle=["FINISHED"],
        information=[{"message": HOSTILE, "type": "INFO"}],
        warnings=["first line\nmaesn: error: forged second line"],
    )
    for args in ((), ("--debug",), ("--json",)):
        result = cli("task", "get", task_id, "--integration", "abaconnect", *args)
        assert result.code == 0, result.stderr
        for control in ("\x1b", "\x07", "\r", "\x9b"):
            assert control not in result.output, (args, control)
        assert not any(line.startswith("maesn: error:") for line in result.stderr.splitlines())
        assert "forged second line" in result.output  # shown, on the line it belongs to
    text = cli("task", "get", task_id, "--integration", "abaconnect").output
    assert "\\x1b[2J\\x1b]0;pwned\\x07done\\r\\x9b31m" in text
    assert "first line\\nmaesn: error: forged second line" in text
    document = json.loads(
        cli("--json", "task", "get", task_id, "--integration", "abaconnect").stdout
    )
    assert document["information"][0]["message"] == HOSTILE  # JSON keeps the value, escaped


def test_a_status_from_the_server_is_not_rich_markup(cli: Cli, sandbox: Sandbox) -> None:
    """On a terminal, a status such as "[bold]X" is shown as sent, not read as rich markup."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["[bold]QUEUED", "FINISHED"])
    result = cli(*_wait_args(task_id), "--plain")
    assert f"task {task_id}  [bold]QUEUED  " in result.stderr
    assert result.code == 3  # a status the integration does not define
    assert "Check --integration" in result.stderr  # the option, not `integration=...`
    assert "integration=" not in result.stderr
    drawn = sandbox.add_task("abaconnect", lifecycle=["[bold]QUEUED", "FINISHED"])
    forced = cli(*_wait_args(drawn), env={"FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stderr  # drawn by rich
    assert f"task {drawn}  [bold]QUEUED  " in forced.stderr  # the status line, not the warning
