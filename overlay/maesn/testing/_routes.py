"""The sandbox's routes, read from the generated layer: no hand list of operations.

Each module of `maesn_api.api.<tag>` holds one operation. Its `_get_kwargs` says the method, the
path template, the query parameters (wire names) and how the body is sent (JSON or multipart);
the declared statuses, their models and which of them carry a task id come from the client's
own reading of the generated layer (`maesn._resources.load_operation`: a 202 whose `data` is
`TaskIdResponseDto`, or a 201 whose `data` model has a nullable `task_id` field), so the
sandbox and the client agree on what starts a task. The source is read with `ast` (the
generated code is shipped in the wheel). Regenerating with a new task-starting operation gives
the sandbox a route for it with no change here.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import attrs

from maesn._resources import load_operation

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
    """The generated module's name (`post_file_async`), also the client's method name."""
    tag: str
    """The generated package (`accounting`, `accounting_v2`, ...)."""
    method: str
    """Upper-case HTTP method."""
    template: str
    """The path template, as in the spec (`/accounting/accounts/{account_id}`)."""
    pattern: re.Pattern[str]
    """The path template as a regular expression (one segment a path parameter)."""
    query: tuple[str, ...]
    """Query parameters the operation declares (wire names, like `companyId`)."""
    body: BodyKind
    """How the request body is sent."""
    responses: Mapping[int, str]
    """Declared status -> the generated model class name of its body."""
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


def _literal(node: ast.expr | None) -> Any:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def _url_template(node: ast.expr) -> str | None:
    """`"/a/{x}"` or `"/a/{x}".format(...)` -> the template."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    value = _literal(node)
    return value if isinstance(value, str) else None


def _kwargs_facts(function: ast.FunctionDef) -> tuple[str, str, tuple[str, ...], BodyKind] | None:
    method = template = None
    query: list[str] = []
    body: BodyKind = "none"
    for node in ast.walk(function):
        if isinstance(node, ast.Dict):
            keys = [_literal(key) for key in node.keys]
            if "method" in keys and "url" in keys:
                method = _literal(node.values[keys.index("method")])
                template = _url_template(node.values[keys.index("url")])
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0]
            owner = target.value.id if isinstance(target.value, ast.Name) else None
            key = _literal(target.slice)
            if owner == "params" and isinstance(key, str):
                query.append(key)
            elif owner == "_kwargs" and key == "json":
                body = "json"
            elif owner == "_kwargs" and key == "files":
                body = "multipart"
    if not isinstance(method, str) or template is None:
        return None
    return method.upper(), template, tuple(query), body


def _model(name: str) -> type[Any] | None:
    models = importlib.import_module("maesn_api.models")
    found = getattr(models, name, None)
    return found if isinstance(found, type) else None


def _field_types(model: type[Any]) -> dict[str, str]:
    """Each attrs field's name -> its annotation (a string: the generated modules defer annotations)."""
    return {field.name: str(field.type) for field in getattr(model, "__attrs_attrs__", ())}


def _data_model(envelope: str) -> str | None:
    """The class name of the envelope model's `data` field, when it is one model."""
    model = _model(envelope)
    annotation = _field_types(model).get("data") if model is not None else None
    if annotation is None:
        return None
    names = [part.strip() for part in annotation.split("|")]
    classes = [name for name in names if name.isidentifier() and name not in {"Unset", "None"}]
    return classes[0] if len(classes) == 1 and _model(classes[0]) is not None else None


def _route(tag: str, operation: str, source: str) -> Route | None:
    tree = ast.parse(source)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    if "_get_kwargs" not in functions:
        return None
    facts = _kwargs_facts(functions["_get_kwargs"])
    if facts is None:
        return None
    method, template, query, body = facts
    operation_facts = load_operation(tag, operation)
    responses = {
        status: model.__name__
        for status, model in operation_facts.responses.items()
        if model is not None
    }
    statuses = sorted(operation_facts.task_statuses, reverse=True)  # a 202 before a 201
    pattern = re.compile(
        _PATH_PARAMETER.sub("[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
    )
    return Route(
        operation=operation,
        tag=tag,
        method=method,
        template=template,
        pattern=pattern,
        query=query,
        body=body,
        responses=responses,
        task_status=statuses[0] if statuses else None,
        data_model=_data_model(responses[statuses[0]]) if statuses else None,
        created_model=_data_model(responses[_CREATED]) if _CREATED in responses else None,
    )


@functools.cache
def all_routes() -> tuple[Route, ...]:
    """Every operation of the generated layer; routes with fewer path parameters first."""
    api = importlib.import_module("maesn_api.api")
    routes: list[Route] = []
    for tag in pkgutil.iter_modules(api.__path__):
        package = importlib.import_module(f"maesn_api.api.{tag.name}")
        for operation in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{operation.name}")
            route = _route(tag.name, operation.name, inspect.getsource(module))
            if route is not None:
                routes.append(route)
    return tuple(sorted(routes, key=lambda r: (r.path_parameters, r.template, r.method)))


def task_routes() -> tuple[Route, ...]:
    """The operations whose declared success response can carry a task id."""
    return tuple(route for route in all_routes() if route.task_status is not None)


def companies_route() -> Route:
    """`GET /auth/companies` (getCompanies)."""
    return next(r for r in all_routes() if r.method == "GET" and r.template == "/auth/companies")


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
