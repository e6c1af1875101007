"""The argument parser: every command, option, default and help text.

Options shared by several commands (output, client settings) are accepted both before the command
(`maesn --json task get ID`) and after it (`maesn task get ID --json`): the top-level parser holds
the defaults, and each command's copy uses `argparse.SUPPRESS`, so it only sets what was given.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, NoReturn

from maesn._profiles import paged_integrations
from maesn._validation import did_you_mean
from maesn._version import __version__

from ._exit import EXIT_CODES_HELP, UsageError

__all__ = ["build_parser", "check_text_arguments"]

ENVIRONMENT_HELP = """\
environment:
  MAESN_API_KEY       your Maesn API key (required for `task`; never an option, never printed)
  MAESN_ACCOUNT_KEY   the end user's account key (as above)
  MAESN_BASE_URL      default for --base-url (else https://api.maesn.dev)
  MAESN_INTEGRATION   default for --integration
  MAESN_COMPANY_ID    default for --company-id
  MAESN_WEBHOOK_SECRET  default for `webhooks verify --secret` (never printed)"""

EPILOG = f"{EXIT_CODES_HELP}\n\n{ENVIRONMENT_HELP}"


class _HelpFormatter(argparse.HelpFormatter):
    """Wraps prose paragraphs; keeps paragraphs of several lines (the tables) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        fill = super()._fill_text
        return "\n\n".join(
            paragraph if "\n" in paragraph else fill(paragraph, width, indent)
            for paragraph in text.split("\n\n")
        )


class _Parser(argparse.ArgumentParser):
    """Raises UsageError instead of printing and exiting, so --json can report it as JSON."""

    def error(self, message: str) -> NoReturn:
        raise self._usage_error(message)

    def _usage_error(
        self, message: str, *, option: str | None = None, hint: str | None = None
    ) -> UsageError:
        """The error, led by the command it is about (`task wait: ...`; "maesn: " is the CLI's)."""
        command = self.prog.partition(" ")[2]
        return UsageError(
            f"{command + ': ' if command else ''}{message} (see `{self.prog} --help`)",
            usage=self.format_usage(),
            option=option,
            hint=hint,
        )

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """A value outside `choices` (an integration, a command) gets the library's did-you-mean.

        Whatever list the option validates against, the suggestion comes from that list.
        """
        if action.choices is None or value in action.choices:
            return
        names = [str(choice) for choice in action.choices]
        option = "/".join(action.option_strings) or str(action.metavar or action.dest)
        hint = did_you_mean(value, names)
        raise self._usage_error(
            f"argument {option}: invalid choice: {value!r} "
            f"({hint + ' ' if hint else ''}choose from {', '.join(names)})",
            option=option,
            hint=hint,
        )


_ARGUMENT_NAMES = {"task_id": "ID", "file": "FILE"}
"""Positional arguments by their metavar; options are named as typed (--company-id)."""
_SECRET_ARGUMENTS = frozenset({"secret"})
"""Arguments whose value an error never shows."""


def _as_typed(value: str) -> str:
    """`value` with each byte that is not UTF-8 shown as a backslash escape, as typed."""
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that did not come from a byte of argv
        return value.encode("utf-8", "backslashreplace").decode()
    return raw.decode("utf-8", "backslashreplace")


def check_text_arguments(args: argparse.Namespace) -> None:
    """Refuse an argument that is not valid text (an invalid UTF-8 byte in argv) with exit 2.

    Python decodes argv with `surrogateescape`: a byte that is not UTF-8 becomes a lone surrogate,
    which no request could carry. Saying which argument it is beats an encoding traceback.
    """
    for name, value in sorted(vars(args).items()):
        if not isinstance(value, str):
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            shown = _ARGUMENT_NAMES.get(name, "--" + name.replace("_", "-"))
            typed = "(its value hidden)" if name in _SECRET_ARGUMENTS else f"'{_as_typed(value)}'"
            raise UsageError(
                f"{shown} {typed} is not valid UTF-8 text: "
                "check the terminal's encoding, or retype it"
            ) from None


def _number(
    kind: Callable[[str], float], *, minimum: float, strict: bool, what: str
) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if value < minimum or (strict and value == minimum):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value

    return parse


_seconds = _number(float, minimum=0, strict=True, what="a positive number of seconds")
_page = _number(int, minimum=1, strict=False, what="a page number (1 or more)")
_count = _number(int, minimum=0, strict=False, what="a count (0 or more)")
_port = _number(int, minimum=0, strict=False, what="a port number (0 picks a free one)")


def _output_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = (lambda value: value) if top else (lambda _: argparse.SUPPRESS)
    group = parser.add_argument_group("output")
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),  # noqa: FBT003 - argparse's default
        help="print machine-readable JSON on stdout (errors too) and no live status or progress",
    )
    group.add_argument(
        "--plain",
        action="store_true",
        default=default(False),  # noqa: FBT003
        help="plain line output, no live status line or progress bar (also the case without "
        "the optional `rich` package, or when stderr is not a terminal)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),  # noqa: FBT003
        help="log every request at DEBUG level and show tracebacks (keys stay redacted)",
    )


def _client_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = (lambda value: value) if top else (lambda _: argparse.SUPPRESS)
    group = parser.add_argument_group("client")
    group.add_argument(
        "--integration",
        default=default(None),
        metavar="ID",
        help="the target system behind the account key, e.g. datev-rewe or sevdesk (default: "
        "$MAESN_INTEGRATION; `maesn integrations` lists the known ids). Another id works with "
        "the generic rules and a warning; without one, task statuses are read generically",
    )
    group.add_argument(
        "--company-id",
        default=default(None),
        metavar="ID",
        help="companyId sent with each request; DATEV needs one unless --interactive-auth "
        "(default: $MAESN_COMPANY_ID)",
    )
    group.add_argument(
        "--interactive-auth",
        action="store_true",
        default=default(False),  # noqa: FBT003
        help="the account key was connected through Maesn's Interactive Authentication Flow, "
        "which stores the company: no companyId needed",
    )
    group.add_argument(
        "--base-url",
        default=default(None),
        metavar="URL",
        help="where Maesn is (default: $MAESN_BASE_URL, else https://api.maesn.dev)",
    )
    group.add_argument(
        "--max-retries",
        type=_count,
        default=default(3),
        metavar="N",
        help="retries of a failed request (429, 5xx, connection errors), 0 disables (default 3)",
    )
    group.add_argument(
        "--request-timeout",
        type=_seconds,
        default=default(30.0),
        metavar="S",
        help="seconds to wait for each answer (default 30)",
    )


def _wait_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("waiting")
    group.add_argument(
        "--timeout",
        type=_seconds,
        default=600.0,
        metavar="S",
        help="give up (exit 4) when the task still runs after S seconds (default 600)",
    )
    group.add_argument(
        "--poll-interval",
        type=_seconds,
        default=1.0,
        metavar="S",
        help="seconds before the second poll; each later wait grows 1.5x, up to 30 s (default 1)",
    )


def _error_information_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fail-on-error-information",
        action="store_true",
        help="treat a task that finished with an error entry in its information (AbaConnect's "
        "FINISHED with type ERROR) as failed: exit 1 (default: the status alone decides)",
    )


def _command(
    subparsers: argparse._SubParsersAction[_Parser],
    name: str,
    *,
    summary: str,
    description: str,
    client: bool = True,
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        help=summary,
        description=description,
        epilog=EPILOG,
        formatter_class=_HelpFormatter,
    )
    if client:
        _client_options(parser, top=False)
    _output_options(parser, top=False)
    return parser


def _task_commands(task: _Parser) -> None:
    commands = task.add_subparsers(dest="task_command", metavar="COMMAND", required=True)
    get = _command(
        commands,
        "get",
        summary="print a task's current state (one poll)",
        description="Poll the task once and print it: status and what it means for the "
        "integration, information, warnings, pagination and a summary of responseData "
        "(--json: all of it). Exits 0 whenever the task could be read, whatever its status.",
    )
    get.add_argument("task_id", metavar="ID", help="the taskId an asynchronous call returned")
    get.add_argument(
        "--page",
        type=_page,
        metavar="N",
        help=f"the page of an export's result to fetch ({paged_integrations()} only)",
    )
    get.set_defaults(run="get")

    wait = _command(
        commands,
        "wait",
        summary="poll until the task is done, with a live status line",
        description="Poll the task until its integration says it is done, showing its status, "
        "the time elapsed and the polls made; then print a summary. Exits 1 when the task "
        "ended without success (FAILED, PARTIAL_SUCCESS, ...), 4 on --timeout.",
    )
    wait.add_argument("task_id", metavar="ID", help="the taskId an asynchronous call returned")
    _wait_options(wait)
    _error_information_option(wait)
    wait.set_defaults(run="wait")

    export = _command(
        commands,
        "export",
        summary="save every entry of an export to a JSONL file (resumable)",
        description=f"Wait for a {paged_integrations()} task, then save every entry of every page to "
        "FILE, one JSON document a line, with a progress bar. Entries go to FILE.partial (with "
        "its state in FILE.partial.json) and FILE appears only when the last page is saved. "
        "When a page cannot be fetched, the error says which command resumes: --start-page N "
        "appends pages N and on to the saved ones (the partial file must hold exactly the N-1 "
        "pages before), so every entry ends up in FILE exactly once; the integration, companyId "
        "and --interactive-auth come from the state file. --start-page 1 starts over.",
    )
    export.add_argument("task_id", metavar="ID", help="the taskId of the export")
    export.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the JSONL file to write; - writes the entries to stdout (not resumable: no "
        "partial file is kept)",
    )
    export.add_argument(
        "--start-page",
        type=_page,
        metavar="N",
        help="resume an interrupted export at page N (the error message says which), or 1 to "
        "start over; without it a new export starts, unless a partial one would be lost",
    )
    _wait_options(export)
    export.set_defaults(run="export")


def _noun(
    commands: argparse._SubParsersAction[_Parser], name: str, *, summary: str, description: str
) -> argparse._SubParsersAction[_Parser]:
    noun = commands.add_parser(
        name, help=summary, description=description, epilog=EPILOG, formatter_class=_HelpFormatter
    )
    return noun.add_subparsers(dest=f"{name}_command", metavar="COMMAND", required=True)


def _starting_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    """`companies`, `files upload`, `export start`: what gets a companyId or a task id."""
    companies = _command(
        commands,
        "companies",
        summary="list the companyIds the account key can reach",
        description="GET /auth/companies through the client: one company a line (its id, two "
        "spaces, its name); --json prints the list. DATEV, Exact and Business Central need one of these ids as "
        "--company-id (or MAESN_COMPANY_ID) unless the account uses the Interactive "
        "Authentication Flow.",
    )
    companies.set_defaults(run="companies")

    files = _noun(
        commands,
        "files",
        summary="upload a file (starts a task)",
        description="Upload documents; each upload starts an asynchronous task.",
    )
    upload = _command(
        files,
        "upload",
        summary="upload FILE (postFileAsync) and print the task id",
        description="Send FILE to Maesn's asynchronous upload (DATEV Unternehmen Online) and "
        "print the id of the task it started on stdout. --wait then waits for the task like "
        "`maesn task wait` (exit 1 when it fails, 4 on --timeout). The upload is never retried "
        "once sent: a duplicate document is worse than an error.",
    )
    upload.add_argument("file", metavar="FILE", help="the file to upload")
    upload.add_argument(
        "--document-type", metavar="TYPE", help="documentType, e.g. Rechnungseingang"
    )
    upload.add_argument("--note", metavar="TEXT", help="a note stored with the document")
    upload.add_argument(
        "--wait", action="store_true", help="wait for the task, as `task wait` does"
    )
    _wait_options(upload)
    _error_information_option(upload)
    upload.set_defaults(run="upload")

    export = _noun(
        commands,
        "export",
        summary="start an export (datev-rewe-export)",
        description="Start reads that run as export tasks.",
    )
    start = _command(
        export,
        "start",
        summary="start an export of the journal entries and print the task id",
        description="Read the journal entries of a datev-rewe-export account, which starts an "
        "export task, and print its id. --wait waits for it; --out FILE also saves every entry "
        "to FILE as JSONL, as `maesn task export` does (resumable with that command). When FILE "
        "holds the saved pages of an earlier export, nothing is started: the error names the "
        "`maesn task export` command that resumes them.",
    )
    start.add_argument("--wait", action="store_true", help="wait for the export to finish")
    start.add_argument(
        "--out",
        metavar="FILE",
        help="wait, then save every entry to FILE (JSONL; - for stdout)",
    )
    _wait_options(start)
    start.set_defaults(run="export-start", fail_on_error_information=False)


def _webhook_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    """`webhooks verify`: check a saved delivery's signature and show its events."""
    webhooks = _noun(
        commands,
        "webhooks",
        summary="verify a webhook delivery",
        description="Work with Maesn's webhook deliveries.",
    )
    verify = _command(
        webhooks,
        "verify",
        summary="check a saved delivery body against its X-MAESN-SIGNATURE",
        description="Verify that FILE (the raw request body of a delivery, saved byte for byte; "
        "- reads stdin) is signed by SIGNATURE (the X-MAESN-SIGNATURE header's value) with the "
        "webhook's secret, then print its events. Exit 0 when it verifies, 5 when the signature "
        "is missing, malformed or does not match, 6 when it matches but the body is not event "
        "JSON. The secret is best given as $MAESN_WEBHOOK_SECRET: an option lands in the shell's "
        "history and the process list.",
        client=False,
    )
    verify.add_argument("file", metavar="FILE", help="the delivery's raw body; - for stdin")
    verify.add_argument(
        "--signature",
        required=True,
        metavar="SIGNATURE",
        help="the X-MAESN-SIGNATURE header's value (hex, sha256=hex or base64)",
    )
    verify.add_argument(
        "--secret",
        metavar="SECRET",
        help="the webhook's secret, as creating it returned (default: $MAESN_WEBHOOK_SECRET)",
    )
    verify.set_defaults(run="webhooks-verify")


def build_parser() -> argparse.ArgumentParser:
    """The `maesn` command line."""
    parser = _Parser(
        prog="maesn",
        description="Work with Maesn's asynchronous tasks: start one (upload a file, start an "
        "export), read a task, wait for it, export its result, list the companyIds, see each "
        "integration's rules, or try it all on a local sandbox.",
        epilog=EPILOG,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"maesn-client {__version__}")
    _output_options(parser, top=True)
    _client_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    task = commands.add_parser(
        "task",
        help="get, wait for or export an asynchronous task",
        description="Read, wait for, or export one asynchronous task. The keys come from "
        "MAESN_API_KEY and MAESN_ACCOUNT_KEY; --integration (or MAESN_INTEGRATION) says which "
        "target system the account key belongs to.",
        epilog=EPILOG,
        formatter_class=_HelpFormatter,
    )
    _task_commands(task)

    _starting_commands(commands)
    _webhook_commands(commands)

    integrations = _command(
        commands,
        "integrations",
        summary="print every integration with what Maesn's docs say about it",
        description="Print each target system Maesn documents with what its docs say and where: "
        "whether companyId and environmentName are required, the task statuses and what each "
        "means, paging and page size, webhooks, timestamp formats, operations only another "
        "integration serves, notes, each with the numbers of its sources (listed below it). "
        "ID prints one (an id the table does not know shows the generic rules). --json prints "
        "them as a JSON list.",
        client=False,
    )
    integrations.add_argument(
        "integration_id",
        nargs="?",
        metavar="ID",
        help="print only this integration (e.g. sevdesk)",
    )
    integrations.set_defaults(run="integrations")

    sandbox = _command(
        commands,
        "sandbox",
        summary="serve a local Maesn sandbox (the whole API, demo data, webhooks) until Ctrl-C",
        description="Serve a local Maesn on 127.0.0.1: maesn.testing.Sandbox, a real HTTP "
        "server speaking Maesn's whole API (every operation, records kept per account key and "
        "company, each integration's rules, the asynchronous tasks with their export pages, "
        "and signed webhook deliveries to subscribed callback URLs, printed as they happen), "
        "with demo data and a few demo tasks. It prints the base URL, the (fake) API key, an "
        "account key for each integration (saying which integration each belongs to: calls "
        "follow the rules of their key's integration), the companyId and the task ids to use "
        "with `maesn` commands or your own code. Each poll moves a demo task one status on. "
        "Ctrl-C stops it (exit 0). --json prints the same as one JSON line.",
        client=False,
    )
    sandbox.add_argument(
        "--port", type=_port, default=8765, metavar="P", help="the port (default 8765; 0: any)"
    )
    sandbox.add_argument(
        "--interactive-auth",
        action="store_true",
        help="serve as for an account key connected through the Interactive Authentication "
        "Flow: no integration requires companyId (use the clients with --interactive-auth)",
    )
    sandbox.set_defaults(run="sandbox")

    demo = _command(
        commands,
        "demo",
        summary="walk through the client against an in-process sandbox (no keys needed)",
        description="Start a sandbox in this process and show, step by step: an AbaConnect "
        "task to FINISHED, a DATEV Unternehmen Online upload ending PARTIAL_SUCCESS, a DATEV "
        "Rechnungswesen call refused locally without companyId, a 429 retried after "
        "Retry-After, and a 120,000-entry export saved to JSONL over 3 pages. --json prints one "
        "JSON document with every step instead.",
        client=False,
    )
    demo.add_argument(
        "--out",
        metavar="DIR",
        help="directory for the export file (default: a new temporary directory, kept)",
    )
    demo.set_defaults(run="demo")
    return parser
