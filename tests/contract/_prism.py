"""Prism (npm `@stoplight/prism-cli`) for the contract tests: installed once, run as a process.

The version is pinned in `tests/contract/package.json` and the whole dependency tree in its
`package-lock.json` (written with `omit-lockfile-registry-resolved`, so it names no registry).
`ensure_prism()` copies both into `.tools/prism/` (ignored by git, shared by every nox session)
and runs `npm ci` there, only when the lockfile changed since the last install.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Self

from helpers import Running

__all__ = [
    "INSTALL_DIR",
    "MANIFEST_DIR",
    "PrismProcess",
    "PrismUnavailableError",
    "ensure_prism",
    "in_ci",
    "prism_version",
]

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_DIR = Path(__file__).resolve().parent
MANIFEST_FILES = ("package.json", "package-lock.json", ".npmrc")
INSTALL_DIR = ROOT / ".tools" / "prism"
STAMP = INSTALL_DIR / ".installed"
PACKAGE = "@stoplight/prism-cli"
NPM_TIMEOUT = 600.0
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
_OUTPUT_TAIL = 4000


class PrismUnavailableError(RuntimeError):
    """Prism cannot run here (no Node.js/npm, Node.js too old, or the install failed)."""


def in_ci() -> bool:
    """True when the CI environment variable is set to a true value (CI must never skip)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def _lockfile() -> dict[str, object]:
    data: dict[str, object] = json.loads((MANIFEST_DIR / "package-lock.json").read_text())
    return data


def _prism_entry() -> dict[str, object]:
    packages = _lockfile()["packages"]
    assert isinstance(packages, dict)
    entry = packages[f"node_modules/{PACKAGE}"]
    assert isinstance(entry, dict)
    return entry


def prism_version() -> str:
    """The pinned Prism version (package.json pins it, the lockfile records what it resolved to)."""
    return str(_prism_entry()["version"])


def _minimum_node() -> tuple[int, ...]:
    engines = _prism_entry().get("engines", {})
    spec = engines.get("node", "") if isinstance(engines, dict) else ""
    match = re.fullmatch(r">=\s*(\d+(?:\.\d+)*)", str(spec).strip())
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed commands, no shell
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=NPM_TIMEOUT,
        check=False,
        env={**os.environ, "npm_config_update_notifier": "false"},
    )


def _check_node() -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise PrismUnavailableError(
            "Node.js and npm are needed to install Prism for the contract tests; install Node.js "
            f">= {'.'.join(map(str, _minimum_node())) or '18'} (with npm)"
        )
    found = _run([node, "--version"]).stdout.strip()
    version = tuple(int(part) for part in re.findall(r"\d+", found)[:3])
    if version < _minimum_node():
        raise PrismUnavailableError(
            f"Prism {prism_version()} needs Node.js >= {'.'.join(map(str, _minimum_node()))}, "
            f"found {found}"
        )


def _manifest_digest() -> str:
    digest = hashlib.sha256()
    for name in MANIFEST_FILES:
        digest.update(name.encode() + b"\0" + (MANIFEST_DIR / name).read_bytes() + b"\0")
    return digest.hexdigest()


def executable() -> Path:
    """Where `npm ci` puts the prism command."""
    return INSTALL_DIR / "node_modules" / ".bin" / "prism"


def ensure_prism() -> Path:
    """Install the pinned Prism into .tools/prism unless it is there already; return its command.

    Raises PrismUnavailableError with npm's output when Node.js is missing or the install fails.
    """
    _check_node()
    digest = _manifest_digest()
    if executable().is_file() and STAMP.is_file() and STAMP.read_text().strip() == digest:
        return executable()
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    STAMP.unlink(missing_ok=True)
    for name in MANIFEST_FILES:
        shutil.copyfile(MANIFEST_DIR / name, INSTALL_DIR / name)
    npm = shutil.which("npm")
    assert npm is not None
    command = [npm, "ci", "--no-audit", "--no-fund"]
    try:
        result = _run(command, cwd=INSTALL_DIR)
    except subprocess.TimeoutExpired as exc:
        raise PrismUnavailableError(
            f"`npm ci` for Prism {prism_version()} in {INSTALL_DIR} took over {NPM_TIMEOUT:.0f} s"
        ) from exc
    if result.returncode != 0 or not executable().is_file():
        raise PrismUnavailableError(
            f"`npm {' '.join(command[1:])}` for Prism {prism_version()} in {INSTALL_DIR} failed "
            f"(exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    STAMP.write_text(digest + "\n")
    return executable()


_LISTENING = b"Prism is listening on"
"""What Prism prints once its server accepts connections."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PrismProcess(Running):
    """One `prism mock` or `prism proxy` process on a free 127.0.0.1 port; a context manager.

    Its output goes to `log_path` through a thread that reads it as it comes (a pipe nobody
    reads fills up and stalls Prism after a few hundred requests); the line Prism prints when it
    listens marks it ready, so start-up waits on an event, not on a polling loop.
    """

    command: Path
    arguments: list[str]
    log_path: Path
    port: int = field(default_factory=_free_port)
    _process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None
    _copier: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The root URL Prism listens on."""
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        """The end of what Prism printed (for error messages)."""
        if self._log is not None:
            self._log.flush()
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no output)"
        return text[-_OUTPUT_TAIL:] or "(no output)"

    def start(self) -> Self:
        """Start Prism and wait until it says it listens; raise with its output if it never does."""
        argv = [str(self.command), *self.arguments, "--port", str(self.port), "--host", "127.0.0.1"]
        self._log = log = self.log_path.open("wb")
        self._process = process = subprocess.Popen(  # noqa: S603 - fixed command, no shell
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        listening = threading.Event()
        assert process.stdout is not None

        def copy(stream: IO[bytes]) -> None:
            with stream:
                for line in stream:  # until Prism exits
                    log.write(line)
                    log.flush()
                    if _LISTENING in line:
                        listening.set()
            listening.set()  # it exited: start() reports that

        self._copier = threading.Thread(target=copy, args=(process.stdout,), daemon=True)
        self._copier.start()
        if not listening.wait(START_TIMEOUT):
            self.stop()
            raise RuntimeError(
                f"Prism did not listen on {self.url} within {START_TIMEOUT:.0f} s: "
                f"{' '.join(argv)}\n{self.output()}"
            )
        if process.poll() is not None:
            code = process.returncode
            self.stop()
            raise RuntimeError(
                f"Prism exited with {code} before answering: {' '.join(argv)}\n{self.output()}"
            )
        return self

    def stop(self) -> None:
        """Terminate Prism (kill it if it does not exit in time) and close its log."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
        copier, self._copier = self._copier, None
        if copier is not None:
            copier.join(timeout=STOP_TIMEOUT)  # the pipe ends with the process
        log, self._log = self._log, None
        if log is not None:
            log.close()
