"""Exit codes, and the one line an error prints: what went wrong, why, and what to do."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import Any

from maesn._exceptions import (
    APIError,
    IncompleteExportError,
    MaesnError,
    TaskFailedError,
    TaskTimeoutError,
    UnexpectedTaskStatusError,
    ValidationError,
)

from ._render import status_text

__all__ = [
    "EXIT_CODES_HELP",
    "ExitCode",
    "UsageError",
    "error_message",
    "exit_code_for",
    "incomplete_reason",
]


class ExitCode(enum.IntEnum):
    """What `maesn` exits with."""

    OK = 0
    TASK_FAILED = 1
    USAGE = 2
    API_ERROR = 3
    TIMEOUT = 4
    INTERNAL = 70
    INTERRUPTED = 130


EXIT_CODES_HELP = """\
exit codes:
  0    success (`task get`: the task was read, whatever its status)
  1    the task failed: FAILED, PARTIAL_SUCCESS, CANCELLED_SUCCESSFULLY, CANCEL_FAILED or DELETED
  2    usage or validation error: bad options, a missing key, integration or companyId, an
       export that cannot be resumed as asked, an output file that cannot be written
  3    API error: Maesn unreachable or answering an error (after retries), a status the
       integration does not define (check --integration), an incomplete export (resumable)
  4    timeout: the task was still running when --timeout passed
  70   internal error: a bug in maesn-client (rerun with --debug and report it)
  130  interrupted (Ctrl-C)"""


class UsageError(Exception):
    """The command line cannot run as given (exit 2); the message says what to change.

    `usage` is argparse's usage text of the command, shown above the error in text mode.
    """

    def __init__(self, message: str, *, usage: str = "") -> None:
        super().__init__(message)
        self.usage = usage


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit code documented for `exc`."""
    codes: tuple[tuple[type[BaseException], ExitCode], ...] = (
        (KeyboardInterrupt, ExitCode.INTERRUPTED),
        (TaskTimeoutError, ExitCode.TIMEOUT),
        (TaskFailedError, ExitCode.TASK_FAILED),
        (ValidationError, ExitCode.USAGE),
        (UsageError, ExitCode.USAGE),
        (OSError, ExitCode.USAGE),
        (APIError, ExitCode.API_ERROR),
        (UnexpectedTaskStatusError, ExitCode.API_ERROR),
        (IncompleteExportError, ExitCode.API_ERROR),
        (MaesnError, ExitCode.API_ERROR),
    )
    for kind, code in codes:
        if isinstance(exc, kind):
            return code
    return ExitCode.INTERNAL


_PYTHON_TO_OPTIONS = (
    ("pass company_id=... (to the call or the client; ", "pass --company-id ID ("),
    ("create the client with interactive_auth=True", "pass --interactive-auth"),
    ("check integration=...", "check --integration"),
    ("Check integration=...", "Check --integration"),
    ("raise timeout=...", "raise --request-timeout"),
    ("check base_url", "check --base-url"),
    ("pass base_url=... or set MAESN_BASE_URL", "pass --base-url URL or set MAESN_BASE_URL"),
    ("base_url '", "--base-url (or MAESN_BASE_URL) '"),
    ("start_page=", "--start-page "),
)
"""The library's advice names Python arguments; on the command line it names the options."""


def _for_command_line(message: str) -> str:
    for python, option in _PYTHON_TO_OPTIONS:
        message = message.replace(python, option)
    return message


def _task_failed(exc: TaskFailedError) -> str:
    task = exc.task
    messages = "; ".join(repr(m) for m in task.messages) or "no information messages"
    return (
        f"task {task.task_id} ended {status_text(task.status)} ({task.profile.name}): {messages}. "
        f"See its information above, or `maesn task get {task.task_id}`"
    )


def _timed_out(exc: TaskTimeoutError) -> str:
    task = exc.task
    return (
        f"task {task.task_id} is still {status_text(task.status)} after {exc.elapsed:.1f}s: wait "
        f"longer with a larger --timeout, or check again later with `maesn task get {task.task_id}`"
    )


_DELIVERED = re.compile(
    r"\. \d+ entries were delivered \(pages \d+\.\.\d+\); resume with start_page=\d+$"
)


def incomplete_reason(exc: IncompleteExportError) -> str:
    """Why an export stopped, without the library's "N entries were delivered" tail."""
    text = str(exc)
    head, _, reason = text.partition(": ")
    return _DELIVERED.sub("", reason) if reason and head.startswith("export of task") else text


def _incomplete(exc: IncompleteExportError) -> str:
    if exc.entries_yielded:
        return _for_command_line(str(exc))
    return _for_command_line(
        f"the export failed before its first entry: {incomplete_reason(exc)}; nothing was "
        "saved, so run the same command again (a later page that fails can be resumed)"
    )


def _os_error(exc: OSError) -> str:
    if exc.filename:
        return f"cannot use {exc.filename!s}: {exc.strerror or exc}; check the path and its permissions"
    return f"{exc.strerror or exc}; rerun with --debug for details"


_MESSAGES: tuple[tuple[type[BaseException], Callable[[Any], str]], ...] = (
    (TaskTimeoutError, _timed_out),
    (TaskFailedError, _task_failed),
    (IncompleteExportError, _incomplete),
    (MaesnError, lambda exc: _for_command_line(str(exc))),
    (UsageError, lambda exc: _for_command_line(str(exc))),
    (OSError, _os_error),
)
"""The first row whose type `exc` is an instance of says how to put it in one line."""


def error_message(exc: BaseException) -> str:
    """One line for `exc`: the library's message with command-line advice, or a task summary."""
    for kind, message in _MESSAGES:
        if isinstance(exc, kind):
            return message(exc)
    return (
        f"unexpected {type(exc).__name__}: {exc}. This is a bug in maesn-client: rerun with "
        "--debug and report it with the traceback"
    )
