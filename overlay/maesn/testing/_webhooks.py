"""Webhooks for tests: sign deliveries, keep subscriptions, and post signed events to receivers.

- `sign_webhook`, `webhook_headers`, `signed_delivery`: a body and headers signed the way
  `maesn.verify_webhook` checks them, for unit tests of a receiver.
- `WebhookSubscriptions`: what `POST /webhooks` and `DELETE /webhooks/{webhookId}` keep, per
  account key: a generated id, a random 64-hex secret, created and expiry dates (one year apart,
  as Maesn's example shows).
- `WebhookDispatcher`: posts signed event bodies to callback URLs from one background thread, in
  order, retrying a failed attempt (no answer, or not 2xx) a bounded number of times with an
  exponential backoff slept on `maesn._clock.current()` (a `FakeClock` makes it instant and
  records it); every attempt goes to its `DeliveryLog`, which tests wait on (a condition, never a
  sleep). `notify` is what a server calls when a record changes; `emit_event` sends events to one
  subscription; `send` posts any body (a forged one too).

Decisions where Maesn documents nothing: the body is compact JSON (`{"eventType", "filterDate",
"resource", "resourceId"}`, or an array of such objects for a subscription made with
`as_array=True`: Business Central, QuickBooks and Xero send arrays); `filterDate` is the time of
the change; a subscription without `resource` / `eventType` matches every resource / event type;
an expired subscription receives nothing.
"""

from __future__ import annotations

import calendar
import itertools
import json
import logging
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import urlsplit

import httpx

from maesn import _clock
from maesn._exceptions import ValidationError
from maesn._webhooks import WEBHOOK_SIGNATURE_HEADER, WebhookEvent, compute_signature

__all__ = [
    "DeliveryAttempt",
    "DeliveryLog",
    "SignedDelivery",
    "WebhookDelivery",
    "WebhookDispatcher",
    "WebhookSubscription",
    "WebhookSubscriptions",
    "encode_events",
    "sign_webhook",
    "signed_delivery",
    "webhook_headers",
]

_log = logging.getLogger("maesn.testing.webhooks")

DeliveryState = Literal["pending", "delivered", "failed", "cancelled"]
EventLike = WebhookEvent | Mapping[str, Any]


def sign_webhook(body: bytes, secret: str) -> str:
    """The `X-MAESN-SIGNATURE` value for `body`: hex HMAC-SHA256 with `secret` (as UTF-8)."""
    return compute_signature(bytes(body), secret)


def webhook_headers(body: bytes, secret: str) -> dict[str, str]:
    """The headers of a delivery of `body`: JSON content type and its signature."""
    return {
        "Content-Type": "application/json",
        WEBHOOK_SIGNATURE_HEADER: sign_webhook(body, secret),
    }


def encode_events(events: EventLike | Sequence[EventLike]) -> bytes:
    """A delivery body: one event as a JSON object, a sequence of events as a JSON array."""
    if isinstance(events, WebhookEvent | Mapping):
        return _json(_event_dict(events))
    return _json([_event_dict(event) for event in events])


def _event_dict(event: EventLike) -> dict[str, Any]:
    return event.to_dict() if isinstance(event, WebhookEvent) else dict(event)


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class SignedDelivery:
    """A delivery body and its signature, as Maesn would POST them."""

    body: bytes
    signature: str

    @property
    def headers(self) -> dict[str, str]:
        """Content type and `X-MAESN-SIGNATURE`, for a test client's `headers=`."""
        return {"Content-Type": "application/json", WEBHOOK_SIGNATURE_HEADER: self.signature}


def signed_delivery(events: EventLike | Sequence[EventLike], secret: str) -> SignedDelivery:
    """`events` encoded as a delivery body (an object for one, an array for a sequence), signed."""
    body = encode_events(events)
    return SignedDelivery(body=body, signature=sign_webhook(body, secret))


# -- subscriptions -----------------------------------------------------------------------------


def _maesn_date(moment: datetime) -> str:
    """`2026-01-31T09:30:00.000Z`: UTC with milliseconds, as JavaScript's toISOString writes."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _one_year_later(moment: datetime) -> datetime:
    year = moment.year + 1
    day = min(moment.day, calendar.monthrange(year, moment.month)[1])  # 29 February
    return moment.replace(year=year, day=day)


@dataclass(frozen=True, kw_only=True)
class WebhookSubscription:
    """One webhook subscription of one end user (account key); the secrets stay out of its repr."""

    id: str
    callback_url: str
    event_type: str | None
    """The eventType it was created for; None: every event type."""
    resource: str | None
    """The resource it was created for; None: every resource."""
    secret: str = field(repr=False)
    account_key: str = field(repr=False)
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    as_array: bool = False
    """Deliveries carry a JSON array of events (Business Central, QuickBooks, Xero)."""

    def matches(self, *, resource: str, event_type: str) -> bool:
        """Whether a `resource` / `event_type` change is delivered to this subscription."""
        return self.resource in {None, resource} and self.event_type in {None, event_type}

    def to_dict(self) -> dict[str, str]:
        """The `data` that `POST /webhooks` answers: id, callbackUrl, dates and the secret."""
        return {
            "id": self.id,
            "callbackUrl": self.callback_url,
            "createdDate": _maesn_date(self.created_at),
            "expiresDate": _maesn_date(self.expires_at),
            "secret": self.secret,
            "updatedDate": _maesn_date(self.updated_at),
        }


def _check_callback_url(url: object) -> str:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError(
            f"callback_url must be an absolute http(s) URL, got {url!r}",
            argument="callback_url",
            hint="e.g. http://127.0.0.1:8000/maesn/webhooks",
        )
    return str(url)


class WebhookSubscriptions:
    """The webhook subscriptions of every account key; safe to use from several threads.

    `now` gives the wall-clock time for the dates (default: the current UTC time); pass your own
    to test expiry.
    """

    def __init__(self, *, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._by_account: dict[str, dict[str, WebhookSubscription]] = {}

    def create(
        self,
        account_key: str,
        *,
        callback_url: str,
        event_type: str | None = None,
        resource: str | None = None,
        as_array: bool = False,
    ) -> WebhookSubscription:
        """Subscribe `callback_url` for `account_key`: a new id and a random 64-hex secret.

        `ValidationError` (argument `callback_url`) for a URL that is not absolute http(s).
        """
        now = self._now()
        subscription = WebhookSubscription(
            id=str(uuid.uuid4()),
            callback_url=_check_callback_url(callback_url),
            event_type=event_type,
            resource=resource,
            secret=secrets.token_hex(32),
            account_key=account_key,
            created_at=now,
            updated_at=now,
            expires_at=_one_year_later(now),
            as_array=as_array,
        )
        with self._lock:
            self._by_account.setdefault(account_key, {})[subscription.id] = subscription
        return subscription

    def get(self, account_key: str, subscription_id: str) -> WebhookSubscription | None:
        """The account's subscription with this id, or None."""
        with self._lock:
            return self._by_account.get(account_key, {}).get(subscription_id)

    def delete(self, account_key: str, subscription_id: str) -> WebhookSubscription | None:
        """Remove the account's subscription with this id; the removed one, or None if unknown."""
        with self._lock:
            return self._by_account.get(account_key, {}).pop(subscription_id, None)

    def snapshot(self, account_key: str | None = None) -> list[WebhookSubscription]:
        """The subscriptions of `account_key` (None: of every account), oldest first."""
        with self._lock:
            accounts = (
                list(self._by_account.values())
                if account_key is None
                else [self._by_account.get(account_key, {})]
            )
            return [subscription for account in accounts for subscription in account.values()]

    def matching(
        self, account_key: str, *, resource: str, event_type: str
    ) -> list[WebhookSubscription]:
        """The account's unexpired subscriptions a `resource` / `event_type` change goes to."""
        now = self._now()
        return [
            subscription
            for subscription in self.snapshot(account_key)
            if subscription.expires_at > now
            and subscription.matches(resource=resource, event_type=event_type)
        ]

    def __len__(self) -> int:
        with self._lock:
            return sum(len(account) for account in self._by_account.values())

    def __repr__(self) -> str:
        return f"<WebhookSubscriptions: {len(self)}>"


# -- deliveries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryAttempt:
    """One POST of a delivery: the status answered, or why there was none."""

    number: int
    """1 for the first attempt."""
    status_code: int | None
    """The receiver's status; None when it did not answer."""
    error: str | None
    """Why the attempt failed ("HTTP 500", "ConnectError: ..."); None when it succeeded."""
    at: float
    """`maesn._clock.current().monotonic()` when the attempt was made."""

    @property
    def succeeded(self) -> bool:
        """The receiver answered 2xx."""
        return self.status_code is not None and 200 <= self.status_code < 300  # noqa: PLR2004


@dataclass(frozen=True)
class WebhookDelivery:
    """A delivery as it stands: its body, signature, every attempt so far and its state."""

    id: str
    callback_url: str
    body: bytes
    signature: str | None
    """The `X-MAESN-SIGNATURE` sent (None: the header was left out)."""
    subscription_id: str | None = None
    state: DeliveryState = "pending"
    """pending (queued or retrying), delivered (2xx), failed (attempts used up), cancelled
    (the dispatcher stopped first)."""
    attempts: tuple[DeliveryAttempt, ...] = ()

    @property
    def done(self) -> bool:
        """No further attempt will be made."""
        return self.state != "pending"

    @property
    def status_code(self) -> int | None:
        """The last attempt's status, if any."""
        return self.attempts[-1].status_code if self.attempts else None

    @property
    def events(self) -> tuple[WebhookEvent, ...]:
        """The body's events (parsed without verifying: the dispatcher signed it)."""
        document = json.loads(self.body)
        items = document if isinstance(document, list) else [document]
        return tuple(WebhookEvent.from_dict(item) for item in items)


class DeliveryLog:
    """Every delivery of a dispatcher, updated as attempts are made; tests wait on it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._deliveries: dict[str, WebhookDelivery] = {}

    def record(self, delivery: WebhookDelivery) -> None:
        """Store `delivery`'s latest state and wake every waiter (the dispatcher calls this)."""
        with self._changed:
            self._deliveries[delivery.id] = delivery
            self._changed.notify_all()

    def snapshot(self) -> list[WebhookDelivery]:
        """Every delivery as it stands now, in the order they were queued."""
        with self._changed:
            return list(self._deliveries.values())

    def get(self, delivery_id: str) -> WebhookDelivery:
        """The delivery with this id as it stands now (KeyError when unknown)."""
        with self._changed:
            return self._deliveries[delivery_id]

    def wait_until(
        self, condition: Callable[[list[WebhookDelivery]], bool], *, timeout: float = 30.0
    ) -> list[WebhookDelivery]:
        """Block until `condition(snapshot)` holds; the snapshot. TimeoutError after `timeout` s.

        `timeout` only keeps a broken test from hanging: waiting is on a condition variable
        that every recorded change wakes, never a sleep.
        """
        with self._changed:
            if not self._changed.wait_for(
                lambda: condition(list(self._deliveries.values())), timeout=timeout
            ):
                raise TimeoutError(f"the deliveries did not reach the condition in {timeout} s")
            return list(self._deliveries.values())

    def wait(self, delivery: WebhookDelivery | str, *, timeout: float = 30.0) -> WebhookDelivery:
        """Block until the delivery is done (delivered, failed or cancelled); its final state."""
        wanted = delivery.id if isinstance(delivery, WebhookDelivery) else delivery
        self.wait_until(lambda all_: any(d.id == wanted and d.done for d in all_), timeout=timeout)
        return self.get(wanted)

    def wait_idle(self, *, timeout: float = 30.0) -> list[WebhookDelivery]:
        """Block until every delivery so far is done; the deliveries."""
        return self.wait_until(lambda all_: all(d.done for d in all_), timeout=timeout)

    def clear(self) -> None:
        """Forget every delivery that is done."""
        with self._changed:
            self._deliveries = {k: d for k, d in self._deliveries.items() if not d.done}

    def __len__(self) -> int:
        with self._changed:
            return len(self._deliveries)

    def __iter__(self) -> Iterator[WebhookDelivery]:
        return iter(self.snapshot())

    def __repr__(self) -> str:
        return f"<DeliveryLog of {len(self)} deliveries>"


_STOP = object()


class WebhookDispatcher:
    """Posts signed event bodies to callback URLs from a background thread, with retries.

    Deliveries go out one at a time in the order they were queued. A failed attempt (no answer
    within `timeout`, or a status that is not 2xx) is retried up to `max_attempts` attempts in
    all, after `backoff`, 2x`backoff`, 4x`backoff`... seconds (at most `max_backoff`), slept on
    `maesn._clock.current()`. The thread starts with the first delivery (or `start()`);
    `stop()` cancels what is still pending and joins it. A context manager.
    """

    def __init__(
        self,
        subscriptions: WebhookSubscriptions | None = None,
        *,
        max_attempts: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        timeout: float = 5.0,
    ) -> None:
        if max_attempts < 1:
            raise ValidationError(
                f"max_attempts must be 1 or more, got {max_attempts!r}", argument="max_attempts"
            )
        if backoff < 0 or max_backoff < 0 or timeout <= 0:
            raise ValidationError(
                "backoff and max_backoff must be 0 or more and timeout more than 0, got "
                f"{backoff!r}, {max_backoff!r}, {timeout!r}",
                argument="backoff"
                if backoff < 0
                else "max_backoff"
                if max_backoff < 0
                else "timeout",
            )
        self.subscriptions = subscriptions if subscriptions is not None else WebhookSubscriptions()
        """Where `notify` finds the subscriptions a change goes to."""
        self.deliveries = DeliveryLog()
        """Every delivery and its attempts."""
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self._lock = threading.Lock()
        self._queue: list[object] = []
        self._wake = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)

    def __repr__(self) -> str:
        state = "stopped" if self._stopping.is_set() else "running" if self._thread else "idle"
        return f"<WebhookDispatcher {state}, {len(self.deliveries)} deliveries>"

    # -- queueing ----------------------------------------------------------------------------

    def notify(
        self,
        account_key: str,
        *,
        resource: str,
        event_type: str,
        resource_id: str,
        filter_date: datetime | None = None,
    ) -> tuple[WebhookDelivery, ...]:
        """A record changed: send one event to each of the account's matching subscriptions.

        What a server calls after a create, update or delete of `resource` `resource_id` for
        `account_key`. `filter_date` defaults to now (UTC). Returns the queued deliveries (none
        when nothing is subscribed).
        """
        moment = (filter_date or datetime.now(UTC)).astimezone(UTC)
        event = WebhookEvent.from_dict(
            {
                "eventType": event_type,
                "filterDate": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "resource": resource,
                "resourceId": resource_id,
            }
        )
        return tuple(
            self.emit_event(subscription, event)
            for subscription in self.subscriptions.matching(
                account_key, resource=resource, event_type=event_type
            )
        )

    def emit_event(
        self, subscription: WebhookSubscription, events: EventLike | Sequence[EventLike]
    ) -> WebhookDelivery:
        """Send `events` to `subscription`'s callback URL, signed with its secret.

        One event goes as an object, or as a one-element array when the subscription was made
        `as_array`; a sequence always as an array.
        """
        if subscription.as_array and isinstance(events, WebhookEvent | Mapping):
            events = [events]
        body = encode_events(events)
        return self._queue_delivery(
            subscription.callback_url,
            body,
            sign_webhook(body, subscription.secret),
            subscription.id,
        )

    def send(
        self,
        callback_url: str,
        body: bytes,
        *,
        secret: str | None = None,
        signature: str | None = None,
    ) -> WebhookDelivery:
        """POST `body` to `callback_url`: signed with `secret`, or with `signature` as given.

        With neither, the signature header is left out. For testing how a receiver treats
        forged, unsigned or malformed deliveries.
        """
        if secret is not None:
            signature = sign_webhook(body, secret)
        return self._queue_delivery(_check_callback_url(callback_url), bytes(body), signature, None)

    def _queue_delivery(
        self, url: str, body: bytes, signature: str | None, subscription_id: str | None
    ) -> WebhookDelivery:
        delivery = WebhookDelivery(
            id=f"delivery-{next(self._ids)}",
            callback_url=url,
            body=body,
            signature=signature,
            subscription_id=subscription_id,
        )
        with self._lock:
            if self._stopping.is_set():
                raise RuntimeError("the webhook dispatcher was stopped; create a new one")
            self.deliveries.record(delivery)
            self._queue.append(delivery.id)
            self._wake.notify()
            self._start_locked()
        return delivery

    # -- the thread ------------------------------------------------------------------------

    def start(self) -> Self:
        """Start the delivery thread (done by the first delivery otherwise)."""
        with self._lock:
            if self._stopping.is_set():
                raise RuntimeError("the webhook dispatcher was stopped; create a new one")
            self._start_locked()
        return self

    def _start_locked(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="maesn-webhook-dispatcher", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Cancel every pending delivery, stop the thread and wait for it. Idempotent."""
        with self._lock:
            self._stopping.set()
            self._queue.append(_STOP)
            self._wake.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        for delivery in self.deliveries.snapshot():
            if not delivery.done:
                self.deliveries.record(replace(delivery, state="cancelled"))

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _next(self) -> str | None:
        with self._wake:
            self._wake.wait_for(lambda: bool(self._queue))
            item = self._queue.pop(0)
        return item if isinstance(item, str) else None

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout, trust_env=False, follow_redirects=False) as http:
            while (delivery_id := self._next()) is not None and not self._stopping.is_set():
                self._deliver(http, self.deliveries.get(delivery_id))

    def _pause(self, seconds: float) -> None:
        clock = _clock.current()
        if isinstance(clock, _clock.SystemClock):
            self._stopping.wait(seconds)  # real time: stop() cuts it short
        else:
            clock.sleep(seconds)

    def _deliver(self, http: httpx.Client, delivery: WebhookDelivery) -> None:
        headers = {"Content-Type": "application/json", "User-Agent": "maesn-testing-webhooks"}
        if delivery.signature is not None:
            headers[WEBHOOK_SIGNATURE_HEADER] = delivery.signature
        for number in range(1, self.max_attempts + 1):
            at = _clock.current().monotonic()
            try:
                response = http.post(delivery.callback_url, content=delivery.body, headers=headers)
            except httpx.HTTPError as exc:
                attempt = DeliveryAttempt(number, None, f"{type(exc).__name__}: {exc}", at)
            else:
                response.close()
                attempt = DeliveryAttempt(number, response.status_code, None, at)
                if not attempt.succeeded:
                    attempt = replace(attempt, error=f"HTTP {response.status_code}")
            delivery = replace(delivery, attempts=(*delivery.attempts, attempt))
            _log.debug(
                "webhook %s attempt %d to %s: %s",
                delivery.id,
                number,
                delivery.callback_url,
                attempt.error or attempt.status_code,
            )
            if attempt.succeeded:
                self.deliveries.record(replace(delivery, state="delivered"))
                return
            if number == self.max_attempts:
                break
            self.deliveries.record(delivery)
            self._pause(min(self.max_backoff, self.backoff * 2 ** (number - 1)))
            if self._stopping.is_set():
                self.deliveries.record(replace(delivery, state="cancelled"))
                return
        self.deliveries.record(replace(delivery, state="failed"))
