"""Exit codes, and the one line an error prints: what went wrong, why, and what to do."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from maesn._exceptions import (
    APIError,
    IncompleteExportError,
    MaesnError,
    TaskFailedError,
    TaskTimeoutError,
    UnexpectedTaskStatusError,
    ValidationError,
    WebhookPayloadError,
    WebhookVerificationError,
)

from ._render import status_text

__all__ = [
    "EXIT_CODES_HELP",
    "ExitCode",
    "UsageError",
    "error_message",
    "exit_code_for",
]


class ExitCode(enum.IntEnum):
    """What `maesn` exits with."""

    OK = 0
    TASK_FAILED = 1
    USAGE = 2
    API_ERROR = 3
    TIMEOUT = 4
    WEBHOOK_SIGNATURE = 5
    WEBHOOK_BODY = 6
    INTERNAL = 70
    INTERRUPTED = 130


EXIT_CODES_HELP = """\
exit codes:
  0    success (`task get`: the task was read, whatever its status)
  1    the task failed: FAILED, PARTIAL_SUCCESS, CANCELLED_SUCCESSFULLY, CANCEL_FAILED or DELETED
  2    usage or validation error: bad options, a missing key or companyId, a call the
       integration's documented rules refuse, an export that cannot be resumed as asked, an
       output file that cannot be written
  3    API error: Maesn unreachable or answering an error (after retries), a status the
       integration does not define (check --integration), an incomplete export (resumable)
  4    timeout: the task was still running when --timeout passed
  5    `webhooks verify`: the signature is missing, malformed or does not match the body
  6    `webhooks verify`: the signature matches, but the body is not Maesn event JSON
  70   internal error: a bug in maesn-client (rerun with --debug and report it)
  130  interrupted (Ctrl-C)"""


class UsageError(Exception):
    """The command line cannot run as given (exit 2); the message says what to change.

    `usage` is argparse's usage text of the command, shown above the error in text mode;
    `option` names the option (or argument) at fault and `hint` suggests a fix, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        usage: str = "",
        option: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.usage = usage
        self.option = option
        """The option or argument at fault (`--integration`, `COMMAND`), or None."""
        self.hint = hint
        """A suggestion for the fix (the library's "did you mean ...?"), or None."""


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit code documented for `exc`."""
    codes: tuple[tuple[type[BaseException], ExitCode], ...] = (
        (KeyboardInterrupt, ExitCode.INTERRUPTED),
        (TaskTimeoutError, ExitCode.TIMEOUT),
        (WebhookVerificationError, ExitCode.WEBHOOK_SIGNATURE),
        (WebhookPayloadError, ExitCode.WEBHOOK_BODY),
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


@dataclass(frozen=True)
class _Option:
    """How the command line names a library argument, and what it advises."""

    label: str
    advice: str


_OPTIONS: Mapping[str, _Option] = {
    "company_id": _Option(
        "--company-id",
        "pass --company-id ID or set MAESN_COMPANY_ID (`maesn companies` lists the ids), or "
        "pass --interactive-auth if the account key was connected through Maesn's Interactive "
        "Authentication Flow (the end user picked the company there)",
    ),
    "integration": _Option(
        "--integration",
        "pass --integration ID or set MAESN_INTEGRATION (`maesn integrations` describes them)",
    ),
    "base_url": _Option(
        "--base-url (or MAESN_BASE_URL)", "pass --base-url URL or set MAESN_BASE_URL"
    ),
    "task_id": _Option("ID", "pass the taskId an asynchronous call returned"),
    "page": _Option("--page", "pass --page N within the export's pages"),
    "start_page": _Option("--start-page", "pass the --start-page the error of the last run named"),
    "timeout": _Option("--request-timeout", "pass --request-timeout S"),
    "max_wait": _Option("--timeout", "pass --timeout S"),
    "poll_interval": _Option("--poll-interval", "pass --poll-interval S"),
    "max_retries": _Option("--max-retries", "pass --max-retries N"),
}
"""Library argument (ValidationError.argument) -> the option and the advice the CLI gives."""


def _validation(exc: ValidationError) -> str:
    """The library's problem (its message up to the advice), with the option's label and advice.

    Library messages read "problem: advice in Python terms"; the command line keeps the problem,
    names the option instead of the argument, and gives its own advice, from `exc.argument` and
    `exc.hint` rather than rewriting the prose.
    """
    option = _OPTIONS.get(exc.argument or "")
    if option is None:
        return exc.message
    problem = exc.message.split(": ", 1)[0]
    if exc.argument and problem.startswith(exc.argument + " "):
        problem = option.label + problem[len(exc.argument) :]
    hint = f" ({exc.hint})" if exc.hint and exc.hint not in problem else ""
    return f"{problem}{hint}; {option.advice}"


def _unexpected_status(exc: UnexpectedTaskStatusError) -> str:
    task = exc.task
    profile = task.profile
    known = task.status in profile.statuses
    which = (
        "does not define as running or finished"
        if known
        else f"never reports (it reports {', '.join(sorted(profile.statuses))})"
    )
    return (
        f"task {task.task_id} reports {status_text(task.status)}, which {profile.label} "
        f"{which}. Check --integration (the account key may belong "
        "to another integration), or upgrade maesn-client if Maesn added this status"
    )


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


def _incomplete(exc: IncompleteExportError) -> str:
    """Where the export stopped, why (the error behind it), and the option that resumes."""
    cause = exc.__cause__
    reason = error_message(cause) if cause is not None else str(exc)
    return (
        f"the export stopped at page {exc.resume_page}: {reason}. {exc.entries_yielded:,} "
        f"entries were saved; resume with --start-page {exc.resume_page}"
    )


def _os_error(exc: OSError) -> str:
    if exc.filename:
        return f"cannot use {exc.filename!s}: {exc.strerror or exc}; check the path and its permissions"
    return f"{exc.strerror or exc}; rerun with --debug for details"


_MESSAGES: tuple[tuple[type[BaseException], Callable[[Any], str]], ...] = (
    (TaskTimeoutError, _timed_out),
    (TaskFailedError, _task_failed),
    (IncompleteExportError, _incomplete),
    (ValidationError, _validation),
    (UnexpectedTaskStatusError, _unexpected_status),
    (MaesnError, str),
    (UsageError, str),
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
