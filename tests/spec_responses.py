"""Validate a response body against openapi/maesn.yaml, the kind of check Prism's proxy makes.

Read straight from the pinned spec as Maesn published it (its `required` lists and `enum`s, which
openapi/fixes.yaml loosens for the generated parser), independently of the compact schemas the
sandbox itself reads. Each response schema becomes a JSON Schema (draft 7, what Prism's ajv
runs): OpenAPI 3.0's `nullable: true` allows null, components go to `definitions`, `format`
`date-time` (with a time zone) and `date` are checked.

`allOf` is merged, as Prism merges it before validating (json-schema-merge-allof), with one
reading the spec needs: a later member's property replaces an earlier one's. Every enveloped
answer is `allOf: [BaseResponseDto, {properties: {data: ...}}]` where BaseResponseDto says
`data: {type: object}`; as JSON Schema's `allOf`, no list could pass, and Prism's merge gives up
on that conflict and then validates nothing at all (checked against Prism 5.14: a list with a
record missing a required field passes). The operation's `data` is what the spec means.

A status the pinned spec does not declare but openapi/fixes.yaml does (the 202 of createContact,
createProject and createSalesOrder, which their 201 descriptions promise) is checked against the
fixed spec's declaration.
"""

from __future__ import annotations

import copy
import functools
from datetime import date, datetime
from typing import Any

import jsonschema

from scripts.regenerate import FIXES, SPEC, apply_fixes, load_document

__all__ = ["response_problems"]

_REF = "#/components/schemas/"


@functools.cache
def _specs() -> tuple[dict[str, Any], dict[str, Any]]:
    published = load_document(SPEC)
    fixed, _ = apply_fixes(copy.deepcopy(published), load_document(FIXES))
    return published, fixed


def _merge(base: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in later.items():
        if key == "properties" and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        elif key == "required" and isinstance(merged.get(key), list):
            merged[key] = sorted({*merged[key], *value})
        else:
            merged[key] = value
    return merged


def _convert(node: Any, components: dict[str, Any], *, inline: bool = False) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema draft 7 (refs to `definitions`)."""
    if isinstance(node, list):
        return [_convert(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = str(node["$ref"]).removeprefix(_REF)
        if inline:
            return _convert(components[name], components)
        return {"$ref": f"#/definitions/{name}"}
    converted: dict[str, Any] = {}
    for member in node.get("allOf") or ():
        converted = _merge(converted, _convert(member, components, inline=True))
    own = {
        key: (
            {name: _convert(value, components) for name, value in node[key].items()}
            if key == "properties"
            else _convert(node[key], components)
        )
        for key in node
        if key not in {"allOf", "nullable", "example", "examples", "description", "x-speakeasy"}
        and not key.startswith("x-")
    }
    converted = _merge(converted, own)
    if node.get("nullable"):
        return {"anyOf": [{"type": "null"}, converted]}
    return converted


_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@_FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    return not isinstance(value, str) or (bool(date.fromisoformat(value)) and len(value) == 10)


@functools.cache
def _validator(
    path: str, method: str, status: int
) -> tuple[str, jsonschema.Draft7Validator] | None:
    for spec in _specs():
        response = spec["paths"][path][method.lower()]["responses"].get(str(status))
        if response is None:
            continue
        components = spec["components"]["schemas"]
        media, content = next(iter((response.get("content") or {}).items()))
        schema = _convert(content["schema"], components)
        schema["definitions"] = {
            name: _convert(value, components) for name, value in components.items()
        }
        return str(media), jsonschema.Draft7Validator(schema, format_checker=_FORMATS)
    return None


def response_problems(path: str, method: str, status: int, body: bytes) -> list[str]:
    """Why `body` (answered with `status` to `method path`) breaks the spec; empty when it does not.

    `path` is the spec's path template (`/accounting/invoices/{invoiceId}`).
    """
    found = _validator(path, method, status)
    if found is None:
        return [f"status {status} is not declared for {method} {path}"]
    media, validator = found
    if "json" not in media:
        return [] if body.decode("utf-8") else ["the body is empty"]
    import json  # noqa: PLC0415 - only here

    try:
        document = json.loads(body)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]
