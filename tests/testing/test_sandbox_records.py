"""The sandbox keeps records: create, list, update, get, delete through the client; seeding; webhooks.

Collections come from the generated layer (`maesn.testing._routes`): every resource that has a
create and a list operation runs the whole round trip, sync and async, with the minimal valid
arguments `samples.py` builds.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import maesn
import pytest
from maesn import Integration
from maesn._exceptions import ValidationError
from maesn.testing import FakeClock, Fault, InvalidRecordError, Sandbox, fake_clock
from maesn.testing._answers import item_schema
from maesn.testing._crud import id_field
from maesn.testing._routes import Route, all_routes
from maesn.testing._schemas import resolve
from samples import required_arguments
from scripted_server import ScriptedServer

PARENT = "p-1"
ABACONNECT = Integration.ABACONNECT
_unique = itertools.count(1)

Call = Callable[[Route, dict[str, Any]], Awaitable[Any]]


def _collections() -> list[tuple[tuple[str, ...], dict[str, Route]]]:
    """Each collection with a create and a list operation, with its operations by kind."""
    grouped: dict[tuple[str, ...], dict[str, Route]] = defaultdict(dict)
    for route in all_routes():
        if route.kind in {"list", "get", "create", "update", "delete"}:
            grouped[route.collection].setdefault(route.kind, route)
    return sorted(
        (key, kinds) for key, kinds in grouped.items() if {"create", "list"} <= set(kinds)
    )


COLLECTIONS = _collections()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One AbaConnect sandbox for the module (it needs no companyId); records are per test id."""
    with Sandbox(integration=ABACONNECT) as running:
        yield running


def _client(sandbox: Sandbox, **options: Any) -> dict[str, Any]:
    return {
        "integration": ABACONNECT,
        "base_url": sandbox.base_url,
        "api_key": sandbox.api_key,
        "account_key": sandbox.account_key,
        "max_retries": 0,
        **options,
    }


def _arguments(route: Route, **more: Any) -> dict[str, Any]:
    assert route.facts is not None
    arguments = required_arguments(route.facts)
    for parameter in route.facts.parameters:
        if parameter.location == "path":
            arguments[parameter.name] = PARENT
    return {**arguments, **more}


def _items(result: Any) -> list[dict[str, Any]]:
    items = getattr(result, "data", result)
    return [item.to_dict() for item in items]


def _text_field(route: Route, skip: str | None) -> str | None:
    """A plain string field of the records (no enum), to see an update in what is read back."""
    assert route.facts is not None
    properties = resolve(item_schema(route.facts, 200)).get("properties") or {}
    return next(
        (
            name
            for name, schema in properties.items()
            if name != skip and resolve(schema).get("type") == "string" and "enum" not in schema
        ),
        None,
    )


def _on(route: Route, record_id: str) -> dict[str, Any]:
    """The arguments of a call on one record: the minimal ones, the record's id in its path."""
    assert route.facts is not None
    name = next(p.name for p in route.facts.parameters if p.wire == route.item_parameter)
    return _arguments(route, **{name: record_id})


async def _updated(kinds: dict[str, Route], call: Call, record_id: str, field: str | None) -> None:
    """Update the record with a new text value; get (or the list) shows it."""
    update, listing = kinds["update"], kinds["list"]
    text = _text_field(kinds.get("get", listing), field)
    arguments = _on(update, record_id)
    value = f"updated-{next(_unique)}"
    if text is not None:
        body = arguments["body"]
        arguments["body"] = type(body).from_dict({**body.to_dict(), text: value})
    await call(update, arguments)
    if text is None:
        return
    if "get" in kinds:
        read = (await call(kinds["get"], _on(kinds["get"], record_id))).to_dict()
        assert read[text] == value
    else:
        listed = _items(await call(listing, _arguments(listing)))
        assert [item[text] for item in listed if item[field or ""] == record_id] == [value]


async def _round_trip(sandbox: Sandbox, kinds: dict[str, Route], call: Call) -> None:
    create, listing = kinds["create"], kinds["list"]
    assert create.facts is not None
    assert listing.facts is not None
    if create.task_status is not None:
        sandbox.on_start(create.operation, synchronous=True)
    answered = await call(create, _arguments(create))
    created = (answered[0] if isinstance(answered, list) else answered).to_dict()
    field = id_field(item_schema(create.facts, 201), create.collection)
    assert field is not None, f"{create.operation} answers no id"
    record_id = created[field]
    list_field = id_field(item_schema(listing.facts, 200), listing.collection)
    listed = _items(await call(listing, _arguments(listing)))
    assert record_id in [item[list_field or ""] for item in listed]
    if "update" in kinds:
        await _updated(kinds, call, record_id, list_field)
    if "delete" in kinds:
        await call(kinds["delete"], _on(kinds["delete"], record_id))
        if "get" in kinds:
            with pytest.raises(maesn.NotFoundError):
                await call(kinds["get"], _on(kinds["get"], record_id))
        listed = _items(await call(listing, _arguments(listing)))
        assert record_id not in [item[list_field or ""] for item in listed]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("key", "kinds"), COLLECTIONS, ids=["/".join(key) for key, _ in COLLECTIONS]
)
async def test_create_list_update_get_delete_through_the_client(
    sandbox: Sandbox, key: tuple[str, ...], kinds: dict[str, Route]
) -> None:
    """Create -> the list has it -> update -> get shows it -> delete -> get is 404 (sync)."""
    del key
    with maesn.Client(**_client(sandbox)) as client:

        async def call(route: Route, arguments: dict[str, Any]) -> Any:
            return getattr(getattr(client, route.tag), route.operation)(**arguments)

        await _round_trip(sandbox, kinds, call)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("key", "kinds"), COLLECTIONS, ids=["/".join(key) for key, _ in COLLECTIONS]
)
async def test_the_same_round_trip_through_the_async_client(
    sandbox: Sandbox, key: tuple[str, ...], kinds: dict[str, Route]
) -> None:
    """The round trip with maesn.AsyncClient."""
    del key
    async with maesn.AsyncClient(**_client(sandbox)) as client:

        async def call(route: Route, arguments: dict[str, Any]) -> Any:
            return await getattr(getattr(client, route.tag), route.operation)(**arguments)

        await _round_trip(sandbox, kinds, call)


def test_the_round_trip_covers_the_main_resources() -> None:
    """Invoices, customers, suppliers, contacts (v1 and v2 are one collection), items, bills."""
    names = {key[-1] for key, _ in COLLECTIONS}
    assert {"invoice", "customer", "supplier", "contact", "item", "bill", "account"} <= names
    contact = dict(COLLECTIONS)[("accounting", "contact")]
    assert contact["create"].facts is not None


# -- seeding -----------------------------------------------------------------------------------


def test_seeded_records_are_listed_and_read_back(sandbox: Sandbox) -> None:
    """seed(...) then get_customers / get_customer through the client, in every company."""
    key = sandbox.add_account(ABACONNECT)
    (customer_id,) = sandbox.seed(
        "accounting",
        "get_customers",
        [_contact() | {"id": "cus-seeded-1", "companyName": "Seeded GmbH", "role": "CUSTOMER"}],
        account_key=key,
    )
    with maesn.Client(**_client(sandbox, account_key=key)) as client:
        assert [c.id for c in client.accounting.get_customers()] == [customer_id]
        assert client.accounting.get_customers(company_id="c-other").data[0].id == customer_id
        assert client.accounting.get_customer(contact_id=customer_id).company_name == "Seeded GmbH"


def _contact() -> dict[str, Any]:
    return dict.fromkeys(
        (
            "addresses",
            "companyName",
            "contactPersons",
            "contactType",
            "documentId",
            "emailAddresses",
            "number",
            "phoneNumbers",
            "projectId",
            "updatedDate",
        )
    )


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"id": "c-1", "role": "BOSS"}, "role"),
        ({"id": "c-1", "role": "CUSTOMER", "companyName": 7}, "companyName"),
        ({"id": "c-1", "role": "CUSTOMER", "compnyName": "typo"}, "compnyName"),
    ],
    ids=["enum", "type", "undeclared"],
)
def test_an_invalid_seed_is_refused_naming_the_field(
    sandbox: Sandbox, record: dict[str, Any], field: str
) -> None:
    """InvalidRecordError (a ValidationError) names the record and field; nothing is stored."""
    key = sandbox.add_account(ABACONNECT)
    good = {"id": "c-0", "role": "CUSTOMER"} | _contact()
    with pytest.raises(InvalidRecordError) as caught:
        sandbox.seed(
            "accounting", "get_customers", [good, {**_contact(), **record}], account_key=key
        )
    assert isinstance(caught.value, ValidationError)
    assert (caught.value.argument, caught.value.index, caught.value.field) == ("records", 1, field)
    with httpx.Client(
        base_url=sandbox.base_url, headers={**sandbox.headers, "X-ACCOUNT-KEY": key}
    ) as http:
        assert http.get("/accounting/customers").json()["data"] == []


def test_a_record_missing_a_required_field_is_refused(sandbox: Sandbox) -> None:
    """The published spec's required list: a customer without `role` is refused."""
    with pytest.raises(InvalidRecordError) as caught:
        sandbox.seed("accounting", "get_customers", [{"id": "c-9", "companyName": None}])
    assert caught.value.index == 0
    assert ("addresses", "is required but missing") in caught.value.problems


def test_seeding_through_an_operation_without_records_is_refused(sandbox: Sandbox) -> None:
    """An unknown operation, or one that keeps no records, is a ValueError saying so."""
    with pytest.raises(ValueError, match="no operation"):
        sandbox.seed("accounting", "get_invoicez", [{}])
    with pytest.raises(ValueError, match="does not read or write stored records"):
        sandbox.seed("auth", "cancel", [{}])
    with pytest.raises(ValueError, match="invoiceId"):
        sandbox.seed("accounting", "get_line_items", [{}])


def test_the_demo_data_set_is_valid_and_served(sandbox: Sandbox) -> None:
    """seed_demo() seeds invoices, customers, accounts ... that the client reads."""
    key = sandbox.add_account(ABACONNECT)
    assert sandbox.seed_demo(account_key=key) > 5
    with maesn.Client(**_client(sandbox, account_key=key)) as client:
        invoices = list(client.accounting.get_invoices())
    assert {invoice.invoice_number for invoice in invoices} >= {"RE-2026-0001"}


# -- lists -------------------------------------------------------------------------------------


def test_pages_limit_and_last_modified_at(sandbox: Sandbox) -> None:
    """limit/page with meta.pagination; lastModifiedAt keeps records modified at or after it."""
    key = sandbox.add_account(ABACONNECT)
    old = datetime(2026, 1, 1, tzinfo=UTC)
    new = datetime(2026, 3, 1, tzinfo=UTC)
    for moment, count in ((old, 7), (new, 4)):
        sandbox.seed(
            "accounting",
            "get_tax_rates",
            [{"id": None, "percentage": 19, "name": f"r{i}"} | _tax() for i in range(count)],
            account_key=key,
            modified_at=moment,
        )
    with maesn.Client(**_client(sandbox, account_key=key)) as client:
        first = client.accounting.get_tax_rates(limit=5)
        assert (len(first), first.pagination.total, first.pagination.total_pages) == (5, 11, 3)  # type: ignore[union-attr]
        assert len(list(first.auto_paging_iter())) == 11
        since = client.accounting.get_tax_rates(last_modified_at=new - timedelta(days=1))
        assert len(since) == 4
        beyond = client.accounting.get_tax_rates(limit=5, page=9)
        assert (len(beyond), beyond.pagination.current_page) == (0, 9)  # type: ignore[union-attr]


def _tax() -> dict[str, Any]:
    return {
        "code": None,
        "createdDate": None,
        "description": None,
        "type": None,
        "updatedDate": None,
        "usage": None,
    }


def test_a_field_filter_and_a_bad_query_value(sandbox: Sandbox) -> None:
    """status=PAID keeps the paid invoices; limit=7 (not an allowed value) is a 400 naming it."""
    key = sandbox.add_account(ABACONNECT)
    sandbox.seed_demo(account_key=key)
    with httpx.Client(
        base_url=sandbox.base_url, headers={**sandbox.headers, "X-ACCOUNT-KEY": key}
    ) as http:
        paid = http.get("/accounting/invoices", params={"status": "PAID"}).json()["data"]
        assert [invoice["status"] for invoice in paid] == ["PAID"]
        refused = http.get("/accounting/invoices", params={"limit": "7"})
    assert refused.status_code == 400
    assert [error["field"] for error in refused.json()["validationErrors"]] == ["limit"]


def test_records_belong_to_one_company_and_one_account_key(sandbox: Sandbox) -> None:
    """A create in company A is not listed for company B, nor for another account key."""
    key = sandbox.add_account(ABACONNECT)
    other = sandbox.add_account(ABACONNECT)
    with maesn.Client(**_client(sandbox, account_key=key, company_id="c-a")) as client:
        created = client.accounting.create_item(body=required_arguments(_item_create())["body"])
        assert [i.id for i in client.accounting.get_items()] == [created.id]
        assert len(client.accounting.get_items(company_id="c-b")) == 0
    with maesn.Client(**_client(sandbox, account_key=other, company_id="c-a")) as client:
        assert len(client.accounting.get_items()) == 0


def _item_create() -> Any:
    from maesn._operations import find_operation  # noqa: PLC0415

    return find_operation("accounting", "create_item")


# -- integration rules, faults, time -----------------------------------------------------------


def test_company_id_is_required_where_the_integration_says() -> None:
    """DUO without companyId: 400 naming companyId, for a list as for a task start."""
    with Sandbox() as duo, httpx.Client(base_url=duo.base_url, headers=duo.headers) as http:
        refused = http.get("/accounting/invoices")
        assert refused.status_code == 400
        assert [e["field"] for e in refused.json()["validationErrors"]] == ["companyId"]
        assert http.get("/accounting/invoices", params={"companyId": "c-1"}).status_code == 200


def test_an_operation_the_integration_does_not_serve_is_a_404(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the rules refuse the integration (argument "integration"), Maesn's 404 wording."""

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise ValidationError("only xero serves it", argument="integration")

    monkeypatch.setattr("maesn.testing._sandbox.check_call", refuse)
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as http:
        response = http.get("/accounting/invoices")
    assert response.status_code == 404
    assert "not found or not supported by this target system" in response.json()["message"]


def test_faults_and_the_request_log_reach_every_operation(sandbox: Sandbox) -> None:
    """inject(operation=...) fails a list once; the log records the operation and the fault."""
    sandbox.inject(Fault.status(503), operation="get_invoices")
    with maesn.Client(**_client(sandbox, max_retries=1)) as client, fake_clock():
        client.accounting.get_invoices()
    logged = sandbox.requests.filter(operation="get_invoices")[-2:]
    assert [(r.status, r.fault) for r in logged] == [(503, "status 503"), (200, None)]


def test_modification_times_follow_the_fake_clock(sandbox: Sandbox) -> None:
    """A FakeClock advanced by an hour moves the next record's time by an hour."""
    key = sandbox.add_account(ABACONNECT)
    with fake_clock() as clock, maesn.Client(**_client(sandbox, account_key=key)) as client:
        body = required_arguments(_item_create())["body"]
        client.accounting.create_item(body=body)
        before = sandbox.clock.now()
        clock.advance(3600)
        client.accounting.create_item(body=body)
        later = client.accounting.get_items(last_modified_at=before + timedelta(minutes=30))
    assert len(later) == 1


# -- webhooks ----------------------------------------------------------------------------------


def test_subscribe_create_receive_verify_fetch(
    sandbox: Sandbox, scripted_server: ScriptedServer, maesn_fake_clock: FakeClock
) -> None:
    """The webhook round trip: subscribe, create an invoice, a signed event, verified, fetched."""
    del maesn_fake_clock
    from maesn_api.models.create_accounting_webhook_request_dto import (  # noqa: PLC0415
        CreateAccountingWebhookRequestDto,
    )

    key = sandbox.add_account(ABACONNECT)
    scripted_server.reply(204)
    with maesn.Client(**_client(sandbox, account_key=key)) as client:
        webhook = client.webhooks.create_webhook(
            body=CreateAccountingWebhookRequestDto(
                callback_url=f"{scripted_server.base_url}/hooks", resource="INVOICE"
            )
        )
        assert webhook.secret
        assert webhook.expires_date
        invoice = client.accounting.create_invoice(
            body=required_arguments(_invoice_create())["body"]
        )
        (delivery,) = sandbox.webhooks.deliveries.wait_until(lambda all_: any(d.done for d in all_))
        assert delivery.state == "delivered"
        (request,) = scripted_server.requests
        (event,) = maesn.verify_webhook(
            request.body, request.headers["X-MAESN-SIGNATURE"], str(webhook.secret)
        )
        assert (event.event_type, event.resource, event.resource_id) == (
            "CREATED",
            "INVOICE",
            invoice.invoice_id,
        )
        fetched = event.fetch(client)
        assert fetched.invoice_id == invoice.invoice_id
        client.webhooks.delete_webhook(webhook_id=str(webhook.id))
        assert sandbox.subscriptions.snapshot(key) == []


def _invoice_create() -> Any:
    from maesn._operations import find_operation  # noqa: PLC0415

    return find_operation("accounting", "create_invoice")


def test_updates_deletes_and_emit_event_are_delivered_as_arrays_where_asked(
    sandbox: Sandbox, scripted_server: ScriptedServer, maesn_fake_clock: FakeClock
) -> None:
    """An array account gets [event] bodies for each change; emit_event sends on demand."""
    del maesn_fake_clock
    key = sandbox.add_account(ABACONNECT, webhook_arrays=True)
    for _ in range(4):
        scripted_server.reply(200)
    with httpx.Client(
        base_url=sandbox.base_url, headers={**sandbox.headers, "X-ACCOUNT-KEY": key}
    ) as http:
        hook = {"callbackUrl": f"{scripted_server.base_url}/h"}
        subscription_id = http.post("/webhooks", json=hook).json()["data"]["id"]
        bill_id = http.post("/accounting/bills", json={"name": "x"}).json()["data"]["id"]
        assert http.put(f"/accounting/bills/{bill_id}", json={"name": "x"}).status_code == 200
        assert http.delete(f"/accounting/bills/{bill_id}").status_code == 200
    sandbox.emit_event("INVOICE", "inv-9", event_type="UPDATED", account_key=key)
    done = sandbox.webhooks.deliveries.wait_until(
        lambda all_: sum(d.subscription_id == subscription_id and d.done for d in all_) == 4
    )
    bodies = [d for d in done if d.subscription_id == subscription_id]
    assert [b.body.startswith(b"[") for b in bodies] == [True] * 4
    assert [(e.event_type, e.resource, e.resource_id) for b in bodies for e in b.events] == [
        ("CREATED", "BILL", bill_id),
        ("UPDATED", "BILL", bill_id),
        ("DELETED", "BILL", bill_id),
        ("UPDATED", "INVOICE", "inv-9"),
    ]


def test_a_subscription_needs_an_absolute_callback_url(sandbox: Sandbox) -> None:
    """POST /webhooks without a usable callbackUrl: 400 naming callbackUrl; unknown delete 404."""
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as http:
        refused = http.post("/webhooks", json={"callbackUrl": "not a url"})
        unknown = http.delete("/webhooks/no-such-webhook")
    assert refused.status_code == 400
    assert refused.json()["validationErrors"][0]["field"] == "callbackUrl"
    assert unknown.status_code == 404
