"""`maesn demo`: the client against an in-process sandbox, one behaviour a step, in seconds.

Each step starts a task through `maesn.Client` exactly as user code would (an upload, a booking
batch, an export read: `client.accounting.<operation>(...)` returns a TaskHandle), waits for it,
and prints what happened and why it matters. The sandbox connects one account key an
integration and is told (`Sandbox.on_start`) how the next task it starts behaves. Polls are
0.05-0.2 s apart and the sandbox moves a task one status a poll, so the walk takes seconds.
The last step is a webhook round trip: a receiver on 127.0.0.1 in this process gets the signed
event the sandbox sends when an invoice is created, verifies it and fetches the invoice.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from maesn._client import Client
from maesn._exceptions import (
    TaskPartiallySucceededError,
    ValidationError,
    WebhookVerificationError,
)
from maesn._handles import TaskHandle
from maesn._profiles import Integration
from maesn._webhooks import WEBHOOK_SIGNATURE_HEADER, verify_webhook
from maesn.testing import Fault, Sandbox

from ._commands import Context, export_to_file, wait_with_status_line
from ._exit import ExitCode
from ._export_file import ExportFile, ExportState
from ._render import status_text, task_lines

__all__ = ["run_demo"]

_STEPS = 6
_COMPANY = "demo-company"
_EXPORT_ENTRIES = 120_000
_EXPORT_FILE = "datev-rewe-export.jsonl"
_FAST: dict[str, Any] = {"poll_interval": 0.05, "max_interval": 0.2, "timeout": 30.0}


class _Receiver(ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1: keeps the first delivery's raw body and signature."""

    daemon_threads = True

    def __init__(self) -> None:
        self.body = b""
        self.signature: str | None = None
        self.received = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if not receiver.received.is_set():
                    receiver.body = self.rfile.read(length)  # the raw bytes, before any parsing
                    receiver.signature = self.headers.get(WEBHOOK_SIGNATURE_HEADER)
                    receiver.received.set()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's
                """Quiet: the demo prints what arrived."""

        super().__init__(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/maesn/webhooks"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()


class _Demo:
    """Prints each step as it runs; with --json, collects them into one document instead."""

    def __init__(self, ctx: Context, sandbox: Sandbox) -> None:
        self.ctx = ctx
        self.sandbox = sandbox
        self.step = 0
        self.steps: list[dict[str, Any]] = []
        self.accounts = {i: sandbox.add_account(i) for i in Integration}

    def client(self, integration: Integration, *, company_id: str | None = None) -> Client:
        return Client(
            integration=integration,
            company_id=company_id,
            api_key=self.sandbox.api_key,
            account_key=self.accounts[integration],
            base_url=self.sandbox.base_url,
        )

    def started(self, handle: object, call: str) -> TaskHandle:
        """The handle a call returned, shown with the call that started it."""
        if not isinstance(handle, TaskHandle):  # pragma: no cover - the sandbox starts a task
            raise TypeError(f"{call} returned {handle!r}, not a TaskHandle")
        self.show(f"{call} -> TaskHandle(task_id={handle.task_id!r})")
        return handle

    def heading(self, title: str, *explanation: str) -> None:
        self.step += 1
        self.steps.append(
            {"step": self.step, "title": title, "explanation": list(explanation), "shown": []}
        )
        if self.ctx.json:
            return
        self.ctx.out()
        self.ctx.out(f"Step {self.step}/{_STEPS}  {title}")
        for line in explanation:
            self.ctx.out(f"  {line}")

    def show(self, *lines: str) -> None:
        self.steps[-1]["shown"] += [line.strip() for line in lines]
        if self.ctx.json:
            return
        for line in lines:
            self.ctx.out(f"  {line}")

    def abaconnect(self) -> None:
        self.heading(
            "AbaConnect: wait for a task until FINISHED",
            "AbaConnect reports IN_PROGRESS, then FINISHED. FINISHED means done, not succeeded:",
            "the outcome is in `information`, so the client calls it 'completed'.",
        )
        self.sandbox.on_start(
            lifecycle=["IN_PROGRESS", "IN_PROGRESS", "FINISHED"],
            information=[{"message": "12 bookings imported into Abacus", "type": "INFO"}],
            response_data={"imported": 12, "skipped": 0},
        )
        with self.client(Integration.ABACONNECT) as client:
            handle = self.started(
                client.accounting.create_journal_entries(body=_booking_batch()),
                "client.accounting.create_journal_entries(body=...)",
            )
            task, watch = wait_with_status_line(self.ctx, client, handle.task_id, **_FAST)
        self.show(watch.summary(), *task_lines(task)[1:])

    def duo_partial(self) -> None:
        self.heading(
            "DATEV Unternehmen Online: an upload ends PARTIAL_SUCCESS",
            "DUO goes OPEN -> IN_PROGRESS -> PARTIAL_SUCCESS when some documents were rejected.",
            "wait_for_task raises TaskPartiallySucceededError, carrying the task and its",
            "information (or returns it with raise_on_failure=False).",
        )
        self.sandbox.on_start(
            "post_file_async",
            lifecycle=["OPEN", "IN_PROGRESS", "PARTIAL_SUCCESS"],
            information=[
                {"filename": "invoice-1001.pdf", "message": "Document uploaded", "type": "INFO"},
                {"filename": "invoice-1002.pdf", "message": "Document uploaded", "type": "INFO"},
                {"filename": "invoice-1003.pdf", "message": "Unreadable PDF", "type": "ERROR"},
            ],
        )
        with self.client(Integration.DATEV_UNTERNEHMEN_ONLINE, company_id=_COMPANY) as client:
            handle = self.started(
                client.accounting.post_file_async(body=_upload()),
                "client.accounting.post_file_async(body=...)",
            )
            try:
                wait_with_status_line(self.ctx, client, handle.task_id, **_FAST)
            except TaskPartiallySucceededError as exc:
                self.show(f"raised {type(exc).__name__}; exc.task is:", *task_lines(exc.task)[1:])
            else:  # pragma: no cover - the sandbox's lifecycle ends PARTIAL_SUCCESS
                raise AssertionError("the DUO task did not end PARTIAL_SUCCESS")

    def rewe_company_id(self) -> None:
        self.heading(
            "DATEV Rechnungswesen: companyId is checked before anything is sent",
            "DATEV needs a companyId unless the account uses the Interactive Authentication Flow.",
        )
        self.sandbox.on_start(
            "create_journal_entries",
            lifecycle=["IN_PROGRESS", "SUCCESS"],
            information=[{"message": "Booking batch 2026-01 accepted", "type": "INFO"}],
        )
        before = len(self.sandbox.requests)
        with self.client(Integration.DATEV_REWE) as client:
            try:
                client.accounting.create_journal_entries(body=_booking_batch())
            except ValidationError as exc:
                self.show(f"without companyId: {type(exc).__name__}: {exc}")
        received = len(self.sandbox.requests) - before
        self.show(f"requests the sandbox received for this booking: {received}")
        with self.client(Integration.DATEV_REWE, company_id=_COMPANY) as client:
            handle = self.started(
                client.accounting.create_journal_entries(body=_booking_batch()),
                f"with company_id={_COMPANY!r}: client.accounting.create_journal_entries(...)",
            )
            _, watch = wait_with_status_line(self.ctx, client, handle.task_id, **_FAST)
        self.show(watch.summary())

    def rate_limit(self) -> None:
        self.heading(
            "A 429 Too Many Requests is retried after its Retry-After",
            "The sandbox answers the next poll with 429 and `Retry-After: 1`; the client waits",
            "the second Maesn asked for, then polls again, inside one handle.get() call.",
        )
        self.sandbox.on_start("create_journal_entries", lifecycle=["SUCCESS"])
        with self.client(Integration.DATEV_REWE, company_id=_COMPANY) as client:
            handle = self.started(
                client.accounting.create_journal_entries(body=_booking_batch()),
                "client.accounting.create_journal_entries(body=...)",
            )
            task_id = handle.task_id
            self.sandbox.inject(Fault.rate_limit(retry_after=1), task_id=task_id)
            started = time.monotonic()
            task = handle.get()
            took = time.monotonic() - started
        answers = ", ".join(
            f"{request.status}" + (f" ({request.fault})" if request.fault else "")
            for request in self.sandbox.requests.filter(task_id=task_id)
        )
        self.show(
            f"the sandbox answered: {answers}",
            f"handle.get() returned {status_text(task.status)} after {took:.1f}s",
        )

    def export(self, out_dir: Path) -> None:
        self.heading(
            f"DATEV Rechnungswesen export: {_EXPORT_ENTRIES:,} entries over 3 pages",
            "A read of datev-rewe-export runs as a task: it answers a task id. Wait for the export,",
            "then page through it (pages are fixed at 50,000 entries) and save every entry once",
            "to JSONL; the file gets its name only when complete.",
        )
        self.sandbox.on_start(
            "get_journal_entries",
            entries=_EXPORT_ENTRIES,
            lifecycle=["IN_PROGRESS", "IN_PROGRESS", "FINISHED"],
        )
        out = out_dir / _EXPORT_FILE
        with self.client(Integration.DATEV_REWE_EXPORT, company_id=_COMPANY) as client:
            task_id = self.started(
                client.accounting.as_task.get_journal_entries(),
                "client.accounting.as_task.get_journal_entries()",
            ).task_id
            state = ExportState(task_id=task_id, integration=client.profile.id)
            file = ExportFile.open(out, state, start_page=1)  # the demo's own file: start over
            entries = export_to_file(self.ctx, client, task_id, file, **_FAST)
        with out.open("rb") as handle:
            indexes = [json.loads(line)["index"] for line in handle]
        in_order = indexes == list(range(_EXPORT_ENTRIES))
        self.show(
            f"saved {entries:,} entries in {file.state.pages_done} pages to {out}",
            f"the file has {len(indexes):,} lines; entries 0 to {_EXPORT_ENTRIES - 1:,} each "
            f"once, in order: {'yes' if in_order else 'NO'}",
        )

    def webhook(self) -> None:
        self.heading(
            "Webhooks: subscribe, create an invoice, receive the signed event, fetch the invoice",
            "Creating a webhook answers its secret. A change then POSTs an event to the callback",
            "URL, signed in X-MAESN-SIGNATURE; verify_webhook checks it against the raw body",
            "before parsing, and event.fetch(client) reads the record the event names.",
        )
        from maesn_api.models import (  # noqa: PLC0415 - models load at first use
            CreateAccountingWebhookRequestDto,
        )

        with _Receiver() as receiver, self.client(Integration.ABACONNECT) as client:
            webhook = client.webhooks.create_webhook(
                body=CreateAccountingWebhookRequestDto(
                    callback_url=receiver.url, resource="INVOICE"
                )
            )
            secret = str(webhook.secret)
            self.show(
                "client.webhooks.create_webhook(body=...) -> a secret of "
                f"{len(secret)} hex characters, expires {webhook.expires_date}"
            )
            invoice = client.accounting.create_invoice(body=_invoice())
            self.show(f"client.accounting.create_invoice(body=...) -> {invoice.invoice_id}")
            if not receiver.received.wait(timeout=30):  # pragma: no cover - delivered at once
                raise AssertionError("the sandbox delivered no webhook event")
            self.show(f"the receiver got POST {receiver.url} with {WEBHOOK_SIGNATURE_HEADER}")
            (event,) = verify_webhook(receiver.body, receiver.signature, secret)
            self.show(
                f"verify_webhook(...) -> {event.event_type} {event.resource} {event.resource_id}"
            )
            try:
                verify_webhook(
                    receiver.body.replace(b"CREATED", b"DELETED"), receiver.signature, secret
                )
            except WebhookVerificationError as exc:
                self.show(f"the same body tampered with: {type(exc).__name__} ({exc.reason})")
            fetched = event.fetch(client)
            self.show(f"event.fetch(client) -> invoice {fetched.invoice_number} ({fetched.name})")


def _booking_batch() -> Any:
    """A (small) batch of journal entries, as the generated model of the request body."""
    from maesn_api.models import (  # noqa: PLC0415 - models load at first use
        CreateJournalEntriesByBatchMetaDataDto,
        CreateJournalEntryRequestDto,
    )

    return CreateJournalEntriesByBatchMetaDataDto(
        account_number_length=4,
        chart_of_account="SKR03",
        fiscal_year_start_date="2026-01-01",
        entries=[CreateJournalEntryRequestDto(description="Office supplies", number="2026-01-1")],
    )


def _invoice() -> Any:
    """A new invoice, as the generated model of createInvoice's body."""
    from maesn_api.models import (  # noqa: PLC0415 - models load at first use
        CreateInvoiceRequestDto,
        CreateLineItemRequestDto,
    )

    return CreateInvoiceRequestDto(
        invoice_date="2026-02-01",
        invoice_number="RE-2026-0042",
        name="Webhook demo",
        line_items=[
            CreateLineItemRequestDto.from_dict({"description": "Consulting", "quantity": 1})
        ],
    )


def _upload() -> Any:
    """Three invoices' upload body (postFileAsync is one file a call; the demo sends one)."""
    from maesn_api.models import PostFileAsyncBody  # noqa: PLC0415 - models load at first use
    from maesn_api.types import File  # noqa: PLC0415

    pdf = io.BytesIO(b"%PDF-1.7 demo invoice")
    return PostFileAsyncBody(
        file=File(payload=pdf, file_name="invoice-1001.pdf", mime_type="application/pdf"),
        document_type="Rechnungseingang",
    )


def run_demo(ctx: Context, args: argparse.Namespace) -> int:
    """`maesn demo`: six steps against a sandbox started in this process."""
    started = time.monotonic()
    # A walk-through reads top to bottom: its status lines and progress bars go to stdout too.
    ctx = dataclasses.replace(ctx, live=ctx.stdout)
    out_dir = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="maesn-demo-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    # The sandbox's keys are made for it and fake: the demo's clients use them, not the env's.
    with Sandbox() as sandbox:
        if not ctx.json:
            ctx.out(
                f"maesn demo: a local Maesn sandbox runs on {sandbox.base_url} "
                "(no keys, no network)"
            )
        demo = _Demo(ctx, sandbox)
        demo.abaconnect()
        demo.duo_partial()
        demo.rewe_company_id()
        demo.rate_limit()
        demo.export(out_dir)
        demo.webhook()
        base_url = sandbox.base_url
    seconds = time.monotonic() - started
    if ctx.json:
        ctx.out_json(
            {
                "sandbox": base_url,
                "steps": demo.steps,
                "exportFile": str(out_dir / _EXPORT_FILE),
                "seconds": round(seconds, 1),
            }
        )
        return ExitCode.OK
    ctx.out()
    ctx.out(f"Demo finished in {seconds:.1f}s.")
    return ExitCode.OK
