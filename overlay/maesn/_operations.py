"""What an operation is, as the regeneration script describes it: the facts the clients need.

`scripts/regenerate_typed` reads the (fixed) spec through the pinned generator's own parser and
writes one `Operation` per operationId into `maesn_resources` (the generated typed resources),
next to the method that calls it. Everything here is plain data known when the spec is generated:
nothing is discovered at run time, and a model class is imported only when a call needs it
(`ModelRef`).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Body",
    "Location",
    "ModelRef",
    "Operation",
    "Parameter",
    "ParameterKind",
    "Reply",
    "ReplyData",
    "Result",
    "TaskOperation",
    "all_operations",
    "find_operation",
    "task_operations",
]

Location = Literal["path", "query", "header"]
ParameterKind = Literal["str", "int", "float", "bool", "enum", "datetime", "date", "any"]
ReplyData = Literal["model", "list", "any", "none"]
"""The envelope's `data` (or the whole body, for an answer without the envelope): one model,
a list of models, any JSON value, or no body."""
Result = Literal["model", "page", "task", "task_or_model", "none"]
"""What a call returns: the data, a page of it, a task handle, a handle or the created object,
or None (no content)."""


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A generated model class by module and name, imported on first use."""

    module: str
    """The module under `maesn_api.models` (e.g. `get_invoices_response_200_data_item`)."""
    name: str
    """The class name (e.g. `GetInvoicesResponse200DataItem`)."""

    def load(self) -> type[Any]:
        """The class (importing its module, and only the modules it imports)."""
        return _load_model(self.module, self.name)

    @property
    def qualname(self) -> str:
        """`maesn_api.models.<module>.<name>`, for messages."""
        return f"maesn_api.models.{self.module}.{self.name}"


@functools.cache
def _load_model(module: str, name: str) -> type[Any]:
    loaded: type[Any] = getattr(importlib.import_module(f"maesn_api.models.{module}"), name)
    return loaded


@dataclass(frozen=True, slots=True)
class Parameter:
    """One path, query or header parameter of an operation."""

    name: str
    """The Python keyword (`last_modified_at`)."""
    wire: str
    """The name Maesn reads (`lastModifiedAt`)."""
    location: Location
    kind: ParameterKind = "str"
    required: bool = False
    choices: tuple[str | int, ...] = ()
    """The values an enum parameter allows, as sent."""
    enum: ModelRef | None = None
    """The generated enum class whose members are accepted too."""
    secret: bool = False
    """The value is a credential (an account key, a token): never shown in a message."""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Body:
    """The request body: a generated model sent as JSON or as multipart/form-data."""

    model: ModelRef
    encoding: Literal["json", "multipart"]
    required: bool = True


@dataclass(frozen=True, slots=True)
class Reply:
    """One declared status's answer."""

    envelope: bool
    """The body is Maesn's `{meta, data, errors, rawData}` envelope."""
    data: ReplyData
    """The shape of `data` (or of the whole body without the envelope)."""
    model: ModelRef | None = None
    """The model of `data` (or of its items, for a list)."""
    task_id: bool = False
    """`data.taskId` may carry the id of a task this call started."""
    pure_task: bool = False
    """`data` is only the task id (the answer must name a task)."""
    content: Literal["json", "text", "bytes", "none"] = "json"
    """How the body is read: JSON, text, raw bytes, or not at all."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of Maesn's API, as generated from the spec."""

    operation_id: str
    """The spec's operationId (`getInvoices`)."""
    resource: str
    """The resource (spec tag) it belongs to: `client.<resource>`."""
    name: str
    """The method: `client.<resource>.<name>(...)`."""
    method: str
    """Upper-case HTTP method."""
    path: str
    """The path template with the spec's parameter names (`/accounting/invoices/{invoiceId}`)."""
    parameters: tuple[Parameter, ...]
    body: Body | None
    replies: Mapping[int, Reply]
    """Each declared 2xx status's answer."""
    result: Result
    pages: bool = False
    """The operation takes `page` and `limit`: a list that can be iterated page by page."""
    summary: str = ""
    by_name: Mapping[str, Parameter] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {p.name: p for p in self.parameters})

    @property
    def qualname(self) -> str:
        """`resource.name`, as written after `client.`."""
        return f"{self.resource}.{self.name}"

    @property
    def starts_tasks(self) -> bool:
        """A declared answer can carry the id of a task this call started."""
        return any(reply.task_id for reply in self.replies.values())

    @property
    def task_statuses(self) -> tuple[int, ...]:
        """The declared statuses whose answer can carry a task id."""
        return tuple(sorted(status for status, reply in self.replies.items() if reply.task_id))

    def reply_for(self, status: int) -> Reply | None:
        """The declared answer of `status`, else the first declared 2xx (None: nothing declared)."""
        reply = self.replies.get(status)
        if reply is not None:
            return reply
        return self.replies[min(self.replies)] if self.replies else None

    def parameter(self, wire: str) -> Parameter | None:
        """The parameter Maesn reads as `wire`, if the operation has it."""
        return next((p for p in self.parameters if p.wire == wire), None)


def all_operations() -> tuple[Operation, ...]:
    """Every operation of the generated typed resources (imports every resource module)."""
    from maesn_resources import all_operations as generated  # noqa: PLC0415 - on demand

    return generated()


@functools.cache
def _index() -> dict[tuple[str, str], Operation]:
    return {(op.resource, op.name): op for op in all_operations()}


def find_operation(resource: str, name: str) -> Operation:
    """The operation `client.<resource>.<name>` calls (KeyError when there is none)."""
    return _index()[(resource, name)]


@dataclass(frozen=True)
class TaskOperation:
    """An operation that starts an asynchronous task, as generated from the spec."""

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
    """Every operation that starts a task (a declared 201/202 whose `data` carries `taskId`).

    Calling one returns a `TaskHandle` (`AsyncTaskHandle`) whenever the answer holds a task id.
    Reads that run as tasks for some integrations (`IntegrationProfile.reads_start_tasks`) are
    called through `client.<resource>.as_task.<operation>(...)`.
    """
    return tuple(
        TaskOperation(op.resource, op.name, op.task_statuses)
        for op in all_operations()
        if op.starts_tasks
    )
