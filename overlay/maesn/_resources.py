"""The whole API: every generated operation as `client.<resource>.<operation>(...)`.

Nothing here names an operation. Resources are the subpackages of `maesn_api.api` (one per spec
tag), operations the modules in them (one per operationId), both found with `pkgutil` when first
touched; an operation module (and the models it imports) is imported only when that operation is
first used. Regenerating the generated layer with a new operation makes it available here.

What an operation needs besides its generated functions is read from the generated code itself:

- its arguments: the generated `sync_detailed` signature minus `client` and the key headers
  (`x_api_key`, `x_account_key`), which the client fills in;
- the body model of each declared status: the `if response.status_code == N:` branches of the
  generated `_parse_response` (read with `ast`), each with the model whose `from_dict` it calls;
- whether it starts a task: a 201 or 202 body that carries a task id, i.e. whose model (or its
  envelope's `data` model) has a `task_id` field (attrs metadata of the generated models).

Sending goes through the client's send flow (keys, User-Agent, pool, timeout, size limit, retries:
GETs only); interpreting the answer happens in `interpret` below, shared by both clients.
"""

from __future__ import annotations

import ast
import difflib
import functools
import importlib
import inspect
import pkgutil
import re
import textwrap
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import attrs
import httpx
from maesn_api.types import Unset

from ._exceptions import ResponseValidationError, ValidationError, excerpt
from ._response import decode_json, error_from_response

if TYPE_CHECKING:
    from ._base import BaseClient

__all__ = [
    "KEY_PARAMETERS",
    "Operation",
    "Resource",
    "TaskOperation",
    "TaskStart",
    "all_operations",
    "build_request",
    "interpret",
    "load_operation",
    "operation_names",
    "resource_names",
    "task_operations",
]

API_PACKAGE = "maesn_api.api"
KEY_PARAMETERS = frozenset({"x_api_key", "x_account_key"})
"""Header parameters the client fills from its keys; they are not part of an operation's call."""
_HIDDEN_PARAMETERS = KEY_PARAMETERS | {"client"}
_TASK_STATUSES = (201, 202)
_NAME = re.compile(r"\b[A-Z]\w*\b")
_QUOTED_NAME = re.compile(r"'(\w+)'")
Redact = Callable[[str], str]


def _submodules(package_name: str, *, packages: bool) -> tuple[str, ...]:
    package = importlib.import_module(package_name)
    return tuple(
        sorted(
            info.name
            for info in pkgutil.iter_modules(package.__path__)
            if info.ispkg == packages and not info.name.startswith("_")
        )
    )


@functools.cache
def resource_names() -> tuple[str, ...]:
    """The resources of the generated layer: one per spec tag (`accounting`, `auth`...)."""
    return _submodules(API_PACKAGE, packages=True)


@functools.cache
def operation_names(resource: str) -> tuple[str, ...]:
    """The operations of one resource (module names, e.g. `post_file_async`)."""
    return _submodules(f"{API_PACKAGE}.{resource}", packages=False)


def _is_status_test(test: ast.expr) -> int | None:
    """N for the test `response.status_code == N`, else None."""
    if not (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Attribute)
        and test.left.attr == "status_code"
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and isinstance(test.comparators[0], ast.Constant)
        and isinstance(test.comparators[0].value, int)
    ):
        return None
    return test.comparators[0].value


def _declared_responses(module: types.ModuleType) -> dict[int, type | None]:
    """Each status `_parse_response` handles, with the model its body is parsed into (or None)."""
    source = textwrap.dedent(inspect.getsource(module._parse_response))  # noqa: SLF001
    found: dict[int, type | None] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.If) or (status := _is_status_test(node.test)) is None:
            continue
        model: type | None = None
        for statement in node.body:
            for sub in ast.walk(statement):
                if (
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Attribute)
                    and sub.func.attr == "from_dict"
                    and isinstance(sub.func.value, ast.Name)
                ):
                    candidate = getattr(module, sub.func.value.id, None)
                    model = candidate if isinstance(candidate, type) else None
                    break
            if model is not None:
                break
        found[status] = model
    return found


@functools.cache
def _imported_models(model: type) -> dict[str, str]:
    """Class name -> module name of every `from ..models.x import Y` in a model's module."""
    tree = ast.parse(inspect.getsource(inspect.getmodule(model) or model))
    return {
        alias.name: (node.module or "").removeprefix("models.")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.level == 2  # noqa: PLR2004 - `from ..models.x import Y`
        and (node.module or "").startswith("models.")
        for alias in node.names
    }


def _field_classes(model: type, annotation: object) -> list[type]:
    """The classes a field's annotation names at its top level (not inside `list[...]`)."""
    if isinstance(annotation, type):
        return [annotation]
    if not isinstance(annotation, str):
        return []
    imported = _imported_models(model)
    models_package = model.__module__.rpartition(".")[0]
    classes = []
    for name in _NAME.findall(re.sub(r"\[.*\]", "", annotation)):
        if name not in imported:
            continue
        found = getattr(importlib.import_module(f"{models_package}.{imported[name]}"), name, None)
        if isinstance(found, type):
            classes.append(found)
    return classes


def _has_task_id(model: type) -> bool:
    return attrs.has(model) and "task_id" in attrs.fields_dict(model)


def _carries_task_id(model: type | None) -> bool:
    """The body model has a `task_id`, or its envelope's `data` is a model with one."""
    if model is None or not attrs.has(model):
        return False
    if _has_task_id(model):
        return True
    data = attrs.fields_dict(model).get("data")
    return data is not None and any(_has_task_id(c) for c in _field_classes(model, data.type))


def _company_parameter() -> inspect.Parameter:
    return inspect.Parameter(
        "company_id", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=str | None
    )


@dataclass(frozen=True, eq=False)
class Operation:
    """One generated operation, as the clients call it."""

    resource: str
    name: str
    module: types.ModuleType
    signature: inspect.Signature
    """The generated signature minus `client` and the key headers; `company_id` defaults to
    None (the client's companyId)."""
    responses: Mapping[int, type | None]
    """Each declared status with the generated model of its body (None: not a model)."""
    task_statuses: frozenset[int]
    """The declared 201/202 statuses whose body carries a task id."""
    company_id_required: bool = False
    """The spec makes companyId required for this operation, whatever the integration."""

    @property
    def qualname(self) -> str:
        """`resource.operation`, as written after `client.`."""
        return f"{self.resource}.{self.name}"

    @property
    def has_company_id(self) -> bool:
        """The operation takes companyId (the integration's companyId rule applies)."""
        return "company_id" in self.signature.parameters

    @property
    def doc(self) -> str | None:
        """The generated function's docstring."""
        doc: str | None = self.module.sync_detailed.__doc__
        return doc


@functools.cache
def load_operation(resource: str, name: str) -> Operation:
    """Import one operation's module and read what the clients need from it."""
    module = importlib.import_module(f"{API_PACKAGE}.{resource}.{name}")
    generated = inspect.signature(module.sync_detailed)
    parameters = [
        _company_parameter() if p.name == "company_id" else p
        for p in generated.parameters.values()
        if p.name not in _HIDDEN_PARAMETERS
    ]
    responses = _declared_responses(module)
    company = generated.parameters.get("company_id")
    return Operation(
        resource=resource,
        name=name,
        module=module,
        signature=inspect.Signature(parameters),
        responses=types.MappingProxyType(responses),
        task_statuses=frozenset(
            status
            for status in _TASK_STATUSES
            if status in responses and _carries_task_id(responses[status])
        ),
        company_id_required=company is not None and company.default is inspect.Parameter.empty,
    )


def all_operations() -> tuple[Operation, ...]:
    """Every operation of the generated layer (imports every operation module)."""
    return tuple(
        load_operation(resource, name)
        for resource in resource_names()
        for name in operation_names(resource)
    )


@dataclass(frozen=True)
class TaskOperation:
    """An operation that starts an asynchronous task, as found in the generated layer."""

    resource: str
    """The resource (spec tag) it belongs to: `client.<resource>`."""
    name: str
    """The operation: `client.<resource>.<name>(...)`."""
    statuses: tuple[int, ...]
    """The success statuses whose body carries the task id (202 and/or 201)."""

    @property
    def qualname(self) -> str:
        """`resource.name`."""
        return f"{self.resource}.{self.name}"


def task_operations() -> tuple[TaskOperation, ...]:
    """Every operation that starts a task, found in the generated layer (not a hand list).

    An operation starts a task when a declared 201 or 202 body carries a task id: the envelope's
    `data` is `TaskIdResponseDto` (202), or a created object with a `task_id` field (201).
    Calling one returns a `TaskHandle` (`AsyncTaskHandle`) whenever the answer holds a task id.
    Reads that run as tasks for some integrations (`IntegrationProfile.reads_start_tasks`) are
    decided by the answer, not listed here.
    """
    return tuple(
        TaskOperation(op.resource, op.name, tuple(sorted(op.task_statuses)))
        for op in all_operations()
        if op.task_statuses
    )


def _suggest(name: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def missing_resource(owner: str, name: str) -> AttributeError:
    """The AttributeError for an unknown resource name, naming close matches."""
    return AttributeError(
        f"{owner!r} object has no attribute {name!r}" + _suggest(name, resource_names())
    )


class Resource:
    """The operations of one spec tag, bound to a client: `client.accounting.get_accounts(...)`."""

    def __init__(self, client: BaseClient, name: str) -> None:
        self._client = client
        self._name = name

    def __getattr__(self, name: str) -> BoundOperation:
        if name.startswith("_") or name not in operation_names(self._name):
            raise AttributeError(
                f"the {self._name!r} resource has no operation {name!r}"
                + _suggest(name, operation_names(self._name))
            )
        return BoundOperation(self._client, load_operation(self._name, name))

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *operation_names(self._name)})

    def __repr__(self) -> str:
        return f"<maesn resource {self._name!r}: {len(operation_names(self._name))} operations>"


class BoundOperation:
    """One operation bound to a client: call it, or `.with_raw_response(...)` for the raw answer.

    Calling returns the envelope's `data` (a generated model, a list, a str...) or, for an answer
    that carries a task id, a `TaskHandle` (`AsyncTaskHandle` on an AsyncClient, where the call
    is awaited).
    """

    def __init__(self, client: BaseClient, operation: Operation) -> None:
        self._client = client
        self.operation = operation
        self.__signature__ = operation.signature
        self.__doc__ = operation.doc
        self.__name__ = operation.name
        self.__qualname__ = operation.qualname

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._client._call_operation(self.operation, args, kwargs, raw=False)  # noqa: SLF001

    def with_raw_response(self, *args: Any, **kwargs: Any) -> Any:
        """The same call, returning the generated `maesn_api.types.Response`.

        Status, headers, content and parsed body, for every status: nothing is unwrapped and no
        status raises (a 2xx body the generated parser refuses still does).
        """
        return self._client._call_operation(self.operation, args, kwargs, raw=True)  # noqa: SLF001

    def __repr__(self) -> str:
        return f"<maesn operation {self.operation.qualname}{self.operation.signature}>"


# -- checking arguments and building the request -----------------------------------------------


def _plain_classes(annotation: object) -> tuple[type, ...] | None:
    """The classes an annotation allows, when it is made only of plain classes; else None."""
    members = annotation.__args__ if isinstance(annotation, types.UnionType) else (annotation,)
    classes: list[type] = []
    for member in members:
        if member is None:
            classes.append(type(None))
        elif isinstance(member, type):  # list[str] is not a type: left unchecked
            classes.append(member)
        else:
            return None
    if float in classes:
        classes.append(int)
    return tuple(classes)


def _check_type(operation: Operation, name: str, value: object) -> None:
    parameter = operation.signature.parameters[name]
    allowed = _plain_classes(parameter.annotation)
    if allowed is None:
        return
    refused_bool = isinstance(value, bool) and bool not in allowed
    if isinstance(value, allowed) and not refused_bool:
        return
    wanted = " or ".join(c.__name__ for c in allowed if c.__name__ not in {"Unset", "NoneType"})
    hint = None
    if isinstance(value, dict) and any(hasattr(c, "from_dict") for c in allowed):
        hint = f"build the model from a dict with maesn_api.models.{wanted}.from_dict(...)"
    raise ValidationError(
        f"{operation.qualname}(): {name} must be {wanted or 'omitted'}, got "
        f"{type(value).__name__} {excerpt(repr(value))}" + (f" ({hint})" if hint else ""),
        argument=name,
        hint=hint,
    )


def missing_company_id(operation: Operation) -> ValidationError:
    """The error for an operation whose spec requires companyId, called without one."""
    return ValidationError(
        f"{operation.qualname}() needs a companyId: pass company_id=... (to the call or the "
        "client; client.companies() lists the ids)",
        argument="company_id",
    )


def bind_arguments(
    operation: Operation, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The call's arguments by name, checked against the operation's signature and types."""
    try:
        bound = operation.signature.bind(*args, **kwargs)
    except TypeError as exc:
        named = _QUOTED_NAME.search(str(exc))
        raise ValidationError(
            f"{operation.qualname}{operation.signature}: {exc}",
            argument=named.group(1) if named else None,
        ) from None
    for name, value in bound.arguments.items():
        if name != "company_id":
            _check_type(operation, name, value)
    return dict(bound.arguments)


def build_request(
    operation: Operation, arguments: dict[str, Any], *, base_url: str, headers: httpx.Headers
) -> httpx.Request:
    """The request the generated `_get_kwargs` describes, with the client's URL and headers."""
    try:
        kwargs = operation.module._get_kwargs(**arguments)  # noqa: SLF001
    except (AttributeError, TypeError, ValueError) as exc:
        raise ValidationError(
            f"{operation.qualname}(): the arguments could not be encoded "
            f"({type(exc).__name__}: {exc})"
        ) from None
    merged = httpx.Headers(headers)
    merged.update(kwargs.pop("headers", None) or {})
    method = str(kwargs.pop("method")).upper()
    url = base_url + str(kwargs.pop("url"))
    return httpx.Request(method, url, headers=merged, **kwargs)


# -- interpreting the answer -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskStart:
    """An answer that started a task: its id and the parsed data the start call returned."""

    task_id: str
    created: Any


def _invalid(
    operation: Operation, response: httpx.Response, reason: str, attempts: int, redact: Redact
) -> ResponseValidationError:
    text = redact(response.content.decode("utf-8", errors="replace"))
    return ResponseValidationError(
        f"the {response.status_code} response to {operation.qualname} does not match the spec: "
        f"{redact(reason)}. Body: {excerpt(text) or '(empty)'}",
        body=text,
        status_code=response.status_code,
        attempts=attempts,
    )


def _unwrap(parsed: object) -> object:
    """The envelope's `data` for a `{meta, data}` envelope model; anything else as it is."""
    kind = type(parsed)
    if attrs.has(kind):
        fields = attrs.fields_dict(kind)
        if "data" in fields and "meta" in fields:
            data = getattr(parsed, "data", None)
            return None if isinstance(data, Unset) else data
    return parsed


def _task_id_of(parsed: object, data: object) -> str | None:
    for candidate in (data, parsed):
        value = getattr(candidate, "task_id", None) if attrs.has(type(candidate)) else None
        if isinstance(value, str) and value:
            return value
    return None


def _read_task(response: httpx.Response) -> TaskStart | None:
    """`{"data": {"taskId": ...}}`: a read that runs as a task (DATEV Rechnungswesen export)."""
    try:
        body = decode_json(response.content)
    except (ValueError, RecursionError):
        return None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not set(data) <= {"taskId", "status"}:
        return None
    task_id = data.get("taskId")
    return TaskStart(task_id, data) if isinstance(task_id, str) and task_id else None


def interpret(
    operation: Operation,
    response: httpx.Response,
    *,
    api_client: Any,
    attempts: int,
    redact: Redact,
    reads_start_tasks: bool,
) -> Any:
    """The call's result: the data, a `TaskStart`, or the typed error for a failed answer."""
    if not 200 <= response.status_code < 300:  # noqa: PLR2004
        raise error_from_response(response, attempts=attempts, redact=redact)
    if reads_start_tasks and response.request.method == "GET":
        started = _read_task(response)
        if started is not None:
            return started
    try:
        parsed = operation.module._parse_response(client=api_client, response=response)  # noqa: SLF001
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise _invalid(
            operation, response, f"{type(exc).__name__}: {exc}", attempts, redact
        ) from None
    data = _unwrap(parsed)
    if response.status_code in operation.task_statuses:
        task_id = _task_id_of(parsed, data)
        if task_id is not None:
            return TaskStart(task_id, data)
    return data


def raw_response(
    operation: Operation,
    response: httpx.Response,
    *,
    api_client: Any,
    attempts: int,
    redact: Redact,
) -> Any:
    """The generated `Response[T]` for any status (a body the parser refuses still raises)."""
    try:
        return operation.module._build_response(client=api_client, response=response)  # noqa: SLF001
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise _invalid(
            operation, response, f"{type(exc).__name__}: {exc}", attempts, redact
        ) from None
