"""Compare the pinned OpenAPI spec with Maesn's upstream spec, classified for this client.

Every difference between openapi/maesn.yaml (pinned) and the upstream description (a file or a
URL, JSON or YAML 1.2) is reported with a JSON pointer (RFC 6901) and a one-line reason, in one
of five classes, judged for *this* client (the generated maesn_api and the overlay built on it):

  breaking         existing calls or typed reads stop working (major bump)
  needs-review     a maintainer must decide (a profile row, a stale fix, an unknown keyword)
  non-breaking     an addition or a relaxation (minor bump)
  docs-only        descriptions, summaries, examples, titles (patch bump)
  other-generator  vendor extensions only another generator reads (`x-speakeasy-*`; no bump)

Requests and responses are judged in opposite directions: a new required request parameter is
breaking, a new optional one is not; a response property removed, turned optional or turned
nullable is breaking (typed consumers now meet `Unset` or `None`), one added or turned required is
not. Key order never matters; `$ref`s are resolved (with `referencing`) and compared by what they
point to, recursive schemas included. Component schemas are compared on their own, at
`/components/schemas/X`, whatever refers to them. `security: []` and no `security` are the same.

Parameters live in an array, so their pointers use location and name instead of the array index:
`/paths/~1accounting~1asyncTask~1{taskId}/get/parameters/query/limit`. Stale fixes point into
openapi/fixes.yaml (`fixes.yaml#/actions/1`).

The fixes of openapi/fixes.yaml are applied to upstream too; a fix that is stale (its target
matches nothing there), redundant (it changes nothing) or conflicting (upstream now declares
what it adds) is needs-review, naming the fix and what upstream says. A spec with duplicate
operationIds or `$ref`s to nothing, or with a YAML error (its line and column named), cannot be
checked. Unless --no-preview, upstream is regenerated with the same fixes,
generator and config into a temporary directory and diffed against generated/maesn_api; each
operation the generator warns on is breaking (the pipeline would refuse it).

Modules: `loading` (reading specs, `$ref`s), `walk` (the comparison's state, generic values,
vendor extensions), `requests`, `responses`, `schemas`, `compare` (the document, the fixes),
`preview` (the generated-code diff), `render` (text, markdown, json), `cli`.

Exit codes (`ExitCode`): 0 no drift; 3 drift, whatever its class (the report and its suggested
bump say what); 2 could not check (unreachable URL, unreadable or invalid spec, not OpenAPI 3),
with one `error:` line on stderr and nothing on stdout. Drift is not 1 because a crash and a
failing nox session exit 1: any status but 0 and 3 means the check did not run.
"""

from __future__ import annotations

from scripts.spec_diff.cli import DEFAULT_PREVIEW_LINES, main, run
from scripts.spec_diff.compare import classify, diff_specs
from scripts.spec_diff.loading import UPSTREAM_URL, read_spec
from scripts.spec_diff.model import (
    PROFILE_ROWS,
    PROFILES_TABLE,
    Bump,
    Change,
    ExitCode,
    Preview,
    Report,
    Severity,
    SpecDiffError,
    escape,
)
from scripts.spec_diff.preview import cap_diff, file_chunks
from scripts.spec_diff.render import MARKDOWN_LIMIT, render_json, render_markdown, render_text

__all__ = [
    "DEFAULT_PREVIEW_LINES",
    "MARKDOWN_LIMIT",
    "PROFILES_TABLE",
    "PROFILE_ROWS",
    "UPSTREAM_URL",
    "Bump",
    "Change",
    "ExitCode",
    "Preview",
    "Report",
    "Severity",
    "SpecDiffError",
    "cap_diff",
    "classify",
    "diff_specs",
    "escape",
    "file_chunks",
    "main",
    "read_spec",
    "render_json",
    "render_markdown",
    "render_text",
    "run",
]
