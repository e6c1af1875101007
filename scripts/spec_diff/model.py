"""What spec_diff reports: classified changes, the preview, the report and its bump."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "PROFILES_TABLE",
    "PROFILE_ROWS",
    "Bump",
    "Change",
    "Preview",
    "Report",
    "Severity",
    "SpecDiffError",
    "escape",
    "join",
    "one_line",
    "short",
]

#: The integration table and its rows whose task statuses are documented: a new status value may
#: need one of them updated (the other rows read statuses by the generic rules).
PROFILES_TABLE = "overlay/maesn/_data/integrations.json"
PROFILE_ROWS = (
    "abaconnect",
    "datev-unternehmen-online",
    "datev-rewe",
    "datev-rewe-longtoken",
    "datev-rewe-export",
)
SHORT_VALUE_CHARS = 60


class SpecDiffError(Exception):
    """The comparison could not run: a spec is unreachable, unreadable or not OpenAPI 3."""


class Severity(enum.StrEnum):
    """How a change affects this client, most severe first."""

    BREAKING = "breaking"
    NEEDS_REVIEW = "needs-review"
    NON_BREAKING = "non-breaking"
    DOCS_ONLY = "docs-only"
    #: A vendor extension only another generator reads (`x-speakeasy-*`): no effect on this client.
    OTHER_GENERATOR = "other-generator"


class Bump(enum.StrEnum):
    """The semantic-version bump a set of changes implies."""

    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    NONE = "none"


@dataclass(frozen=True)
class Change:
    """One classified difference: where (a JSON pointer into `document`) and why.

    Changes with the same `group` (and class) are one line in text and markdown reports, naming
    each change by its `name`: "operation added" for 163 operations is one line, not 163.
    """

    severity: Severity
    pointer: str
    reason: str
    document: str = "spec"
    group: str = ""
    name: str = ""

    @property
    def location(self) -> str:
        """The pointer, prefixed with the document when it is not the spec itself."""
        if self.document != "spec":
            return f"{self.document}#{self.pointer}"
        return self.pointer or "(whole spec)"


@dataclass
class Preview:
    """The diff between generated/maesn_api and what upstream would generate."""

    files: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    hidden_lines: int = 0
    hidden_files: int = 0
    note: str = ""
    #: What upstream's generated code is compared with.
    baseline: str = "generated/maesn_api"


@dataclass
class Report:
    """Everything spec_diff found: the changes, the bump, the exit code and the preview."""

    pinned: str
    upstream: str
    changes: list[Change]
    preview: Preview | None = None

    def count(self, severity: Severity) -> int:
        """How many changes have `severity`."""
        return sum(change.severity is severity for change in self.changes)

    @property
    def bump(self) -> Bump:
        """Major for breaking, minor for additions (and open reviews), patch for docs-only.

        Changes only another generator reads imply no bump of this client.
        """
        severities = {change.severity for change in self.changes}
        if Severity.BREAKING in severities:
            return Bump.MAJOR
        if severities & {Severity.NEEDS_REVIEW, Severity.NON_BREAKING}:
            return Bump.MINOR
        return Bump.PATCH if Severity.DOCS_ONLY in severities else Bump.NONE

    @property
    def exit_code(self) -> int:
        """1 when anything is breaking or needs review, else 0."""
        blocking = {Severity.BREAKING, Severity.NEEDS_REVIEW}
        return int(any(change.severity in blocking for change in self.changes))


def escape(token: str | int) -> str:
    """One reference token escaped per RFC 6901 (`~` → `~0`, `/` → `~1`)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join(pointer: str, *tokens: str | int) -> str:
    """`pointer` extended by escaped reference tokens."""
    return pointer + "".join("/" + escape(token) for token in tokens)


def short(value: Any) -> str:
    """A value as compact JSON, cut to one short line ("absent" for None)."""
    text = json.dumps(value, sort_keys=True, default=str) if value is not None else "absent"
    return text if len(text) <= SHORT_VALUE_CHARS else text[: SHORT_VALUE_CHARS - 3] + "..."


def one_line(exc: BaseException | object) -> str:
    """An exception (or reason) as one line of text."""
    return " ".join(str(exc).split()) or type(exc).__name__
