"""From an HTTP answer to a `Task` or a typed error: the one place responses are interpreted."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
from maesn_api.types import Unset

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    ResponseValidationError,
    status_error_class,
)
from ._models import Pagination, Task, TaskInformation
from ._profiles import Integration
from ._retry import parse_retry_after
from ._status import TaskStatus

if TYPE_CHECKING:
    from maesn_api.models import InformationResponseDto

# The generated models are imported at first use, inside the functions that need them: importing
# any module of maesn_api.models runs its __init__, which imports every generated model (about
# 400 for the published spec) and would make `import maesn` several times slower.

__all__ = ["error_from_response", "error_from_transport", "request_id_of", "task_from_response"]

Redact = Callable[[str], str]
_EXCERPT = 300
_REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "x-correlation-id", "request-id")
_KNOWN_STATUSES = {status.value: status for status in TaskStatus}


def request_id_of(response: httpx.Response) -> str | None:
    """The request id the server sent, if any."""
    for header in _REQUEST_ID_HEADERS:
        if value := response.headers.get(header):
            return str(value)
    return None


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[:_EXCERPT] + "..."


def _attempts(attempts: int) -> str:
    return "" if attempts == 1 else f" (after {attempts} attempts)"


_ADVICE: Mapping[int, str] = {
    400: "check the parameters against validation_errors",
    401: (
        "the account key is invalid or expired: the end user must re-authenticate "
        "(connect the target system in Maesn again) to get a new account key"
    ),
    403: "the keys may not do this, or the end user is inactive",
    404: "check the task id, and that the target system supports this",
    405: "the target system was not found for this account key",
    429: "too many requests: slow down, or retry after retry_after seconds",
}


def _advice(status_code: int) -> str:
    if status_code >= 500:  # noqa: PLR2004
        return "a failure at Maesn or the target system: retry later"
    return _ADVICE.get(status_code, "see the body")


def error_from_response(
    response: httpx.Response, *, attempts: int, redact: Redact
) -> APIStatusError:
    """The typed error for a non-2xx response; keeps its body, status and request id."""
    status_code = response.status_code
    body = response.content.decode("utf-8", errors="replace")
    cls = status_error_class(status_code)
    path = redact(response.request.url.raw_path.decode("ascii", errors="replace"))
    message = redact(
        f"{status_code} from GET {path}{_attempts(attempts)}: {_advice(status_code)}. "
        f"Body: {_excerpt(body) or '(empty)'}"
    )
    common: dict[str, Any] = {
        "status_code": status_code,
        "body": body,
        "request_id": request_id_of(response),
        "headers": response.headers,
        "attempts": attempts,
    }
    if cls is RateLimitError:
        return RateLimitError(
            message, retry_after=parse_retry_after(response.headers.get("Retry-After")), **common
        )
    return cls(message, **common)


def error_from_transport(exc: httpx.HTTPError, *, attempts: int, redact: Redact) -> APIError:
    """The typed error for an httpx failure (no usable answer)."""
    where = ""
    try:
        request = exc.request
        where = f" for GET {request.url.raw_path.decode('ascii', errors='replace')}"
    except RuntimeError:
        pass
    detail = redact(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            redact(
                f"no answer in time{where}{_attempts(attempts)} ({detail}); raise timeout=... "
                "or retry later"
            ),
            attempts=attempts,
        )
    if isinstance(exc, httpx.DecodingError):
        return ResponseValidationError(
            redact(f"the response body{where} could not be decoded ({detail})"),
            body="",
            attempts=attempts,
        )
    return APIConnectionError(
        redact(
            f"no complete answer{where}{_attempts(attempts)} ({detail}); check base_url and "
            "the network, or retry later"
        ),
        attempts=attempts,
    )


def _invalid(
    reason: str, body: str, status_code: int, attempts: int, redact: Redact
) -> ResponseValidationError:
    return ResponseValidationError(
        redact(
            f"the {status_code} response is not the async-task envelope: {reason}. "
            f"Body: {_excerpt(body) or '(empty)'}"
        ),
        body=body,
        status_code=status_code,
        attempts=attempts,
    )


def _optional_str(value: object, name: str, redact: Redact) -> str | None:
    if value is None or isinstance(value, Unset):
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} is {type(value).__name__} {value!r}, not a string")
    return redact(value)


def _information(
    items: list[InformationResponseDto] | Unset | None, redact: Redact
) -> tuple[TaskInformation, ...]:
    # The published spec lets `information` be null: no entries, as when it is absent.
    if items is None or isinstance(items, Unset):
        return ()
    return tuple(
        TaskInformation(
            message=_optional_str(item.message, "information[].message", redact),
            type=_optional_str(item.type_, "information[].type", redact),
            filename=_optional_str(item.filename, "information[].filename", redact),
            timestamp=_optional_str(item.timestamp, "information[].timestamp", redact),
        )
        for item in items
    )


def _count(value: object, name: str) -> int:
    # JSON has one number type: accept 50000.0 as 50000, refuse 1.5, strings and booleans.
    if isinstance(value, Unset):
        raise TypeError(f"meta.pagination.{name} is missing")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"meta.pagination.{name} is {value!r}, not a count")
    return value


def _pagination(meta: object) -> Pagination | None:
    from maesn_api.models import MetaResponse, PaginationResponse  # noqa: PLC0415 - see top

    if not isinstance(meta, MetaResponse):
        return None
    page = meta.pagination
    if page is None or isinstance(page, Unset):
        return None
    if not isinstance(page, PaginationResponse):
        raise TypeError(f"meta.pagination is {page!r}, not an object")
    return Pagination(
        total=_count(page.total, "total"),
        per_page=_count(page.per_page, "perPage"),
        current_page=_count(page.current_page, "currentPage"),
        total_pages=_count(page.total_pages, "totalPages"),
    )


def _warnings(meta: object) -> tuple[str, ...]:
    from maesn_api.models import MetaResponse  # noqa: PLC0415 - see the top of this module

    if meta is None or isinstance(meta, Unset):
        return ()
    if not isinstance(meta, MetaResponse):
        raise TypeError(f"meta is {meta!r}, not an object")
    warnings: object = meta.warnings
    if warnings is None or isinstance(warnings, Unset):
        return ()
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise TypeError(f"meta.warnings is {warnings!r}, not a list of strings")
    return tuple(warnings)


def task_from_response(
    response: httpx.Response,
    *,
    task_id: str,
    integration: Integration,
    attempts: int,
    redact: Redact,
) -> Task:
    """Interpret a response: a Task for a 2xx envelope, else raise the typed error."""
    if not 200 <= response.status_code < 300:  # noqa: PLR2004
        raise error_from_response(response, attempts=attempts, redact=redact)
    raw = response.content
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        content_type = response.headers.get("content-type", "no content type")
        reason = f"not JSON ({content_type}; {type(exc).__name__}: {exc})"
        raise _invalid(reason, _text(raw), response.status_code, attempts, redact) from None
    try:
        return _task_from_payload(
            payload, task_id=task_id, integration=integration, attempts=attempts, redact=redact
        )
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise _invalid(str(exc), _text(raw), response.status_code, attempts, redact) from None


def _text(raw: bytes) -> str:
    # Decoded only on the error path: a 50,000-entry page is ~10 MB of text nobody needs.
    return raw.decode("utf-8", errors="replace")


def _kind(value: object) -> str:
    """A JSON value's kind as JSON names it."""
    if value is None:
        return "null"
    kinds = {dict: "object", list: "list", str: "string", bool: "boolean", int: "number"}
    return kinds.get(type(value), "number" if isinstance(value, float) else type(value).__name__)


def _task_from_payload(
    payload: object, *, task_id: str, integration: Integration, attempts: int, redact: Redact
) -> Task:
    """Build a Task from decoded JSON; raises TypeError (or the generator's errors) on bad shapes.

    The texts a Task shows (an unknown status, information, warnings) are redacted here, once, so
    no message, repr or log built from a Task can carry a key a server echoed back.
    """
    if not isinstance(payload, dict):
        raise TypeError(f"the body is a JSON {_kind(payload)}, not an object")
    if not isinstance(payload.get("data"), dict):
        raise TypeError(
            "`data` is missing" if "data" not in payload else f"`data` is {_kind(payload['data'])}"
        )
    from maesn_api.models import AsyncTaskEnvelope, AsyncTaskResponseDto  # noqa: PLC0415

    envelope = AsyncTaskEnvelope.from_dict(payload)
    data = envelope.data
    if not isinstance(data, AsyncTaskResponseDto):
        raise TypeError("`data` is missing")
    status = data.status
    if isinstance(status, Unset):
        raise TypeError("data.status is missing")
    if status is None:  # the published spec allows it; a task without a status means nothing
        raise TypeError("data.status is null")
    if not isinstance(status, str):
        raise TypeError(f"data.status is {_kind(status)} {status!r}, not a string")
    return Task(
        task_id=task_id,
        integration=integration,
        status=_KNOWN_STATUSES.get(status) or redact(status),
        information=_information(data.information, redact),
        response_data=None if isinstance(data.response_data, Unset) else data.response_data,
        warnings=tuple(redact(w) for w in _warnings(envelope.meta)),
        pagination=_pagination(envelope.meta),
        envelope=envelope,
        attempts=attempts,
    )
