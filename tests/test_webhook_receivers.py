"""Receiving deliveries in a web app: Flask (WSGI) and Starlette (ASGI), raw body first.

Each app reads the raw body before any JSON parsing and answers 204 for a verified delivery,
401 for a bad signature and 400 for a signed body that is not events. The frameworks' own test
clients send deliveries signed with `maesn.testing.sign_webhook` and forged ones; one test serves
the Flask app with wsgiref on 127.0.0.1 and lets the `WebhookDispatcher` deliver to it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import flask
import maesn
import pytest
from maesn.testing import FakeClock, WebhookDispatcher, sign_webhook, signed_delivery
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

SECRET = "7c1e0d9a3b5f48e2a6c4d8b0e2f4a6c8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a1"  # noqa: S105 - a test's
EVENT = {
    "eventType": "CREATED",
    "filterDate": "2023-10-01T00:00:00Z",
    "resource": "INVOICE",
    "resourceId": "bca91f06-0414-4b24-81fa-8489105afceb",
}
PATH = "/maesn/webhooks"


class Inbox:
    """The secrets a receiver accepts (the subscriptions' secrets) and the events it accepted."""

    def __init__(self, *secrets: str) -> None:
        self.secrets = list(secrets)
        self.events: list[maesn.WebhookEvent] = []


def _status(body: bytes, signature: str | None, inbox: Inbox) -> int:
    """What both apps do with the raw body: verify, then keep the events."""
    try:
        events = maesn.WebhookVerifier(*inbox.secrets).verify(body, signature)
    except maesn.WebhookVerificationError:
        return 401
    except maesn.WebhookPayloadError:
        return 400
    inbox.events.extend(events)
    return 204


def flask_app(inbox: Inbox) -> flask.Flask:
    """A Flask receiver: `request.get_data()` is the raw body, read before any JSON parsing."""
    app = flask.Flask("receiver")

    @app.post(PATH)
    def receive() -> tuple[str, int]:
        body = flask.request.get_data()
        return "", _status(body, flask.request.headers.get("X-MAESN-SIGNATURE"), inbox)

    return app


def starlette_app(inbox: Inbox) -> Starlette:
    """A Starlette receiver: `await request.body()` is the raw body."""

    async def receive(request: Request) -> Response:
        body = await request.body()
        signature = request.headers.get("X-MAESN-SIGNATURE")
        return Response(status_code=_status(body, signature, inbox))

    return Starlette(routes=[Route(PATH, receive, methods=["POST"])])


class _FlaskClient:
    """Flask's test client, posting raw bytes."""

    def __init__(self, inbox: Inbox) -> None:
        self._client = flask_app(inbox).test_client()

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        return self._client.post(PATH, data=body, headers=headers).status_code


class _StarletteClient:
    """Starlette's test client, posting raw bytes."""

    def __init__(self, inbox: Inbox) -> None:
        self._client = TestClient(starlette_app(inbox))

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        response = self._client.post(PATH, content=body, headers=headers)
        return int(response.status_code)


@pytest.fixture(params=["flask", "starlette"])
def receiver(request: pytest.FixtureRequest) -> tuple[Any, list[maesn.WebhookEvent]]:
    """A test client of one framework's receiver, and the events it accepted."""
    inbox = Inbox(SECRET)
    kind = _FlaskClient if request.param == "flask" else _StarletteClient
    return kind(inbox), inbox.events


def test_a_signed_delivery_is_accepted(receiver: tuple[Any, list[maesn.WebhookEvent]]) -> None:
    """204, and the event typed."""
    client, received = receiver
    delivery = signed_delivery(EVENT, SECRET)
    assert client.post(delivery.body, delivery.headers) == 204
    (event,) = received
    assert event.resource is maesn.WebhookResource.INVOICE
    assert event.resource_id == EVENT["resourceId"]


def test_an_array_delivery_is_accepted_whole(
    receiver: tuple[Any, list[maesn.WebhookEvent]],
) -> None:
    """Business Central, QuickBooks, Xero: every event of the array."""
    client, received = receiver
    delivery = signed_delivery([EVENT, {**EVENT, "eventType": "UPDATED"}], SECRET)
    assert client.post(delivery.body, delivery.headers) == 204
    assert [event.event_type for event in received] == ["CREATED", "UPDATED"]


@pytest.mark.parametrize(
    "forge",
    [
        lambda body: {"X-MAESN-SIGNATURE": sign_webhook(body, "a-guessed-secret-000")},
        lambda body: {"X-MAESN-SIGNATURE": sign_webhook(body + b" ", SECRET)},
        lambda _body: {"X-MAESN-SIGNATURE": "definitely not a digest"},
        lambda _body: {},
    ],
    ids=["wrong-secret", "other-body", "junk", "missing"],
)
def test_a_forged_delivery_is_rejected(
    receiver: tuple[Any, list[maesn.WebhookEvent]], forge: Any
) -> None:
    """401, and nothing accepted."""
    client, received = receiver
    body = json.dumps(EVENT).encode()
    assert client.post(body, {"Content-Type": "application/json", **forge(body)}) == 401
    assert received == []


def test_a_body_re_serialised_on_the_way_is_rejected(
    receiver: tuple[Any, list[maesn.WebhookEvent]],
) -> None:
    """A proxy or framework that parses and re-dumps the JSON breaks the signature."""
    client, received = receiver
    delivery = signed_delivery(EVENT, SECRET)
    reserialised = json.dumps(json.loads(delivery.body), indent=1).encode()
    assert client.post(reserialised, delivery.headers) == 401
    assert received == []


def test_a_signed_body_that_is_not_events_is_a_400(
    receiver: tuple[Any, list[maesn.WebhookEvent]],
) -> None:
    """Verified, but not Maesn event JSON."""
    client, _ = receiver
    body = b'{"unexpected": true}'
    assert client.post(body, {"X-MAESN-SIGNATURE": sign_webhook(body, SECRET)}) == 400


# -- over loopback: the dispatcher delivers to a WSGI server -----------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        """Keep test output quiet."""


@pytest.fixture
def served_flask() -> Iterator[tuple[str, Inbox]]:
    """The Flask receiver served by wsgiref on 127.0.0.1: its URL and inbox (no secret yet)."""
    inbox = Inbox()
    server: WSGIServer = make_server("127.0.0.1", 0, flask_app(inbox), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{PATH}", inbox
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_dispatcher_delivers_to_a_real_receiver_which_verifies_it(
    served_flask: tuple[str, Inbox],
    fake_clock: FakeClock,  # noqa: ARG001 - a retry would sleep on virtual time
) -> None:
    """Subscribe with the receiver's secret, change a record: 204, the event received."""
    url, inbox = served_flask
    with WebhookDispatcher() as dispatcher:
        subscription = dispatcher.subscriptions.create("account-1", callback_url=url)
        inbox.secrets.append(subscription.secret)  # what the receiver stores from the answer
        (queued,) = dispatcher.notify(
            "account-1", resource="INVOICE", event_type="UPDATED", resource_id="inv-42"
        )
        delivery = dispatcher.deliveries.wait(queued)
        forged = dispatcher.deliveries.wait(
            dispatcher.send(url, delivery.body, secret="not-the-receivers-secret")  # noqa: S106
        )
    assert delivery.state == "delivered"
    assert delivery.status_code == 204
    assert [(e.event_type, e.resource_id) for e in inbox.events] == [("UPDATED", "inv-42")]
    assert forged.state == "failed"
    assert {a.status_code for a in forged.attempts} == {401}
