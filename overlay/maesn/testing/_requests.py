"""What a request to the sandbox says: its query checked against the operation, its body read.

The query may hold only the parameters the operation declares, each once, each of its declared
kind (an integer in plain digits, one of an enum's values, `true`/`false`, an ISO 8601 date or
timestamp); `page` is 1 or more. A JSON body is an object (or a list); a multipart body's parts
become a record's fields: a JSON part holding an object gives its fields, another part its text
(a file part gives nothing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import HTTP
from typing import Any

from maesn._operations import Operation, Parameter

__all__ = ["Problem", "body_record", "parse_timestamp", "query_problems", "query_value"]

Problem = dict[str, str]
"""One `validationErrors` entry: `field` and `message`."""

_INTEGER = re.compile(r"-?[0-9]+")
_PAGE = re.compile(r"[1-9][0-9]*")


def parse_timestamp(text: str) -> datetime | None:
    """An ISO 8601 date or timestamp as an aware datetime (UTC when none is given), or None."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _value_problem(parameter: Parameter, text: str) -> str | None:
    if parameter.choices:
        if text not in {str(choice) for choice in parameter.choices}:
            allowed = ", ".join(str(choice) for choice in parameter.choices)
            return f"{parameter.wire} must be one of {allowed}, got {text!r}"
        return None
    if parameter.wire == "page" and not _PAGE.fullmatch(text):
        return f"page must be an integer >= 1, got {text!r}"
    checks: dict[str, tuple[Callable[[str], bool], str]] = {
        "int": (lambda value: _INTEGER.fullmatch(value) is not None, "an integer"),
        "bool": (lambda value: value in {"true", "false"}, "true or false"),
        "datetime": (lambda value: parse_timestamp(value) is not None, "an ISO 8601 timestamp"),
        "date": (_is_date, "an ISO 8601 date (YYYY-MM-DD)"),
        "float": (_is_number, "a number"),
    }
    check = checks.get(parameter.kind)
    if check is not None and not check[0](text):
        return f"{parameter.wire} must be {check[1]}, got {text!r}"
    return None


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def query_problems(operation: Operation, query: Mapping[str, list[str]]) -> list[Problem]:
    """What is wrong with the query: undeclared parameters, repeated ones, values of a wrong kind."""
    declared = {p.wire: p for p in operation.parameters if p.location == "query"}
    problems: list[Problem] = []
    for name, values in query.items():
        parameter = declared.get(name)
        if parameter is None:
            problems.append(
                {
                    "field": name,
                    "message": f"{name} is not a query parameter of {operation.name}; "
                    f"accepted: {', '.join(declared) or 'none'}",
                }
            )
        elif len(values) > 1:
            problems.append({"field": name, "message": f"{name} must be given once"})
        else:
            problem = _value_problem(parameter, values[0])
            if problem is not None:
                problems.append({"field": name, "message": problem})
    return problems


def query_value(query: Mapping[str, list[str]], name: str) -> str | None:
    """The value of `name` given once and not empty, else None."""
    values = query.get(name, [])
    return values[0] if len(values) == 1 and values[0] else None


def _multipart_record(content_type: str, body: bytes) -> dict[str, Any]:
    message = message_from_bytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + body,
        policy=HTTP,
    )
    record: dict[str, Any] = {}
    if not message.is_multipart():
        return record
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            continue
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        if part.get_content_type() == "application/json":
            try:
                value = json.loads(text)
            except ValueError:
                continue
            if isinstance(value, dict):
                record.update(value)
            else:
                record[name] = value
        else:
            record[name] = text
    return record


def body_record(operation: Operation, content_type: str, body: bytes) -> dict[str, Any]:
    """The fields a create or update sends (empty for no body or one that is not an object)."""
    if operation.body is None or not body:
        return {}
    if operation.body.encoding == "multipart":
        return _multipart_record(content_type, body)
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
