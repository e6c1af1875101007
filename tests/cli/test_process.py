"""`python -m maesn` as a real process: what `main(argv)` in-process cannot show.

The other command-line tests call `main(argv)` in this process; these start the interpreter, so
the exit status, the two streams and the environment are the process's own.
"""

from __future__ import annotations

import json

from maesn.testing import Sandbox

from .conftest import CliProcess


def test_a_command_exits_with_its_code_and_prints_on_stdout(
    cli_process: CliProcess, sandbox: Sandbox
) -> None:
    """`task get --json` of a finished task: exit 0, one JSON document on stdout, stderr clean."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["FINISHED"])
    result = cli_process("--json", "task", "get", task_id, "--integration", "abaconnect")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "FINISHED"
    assert result.stderr == ""


def test_a_usage_error_exits_2_on_stderr(cli_process: CliProcess) -> None:
    """A missing task id: exit status 2, the usage on stderr, nothing on stdout."""
    result = cli_process("task", "get")
    assert result.code == 2
    assert result.stdout == ""
    assert "usage: maesn" in result.stderr


def test_help_and_version_exit_0(cli_process: CliProcess) -> None:
    """`maesn --help` and `--version` print and exit 0 (the help loads no client)."""
    assert cli_process("--help").code == 0
    version = cli_process("--version")
    assert version.code == 0
    assert version.stdout.strip()
