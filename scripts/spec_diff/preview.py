"""The generated-code preview: upstream regenerated with the same fixes, diffed with a baseline.

The baseline is generated/maesn_api when the pinned spec and fixes are the committed ones, else
the pinned spec generated the same way (so that comparing two other specs previews their change).
Generator warnings are reported once per operation, in stable words (the generator's own text
quotes object addresses that change on every run).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from scripts.regenerate import (
    GENERATED,
    PACKAGE,
    GeneratorWarningError,
    PipelineError,
    build_package,
    compare_trees,
    without_addresses,
)
from scripts.spec_diff.model import Change, Preview, Severity, SpecDiffError, join, one_line

__all__ = ["cap_diff", "file_chunks", "generator_warnings", "preview"]

_OPERATION = re.compile(r"WARNING parsing (?P<method>[A-Z]+) (?P<path>\S+) within ")
_SCHEMA = re.compile(r"Unable to process schema (?P<pointer>/\S+?):?$")
_OMITTED = re.compile(
    r"Cannot parse response for status code \S+ \((?P<why>.*)\), response will be omitted from "
    r"generated client"
)
_BOILERPLATE = (
    "Generating ",
    "Warning(s) encountered",
    "openapi-python-client did not",
    "If you believe this was a mistake",
)
WARNINGS_GROUP = "generator warnings"
WARNS = "the pinned generator warns, so the pipeline would refuse upstream"


def _stable(detail: str) -> str:
    """A warning's words without object addresses (they change on every run)."""
    text = " ".join(without_addresses(detail).split())
    if match := _OMITTED.fullmatch(text):
        return f"response dropped, {match['why']}"
    return text


def generator_warnings(exc: GeneratorWarningError) -> list[Change]:
    """One breaking change per operation or schema the generator warns on, in stable words."""
    changes: list[Change] = []
    other: list[str] = []
    for block in re.split(r"\n{3,}", str(exc)):
        lines = [line.strip() for line in block.splitlines()]
        lines = [line for line in lines if line and not line.startswith(_BOILERPLATE)]
        if not lines:
            continue
        if operation := _OPERATION.match(lines[0]):
            method, path = operation["method"], operation["path"]
            detail = _stable(" ".join(lines[1:]))
            pointer, name = join("/paths", path, method.lower()), f"{method} {path}: {detail}"
        elif schema := _SCHEMA.match(lines[0]):
            detail = _stable(lines[1]) if len(lines) > 1 else "removed"
            pointer, name = schema["pointer"], f"schema {schema['pointer']}: {detail}"
        else:
            other += lines
            continue
        changes.append(Change(Severity.BREAKING, pointer, WARNS, group=WARNINGS_GROUP, name=name))
    if other or not changes:
        shown = _stable(" ".join(other[:2])) if other else "see the preview"
        changes.append(Change(Severity.BREAKING, "", f"{WARNS}: {shown}"))
    return changes


def file_chunks(diff: str) -> Iterator[list[str]]:
    """Split a concatenated unified diff into one list of lines per file."""
    lines = diff.splitlines()
    chunk: list[str] = []
    for index, line in enumerate(lines):
        header = (
            line.startswith("--- ")
            and index + 1 < len(lines)
            and lines[index + 1].startswith("+++ ")
        )
        if header and chunk:
            yield chunk
            chunk = []
        chunk.append(line)
    if chunk:
        yield chunk


def cap_diff(chunks: list[list[str]], max_lines: int) -> Preview:
    """The first `max_lines` lines of per-file diffs, counting what is left out."""
    result = Preview()
    for chunk in chunks:
        room = max(max_lines - len(result.diff), 0)
        result.diff += chunk[:room]
        if len(chunk) > room:
            result.hidden_lines += len(chunk) - room
            result.hidden_files += 1
    return result


def _build(workdir: Path, spec: Path, fixes: Path) -> tuple[Path | None, list[Change]]:
    workdir.mkdir()
    try:
        return build_package(workdir, spec, fixes, allow_fix_problems=True), []
    except GeneratorWarningError as exc:
        return exc.package, generator_warnings(exc)
    except PipelineError as exc:
        raise SpecDiffError(
            f"the preview could not run (try --no-preview): {one_line(exc)}"
        ) from exc


def preview(
    upstream_raw: bytes, fixes_path: Path, max_lines: int, pinned: Path | None = None
) -> tuple[Preview, list[Change]]:
    """Regenerate upstream and diff it with generated/ (or with `pinned` generated alike)."""
    with tempfile.TemporaryDirectory(prefix="maesn-spec-diff-") as tmp:
        spec_path = Path(tmp) / "upstream-openapi.yaml"
        spec_path.write_bytes(upstream_raw)
        package, changes = _build(Path(tmp) / "upstream", spec_path, fixes_path)
        count = len({c.pointer for c in changes})
        warned = f"The generator warned ({count} warnings, listed above)"
        if package is None:
            return Preview(note=f"{warned} and generated nothing."), changes
        baseline, label = GENERATED / PACKAGE, "generated/maesn_api"
        if pinned is not None:
            built, _ = _build(Path(tmp) / "pinned", pinned, fixes_path)
            if built is None:
                raise SpecDiffError(f"the preview could not generate the pinned spec {pinned}")
            baseline, label = built, f"{pinned.name} generated"
        tree = compare_trees(package, baseline, label=label)
    # Changed files first: a maintainer reads how existing code changes before what is new.
    chunks = sorted(file_chunks(tree.diff), key=lambda chunk: chunk[0].startswith("--- /dev/null"))
    result = cap_diff(chunks, max_lines)
    result.files = [f"A {name}  (upstream adds it)" for name in tree.missing]
    result.files += [f"D {name}  (upstream drops it)" for name in tree.new]
    result.files += [f"M {name}" for name in tree.changed]
    result.note = f"{warned}; this is what it generated anyway." if changes else ""
    result.baseline = label
    return result, changes
