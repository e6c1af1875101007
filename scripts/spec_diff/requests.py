"""Comparing what a call sends: parameters (by location and name) and request bodies."""

from __future__ import annotations

from typing import Any

from scripts.spec_diff.model import Severity, join
from scripts.spec_diff.responses import content
from scripts.spec_diff.schemas import schema, show_values
from scripts.spec_diff.walk import Walk

__all__ = ["parameters", "request_body"]


def _closed_enum(walk: Walk, parameter: dict[str, Any]) -> str:
    """The words for a new parameter whose schema lists its values (a closed enum), else ""."""
    values = walk.new.schema(parameter.get("schema")).merged.get("enum")
    if not isinstance(values, list):
        return ""
    return (
        f", a closed enum: a request may only send {show_values(values)} "
        "(the generated argument is an enum)"
    )


def parameters(walk: Walk, old_list: list[Any], new_list: list[Any], pointer: str) -> None:
    """Compare two operations' parameters (path-level ones included)."""
    old, new = walk.old.parameters(old_list), walk.new.parameters(new_list)
    for key in sorted(old.keys() - new.keys()):
        where = join(pointer, key[0], old[key]["name"])
        elsewhere = [loc for loc, name in new.keys() - old.keys() if name.lower() == key[1].lower()]
        if elsewhere:
            walk.add(
                Severity.BREAKING,
                where,
                f"parameter {old[key]['name']!r} moved from {key[0]} to {elsewhere[0]}: "
                "the generated call sends it in the wrong place",
            )
        else:
            walk.add(
                Severity.BREAKING,
                where,
                f"{key[0]} parameter {old[key]['name']!r} removed: the generated function "
                "loses the argument",
            )
    for key in sorted(new.keys() - old.keys()):
        where = join(pointer, key[0], new[key]["name"])
        if any(name.lower() == key[1].lower() for _, name in old.keys() - new.keys()):
            continue  # reported as moved above
        enum = _closed_enum(walk, new[key])
        if new[key].get("required") is True:
            walk.add(
                Severity.BREAKING,
                where,
                f"new required {key[0]} parameter {new[key]['name']!r}{enum}: every call must "
                "send it",
            )
        else:
            walk.add(
                Severity.NON_BREAKING,
                where,
                f"new optional {key[0]} parameter {new[key]['name']!r}{enum}",
            )
    for key in sorted(old.keys() & new.keys()):
        _parameter(walk, old[key], new[key], join(pointer, key[0], new[key]["name"]))


def _parameter(walk: Walk, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
    was, now = old.get("required") is True, new.get("required") is True
    if was and not now:
        walk.add(
            Severity.NON_BREAKING,
            join(pointer, "required"),
            f"{old.get('in')} parameter {old['name']!r} no longer required",
        )
    elif now and not was:
        walk.add(
            Severity.BREAKING,
            join(pointer, "required"),
            f"{old.get('in')} parameter {old['name']!r} now required: calls without it fail",
        )
    schema(walk, old.get("schema"), new.get("schema"), join(pointer, "schema"), "request")
    walk.rest(old, new, pointer, {"name", "in", "required", "schema"})


def request_body(walk: Walk, old_node: Any, new_node: Any, operation: str) -> None:
    """Compare two operations' request bodies."""
    pointer = join(operation, "requestBody")
    old, new = walk.old.deref(old_node), walk.new.deref(new_node)
    if old is None and new is None:
        return
    if old is None:
        required = new.get("required") is True
        walk.add(
            Severity.BREAKING if required else Severity.NON_BREAKING,
            pointer,
            "request body added" + (" and required: every call must send it" if required else ""),
        )
        return
    if new is None:
        walk.add(Severity.BREAKING, pointer, "request body removed: the generated call loses it")
        return
    was, now = old.get("required") is True, new.get("required") is True
    if was != now:
        walk.add(
            Severity.BREAKING if now else Severity.NON_BREAKING,
            join(pointer, "required"),
            "request body now required" if now else "request body no longer required",
        )
    content(walk, old.get("content") or {}, new.get("content") or {}, pointer, "request")
    walk.rest(old, new, pointer, {"required", "content"})
