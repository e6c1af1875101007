"""The whole comparison: the document, its operations, its components, and the fixes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scripts.regenerate import apply_fixes
from scripts.spec_check import METHODS
from scripts.spec_diff.model import Change, Severity, join, short
from scripts.spec_diff.requests import parameters, request_body
from scripts.spec_diff.responses import responses
from scripts.spec_diff.schemas import components
from scripts.spec_diff.walk import Walk

__all__ = ["classify", "diff_specs"]

Operations = dict[tuple[str, str], dict[str, Any]]


def diff_specs(pinned: dict[str, Any], upstream: dict[str, Any]) -> list[Change]:
    """Every difference between two OpenAPI descriptions, classified for a typed client."""
    walk = Walk.of(pinned, upstream)
    old, new = pinned, upstream
    walk.generic(old.get("info"), new.get("info"), "/info", docs=True)
    walk.generic(old.get("tags"), new.get("tags"), "/tags", docs=True)
    if old.get("servers") != new.get("servers"):
        walk.add(
            Severity.NEEDS_REVIEW,
            "/servers",
            f"servers changed from {short(old.get('servers'))} to {short(new.get('servers'))}: "
            "check the client's default base URL",
        )
    # `security: []` and no `security` both mean "no requirement".
    if (old.get("security") or []) != (new.get("security") or []):
        walk.add(Severity.NEEDS_REVIEW, "/security", "security changed: check the key headers")
    _paths(walk, old.get("paths") or {}, new.get("paths") or {})
    components(walk)
    _other_components(walk)
    handled = {"info", "tags", "servers", "security", "paths", "components"}
    walk.rest(old, new, "", handled)
    unique: dict[Change, None] = dict.fromkeys(walk.changes)  # a component met in both directions
    return list(unique)


def _operations(paths: dict[str, Any]) -> Operations:
    return {
        (path, method): item[method]
        for path, item in paths.items()
        if isinstance(item, dict)
        for method in METHODS
        if isinstance(item.get(method), dict)
    }


def _paths(walk: Walk, old: dict[str, Any], new: dict[str, Any]) -> None:
    old_ops, new_ops = _operations(old), _operations(new)
    removed = sorted(old_ops.keys() - new_ops.keys())
    added = sorted(new_ops.keys() - old_ops.keys())
    by_id = {
        new_ops[key].get("operationId"): key for key in added if new_ops[key].get("operationId")
    }
    for key in removed:
        pointer = join("/paths", *key)
        moved = by_id.pop(old_ops[key].get("operationId"), None)
        if moved is None:
            walk.add(Severity.BREAKING, pointer, "operation removed: calls to it fail")
            continue
        added.remove(moved)
        what = "path" if moved[0] != key[0] else "method"
        walk.add(
            Severity.BREAKING,
            pointer,
            f"operation {old_ops[key].get('operationId')} moved to {moved[1].upper()} "
            f"{moved[0]} ({what} changed): the generated call targets the old one",
        )
        _operation(walk, old, new, key, moved)
    for key in added:
        operation = new_ops[key]
        tags = operation.get("tags")
        module = str(tags[0]) if isinstance(tags, list) and tags else "default"
        walk.add(
            Severity.NON_BREAKING,
            join("/paths", *key),
            "operation added: a new generated function",
            group=f"operations added in api/{module}",
            name=str(operation.get("operationId") or f"{key[1].upper()} {key[0]}"),
        )
    for key in sorted(old_ops.keys() & new_ops.keys()):
        _operation(walk, old, new, key, key)
    for path in sorted(old.keys() & new.keys()):
        old_item, new_item = old[path], new[path]
        if isinstance(old_item, dict) and isinstance(new_item, dict):
            walk.rest(old_item, new_item, join("/paths", path), {*METHODS, "parameters"})


def _operation(
    walk: Walk,
    old_paths: dict[str, Any],
    new_paths: dict[str, Any],
    old_key: tuple[str, str],
    new_key: tuple[str, str],
) -> None:
    old_op, new_op = old_paths[old_key[0]][old_key[1]], new_paths[new_key[0]][new_key[1]]
    pointer = join("/paths", *new_key)
    for key, what in (("operationId", "function"), ("tags", "module")):
        if old_op.get(key) != new_op.get(key):
            walk.add(
                Severity.BREAKING,
                join(pointer, key),
                f"{key} changed from {short(old_op.get(key))} to {short(new_op.get(key))}: "
                f"the generated {what} is renamed",
            )
    parameters(
        walk,
        [*old_paths[old_key[0]].get("parameters", []), *old_op.get("parameters", [])],
        [*new_paths[new_key[0]].get("parameters", []), *new_op.get("parameters", [])],
        join(pointer, "parameters"),
    )
    request_body(walk, old_op.get("requestBody"), new_op.get("requestBody"), pointer)
    responses(walk, old_op.get("responses") or {}, new_op.get("responses") or {}, pointer)
    if "security" in old_op or "security" in new_op:
        # An operation without `security` inherits the document's; `[]` and none are the same.
        was = old_op.get("security", walk.old.spec.get("security")) or []
        now = new_op.get("security", walk.new.spec.get("security")) or []
        if was != now:
            walk.add(
                Severity.NEEDS_REVIEW,
                join(pointer, "security"),
                "security changed: check the key headers",
            )
    handled = {"operationId", "tags", "parameters", "requestBody", "responses", "security"}
    walk.rest(old_op, new_op, pointer, handled)


def _other_components(walk: Walk) -> None:
    old = walk.old.spec.get("components") or {}
    new = walk.new.spec.get("components") or {}
    for section in sorted(old.keys() | new.keys()):
        if section in {"schemas", "parameters", "requestBodies", "responses"}:
            continue  # schemas on their own, the others where operations use them
        walk.generic(old.get(section), new.get(section), join("/components", section))


_DOWNGRADABLE = frozenset({Severity.BREAKING, Severity.NEEDS_REVIEW})


def _judged(change: Change, still: dict[str, int]) -> Change:
    """`change` as this client sees it, given the changes left once the fixes are applied.

    `still` maps each pointer changed between the fixed specs to its most severe class's rank.
    """
    rank = list(Severity).index(change.severity)
    if change.severity not in _DOWNGRADABLE or still.get(change.pointer, len(Severity)) <= rank:
        return change
    if change.pointer.endswith("/enum"):  # the fixes open every enum; value changes stay visible
        return change
    return replace(
        change,
        severity=Severity.NON_BREAKING,
        reason=f"{change.reason.split(':')[0]} in Maesn's spec, but not once openapi/fixes.yaml "
        f"is applied to both (not {change.severity} for this client)",
    )


def classify(
    pinned: dict[str, Any], upstream: dict[str, Any], fixes: dict[str, Any]
) -> list[Change]:
    """Maesn's changes judged for this client: with the fixes applied to both, and fix problems.

    The raw specs are compared (pointers name Maesn's document; enum changes stay visible even
    though a fix opens the enums). A breaking or needs-review change that is gone (or milder) once
    the fixes are applied to both specs is downgraded to non-breaking, saying so: the fixes
    already generate that part the new way, or keep generating it the old way. A fix that is
    stale, redundant or conflicting on upstream is needs-review, naming the fix and what upstream
    now says (regeneration would refuse it); it is left out of the fixed upstream.
    """
    fixed_pinned, _ = apply_fixes(pinned, fixes, allow_fix_problems=True)
    fixed_upstream, outcomes = apply_fixes(upstream, fixes, allow_fix_problems=True)
    still: dict[str, int] = {}
    for change in diff_specs(fixed_pinned, fixed_upstream):
        rank = list(Severity).index(change.severity)
        still[change.pointer] = min(rank, still.get(change.pointer, rank))
    changes = [_judged(change, still) for change in diff_specs(pinned, upstream)]
    return changes + [
        Change(
            Severity.NEEDS_REVIEW,
            f"/actions/{index}",
            str(outcome.problem),
            document="fixes.yaml",
        )
        for index, outcome in enumerate(outcomes)
        if outcome.problem is not None
    ]
