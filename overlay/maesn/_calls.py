"""One operation call: its arguments checked and sent as a request, its answer interpreted.

Both halves are pure (no I/O) and shared by `Client` and `AsyncClient`:

- `prepare_call` turns the keyword arguments of a generated method into an `httpx.Request`, or
  raises `ValidationError` naming the argument before anything is sent: every value is checked
  against its parameter's kind (enums accept their members and their plain values, timestamps a
  `datetime`, a `date` or an ISO 8601 string), path values are exactly one path segment, the
  body is encoded here (JSON without NaN, multipart with a random boundary and every file read
  before sending), and the integration's documented rules are applied (`_rules.check_call`).
- `interpret` turns the answer into what the method returns: the envelope's `data` as generated
  models, a page's items with Maesn's `meta`, a started task (`TaskStart`), or the whole answer
  (`RawResponse`); a non-2xx status becomes its typed error and a body that does not match the
  spec a `ResponseValidationError` keeping the raw body.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import logging
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from ._decoding import decode_json
from ._errors import error_from_response, excerpt, mismatch, not_as_specified
from ._exceptions import ValidationError
from ._models import Pagination
from ._operations import Body, Operation, Parameter, Reply
from ._pages import PageItems
from ._profiles import IntegrationProfile
from ._raw import read_meta
from ._resource import CallMode
from ._rules import check_call, format_timestamp, not_supported_hint
from ._validation import (
    MAX_TASK_ID_LENGTH,
    check_company_id,
    check_environment_name,
    check_task_id,
    did_you_mean,
)

__all__ = [
    "MAX_VALUE_LENGTH",
    "CallContext",
    "PageData",
    "PreparedCall",
    "ReadTaskStart",
    "TaskStart",
    "as_plain_call",
    "interpret",
    "prepare_call",
]

logger = logging.getLogger("maesn")
Redact = Callable[[str], str]

MAX_VALUE_LENGTH = 8192
"""The longest path or query value sent (after percent-encoding): longer ones are mistakes (a
whole document pasted into an id) and would make a URL servers refuse."""
_DEFAULTED = {"companyId": "company_id", "environmentName": "environment_name"}


@dataclass(frozen=True, slots=True)
class CallContext:
    """What a client contributes to every call: where, with which keys, under which rules."""

    base_url: str
    headers: httpx.Headers
    profile: IntegrationProfile
    company_id: str | None
    environment_name: str | None
    interactive_auth: bool
    redact: Redact


@dataclass(frozen=True, slots=True)
class PreparedCall:
    """A checked call, ready to send."""

    operation: Operation
    request: httpx.Request
    arguments: Mapping[str, Any]
    """The caller's arguments (Python names), for the next page of a list."""
    company_id: str | None
    """The companyId sent (the call's or the client's), for the handles a call returns."""
    mode: CallMode
    redact: Redact
    """The client's redactor, with the call's own credentials (a secret argument) added."""


@dataclass(frozen=True, slots=True)
class TaskStart:
    """An answer that started a task: its id and the data the start call returned."""

    task_id: str
    created: Any


@dataclass(frozen=True, slots=True)
class ReadTaskStart:
    """A plain read answered with a task id (its integration runs reads as tasks)."""

    task_id: str


@dataclass(frozen=True, slots=True)
class PageData:
    """One page of a list: its items (generated models, built when read) and Maesn's meta."""

    items: Sequence[Any]
    pagination: Pagination | None
    warnings: tuple[str, ...]


# -- arguments -----------------------------------------------------------------------------------


def _refuse(
    operation: Operation, name: str, problem: str, hint: str | None = None
) -> ValidationError:
    message = f"{operation.qualname}(): {name} {problem}"
    if hint:
        message += f" ({hint})"
    return ValidationError(message, argument=name, hint=hint)


def _shown(parameter: Parameter | None, value: object, redact: Redact) -> str:
    """A value for a message: its type, and its repr unless it is a credential."""
    if parameter is not None and parameter.secret:
        return f"a {type(value).__name__} (value not shown)"
    return f"{type(value).__name__} {excerpt(redact(repr(value)))[:80]}"


def _unencodable(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"U+{ord(text[exc.start]):04X} at position {exc.start}"
    return None


def _text(operation: Operation, parameter: Parameter, value: object, redact: Redact) -> str:
    if not isinstance(value, str):
        raise _refuse(
            operation,
            parameter.name,
            f"must be a str, got {_shown(parameter, value, redact)}",
        )
    if where := _unencodable(value):
        raise _refuse(
            operation,
            parameter.name,
            f"cannot be sent: it is not valid Unicode text ({where}, a lone surrogate)",
        )
    return value


def _integer(operation: Operation, parameter: Parameter, value: object, redact: Redact) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(
            operation, parameter.name, f"must be an int, got {_shown(parameter, value, redact)}"
        )
    if parameter.name == "page" and value < 1:
        raise _refuse(operation, parameter.name, f"must be >= 1 (pages count from 1), got {value}")
    return value


def _number(operation: Operation, parameter: Parameter, value: object, redact: Redact) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse(
            operation, parameter.name, f"must be a number, got {_shown(parameter, value, redact)}"
        )
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _refuse(operation, parameter.name, f"must be a finite number, got {value!r}")
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _choice(operation: Operation, parameter: Parameter, value: object, redact: Redact) -> str:
    plain = value.value if isinstance(value, enum.Enum) else value
    allowed = parameter.choices
    matches = [c for c in allowed if c == plain and type(c) is type(plain)]
    if not matches:
        valid = ", ".join(repr(c) for c in allowed)
        guess = did_you_mean(plain, [str(c) for c in allowed]) if isinstance(plain, str) else None
        hint = f"{guess} " if guess else ""
        enum_name = f" or a {parameter.enum.qualname} member" if parameter.enum else ""
        raise _refuse(
            operation,
            parameter.name,
            f"must be one of {valid}{enum_name}, got {_shown(parameter, value, redact)}",
            hint=(hint + f"valid values: {valid}").strip(),
        )
    return str(matches[0])


def _date(operation: Operation, parameter: Parameter, value: object, redact: Redact) -> str:
    if isinstance(value, dt.datetime):
        raise _refuse(
            operation,
            parameter.name,
            f"is a date, got a datetime ({value.isoformat()})",
            hint="pass value.date() or a 'YYYY-MM-DD' string",
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(operation, parameter, value, redact)
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise _refuse(
            operation,
            parameter.name,
            f"must be a date or an ISO 8601 date string (YYYY-MM-DD), got {excerpt(redact(repr(text)))}",
        ) from None


def _segment(operation: Operation, parameter: Parameter, text: str, redact: Redact) -> str:
    """A path value as exactly one segment of the declared path, percent-encoded."""
    if not text or text in {".", ".."}:
        raise _refuse(
            operation,
            parameter.name,
            f"must be an id, got {text!r}: an empty or relative path segment would send the "
            "request to another path",
        )
    controls = [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cc"]
    if controls:
        raise _refuse(
            operation,
            parameter.name,
            f"{excerpt(redact(repr(text)))[:80]} contains control characters ({', '.join(controls[:5])})",
        )
    encoded = quote(text, safe="")
    if len(encoded) > MAX_VALUE_LENGTH:
        raise _refuse(
            operation,
            parameter.name,
            f"is {len(text)} characters long; ids are far shorter (at most {MAX_VALUE_LENGTH} "
            "bytes once encoded): pass only the id",
        )
    return encoded


def _boolean(operation: Operation, parameter: Parameter, value: object, redact: Redact) -> str:
    if not isinstance(value, bool):
        raise _refuse(
            operation, parameter.name, f"must be a bool, got {_shown(parameter, value, redact)}"
        )
    return "true" if value else "false"


def _any(operation: Operation, parameter: Parameter, value: object, redact: Redact) -> str:
    if isinstance(value, int | float | bool):
        return json.dumps(value)
    return _text(operation, parameter, value, redact)


_Encoder = Callable[[Operation, Parameter, object, Redact], str]
_ENCODERS: Mapping[str, _Encoder] = {
    "enum": _choice,
    "int": lambda operation, parameter, value, redact: str(
        _integer(operation, parameter, value, redact)
    ),
    "float": _number,
    "bool": _boolean,
    "date": _date,
    "str": _text,
    "any": _any,
}
"""How a value of each parameter kind is checked and written (timestamps: per integration)."""


def _wire_value(
    operation: Operation,
    parameter: Parameter,
    value: object,
    profile: IntegrationProfile,
    redact: Redact,
) -> str:
    if parameter.kind == "datetime":
        if isinstance(value, str):
            _text(operation, parameter, value, redact)
        elif not isinstance(value, dt.date):  # a datetime is a date
            raise _refuse(
                operation,
                parameter.name,
                f"must be a datetime, a date or an ISO 8601 string, got "
                f"{_shown(parameter, value, redact)}",
            )
        return format_timestamp(profile, value, argument=parameter.name)
    return _ENCODERS[parameter.kind](operation, parameter, value, redact)


def _path(operation: Operation, segments: Mapping[str, str]) -> str:
    path = operation.path
    for wire, encoded in segments.items():
        path = path.replace("{" + wire + "}", encoded)
    return path


def _resolve_defaults(
    operation: Operation, arguments: dict[str, Any], context: CallContext
) -> dict[str, Any]:
    """The call's companyId and environmentName (checked), else the client's."""
    resolved = dict(arguments)
    defaults = {"company_id": context.company_id, "environment_name": context.environment_name}
    checks = {"company_id": check_company_id, "environment_name": check_environment_name}
    for wire, name in _DEFAULTED.items():
        parameter = operation.parameter(wire)
        if parameter is None:
            continue
        given = checks[name](resolved.get(parameter.name))
        resolved[parameter.name] = defaults[name] if given is None else given
    return resolved


# -- bodies --------------------------------------------------------------------------------------


def _body_model(operation: Operation, body: Body, value: object, redact: Redact) -> Any:
    model = body.model.load()
    if isinstance(value, model):
        return value
    if isinstance(value, Mapping):
        try:
            return model.from_dict(dict(value))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _refuse(
                operation,
                "body",
                f"is not a valid {body.model.name} ({type(exc).__name__}: {excerpt(redact(str(exc)))})",
                hint=f"build it as {body.model.qualname}(...) or pass its JSON fields",
            ) from None
    raise _refuse(
        operation,
        "body",
        f"must be a {body.model.qualname} or a mapping of its JSON fields, got "
        f"{_shown(None, value, redact)}",
        hint=f"build it as {body.model.qualname}(...)",
    )


def _json_bytes(operation: Operation, name: str, value: object, redact: Redact) -> bytes:
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8")
    except ValueError as exc:
        problem = str(exc)
        if "Out of range float" in problem:
            problem = "holds NaN or Infinity, which JSON cannot carry"
        raise _refuse(
            operation, name, f"cannot be sent as JSON: {excerpt(redact(problem))}"
        ) from None
    except TypeError as exc:
        raise _refuse(
            operation,
            name,
            f"cannot be sent as JSON: {excerpt(redact(str(exc)))}",
            hint="bodies hold JSON values: str, int, float, bool, None, lists and dicts",
        ) from None
    except UnicodeEncodeError as exc:
        raise _refuse(
            operation,
            name,
            f"cannot be sent: a text holds U+{ord(exc.object[exc.start]):04X}, a lone surrogate",
        ) from None
    except RecursionError:
        raise _refuse(operation, name, "is nested too deeply to be sent as JSON") from None


_FILE_HINT = (
    "a file is maesn.File(payload=..., file_name=...) (maesn_api.types.File): payload is the "
    "bytes or a binary file opened for reading, e.g. File(payload=open('receipt.pdf', 'rb'), "
    "file_name='receipt.pdf')"
)


def _read_payload(operation: Operation, name: str, payload: object) -> bytes:
    if isinstance(payload, bytes | bytearray | memoryview):
        return bytes(payload)
    if isinstance(payload, str):
        raise _refuse(
            operation,
            name,
            f"holds a str ({excerpt(repr(payload))[:60]}), not the file's content",
            hint=_FILE_HINT,
        )
    read = getattr(payload, "read", None)
    if not callable(read):
        raise _refuse(
            operation,
            name,
            f"must be bytes or a binary file, got {type(payload).__name__}",
            hint=_FILE_HINT,
        )
    try:
        content = read()
    except Exception as exc:  # noqa: BLE001 - a user's file object may raise anything
        # io.UnsupportedOperation (write-only) is an OSError, a closed file raises ValueError,
        # a half-implemented stream NotImplementedError: each means nothing can be sent.
        raise _refuse(
            operation,
            name,
            f"could not be read ({type(exc).__name__}: {excerpt(str(exc))}); nothing was sent",
            hint="open the file for reading in binary mode ('rb') and keep it open until the call returns",
        ) from None
    if isinstance(content, str):
        raise _refuse(
            operation, name, "is a text file: open it in binary mode ('rb')", hint=_FILE_HINT
        )
    if not isinstance(content, bytes | bytearray):
        raise _refuse(
            operation,
            name,
            f"returned {type(content).__name__} from read(), not bytes",
            hint=_FILE_HINT,
        )
    return bytes(content)


def _file_name(operation: Operation, name: str, file_name: object) -> str | None:
    if file_name is None:
        return None
    if not isinstance(file_name, str):
        raise _refuse(
            operation, name, f"has a file name of type {type(file_name).__name__}; pass a str"
        )
    if where := _unencodable(file_name):
        raise _refuse(operation, name, f"has a file name that is not valid Unicode text ({where})")
    if any(unicodedata.category(c) == "Cc" for c in file_name):
        raise _refuse(operation, name, "has a file name with control characters")
    return file_name


def _check_json_part(operation: Operation, name: str, content: bytes) -> None:
    def refuse_constant(constant: str) -> Any:
        raise ValueError(constant)

    try:
        json.loads(content, parse_constant=refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise _refuse(
            operation,
            name,
            f"is not valid JSON ({excerpt(str(exc))}): NaN and Infinity cannot be sent",
        ) from None


def _multipart(operation: Operation, model: Any, redact: Redact) -> list[tuple[str, Any]]:
    try:
        parts = model.to_multipart()
    except AttributeError as exc:
        hint = _FILE_HINT if "to_tuple" in str(exc) else None
        raise _refuse(
            operation,
            "body",
            f"could not be encoded ({excerpt(redact(str(exc)))})",
            hint=hint or "check the body's field types against its model",
        ) from None
    except (TypeError, ValueError) as exc:
        raise _refuse(
            operation, "body", f"could not be encoded ({excerpt(redact(str(exc)))})"
        ) from None
    files: list[tuple[str, Any]] = []
    for part_name, part in parts:
        where = f"body.{part_name}"
        if not isinstance(part_name, str) or _unencodable(part_name):
            raise _refuse(operation, "body", f"has a field name that cannot be sent: {part_name!r}")
        file_name, payload, content_type = part[0], part[1], part[2]
        content = _read_payload(operation, where, payload)
        if content_type and str(content_type).split(";")[0].strip().lower() == "application/json":
            _check_json_part(operation, where, content)
        files.append((part_name, (_file_name(operation, where, file_name), content, content_type)))
    return files


def _check_file_fields(operation: Operation, model: Any) -> None:
    """A File-typed field holding anything but a File: say what a file is."""
    import attrs  # noqa: PLC0415 - a multipart body is a generated (attrs) model: loaded already

    file_type = _file_type()
    for field in attrs.fields(type(model)):
        if "File" not in str(field.type):
            continue
        value = getattr(model, field.name, None)
        values = value if isinstance(value, list) else [value]
        for index, item in enumerate(values):
            if item is None or type(item).__name__ == "Unset" or isinstance(item, file_type):
                continue
            where = f"body.{field.name}" + (f"[{index}]" if isinstance(value, list) else "")
            raise _refuse(
                operation,
                where,
                f"must be a File, got {type(item).__name__} {excerpt(repr(item))[:60]}",
                hint=_FILE_HINT,
            )


def _file_type() -> type[Any]:
    from maesn_api.types import File  # noqa: PLC0415 - only calls with a body need it

    return File


def _encode_body(
    operation: Operation, body: Body, value: object, redact: Redact
) -> tuple[dict[str, Any], httpx.Headers]:
    model = _body_model(operation, body, value, redact)
    if body.encoding == "multipart":
        _check_file_fields(operation, model)
        return {"files": _multipart(operation, model, redact)}, httpx.Headers()
    try:
        payload = model.to_dict()
    except (AttributeError, TypeError, ValueError) as exc:
        raise _refuse(
            operation,
            "body",
            f"could not be encoded ({type(exc).__name__}: {excerpt(redact(str(exc)))})",
            hint=f"check the fields of {body.model.qualname}",
        ) from None
    content = _json_bytes(operation, "body", payload, redact)
    return {"content": content}, httpx.Headers({"Content-Type": "application/json"})


# -- preparing a call ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Placed:
    """Where a call's parameters go: path segments, query pairs, headers; and what was given."""

    segments: dict[str, str]
    query: list[tuple[str, str]]
    headers: httpx.Headers
    given: dict[str, object]


def _place(
    parameter: Parameter, wire_value: str, placed: _Placed, operation: Operation, redact: Redact
) -> None:
    if parameter.location == "path":
        placed.segments[parameter.wire] = _segment(operation, parameter, wire_value, redact)
    elif parameter.location == "query":
        if len(quote(wire_value, safe="")) > MAX_VALUE_LENGTH:
            raise _refuse(
                operation,
                parameter.name,
                f"is {len(wire_value)} characters long, more than a query value may be "
                f"({MAX_VALUE_LENGTH} bytes once encoded)",
            )
        placed.query.append((parameter.wire, wire_value))
    else:
        if any(unicodedata.category(c) == "Cc" for c in wire_value) or not wire_value.isascii():
            raise _refuse(
                operation,
                parameter.name,
                "cannot be sent in a header: it holds control or non-ASCII characters",
            )
        placed.headers[parameter.wire] = wire_value


def _parameters(operation: Operation, resolved: Mapping[str, Any], context: CallContext) -> _Placed:
    placed = _Placed({}, [], httpx.Headers(context.headers), {})
    for parameter in operation.parameters:
        value = resolved.get(parameter.name)
        if value is None:
            if parameter.required:
                hint = "client.companies() lists them" if parameter.wire == "companyId" else None
                raise _refuse(operation, parameter.name, "is required", hint=hint)
            continue
        wire_value = _wire_value(operation, parameter, value, context.profile, context.redact)
        placed.given[parameter.wire] = value
        _place(parameter, wire_value, placed, operation, context.redact)
    return placed


def _body_of(
    operation: Operation, value: object, redact: Redact
) -> tuple[dict[str, Any], httpx.Headers]:
    body = operation.body
    if body is None:
        return {}, httpx.Headers()
    if value is None:
        if body.required:
            raise _refuse(
                operation, "body", "is required", hint=f"pass body={body.model.qualname}(...)"
            )
        return {}, httpx.Headers()
    return _encode_body(operation, body, value, redact)


def prepare_call(
    operation: Operation,
    arguments: Mapping[str, Any],
    context: CallContext,
    *,
    mode: CallMode = "call",
) -> PreparedCall:
    """Check a call's arguments and the integration's rules; build its request (nothing sent).

    Every refusal is a ValidationError whose texts went through the client's redactor (a rule
    quoting the offending value may quote a key passed by mistake).
    """
    try:
        return _prepare(operation, arguments, context, mode)
    except ValidationError as exc:
        redact = context.redact
        message = redact(str(exc))
        hint = redact(exc.hint) if exc.hint else None
        if message == str(exc) and hint == exc.hint:
            raise
        raise ValidationError(message, argument=exc.argument, hint=hint) from None


def _prepare(
    operation: Operation, arguments: Mapping[str, Any], context: CallContext, mode: CallMode
) -> PreparedCall:
    resolved = _resolve_defaults(operation, dict(arguments), context)
    placed = _parameters(operation, resolved, context)
    if mode == "task" and not context.profile.reads_start_tasks:
        raise ValidationError(
            f"{operation.qualname}() as a task: {context.profile.label} does not run reads as "
            "tasks; call "
            f"client.{operation.qualname}(...) for its data (reads run as tasks on "
            "datev-rewe-export)",
        )
    check_call(
        context.profile,
        operation_id=operation.operation_id,
        given=placed.given,
        accepts=frozenset(p.wire for p in operation.parameters),
        interactive_auth=context.interactive_auth,
    )
    extra, body_headers = _body_of(operation, resolved.get("body"), context.redact)
    placed.headers.update(body_headers)
    url = context.base_url + _path(operation, placed.segments)
    if placed.query:
        url += "?" + urlencode(placed.query, quote_via=quote)
    try:
        request = httpx.Request(operation.method, url, headers=placed.headers, **extra)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ValidationError(
            f"{operation.qualname}(): the request could not be built "
            f"({type(exc).__name__}: {excerpt(context.redact(str(exc)))})",
        ) from None
    company = placed.given.get("companyId")
    return PreparedCall(
        operation=operation,
        request=request,
        arguments=dict(arguments),
        company_id=company if isinstance(company, str) else None,
        mode=mode,
        redact=context.redact,
    )


# -- interpreting the answer ---------------------------------------------------------------------


def _page_items(
    call: PreparedCall,
    status: int,
    payload: dict[str, Any],
    model: type[Any],
    *,
    attempts: int,
    redact: Redact,
) -> PageItems[Any]:
    """A page's items, each built when first read; only their being objects is checked now.

    An item its model refuses raises ResponseValidationError when read, with the body (the
    decoded envelope, redacted) as `body`.
    """
    items = payload["data"]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _ShapeError(f"data[{index}] is {_kind(item)}, not an object")

    def build(item: dict[str, Any], index: int) -> Any:
        try:
            return _build(model, item, f"data[{index}]")
        except _ShapeError as exc:
            text = redact(json.dumps(payload, ensure_ascii=False, default=repr))
            raise mismatch(
                call.operation.qualname,
                call.request.method,
                status,
                text,
                str(exc),
                attempts=attempts,
                redact=redact,
            ) from None

    return PageItems(items, build)


class _ShapeError(Exception):
    """A body that does not have the shape the spec declares."""


def _build(model: type[Any], value: object, where: str) -> Any:
    if not isinstance(value, dict):
        raise _ShapeError(f"{where} is {_kind(value)}, not an object")
    try:
        return model.from_dict(value)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError, OverflowError) as exc:
        raise _ShapeError(
            f"{where} is not a {model.__name__} ({type(exc).__name__}: {exc})"
        ) from None


def _kind(value: object) -> str:
    if value is None:
        return "null"
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    return kinds.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _shape(reply: Reply, value: object, where: str) -> Any:
    """`value` (the envelope's data, or the whole body) as the reply declares it."""
    if reply.data == "model" and reply.model is not None:
        return _build(reply.model.load(), value, where)
    if reply.data == "list":
        if not isinstance(value, list):
            raise _ShapeError(f"{where} is {_kind(value)}, not a list")
        if reply.model is None:
            return value
        model = reply.model.load()
        return [_build(model, item, f"{where}[{index}]") for index, item in enumerate(value)]
    return value


def _task_id(value: object, where: str) -> str | None:
    """The task id in `value` (None when absent or null); a typed problem when unusable."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _ShapeError(f"{where} is {_kind(value)}, not a task id string")
    try:
        return check_task_id(value)
    except ValidationError:
        shown = value if len(value) <= 60 else value[:60] + "..."  # noqa: PLR2004
        raise _ShapeError(
            f"{where} {shown!r} is not a usable task id (empty, whitespace or control "
            f"characters, or over {MAX_TASK_ID_LENGTH} characters)"
        ) from None


def _log_envelope(
    call: PreparedCall, body: Mapping[str, Any], warnings: tuple[str, ...], redact: Redact
) -> None:
    for text in warnings:
        logger.warning("%s: Maesn warns: %s", call.operation.qualname, text)
    errors = body.get("errors")
    if errors not in (None, [], {}):
        shown = excerpt(redact(json.dumps(errors, default=str)))
        logger.warning(
            "%s: Maesn answered %s with errors: %s", call.operation.qualname, "2xx", shown
        )


def _decoded(response: httpx.Response, reply: Reply | None) -> Any:
    content = reply.content if reply is not None else "json"
    if content == "none":
        return None
    if content == "bytes":
        return response.content
    if content == "text":
        return response.content.decode(response.encoding or "utf-8", errors="replace")
    if not response.content:
        if response.status_code == 204 or (reply is not None and reply.data == "none"):  # noqa: PLR2004
            return None
        raise _ShapeError("the body is empty")
    try:
        return decode_json(response.content)
    except (ValueError, RecursionError) as exc:
        content_type = response.headers.get("content-type", "no content type")
        raise _ShapeError(f"not JSON ({content_type}; {type(exc).__name__}: {exc})") from None


def _started(call: PreparedCall, reply: Reply, data: object, *, reads_start_tasks: bool) -> Any:
    """The task an answer started (TaskStart / ReadTaskStart), or None when it started none."""
    operation = call.operation
    if call.mode == "task" or (reads_start_tasks and operation.method == "GET"):
        only_task = isinstance(data, dict) and set(data) <= {"taskId", "status"}
        started = data.get("taskId") if only_task and isinstance(data, dict) else None
        task_id = _task_id(started, "data.taskId")
        if task_id is not None:
            return TaskStart(task_id, data) if call.mode == "task" else ReadTaskStart(task_id)
        if call.mode == "task":
            raise _ShapeError("data carries no taskId: the read did not start a task")
    if not reply.task_id:
        return None
    task_id = _task_id(data.get("taskId") if isinstance(data, dict) else None, "data.taskId")
    if task_id is not None:
        return TaskStart(task_id, _shape(reply, data, "data"))
    if reply.pure_task:
        said = "null" if isinstance(data, dict) and "taskId" in data else "missing"
        raise _ShapeError(f"data.taskId is {said}: the answer names no task")
    return None


def _interpret_body(
    call: PreparedCall,
    response: httpx.Response,
    redact: Redact,
    *,
    attempts: int,
    reads_start_tasks: bool,
) -> Any:
    operation = call.operation
    reply = operation.reply_for(response.status_code)
    payload = _decoded(response, reply)
    if reply is None or not reply.envelope:
        if call.mode == "task":
            raise _ShapeError("the answer is not Maesn's envelope with data.taskId")
        return payload if reply is None else _shape(reply, payload, "the body")
    if not isinstance(payload, dict):
        raise _ShapeError(f"the body is {_kind(payload)}, not Maesn's envelope (an object)")
    try:
        pagination, warnings = read_meta(payload, redact)
    except ValueError as exc:
        describe = getattr(exc, "describe", None)
        raise _ShapeError(describe(redact) if callable(describe) else str(exc)) from None
    _log_envelope(call, payload, warnings, redact)
    if "data" not in payload:
        raise _ShapeError("`data` is missing")
    data = payload["data"]
    started = _started(call, reply, data, reads_start_tasks=reads_start_tasks)
    if started is not None:
        return started
    if operation.result == "page" and reply.data == "list" and reply.model is not None:
        if not isinstance(data, list):
            raise _ShapeError(f"data is {_kind(data)}, not a list")
        items = _page_items(
            call,
            response.status_code,
            payload,
            reply.model.load(),
            attempts=attempts,
            redact=redact,
        )
        return PageData(items=items, pagination=pagination, warnings=warnings)
    shaped = _shape(reply, data, "data")
    if operation.result == "page" and isinstance(shaped, list):
        return PageData(items=shaped, pagination=pagination, warnings=warnings)
    return shaped


def interpret(
    call: PreparedCall,
    response: httpx.Response,
    *,
    attempts: int,
    redact: Redact,
    profile: IntegrationProfile,
) -> Any:
    """The call's result (data, `PageData`, `TaskStart` or `ReadTaskStart`).

    Raises the typed error of a non-2xx status, and `ResponseValidationError` for a body that
    does not match the spec.
    """
    if not 200 <= response.status_code < 300:  # noqa: PLR2004
        raise error_from_response(
            response,
            attempts=attempts,
            redact=redact,
            operation=call.operation.qualname,
            integration=profile.id or None,
            documented=not_supported_hint(
                profile, operation_id=call.operation.operation_id, status=response.status_code
            ),
        )
    try:
        return _interpret_body(
            call, response, redact, attempts=attempts, reads_start_tasks=profile.reads_start_tasks
        )
    except _ShapeError as exc:
        raise not_as_specified(
            call.operation.qualname,
            call.request.method,
            response,
            str(exc),
            attempts=attempts,
            redact=redact,
        ) from None


def as_plain_call(call: PreparedCall) -> PreparedCall:
    """The same call in the plain mode (what `RawResponse.parse()` interprets)."""
    return dataclasses.replace(call, mode="call")
