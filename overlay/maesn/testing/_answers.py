"""The bodies the sandbox answers with, each valid by the operation's published response schema.

`answer(operation, status, data)` conforms `data` (a stored record, a list of them, a sample) to
the schema of the envelope's `data` (or of the whole body, for an answer without the envelope)
and wraps it in Maesn's envelope: `meta` (warnings, and `pagination` for a list that pages),
`data`, and `errors` and `rawData` (both null).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from maesn._operations import Operation

from ._schemas import BodySchema, body_schema, conform, resolve
from ._tasks import encode_json

__all__ = ["answer", "body_of", "data_schema", "envelope", "item_schema"]

_TEXT = "<!DOCTYPE html><html><body>Maesn sandbox</body></html>"


def envelope(
    data: Any,
    *,
    warnings: Sequence[str] = (),
    pagination: Mapping[str, int] | None = None,
) -> bytes:
    """Maesn's response envelope: `meta`, `data`, and `errors` and `rawData` (both null)."""
    meta: dict[str, Any] = {"warnings": list(warnings)}
    if pagination is not None:
        meta["pagination"] = dict(pagination)
    return b"".join(
        (
            b'{"meta":',
            encode_json(meta),
            b',"data":',
            encode_json(data),
            b',"errors":null,"rawData":null}',
        )
    )


def body_of(operation: Operation, status: int) -> BodySchema:
    """The published body schema of `operation`'s `status` (an empty one when undeclared)."""
    return body_schema(operation.operation_id, status) or BodySchema(content="json", schema={})


def data_schema(operation: Operation, status: int) -> Mapping[str, Any]:
    """The schema of the answer's `data` (or of the whole body without the envelope)."""
    reply = operation.replies.get(status)
    schema = resolve(body_of(operation, status).schema)
    if reply is not None and reply.envelope:
        properties = schema.get("properties") or {}
        return resolve(properties.get("data") or {})
    return schema


def item_schema(operation: Operation, status: int) -> Mapping[str, Any]:
    """The schema of one record this answer carries (a list's item schema, else `data`'s)."""
    schema = data_schema(operation, status)
    if schema.get("type") == "array":
        return resolve(schema.get("items") or {})
    return schema


def answer(
    operation: Operation,
    status: int,
    data: Any,
    *,
    pagination: Mapping[str, int] | None = None,
    warnings: Sequence[str] = (),
) -> tuple[bytes, str]:
    """The body (valid by the spec) and its content type for `data` answered with `status`."""
    reply = operation.replies.get(status)
    declared = body_of(operation, status)
    schema = data_schema(operation, status)
    if schema.get("type") == "array" and isinstance(data, Mapping):
        data = [data]
    shaped = conform(schema, data)
    if declared.content == "text":
        text = shaped if isinstance(shaped, str) and shaped != "sandbox" else _TEXT
        return text.encode(), "text/html; charset=utf-8"
    if reply is not None and reply.envelope:
        body = envelope(shaped, warnings=warnings, pagination=pagination)
    else:
        body = encode_json(shaped)
    return body, "application/json; charset=utf-8"
