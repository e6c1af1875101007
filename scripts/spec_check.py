"""What makes a spec unusable before anything is compared or generated, named with its location.

OpenAPI requires each operationId to be unique (the generator makes one function of each) and
every `$ref` to point at something. A spec breaking either rule is not a change to classify or a
fix to write: it is an invalid description, reported as such by regeneration and spec_diff alike,
each problem with the JSON pointer (RFC 6901) where it is written. YAML syntax errors are
`scripts.spec_yaml.SpecYAMLError`, with their line and column.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

__all__ = [
    "METHODS",
    "InvalidSpecError",
    "SpecProblem",
    "check_spec",
    "escape",
    "join",
    "operation_name",
    "ref_problems",
    "resolve_ref",
    "short",
    "spec_problems",
]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: Keys whose values are data, not OpenAPI objects: a `$ref` key in an example is not a reference.
_DATA_KEYS = frozenset({"example"})
SHORT_VALUE_CHARS = 60


def escape(token: str | int) -> str:
    """One reference token escaped per RFC 6901 (`~` → `~0`, `/` → `~1`)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join(pointer: str, *tokens: str | int) -> str:
    """`pointer` extended by escaped reference tokens."""
    return pointer + "".join("/" + escape(token) for token in tokens)


def short(value: Any, limit: int = SHORT_VALUE_CHARS) -> str:
    """A value as compact JSON, cut to one short line of at most `limit` ("absent" for None)."""
    text = json.dumps(value, sort_keys=True, default=str) if value is not None else "absent"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def operation_name(path: str, method: str) -> str:
    """`GET /accounting/accounts`, as a maintainer reads it."""
    return f"{method.upper()} {path}"


@dataclass(frozen=True)
class SpecProblem:
    """One reason a spec is invalid: what (`kind`), where (a JSON pointer) and the details."""

    kind: str
    pointer: str
    detail: str
    #: The offending `$ref` value, for reference problems.
    ref: str = ""

    def __str__(self) -> str:
        return f"{self.kind} at {self.pointer}: {self.detail}"


class InvalidSpecError(ValueError):
    """The spec breaks a rule every OpenAPI description must keep; `problems` says where."""

    def __init__(self, name: str, problems: list[SpecProblem]) -> None:
        shown = "; ".join(str(problem) for problem in problems[:5])
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""  # noqa: PLR2004
        super().__init__(f"{name} is not a valid OpenAPI description: {shown}{more}")
        self.name = name
        self.problems = problems


def resolve_ref(spec: dict[str, Any], ref: str) -> tuple[bool, Any]:
    """Follow an internal `$ref` (`#/a/b`); (False, None) when nothing is there."""
    node: Any = spec
    fragment = urllib.parse.unquote(ref[1:])
    for raw in fragment.split("/")[1:] if fragment else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


def _duplicate_operation_ids(spec: dict[str, Any]) -> list[SpecProblem]:
    seen: dict[str, list[tuple[str, str]]] = {}
    paths = spec.get("paths")
    for path, item in paths.items() if isinstance(paths, dict) else ():
        for method in METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if isinstance(operation, dict) and isinstance(operation.get("operationId"), str):
                seen.setdefault(operation["operationId"], []).append((path, method))
    problems: list[SpecProblem] = []
    for operation_id, places in seen.items():
        if len(places) < 2:  # noqa: PLR2004 - one place is the rule
            continue
        names = " and ".join(operation_name(path, method) for path, method in places)
        problems.append(
            SpecProblem(
                "duplicate operationId",
                join("/paths", *places[1], "operationId"),
                f"{operation_id!r} is used by {names} (operationIds must be unique: each names "
                "one generated function)",
            )
        )
    return problems


def _refs(node: Any, pointer: str) -> list[tuple[str, Any]]:
    """Every `$ref` in `node` with the pointer of the object holding it (iteratively: no depth limit)."""
    found: list[tuple[str, Any]] = []
    stack: list[tuple[Any, str]] = [(node, pointer)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            if "$ref" in current:
                found.append((where, current["$ref"]))
            stack.extend(
                (value, join(where, key))
                for key, value in current.items()
                if key not in _DATA_KEYS and key != "$ref"
            )
        elif isinstance(current, list):
            stack.extend((value, join(where, index)) for index, value in enumerate(current))
    return sorted(found, key=lambda item: item[0])


def ref_problems(spec: dict[str, Any], node: Any, pointer: str = "") -> list[SpecProblem]:
    """The `$ref`s inside `node` (at `pointer`) that do not resolve within `spec`."""
    problems: list[SpecProblem] = []
    for where, ref in _refs(node, pointer):
        if not isinstance(ref, str) or not ref.startswith("#"):
            problems.append(
                SpecProblem(
                    "unsupported $ref",
                    join(where, "$ref"),
                    f"{ref!r} is not internal (only #/... references are supported)",
                    ref=str(ref),
                )
            )
        elif not resolve_ref(spec, ref)[0]:
            problems.append(
                SpecProblem(
                    "dangling $ref", join(where, "$ref"), f"{ref!r} points at nothing", ref=ref
                )
            )
    return problems


def spec_problems(spec: dict[str, Any]) -> list[SpecProblem]:
    """Duplicate operationIds and `$ref`s that point at nothing, each with its pointer."""
    return _duplicate_operation_ids(spec) + ref_problems(spec, spec)


def check_spec(spec: dict[str, Any], name: str) -> None:
    """Raise InvalidSpecError naming every problem of `spec` (called `name` in the message)."""
    if problems := spec_problems(spec):
        raise InvalidSpecError(name, problems)
