"""scripts/spec_diff: every rule, the mid-2026 upstream, the preview, the bump and exit codes.

Rule fixtures are built in code from the seed spec, Maesn's one-endpoint "Get async task info"
description, with the fixes written for it (tests/fixtures/spec_diff/seed.yaml and
seed-fixes.yaml: copies, so that these tests do not change when openapi/ does); one mutation
each, so the expected change is obvious. The evolved upstream is
tests/fixtures/spec_diff/upstream-2026.json, as Maesn publishes it (JSON).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import spec_diff
from scripts.regenerate import GeneratorWarningError, load_document
from scripts.spec_diff import (
    PROFILE_ROWS,
    PROFILES_TABLE,
    Bump,
    Change,
    ExitCode,
    Report,
    Severity,
)
from scripts.spec_diff.preview import generator_warnings

pytestmark = pytest.mark.tooling

FIXTURES = Path(__file__).parent / "fixtures" / "spec_diff"
UPSTREAM_2026 = FIXTURES / "upstream-2026.json"
SEED = FIXTURES / "seed.yaml"
FIXES = FIXTURES / "seed-fixes.yaml"
#: The seed spec and its fixes as --pinned/--fixes (the preview then generates the seed too).
SEED_ARGS = ["--pinned", str(SEED), "--fixes", str(FIXES)]

OP = "/paths/~1accounting~1asyncTask~1{taskId}/get"
PARAMS = OP + "/parameters"
TASK = "/components/schemas/AsyncTaskResponseDto"
INFO = "/components/schemas/InformationResponseDto"
B, R, N, D, X = (
    Severity.BREAKING,
    Severity.NEEDS_REVIEW,
    Severity.NON_BREAKING,
    Severity.DOCS_ONLY,
    Severity.OTHER_GENERATOR,
)

Spec = dict[str, Any]
Mutation = Callable[[Spec], None]


def _pinned() -> Spec:
    return copy.deepcopy(load_document(SEED))


def _operation(spec: Spec) -> Spec:
    operation: Spec = spec["paths"]["/accounting/asyncTask/{taskId}"]["get"]
    return operation


def _parameter(spec: Spec, name: str) -> Spec:
    found: list[Spec] = [p for p in _operation(spec)["parameters"] if p["name"] == name]
    assert len(found) == 1, name
    return found[0]


def _schema(spec: Spec, name: str) -> Spec:
    schema: Spec = spec["components"]["schemas"][name]
    return schema


def _spec_changes(before: Mutation | None, after: Mutation) -> list[tuple[Severity, str]]:
    """The classified spec changes (stale fixes left out) between two mutations of the pin."""
    old = _pinned()
    if before is not None:
        before(old)
    new = copy.deepcopy(old)
    after(new)
    changes = spec_diff.classify(old, new, load_document(FIXES))
    return [(c.severity, c.pointer) for c in changes if c.document == "spec"]


def _write(tmp_path: Path, spec: Spec, name: str = "upstream.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


# -- one rule per case -------------------------------------------------------------------------


def _add_operation(spec: Spec) -> None:
    spec["paths"]["/accounting/asyncTask"] = {
        "post": {"operationId": "createTask", "responses": {"202": {"description": ""}}}
    }


def _move_method(spec: Spec) -> None:
    item = spec["paths"]["/accounting/asyncTask/{taskId}"]
    item["post"] = item.pop("get")


def _move_path(spec: Spec) -> None:
    spec["paths"]["/accounting/tasks/{taskId}"] = spec["paths"].pop(
        "/accounting/asyncTask/{taskId}"
    )


def _add_parameter(*, required: bool) -> Mutation:
    def mutate(spec: Spec) -> None:
        _operation(spec)["parameters"].append(
            {"name": "mode", "in": "query", "required": required, "schema": {"type": "string"}}
        )

    return mutate


def _remove_company_id(spec: Spec) -> None:
    _operation(spec)["parameters"].remove(_parameter(spec, "companyId"))


def _company_id_in_header(spec: Spec) -> None:
    _parameter(spec, "companyId")["in"] = "header"


def _task_id_integer(spec: Spec) -> None:
    _parameter(spec, "taskId")["schema"]["type"] = "integer"


def _company_id_required(spec: Spec) -> None:
    _parameter(spec, "companyId")["required"] = True


def _api_key_optional(spec: Spec) -> None:
    _parameter(spec, "X-API-KEY")["required"] = False


def _company_enum(values: list[str]) -> Mutation:
    def mutate(spec: Spec) -> None:
        _parameter(spec, "companyId")["schema"]["enum"] = values

    return mutate


def _request_body(*, required: bool) -> Mutation:
    def mutate(spec: Spec) -> None:
        _operation(spec)["requestBody"] = {
            "required": required,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": {"note": {"type": "string"}}}
                }
            },
        }

    return mutate


def _remove_request_body(spec: Spec) -> None:
    del _operation(spec)["requestBody"]


def _require_body_note_and_add_tag(spec: Spec) -> None:
    schema = _operation(spec)["requestBody"]["content"]["application/json"]["schema"]
    schema["properties"]["tag"] = {"type": "string"}
    schema["required"] = ["tag"]


def _add_404(spec: Spec) -> None:
    _operation(spec)["responses"]["404"] = {"description": "not found"}


def _remove_200(spec: Spec) -> None:
    del _operation(spec)["responses"]["200"]


def _add_progress(spec: Spec) -> None:
    _schema(spec, "AsyncTaskResponseDto")["properties"]["progress"] = {"type": "integer"}


def _remove_information(spec: Spec) -> None:
    del _schema(spec, "AsyncTaskResponseDto")["properties"]["information"]


def _timestamp_integer(spec: Spec) -> None:
    _schema(spec, "InformationResponseDto")["properties"]["timestamp"]["type"] = "integer"


def _message_nullable(spec: Spec) -> None:
    _schema(spec, "InformationResponseDto")["properties"]["message"]["nullable"] = True


def _require_status(spec: Spec) -> None:
    _schema(spec, "AsyncTaskResponseDto")["required"] = ["status"]


def _unrequire_status(spec: Spec) -> None:
    del _schema(spec, "AsyncTaskResponseDto")["required"]


def _status_enum(change: Callable[[list[str]], None]) -> Mutation:
    def mutate(spec: Spec) -> None:
        change(_schema(spec, "AsyncTaskResponseDto")["properties"]["status"]["enum"])

    return mutate


def _envelope_gains_errors(spec: Spec) -> None:
    _schema(spec, "BaseResponseDto")["properties"]["errors"] = {"type": "array", "items": {}}


def _meta_loses_warnings(spec: Spec) -> None:
    del _schema(spec, "MetaResponse")["properties"]["warnings"]


def _pagination_total_string(spec: Spec) -> None:
    _schema(spec, "PaginationResponse")["properties"]["total"]["type"] = "string"


RULES: list[tuple[str, Mutation | None, Mutation, list[tuple[Severity, str]]]] = [
    ("operation added", None, _add_operation, [(N, "/paths/~1accounting~1asyncTask/post")]),
    ("operation removed", None, lambda s: s["paths"].clear(), [(B, OP)]),
    ("method changed", None, _move_method, [(B, OP)]),
    ("path changed", None, _move_path, [(B, OP)]),
    (
        "required parameter added",
        None,
        _add_parameter(required=True),
        [(B, PARAMS + "/query/mode")],
    ),
    (
        "optional parameter added",
        None,
        _add_parameter(required=False),
        [(N, PARAMS + "/query/mode")],
    ),
    ("parameter removed", None, _remove_company_id, [(B, PARAMS + "/query/companyId")]),
    ("parameter location changed", None, _company_id_in_header, [(B, PARAMS + "/query/companyId")]),
    ("parameter type changed", None, _task_id_integer, [(B, PARAMS + "/path/taskId/schema/type")]),
    (
        "parameter became required",
        None,
        _company_id_required,
        [(B, PARAMS + "/query/companyId/required")],
    ),
    (
        "header no longer required",
        None,
        _api_key_optional,
        [(N, PARAMS + "/header/X-API-KEY/required")],
    ),
    (
        "request enum value added and one removed",
        _company_enum(["a", "b"]),
        _company_enum(["a", "c"]),
        [
            (B, PARAMS + "/query/companyId/schema/enum"),
            (N, PARAMS + "/query/companyId/schema/enum"),
        ],
    ),
    ("required request body added", None, _request_body(required=True), [(B, OP + "/requestBody")]),
    (
        "optional request body added",
        None,
        _request_body(required=False),
        [(N, OP + "/requestBody")],
    ),
    (
        "request body removed",
        _request_body(required=False),
        _remove_request_body,
        [(B, OP + "/requestBody")],
    ),
    (
        "required request property added",
        _request_body(required=False),
        _require_body_note_and_add_tag,
        [(B, OP + "/requestBody/content/application~1json/schema/properties/tag")],
    ),
    ("response status added", None, _add_404, [(N, OP + "/responses/404")]),
    ("response status removed", None, _remove_200, [(B, OP + "/responses/200")]),
    ("response property added", None, _add_progress, [(N, TASK + "/properties/progress")]),
    (
        "response property removed",
        None,
        _remove_information,
        [(B, TASK + "/properties/information")],
    ),
    (
        "response property type changed",
        None,
        _timestamp_integer,
        [(B, INFO + "/properties/timestamp/type")],
    ),
    (
        "response property became nullable",
        None,
        _message_nullable,
        [(B, INFO + "/properties/message/nullable")],
    ),
    (
        "response property became required",
        None,
        _require_status,
        [(R, TASK + "/properties/status/required")],
    ),
    (
        "response property no longer required",
        _require_status,
        _unrequire_status,
        [(B, TASK + "/properties/status/required")],
    ),
    (
        "response status value removed",
        None,
        _status_enum(lambda values: values.remove("DELETED")),
        [(R, TASK + "/properties/status/enum")],
    ),
    (
        "envelope property added",
        None,
        _envelope_gains_errors,
        [(N, "/components/schemas/BaseResponseDto/properties/errors")],
    ),
    (
        "meta property removed",
        None,
        _meta_loses_warnings,
        [(B, "/components/schemas/MetaResponse/properties/warnings")],
    ),
    (
        "pagination type changed",
        None,
        _pagination_total_string,
        [(B, "/components/schemas/PaginationResponse/properties/total/type")],
    ),
]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [pytest.param(before, after, expected, id=name) for name, before, after, expected in RULES],
)
def test_each_rule_gives_its_class_at_its_pointer(
    before: Mutation | None, after: Mutation, expected: list[tuple[Severity, str]]
) -> None:
    """One change per rule, with the exact class and the RFC 6901 pointer."""
    assert sorted(_spec_changes(before, after)) == sorted(expected)


def test_a_new_status_value_needs_a_review_of_the_profile_rows() -> None:
    """An added status value parses (open enums) but may need rows in the profile table."""
    old = _pinned()
    new = copy.deepcopy(old)
    _schema(new, "AsyncTaskResponseDto")["properties"]["status"]["enum"].append("QUEUED")
    (change,) = spec_diff.classify(old, new, load_document(FIXES))
    assert (change.severity, change.pointer) == (R, TASK + "/properties/status/enum")
    assert '"QUEUED" added' in change.reason
    assert PROFILES_TABLE in change.reason
    assert all(row in change.reason for row in PROFILE_ROWS)


def test_a_review_the_fixes_make_moot_is_not_asked_for() -> None:
    """A property turned required that a fix un-requires again is non-breaking, and says why."""
    old = _pinned()
    new = copy.deepcopy(old)
    _require_status(new)
    fixes = load_document(FIXES)
    assert [(c.severity, c.pointer) for c in spec_diff.classify(old, new, fixes)] == [
        (R, TASK + "/properties/status/required")
    ]
    fixes["actions"].append(
        {
            "target": "$.components.schemas.AsyncTaskResponseDto.required",
            "description": "Keep the task's fields optional (a server may omit them).",
            "remove": True,
        }
    )
    (change,) = [c for c in spec_diff.classify(old, new, fixes) if c.document == "spec"]
    assert (change.severity, change.pointer) == (N, TASK + "/properties/status/required")
    assert change.reason == (
        "became required in Maesn's spec, but not once openapi/fixes.yaml is applied to both "
        "(not needs-review for this client)"
    )


def test_moves_say_what_moved() -> None:
    """A method or path change of the same operationId is one change naming the new place."""
    old = _pinned()
    moved = copy.deepcopy(old)
    _move_method(moved)
    (change,) = spec_diff.diff_specs(old, moved)
    assert "method changed" in change.reason
    assert "POST /accounting/asyncTask/{taskId}" in change.reason


def test_refs_are_compared_after_resolution() -> None:
    """A schema inlined is no change; a component renamed is its model removed and one added."""
    old = _pinned()
    inlined = copy.deepcopy(old)
    _schema(inlined, "AsyncTaskResponseDto")["properties"]["information"]["items"] = copy.deepcopy(
        _schema(old, "InformationResponseDto")
    )
    renamed = copy.deepcopy(old)
    schemas = renamed["components"]["schemas"]
    schemas["InfoDto"] = schemas.pop("InformationResponseDto")
    _schema(renamed, "AsyncTaskResponseDto")["properties"]["information"]["items"] = {
        "$ref": "#/components/schemas/InfoDto"
    }
    assert spec_diff.diff_specs(old, inlined) == []
    assert [(c.severity, c.pointer) for c in spec_diff.diff_specs(old, renamed)] == [
        (R, INFO),
        (N, "/components/schemas/InfoDto"),
    ]


def test_recursive_refs_terminate_and_are_compared() -> None:
    """A schema that contains itself is walked once; a change inside it is still found."""

    def recursive(spec: Spec) -> None:
        _schema(spec, "InformationResponseDto")["properties"]["children"] = {
            "type": "array",
            "items": {"$ref": "#/components/schemas/InformationResponseDto"},
        }

    def grow(spec: Spec) -> None:
        _schema(spec, "InformationResponseDto")["properties"]["code"] = {"type": "string"}

    assert _spec_changes(recursive, grow) == [(N, INFO + "/properties/code")]
    spec = _pinned()
    recursive(spec)
    assert spec_diff.diff_specs(spec, copy.deepcopy(spec)) == []


def test_an_unresolvable_ref_cannot_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A $ref to nothing is an invalid spec: exit 2 naming the ref and where it is written."""
    spec = _pinned()
    _schema(spec, "AsyncTaskResponseDto")["properties"]["information"]["items"] = {
        "$ref": "#/components/schemas/Nowhere"
    }
    assert (
        spec_diff.main(["--upstream", str(_write(tmp_path, spec)), "--no-preview", *SEED_ARGS]) == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "is not a valid OpenAPI description: dangling $ref at " in err
    assert f"{TASK}/properties/information/items/$ref: '#/components/schemas/Nowhere'" in err


def test_escape_follows_rfc_6901() -> None:
    """`~` becomes `~0` and `/` becomes `~1`, in that order."""
    assert spec_diff.escape("/a~b/{c}") == "~1a~0b~1{c}"


# -- whole runs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def upstream_2026() -> Report:
    """The report for the mid-2026 upstream, preview included (one generator run)."""
    return spec_diff.run(str(UPSTREAM_2026), SEED, FIXES, preview_lines=100_000)


def test_the_2026_upstream_is_classified_change_by_change(upstream_2026: Report) -> None:
    """Each change MAESN.md lists appears with its class; the bump is major."""
    got = {(c.severity, c.location) for c in upstream_2026.changes}
    assert got == {
        (N, PARAMS + "/query/limit"),
        (N, PARAMS + "/header/X-API-KEY/required"),
        (N, PARAMS + "/header/X-ACCOUNT-KEY/required"),
        # responseData: free-form and nullable upstream, but the fixes already generate it as
        # any JSON value; the $ref fix went stale.
        (N, TASK + "/properties/responseData/properties"),
        (N, TASK + "/properties/responseData/nullable"),
        (R, "fixes.yaml#/actions/1"),
        # required-but-nullable task fields
        (R, TASK + "/properties/status/required"),
        (R, TASK + "/properties/information/required"),
        (R, TASK + "/properties/responseData/required"),
        (B, TASK + "/properties/status/nullable"),
        (B, TASK + "/properties/information/nullable"),
        # every information field nullable
        *{(B, f"{INFO}/properties/{name}/nullable") for name in ("filename", "message")},
        *{(B, f"{INFO}/properties/{name}/nullable") for name in ("timestamp", "type")},
        # meta nullable: already nullable through the fixes
        (N, "/components/schemas/BaseResponseDto/properties/meta/nullable"),
        (R, "/components/schemas/BaseResponseDto/properties/errors"),
        (R, "/components/schemas/BaseResponseDto/properties/rawData"),
    }
    assert not [c for c in upstream_2026.changes if c.pointer.endswith("/enum")]
    assert upstream_2026.bump is Bump.MAJOR
    assert upstream_2026.exit_code == ExitCode.DRIFT


def test_the_2026_preview_shows_the_new_limit_parameter(upstream_2026: Report) -> None:
    """Regenerated with the fixes that still apply, the client gains a typed `limit`."""
    preview = upstream_2026.preview
    assert preview is not None
    assert "A models/get_async_task_info_limit.py  (upstream adds it)" in preview.files
    assert "M api/accounting/get_async_task_info.py" in preview.files
    assert "+    limit: GetAsyncTaskInfoLimit | Unset = UNSET," in preview.diff
    assert preview.hidden_lines == 0


def test_a_long_preview_is_cut_and_summarised(upstream_2026: Report) -> None:
    """Past the line budget the preview says how many lines in how many files it left out."""
    preview = upstream_2026.preview
    assert preview is not None
    chunks = list(spec_diff.file_chunks("\n".join(preview.diff)))
    assert len(chunks) == len(preview.files)
    cut = spec_diff.cap_diff(chunks, 10)
    assert cut.diff == preview.diff[:10]
    assert cut.hidden_lines == len(preview.diff) - 10
    assert cut.hidden_files == len(chunks)
    assert f"... {cut.hidden_lines} more lines in {cut.hidden_files} files" in (
        spec_diff.render_text(Report("p", "u", [], cut))
    )


def test_every_format_renders_the_2026_report(upstream_2026: Report) -> None:
    """text, markdown and json carry the bump and every change."""
    text = spec_diff.render_text(upstream_2026)
    markdown = spec_diff.render_markdown(upstream_2026)
    data = json.loads(spec_diff.render_json(upstream_2026))
    assert "Suggested version bump: major" in text
    assert (
        "| breaking | `" + INFO + "/properties/{filename,message,timestamp,type}/nullable` |"
        in (markdown)
    )
    assert "```diff" in markdown
    assert data["bump"] == "major"
    assert data["exit_code"] == 3
    assert len(data["changes"]) == len(upstream_2026.changes)
    assert data["preview"]["files"] == upstream_2026.preview.files  # type: ignore[union-attr]


def test_a_generator_warning_upstream_is_breaking_and_still_previewed(tmp_path: Path) -> None:
    """When upstream makes the generator warn, that is breaking; what it generated is shown."""
    spec = _pinned()
    _schema(spec, "BaseResponseDto")["properties"]["data"] = {
        "anyOf": [{"type": "object"}, {"type": "array"}]
    }
    report = spec_diff.run(str(_write(tmp_path, spec)), SEED, FIXES)
    warnings = [(c.severity, c.pointer) for c in report.changes if c.group == "generator warnings"]
    assert sorted(warnings) == [(B, "/components/schemas/BaseResponseDto"), (B, OP)]
    assert (R, "fixes.yaml#/actions/0") in {(c.severity, c.location) for c in report.changes}
    assert report.preview is not None
    assert "D models/base_response_dto.py  (upstream drops it)" in report.preview.files
    assert report.bump is Bump.MAJOR


def test_identical_specs_report_nothing_and_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The pin against itself, as JSON: no change, no bump, an empty preview."""
    upstream = tmp_path / "upstream.json"
    upstream.write_text(json.dumps(_pinned()), encoding="utf-8")
    assert spec_diff.main(["--upstream", str(upstream), "--format", "json", *SEED_ARGS]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changes"] == []
    assert data["bump"] == "none"
    assert data["preview"]["files"] == ["M _provenance.py"]  # only the spec's hash differs


def _reordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reordered(value[key]) for key in reversed(list(value))}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_reordered(v) for v in reversed(value)]
    return value


def test_reordered_keys_and_new_descriptions_are_a_patch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Key order and parameter order do not matter; description changes are docs-only drift."""
    spec = _reordered(_pinned())
    spec["info"]["description"] = "The Maesn unified API, described anew"
    _parameter(spec, "X-API-KEY")["description"] = "Your Maesn API key"
    _schema(spec, "MetaResponse")["properties"]["warnings"]["items"]["example"] = "Other example"
    code = spec_diff.main(["--upstream", str(_write(tmp_path, spec)), "--no-preview", *SEED_ARGS])
    out = capsys.readouterr().out
    assert code == ExitCode.DRIFT
    assert (
        "Suggested version bump: patch "
        "(0 breaking, 0 needs-review, 0 non-breaking, 3 docs-only, 0 other-generator)" in out
    )
    assert PARAMS + "/header/X-API-KEY/description" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "could not read"),
        ("openapi: [unclosed\n", "is neither JSON nor YAML"),
        ("swagger: '2.0'\npaths: {}\n", "is not an OpenAPI 3 description"),
        ("- a list\n", "is not an OpenAPI 3 description"),
        ("openapi: 3.0.0\npaths: []\n", "`paths` is no mapping"),
    ],
    ids=["missing", "not-yaml", "swagger-2", "not-a-mapping", "bad-paths"],
)
def test_an_unusable_upstream_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    """Missing, unparsable or non-OpenAPI upstreams: exit 2, one `error:` line, no traceback."""
    upstream = tmp_path / "upstream.yaml"
    if content is not None:
        upstream.write_text(content, encoding="utf-8")
    assert spec_diff.main(["--upstream", str(upstream), *SEED_ARGS]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_an_unreachable_url_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A refused connection is a clear one-line error, not a traceback."""
    assert spec_diff.main(["--upstream", "http://127.0.0.1:9/api-json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: could not fetch http://127.0.0.1:9/api-json: ")
    assert err.count("\n") == 1


def test_the_default_upstream_is_the_file_the_pin_came_from(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`.speakeasy/out.openapi.yaml` of Maesn's TypeScript SDK, branch main; --help says so."""
    assert spec_diff.UPSTREAM_URL == (
        "https://raw.githubusercontent.com/maesndev/sdk-typescript/main/.speakeasy/out.openapi.yaml"
    )
    with pytest.raises(SystemExit) as exit_info:
        spec_diff.main(["--help"])
    assert exit_info.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert spec_diff.UPSTREAM_URL in help_text
    assert "maesndev/sdk-typescript" in help_text
    assert '"no drift" means the very same file' in help_text


def test_changes_sort_most_severe_first(upstream_2026: Report) -> None:
    """The report lists breaking, then needs-review, then non-breaking, then docs-only."""
    order = [list(Severity).index(c.severity) for c in upstream_2026.changes]
    assert order == sorted(order)
    assert isinstance(upstream_2026.changes[0], Change)


def test_the_profile_rows_named_in_reports_are_the_profile_table() -> None:
    """The rows with documented statuses are named in the needs-review reason for a new value."""
    from maesn import Integration  # noqa: PLC0415 - the report names rows of the overlay's table

    documented = {i.value for i in Integration if i.profile.statuses_documented}
    assert documented == set(spec_diff.PROFILE_ROWS)


# -- the rules a seed -> published run asked for -----------------------------------------------


def _project_behind_a_dropped_ref(spec: Spec) -> None:
    """ResponseData stops referring to ProjectResponseDto; ProjectResponseDto itself changes."""
    _schema(spec, "AsyncTaskResponseDto")["properties"]["responseData"] = {"type": "object"}
    project = _schema(spec, "ProjectResponseDto")
    project["properties"]["code"]["nullable"] = True
    project["properties"]["number"] = {"type": "string"}
    del project["properties"]["parentProjectId"]


def test_a_component_is_compared_even_when_a_ref_to_it_was_dropped() -> None:
    """A $ref removed at one place neither hides nor stands in for the changes inside its target."""
    project = "/components/schemas/ProjectResponseDto/properties"
    changes = _spec_changes(None, _project_behind_a_dropped_ref)
    assert (B, project + "/code/nullable") in changes
    assert (N, project + "/number") in changes
    assert (B, project + "/parentProjectId") in changes


def test_an_unreferenced_component_is_still_compared() -> None:
    """A component nothing refers to any more on either side is compared on its own too."""

    def orphan(spec: Spec) -> None:
        del _schema(spec, "AsyncTaskResponseDto")["properties"]["responseData"]

    def change(spec: Spec) -> None:
        _schema(spec, "ProjectResponseDto")["properties"]["id"]["type"] = "integer"

    changes = _spec_changes(orphan, change)
    assert changes == [(B, "/components/schemas/ProjectResponseDto/properties/id/type")]


@pytest.mark.parametrize("where", ["document", "operation"])
def test_an_empty_security_list_is_the_same_as_none(where: str) -> None:
    """`security: []` and no `security` both mean no requirement; a real requirement is a change."""
    old = _pinned()
    old["security"] = []
    if where == "operation":
        _operation(old)["security"] = []
    new = copy.deepcopy(old)
    del (new if where == "document" else _operation(new))["security"]
    assert spec_diff.diff_specs(old, new) == []
    (new if where == "document" else _operation(new))["security"] = [{"apiKey": []}]
    pointer = "/security" if where == "document" else OP + "/security"
    assert [(c.severity, c.pointer) for c in spec_diff.diff_specs(old, new)] == [(R, pointer)]


RETRIES = {
    "strategy": "backoff",
    "backoff": {
        "initialInterval": 500,
        "maxInterval": 60000,
        "maxElapsedTime": 3600000,
        "exponent": 1.5,
    },
    "statusCodes": ["5XX"],
    "retryConnectionErrors": True,
}


def _speakeasy(spec: Spec) -> None:
    _operation(spec)["x-speakeasy-retries"] = RETRIES
    _parameter(spec, "X-API-KEY")["x-speakeasy-name-override"] = "apiKey"
    spec["x-speakeasy-globals"] = {"parameters": []}


def test_speakeasy_extensions_are_their_own_class_and_imply_no_bump() -> None:
    """x-speakeasy-* is read by Speakeasy only: other-generator, no version bump (still drift)."""
    old = _pinned()
    new = copy.deepcopy(old)
    _speakeasy(new)
    changes = spec_diff.classify(old, new, load_document(FIXES))
    assert {(c.severity, c.pointer) for c in changes} == {
        (X, "/x-speakeasy-globals"),
        (X, PARAMS + "/header/X-API-KEY/x-speakeasy-name-override"),
        (X, OP + "/x-speakeasy-retries"),
    }
    report = Report("p", "u", changes)
    assert (report.bump, report.exit_code) == (Bump.NONE, ExitCode.DRIFT)


def test_speakeasy_retries_says_what_maesns_sdk_retries() -> None:
    """One line read from the extension: strategy, intervals, exponent, codes, connection errors."""
    old = _pinned()
    new = copy.deepcopy(old)
    _operation(new)["x-speakeasy-retries"] = RETRIES
    (change,) = spec_diff.diff_specs(old, new)
    assert change.reason.startswith("Maesn's TypeScript SDK retries these calls (backoff): ")
    for words in (
        "first after 500 ms",
        "then each wait 1.5 times the one before",
        "60 s apart",
        "3600 s in all",
        "status 5XX",
    ):
        assert words in change.reason
    assert "connection errors" in change.reason
    RETRIES_WITHOUT = {**RETRIES, "retryConnectionErrors": False, "statusCodes": [429]}  # noqa: N806
    _operation(new)["x-speakeasy-retries"] = RETRIES_WITHOUT
    (change,) = spec_diff.diff_specs(old, new)
    assert "status 429" in change.reason
    assert "connection errors" not in change.reason


def _limit(*, on_new_parameter: bool) -> tuple[Mutation | None, Mutation]:
    def add(spec: Spec) -> None:
        _operation(spec)["parameters"].append(
            {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}}
        )

    def close(spec: Spec) -> None:
        if on_new_parameter:
            add(spec)
        _parameter(spec, "limit")["schema"]["enum"] = [5, 10, 20, 50, 100]

    return (None if on_new_parameter else add), close


def test_a_closed_enum_on_a_parameter_is_named_with_its_values() -> None:
    """`limit` limited to 5, 10, 20, 50, 100: a new parameter says so, an existing one breaks."""
    old = _pinned()
    before, after = _limit(on_new_parameter=True)
    new = copy.deepcopy(old)
    after(new)
    (change,) = spec_diff.diff_specs(old, new)
    assert (change.severity, change.pointer) == (N, PARAMS + "/query/limit")
    assert "a closed enum: a request may only send 5, 10, 20, 50, 100" in change.reason

    before, after = _limit(on_new_parameter=False)
    assert before is not None
    before(old)
    new = copy.deepcopy(old)
    after(new)
    (change,) = spec_diff.diff_specs(old, new)
    assert (change.severity, change.pointer) == (B, PARAMS + "/query/limit/schema/enum")
    assert "requests are now restricted to 5, 10, 20, 50, 100" in change.reason


WARNING_OUTPUT = """\
openapi-python-client did not generate cleanly (the pipeline refuses output with warnings):
Generating /tmp/x/maesn_api

Warning(s) encountered while generating. Client was generated, but some pieces may be missing
WARNING parsing GET /accounting/accounts within accounting.

Cannot parse response for status code <openapi_python_client.schema.untrusted_string.\
UntrustedString object at 0x7f259a5cbe90> (BaseResponseDtoData can't be merged with \
list[AccountResponseDto]), response will be omitted from generated client



WARNING parsing DELETE /accounting/bills/{billId} within accounting.

Cannot parse response for status code <openapi_python_client.schema.untrusted_string.\
UntrustedString object at 0x7f259a602990> (BaseResponseDtoData can't be merged with str), \
response will be omitted from generated client



Unable to process schema /components/schemas/Odd:

Invalid property in union <openapi_python_client.schema.untrusted_string.UntrustedString \
object at 0x7fdea82a6750>

Failure to process schema has resulted in the removal of:
/components/schemas/Odd

If you believe this was a mistake or this tool is missing a feature you need, please open an issue
"""


def test_generator_warnings_are_counted_per_operation_without_addresses() -> None:
    """One breaking change per warned operation or schema; no `object at 0x...` anywhere."""
    changes = generator_warnings(GeneratorWarningError(WARNING_OUTPUT))
    assert [(c.severity, c.pointer) for c in changes] == [
        (B, "/paths/~1accounting~1accounts/get"),
        (B, "/paths/~1accounting~1bills~1{billId}/delete"),
        (B, "/components/schemas/Odd"),
    ]
    assert [c.name for c in changes] == [
        (
            "GET /accounting/accounts: response dropped, BaseResponseDtoData can't be merged with "
            "list[AccountResponseDto]"
        ),
        (
            "DELETE /accounting/bills/{billId}: response dropped, BaseResponseDtoData can't be "
            "merged with str"
        ),
        "schema /components/schemas/Odd: Invalid property in union ?",
    ]
    markdown = spec_diff.render_markdown(Report("p", "u", changes))
    assert "| breaking | `generator warnings (3)` |" in markdown
    assert "0x" not in markdown


def test_a_real_generator_warning_report_is_the_same_on_every_run(tmp_path: Path) -> None:
    """Rendered from two generator runs, the warnings read the same (no addresses)."""
    spec = _pinned()
    _schema(spec, "BaseResponseDto")["properties"]["data"] = {"anyOf": [{}, {"type": "array"}]}
    upstream = str(_write(tmp_path, spec))
    first, second = (
        spec_diff.render_text(spec_diff.run(upstream, SEED, FIXES, preview_lines=0))
        for _ in range(2)
    )
    assert "generator warnings (2)" in first
    assert "0x" not in first
    assert first == second


def _grow(operations: int, schemas: int) -> Mutation:
    def mutate(spec: Spec) -> None:
        for number in range(operations):
            spec["paths"][f"/accounting/things{number}"] = {
                "get": {
                    "operationId": f"getThing{number}",
                    "tags": ["accounting" if number % 2 else "tenants"],
                    "responses": {"200": {"description": ""}},
                }
            }
        for number in range(schemas):
            spec["components"]["schemas"][f"Thing{number}Dto"] = {"type": "object"}

    return mutate


def test_added_operations_and_schemas_are_grouped() -> None:
    """Additions are one line per generated module, and one for schemas, naming each."""
    old = _pinned()
    new = copy.deepcopy(old)
    _grow(160, 300)(new)
    report = Report("p", "u", spec_diff.classify(old, new, load_document(FIXES)))
    assert report.count(N) == 460
    text = spec_diff.render_text(report)
    assert "operations added in api/accounting (80)" in text
    assert "operations added in api/tenants (80)" in text
    assert "schemas added (300)" in text
    assert "getThing159" in text
    assert "Thing299Dto" in text
    assert len(text.splitlines()) < 20
    markdown = spec_diff.render_markdown(report)
    assert len([line for line in markdown.splitlines() if line.startswith("| non-breaking")]) == 3


def test_markdown_stays_under_githubs_issue_limit() -> None:
    """Thousands of distinct changes and a long diff: still at most 65,536 characters, and says so."""
    changes = [
        Change(B, f"/components/schemas/S{number}/type", f"type changed number {number}")
        for number in range(5000)
    ]
    diff = ["--- a", "+++ b", *(f"+line {number}" for number in range(50_000))]
    report = Report("p", "u", changes, spec_diff.Preview(files=["M a"], diff=diff))
    assert len(spec_diff.render_markdown(report)) > 0
    markdown = spec_diff.render_markdown(report)
    assert len(markdown) <= spec_diff.MARKDOWN_LIMIT == 65_536
    assert "more lines left out (GitHub's size limit)" in markdown
    assert "The diff is left out" in markdown
    assert markdown.startswith("## Spec drift")
    assert "| breaking | `/components/schemas/S0/type` |" in markdown


def test_specs_are_read_as_yaml_1_2(tmp_path: Path) -> None:
    """Unquoted `NO`, `yes`, `on`, `off`, `y`, `n` and `1:20` stay strings (PyYAML's 1.1 would not)."""
    traps = ["NO", "yes", "on", "off", "y", "n", "1:20"]
    path = tmp_path / "upstream.yaml"
    path.write_text(
        "openapi: 3.0.0\npaths: {}\ncomponents:\n  schemas:\n    Country:\n"
        f"      enum: [{', '.join(traps)}]\n",
        encoding="utf-8",
    )
    spec, _ = spec_diff.read_spec(str(path))
    assert spec["components"]["schemas"]["Country"]["enum"] == traps
