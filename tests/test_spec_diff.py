"""scripts/spec_diff.py: every rule, the mid-2026 upstream, the preview, the bump and exit codes.

Rule fixtures are built in code from the seed spec (tests/fixtures/specs/seed.yaml, one mutation
each, so the expected change is obvious); the evolved upstream is
tests/fixtures/spec_diff/upstream-2026.json, as Maesn publishes it (JSON). Every run here treats
the seed as the pinned spec: the `seed_pin` fixture points spec_diff at the seed, at the fixes that
hold on it, and at a package generated from both.
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
from scripts.regenerate import FIXES, NEEDED_BY, build_package, load_document
from scripts.spec_diff import PROFILE_ROWS, PROFILES_TABLE, Bump, Change, Report, Severity

FIXTURES = Path(__file__).parent / "fixtures" / "spec_diff"
SEED = Path(__file__).parent / "fixtures" / "specs" / "seed.yaml"
UPSTREAM_2026 = FIXTURES / "upstream-2026.json"

OP = "/paths/~1accounting~1asyncTask~1{taskId}/get"
PARAMS = OP + "/parameters"
TASK = "/components/schemas/AsyncTaskResponseDto"
INFO = "/components/schemas/InformationResponseDto"
B, R, N, D = (
    Severity.BREAKING,
    Severity.NEEDS_REVIEW,
    Severity.NON_BREAKING,
    Severity.DOCS_ONLY,
)

Spec = dict[str, Any]
Mutation = Callable[[Spec], None]


def _pinned() -> Spec:
    return copy.deepcopy(load_document(SEED))


def _seed_fixes() -> Spec:
    """openapi/fixes.yaml without the fixes only the published spec needs."""
    fixes = load_document(FIXES)
    fixes["actions"] = [a for a in fixes["actions"] if NEEDED_BY not in a]
    return fixes


@pytest.fixture(scope="module", autouse=True)
def seed_pin(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """spec_diff's defaults (pinned spec, fixes, generated tree) pointed at the seed."""
    root = tmp_path_factory.mktemp("seed-pin")
    fixes = root / "fixes.json"
    fixes.write_text(json.dumps(_seed_fixes()), encoding="utf-8")
    generated = root / "generated"
    generated.mkdir()
    build_package(generated, SEED, fixes)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spec_diff, "SPEC", SEED)
        patch.setattr(spec_diff, "FIXES", fixes)
        patch.setattr(spec_diff, "GENERATED", generated)
        yield fixes


def seed_fixes_path() -> Path:
    """The seed's fixes file the `seed_pin` fixture wrote."""
    return Path(getattr(spec_diff, "FIXES"))  # noqa: B009 - patched by seed_pin, not exported


def _run(upstream: str, **options: Any) -> Report:
    return spec_diff.run(upstream, SEED, seed_fixes_path(), **options)


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
    changes = spec_diff.classify(old, new, _seed_fixes())
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
    (change,) = spec_diff.classify(old, new, _seed_fixes())
    assert (change.severity, change.pointer) == (R, TASK + "/properties/status/enum")
    assert '"QUEUED" added' in change.reason
    assert PROFILES_TABLE in change.reason
    assert all(row in change.reason for row in PROFILE_ROWS)


def test_moves_say_what_moved() -> None:
    """A method or path change of the same operationId is one change naming the new place."""
    old = _pinned()
    moved = copy.deepcopy(old)
    _move_method(moved)
    (change,) = spec_diff.diff_specs(old, moved)
    assert "method changed" in change.reason
    assert "POST /accounting/asyncTask/{taskId}" in change.reason


def test_refs_are_compared_after_resolution() -> None:
    """A schema inlined, or its component renamed, is no change."""
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
    assert spec_diff.diff_specs(old, renamed) == []


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
    """A $ref to nothing is an invalid spec: exit 2 with the ref named."""
    spec = _pinned()
    _schema(spec, "AsyncTaskResponseDto")["properties"]["information"]["items"] = {
        "$ref": "#/components/schemas/Nowhere"
    }
    assert spec_diff.main(["--upstream", str(_write(tmp_path, spec)), "--no-preview"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: upstream: $ref '#/components/schemas/Nowhere'")


def test_escape_follows_rfc_6901() -> None:
    """`~` becomes `~0` and `/` becomes `~1`, in that order."""
    assert spec_diff.escape("/a~b/{c}") == "~1a~0b~1{c}"


# -- whole runs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def upstream_2026(seed_pin: Path) -> Report:  # noqa: ARG001 - the pin must be in place
    """The report for the mid-2026 upstream, preview included (one generator run)."""
    return _run(str(UPSTREAM_2026), preview_lines=100_000)


def test_the_2026_upstream_is_classified_change_by_change(upstream_2026: Report) -> None:
    """Each change MAESN.md lists appears with its class; the bump is major."""
    got = {(c.severity, c.location) for c in upstream_2026.changes}
    assert got == {
        (N, PARAMS + "/query/limit"),
        (N, PARAMS + "/header/X-API-KEY/required"),
        (N, PARAMS + "/header/X-ACCOUNT-KEY/required"),
        # responseData: free-form and nullable upstream, but the fixes already generate it as
        # any JSON value (the fix targets `$ref` or `type`, whichever a spec has: not stale).
        (N, TASK + "/properties/responseData/properties"),
        (N, TASK + "/properties/responseData/nullable"),
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
    assert upstream_2026.exit_code == 1


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
    chunks = list(spec_diff._file_chunks("\n".join(preview.diff)))
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
    assert "| breaking | `" + INFO + "/properties/type/nullable` |" in markdown
    assert "```diff" in markdown
    assert data["bump"] == "major"
    assert data["exit_code"] == 1
    assert len(data["changes"]) == len(upstream_2026.changes)
    assert data["preview"]["files"] == upstream_2026.preview.files  # type: ignore[union-attr]


def test_a_generator_warning_upstream_is_breaking_and_still_previewed(tmp_path: Path) -> None:
    """When upstream makes the generator warn, that is breaking; what it generated is shown."""
    spec = _pinned()
    _schema(spec, "BaseResponseDto")["properties"]["meta"] = {
        "anyOf": [{"type": "object"}, {"type": "array"}]
    }
    report = _run(str(_write(tmp_path, spec)))
    warning = [c for c in report.changes if c.pointer == ""]
    assert [c.severity for c in warning] == [B]
    assert "BaseResponseDto" in warning[0].reason
    assert report.preview is not None
    assert "D models/base_response_dto.py  (upstream drops it)" in report.preview.files
    assert report.bump is Bump.MAJOR


def test_identical_specs_report_nothing_and_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The pin against itself, as JSON: no change, no bump, an empty preview."""
    upstream = tmp_path / "upstream.json"
    upstream.write_text(json.dumps(_pinned()), encoding="utf-8")
    assert spec_diff.main(["--upstream", str(upstream), "--format", "json"]) == 0
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
    """Key order and parameter order do not matter; description changes are docs-only."""
    spec = _reordered(_pinned())
    spec["info"]["description"] = "The Maesn unified API, described anew"
    _parameter(spec, "X-API-KEY")["description"] = "Your Maesn API key"
    _schema(spec, "MetaResponse")["properties"]["warnings"]["items"]["example"] = "Other example"
    code = spec_diff.main(["--upstream", str(_write(tmp_path, spec)), "--no-preview"])
    out = capsys.readouterr().out
    assert code == 0
    assert (
        "Suggested version bump: patch (0 breaking, 0 needs-review, 0 non-breaking, 3 docs-only)"
        in out
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
    assert spec_diff.main(["--upstream", str(upstream)]) == 2
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


def test_the_default_upstream_is_maesns_published_spec() -> None:
    """One constant names the URL, and --help shows it."""
    assert spec_diff.UPSTREAM_URL == "https://unified-backend-prod.azurewebsites.net/api-json"
    with pytest.raises(SystemExit) as exit_info:
        spec_diff.main(["--help"])
    assert exit_info.value.code == 0


def test_changes_sort_most_severe_first(upstream_2026: Report) -> None:
    """The report lists breaking, then needs-review, then non-breaking, then docs-only."""
    order = [list(Severity).index(c.severity) for c in upstream_2026.changes]
    assert order == sorted(order)
    assert isinstance(upstream_2026.changes[0], Change)


def test_the_profile_rows_named_in_reports_are_the_profile_table() -> None:
    """A new integration row is named in the needs-review reason for a new status value."""
    from maesn import Integration  # noqa: PLC0415 - the report names rows of the overlay's table

    assert tuple(i.value for i in Integration) == spec_diff.PROFILE_ROWS
