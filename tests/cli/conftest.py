"""Run the command line against a sandbox started in the test process.

`cli` and `run` call `maesn._cli.main(argv)` in this process (as httpx tests its command line);
`cli_process` and `interruptible` start `python -m maesn` for what only a process shows: signals,
the terminal, the interpreter's exit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from maesn._cli import main
from maesn.testing import Sandbox

API_KEY = "cli-api-key-3b9e0f71"
ACCOUNT_KEY = "cli-account-key-c41d8a25"
COMPANY = "company-7"


@dataclass(frozen=True)
class Result:
    """What one run of the command line did."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, stdout first."""
        return self.stdout + self.stderr


def cli_env(base_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a run: the sandbox's keys and URL, nothing inherited from MAESN_*."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MAESN_") and name not in {"FORCE_COLOR", "TTY_COMPATIBLE"}
    }
    env.update(MAESN_API_KEY=API_KEY, MAESN_ACCOUNT_KEY=ACCOUNT_KEY)
    if base_url is not None:
        env["MAESN_BASE_URL"] = base_url
    env.update(extra)
    return env


def maesn_command(*args: str) -> list[str]:
    """`python -m maesn ARGS` with this interpreter."""
    return [sys.executable, "-m", "maesn", *args]


@dataclass
class CliProcess:
    """Runs `python -m maesn` with the sandbox's keys and base URL."""

    sandbox: Sandbox
    cwd: Path

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run the command line to completion, with `env` added to the environment."""
        completed = subprocess.run(  # noqa: S603 - our interpreter, our arguments
            maesn_command(*args),
            env=cli_env(self.sandbox.base_url, **(env or {})),
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)


@dataclass
class Cli:
    """Runs `maesn._cli.main(argv)` in this process, with the sandbox's keys and base URL.

    The environment is `cli_env`'s (no inherited MAESN_*), the working directory `cwd`; the output
    is captured. For everything but signals and the terminal: no interpreter start per run.
    """

    sandbox: Sandbox
    cwd: Path
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run the command line to completion, with `env` added to the environment."""
        self.capsys.readouterr()
        wanted = cli_env(self.sandbox.base_url, **(env or {}))
        with self.monkeypatch.context() as patch, warnings.catch_warnings():
            # A process starts with Python's warning filters, not the suite's `error`.
            warnings.resetwarnings()
            for name in set(os.environ) - set(wanted):
                patch.delenv(name)
            for name, value in wanted.items():
                patch.setenv(name, value)
            patch.chdir(self.cwd)
            code = main(list(args))
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)


InProcess = Cli
"""The name the first in-process tests used."""


@pytest.fixture
def run(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    """Run the command line in this process against `sandbox`, in a temporary directory."""
    return Cli(sandbox, tmp_path, capsys, monkeypatch)


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox with the test keys.

    Configure it with `@pytest.mark.parametrize("sandbox", [{"page_size": N}], indirect=True)`.
    """
    options = getattr(request, "param", {})
    with Sandbox(api_key=API_KEY, account_key=ACCOUNT_KEY, **options) as started:
        yield started


@pytest.fixture
def cli(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    """Run the command line against `sandbox`, in a temporary directory, in this process.

    The same as `run`: `main(argv)` with the run's environment and working directory. Tests of
    what only a real process shows (signals, the terminal, the interpreter's exit) use
    `cli_process`.
    """
    return Cli(sandbox, tmp_path, capsys, monkeypatch)


@pytest.fixture
def cli_process(sandbox: Sandbox, tmp_path: Path) -> CliProcess:
    """Run `python -m maesn` in a subprocess against `sandbox`, in a temporary directory."""
    return CliProcess(sandbox, tmp_path)


SIGINT_READY = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from maesn._cli import main; sys.exit(main(sys.argv[1:]))"
)
"""`maesn ARGS` with Ctrl-C handled whatever the test run inherited.

A process started while SIGINT is ignored (a background job of a non-interactive shell, nohup,
some CI runners) inherits SIG_IGN, and Python then installs no KeyboardInterrupt handler: the
SIGINT a test sends is lost and the test waits for its timeout. The tests of Ctrl-C set the
handler explicitly, as an interactive shell's foreground job has it."""


@contextmanager
def interruptible(
    *args: str, env: dict[str, str], cwd: Path | None = None
) -> Iterator[subprocess.Popen[str]]:
    """`maesn ARGS` running in the background, ready for SIGINT; killed and reaped on the way out.

    Reaping in `finally` keeps a failed assertion from leaving a running process behind (its
    ResourceWarning would fail a later, unrelated test).
    """
    process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
        [sys.executable, "-c", SIGINT_READY, *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
