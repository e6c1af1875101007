"""The commands that get a task id or a companyId: `companies`, `files upload`, `export start`.

They call the API through the client's resources (`client.companies()`,
`client.accounting.post_file_async(...)`, `client.accounting.as_task.get_journal_entries()`), so keys,
retries (GETs only: an upload is never sent twice), errors and redaction are the library's.
"""

from __future__ import annotations

import argparse
import functools
import io
import mimetypes
from pathlib import Path
from typing import Any

from maesn._handles import TaskHandle
from maesn._profiles import PROFILES

from ._commands import (
    Context,
    client_for,
    export_task,
    resume_command,
    wait_and_show,
)
from ._exit import ExitCode, UsageError
from ._export_file import ExportFile

__all__ = ["list_companies", "start_export", "upload_file"]


def list_companies(ctx: Context, args: argparse.Namespace) -> int:
    """`maesn companies`: the companyIds the account key can reach (GET /auth/companies)."""
    with client_for(args) as client:
        companies = client.companies()
    if ctx.json:
        ctx.out_json([company.to_dict() for company in companies])
        return ExitCode.OK
    for company in companies:
        name = company.name if isinstance(company.name, str) else ""
        ctx.out(f"{company.id}  {name}".rstrip())
    if not companies:
        ctx.err("no companies: the account key reaches none (check MAESN_ACCOUNT_KEY)")
    return ExitCode.OK


def _started(ctx: Context, handle: TaskHandle, what: str) -> None:
    """Say which task started: the id alone on stdout (for scripts), the context on stderr."""
    if not ctx.json:
        ctx.err(f"started {what}: task {handle.task_id}")


def _read_file(path: str) -> tuple[bytes, str]:
    if path == "-":
        raise UsageError("files upload needs a FILE path (the name is sent to Maesn), not -")
    file = Path(path)
    return file.read_bytes(), file.name


def upload_file(ctx: Context, args: argparse.Namespace) -> int:
    """`maesn files upload FILE`: postFileAsync (DATEV Unternehmen Online), prints the task id."""
    from maesn_api.models import PostFileAsyncBody  # noqa: PLC0415 - models load at first use
    from maesn_api.types import UNSET, File  # noqa: PLC0415

    content, name = _read_file(args.file)
    body = PostFileAsyncBody(
        file=File(
            payload=io.BytesIO(content),
            file_name=name,
            mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        ),
        document_type=args.document_type or UNSET,
        note=args.note or UNSET,
    )
    with client_for(args) as client:
        started: Any = client.accounting.post_file_async(body=body)
        if not isinstance(started, TaskHandle):
            ctx.out_json(started.to_dict()) if ctx.json else ctx.out(f"uploaded: {started!r}")
            return ExitCode.OK
        _started(ctx, started, f"upload of {name} ({len(content):,} bytes)")
        if args.wait:
            return wait_and_show(ctx, args, client, started.task_id)
    if ctx.json:
        ctx.out_json({"taskId": started.task_id, "companyId": started.company_id})
    else:
        ctx.out(started.task_id)
    return ExitCode.OK


def _reads_start_tasks() -> str:
    return ", ".join(p.id for p in PROFILES.values() if p.reads_start_tasks)


def start_export(ctx: Context, args: argparse.Namespace) -> int:
    """`maesn export start`: a read that runs as an export task; --wait, or --out FILE saves it.

    With --out FILE holding the saved pages of an earlier export, nothing is started: the error
    names the `task export` command that resumes them.
    """
    if args.out is not None and args.out != "-":
        ExportFile.refuse_to_replace(
            Path(args.out),
            resume=functools.partial(resume_command, args),
            instead=f"delete {args.out}.partial and {args.out}.partial.json (or choose another "
            "--out) to start a new export",
        )
    with client_for(args) as client:
        if not client.profile.reads_start_tasks:
            raise UsageError(
                f"--integration {client.profile.id or '(none)'} does not run reads as exports: "
                f"`export start` is for {_reads_start_tasks()}"
            )
        started: Any = client.accounting.as_task.get_journal_entries()
        if not isinstance(started, TaskHandle):
            raise UsageError(
                "the read answered with data instead of a task id: nothing to export "
                "(check --integration)"
            )
        _started(ctx, started, "export of the journal entries")
        if args.out is None and args.wait:
            return wait_and_show(ctx, args, client, started.task_id)
    if args.out is not None:
        args.task_id, args.start_page = started.task_id, None
        return export_task(ctx, args)
    if ctx.json:
        ctx.out_json({"taskId": started.task_id, "companyId": started.company_id})
    else:
        ctx.out(started.task_id)
    return ExitCode.OK
