"""What spec_diff reports: classified changes, the preview, the report and its bump."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from scripts.spec_check import escape, join, short

__all__ = [
    "PROFILES_TABLE",
    "PROFILE_ROWS",
    "Bump",
    "Change",
    "ExitCode",
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


class SpecDiffError(Exception):
    """The comparison could not run: a spec is unreachable, unreadable or not OpenAPI 3."""


class ExitCode(enum.IntEnum):
    """The three outcomes of a check, kept apart end to end (directly and through nox).

    Drift is 3, not 1: a Python traceback and a nox session that fails on its own (an install
    that cannot reach the registry) both exit 1, and neither may pass for a drift report.
    """

    NO_DRIFT = 0
    COULD_NOT_CHECK = 2
    DRIFT = 3


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
    def exit_code(self) -> ExitCode:
        """DRIFT when anything differs (whatever its class), else NO_DRIFT."""
        return ExitCode.DRIFT if self.changes else ExitCode.NO_DRIFT


def one_line(exc: BaseException | object) -> str:
    """An exception (or reason) as one line of text."""
    return " ".join(str(exc).split()) or type(exc).__name__
