"""Comparing schemas: types, nullability, enums, properties, combinators, and the components.

`direction` is "request" or "response": the same change is judged in opposite ways (a property
turned required breaks callers of a request, and is a promise in a response).

Component schemas are compared on their own, at `/components/schemas/X`, whatever refers to them:
a use site whose `$ref` is the same on both sides only compares the keywords written next to the
`$ref`, and the component itself is queued (once per direction it is used in); every component
both specs have is compared even when nothing refers to it any more.
"""

from __future__ import annotations

import json
from typing import Any

from scripts.spec_diff.model import PROFILE_ROWS, PROFILES_TABLE, Severity, join
from scripts.spec_diff.walk import Walk

__all__ = ["components", "enum_values", "schema", "show_values"]

SCHEMA_KEYS = frozenset(
    {
        "$ref",
        "type",
        "nullable",
        "enum",
        "properties",
        "required",
        "items",
        "allOf",
        "oneOf",
        "anyOf",
        "additionalProperties",
    }
)
SUBSCHEMA_KEYS = frozenset({"items", "additionalProperties"})
STATUS_PROPERTY = "status"
REQUIRED_IN_RESPONSE = (
    "the generated parser then raises KeyError on a body without it; check that Maesn, the "
    "sandbox (maesn.testing) and the contract-test examples always send it"
)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _same_length(old: Any, new: Any) -> bool:
    """Both lists of the same length (compared member by member), or neither a list."""
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new)
    return not isinstance(old, list) and not isinstance(new, list)


def _align(old: list[Any], new: list[Any]) -> list[tuple[Any, int, Any]]:
    """Pair combinator members regardless of order: same `$ref`, else equal, else in order.

    Returns (old member, index in `new`, new member) for every pair.
    """

    def identity(member: Any) -> str:
        if isinstance(member, dict) and "$ref" in member:
            return "ref:" + str(member["$ref"])
        return "inline:" + json.dumps(member, sort_keys=True, default=str)

    unpaired = list(enumerate(new))
    pairs: list[tuple[Any, int, Any]] = []
    leftovers: list[Any] = []
    for member in old:
        match = next((item for item in unpaired if identity(item[1]) == identity(member)), None)
        if match is None:
            leftovers.append(member)
        else:
            unpaired.remove(match)
            pairs.append((member, *match))
    pairs += [(member, *item) for member, item in zip(leftovers, unpaired, strict=True)]
    return pairs


def _types(schema: dict[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list):
        return frozenset(str(t) for t in declared) - {"null"}
    return frozenset()


def _nullable(schema: dict[str, Any]) -> bool:
    declared = schema.get("type")
    return schema.get("nullable") is True or (isinstance(declared, list) and "null" in declared)


def _describe(types: frozenset[str]) -> str:
    return "|".join(sorted(types)) or "any"


def enum_values(schema: dict[str, Any]) -> dict[str, Any] | None:
    """A schema's enum values keyed by their JSON text, or None when it has no enum."""
    values = schema.get("enum")
    if not isinstance(values, list):
        return None
    return {json.dumps(value, sort_keys=True): value for value in values}


def show_values(values: list[Any]) -> str:
    """Enum values as they are written in the spec, in the spec's order."""
    return ", ".join(json.dumps(value) for value in values)


def _status_review_reason(verb: str, values: str) -> str:
    rows = ", ".join(PROFILE_ROWS)
    return (
        f"status value(s) {values} {verb}: the forward-compatible parser keeps any string, but "
        f"review which integration profile rows in {PROFILES_TABLE} ({rows}) may report it"
    )


def schema(walk: Walk, old_node: Any, new_node: Any, pointer: str, direction: str) -> None:
    """Compare two schema nodes found at `pointer` (resolving `$ref`s)."""
    old, new = walk.old.schema(old_node), walk.new.schema(new_node)
    if old.ref is not None and old.ref == new.ref:
        site_keys = (old.siblings.keys() | new.siblings.keys()) - {"$ref"}
        if site_keys:
            _body(walk, old.merged, new.merged, pointer, direction, keys=site_keys)
        walk.pending.append((old.ref, direction))
        return
    key = (old.ref or pointer, new.ref or pointer, direction)
    if key in walk.seen:
        return
    walk.seen.add(key)
    _body(walk, old.merged, new.merged, pointer, direction)


def components(walk: Walk) -> None:
    """Compare every component schema on its own; report those added or removed."""
    old_schemas, new_schemas = walk.old.schemas, walk.new.schemas
    for name in sorted(old_schemas.keys() - new_schemas.keys()):
        walk.add(
            Severity.NEEDS_REVIEW,
            join("/components/schemas", name),
            "schema removed: its generated model goes",
        )
    for name in sorted(new_schemas.keys() - old_schemas.keys()):
        walk.add(
            Severity.NON_BREAKING,
            join("/components/schemas", name),
            "schema added: a new generated model",
            group="schemas added",
            name=name,
        )
    done: set[tuple[str, str]] = set()
    compared: set[str] = set()

    def drain() -> None:
        while walk.pending:
            ref, direction = walk.pending.pop(0)
            if (ref, direction) in done:
                continue
            done.add((ref, direction))
            compared.add(ref)
            _, old_target = walk.old.lookup("#" + ref)
            _, new_target = walk.new.lookup("#" + ref)
            _body(walk, _mapping(old_target), _mapping(new_target), ref, direction)

    drain()
    for name in sorted(old_schemas.keys() & new_schemas.keys()):
        pointer = join("/components/schemas", name)
        if pointer not in compared:
            walk.pending.append((pointer, "response"))
            drain()


def _body(
    walk: Walk,
    old: dict[str, Any],
    new: dict[str, Any],
    pointer: str,
    direction: str,
    *,
    keys: set[str] | None = None,
) -> None:
    """Compare two resolved schemas; with `keys`, only those keywords (a `$ref`'s siblings)."""

    def wanted(*names: str) -> bool:
        return keys is None or bool(keys.intersection(names))

    request = direction == "request"
    if wanted("allOf") and not _same_length(old.get("allOf"), new.get("allOf")):
        old, new = walk.old.flatten(old), walk.new.flatten(new)
    if wanted("type", "nullable"):
        _type_and_nullable(walk, old, new, pointer, request=request)
    if wanted("enum"):
        _enum(walk, old, new, pointer, request=request)
    if wanted("properties", "required"):
        _properties(walk, old, new, pointer, request=request)
    for keyword in ("allOf", "oneOf", "anyOf", "items", "additionalProperties"):
        if wanted(keyword):
            compare = _subschema if keyword in SUBSCHEMA_KEYS else _combinator
            compare(walk, old.get(keyword), new.get(keyword), join(pointer, keyword), direction)
    if keys is not None:
        old = {k: v for k, v in old.items() if k in keys}
        new = {k: v for k, v in new.items() if k in keys}
    walk.rest(old, new, pointer, set(SCHEMA_KEYS))


def _combinator(walk: Walk, old: Any, new: Any, pointer: str, direction: str) -> None:
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for old_member, index, new_member in _align(old, new):
            schema(walk, old_member, new_member, join(pointer, index), direction)
    elif old != new:
        keyword = pointer.rsplit("/", 1)[-1]
        walk.add(
            Severity.NEEDS_REVIEW,
            pointer,
            f"{keyword} changed from {len(old or [])} to {len(new or [])} alternatives: "
            "the generated union changes",
        )


def _subschema(walk: Walk, old: Any, new: Any, pointer: str, direction: str) -> None:
    if isinstance(old, dict) or isinstance(new, dict):
        schema(walk, _mapping(old), _mapping(new), pointer, direction)
    else:
        walk.generic(old, new, pointer)


def _type_and_nullable(
    walk: Walk, old: dict[str, Any], new: dict[str, Any], pointer: str, *, request: bool
) -> None:
    old_types, new_types = _types(old), _types(new)
    if old_types != new_types:
        walk.add(
            Severity.BREAKING,
            join(pointer, "type"),
            f"type changed from {_describe(old_types)} to {_describe(new_types)}: the "
            "generated type changes",
        )
    was, now = _nullable(old), _nullable(new)
    if was == now:
        return
    where = join(pointer, "nullable")
    if request:
        walk.add(
            Severity.NON_BREAKING if now else Severity.BREAKING,
            where,
            "now accepts null" if now else "no longer accepts null: calls sending null fail",
        )
    elif now and not new_types:
        walk.add(Severity.NON_BREAKING, where, "became nullable: any JSON value includes null")
    else:
        walk.add(
            Severity.BREAKING if now else Severity.NON_BREAKING,
            where,
            "became nullable: typed consumers now get None (`X | None`)"
            if now
            else "no longer nullable",
        )


def _enum(
    walk: Walk, old: dict[str, Any], new: dict[str, Any], pointer: str, *, request: bool
) -> None:
    old_values, new_values = enum_values(old), enum_values(new)
    if old_values == new_values:
        return
    where = join(pointer, "enum")
    if old_values is None:
        listed = show_values(new["enum"])
        walk.add(
            Severity.BREAKING if request else Severity.NON_BREAKING,
            where,
            f"closed enum added: requests are now restricted to {listed}; other values fail"
            if request
            else f"enum added ({listed}): parsed open, unknown values still read",
        )
        return
    if new_values is None:
        walk.add(
            Severity.NON_BREAKING if request else Severity.NEEDS_REVIEW,
            where,
            "enum removed: any value is allowed"
            + ("" if request else "; review code that matches on the listed values"),
        )
        return
    gained = [new_values[k] for k in new_values.keys() - old_values.keys()]
    lost = [old_values[k] for k in old_values.keys() - new_values.keys()]
    status = pointer.endswith(f"/properties/{STATUS_PROPERTY}")
    for values, verb in ((gained, "added"), (lost, "removed")):
        if not values:
            continue
        shown = ", ".join(json.dumps(v) for v in sorted(values, key=json.dumps))
        if request:
            severity = Severity.NON_BREAKING if verb == "added" else Severity.BREAKING
            reason = f"request enum value(s) {shown} {verb}"
        elif status:
            severity = Severity.NEEDS_REVIEW
            reason = _status_review_reason(verb, shown)
        else:
            severity = Severity.NON_BREAKING if verb == "added" else Severity.NEEDS_REVIEW
            reason = f"response enum value(s) {shown} {verb} (enums are parsed open)"
        walk.add(severity, where, reason)


def _properties(
    walk: Walk, old: dict[str, Any], new: dict[str, Any], pointer: str, *, request: bool
) -> None:
    direction = "request" if request else "response"
    old_props, new_props = _mapping(old.get("properties")), _mapping(new.get("properties"))
    old_required = set(old.get("required") or [])
    new_required = set(new.get("required") or [])
    if old_props and not new_props:
        walk.add(
            Severity.BREAKING,
            join(pointer, "properties"),
            f"became a free-form object: its {len(old_props)} properties are no longer "
            "described (generated as a plain dict)",
        )
        return
    if new_props and not old_props:
        walk.add(
            Severity.NEEDS_REVIEW,
            join(pointer, "properties"),
            f"now describes {len(new_props)} properties: a free-form value becomes a model",
        )
        return
    for name in sorted(old_props.keys() - new_props.keys()):
        walk.add(
            Severity.BREAKING,
            join(pointer, "properties", name),
            "request property removed"
            if request
            else "response property removed: typed reads of it fail",
        )
    for name in sorted(new_props.keys() - old_props.keys()):
        where = join(pointer, "properties", name)
        if name not in new_required:
            walk.add(Severity.NON_BREAKING, where, f"{direction} property added (optional)")
        elif request:
            walk.add(Severity.BREAKING, where, "required request property added")
        else:
            nullable = _nullable(walk.new.schema(new_props[name]).merged)
            walk.add(
                Severity.NEEDS_REVIEW,
                where,
                f"response property added, required{' but nullable' if nullable else ''}: "
                + REQUIRED_IN_RESPONSE,
            )
    for name in sorted(old_props.keys() & new_props.keys()):
        where = join(pointer, "properties", name)
        was, now = name in old_required, name in new_required
        if was != now and request:
            walk.add(
                Severity.BREAKING if now else Severity.NON_BREAKING,
                join(where, "required"),
                "request property became required" if now else "request property optional",
            )
        elif was != now:
            walk.add(
                Severity.NEEDS_REVIEW if now else Severity.BREAKING,
                join(where, "required"),
                "became required: " + REQUIRED_IN_RESPONSE
                if now
                else "no longer required: typed reads may meet Unset",
            )
        schema(walk, old_props[name], new_props[name], where, direction)
