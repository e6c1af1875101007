"""The operations on stored records: create, read, list, update, delete; and webhook subscriptions.

`RecordsApi.serve` answers one call whose route (`_routes.Route.kind`) acts on records, in the
call's scope (account key and companyId), with a body valid by the operation's published schema
(`_answers.answer`). A create, update or delete of a record tells the webhook dispatcher
(`maesn.testing.WebhookDispatcher.notify`), which delivers a signed event to every matching
subscription of the account key.

Decisions where Maesn documents nothing:

- Ids are generated (`sandbox-` and 12 hex digits); an id in a create's body is ignored. A read,
  update or delete of an id the collection does not hold answers 404, as Maesn does.
- PUT replaces a record's fields with the body's, PATCH merges the body's into them. Every
  answer shapes the stored fields to the reading operation's schema: fields it declares are kept
  where valid, missing required ones get a valid sample (`_schemas.conform`).
- Lists: records oldest first. `lastModifiedAt` keeps those modified at or after it; a query
  parameter named like a field of the listed records (`status`, `name`, `email`, ...) keeps
  those whose field equals it; other filters (`orderField`, `fiscalYear`, ...) are accepted and
  ignored. A list that pages answers `page` (default 1) of `limit` (default: the largest value
  the operation allows) with `meta.pagination`; a page past the last is empty.
- A singleton (`GET /accounting/profile`) answers what was seeded for it, else a valid sample;
  an action (`POST /auth/cancel`, `GET /health`, ...) a valid sample of its declared answer.
- Webhooks (`POST /webhooks`, `/webhooks/user`, ...): `callbackUrl` is required and must be an
  absolute http(s) URL (else 400); the answer carries the secret and the expiry date. The list
  (`GET /webhooks`) leaves the secrets out. The event's `resource` is the collection's name in
  upper snake case (INVOICE, CREDIT_NOTE); deletes of subscriptions unknown to the account
  answer 404.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from maesn._exceptions import ValidationError
from maesn._operations import Operation

from ._answers import answer, data_schema, item_schema
from ._faults import Reply, error_body
from ._records import Record, RecordStore, Scope, WallClock, paginate
from ._requests import parse_timestamp, query_value
from ._routes import RECORD_KINDS, Route, event_resource
from ._schemas import problems, resolve
from ._webhooks import WebhookDispatcher, WebhookSubscriptions

__all__ = ["Call", "InvalidRecordError", "RecordsApi", "id_field"]

_NOT_FOUND = 404
_STAMPED = ("updatedDate", "lastModifiedDate")
"""Fields that show a record's last modification where the schema has them and it sets none."""
_DEFAULT_LIMIT = 100
_IGNORED_FILTERS = frozenset(
    {"page", "limit", "lastModifiedAt", "companyId", "environmentName", "rawData"}
)


class InvalidRecordError(ValidationError):
    """A seeded record is not valid by the operation's published schema; nothing was stored."""

    def __init__(
        self, message: str, *, index: int, field: str, problems: Sequence[tuple[str, str]]
    ) -> None:
        super().__init__(message, argument="records", hint=f"records[{index}].{field}")
        self.index = index
        """The position of the first invalid record in `records`."""
        self.field = field
        """The first invalid field of that record (dotted, `lineItems[0].quantity`)."""
        self.problems = tuple(problems)
        """Every `(field, what is wrong)` of that record."""


@dataclass(frozen=True, kw_only=True)
class Call:
    """One call of an operation on records, as the sandbox received it."""

    route: Route
    operation: Operation
    account_key: str
    webhook_arrays: bool
    scope: Scope
    path: Mapping[str, str]
    """The path parameters, decoded, by wire name."""
    query: Mapping[str, list[str]]
    record: Mapping[str, Any]
    """The fields the body sends (empty without a body)."""

    @property
    def key(self) -> tuple[str, ...]:
        """The concrete collection the call acts on."""
        return self.route.collection_key(self.path)

    @property
    def record_id(self) -> str:
        """The id in the path (get, update, delete)."""
        return self.path.get(self.route.item_parameter or "", "")


def _reply(operation: Operation, status: int, data: Any, **extra: Any) -> Reply:
    body, content_type = answer(operation, status, data, **extra)
    return Reply(status=status, body=body, headers=(("Content-Type", content_type),))


def _not_found(call: Call) -> Reply:
    noun = event_resource(call.route.collection).replace("_", " ").lower() or "record"
    message = f"{noun} {call.record_id!r} not found"
    return Reply(status=_NOT_FOUND, body=error_body(_NOT_FOUND, message))


def id_field(schema: Mapping[str, Any], collection: Sequence[str]) -> str | None:
    """The field of a record that holds its id: `id`, else `<noun>Id` (`invoiceId`), else None."""
    properties = resolve(schema).get("properties") or {}
    if "id" in properties:
        return "id"
    noun = next((s for s in reversed(collection) if not s.startswith("{")), "")
    candidate = f"{noun}Id"
    return candidate if candidate in properties else None


def _stamp(moment: datetime) -> str:
    """`2026-01-31T09:30:00.000Z`, as Maesn writes times."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _largest_limit(operation: Operation) -> int:
    """The default page size of a list: the largest `limit` it allows."""
    parameter = operation.parameter("limit")
    choices = [int(choice) for choice in parameter.choices] if parameter is not None else []
    return max(choices, default=_DEFAULT_LIMIT)


def _matches(value: Mapping[str, Any], name: str, wanted: str) -> bool:
    if name not in value:
        return False
    found = value[name]
    if isinstance(found, bool):
        return wanted == ("true" if found else "false")
    return str(found) == wanted


class RecordsApi:
    """Stored records and webhook subscriptions, and the answers of the calls that use them."""

    def __init__(
        self,
        *,
        store: RecordStore,
        clock: WallClock,
        subscriptions: WebhookSubscriptions,
        dispatcher: Callable[[], WebhookDispatcher],
    ) -> None:
        self.store = store
        self.clock = clock
        self.subscriptions = subscriptions
        self._dispatcher = dispatcher

    # -- serving ---------------------------------------------------------------------------

    def serve(self, call: Call) -> Reply:
        """The answer to `call` (its route's kind is one that acts on records or webhooks)."""
        handlers: dict[str, Callable[[Call], Reply]] = {
            "list": self._list,
            "get": self._get,
            "create": self._create,
            "update": self._update,
            "delete": self._delete,
            "singleton": self._singleton,
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "subscriptions": self._subscriptions,
        }
        handler = handlers.get(call.route.kind, self._action)
        return handler(call)

    @staticmethod
    def _status(operation: Operation) -> int:
        return min(operation.replies) if operation.replies else 200

    @staticmethod
    def value_of(route: Route, record: Record, status: int) -> dict[str, Any]:
        """The record's fields with its id where the answer's schema keeps ids."""
        assert route.facts is not None  # noqa: S101 - every generated route has its facts
        field = id_field(item_schema(route.facts, status), route.collection)
        value = dict(record.value)
        if field is not None and record.id:
            value[field] = record.id
        properties = resolve(item_schema(route.facts, status)).get("properties") or {}
        for name in _STAMPED:
            if name in properties and value.get(name) is None:
                value[name] = _stamp(record.modified)
        return value

    def _answer_record(self, call: Call, record: Record) -> Reply:
        status = self._status(call.operation)
        if item_schema(call.operation, status).get("type") == "string":
            return _reply(call.operation, status, record.id)  # a delete answering the id
        return _reply(call.operation, status, self.value_of(call.route, record, status))

    def _list(self, call: Call) -> Reply:
        operation = call.operation
        records = self.store.all(call.scope, call.key)
        since = query_value(call.query, "lastModifiedAt")
        moment = None if since is None else parse_timestamp(since)
        if moment is not None:
            records = [record for record in records if record.modified >= moment]
        fields = resolve(item_schema(operation, self._status(operation))).get("properties") or {}
        for name, values in call.query.items():
            if name in fields and name not in _IGNORED_FILTERS and values and values[0]:
                records = [r for r in records if _matches(r.value, name, values[0])]
        status = self._status(operation)
        shown = [self.value_of(call.route, record, status) for record in records]
        pagination = None
        if operation.pages:
            shown, pagination = paginate(
                shown,
                page=int(query_value(call.query, "page") or 1),
                limit=int(query_value(call.query, "limit") or _largest_limit(operation)),
            )
        return _reply(operation, status, shown, pagination=pagination)

    def _get(self, call: Call) -> Reply:
        record = self.store.get(call.scope, call.key, call.record_id)
        if record is None:
            return _not_found(call)
        return self._answer_record(call, record)

    def create(self, call: Call) -> Record:
        """Store the record a create sends (a new id) and announce it; the stored record."""
        now = self.clock.now()
        record = Record(
            id=self.store.new_id(),
            value={"createdDate": _stamp(now), **call.record},
            modified=now,
        )
        self.store.put(call.scope, call.key, record)
        self._announce(call, record, "CREATED")
        return record

    def _create(self, call: Call) -> Reply:
        return self._answer_record(call, self.create(call))

    def _update(self, call: Call) -> Reply:
        existing = self.store.get(call.scope, call.key, call.record_id)
        if existing is None:
            return _not_found(call)
        fields = {**existing.value, **call.record} if call.route.method == "PATCH" else call.record
        record = Record(id=existing.id, value=dict(fields), modified=self.clock.now())
        self.store.put(call.scope, call.key, record)
        self._announce(call, record, "UPDATED")
        return self._answer_record(call, record)

    def _delete(self, call: Call) -> Reply:
        removed = self.store.remove(call.scope, call.key, call.record_id)
        if removed is None:
            return _not_found(call)
        self._announce(call, removed, "DELETED")
        return self._answer_record(call, removed)

    def _singleton(self, call: Call) -> Reply:
        record = self.store.get(call.scope, call.key, "")
        value = {} if record is None else record.value
        return _reply(call.operation, self._status(call.operation), value)

    def _action(self, call: Call) -> Reply:
        return _reply(call.operation, self._status(call.operation), dict(call.record))

    # -- webhook subscriptions -------------------------------------------------------------------

    def _subscribe(self, call: Call) -> Reply:
        record = call.record
        event_type, resource = record.get("eventType"), record.get("resource")
        try:
            subscription = self.subscriptions.create(
                call.account_key,
                callback_url=str(record.get("callbackUrl") or ""),
                event_type=event_type if isinstance(event_type, str) and event_type else None,
                resource=resource if isinstance(resource, str) and resource else None,
                as_array=call.webhook_arrays,
            )
        except ValidationError as exc:
            problem = {"field": "callbackUrl", "message": exc.message}
            return Reply(
                status=400,
                body=error_body(
                    400, f"Validation failed: {exc.message}", validationErrors=[problem]
                ),
            )
        return _reply(call.operation, self._status(call.operation), subscription.to_dict())

    def _unsubscribe(self, call: Call) -> Reply:
        removed = self.subscriptions.delete(call.account_key, call.record_id)
        if removed is None:
            message = f"webhook {call.record_id!r} not found"
            return Reply(status=_NOT_FOUND, body=error_body(_NOT_FOUND, message))
        return _reply(call.operation, self._status(call.operation), removed.to_dict())

    def _subscriptions(self, call: Call) -> Reply:
        listed = [
            {k: v for k, v in subscription.to_dict().items() if k != "secret"}
            for subscription in self.subscriptions.snapshot(call.account_key)
        ]
        return _reply(call.operation, self._status(call.operation), listed)

    def _announce(self, call: Call, record: Record, event_type: str) -> None:
        resource = event_resource(call.route.collection)
        if resource:
            self._dispatcher().notify(
                call.account_key,
                resource=resource,
                event_type=event_type,
                resource_id=record.id,
                filter_date=record.modified,
            )

    def _prepared(
        self, route: Route, schema: Mapping[str, Any], index: int, given: object
    ) -> tuple[str, dict[str, Any]]:
        """The id and the fields of one record to seed, once it is found valid."""
        if not isinstance(given, Mapping):
            raise InvalidRecordError(
                f"records[{index}] must be an object (a mapping), got {type(given).__name__}",
                index=index,
                field="",
                problems=[("", "is not an object")],
            )
        value = dict(given)
        record_id = "" if route.kind == "singleton" else self.store.new_id()
        field = None if route.kind == "singleton" else id_field(schema, route.collection)
        if field is not None:
            if value.get(field) is None:
                value[field] = record_id
            record_id = str(value[field])
        found = problems(schema, value) + _undeclared(schema, value)
        if found:
            where, what = found[0]
            raise InvalidRecordError(
                f"records[{index}].{where} {what} (by {route.operation}'s schema in Maesn's "
                "published spec); nothing was seeded",
                index=index,
                field=where,
                problems=found,
            )
        return record_id, value

    # -- seeding ---------------------------------------------------------------------------------

    def seed(
        self,
        route: Route,
        records: Sequence[Mapping[str, Any]],
        *,
        account_key: str,
        company_id: str | None,
        path: Mapping[str, str],
        modified_at: datetime | None,
    ) -> list[str]:
        """Validate every record, then store them all; their ids (see `Sandbox.seed`)."""
        operation = route.facts
        if operation is None or route.kind not in RECORD_KINDS:
            raise ValueError(
                f"{route.tag}.{route.operation} does not read or write stored records; seed "
                "through an operation that lists, gets, creates or updates them"
            )
        missing = [
            name[1:-1]
            for name in route.collection
            if name.startswith("{") and name[1:-1] not in path
        ]
        if missing:
            raise ValueError(
                f"{route.operation} lists a sub-collection: pass path={{{', '.join(repr(m) + ': ...' for m in missing)}}} "
                "naming its parent"
            )
        status = self._status(operation)
        schema: Mapping[str, Any] = {"type": "object"}  # a delete answers no record
        if route.kind == "singleton":
            schema = data_schema(operation, status)
        elif route.kind != "delete":
            schema = item_schema(operation, status)
        if route.kind == "singleton" and len(records) != 1:
            raise ValueError(f"{route.operation} answers one object: seed exactly one record")
        prepared = [
            self._prepared(route, schema, index, given) for index, given in enumerate(records)
        ]
        key = route.collection_key(path)
        moment = modified_at or self.clock.now()
        ids: list[str] = []
        for record_id, value in prepared:
            record = Record(id=record_id, value=value, modified=moment)
            if company_id is None:
                self.store.put_base(account_key, key, record)
            else:
                self.store.put((account_key, company_id), key, record)
            ids.append(record_id)
        return ids


def _undeclared(
    schema: Mapping[str, Any], value: Mapping[str, Any], where: str = ""
) -> list[tuple[str, str]]:
    """Fields of `value` that `schema` does not declare (a typo would vanish from every answer)."""
    schema = resolve(schema)
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        return []
    found: list[tuple[str, str]] = []
    for name, item in value.items():
        here = f"{where}.{name}" if where else name
        if name not in properties:
            found.append((here, "is not a field of this record in the spec"))
        elif isinstance(item, Mapping):
            found += _undeclared(properties[name], item, here)
        elif isinstance(item, list):
            items = resolve(properties[name]).get("items") or {}
            for index, element in enumerate(item):
                if isinstance(element, Mapping):
                    found += _undeclared(items, element, f"{here}[{index}]")
    return found
