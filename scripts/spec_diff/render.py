"""The report as text (a terminal), Markdown (an issue, at most 65,536 characters) or JSON.

Text and Markdown show changes of one `group` as one line (163 added operations, 96 retried GETs);
JSON lists every change, for other tools.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from scripts.spec_diff.model import Change, Preview, Report, Severity

__all__ = [
    "MARKDOWN_LIMIT",
    "RENDERERS",
    "Line",
    "lines",
    "render_json",
    "render_markdown",
    "render_text",
]

#: GitHub's limit on an issue or comment body; the README's scheduled job posts the markdown there.
MARKDOWN_LIMIT = 65_536
#: At most this many characters of names on one grouped line.
GROUP_NAMES_CHARS = 12_000


@dataclass(frozen=True)
class Line:
    """One line of a report: a single change, or every change of a group."""

    severity: Severity
    where: str
    why: str


def _names(changes: list[Change]) -> str:
    shown: list[str] = []
    used = 0
    for change in changes:
        if used + len(change.name) > GROUP_NAMES_CHARS:
            shown.append(f"and {len(changes) - len(shown)} more")
            break
        shown.append(change.name)
        used += len(change.name) + 2
    return ", ".join(shown)


def _group_key(change: Change) -> tuple[Severity, str, str, str] | None:
    """Explicit groups, else the same reason on several properties of one schema."""
    if change.group:
        return (change.severity, change.group, change.reason, "")
    owner, found, rest = change.location.rpartition("/properties/")
    if not found:
        return None
    _, _, suffix = rest.partition("/")
    return (change.severity, change.reason, owner, suffix)


def _group_line(key: tuple[Severity, str, str, str], members: list[Change]) -> Line:
    severity, first, second, suffix = key
    if members[0].group:
        return Line(severity, f"{first} ({len(members)})", f"{second}: {_names(members)}")
    names = [change.location.rpartition("/properties/")[2].partition("/")[0] for change in members]
    where = f"{second}/properties/{{{','.join(names)}}}{'/' + suffix if suffix else ''}"
    return Line(severity, where, first)


def lines(report: Report) -> list[Line]:
    """The report's lines in report order; a group is one line, where its first change was."""
    groups: dict[tuple[Severity, str, str, str], list[Change]] = {}
    for change in report.changes:
        if (key := _group_key(change)) is not None:
            groups.setdefault(key, []).append(change)
    out: list[Line] = []
    for change in report.changes:
        key = _group_key(change)
        members = groups.pop(key, None) if key is not None else [change]
        if members is None:
            continue  # shown with its group
        if len(members) == 1:
            out.append(Line(change.severity, change.location, change.reason))
        elif key is not None:
            out.append(_group_line(key, members))
    return out


def file_lines(files: list[str], most: int = 30) -> list[str]:
    """The preview's file list; past `most` files, one line per status and directory."""
    if len(files) <= most:
        return files
    counts: dict[tuple[str, str], int] = {}
    for line in files:
        status, _, rest = line.partition(" ")
        directory = rest.split()[0].rpartition("/")[0] or "(top level)"
        counts[status, directory] = counts.get((status, directory), 0) + 1
    words = {"A": "added by upstream", "D": "dropped by upstream", "M": "changed"}
    return [
        f"{status} {directory}/: {count} file{'s' if count > 1 else ''} {words.get(status, '')}"
        for (status, directory), count in counts.items()
    ]


def _headline(report: Report) -> str:
    counts = ", ".join(f"{report.count(s)} {s}" for s in Severity)
    return f"Suggested version bump: {report.bump} ({counts})"


def _preview_tail(preview: Preview) -> str:
    if not preview.hidden_lines:
        return ""
    return f"... {preview.hidden_lines} more lines in {preview.hidden_files} files"


def render_text(report: Report) -> str:
    """The report for a terminal."""
    out = [f"Spec drift: {report.pinned} -> {report.upstream}", _headline(report), ""]
    if not report.changes:
        out.append("No differences.")
    shown = lines(report)
    for severity in Severity:
        selected = [line for line in shown if line.severity is severity]
        if selected:
            out.append(f"{severity.upper()} ({report.count(severity)})")
            out += [f"  {line.where}\n      {line.why}" for line in selected]
            out.append("")
    if report.preview is not None:
        preview = report.preview
        out.append(f"Generated-code preview ({preview.baseline} -> upstream)")
        if preview.note:
            out.append(preview.note)
        out += file_lines(preview.files) or ["(no differences)"]
        if preview.diff:
            out += ["", *preview.diff]
        if tail := _preview_tail(preview):
            out.append(tail)
    return "\n".join(out).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _markdown(report: Report, *, rows: int | None, diff: bool) -> str:
    out = [
        "## Spec drift",
        "",
        f"`{report.pinned}` → `{report.upstream}`",
        "",
        f"**{_headline(report)}**",
        "",
    ]
    shown = lines(report)
    if shown:
        out += ["| class | where | why |", "|---|---|---|"]
        out += [
            f"| {line.severity} | `{line.where}` | {_cell(line.why)} |" for line in shown[:rows]
        ]
        if rows is not None and rows < len(shown):
            left = len(shown) - rows
            note = f"*{left} more lines left out (GitHub's size limit): run with `--format text`*"
            out += ["", note]
    else:
        out.append("No differences.")
    preview = report.preview
    if preview is not None:
        out += ["", f"### Generated-code preview ({preview.baseline} → upstream)", ""]
        if preview.note:
            out += [preview.note, ""]
        out += [f"- `{line.strip()}`" for line in file_lines(preview.files)] or ["No differences."]
        if preview.diff and diff:
            out += ["", "<details><summary>diff</summary>", "", "```diff", *preview.diff, "```"]
            if tail := _preview_tail(preview):
                out.append(tail)
            out += ["", "</details>"]
        elif preview.diff:
            out += ["", "*The diff is left out (GitHub's size limit): run with `--format text`.*"]
    return "\n".join(out) + "\n"


def render_markdown(report: Report, limit: int = MARKDOWN_LIMIT) -> str:
    """The report as Markdown, at most `limit` characters: the diff goes first, then table rows."""
    text = _markdown(report, rows=None, diff=True)
    if len(text) <= limit:
        return text
    text = _markdown(report, rows=None, diff=False)
    rows = len(lines(report))
    while len(text) > limit and rows > 0:
        rows = max(rows - max((len(text) - limit) // 80, 1), 0)
        text = _markdown(report, rows=rows, diff=False)
    if len(text) > limit:  # the file list alone is too long
        text = text[: limit - 40].rsplit("\n", 1)[0] + "\n\n*(cut at GitHub's size limit)*\n"
    return text


def render_json(report: Report) -> str:
    """The report as JSON (for other tools): every change, ungrouped."""
    data = {
        "pinned": report.pinned,
        "upstream": report.upstream,
        "bump": str(report.bump),
        "exit_code": report.exit_code,
        "counts": {str(s): report.count(s) for s in Severity},
        "changes": [
            {**asdict(change), "severity": str(change.severity), "location": change.location}
            for change in report.changes
        ],
        "preview": asdict(report.preview) if report.preview is not None else None,
    }
    return json.dumps(data, indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
