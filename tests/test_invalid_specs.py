"""A spec that is not a valid description is named as such, with where, by both tools.

Duplicate operationIds, `$ref`s to nothing and YAML errors: regeneration (`scripts.regenerate`)
refuses with exit 2, spec_diff cannot check (exit 2, nothing on stdout), and both say what is
wrong and where (a JSON pointer, or the line and column of the YAML error), without object
reprs and without sending anyone to openapi/fixes.yaml. The checks run before the generator.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import regenerate, spec_diff
from scripts.regenerate import load_document

pytestmark = pytest.mark.tooling

SEED = Path(__file__).parent / "fixtures" / "specs" / "seed.yaml"
TASK_PATH = "/accounting/asyncTask/{taskId}"
Spec = dict[str, Any]


def _duplicate_operation_id(spec: Spec) -> None:
    spec["paths"]["/accounting/tasks/{taskId}"] = copy.deepcopy(spec["paths"][TASK_PATH])


def _dangling_ref(spec: Spec) -> None:
    task = spec["components"]["schemas"]["AsyncTaskResponseDto"]
    task["properties"]["information"]["items"] = {"$ref": "#/components/schemas/Nowhere"}


CASES: dict[str, tuple[Callable[[Spec], None], list[str]]] = {
    "duplicate-operation-id": (
        _duplicate_operation_id,
        [
            "duplicate operationId at /paths/~1accounting~1tasks~1{taskId}/get/operationId",
            (
                "'getAsyncTaskInfo' is used by GET /accounting/asyncTask/{taskId} and "
                "GET /accounting/tasks/{taskId}"
            ),
        ],
    ),
    "dangling-ref": (
        _dangling_ref,
        [
            (
                "dangling $ref at /components/schemas/AsyncTaskResponseDto/properties/information"
                "/items/$ref: '#/components/schemas/Nowhere' points at nothing"
            ),
        ],
    ),
}


def _write(tmp_path: Path, spec: Spec) -> Path:
    path = tmp_path / "upstream.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def _both_tools(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """The one `error:` line of regeneration and of spec_diff (each exits 2, prints no report)."""
    assert regenerate.main(["--check", "--spec", str(path)]) == 2
    regenerated = capsys.readouterr()
    args = ["--pinned", str(SEED), "--upstream", str(path), "--no-preview"]
    assert spec_diff.main(args) == 2
    diffed = capsys.readouterr()
    assert regenerated.out == diffed.out == ""
    for err in (regenerated.err, diffed.err):
        assert err.startswith("error: ")
        assert err.count("\n") == 1, err
        assert "0x" not in err
        assert "fixes.yaml" not in err
    return regenerated.err, diffed.err


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_invalid_spec_is_named_with_its_pointer_by_both_tools(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each problem is named as such, at its JSON pointer, by regeneration and by spec_diff."""
    mutate, expected = CASES[case]
    spec = load_document(SEED)
    mutate(spec)
    path = _write(tmp_path, spec)
    for err in _both_tools(path, capsys):
        assert f"{path} is not a valid OpenAPI description: " in err
        for words in expected:
            assert words in err


def test_a_yaml_error_is_named_with_its_line_by_both_tools(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Broken YAML: both tools give the line and column and the parser's complaint."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "operationId" in line)
    lines[number] = lines[number].replace("operationId: ", "operationId: [unclosed ")
    path = tmp_path / "upstream.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for err in _both_tools(path, capsys):
        assert f"{path}" in err
        assert f"YAML error at line {number + 2}, column " in err
        assert f"while parsing a flow sequence started at line {number + 1}" in err


def test_a_duplicate_yaml_key_is_a_yaml_error(tmp_path: Path) -> None:
    """A key written twice is refused with both lines, not silently overwritten."""
    path = tmp_path / "upstream.yaml"
    path.write_text("openapi: 3.0.0\npaths: {}\npaths: {}\n", encoding="utf-8")
    with pytest.raises(
        regenerate.PipelineError, match=r'line 3, column 1: found duplicate key "paths"'
    ):
        load_document(path)


def test_the_problems_are_fields_of_the_error() -> None:
    """InvalidSpecPipelineError carries each problem's kind and pointer."""
    spec = load_document(SEED)
    _duplicate_operation_id(spec)
    _dangling_ref(spec)
    with pytest.raises(regenerate.InvalidSpecPipelineError) as raised:
        regenerate.check_spec(spec, "upstream")
    assert [(p.kind, p.pointer) for p in raised.value.problems] == [
        ("duplicate operationId", "/paths/~1accounting~1tasks~1{taskId}/get/operationId"),
        (
            "dangling $ref",
            "/components/schemas/AsyncTaskResponseDto/properties/information/items/$ref",
        ),
    ]
