"""The sandbox's routes, from the operations' facts the regeneration script emitted.

Each `maesn._operations.Operation` (generated with the typed resources, from the spec) says the
method, the path template, the query parameters (wire names), how the body is sent (JSON or
multipart), the declared answers and which of them carry a task id; the sandbox and the client
read the same facts, so they agree on what starts a task. Regenerating with a new operation gives
the sandbox a route for it with no change here.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import attrs

from maesn._operations import Operation, all_operations

__all__ = [
    "Route",
    "all_routes",
    "companies_route",
    "created_object",
    "has_task_id",
    "task_routes",
]

_CREATED = 201
_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")

BodyKind = Literal["json", "multipart", "none"]


@dataclass(frozen=True, kw_only=True)
class Route:
    """One generated operation as the sandbox serves it."""

    operation: str
    """The client's method name (`post_file_async`)."""
    tag: str
    """The resource (`accounting`, `accounting_v2`, ...)."""
    method: str
    """Upper-case HTTP method."""
    template: str
    """The path template, as in the spec (`/accounting/accounts/{accountId}`)."""
    pattern: re.Pattern[str]
    """The path template as a regular expression (one segment a path parameter)."""
    query: tuple[str, ...]
    """Query parameters the operation declares (wire names, like `companyId`)."""
    body: BodyKind
    """How the request body is sent."""
    responses: Mapping[int, str]
    """Declared status -> the generated model class name of its `data` (or body)."""
    task_status: int | None = None
    """The declared status that carries a task id (201 or 202), None when it starts no task."""
    data_model: str | None = None
    """The class name of the envelope's `data` model of `task_status`."""
    created_model: str | None = None
    """The `data` model of a declared 201: what a call that completes at once answers."""

    @property
    def path_parameters(self) -> int:
        """How many path parameters the route has (routes with fewer are tried first)."""
        return len(_PATH_PARAMETER.findall(self.template))


def _route(operation: Operation) -> Route:
    responses = {
        status: reply.model.name
        for status, reply in operation.replies.items()
        if reply.model is not None
    }
    statuses = sorted(operation.task_statuses, reverse=True)  # a 202 before a 201
    template = operation.path
    pattern = re.compile(
        _PATH_PARAMETER.sub("[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
    )
    return Route(
        operation=operation.name,
        tag=operation.resource,
        method=operation.method,
        template=template,
        pattern=pattern,
        query=tuple(p.wire for p in operation.parameters if p.location == "query"),
        body=operation.body.encoding if operation.body else "none",
        responses=responses,
        task_status=statuses[0] if statuses else None,
        data_model=responses.get(statuses[0]) if statuses else None,
        created_model=responses.get(_CREATED),
    )


@functools.cache
def all_routes() -> tuple[Route, ...]:
    """Every operation; routes with fewer path parameters first."""
    routes = [_route(operation) for operation in all_operations()]
    return tuple(sorted(routes, key=lambda r: (r.path_parameters, r.template, r.method)))


def task_routes() -> tuple[Route, ...]:
    """The operations whose declared success response can carry a task id."""
    return tuple(route for route in all_routes() if route.task_status is not None)


def companies_route() -> Route:
    """`GET /auth/companies` (getCompanies)."""
    return next(r for r in all_routes() if r.method == "GET" and r.template == "/auth/companies")


def _model(name: str) -> type[Any] | None:
    models = importlib.import_module("maesn_api.models")
    found = getattr(models, name, None)
    return found if isinstance(found, type) else None


def _field_types(model: type[Any]) -> dict[str, str]:
    """Each attrs field's name -> its annotation (a string: the generated modules defer annotations)."""
    return {field.name: str(field.type) for field in getattr(model, "__attrs_attrs__", ())}


_PLAIN_VALUES: Mapping[str, Any] = {"str": "sandbox", "float": 0.0, "int": 0, "bool": False}


def _required_value(annotation: str) -> Any:
    """A value a required field of this annotation accepts: null where allowed, else a plain one."""
    parts = [part.strip() for part in annotation.split("|")]
    if "None" in parts:
        return None
    first = parts[0]
    if first.startswith("list["):
        return []
    if first in _PLAIN_VALUES:
        return _PLAIN_VALUES[first]
    model = _model(first)
    return None if model is None else _instance(model)


def _instance(model: type[Any]) -> Any:
    """An instance of a generated model with every required field filled."""
    required = {
        field.name: _required_value(str(field.type))
        for field in attrs.fields(model)
        if field.init and field.default is attrs.NOTHING
    }
    return model(**required)


def has_task_id(model_name: str) -> bool:
    """Whether the generated model `model_name` has a `task_id` field."""
    model = _model(model_name)
    return model is not None and "task_id" in _field_types(model)


def created_object(model_name: str, **values: Any) -> dict[str, Any]:
    """A JSON object of `model_name` with its required fields, `values` (wire names) on top.

    Every required field gets null where the spec allows it, else a plain value of its type.
    """
    model = _model(model_name)
    encoded: dict[str, Any] = {} if model is None else _instance(model).to_dict()
    encoded.update(values)
    return encoded
