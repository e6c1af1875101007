"""Every fix in openapi/fixes.yaml proves it is still needed: not stale, redundant or conflicting.

Regeneration stops at the first fix that is not, naming it and what the spec now says; spec_diff
lists every such fix as needs-review. None of these runs reaches the generator, so they are fast.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from scripts import regenerate, spec_diff
from scripts.regenerate import (
    FIXES,
    REPLACES,
    SPEC,
    ConflictingFixError,
    FixProblem,
    RedundantFixError,
    apply_fixes,
    load_document,
)
from scripts.spec_diff import Severity

pytestmark = pytest.mark.tooling

SPECS = Path(__file__).parent / "fixtures" / "specs"
SEED = SPECS / "seed.yaml"
DECLARES_202 = SPECS / "upstream-declares-202.yaml"
#: openapi/fixes.yaml's action declaring the 202 the published spec only promises in prose.
FIX_202 = "$.paths['/accounting/contacts','/accounting/projects','/accounting/salesOrders'].post.responses"
PAGE_FIX = "$.paths.*.*.parameters[?(@.name == 'page' && @.in == 'query')].schema"


def _index(target: str) -> int:
    (index,) = [i for i, a in enumerate(load_document(FIXES)["actions"]) if a["target"] == target]
    return index


def _fixes(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": list(actions)}


def test_every_fix_is_needed_on_the_pinned_spec() -> None:
    """On openapi/maesn.yaml each fix matches, changes something and contradicts nothing."""
    _, outcomes = apply_fixes(load_document(SPEC), load_document(FIXES))
    assert [o.problem for o in outcomes] == [None] * len(outcomes)


def test_regeneration_refuses_a_fix_upstream_now_declares_itself(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Upstream declares its own 202 for createContact: the run stops naming the fix and Maesn's 202."""
    assert regenerate.main(["--check", "--spec", str(DECLARES_202)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    assert err.startswith(f"error: fix #{_index(FIX_202)} ({FIX_202}) is conflicting: ")
    assert err.count("\n") == 1
    # what upstream now says, where: its description and its own DTO in the allOf
    operation = "/paths/~1accounting~1contacts/post/responses/202"
    assert f'{operation}/description = "Contact queued; poll the task until it is done."' in err
    assert f"{operation}/content/application~1json/schema/allOf = " in err
    assert "ContactTaskResponseDto" in err
    assert "0x" not in err


def test_the_conflicting_fix_carries_its_fields() -> None:
    """The error is typed and carries the problem: kind, index, target, detail."""
    with pytest.raises(ConflictingFixError) as raised:
        apply_fixes(load_document(DECLARES_202), load_document(FIXES), pinned=False)
    problem = raised.value.problem
    assert (problem.kind, problem.index, problem.target) == (
        FixProblem.CONFLICTING,
        _index(FIX_202),
        FIX_202,
    )
    assert "TaskIdResponseDto" in problem.detail


def test_spec_diff_lists_the_conflicting_fix() -> None:
    """Comparing the seed with that upstream lists the fix as needs-review, saying why."""
    report = spec_diff.run(str(DECLARES_202), SEED, FIXES, with_preview=False)
    assert report.exit_code == spec_diff.ExitCode.DRIFT
    location = f"fixes.yaml#/actions/{_index(FIX_202)}"
    (change,) = [c for c in report.changes if c.location == location]
    assert change.severity is Severity.NEEDS_REVIEW
    assert "is conflicting" in change.reason
    assert "ContactTaskResponseDto" in change.reason


def test_a_fix_that_changes_nothing_is_redundant() -> None:
    """When upstream already types `page` as an integer the page fix changes nothing: it stops."""
    spec = load_document(SEED)
    for item in spec["paths"].values():
        for parameter in item["get"]["parameters"]:
            if parameter["name"] == "page":
                parameter["schema"]["type"] = "integer"
    with pytest.raises(RedundantFixError) as raised:
        apply_fixes(spec, load_document(FIXES), pinned=False)
    problem = raised.value.problem
    assert (problem.kind, problem.target) == (FixProblem.REDUNDANT, PAGE_FIX)
    assert 'the spec already says {"type": "integer"}' in str(raised.value)
    assert "/paths/~1accounting~1asyncTask~1{taskId}/get/parameters/0/schema" in str(raised.value)


def test_spec_diff_lists_a_redundant_fix() -> None:
    """The same upstream through spec_diff: needs-review at the fix, and the page change is shown."""
    pinned = load_document(SEED)
    upstream = copy.deepcopy(pinned)
    upstream["paths"]["/accounting/asyncTask/{taskId}"]["get"]["parameters"][0]["schema"][
        "type"
    ] = "integer"
    changes = spec_diff.classify(pinned, upstream, load_document(FIXES))
    fix_changes = [c for c in changes if c.document == "fixes.yaml"]
    assert [(c.severity, c.pointer) for c in fix_changes if "redundant" in c.reason] == [
        (Severity.NEEDS_REVIEW, f"/actions/{_index(PAGE_FIX)}")
    ]


def test_a_deliberate_replacement_is_recorded_and_checked() -> None:
    """x-maesn-replaces allows exactly the value it records; any other value is a conflict."""
    spec = load_document(SEED)
    fixes = load_document(FIXES)
    (page_fix,) = [a for a in fixes["actions"] if a["target"] == PAGE_FIX]
    assert page_fix[REPLACES] == {"type": "number"}
    del page_fix[REPLACES]
    with pytest.raises(
        ConflictingFixError, match=r'schema/type = "number" \(the fix would replace'
    ):
        apply_fixes(spec, fixes, pinned=False)
    page_fix[REPLACES] = {"type": "string"}
    with pytest.raises(ConflictingFixError, match=r'the fix replaces "string" with "integer"'):
        apply_fixes(spec, fixes, pinned=False)


def test_a_fix_adding_a_ref_to_nothing_conflicts() -> None:
    """An update whose `$ref` points at a schema upstream no longer has is named as such."""
    spec = load_document(SEED)
    fixes = _fixes(
        {
            "target": "$.components.schemas.AsyncTaskResponseDto.properties",
            "description": "x",
            "update": {"owner": {"$ref": "#/components/schemas/OwnerDto"}},
        }
    )
    with pytest.raises(ConflictingFixError, match=r"adds \$ref '#/components/schemas/OwnerDto'"):
        apply_fixes(spec, fixes, pinned=False)


def test_a_pinned_only_fix_must_still_be_needed_where_it_matches() -> None:
    """x-maesn-needed-by: pinned excuses matching nothing elsewhere, not conflicting there."""
    _, outcomes = apply_fixes(load_document(SEED), load_document(FIXES), pinned=False)
    assert outcomes[_index(FIX_202)].stale
    with pytest.raises(ConflictingFixError):
        apply_fixes(load_document(DECLARES_202), load_document(FIXES), pinned=False)


def test_problem_fixes_are_left_out_when_collected() -> None:
    """Collected (for spec_diff) a problem fix is reported and not applied."""
    fixed, outcomes = apply_fixes(
        load_document(DECLARES_202), load_document(FIXES), pinned=False, allow_fix_problems=True
    )
    assert outcomes[_index(FIX_202)].problem is not None
    accepted = fixed["paths"]["/accounting/contacts"]["post"]["responses"]["202"]
    assert accepted["description"] == "Contact queued; poll the task until it is done."
    assert len(accepted["content"]["application/json"]["schema"]["allOf"]) == 2
