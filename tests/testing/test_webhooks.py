"""The webhook delivery component: subscriptions, signed deliveries over loopback, retries, a log.

Receivers are `ScriptedServer`s on 127.0.0.1 answering queued statuses (599 once the queue is
empty); backoff sleeps run on the fake clock, and tests wait on the delivery log's condition.
"""

from __future__ import annotations

import json
import logging
import re
import socket
from datetime import UTC, datetime, timedelta

import maesn
import pytest
from maesn.testing import (
    FakeClock,
    WebhookDelivery,
    WebhookDispatcher,
    WebhookSubscriptions,
    signed_delivery,
)
from maesn_api.models.webhook_response_dto import WebhookResponseDto
from scripted_server import ScriptedServer

ACCOUNT = "account-key-webhooks-1f2e3d"
OTHER_ACCOUNT = "account-key-webhooks-9a8b7c"


def _callback(server: ScriptedServer) -> str:
    return f"{server.base_url}/maesn/webhooks"


def _closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


# -- subscriptions -----------------------------------------------------------------------------


def test_create_returns_an_id_a_64_hex_secret_and_dates_one_year_apart() -> None:
    """What POST /webhooks answers, valid for the generated WebhookResponseDto."""
    store = WebhookSubscriptions(now=lambda: datetime(2026, 2, 28, 9, 30, 1, 250_000, tzinfo=UTC))
    subscription = store.create(
        ACCOUNT, callback_url="https://example.test/hook", resource="INVOICE"
    )
    assert re.fullmatch(r"[0-9a-f]{64}", subscription.secret)
    data = subscription.to_dict()
    assert set(data) == {"id", "callbackUrl", "createdDate", "expiresDate", "secret", "updatedDate"}
    assert data["createdDate"] == data["updatedDate"] == "2026-02-28T09:30:01.250Z"
    assert data["expiresDate"] == "2027-02-28T09:30:01.250Z"
    parsed = WebhookResponseDto.from_dict(data)
    assert parsed.id == subscription.id
    assert parsed.secret == subscription.secret
    another = store.create(ACCOUNT, callback_url="https://example.test/hook")
    assert another.id != subscription.id
    assert another.secret != subscription.secret


def test_a_subscription_made_on_29_february_expires_on_28_february() -> None:
    """One year later, on a day that exists."""
    store = WebhookSubscriptions(now=lambda: datetime(2028, 2, 29, tzinfo=UTC))
    subscription = store.create(ACCOUNT, callback_url="http://127.0.0.1:1/hook")
    assert subscription.expires_at == datetime(2029, 2, 28, tzinfo=UTC)


def test_subscriptions_belong_to_one_account_key_and_delete_removes_them() -> None:
    """Another account neither sees nor deletes them; deleting twice finds nothing."""
    store = WebhookSubscriptions()
    subscription = store.create(ACCOUNT, callback_url="http://127.0.0.1:1/hook")
    assert store.get(OTHER_ACCOUNT, subscription.id) is None
    assert store.delete(OTHER_ACCOUNT, subscription.id) is None
    assert store.snapshot(ACCOUNT) == [subscription]
    assert store.delete(ACCOUNT, subscription.id) == subscription
    assert store.delete(ACCOUNT, subscription.id) is None
    assert len(store) == 0


def test_matching_filters_by_resource_event_type_and_expiry() -> None:
    """None matches every value; an expired subscription matches nothing."""
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    store = WebhookSubscriptions(now=lambda: now[0])
    invoices = store.create(ACCOUNT, callback_url="http://127.0.0.1:1/a", resource="INVOICE")
    created = store.create(ACCOUNT, callback_url="http://127.0.0.1:1/b", event_type="CREATED")
    everything = store.create(ACCOUNT, callback_url="http://127.0.0.1:1/c")

    def ids(resource: str, event_type: str) -> set[str]:
        return {s.id for s in store.matching(ACCOUNT, resource=resource, event_type=event_type)}

    assert ids("INVOICE", "CREATED") == {invoices.id, created.id, everything.id}
    assert ids("INVOICE", "DELETED") == {invoices.id, everything.id}
    assert ids("CUSTOMER", "UPDATED") == {everything.id}
    assert store.matching(OTHER_ACCOUNT, resource="INVOICE", event_type="CREATED") == []
    now[0] += timedelta(days=366)
    assert ids("INVOICE", "CREATED") == set()


@pytest.mark.parametrize("url", ["", "/relative", "ftp://host/x", "http://", 7])
def test_a_callback_url_that_is_not_absolute_http_is_refused(url: object) -> None:
    """ValidationError naming callback_url, nothing stored."""
    store = WebhookSubscriptions()
    with pytest.raises(maesn.ValidationError) as caught:
        store.create(ACCOUNT, callback_url=url)  # type: ignore[arg-type]
    assert caught.value.argument == "callback_url"
    assert len(store) == 0


def test_a_subscription_repr_shows_neither_its_secret_nor_its_account_key() -> None:
    """The secret is shown only by to_dict(), which is the API's answer."""
    subscription = WebhookSubscriptions().create(ACCOUNT, callback_url="http://127.0.0.1:1/x")
    text = repr(subscription)
    assert subscription.secret not in text
    assert ACCOUNT not in text
    assert subscription.id in text


# -- deliveries --------------------------------------------------------------------------------


def test_notify_posts_a_signed_event_that_verifies_with_the_subscription_secret(
    scripted_server: ScriptedServer,
) -> None:
    """One POST of the event JSON, signed; the receiver's verify_webhook accepts it."""
    scripted_server.reply(204)
    with WebhookDispatcher() as dispatcher:
        subscription = dispatcher.subscriptions.create(
            ACCOUNT, callback_url=_callback(scripted_server), resource="INVOICE"
        )
        moment = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        (queued,) = dispatcher.notify(
            ACCOUNT,
            resource="INVOICE",
            event_type="CREATED",
            resource_id="inv-1",
            filter_date=moment,
        )
        delivery = dispatcher.deliveries.wait(queued)
    assert delivery.state == "delivered"
    assert delivery.subscription_id == subscription.id
    assert [(a.number, a.status_code, a.error) for a in delivery.attempts] == [(1, 204, None)]
    (request,) = scripted_server.requests
    assert request.method == "POST"
    assert request.raw_path == "/maesn/webhooks"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == delivery.body
    (event,) = maesn.verify_webhook(
        request.body, request.headers["X-MAESN-SIGNATURE"], subscription.secret
    )
    assert event.to_dict() == {
        "eventType": "CREATED",
        "filterDate": "2026-03-01T12:00:00Z",
        "resource": "INVOICE",
        "resourceId": "inv-1",
    }
    assert event.filter_date == moment


def test_notify_without_a_matching_subscription_sends_nothing() -> None:
    """Another resource, or another account: no delivery queued, no thread started."""
    dispatcher = WebhookDispatcher()
    dispatcher.subscriptions.create(ACCOUNT, callback_url="http://127.0.0.1:1/x", resource="ITEM")
    assert (
        dispatcher.notify(ACCOUNT, resource="INVOICE", event_type="CREATED", resource_id="1") == ()
    )
    assert (
        dispatcher.notify(OTHER_ACCOUNT, resource="ITEM", event_type="CREATED", resource_id="1")
        == ()
    )
    assert len(dispatcher.deliveries) == 0
    dispatcher.stop()


def test_an_array_subscription_receives_an_array(scripted_server: ScriptedServer) -> None:
    """Business Central, QuickBooks and Xero deliver arrays, even of one event."""
    scripted_server.reply(200)
    with WebhookDispatcher() as dispatcher:
        dispatcher.subscriptions.create(
            ACCOUNT, callback_url=_callback(scripted_server), as_array=True
        )
        (queued,) = dispatcher.notify(
            ACCOUNT, resource="CUSTOMER", event_type="UPDATED", resource_id="c-1"
        )
        delivery = dispatcher.deliveries.wait(queued)
    document = json.loads(delivery.body)
    assert isinstance(document, list)
    assert [event.resource_id for event in delivery.events] == ["c-1"]


def test_emit_event_sends_events_on_demand(scripted_server: ScriptedServer) -> None:
    """Any events to one subscription: one as an object, several as an array."""
    scripted_server.reply(200)
    scripted_server.reply(200)
    one = maesn.WebhookEvent(event_type="DELETED", resource="INVOICE", resource_id="i-9")
    with WebhookDispatcher() as dispatcher:
        subscription = dispatcher.subscriptions.create(
            ACCOUNT, callback_url=_callback(scripted_server)
        )
        single = dispatcher.emit_event(subscription, one)
        several = dispatcher.emit_event(subscription, [one, {**one.to_dict(), "userId": "u"}])
        dispatcher.deliveries.wait_idle()
    first, second = scripted_server.requests
    assert json.loads(first.body) == one.to_dict()
    assert len(json.loads(second.body)) == 2
    assert [single.id, several.id] == [d.id for d in dispatcher.deliveries]
    for request in scripted_server.requests:
        maesn.verify_webhook(
            request.body, request.headers["X-MAESN-SIGNATURE"], subscription.secret
        )


def test_a_failed_attempt_is_retried_with_exponential_backoff_on_the_clock(
    scripted_server: ScriptedServer, fake_clock: FakeClock
) -> None:
    """500, 503, then 200: three attempts, delivered; backoff 0.5 s then 1 s, on virtual time."""
    for status in (500, 503, 200):
        scripted_server.reply(status)
    with WebhookDispatcher(backoff=0.5) as dispatcher:
        queued = dispatcher.send(_callback(scripted_server), b"{}", secret="s" * 64)
        delivery = dispatcher.deliveries.wait(queued)
    assert delivery.state == "delivered"
    assert [(a.status_code, a.error) for a in delivery.attempts] == [
        (500, "HTTP 500"),
        (503, "HTTP 503"),
        (200, None),
    ]
    assert fake_clock.sleeps == [0.5, 1.0]
    assert [a.at for a in delivery.attempts] == [0.0, 0.5, 1.5]
    assert len({request.body for request in scripted_server.requests}) == 1


def test_retries_are_bounded_and_the_delivery_fails(
    scripted_server: ScriptedServer, fake_clock: FakeClock
) -> None:
    """Every attempt refused: max_attempts attempts, backoff capped, state failed."""
    with WebhookDispatcher(max_attempts=5, backoff=1.0, max_backoff=3.0) as dispatcher:
        delivery = dispatcher.deliveries.wait(
            dispatcher.send(_callback(scripted_server), b"{}", secret="s" * 64)
        )
    assert delivery.state == "failed"
    assert len(delivery.attempts) == 5
    assert delivery.status_code == 599
    assert fake_clock.sleeps == [1.0, 2.0, 3.0, 3.0]
    assert len(scripted_server.requests) == 5


def test_a_receiver_that_does_not_answer_is_an_attempt_without_a_status(
    fake_clock: FakeClock,  # noqa: ARG001 - the backoff sleeps on virtual time
) -> None:
    """Connection refused: status None, the error named; retried like any failure."""
    with WebhookDispatcher(max_attempts=2) as dispatcher:
        delivery = dispatcher.deliveries.wait(
            dispatcher.send(_closed_port_url(), b"{}", secret="s" * 64)
        )
    assert delivery.state == "failed"
    assert [a.status_code for a in delivery.attempts] == [None, None]
    assert all(a.error and a.error.startswith("ConnectError") for a in delivery.attempts)


def test_send_posts_forged_or_unsigned_bodies_as_given(scripted_server: ScriptedServer) -> None:
    """signature= is sent verbatim; neither secret nor signature leaves the header out."""
    scripted_server.reply(200)
    scripted_server.reply(200)
    with WebhookDispatcher() as dispatcher:
        dispatcher.send(_callback(scripted_server), b"forged", signature="ab" * 32)
        dispatcher.send(_callback(scripted_server), b"unsigned")
        dispatcher.deliveries.wait_idle()
    forged, unsigned = scripted_server.requests
    assert forged.headers["X-MAESN-SIGNATURE"] == "ab" * 32
    assert "X-MAESN-SIGNATURE" not in unsigned.headers


def test_stop_cancels_a_delivery_waiting_to_retry_and_joins_the_thread(
    scripted_server: ScriptedServer,
) -> None:
    """On real time, a backoff of an hour is cut short by stop(): cancelled, thread gone."""
    dispatcher = WebhookDispatcher(backoff=3600.0)
    queued = dispatcher.send(_callback(scripted_server), b"{}", secret="s" * 64)
    dispatcher.deliveries.wait_until(lambda all_: len(all_[0].attempts) == 1)
    dispatcher.stop()
    assert dispatcher.deliveries.get(queued.id).state == "cancelled"
    assert dispatcher._thread is not None
    assert not dispatcher._thread.is_alive()
    with pytest.raises(RuntimeError):
        dispatcher.send(_callback(scripted_server), b"{}")
    dispatcher.stop()  # idempotent


def test_waiting_gives_up_with_a_timeout_error_when_nothing_changes() -> None:
    """A broken test fails instead of hanging."""
    dispatcher = WebhookDispatcher()
    with pytest.raises(TimeoutError):
        dispatcher.deliveries.wait_until(bool, timeout=0.01)


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"backoff": -1.0}, "backoff"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_bad_dispatcher_options_are_refused(options: dict[str, float], argument: str) -> None:
    """ValidationError naming the option."""
    with pytest.raises(maesn.ValidationError) as caught:
        WebhookDispatcher(**options)  # type: ignore[arg-type]
    assert caught.value.argument == argument


def test_the_secret_appears_in_no_repr_or_log_record(
    scripted_server: ScriptedServer,
    fake_clock: FakeClock,  # noqa: ARG001
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Dispatcher, store, subscription, delivery and every DEBUG record are free of it."""
    caplog.set_level(logging.DEBUG)
    scripted_server.reply(500)
    scripted_server.reply(200)
    with WebhookDispatcher() as dispatcher:
        subscription = dispatcher.subscriptions.create(
            ACCOUNT, callback_url=_callback(scripted_server)
        )
        (queued,) = dispatcher.notify(
            ACCOUNT, resource="INVOICE", event_type="CREATED", resource_id="i-1"
        )
        delivery: WebhookDelivery = dispatcher.deliveries.wait(queued)
        texts = [
            repr(dispatcher),
            repr(dispatcher.subscriptions),
            repr(subscription),
            repr(delivery),
            repr(dispatcher.deliveries),
        ]
    texts += [record.getMessage() for record in caplog.records]
    assert any("attempt 1" in text for text in texts)
    for text in texts:
        assert subscription.secret not in text
        assert ACCOUNT not in text


def test_signed_delivery_builds_a_body_and_headers_for_a_receiver_test() -> None:
    """One event: an object; a list: an array; the headers carry the signature."""
    event = {"eventType": "CREATED", "resource": "ITEM", "resourceId": "it-1"}
    one = signed_delivery(event, "k" * 64)
    assert json.loads(one.body) == event
    assert one.headers["X-MAESN-SIGNATURE"] == one.signature
    assert maesn.verify_webhook(one.body, one.signature, "k" * 64)[0].resource_id == "it-1"
    many = signed_delivery([event, event], "k" * 64)
    assert len(maesn.verify_webhook(many.body, many.signature, "k" * 64)) == 2
