"""A resumable JSONL export file: it appears under its name only when every page is saved.

For `--out FILE.jsonl`, two files stand beside it while the export runs:

- `FILE.jsonl.partial`: the entries of the pages saved so far, one JSON document a line;
- `FILE.jsonl.partial.json`: the state: task id, the options the task is read with (integration,
  companyId, Interactive Authentication), pages done, entries and bytes saved, and the export's
  `perPage`, `total` and `totalPages` as Maesn reported them.

A page is appended, flushed and fsynced before the state records it, so the state never claims a
page the partial file lacks. When the last page is saved, the partial file is renamed to
`FILE.jsonl` (atomic within a directory) and the state removed: a failed export never leaves a
file that looks complete. `--start-page N` resumes: the state must say N-1 pages are done, bytes
beyond the recorded size (a page cut short by a crash) are cut off, and the partial file must
hold exactly (N-1) x perPage lines; every later page is appended, so no entry is written twice.
A new export never replaces saved pages: it stops with a `PartialExportError` naming the command
that resumes them (`Resume`), before anything is started.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO, Self

from maesn._exceptions import IncompleteExportError
from maesn._models import TaskPage

from ._exit import UsageError

__all__ = [
    "STATE_FORMAT",
    "ExportFile",
    "ExportState",
    "PartialExportError",
    "Resume",
    "pages_text",
]

STATE_FORMAT = "maesn-export-state/1"
_CHUNK = 1 << 20

Resume = Callable[[str, int], str]
"""(task id, page) -> the command line that resumes that task's export at that page."""


def _start_page_option(_task_id: str, page: int) -> str:
    return f"--start-page {page}"


class PartialExportError(UsageError):
    """--out holds saved pages of an export that a new export would replace (exit 2).

    Nothing was started or written; `resume_command` continues the saved export.
    """

    def __init__(
        self, message: str, *, task_id: str, resume_page: int, resume_command: str
    ) -> None:
        super().__init__(message)
        self.task_id = task_id
        """The task whose pages are saved."""
        self.resume_page = resume_page
        """The page to resume at (pages before it are saved)."""
        self.resume_command = resume_command
        """The `maesn task export ... --start-page N` command that continues the export."""


@dataclass(kw_only=True)
class ExportState:
    """What the state file records about a partial export."""

    format: str = STATE_FORMAT
    task_id: str
    integration: str
    company_id: str | None = None
    interactive_auth: bool = False
    pages_done: int = 0
    entries: int = 0
    bytes: int = 0
    per_page: int | None = None
    total: int | None = None
    total_pages: int | None = None

    @classmethod
    def load(cls, path: Path) -> ExportState:
        """Read a state file; UsageError when it is not one this version wrote."""
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
            state = cls(**data) if isinstance(data, dict) else None
        except (ValueError, TypeError) as exc:
            state, problem = None, str(exc)
        else:
            problem = "not an export state" if state is None else f"format {state.format!r}"
        if state is None or state.format != STATE_FORMAT:
            raise UsageError(
                f"{path} is not an export state this version wrote ({problem}): delete it and "
                "the .partial file beside it, then export again without --start-page"
            )
        return state

    def write(self, path: Path) -> None:
        """Replace the state file atomically."""
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(asdict(self)), encoding="utf-8")
        temporary.replace(path)


def _check_saved_lines(handle: BinaryIO, partial: Path, state: ExportState) -> None:
    """Cut off what the state does not record, then demand exactly its pages' lines."""
    handle.truncate(state.bytes)
    handle.seek(0)
    lines = 0
    while chunk := handle.read(_CHUNK):
        lines += chunk.count(b"\n")
    expected = state.pages_done * (state.per_page or 0)
    if lines != expected or lines != state.entries:
        raise UsageError(
            f"{partial} holds {lines:,} lines, but {state.pages_done} pages of "
            f"{state.per_page or 0:,} entries make {expected:,}: it was changed; pass "
            "--start-page 1 to start over"
        )


class ExportFile:
    """The partial file and its state for one `--out` path; see the module docstring."""

    def __init__(self, out: Path, handle: BinaryIO, state: ExportState) -> None:
        self.out = out
        self.partial = partial_path(out)
        self.state_path = state_path(out)
        self.state = state
        self._handle = handle

    @property
    def next_page(self) -> int:
        """The page to fetch next, and to pass as --start-page to resume."""
        return self.state.pages_done + 1

    @classmethod
    def open(
        cls,
        out: Path,
        state: ExportState,
        *,
        start_page: int | None,
        resume: Resume = _start_page_option,
    ) -> Self:
        """Start a new export (no --start-page, or 1) or resume one (--start-page N > 1).

        `state` describes the export (task id and the options it is read with); `resume` gives the
        command an error names to resume the pages saved at `out` (default: the option alone).
        """
        _check_out(out)
        if start_page is None or start_page == 1:
            if start_page is None:
                cls.refuse_to_replace(
                    out, resume=resume, instead="pass --start-page 1 to start over"
                )
            return cls._start(out, state)
        return cls._resume(out, state, start_page=start_page, resume=resume)

    @staticmethod
    def saved(out: Path) -> ExportState | None:
        """The state of a partial export at `out` holding at least one page, or None."""
        state_file = state_path(out)
        if not state_file.exists():
            return None
        saved = ExportState.load(state_file)
        return saved if saved.pages_done > 0 else None

    @classmethod
    def refuse_to_replace(cls, out: Path, *, resume: Resume, instead: str) -> None:
        """Raise PartialExportError when `out` holds saved pages (a new export would drop them).

        `instead` says how to start a new export anyway.
        """
        _check_out(out)
        saved = cls.saved(out)
        if saved is not None:
            raise _saved_pages(partial_path(out), saved, resume, instead=instead)

    @classmethod
    def _start(cls, out: Path, state: ExportState) -> Self:
        handle = partial_path(out).open("wb")
        state.write(state_path(out))
        return cls(out, handle, state)

    @classmethod
    def _resume(cls, out: Path, asked: ExportState, *, start_page: int, resume: Resume) -> Self:
        partial, state_file = partial_path(out), state_path(out)
        if not (partial.exists() and state_file.exists()):
            raise UsageError(
                f"nothing to resume: {partial} and its state {state_file.name} are not both "
                "there; export again without --start-page"
            )
        state = ExportState.load(state_file)
        if state.task_id != asked.task_id:
            raise UsageError(
                f"{partial} belongs to task {state.task_id}, not {asked.task_id}: choose another "
                "--out, or pass --start-page 1 to start over"
            )
        if state.pages_done != start_page - 1:
            raise _saved_pages(
                partial,
                state,
                resume,
                instead=f"pass --start-page 1 to start over (not --start-page {start_page})",
            )
        handle = partial.open("r+b")
        try:
            _check_saved_lines(handle, partial, state)
        except BaseException:
            handle.close()
            raise
        handle.seek(0, os.SEEK_END)
        return cls(out, handle, state)

    def save(self, page: TaskPage) -> None:
        """Append a page's entries, then record the page in the state."""
        state = self.state
        totals = (page.pagination.per_page, page.pagination.total, page.pagination.total_pages)
        if state.per_page is None:
            state.per_page, state.total, state.total_pages = totals
        elif totals != (state.per_page, state.total, state.total_pages):
            raise IncompleteExportError(
                f"the export of task {state.task_id} changed since {self.partial} was written "
                f"(perPage, total, totalPages were {state.per_page}, {state.total}, "
                f"{state.total_pages}; now {', '.join(map(str, totals))}): pass --start-page 1 to "
                "start over",
                resume_page=1,
                entries_yielded=0,
            )
        if page.number != self.next_page:
            raise IncompleteExportError(
                f"got page {page.number} while page {self.next_page} was due: pass --start-page "
                f"{self.next_page} to resume",
                resume_page=self.next_page,
                entries_yielded=state.entries,
            )
        data = b"".join(
            json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            for entry in page.entries
        )
        self._handle.write(data)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        state.pages_done += 1
        state.entries += len(page.entries)
        state.bytes += len(data)
        state.write(self.state_path)

    def finish(self) -> int:
        """Rename the complete partial file to its final name; returns the entries written."""
        self._handle.close()
        if self.state.entries != self.state.total:
            raise IncompleteExportError(
                f"{self.partial} holds {self.state.entries:,} entries, the export has "
                f"{self.state.total}: pass --start-page 1 to start over",
                resume_page=1,
                entries_yielded=self.state.entries,
            )
        self.partial.replace(self.out)
        self.state_path.unlink()
        return self.state.entries

    def close(self) -> None:
        """Stop writing and keep what was saved; without any saved page, remove both files."""
        self._handle.close()
        if self.state.pages_done == 0:
            self.partial.unlink(missing_ok=True)
            self.state_path.unlink(missing_ok=True)


def _saved_pages(
    partial: Path, saved: ExportState, resume: Resume, *, instead: str
) -> PartialExportError:
    """The error for pages saved in `partial` that the command would not continue."""
    page = saved.pages_done + 1
    command = resume(saved.task_id, page)
    return PartialExportError(
        f"{partial} holds {pages_text(saved.pages_done)} of task {saved.task_id}: resume with "
        f"`{command}`, or {instead}",
        task_id=saved.task_id,
        resume_page=page,
        resume_command=command,
    )


def pages_text(pages: int) -> str:
    """`page 1` or `pages 1-N`."""
    return "page 1" if pages == 1 else f"pages 1-{pages}"


def partial_path(out: Path) -> Path:
    """Where the entries go until the export is complete."""
    return out.with_name(out.name + ".partial")


def state_path(out: Path) -> Path:
    """Where the partial export's state is kept."""
    return out.with_name(out.name + ".partial.json")


def _check_out(out: Path) -> None:
    if out.is_dir():
        raise UsageError(f"--out {out} is a directory: give a file name, e.g. {out}/export.jsonl")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: the directory {out.parent} does not exist; create it first")
