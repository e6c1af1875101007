"""What the command line shows: tasks, the profile table, and the live parts (status, progress).

Text and JSON are built here from `maesn.Task` and the profile table. The live parts come in two
styles with one interface: `RichDisplay` (a live status line and a progress bar, when the optional
`rich` is installed and stderr is a terminal) and `PlainDisplay` (one line per change, or nothing).
`rich` is imported only inside `make_display`, so the library never pulls it in.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from maesn._profile_text import describe, numbered_sources
from maesn._status import TaskStatus

if TYPE_CHECKING:  # annotations only: `maesn --help` imports this module through _exit
    from maesn._models import Pagination, Task, TaskInformation
    from maesn._profiles import IntegrationProfile
    from maesn._webhooks import WebhookEvent

__all__ = [
    "Display",
    "PlainDisplay",
    "ProgressView",
    "RichDisplay",
    "StatusView",
    "event_line",
    "json_line",
    "make_display",
    "profile_json",
    "profile_lines",
    "response_data_summary",
    "task_json",
    "task_lines",
    "visible",
]

_SHOWN_KEYS = 8
_SHOWN_TEXT = 60


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""C0 and C1 controls (ESC, CSI, BEL, CR, LF...) and the Unicode line separators."""
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029]")
"""What json.dumps(ensure_ascii=False) leaves raw that a terminal would still act on."""


def visible(text: str) -> str:
    """`text` with every control character shown as its Python escape (ESC as backslash-x1b).

    Server-supplied text (statuses, messages, warnings) printed this way can neither drive the
    terminal (clear the screen, set the window title) nor start a line of its own.
    """
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


def json_line(value: Any) -> str:
    """`value` as one line of JSON that is safe on a terminal (C1 controls as JSON escapes)."""
    text = json.dumps(value, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def status_text(status: TaskStatus | str) -> str:
    """A status as Maesn spells it (a raw string for a value the spec does not list)."""
    return status.value if isinstance(status, TaskStatus) else status


def response_data_summary(value: Any) -> str:
    """`responseData` in a few words: its shape and size, never its whole content."""
    if value is None:
        return "none"
    if isinstance(value, list):
        return f"a list of {len(value):,} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        if not value:
            return "an empty object"
        keys = ", ".join(list(value)[:_SHOWN_KEYS])
        more = f" (+{len(value) - _SHOWN_KEYS} more)" if len(value) > _SHOWN_KEYS else ""
        return f"an object with {keys}{more}"
    if isinstance(value, str):
        shown = value if len(value) <= _SHOWN_TEXT else value[:_SHOWN_TEXT] + "..."
        return f"a string {shown!r}"
    return json.dumps(value)


def _information_json(info: TaskInformation) -> dict[str, str | None]:
    return {
        "message": info.message,
        "type": info.type,
        "filename": info.filename,
        "timestamp": info.timestamp,
    }


def _pagination_json(pagination: Pagination | None) -> dict[str, int] | None:
    if pagination is None:
        return None
    return {
        "total": pagination.total,
        "perPage": pagination.per_page,
        "currentPage": pagination.current_page,
        "totalPages": pagination.total_pages,
    }


def task_json(task: Task) -> dict[str, Any]:
    """A task as JSON: Maesn's field names, the outcome for its integration, responseData whole."""
    return {
        "taskId": task.task_id,
        "integration": task.profile.id or None,
        "status": status_text(task.status),
        "outcome": None if task.outcome is None else task.outcome.value,
        "isDone": task.is_done,
        "succeeded": task.succeeded,
        "information": [_information_json(info) for info in task.information],
        "warnings": list(task.warnings),
        "pagination": _pagination_json(task.pagination),
        "responseDataSummary": response_data_summary(task.response_data),
        "responseData": task.response_data,
    }


def _information_line(info: TaskInformation) -> str:
    where = ", ".join(part for part in (info.filename, info.timestamp) if part)
    kind = f"[{info.type}] " if info.type else ""
    return f"{kind}{info.message or '(no message)'}" + (f"  ({where})" if where else "")


def _field_lines(label: str, values: list[str]) -> list[str]:
    head = f"  {label:<13}"
    if not values:
        return [f"{head}none"]
    return [
        f"{head if index == 0 else ' ' * len(head)}{value}" for index, value in enumerate(values)
    ]


def task_lines(task: Task) -> list[str]:
    """A task as text: status and outcome, information, warnings, pagination, responseData."""
    outcome = "not defined for this integration" if task.outcome is None else task.outcome.value
    pagination = task.pagination
    pages = (
        []
        if pagination is None
        else [
            (
                f"page {pagination.current_page} of {pagination.total_pages} "
                f"({pagination.total:,} entries, {pagination.per_page:,} a page)"
            )
        ]
    )
    return [
        f"task {task.task_id}  {task.profile.name} ({task.profile.id or 'no integration'})",
        f"  {'status':<13}{status_text(task.status)} ({outcome})",
        *_field_lines("information", [_information_line(info) for info in task.information]),
        *_field_lines("warnings", list(task.warnings)),
        *_field_lines("pagination", pages),
        f"  {'responseData':<13}{response_data_summary(task.response_data)}",
    ]


def event_line(event: WebhookEvent) -> str:
    """One webhook event on one line: eventType, resource, resourceId, filterDate, extra keys."""
    parts = [str(event.event_type), str(event.resource), event.resource_id or "(no resourceId)"]
    if event.filter_date_raw is not None:
        parts.append(f"filterDate {event.filter_date_raw}")
    parts += [
        f"{key} {json.dumps(value, ensure_ascii=False)}" for key, value in event.extra.items()
    ]
    return "  ".join(parts)


def profile_json(profile: IntegrationProfile) -> dict[str, Any]:
    """One row of the profile table as JSON (`IntegrationProfile.to_dict`)."""
    return profile.to_dict()


def profile_lines(profile: IntegrationProfile) -> list[str]:
    """One row of the profile table as a block: each fact with its sources' numbers, then those."""
    described = describe(profile)
    sources = numbered_sources(described)
    lines = [f"{profile.id}  {profile.name}"]
    for line in described:
        refs = "".join(f"[{sources[source]}]" for source in line.sources)
        inferred = " (inferred)" if line.inferred else ""
        lines.append(f"  {line.label:<18} {line.text}{inferred}{'  ' + refs if refs else ''}")
    lines += [
        f"  {'sources' if number == 1 else '':<18} [{number}] {source}"
        for source, number in sources.items()
    ]
    return lines


class StatusView(Protocol):
    """A live status line; `update` is called on every poll and every status change."""

    def update(self, *, changed: bool) -> None:
        """Show the line again; `changed` says the status changed since the last call."""


class ProgressView(Protocol):
    """Progress of an export over pages and entries."""

    def start(self, *, total_pages: int, total_entries: int, done_entries: int) -> None:
        """The totals are known (after the first page); `done_entries` were saved before."""

    def advance(self, *, page: int, entries: int) -> None:
        """Page `page` with `entries` entries was saved."""


class Display(Protocol):
    """Where the live parts go (stderr, so stdout stays the result)."""

    def status(self, text: Callable[[], str]) -> AbstractContextManager[StatusView]:
        """A live status line whose content is `text()` at each refresh."""

    def progress(self, label: str) -> AbstractContextManager[ProgressView]:
        """A progress bar (or progress lines) for an export."""


class _PlainStatus:
    def __init__(self, stream: TextIO | None, text: Callable[[], str]) -> None:
        self._stream = stream
        self._text = text

    def update(self, *, changed: bool) -> None:
        if changed and self._stream is not None:
            print(self._text(), file=self._stream, flush=True)


class _PlainProgress:
    def __init__(self, stream: TextIO | None, label: str) -> None:
        self._stream = stream
        self._label = label
        self._pages = 0
        self._total_entries = 0
        self._done = 0

    def start(self, *, total_pages: int, total_entries: int, done_entries: int) -> None:
        self._pages, self._total_entries, self._done = total_pages, total_entries, done_entries

    def advance(self, *, page: int, entries: int) -> None:
        self._done += entries
        if self._stream is not None:
            print(
                f"{self._label}: page {page}/{self._pages}, {entries:,} entries "
                f"({self._done:,} of {self._total_entries:,})",
                file=self._stream,
                flush=True,
            )


class PlainDisplay:
    """One line per status change and per page, on `stream`; nothing when `stream` is None."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    @contextmanager
    def status(self, text: Callable[[], str]) -> Iterator[StatusView]:
        """Print the line whenever the status changes."""
        yield _PlainStatus(self._stream, text)

    @contextmanager
    def progress(self, label: str) -> Iterator[ProgressView]:
        """Print a line per saved page."""
        yield _PlainProgress(self._stream, label)


class _RichStatus:
    def __init__(self, live: Any, text: Callable[[], str]) -> None:
        self._live = live
        self._text = text

    def update(self, *, changed: bool) -> None:
        from rich.text import Text  # noqa: PLC0415 - rich is optional

        self._live.refresh()
        if changed:  # Text: a status like "[bold]" is shown, not read as rich markup
            self._live.console.print(Text(self._text()), highlight=False)


class _RichProgress:
    def __init__(self, progress: Any, label: str) -> None:
        self._progress = progress
        self._task = progress.add_task(label, total=None, pages="", entries="0")
        self._pages = 0
        self._total = 0
        self._done = 0

    def start(self, *, total_pages: int, total_entries: int, done_entries: int) -> None:
        self._pages, self._total, self._done = total_pages, total_entries, done_entries
        self._progress.update(self._task, total=total_entries, completed=done_entries)

    def advance(self, *, page: int, entries: int) -> None:
        self._done += entries
        self._progress.update(
            self._task,
            completed=self._done,
            entries=f"{self._done:,}/{self._total:,}",
            pages=f"page {page}/{self._pages}",
        )


class RichDisplay:
    """A live status line and a progress bar drawn by rich on a terminal."""

    def __init__(self, console: Any) -> None:
        self._console = console

    @contextmanager
    def status(self, text: Callable[[], str]) -> Iterator[StatusView]:
        """A spinner line redrawn eight times a second (elapsed time moves on its own)."""
        from rich.live import Live  # noqa: PLC0415 - rich is optional
        from rich.spinner import Spinner  # noqa: PLC0415
        from rich.text import Text  # noqa: PLC0415

        class _Line:
            def __rich__(self) -> Any:
                return Spinner("dots", text=Text(text()))

        with Live(_Line(), console=self._console, refresh_per_second=8, transient=True) as live:
            yield _RichStatus(live, text)

    @contextmanager
    def progress(self, label: str) -> Iterator[ProgressView]:
        """A bar over the export's entries, with the page count and speed."""
        from rich import progress as rp  # noqa: PLC0415 - rich is optional

        columns = (
            rp.TextColumn("{task.description}"),
            rp.BarColumn(bar_width=24),
            rp.TextColumn("{task.fields[entries]} entries  {task.fields[pages]}"),
            rp.TimeElapsedColumn(),
        )
        with rp.Progress(*columns, console=self._console) as progress:
            yield _RichProgress(progress, label)


def make_display(*, style: str, quiet: bool, stream: TextIO | None = None) -> Display:
    """The display for `style` ("auto", "rich" or "plain"); `quiet` shows nothing live.

    "auto" draws with rich when it is installed and the stream is a terminal, and falls back to
    plain lines otherwise; "rich" insists on rich (still falling back when it is not installed).
    """
    target = sys.stderr if stream is None else stream
    if quiet:
        return PlainDisplay(None)
    if style != "plain":
        try:
            from rich.console import Console  # noqa: PLC0415 - rich is the optional `cli` extra
        except ImportError:
            return PlainDisplay(target)
        console = Console(file=target, force_terminal=True if style == "rich" else None)
        if console.is_terminal:
            return RichDisplay(console)
    return PlainDisplay(target)
