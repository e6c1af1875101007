"""`python -m scripts.spec_diff`: compare, check the fixes, preview, render, exit with the verdict."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.regenerate import FIXES, ROOT, SPEC, PipelineError, load_document
from scripts.spec_diff.compare import classify
from scripts.spec_diff.loading import UPSTREAM_URL, read_spec
from scripts.spec_diff.model import ExitCode, Report, Severity, SpecDiffError, one_line
from scripts.spec_diff.preview import preview
from scripts.spec_diff.render import RENDERERS

__all__ = ["DEFAULT_PREVIEW_LINES", "main", "run"]

DEFAULT_PREVIEW_LINES = 200


def _label(path: Path) -> str:
    shown = path.resolve()
    return str(shown.relative_to(ROOT)) if shown.is_relative_to(ROOT) else str(path)


def run(
    upstream: str,
    pinned: Path = SPEC,
    fixes_path: Path = FIXES,
    *,
    with_preview: bool = True,
    preview_lines: int = DEFAULT_PREVIEW_LINES,
) -> Report:
    """Compare, check the fixes, optionally preview; raise SpecDiffError when that cannot run."""
    pinned_spec, _ = read_spec(str(pinned))
    upstream_spec, upstream_raw = read_spec(upstream)
    try:
        fixes = load_document(fixes_path)
        changes = classify(pinned_spec, upstream_spec, fixes)
    except PipelineError as exc:
        raise SpecDiffError(one_line(exc)) from exc
    report = Report(pinned=_label(pinned), upstream=upstream, changes=changes)
    if with_preview:
        committed = pinned.resolve() == SPEC.resolve() and fixes_path.resolve() == FIXES.resolve()
        report.preview, warnings = preview(
            upstream_raw, fixes_path, preview_lines, pinned=None if committed else pinned
        )
        report.changes += warnings
    order = list(Severity)
    report.changes.sort(
        key=lambda c: (order.index(c.severity), c.document, c.group, c.pointer, c.reason)
    )
    return report


HELP = f"""\
Compare the pinned OpenAPI spec with Maesn's upstream one, classified for this client.

The default upstream is the document the pinned spec came from: `.speakeasy/out.openapi.yaml` of
Maesn's TypeScript SDK repository (maesndev/sdk-typescript, branch main):
{UPSTREAM_URL}
so "no drift" means the very same file.
"""


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts.spec_diff",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Classes: breaking, needs-review, non-breaking, docs-only, other-generator (vendor "
        "extensions only another generator reads). Exit codes: 0 no drift (nothing differs), "
        "3 drift (the report says what and which bump), 2 could not check (an `error:` line on "
        "stderr, nothing on stdout); any other status (1: a crash, or nox failing) means the "
        "check did not run either.",
    )
    parser.add_argument(
        "--upstream",
        default=UPSTREAM_URL,
        metavar="PATH_OR_URL",
        help="upstream spec, a file or an http(s) URL, JSON or YAML (default: the file the pinned "
        "spec came from, above)",
    )
    parser.add_argument(
        "--pinned",
        type=Path,
        default=SPEC,
        metavar="PATH",
        help="pinned spec (default: openapi/maesn.yaml)",
    )
    parser.add_argument(
        "--fixes",
        type=Path,
        default=FIXES,
        metavar="PATH",
        help="overlay applied to both specs (default: openapi/fixes.yaml)",
    )
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text", help="report format")
    parser.add_argument(
        "--no-preview",
        action="store_true",
        help="skip regenerating upstream into a temporary directory",
    )
    parser.add_argument(
        "--preview-lines",
        type=int,
        default=DEFAULT_PREVIEW_LINES,
        metavar="N",
        help="show at most N lines of the generated-code diff (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        report = run(
            args.upstream,
            args.pinned,
            args.fixes,
            with_preview=not args.no_preview,
            preview_lines=args.preview_lines,
        )
    except SpecDiffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.COULD_NOT_CHECK
    sys.stdout.write(RENDERERS[args.format](report))
    return report.exit_code
