"""The `maesn` command line (also `python -m maesn`): tasks, the sandbox, webhook deliveries.

`main(argv)` parses the arguments, runs one command and returns its exit code (see
`maesn --help`). Errors become one line on stderr (with --json, also a JSON document on stdout)
and a documented exit code; tracebacks only with --debug. The keys are read from the environment
only and redacted from everything printed.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from maesn._exceptions import MaesnError, MaesnWarning, TaskError, WebhookVerificationError

from ._exit import ExitCode, UsageError, error_message, exit_code_for
from ._parser import build_parser, check_text_arguments
from ._render import task_json, visible

if TYPE_CHECKING:
    from ._commands import Context

__all__ = ["main"]

_COMMANDS: dict[str, tuple[str, str]] = {
    "get": ("_commands", "get_task"),
    "wait": ("_commands", "wait_for_task"),
    "export": ("_commands", "export_task"),
    "companies": ("_starting", "list_companies"),
    "upload": ("_starting", "upload_file"),
    "export-start": ("_starting", "start_export"),
    "integrations": ("_commands", "list_integrations"),
    "sandbox": ("_commands", "serve_sandbox"),
    "demo": ("_demo", "run_demo"),
    "webhooks-verify": ("_webhooks", "verify_delivery"),
}
"""Each command's module and function, imported once the arguments are parsed: `maesn --help`
and a usage error load neither the client nor the sandbox."""


def _command(name: str) -> Callable[[Context, argparse.Namespace], int]:
    module, function = _COMMANDS[name]
    run: Callable[[Context, argparse.Namespace], int] = getattr(
        importlib.import_module(f"{__name__}.{module}"), function
    )
    return run


def _context(**options: Any) -> Context:
    from ._commands import Context  # noqa: PLC0415 - the commands load after parsing

    return Context(**options)


class _RedactingFormatter(logging.Formatter):
    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._redact = redact

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        # The record's own text stays one line (a newline in a server's warning cannot forge a
        # second record); a traceback appended after it keeps its lines.
        return visible(super().formatMessage(record))

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


@contextmanager
def _logging(ctx: Context) -> Iterator[None]:
    """--debug: every DEBUG line on stderr, redacted. Otherwise nothing: warnings are shown."""
    handler: logging.Handler
    if ctx.debug:
        logger = logging.getLogger()
        handler = logging.StreamHandler(ctx.stderr)
        # Late-bound: a command may add to ctx.redact (the webhook secret) after this.
        handler.setFormatter(_RedactingFormatter(lambda text: ctx.redact(text)))  # noqa: PLW0108
    else:
        # The CLI prints the task's warnings itself; the library's log line would repeat them.
        logger = logging.getLogger("maesn")
        handler = logging.NullHandler()
    level = logger.level
    if ctx.debug:
        logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@contextmanager
def _warnings_to_stderr(ctx: Context) -> Iterator[None]:
    def show(message: Warning | str, *_: Any, **__: Any) -> None:
        ctx.err(f"maesn: warning: {message}")

    with warnings.catch_warnings():
        # The command line shows the library's warnings (an unknown integration id, an unknown
        # status) as lines on stderr, whatever filters the calling process set.
        warnings.simplefilter("default", MaesnWarning)
        warnings.showwarning = show
        yield


def _report(ctx: Context, exc: BaseException) -> int:
    code = exit_code_for(exc)
    message = "interrupted (Ctrl-C)" if isinstance(exc, KeyboardInterrupt) else error_message(exc)
    notes = [str(note) for note in getattr(exc, "__notes__", ())]
    if ctx.debug and not isinstance(exc, KeyboardInterrupt):
        ctx.err_block("".join(traceback.format_exception(exc)))
    if isinstance(exc, KeyboardInterrupt):
        # No "error:" for Ctrl-C: the user asked for it; the notes say where things stood.
        ctx.err("maesn: interrupted" if not notes else f"maesn: interrupted; {notes[0]}")
        for note in notes[1:]:
            ctx.err(f"maesn: {note}")
    else:
        ctx.err(f"maesn: error: {message}")
        for note in notes:
            ctx.err(f"maesn: {note}")
    if ctx.json:
        error: dict[str, Any] = {
            "type": type(exc).__name__,
            "message": message,
            "exitCode": int(code),
            "notes": notes,
        }
        fields = (
            ("resume_page", "resumePage"),
            ("resume_command", "resumeCommand"),
            ("argument", "argument"),
            ("option", "option"),
            ("hint", "hint"),
        )
        for name, key in fields:
            value = getattr(exc, name, None) if isinstance(exc, MaesnError | UsageError) else None
            if isinstance(value, int | str) and not isinstance(value, bool):
                error[key] = value
        if isinstance(exc, WebhookVerificationError):
            error["reason"] = exc.reason
        document: dict[str, Any] = {"error": error}
        if isinstance(exc, TaskError):
            document["task"] = task_json(exc.task)
        ctx.out_json(document)
    return code


def _quiet_broken_pipe() -> int:
    """Stop quietly when stdout was closed early (`maesn integrations | head -1`)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return ExitCode.OK


def _wants_json(argv: Sequence[str]) -> bool:
    """--json among the options (before a `--`), for errors found before parsing succeeded."""
    options = argv[: argv.index("--")] if "--" in argv else argv
    return "--json" in options


def _usage_error(argv: Sequence[str], exc: UsageError) -> int:
    ctx = _context(json=_wants_json(argv), stdout=sys.stdout, stderr=sys.stderr)
    if exc.usage and not ctx.json:
        ctx.err_block(exc.usage)
    return _report(ctx, exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `maesn` command line with `argv` (default: sys.argv[1:]); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        check_text_arguments(args)
    except SystemExit as exc:  # --help or --version
        return exc.code if isinstance(exc.code, int) else ExitCode.USAGE
    except UsageError as exc:
        return _usage_error(argv, exc)
    ctx = _context(
        json=args.json,
        debug=args.debug,
        style="plain" if args.plain else "auto",
        stdout=sys.stdout,
        stderr=sys.stderr,
    )
    with _logging(ctx), _warnings_to_stderr(ctx):
        try:
            return _command(args.run)(ctx, args)
        except KeyboardInterrupt as exc:
            return _report(ctx, exc)
        except BrokenPipeError:
            return _quiet_broken_pipe()
        except Exception as exc:  # noqa: BLE001 - every error becomes one line and an exit code
            return _report(ctx, exc)
