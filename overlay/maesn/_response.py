"""From an HTTP answer to a `Task` or a typed error: the one place responses are interpreted.

A 2xx body must be the async-task envelope the spec describes (`AsyncTaskEnvelope`: `data` with
`status`, `information` and `responseData`; `meta` with `warnings` and `pagination`). It is
checked field by field here, strictly: a body of another shape is a `ResponseValidationError`
keeping the raw body, never a half-parsed Task. Bodies are decoded by `_decoding.decode_json`
(orjson with the `fast` extra, json where orjson refuses a valid body: both give the same Task);
the errors are built by `_errors`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from ._decoding import decode_json
from ._errors import error_from_response, not_the_envelope
from ._models import Pagination, Task, TaskInformation
from ._profiles import Integration
from ._status import TaskStatus

__all__ = [
    "envelope_pagination",
    "envelope_warnings",
    "task_from_payload",
    "task_from_response",
]


Redact = Callable[[str], str]
_KNOWN_STATUSES = {status.value: status for status in TaskStatus}
_INFORMATION_FIELDS = ("message", "type", "filename", "timestamp")
_COUNTS = (("total", "total"), ("perPage", "per_page"), ("currentPage", "current_page"))


def task_from_response(
    response: httpx.Response,
    *,
    task_id: str,
    integration: Integration | str | None,
    attempts: int,
    redact: Redact,
) -> Task:
    """Interpret a response: a Task for a 2xx envelope, else raise the typed error."""
    if not 200 <= response.status_code < 300:  # noqa: PLR2004
        raise error_from_response(
            response,
            attempts=attempts,
            redact=redact,
            task_id=task_id,
            integration=str(integration) if integration is not None else None,
        )
    raw = response.content
    try:
        payload = decode_json(raw)
    except (ValueError, RecursionError) as exc:
        content_type = response.headers.get("content-type", "no content type")
        reason = redact(f"not JSON ({content_type}; {type(exc).__name__}: {exc})")
        raise not_the_envelope(reason, raw, response.status_code, attempts, redact) from None
    try:
        return task_from_payload(
            payload, task_id=task_id, integration=integration, attempts=attempts, redact=redact
        )
    except _NotTheEnvelopeError as exc:
        raise not_the_envelope(
            exc.describe(redact), raw, response.status_code, attempts, redact
        ) from None


class _NotTheEnvelopeError(ValueError):
    """A decoded body that is not the envelope the spec describes."""

    def __init__(self, name: str, value: object = None, wanted: str = "") -> None:
        super().__init__(name)
        self.name, self.value, self.wanted = name, value, wanted

    def describe(self, redact: Redact) -> str:
        """The reason, with the offending value redacted first and then shortened."""
        if not self.wanted:
            return self.name
        value = self.value
        if isinstance(value, dict | list):
            shown = f"of {len(value)} items"
        else:
            text = redact(repr(value))
            shown = text if len(text) <= 60 else f"{text[:60]}..."  # noqa: PLR2004
        return f"{self.name} is {_kind(value)} {shown}, not {self.wanted}"


def _kind(value: object) -> str:
    """A JSON value's kind as JSON names it."""
    if value is None:
        return "null"
    kinds = {dict: "object", list: "list", str: "string", bool: "boolean", int: "number"}
    return kinds.get(type(value), "number" if isinstance(value, float) else type(value).__name__)


def _wrong(name: str, value: object, wanted: str) -> _NotTheEnvelopeError:
    return _NotTheEnvelopeError(name, value, wanted)


def _object(value: object, name: str, *, required: bool = False) -> dict[str, Any] | None:
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        if value is None:
            raise _NotTheEnvelopeError(f"{name} is missing")
        raise _wrong(name, value, "an object")
    return value


def _optional_str(value: object, name: str, redact: Redact) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _wrong(name, value, "a string")
    return redact(value)


def _information(items: object, redact: Redact) -> tuple[TaskInformation, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise _wrong("data.information", items, "a list of objects")
    result = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _wrong(f"data.information[{index}]", item, "an object")
        message, type_, filename, timestamp = (
            _optional_str(item.get(name), f"data.information[{index}].{name}", redact)
            for name in _INFORMATION_FIELDS
        )
        result.append(TaskInformation(message, type_, filename, timestamp))
    return tuple(result)


def _count(value: object, name: str) -> int:
    # JSON has one number type: accept 50000.0 as 50000, refuse 1.5, strings and booleans.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _wrong(f"meta.pagination.{name}", value, "a count")
    return value


def _pagination(meta: dict[str, Any]) -> Pagination | None:
    page = _object(meta.get("pagination"), "meta.pagination")
    if page is None:
        return None
    total, per_page, current = (_count(page.get(key), key) for key, _ in _COUNTS)
    return Pagination(
        total=total,
        per_page=per_page,
        current_page=current,
        total_pages=_count(page.get("totalPages"), "totalPages"),
    )


def _warnings(meta: dict[str, Any], redact: Redact) -> tuple[str, ...]:
    warnings = meta.get("warnings")
    if warnings is None:
        return ()
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise _wrong("meta.warnings", warnings, "a list of strings")
    return tuple(redact(w) for w in warnings)


def task_from_payload(
    payload: object,
    *,
    task_id: str,
    integration: Integration | str | None,
    attempts: int,
    redact: Redact,
) -> Task:
    """Build a Task from a decoded body; raises _NotTheEnvelopeError on any other shape.

    The texts a Task shows (an unknown status, information, warnings) are redacted here, once, so
    no message, repr or log built from a Task can carry a key a server echoed back.
    `responseData` is kept exactly as sent; `Task.envelope` and `Task.to_dict()` redact lazily.
    """
    body = _object(payload, "the body", required=True)
    assert body is not None  # noqa: S101 - required=True never returns None
    data = _object(body.get("data"), "`data`", required=True)
    assert data is not None  # noqa: S101
    if "status" not in data:
        raise _NotTheEnvelopeError("data.status is missing")
    status = data["status"]
    if status is None:
        # Maesn's published spec lets `status` be null; a task without one cannot be interpreted.
        raise _NotTheEnvelopeError("data.status is null")
    if not isinstance(status, str):
        raise _wrong("data.status", status, "a string")
    meta = _object(body.get("meta"), "meta") or {}
    task = Task(
        task_id=task_id,
        integration=integration,
        status=_KNOWN_STATUSES.get(status) or redact(status),
        information=_information(data.get("information"), redact),
        response_data=data.get("responseData"),
        warnings=_warnings(meta, redact),
        pagination=_pagination(meta),
        attempts=attempts,
    )
    return task._with_body(body, redact)  # noqa: SLF001 - the parser attaches the body, once


def envelope_pagination(meta: dict[str, Any]) -> Pagination | None:
    """`meta.pagination` of any envelope, checked (a ValueError says what is wrong)."""
    return _pagination(meta)


def envelope_warnings(meta: dict[str, Any], redact: Redact) -> tuple[str, ...]:
    """`meta.warnings` of any envelope, redacted and checked (a ValueError says what is wrong)."""
    return _warnings(meta, redact)
