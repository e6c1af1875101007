"""The commands: `task get`, `task wait`, `task export`, `integrations` and `sandbox`."""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from maesn._client import Client
from maesn._config import ACCOUNT_KEY_ENV, API_KEY_ENV, Redactor, Secret
from maesn._exceptions import (
    APIError,
    BadRequestError,
    ResponseValidationError,
    TaskFailedError,
    TaskPendingError,
)
from maesn._models import Task, TaskPage
from maesn._profiles import PROFILES, Integration, paged_integrations, profile_for
from maesn._rules import GENERIC_RULES_CANNOT_CHECK

from ._exit import ExitCode, UsageError
from ._export_file import ExportFile, ExportState, pages_text
from ._render import (
    Display,
    json_line,
    make_display,
    profile_json,
    profile_lines,
    task_json,
    task_lines,
    visible,
)
from ._watch import WaitWatch

if TYPE_CHECKING:
    from maesn.testing import Sandbox, WebhookDelivery

__all__ = [
    "COMPANY_ID_ENV",
    "INTEGRATION_ENV",
    "Context",
    "add_demo_tasks",
    "client_for",
    "export_task",
    "export_to_file",
    "get_task",
    "list_integrations",
    "prepare_demo_sandbox",
    "recorded_options",
    "resume_command",
    "serve_sandbox",
    "show_finished",
    "wait_for_task",
    "wait_with_status_line",
]

INTEGRATION_ENV = "MAESN_INTEGRATION"
COMPANY_ID_ENV = "MAESN_COMPANY_ID"
SANDBOX_COMPANY_ID = "demo-company"


def key_redactor() -> Redactor:
    """Replaces the values of MAESN_API_KEY and MAESN_ACCOUNT_KEY in anything printed."""
    values = (os.environ.get(name, "") for name in (API_KEY_ENV, ACCOUNT_KEY_ENV))
    return Redactor(Secret(value) for value in values if value)


@dataclass(kw_only=True)
class Context:
    """How one run prints: text or JSON, rich or plain live parts, keys always redacted."""

    json: bool = False
    debug: bool = False
    style: str = "auto"
    stdout: TextIO
    stderr: TextIO
    live: TextIO | None = None
    """Where the live parts go; default stderr, so stdout stays the result."""
    redact: Callable[[str], str] = field(default_factory=key_redactor)

    def out(self, line: str = "") -> None:
        """Print a line of the result on stdout (control characters escaped)."""
        print(self.redact(visible(line)), file=self.stdout, flush=True)

    def out_json(self, value: Any) -> None:
        """Print a JSON document on stdout, as one line."""
        print(self.redact(json_line(value)), file=self.stdout, flush=True)

    def err(self, line: str) -> None:
        """Print a line on stderr (control characters escaped: it stays one line)."""
        print(self.redact(visible(line)), file=self.stderr, flush=True)

    def err_block(self, text: str) -> None:
        """Print several lines on stderr (a traceback), each escaped as `err` does."""
        for line in text.splitlines():
            self.err(line)

    def display(self) -> Display:
        """Where the live status line and progress bars go (nothing in --json mode)."""
        stream = self.stderr if self.live is None else self.live
        return make_display(style=self.style, quiet=self.json, stream=stream)


def client_for(args: argparse.Namespace) -> Client:
    """The client this run's options and environment describe."""
    integration = args.integration or os.environ.get(INTEGRATION_ENV) or None
    for name in (API_KEY_ENV, ACCOUNT_KEY_ENV):
        if not os.environ.get(name, "").strip():
            raise UsageError(
                f"{name} is not set: export it before running maesn (keys are read only from "
                "the environment, never from options, so they stay out of shell history)"
            )
    return Client(
        integration=integration,
        company_id=args.company_id or os.environ.get(COMPANY_ID_ENV) or None,
        interactive_auth=args.interactive_auth,
        base_url=args.base_url,
        timeout=args.request_timeout,
        max_retries=args.max_retries,
    )


def get_task(ctx: Context, args: argparse.Namespace) -> int:
    """`maesn task get ID`: one poll, printed."""
    with client_for(args) as client:
        task = client.get_task(args.task_id, page=args.page)
    if ctx.json:
        ctx.out_json(task_json(task))
    else:
        for line in task_lines(task):
            ctx.out(line)
    return ExitCode.OK


def wait_with_status_line(
    ctx: Context,
    client: Client,
    task_id: str,
    *,
    timeout: float,
    poll_interval: float,
    max_interval: float = 30.0,
    raise_on_failure: bool = True,
    fail_on_error_information: bool = False,
    again: str | None = None,
    show_failed: bool = False,
) -> tuple[Task, WaitWatch]:
    """wait_for_task with a live status line (status, elapsed, polls) on the display.

    On Ctrl-C, the KeyboardInterrupt gets a note saying where the task stood and, with `again`,
    the command that continues. With `show_failed`, a task that failed is printed (text mode)
    before its error goes up.
    """
    watch = WaitWatch(task_id)
    try:
        with watch.shown(ctx.display()):
            task = client.wait_for_task(
                task_id,
                max_wait=timeout,
                poll_interval=poll_interval,
                max_interval=max_interval,
                on_update=watch.on_update,
                on_poll=watch.on_poll,
                raise_on_failure=raise_on_failure,
                fail_on_error_information=fail_on_error_information,
            )
    except TaskFailedError as exc:
        if show_failed and not ctx.json:
            for line in task_lines(exc.task):
                ctx.out(line)
        raise
    except KeyboardInterrupt as exc:
        where = watch.interrupted()
        exc.add_note(f"{where}; continue with: {again}" if again else where)
        raise
    return task, watch


def show_finished(ctx: Context, task: Task, watch: WaitWatch) -> None:
    if ctx.json:
        return
    ctx.out(watch.summary())
    for line in task_lines(task):
        ctx.out(line)


def command_line(args: argparse.Namespace, client: Client, *words: str) -> str:
    """`maesn WORDS...` with the client options of this run (the keys stay in the environment)."""
    parts = ["maesn", *words]
    if client.integration is not None:
        parts += ["--integration", str(client.integration)]
    if client.company_id is not None:
        parts += ["--company-id", client.company_id]
    if args.interactive_auth:
        parts.append("--interactive-auth")
    if args.base_url:
        parts += ["--base-url", args.base_url]
    return shlex.join(parts)


def wait_for_task(ctx: Context, args: argparse.Namespace) -> int:
    """`maesn task wait ID`: poll with a live status line until the task is done."""
    with client_for(args) as client:
        return wait_and_show(ctx, args, client, args.task_id)


def wait_and_show(ctx: Context, args: argparse.Namespace, client: Client, task_id: str) -> int:
    """Wait with a live status line, then print the task: `task wait`, and `--wait` after a start."""
    task, watch = wait_with_status_line(
        ctx,
        client,
        task_id,
        timeout=args.timeout,
        poll_interval=args.poll_interval,
        fail_on_error_information=args.fail_on_error_information,
        again=command_line(args, client, "task", "wait", task_id),
        show_failed=True,
    )
    if ctx.json:
        ctx.out_json(task_json(task))
    else:
        show_finished(ctx, task, watch)
    return ExitCode.OK


def ready_pages(
    ctx: Context,
    client: Client,
    task_id: str,
    *,
    start_page: int,
    timeout: float,
    poll_interval: float,
    max_interval: float = 30.0,
    again: str | None = None,
) -> Iterator[TaskPage]:
    """The export's pages from `start_page`; waits first (with a status line) while it runs.

    The answer that ends the wait carries page 1: it is not downloaded again. `again` is the
    command that continues when Ctrl-C interrupts the wait.
    """
    pages = client.iter_task_pages(task_id, start_page=start_page)
    try:
        first = next(pages, None)
    except TaskPendingError:
        finished, _ = wait_with_status_line(
            ctx,
            client,
            task_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            again=again,
        )
        pages = client.iter_task_pages(task_id, start_page=start_page, first_page=finished)
        del finished
        first = next(pages, None)
    return pages if first is None else itertools.chain([first], pages)


def save_pages(ctx: Context, file: ExportFile, pages: Iterator[TaskPage], label: str) -> int:
    """Save every page to `file` with a progress bar; returns the entries in the finished file."""
    with ctx.display().progress(label) as progress:
        for index, page in enumerate(pages):
            if index == 0:
                progress.start(
                    total_pages=page.pagination.total_pages,
                    total_entries=page.pagination.total,
                    done_entries=file.state.entries,
                )
            file.save(page)
            progress.advance(page=page.number, entries=len(page.entries))
    return file.finish()


def resume_command(args: argparse.Namespace, task_id: str, page: int) -> str:
    """The command that continues the export of `task_id` into --out at `page`.

    The state file beside --out records the integration, companyId and Interactive Authentication
    of the export (`recorded_options`), so the command names only what it does not: the base URL
    when it was given as an option.
    """
    words = ["maesn", "task", "export", task_id, "--out", str(args.out), "--start-page", str(page)]
    if args.base_url:
        words += ["--base-url", args.base_url]
    return shlex.join(words)


def recorded_options(args: argparse.Namespace) -> None:
    """Fill --integration, --company-id and --interactive-auth from the state of task ID's export.

    Resuming (`task export ID --out FILE --start-page N`) needs no option the state file beside
    FILE records for that task; one given that contradicts it is refused.
    """
    saved = ExportFile.saved(Path(args.out))
    if saved is None or saved.task_id != args.task_id:
        return
    recorded = {"--integration": saved.integration, "--company-id": saved.company_id}
    given = {"--integration": args.integration, "--company-id": args.company_id}
    for option, value in given.items():
        if value is not None and recorded[option] is not None and value != recorded[option]:
            raise UsageError(
                f"{option} {value} contradicts the export saved in {args.out}.partial, which task "
                f"{saved.task_id} was read with {option} {recorded[option]}: drop {option} (the "
                "state file supplies it), or choose another --out",
                option=option,
            )
    args.integration = args.integration or saved.integration
    args.company_id = args.company_id or saved.company_id
    args.interactive_auth = args.interactive_auth or saved.interactive_auth


def export_to_file(
    ctx: Context,
    client: Client,
    task_id: str,
    file: ExportFile,
    *,
    timeout: float,
    poll_interval: float,
    max_interval: float = 30.0,
    resume: Callable[[int], str] | None = None,
    again: str | None = None,
) -> int:
    """Wait for the export and save it to `file`; returns the entries written.

    On failure, what was saved stays in the partial file; `resume(page)` gives the command that
    continues, added to the error as a note.
    """
    try:
        pages = ready_pages(
            ctx,
            client,
            task_id,
            start_page=file.next_page,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            again=again,
        )
        return save_pages(ctx, file, pages, "export")
    except BaseException as exc:
        file.close()
        state = file.state
        if resume and state.pages_done and not isinstance(exc, TaskFailedError | UsageError):
            exc.add_note(
                f"{file.partial} keeps {pages_text(state.pages_done)} ({state.entries:,} entries); "
                f"resume with: {resume(file.next_page)}"
            )
        raise


def _same_export(args: argparse.Namespace, client: Client) -> str:
    """This `task export` command again (what continues after Ctrl-C while the export ran)."""
    start = ("--start-page", str(args.start_page)) if args.start_page else ()
    return command_line(args, client, "task", "export", args.task_id, "--out", args.out, *start)


def _exportable(client: Client) -> None:
    """`task export` reads pages: refuse an integration without them, in option terms."""
    if not client.profile.pagination:
        raise UsageError(
            f"--integration {client.profile.id or '(none)'} has no exports: `task export` saves the "
            f"pages of a {paged_integrations()} task; use `maesn task wait` or `maesn task get` "
            "for this one"
        )


def _not_an_export(args: argparse.Namespace, client: Client, exc: Exception) -> UsageError:
    """The error for a task whose first page is not an export page.

    A 400 for `page`, or a finished answer without pagination: the task is not an export of this
    integration.
    """
    reason = exc.message if isinstance(exc, ResponseValidationError) else str(exc)
    reason = reason.removeprefix("the export's pages do not add up: ")
    return UsageError(
        f"task {args.task_id!r} cannot be read as a {client.profile.id} export "
        f"({reason}): `task export` saves the pages of a finished export; check the task id "
        f"and --integration (`maesn task get {args.task_id}` shows the task)"
    )


def _export_to_stdout(ctx: Context, client: Client, args: argparse.Namespace) -> int:
    """`--out -`: every entry as a JSON line on stdout; progress and the summary on stderr."""
    pages = ready_pages(
        ctx,
        client,
        args.task_id,
        start_page=args.start_page or 1,
        timeout=args.timeout,
        poll_interval=args.poll_interval,
        again=_same_export(args, client),
    )
    entries = 0
    for page in pages:
        for entry in page.entries:
            ctx.out_json(entry)
        entries += len(page.entries)
    if not ctx.json:
        ctx.err(f"wrote {entries:,} entries of task {args.task_id} to stdout")
    return entries


def export_task(ctx: Context, args: argparse.Namespace) -> int:
    """`maesn task export ID --out FILE`: every entry to JSONL, resumable, renamed when complete."""
    if args.out != "-":
        recorded_options(args)
    with client_for(args) as client:
        _exportable(client)
        try:
            if args.out == "-":
                _export_to_stdout(ctx, client, args)
                return ExitCode.OK
            out = Path(args.out)
            state = ExportState(
                task_id=args.task_id,
                integration=client.profile.id,
                company_id=client.company_id,
                interactive_auth=args.interactive_auth,
            )
            resume = functools.partial(resume_command, args)
            file = ExportFile.open(out, state, start_page=args.start_page, resume=resume)
            entries = export_to_file(
                ctx,
                client,
                args.task_id,
                file,
                timeout=args.timeout,
                poll_interval=args.poll_interval,
                resume=lambda page: resume(args.task_id, page),
                again=_same_export(args, client),
            )
        except (BadRequestError, ResponseValidationError) as exc:
            if (args.start_page or 1) > 1:
                raise
            raise _not_an_export(args, client, exc) from exc
        except APIError as exc:
            if (args.start_page or 1) == 1:
                exc.add_note(
                    "the export failed before its first entry: nothing was saved, so run the "
                    "same command again (a later page that fails can be resumed)"
                )
            raise
    if ctx.json:
        ctx.out_json(
            {
                "taskId": args.task_id,
                "file": str(out),
                "entries": entries,
                "pages": file.state.pages_done,
            }
        )
    else:
        ctx.out(f"saved {entries:,} entries of task {args.task_id} to {out}")
    return ExitCode.OK


def list_integrations(ctx: Context, args: argparse.Namespace) -> int:
    """`maesn integrations [ID]`: the profile table, or one row (generic for an unknown id)."""
    chosen = args.integration_id
    profiles = list(PROFILES.values()) if chosen is None else [profile_for(chosen)]
    if ctx.json:
        ctx.out_json([profile_json(profile) for profile in profiles])
        return ExitCode.OK
    for index, profile in enumerate(profiles):
        if index:
            ctx.out()
        for line in profile_lines(profile):
            ctx.out(line)
    if chosen is None or not profiles[0].known:
        ctx.out()
        ctx.out(
            f"Any other id works too, with the generic rules: the client cannot check "
            f"{GENERIC_RULES_CANNOT_CHECK}."
        )
    return ExitCode.OK


@dataclass(frozen=True, kw_only=True)
class SandboxTask:
    """A task `maesn sandbox` serves, and what it shows."""

    task_id: str
    integration: Integration
    lifecycle: tuple[str, ...]
    shows: str
    information: tuple[dict[str, str], ...] | None = None
    entries: int | None = None


SANDBOX_TASKS = (
    SandboxTask(
        task_id="aba-import",
        integration=Integration.ABACONNECT,
        lifecycle=("IN_PROGRESS", "IN_PROGRESS", "FINISHED"),
        shows="FINISHED after 3 polls",
        information=({"message": "12 bookings imported into Abacus", "type": "INFO"},),
    ),
    SandboxTask(
        task_id="duo-upload",
        integration=Integration.DATEV_UNTERNEHMEN_ONLINE,
        lifecycle=("OPEN", "IN_PROGRESS", "PARTIAL_SUCCESS"),
        shows="PARTIAL_SUCCESS: `task wait` exits 1",
        information=(
            {"filename": "invoice-1001.pdf", "message": "Document uploaded", "type": "INFO"},
            {"filename": "invoice-1002.pdf", "message": "Unreadable PDF", "type": "ERROR"},
        ),
    ),
    SandboxTask(
        task_id="rewe-booking",
        integration=Integration.DATEV_REWE,
        lifecycle=("IN_PROGRESS", "IN_PROGRESS", "SUCCESS"),
        shows="SUCCESS after 3 polls",
    ),
    SandboxTask(
        task_id="rewe-rejected",
        integration=Integration.DATEV_REWE,
        lifecycle=("IN_PROGRESS", "FAILED"),
        shows="FAILED: `task wait` exits 1",
        information=({"message": "Account 99999 does not exist", "type": "ERROR"},),
    ),
    SandboxTask(
        task_id="rewe-export",
        integration=Integration.DATEV_REWE_EXPORT,
        lifecycle=("IN_PROGRESS", "IN_PROGRESS", "FINISHED"),
        shows="120,000 entries in 3 pages: try `task export`",
        entries=120_000,
    ),
    SandboxTask(
        task_id="aba-endless",
        integration=Integration.ABACONNECT,
        lifecycle=("IN_PROGRESS",),
        shows="never finishes: try `task wait --timeout 3` (exits 4)",
    ),
)


def prepare_demo_sandbox(sandbox: Sandbox) -> None:
    """What `maesn sandbox` serves: the demo tasks, the demo records, an account per integration."""
    add_demo_tasks(sandbox)
    sandbox.seed_demo()
    for integration, key in SANDBOX_ACCOUNT_KEYS.items():
        sandbox.add_account(integration, account_key=key)
        sandbox.seed_demo(account_key=key)


def add_demo_tasks(sandbox: Sandbox) -> None:
    """Declare the tasks of SANDBOX_TASKS on `sandbox` (what `maesn sandbox` serves)."""
    for task in SANDBOX_TASKS:
        sandbox.add_task(
            task.integration,
            task_id=task.task_id,
            lifecycle=task.lifecycle,
            information=task.information,
            entries=task.entries,
            company_id=SANDBOX_COMPANY_ID,
        )


SANDBOX_ACCOUNT_KEYS = {
    integration: f"sandbox-account-key-{integration.value}"
    for integration in Integration
    if integration.profile.statuses_documented
}
"""The account keys `maesn sandbox` connects, one for each integration whose task statuses are
documented (its default key is DUO's); `Sandbox.add_account` connects any other id."""

SANDBOX_STARTS = (
    (
        Integration.DATEV_UNTERNEHMEN_ONLINE,
        "files upload invoice.pdf --wait",
        "upload a file (postFileAsync) and wait for its task",
    ),
    (
        Integration.DATEV_REWE_EXPORT,
        "export start --out export.jsonl",
        "start an export of 120,000 entries and save it",
    ),
    (Integration.DATEV_UNTERNEHMEN_ONLINE, "companies", "list the companyIds"),
)
"""What `maesn sandbox` suggests for starting new tasks: (integration, command, what it does)."""


def _start_command(integration: Integration, words: str, *, interactive_auth: bool) -> str:
    needs_company = words != "companies" and not interactive_auth
    company = f" --company-id {SANDBOX_COMPANY_ID}" if needs_company else ""
    key = SANDBOX_ACCOUNT_KEYS[integration]
    return f"MAESN_ACCOUNT_KEY={key} maesn {words} --integration {integration.value}{company}"


def serve_sandbox(ctx: Context, args: argparse.Namespace) -> int:
    """`maesn sandbox`: serve the demo tasks on 127.0.0.1 until Ctrl-C."""
    from maesn.testing import Sandbox  # noqa: PLC0415 - only this command needs the server

    sandbox = Sandbox(
        port=args.port,
        interactive_auth=args.interactive_auth,
        company_ids=(SANDBOX_COMPANY_ID,),
    )
    try:
        sandbox.start()
    except OSError as exc:
        raise UsageError(
            f"cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}; pick another --port "
            "(0 picks a free one)"
        ) from exc
    with sandbox:
        prepare_demo_sandbox(sandbox)
        # The sandbox's keys are fake, made for this server: printing them is the point here.
        plain = Context(stdout=ctx.stdout, stderr=ctx.stderr, redact=str, json=ctx.json)
        _announce(plain, sandbox)
        try:
            _report_deliveries(ctx, sandbox)
        except KeyboardInterrupt:
            ctx.err("sandbox stopped")
    return ExitCode.OK


def _report_deliveries(ctx: Context, sandbox: Sandbox) -> None:
    """Print each webhook delivery once it is done (to stderr), until interrupted."""
    shown = 0

    def more_done(deliveries: list[WebhookDelivery]) -> bool:
        return sum(d.done for d in deliveries) > shown

    while True:
        try:
            done = sandbox.webhooks.deliveries.wait_until(more_done, timeout=3600)
        except TimeoutError:
            continue
        finished = [d for d in done if d.done]
        for delivery in finished[shown:]:
            events = ", ".join(
                f"{e.event_type} {e.resource} {e.resource_id}" for e in delivery.events
            )
            ctx.err(
                f"webhook {events} -> {delivery.callback_url}: {delivery.state}"
                f" ({len(delivery.attempts)} attempt{'s' if len(delivery.attempts) != 1 else ''},"
                f" last {delivery.status_code or delivery.attempts[-1].error})"
            )
        shown = len(finished)


def _announce(ctx: Context, sandbox: Sandbox) -> None:
    """Print where the sandbox serves, its keys (with each account key's integration), tasks."""
    base_url, api_key, account_key = sandbox.base_url, sandbox.api_key, sandbox.account_key
    accounts = SANDBOX_ACCOUNT_KEYS
    if ctx.json:
        ctx.out_json(
            {
                "baseUrl": base_url,
                "apiKey": api_key,
                "accountKey": account_key,
                "accountKeyIntegration": str(sandbox.integration),
                "companyId": SANDBOX_COMPANY_ID,
                "interactiveAuth": sandbox.interactive_auth,
                "tasks": [
                    {
                        "taskId": task.task_id,
                        "integration": str(task.integration),
                        "lifecycle": list(task.lifecycle),
                        "shows": task.shows,
                    }
                    for task in SANDBOX_TASKS
                ],
                "accounts": [
                    {"integration": str(integration), "accountKey": key}
                    for integration, key in SANDBOX_ACCOUNT_KEYS.items()
                ],
                "webhooks": {
                    "subscribe": f"POST {base_url}/webhooks",
                    "delivers": "a signed event to the callbackUrl on every create, update "
                    "and delete of the subscribed resource",
                },
                "start": [
                    {
                        "command": _start_command(
                            integration, words, interactive_auth=sandbox.interactive_auth
                        ),
                        "does": does,
                    }
                    for integration, words, does in SANDBOX_STARTS
                ],
            }
        )
        return
    company_line = (
        "  (Interactive Authentication: no companyId needed; pass --interactive-auth, "
        "or interactive_auth=True to the client)"
        if sandbox.interactive_auth
        else f"  export MAESN_COMPANY_ID={SANDBOX_COMPANY_ID}"
    )
    default = str(sandbox.integration)
    lines = [
        f"Maesn sandbox serving on {base_url} (Ctrl-C stops it)",
        "",
        "In another shell, point maesn (or your code) at it; these keys are fake:",
        f"  export MAESN_BASE_URL={base_url}",
        f"  export MAESN_API_KEY={api_key}  # the same for every integration",
        f"  export MAESN_ACCOUNT_KEY={account_key}  # belongs to {default}",
        company_line,
        "",
        "Tasks (each poll moves a task one status on; the last status stays):",
        *(
            f"  {task.task_id:<14} --integration {task.integration!s:<25} {task.shows}"
            for task in SANDBOX_TASKS
        ),
        "",
        "For example:",
        "  maesn task wait aba-import --integration abaconnect --poll-interval 0.5",
        "  maesn task export rewe-export --integration datev-rewe-export --out export.jsonl",
        "",
        "Each account key belongs to one integration: calls made with it (starting tasks,",
        "reading data) follow that integration's rules, whatever --integration says (the demo",
        "tasks above follow their own). The account keys:",
        *(
            f"  {integration!s:<25} {key}"
            for integration, key in [(sandbox.integration, account_key), *accounts.items()]
        ),
        "",
        "Start new tasks:",
        *(
            f"  {_start_command(integration, words, interactive_auth=sandbox.interactive_auth)}"
            for integration, words, _ in SANDBOX_STARTS
        ),
        "or from Python: client.accounting.post_file_async(body=...) returns a TaskHandle.",
        "",
        "Every other operation is served too, with records kept per account key and company",
        "(demo invoices, customers, suppliers, accounts and tax rates to start with):",
        "  client.accounting.get_invoices(), client.accounting.create_customer(body=...)",
        "",
        f"Webhooks: POST {base_url}/webhooks with a callbackUrl (client.webhooks.create_webhook)",
        "answers the secret; each create, update or delete of the subscribed resource then POSTs",
        "a signed event (X-MAESN-SIGNATURE) to that URL. Deliveries are printed below.",
    ]
    for line in lines:
        ctx.out(line)
