"""What each operation is, read through the pinned generator's own parser.

The generator's `GeneratorData` is what `generated/maesn_api` was rendered from, so the Python
names here (resources, methods, keywords, model and enum classes) are exactly the generated
layer's. The spec document itself adds what the parser does not keep in a usable form: the
operationId, the summary and description, and each parameter's description. Every string that
comes from the spec is kept as plain data here and escaped by the renderer where it lands in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.bodies import BodyType
from openapi_python_client.parser.errors import GeneratorError
from openapi_python_client.parser.properties import AnyProperty, EnumProperty, ModelProperty
from openapi_python_client.parser.properties.boolean import BooleanProperty
from openapi_python_client.parser.properties.date import DateProperty
from openapi_python_client.parser.properties.datetime import DateTimeProperty
from openapi_python_client.parser.properties.float import FloatProperty
from openapi_python_client.parser.properties.int import IntProperty
from openapi_python_client.parser.properties.list_property import ListProperty
from openapi_python_client.parser.properties.string import StringProperty

__all__ = [
    "BodyFacts",
    "FactsError",
    "ModelName",
    "OperationFacts",
    "ParameterFacts",
    "ReplyFacts",
    "read_operations",
]

KEY_HEADERS = frozenset({"X-API-KEY", "X-ACCOUNT-KEY"})
"""Header parameters every operation declares; the client sends its own keys in them."""
_SECRET_WORDS = ("key", "token", "secret", "password")
_TASK_STATUSES = frozenset({201, 202})
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class FactsError(Exception):
    """The generator's parser refused the spec, or an operation has a shape this script cannot type."""


@dataclass(frozen=True)
class ModelName:
    """A generated model class: its module under `maesn_api.models` and its name."""

    module: str
    name: str


@dataclass(frozen=True)
class ParameterFacts:
    """One path, query or header parameter."""

    name: str
    wire: str
    location: Literal["path", "query", "header"]
    kind: Literal["str", "int", "float", "bool", "enum", "datetime", "date", "any"]
    required: bool
    choices: tuple[str | int, ...] = ()
    enum: ModelName | None = None
    secret: bool = False
    description: str = ""


@dataclass(frozen=True)
class BodyFacts:
    """The request body's model and encoding."""

    model: ModelName
    encoding: Literal["json", "multipart"]
    required: bool
    description: str = ""


@dataclass(frozen=True)
class ReplyFacts:
    """One declared 2xx answer."""

    status: int
    envelope: bool
    data: Literal["model", "list", "any", "none"]
    content: Literal["json", "text", "bytes", "none"]
    model: ModelName | None = None
    scalar: str | None = None
    """The Python type of a plain (non-model) value, e.g. `str`; None for any JSON."""
    task_id: bool = False
    pure_task: bool = False
    """`data` holds only the task id (TaskIdResponseDto): nothing else was created."""


@dataclass(frozen=True)
class OperationFacts:
    """One operation as the typed resources expose it."""

    operation_id: str
    resource: str
    name: str
    method: str
    path: str
    summary: str
    description: str
    deprecated: bool
    parameters: tuple[ParameterFacts, ...]
    body: BodyFacts | None
    replies: tuple[ReplyFacts, ...]
    pages: bool = field(default=False)

    @property
    def result(self) -> Literal["model", "page", "task", "task_or_model", "none"]:
        """What the typed method returns."""
        tasks = [reply for reply in self.replies if reply.task_id]
        if tasks:
            if all(reply.task_id and reply.pure_task for reply in self.replies):
                return "task"
            return "task_or_model"
        primary = self.replies[0] if self.replies else None
        if primary is None or primary.data == "none":
            return "none"
        if self.pages and primary.data == "list":
            return "page"
        return "model"


def _text(value: object) -> str:
    if value is None:
        return ""
    getter = getattr(value, "get_untrusted_value", None)
    return str(getter()) if callable(getter) else str(value)


def _model_name(prop: ModelProperty | EnumProperty) -> ModelName:
    return ModelName(module=str(prop.class_info.module_name), name=str(prop.class_info.name))


def _properties(model: ModelProperty) -> list[Any]:
    return [*(model.required_properties or []), *(model.optional_properties or [])]


def _parameter(
    prop: Any, location: Literal["path", "query", "header"], description: str
) -> ParameterFacts:
    wire = _text(prop.name)
    name = str(prop.python_name)
    secret = any(word in name.lower() for word in _SECRET_WORDS)
    common: dict[str, Any] = {
        "name": name,
        "wire": wire,
        "location": location,
        "required": bool(prop.required),
        "secret": secret,
        "description": description,
    }
    if isinstance(prop, EnumProperty):
        values = tuple(prop.values.values())
        return ParameterFacts(kind="enum", choices=values, enum=_model_name(prop), **common)
    kinds: list[tuple[type[Any], Literal["bool", "int", "float", "datetime", "date", "str"]]] = [
        (BooleanProperty, "bool"),
        (IntProperty, "int"),
        (FloatProperty, "float"),
        (DateTimeProperty, "datetime"),
        (DateProperty, "date"),
        (StringProperty, "str"),
    ]
    for cls, kind in kinds:
        if isinstance(prop, cls):
            return ParameterFacts(kind=kind, **common)
    return ParameterFacts(kind="any", **common)


def _scalar(prop: Any) -> str | None:
    scalars: list[tuple[type[Any], str]] = [
        (BooleanProperty, "bool"),
        (IntProperty, "int"),
        (FloatProperty, "float"),
        (StringProperty, "str"),
    ]
    return next((name for cls, name in scalars if isinstance(prop, cls)), None)


def _shape(
    prop: Any,
) -> tuple[Literal["model", "list", "any", "none"], ModelName | None, str | None]:
    """The shape of a body or of the envelope's `data`."""
    if isinstance(prop, ModelProperty):
        return "model", _model_name(prop), None
    if isinstance(prop, ListProperty):
        inner = prop.inner_property
        if isinstance(inner, ModelProperty):
            return "list", _model_name(inner), None
        return "list", None, _scalar(inner)
    if isinstance(prop, AnyProperty):
        return "any", None, None
    scalar = _scalar(prop)
    if scalar is not None:
        return "any", None, scalar
    return "any", None, None


def _reply(status: int, response: Any) -> ReplyFacts:
    source = str(response.source["attribute"])
    content: Literal["json", "text", "bytes", "none"] = (
        "json"
        if "json" in source
        else "text"
        if source == "response.text"
        else "bytes"
        if source == "response.content"
        else "none"
    )
    prop = response.prop
    if content == "none":
        return ReplyFacts(status=status, envelope=False, data="none", content="none")
    if isinstance(prop, ModelProperty):
        fields = {str(p.python_name): p for p in _properties(prop)}
        if "data" in fields and "meta" in fields:
            data, model, scalar = _shape(fields["data"])
            task_fields: set[str] = set()
            if data == "model" and isinstance(fields["data"], ModelProperty):
                task_fields = {str(p.python_name) for p in _properties(fields["data"])}
            task = status in _TASK_STATUSES and "task_id" in task_fields
            return ReplyFacts(
                status=status,
                envelope=True,
                data=data,
                content=content,
                model=model,
                scalar=scalar,
                task_id=task,
                pure_task=task and task_fields <= {"task_id", "status"},
            )
    data, model, scalar = _shape(prop)
    return ReplyFacts(
        status=status, envelope=False, data=data, content=content, model=model, scalar=scalar
    )


_TEMPLATE_PARAMETER = re.compile(r"\{[^}]*\}")


def _shape_of(path: str) -> str:
    """A path template with its parameter names blanked: the generator renames them."""
    return _TEMPLATE_PARAMETER.sub("{}", path)


def _spec_operations(spec: dict[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """(method, path shape) -> the spec's own path template and operation object."""
    found: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for path, item in (spec.get("paths") or {}).items():
        for method in _HTTP_METHODS:
            if isinstance(item, dict) and isinstance(item.get(method), dict):
                found[(method, _shape_of(str(path)))] = (str(path), item[method])
    return found


def _descriptions(operation: dict[str, Any]) -> dict[tuple[str, str], str]:
    result: dict[tuple[str, str], str] = {}
    for parameter in operation.get("parameters") or []:
        if isinstance(parameter, dict) and "name" in parameter:
            key = (str(parameter.get("in")), str(parameter["name"]))
            result[key] = str(parameter.get("description") or "")
    return result


def generator_config(config_path: Any) -> Config:
    """The generator's configuration, read the way `openapi-python-client generate` reads it."""
    return Config.from_sources(
        ConfigFile.load_from_path(config_path),
        MetaType.NONE,
        "maesn.yaml",
        "utf-8",
        True,  # noqa: FBT003 - overwrite, positional in the generator's API
        None,
    )


def _parameters(endpoint: Any, descriptions: dict[tuple[str, str], str]) -> list[ParameterFacts]:
    parameters: list[ParameterFacts] = []
    locations: tuple[tuple[Literal["path", "query", "header"], Any], ...] = (
        ("path", endpoint.path_parameters),
        ("query", endpoint.query_parameters),
        ("header", endpoint.header_parameters),
    )
    for location, props in locations:
        for prop in props:
            wire = _text(prop.name)
            if location == "header" and wire.upper() in KEY_HEADERS:
                continue
            parameters.append(_parameter(prop, location, descriptions.get((location, wire), "")))
    return parameters


def _body(endpoint: Any, document: dict[str, Any], operation_id: str) -> BodyFacts | None:
    if not endpoint.bodies:
        return None
    if len(endpoint.bodies) > 1:
        raise FactsError(
            f"{operation_id} accepts several body types; the typed resources support one"
        )
    (only,) = endpoint.bodies
    if not isinstance(only.prop, ModelProperty):
        raise FactsError(f"{operation_id}: the body is not a model")
    request_body = document.get("requestBody") or {}
    return BodyFacts(
        model=_model_name(only.prop),
        encoding="multipart" if only.body_type == BodyType.FILES else "json",
        required=bool(request_body.get("required", True)),
        description=str(request_body.get("description") or ""),
    )


def _replies(endpoint: Any) -> tuple[ReplyFacts, ...]:
    """The declared 2xx answers (exact codes), in order."""
    replies = [
        _reply(response.status_code.range[0], response)
        for response in endpoint.responses
        if response.status_code.range is not None
        and response.status_code.range[0] == response.status_code.range[1]
        and 200 <= response.status_code.range[0] < 300  # noqa: PLR2004
    ]
    return tuple(sorted(replies, key=lambda reply: reply.status))


def read_operations(spec: dict[str, Any], config: Config) -> list[OperationFacts]:
    """Every operation of the (fixed) spec, in the generator's order of tags and endpoints."""
    parsed = GeneratorData.from_dict(spec, config=config)
    if isinstance(parsed, GeneratorError):
        raise FactsError(
            f"the generator's parser refused the spec: {parsed.header} {parsed.detail}"
        )
    documents = _spec_operations(spec)
    operations: list[OperationFacts] = []
    for tag, collection in parsed.endpoint_collections_by_tag.items():
        for endpoint in collection.endpoints:
            method = str(endpoint.method).lower()
            located = documents.get((method, _shape_of(_text(endpoint.path))))
            if located is None:
                raise FactsError(
                    f"{endpoint.name}: {method.upper()} {_text(endpoint.path)} is not in the spec"
                )
            path, document = located
            operation_id = str(document.get("operationId") or endpoint.name)
            parameters = _parameters(endpoint, _descriptions(document))
            wires = {(p.location, p.wire) for p in parameters}
            operations.append(
                OperationFacts(
                    operation_id=operation_id,
                    resource=str(tag),
                    name=str(endpoint.name),
                    method=method.upper(),
                    path=path,
                    summary=str(document.get("summary") or ""),
                    description=str(document.get("description") or ""),
                    deprecated=bool(document.get("deprecated")),
                    parameters=tuple(parameters),
                    body=_body(endpoint, document, operation_id),
                    replies=_replies(endpoint),
                    pages={("query", "page"), ("query", "limit")} <= wires,
                )
            )
    return operations
