"""The response schemas of Maesn's published spec: what every sandbox answer must satisfy.

The regeneration writes them into the typed resources (`maesn_resources/_schemas.json`, see
`scripts/regenerate_typed/schemas.py`): per operationId and declared 2xx status, the body's
schema as Maesn published it (its `required` lists and `enum`s), normalised (`$ref` by component
name, `allOf` merged). This module reads that file and knows four things about a schema:

- `sample(schema)`: the smallest valid value: null where `nullable`, the first `enum` value, an
  object with only its required properties;
- `conform(schema, value)`: `value` made valid: properties the schema declares are kept where
  their values are valid (conformed recursively), others dropped, missing required ones sampled.
  How a request body (a request DTO) becomes a response object (a response DTO);
- `problems(schema, value)`: why `value` is not valid, one `(where, what)` a problem, checking
  what Prism checks (types, OpenAPI 3.0 `nullable`, `required`, `enum`, `format: date-time` and
  `date`, `items`, `oneOf`/`anyOf`). How seeded records are refused;
- `resolve(schema)`: a `$ref` followed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any, Literal

__all__ = [
    "BodySchema",
    "body_schema",
    "conform",
    "problems",
    "resolve",
    "sample",
]

Schema = Mapping[str, Any]
_SAMPLE_DATE_TIME = "2026-01-01T00:00:00.000Z"
_SAMPLE_DATE = "2026-01-01"
_SAMPLE_TEXT = "sandbox"
_MAX_DEPTH = 12
"""How deep `sample` builds required objects (a guard against schemas that require themselves)."""


@dataclass(frozen=True)
class BodySchema:
    """The declared body of one status of one operation."""

    content: Literal["json", "text"]
    schema: Schema


@functools.cache
def _document() -> Mapping[str, Any]:
    text = resources.files("maesn_resources").joinpath("_schemas.json").read_text("utf-8")
    loaded: Mapping[str, Any] = json.loads(text)
    return loaded


def body_schema(operation_id: str, status: int) -> BodySchema | None:
    """The published schema of `operation_id`'s `status` answer (None: not declared)."""
    found = _document()["operations"].get(operation_id, {}).get(str(status))
    if found is None:
        return None
    return BodySchema(content=found["content"], schema=found["schema"])


def resolve(schema: Schema) -> Schema:
    """`schema`, or the component schema its `$ref` names."""
    seen = 0
    while "$ref" in schema and seen < _MAX_DEPTH:
        schema = _document()["schemas"][schema["$ref"]]
        seen += 1
    return schema


def _types(schema: Schema) -> tuple[str, ...]:
    kind = schema.get("type")
    if kind is None:
        return ()
    return tuple(kind) if isinstance(kind, list) else (str(kind),)


def _sample_object(schema: Schema, depth: int) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    if depth >= _MAX_DEPTH:
        return {}
    return {
        name: sample(properties.get(name, {}), depth=depth + 1)
        for name in schema.get("required") or ()
    }


def _sample_string(schema: Schema) -> str:
    formats = {"date-time": _SAMPLE_DATE_TIME, "date": _SAMPLE_DATE}
    return formats.get(str(schema.get("format")), _SAMPLE_TEXT)


def _sample_number(schema: Schema) -> int:
    return max(0, int(schema.get("minimum", 0)))


_SAMPLES: Mapping[str, Callable[[Schema], Any]] = {
    "array": lambda _schema: [],
    "string": _sample_string,
    "number": _sample_number,
    "integer": _sample_number,
    "boolean": lambda _schema: False,
}


def sample(schema: Schema, *, depth: int = 0) -> Any:
    """The smallest value valid by `schema`."""
    schema = resolve(schema)
    if schema.get("nullable") or not (set(schema) - {"readOnly", "writeOnly"}):
        return None
    if schema.get("enum"):
        return schema["enum"][0]
    members = schema.get("oneOf") or schema.get("anyOf")
    if members:
        return sample(members[0], depth=depth + 1)
    types = _types(schema)
    kind = types[0] if types else ("object" if "properties" in schema else "")
    if kind == "object":
        return _sample_object(schema, depth)
    make = _SAMPLES.get(kind)
    return None if make is None else make(schema)


def conform(schema: Schema, value: Any) -> Any:
    """`value` made valid by `schema`, keeping what already is (see the module docstring)."""
    schema = resolve(schema)
    if not problems(schema, value):
        return _trimmed(schema, value)
    if value is None:
        return sample(schema)
    types = _types(schema)
    if isinstance(value, dict) and ("object" in types or (not types and "properties" in schema)):
        properties: Mapping[str, Schema] = schema.get("properties") or {}
        kept = {
            name: conform(properties[name], item)
            for name, item in value.items()
            if name in properties
        }
        for name in schema.get("required") or ():
            if name not in kept:
                kept[name] = sample(properties.get(name, {}))
        return kept
    if isinstance(value, list) and "array" in types:
        items = schema.get("items") or {}
        return [conform(items, item) for item in value]
    if isinstance(value, float) and value.is_integer() and "integer" in types:
        return int(value)
    return sample(schema)


def _trimmed(schema: Schema, value: Any) -> Any:
    """A valid `value` without the object properties `schema` does not declare."""
    schema = resolve(schema)
    if isinstance(value, dict) and isinstance(schema.get("properties"), Mapping):
        properties = schema["properties"]
        return {
            name: _trimmed(properties[name], item)
            for name, item in value.items()
            if name in properties
        }
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [_trimmed(schema["items"], item) for item in value]
    return value


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES: Mapping[str, Callable[[Any], bool]] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "integer": _is_integer,
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "null": lambda value: value is None,
}


def _type_matches(kind: str, value: Any) -> bool:
    check = _TYPES.get(kind)
    return check is not None and check(value)


def _format_problem(schema: Schema, value: str) -> str | None:
    form = schema.get("format")
    try:
        if form == "date-time":
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                return f"{value!r} is not an RFC 3339 date-time (it has no time zone)"
        elif form == "date":
            date.fromisoformat(value)
            if len(value) != len("2026-01-31"):
                return f"{value!r} is not a YYYY-MM-DD date"
    except ValueError:
        return f"{value!r} is not a valid {form}"
    return None


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."  # noqa: PLR2004


def _shape_problems(schema: Schema, value: Any, where: str) -> list[tuple[str, str]]:
    """What is wrong with `value` itself (not its members): null, enum, type, oneOf, format."""
    here = where or "(value)"
    if value is None:
        if schema.get("nullable") or not _types(schema):
            return []
        return [(here, "is null, which is not allowed here")]
    if schema.get("enum") is not None and value not in schema["enum"]:
        choices = ", ".join(json.dumps(choice) for choice in schema["enum"])
        return [(here, f"{_shown(value)} is not one of {choices}")]
    types = _types(schema)
    if types and not any(_type_matches(kind, value) for kind in types):
        return [(here, f"{_shown(value)} is not of type {' or '.join(types)}")]
    for key in ("oneOf", "anyOf"):
        members = schema.get(key)
        if members and all(problems(member, value, where) for member in members):
            return [(here, f"{_shown(value)} matches none of the {key} schemas")]
    problem = _format_problem(schema, value) if isinstance(value, str) else None
    return [] if problem is None else [(here, problem)]


def problems(schema: Schema, value: Any, where: str = "") -> list[tuple[str, str]]:
    """Why `value` is not valid by `schema`: `(where, what)` pairs, empty when it is valid."""
    schema = resolve(schema)
    found = _shape_problems(schema, value, where)
    if found or value is None:
        return found
    if isinstance(value, dict):
        properties: Mapping[str, Schema] = schema.get("properties") or {}
        found += [
            (f"{where}.{name}" if where else name, "is required but missing")
            for name in schema.get("required") or ()
            if name not in value
        ]
        for name, item in value.items():
            if name in properties:
                found += problems(properties[name], item, f"{where}.{name}" if where else name)
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            found += problems(schema["items"], item, f"{where}[{index}]")
    return found
