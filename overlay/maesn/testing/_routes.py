"""The sandbox's routes, from the operations' facts the regeneration script emitted.

Each `maesn._operations.Operation` (generated with the typed resources, from the spec) says the
method, the path template, the parameters (wire names), how the body is sent (JSON or multipart),
the declared answers and which of them carry a task id; the sandbox and the client read the same
facts, so they agree on what starts a task. Regenerating with a new operation gives the sandbox a
route for it with no change here.

What a route does with the stored records (`Route.kind`) follows from its method and path alone:

- a `GET` answering a list (`/a/things`): `list` the collection at that path;
- `POST /a/things`: `create` in it;
- `GET`, `PUT`/`PATCH`, `DELETE /a/things/{thingId}`: `get`, `update`, `delete` the record with
  that id in the collection the path has without its last segment;
- any other `GET` (`/a/profile`, `/a/things/{thingId}/document`, `/auth/{TARGET_SYSTEM}`): a
  `singleton`, one object at that exact path; anything else is an `action` (answered with a
  valid sample). Only operations answering Maesn's envelope act on records: the auth, tenant,
  event and health operations without it are singletons and actions.

Collections pair up by path, not by operationId: `/accounting/invoices` (create, list) and
`/accounting/invoices/{invoiceId}` (get, patch) are one collection. Two spellings name the same
collection: a version segment is left out (`/accounting/v2/contacts` is `/accounting/contacts`)
and a plural matches its singular (`POST /accounting/vendorCredit` creates what
`PUT /accounting/vendorCredits/{vendorCreditId}` updates). A sub-collection belongs to one parent
(`/accounting/invoices/inv-1/lineItems`). The operations of the spec's `webhooks` tag act on
the webhook subscriptions instead; a list of `CompanyResponseDto` lists the sandbox's companies.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from maesn._operations import Operation, all_operations

__all__ = [
    "RECORD_KINDS",
    "Route",
    "RouteKind",
    "all_routes",
    "companies_route",
    "event_resource",
    "route_named",
    "task_routes",
]

_CREATED = 201
_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")
_VERSION = re.compile(r"v[0-9]+")
_WEBHOOK_RESOURCE = "webhooks"
"""The spec tag whose operations manage webhook subscriptions."""
_COMPANY_MODEL = "CompanyResponseDto"
"""The model of the companies an account key can reach (`GET /auth/companies`)."""

RECORD_KINDS = frozenset({"list", "get", "create", "update", "delete", "singleton"})
"""The route kinds that read or write stored records (and can be seeded through)."""

BodyKind = Literal["json", "multipart", "none"]
RouteKind = Literal[
    "list",
    "get",
    "create",
    "update",
    "delete",
    "singleton",
    "action",
    "companies",
    "subscribe",
    "subscriptions",
    "unsubscribe",
]


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
    """The path template as a regular expression (one group a path parameter)."""
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
    kind: RouteKind = "action"
    """What the route does with the stored records (see the module docstring)."""
    collection: tuple[str, ...] = ()
    """The collection's key with `{name}` where a parent's path parameter goes."""
    facts: Operation | None = field(default=None, compare=False, repr=False)
    """The generated operation."""

    @property
    def path_parameters(self) -> int:
        """How many path parameters the route has (routes with fewer are tried first)."""
        return len(_PATH_PARAMETER.findall(self.template))

    @property
    def operation_id(self) -> str:
        """The spec's operationId."""
        return "" if self.facts is None else self.facts.operation_id

    def path_values(self, path: str) -> dict[str, str]:
        """The path parameters of a request path this route matches, by wire name."""
        match = self.pattern.fullmatch(path)
        names = _PATH_PARAMETER.findall(self.template)
        return {} if match is None else dict(zip(names, match.groups(), strict=True))

    def collection_key(self, values: Mapping[str, str]) -> tuple[str, ...]:
        """The concrete collection (parents' ids filled in) a request with `values` acts on."""
        return tuple(
            values.get(segment[1:-1], "") if segment.startswith("{") else segment
            for segment in self.collection
        )

    @property
    def item_parameter(self) -> str | None:
        """The wire name of the path parameter naming the record (get, update, delete)."""
        last = self.template.rstrip("/").rsplit("/", 1)[-1]
        return last[1:-1] if last.startswith("{") else None


def _singular(segment: str) -> str:
    if segment.endswith("ies"):
        return segment[:-3] + "y"
    if segment.endswith("s") and not segment.endswith("ss"):
        return segment[:-1]
    return segment


def _collection(segments: list[str]) -> tuple[str, ...]:
    return tuple(
        segment if segment.startswith("{") else _singular(segment)
        for segment in segments
        if not _VERSION.fullmatch(segment)
    )


_ITEM_KINDS: Mapping[str, RouteKind] = {
    "GET": "get",
    "PUT": "update",
    "PATCH": "update",
    "DELETE": "delete",
}
_WEBHOOK_KINDS: Mapping[tuple[str, bool], RouteKind] = {
    ("POST", False): "subscribe",
    ("DELETE", True): "unsubscribe",
    ("GET", False): "subscriptions",
}


def _kind(operation: Operation) -> tuple[RouteKind, tuple[str, ...]]:
    segments = [segment for segment in operation.path.split("/") if segment]
    item = bool(segments) and segments[-1].startswith("{")
    primary = operation.reply_for(200)
    method = operation.method
    kind: RouteKind = "action"
    if operation.resource == _WEBHOOK_RESOURCE and (method, item) in _WEBHOOK_KINDS:
        return _WEBHOOK_KINDS[(method, item)], ()
    if primary is not None and method == "GET" and primary.data == "list":
        model = primary.model.name if primary.model is not None else None
        kind = "companies" if model == _COMPANY_MODEL else "list"
    elif primary is None or not primary.envelope:
        kind = "singleton" if method == "GET" else "action"
    elif item and method in _ITEM_KINDS:
        return _ITEM_KINDS[method], _collection(segments[:-1])
    elif method == "GET":
        kind = "singleton"
    elif method == "POST" and not item:
        kind = "create"
    keyed = kind in {"list", "singleton", "create"}
    return kind, _collection(segments) if keyed else ()


def _route(operation: Operation) -> Route:
    responses = {
        status: reply.model.name
        for status, reply in operation.replies.items()
        if reply.model is not None
    }
    statuses = sorted(operation.task_statuses, reverse=True)  # a 202 before a 201
    template = operation.path
    pattern = re.compile(
        _PATH_PARAMETER.sub("([^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
    )
    kind, collection = _kind(operation)
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
        kind=kind,
        collection=collection,
        facts=operation,
    )


@functools.cache
def all_routes() -> tuple[Route, ...]:
    """Every operation; routes with fewer path parameters first."""
    routes = [_route(operation) for operation in all_operations()]
    return tuple(sorted(routes, key=lambda r: (r.path_parameters, r.template, r.method)))


@functools.cache
def _by_name() -> dict[str, Route]:
    return {route.operation: route for route in all_routes()}


def route_named(operation: str) -> Route | None:
    """The route of the generated operation `operation` (the client's method name)."""
    return _by_name().get(operation)


def task_routes() -> tuple[Route, ...]:
    """The operations whose declared success response can carry a task id."""
    return tuple(route for route in all_routes() if route.task_status is not None)


def companies_route() -> Route:
    """`GET /auth/companies` (getCompanies)."""
    return next(r for r in all_routes() if r.method == "GET" and r.template == "/auth/companies")


def event_resource(collection: tuple[str, ...]) -> str:
    """The webhook `resource` of a collection: its last name in upper snake case.

    `("accounting", "invoice")` is INVOICE, `("accounting", "creditNote")` CREDIT_NOTE, as
    Maesn's webhook resources are named.
    """
    name = next((s for s in reversed(collection) if not s.startswith("{")), "")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()
