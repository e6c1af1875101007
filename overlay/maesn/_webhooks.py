"""Maesn webhooks: verify a delivery's signature, then parse its events; fetch what they name.

A delivery is a POST whose body is one event object or an array of them, signed with the
subscription's secret in the `X-MAESN-SIGNATURE` header: the HMAC-SHA256 of the raw body bytes.
`verify_webhook` (or a `WebhookVerifier` holding the secret) checks the signature in constant time
before anything is parsed, then returns the events as `WebhookEvent`s. Events are "pings": an
event says what changed (`resource`, `resourceId`), and `event.fetch(client)` reads the record.

What Maesn's documentation leaves open, and what this module decides:

- The key is the secret's text as UTF-8 (what Node's `createHmac("sha256", secret)` does with the
  string returned at creation), not the bytes its hex spells.
- The header's encoding is cut off in every copy of the docs. Accepted: the hex digest (any
  case), the same after a `sha256=` prefix, and base64 (standard or URL-safe, padding optional).
  Each decodes to exactly one 32-byte digest, which is compared with the expected one, so
  accepting several spellings of the digest does not let anything through that does not know the
  secret. Anything else is "malformed". Check this against a real delivery before relying on it.
- No timestamp or replay header is documented, so none is checked: deduplicate on the events.
"""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ._errors import excerpt
from ._exceptions import (
    ValidationError,
    WebhookFetchError,
    WebhookPayloadError,
    WebhookVerificationError,
)
from ._operations import find_operation
from ._redaction import Secret

if TYPE_CHECKING:
    from ._client import AsyncClient, Client

__all__ = [
    "WEBHOOK_SIGNATURE_HEADER",
    "WebhookEvent",
    "WebhookEventType",
    "WebhookResource",
    "WebhookVerifier",
    "compute_signature",
    "verify_webhook",
]

WEBHOOK_SIGNATURE_HEADER = "X-MAESN-SIGNATURE"
"""The header that carries a delivery's signature."""

_DIGEST_SIZE = hashlib.sha256().digest_size
_HEX = re.compile(r"(?:sha256=)?([0-9a-fA-F]{64})", re.ASCII | re.IGNORECASE)
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{43}=?", re.ASCII)
_FETCH_RESOURCE = "accounting"
"""The client resource (spec tag) whose `get_<resource>` operations read an event's record."""


class WebhookEventType(enum.StrEnum):
    """The `eventType` values Maesn documents. Another value reaches you as the raw string."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"
    REVOKED = "REVOKED"
    """Lexware Office: the end user's token was revoked (resource TOKEN)."""


class WebhookResource(enum.StrEnum):
    """The `resource` values Maesn documents. Another value reaches you as the raw string."""

    ACCOUNT = "ACCOUNT"
    CONTACT = "CONTACT"
    CREDIT_NOTE = "CREDIT_NOTE"
    CUSTOMER = "CUSTOMER"
    DIMENSION = "DIMENSION"
    EXPENSE = "EXPENSE"
    INVOICE = "INVOICE"
    ITEM = "ITEM"
    JOURNAL_ENTRY = "JOURNAL_ENTRY"
    OFFER = "OFFER"
    PAYMENT = "PAYMENT"
    SALES_ORDER = "SALES_ORDER"
    SUPPLIER = "SUPPLIER"
    TOKEN = "TOKEN"  # noqa: S105 - a resource's name, not a password


_Enum = TypeVar("_Enum", bound=enum.StrEnum)


def _known(kind: type[_Enum], value: str) -> _Enum | str:
    try:
        return kind(value)
    except ValueError:
        return value


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    from dateutil import parser  # noqa: PLC0415 - imported when an event carries a date

    try:
        return parser.isoparse(value)
    except (ValueError, OverflowError):
        return None


@functools.cache
def _get_operation(resource: str) -> tuple[str, str] | None:
    """(`get_<resource>`, its one path parameter) among the generated operations, or None."""
    name = "get_" + resource.lower()
    try:
        operation = find_operation(_FETCH_RESOURCE, name)
    except KeyError:
        return None
    path = [p.name for p in operation.parameters if p.location == "path"]
    return (name, path[0]) if len(path) == 1 else None


_EVENT_KEYS = ("eventType", "filterDate", "resource", "resourceId")


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookEvent:
    """One event of a delivery: what changed, for one end user.

    Attributes:
        event_type: `eventType`: a `WebhookEventType`, or the raw string for another value.
        resource: `resource`: a `WebhookResource`, or the raw string for another value.
        resource_id: `resourceId`: the id of the record that changed (None when absent).
        filter_date: `filterDate` parsed (ISO 8601, timezone kept), None when absent or not a
            date.
        filter_date_raw: `filterDate` exactly as sent.
        extra: Every other key of the event object, as sent (e.g. `userId` in older deliveries).
    """

    event_type: WebhookEventType | str
    resource: WebhookResource | str
    resource_id: str | None = None
    filter_date: datetime | None = None
    filter_date_raw: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> WebhookEvent:
        """An event from its JSON object; `TypeError` naming the field when it is not one.

        `eventType` and `resource` must be strings; `resourceId` a string or an integer (kept as
        its string), or absent/null; `filterDate` a string or absent/null.
        """
        if not isinstance(value, Mapping):
            raise TypeError(f"an event is a JSON object, got {type(value).__name__}")
        event_type, resource = value.get("eventType"), value.get("resource")
        for key, item in (("eventType", event_type), ("resource", resource)):
            if not isinstance(item, str):
                raise TypeError(f"{key} must be a string, got {excerpt(repr(item))}")
        assert isinstance(event_type, str)  # noqa: S101 - checked just above, for mypy
        assert isinstance(resource, str)  # noqa: S101
        resource_id = value.get("resourceId")
        if isinstance(resource_id, int) and not isinstance(resource_id, bool):
            resource_id = str(resource_id)
        if resource_id is not None and not isinstance(resource_id, str):
            raise TypeError(f"resourceId must be a string, got {excerpt(repr(resource_id))}")
        filter_date = value.get("filterDate")
        if filter_date is not None and not isinstance(filter_date, str):
            raise TypeError(f"filterDate must be a string, got {excerpt(repr(filter_date))}")
        return cls(
            event_type=_known(WebhookEventType, event_type),
            resource=_known(WebhookResource, resource),
            resource_id=resource_id,
            filter_date=_parse_date(filter_date),
            filter_date_raw=filter_date,
            extra=MappingProxyType({k: v for k, v in value.items() if k not in _EVENT_KEYS}),
        )

    def to_dict(self) -> dict[str, Any]:
        """The event as Maesn sends it (extra keys included; `filterDate` as it was sent)."""
        date = self.filter_date_raw
        if date is None and self.filter_date is not None:
            date = self.filter_date.isoformat().replace("+00:00", "Z")
        document: dict[str, Any] = {"eventType": str(self.event_type)}
        if date is not None:
            document["filterDate"] = date
        document["resource"] = str(self.resource)
        if self.resource_id is not None:
            document["resourceId"] = self.resource_id
        return {**document, **{k: v for k, v in self.extra.items() if k not in document}}

    @property
    def fetch_operation(self) -> str | None:
        """The `client.accounting` operation that reads this event's record, or None.

        Found by name in the generated layer: INVOICE -> `get_invoice`, CREDIT_NOTE ->
        `get_credit_note`; a resource without a get-by-id operation (TOKEN, DIMENSION) has none.
        """
        found = _get_operation(str(self.resource))
        return found[0] if found else None

    def _fetch_call(self) -> tuple[str, dict[str, str]]:
        found = _get_operation(str(self.resource))
        operation = "get_" + str(self.resource).lower()
        if found is None:
            raise WebhookFetchError(
                f"a {self.resource!s} event names no record to fetch: client.{_FETCH_RESOURCE} "
                f"has no operation {operation!r} that reads one by id",
                operation=operation,
                hint="act on the event itself (e.g. TOKEN REVOKED: the end user must connect again)",
            )
        if not self.resource_id:
            raise WebhookFetchError(
                f"the {self.resource!s} {self.event_type!s} event has no resourceId to fetch",
                operation=found[0],
            )
        return found[0], {found[1]: self.resource_id}

    def fetch(self, client: Client, **kwargs: Any) -> Any:
        """Read the record this event names: `client.accounting.get_<resource>(<id>, **kwargs)`.

        Returns what that operation returns (the envelope's `data`). `kwargs` go to the
        operation (`company_id=...`, `raw_data=True`). A DELETED event's record is usually gone:
        expect `maesn.NotFoundError`. Raises `maesn.WebhookFetchError` before sending when the
        resource has no get operation or the event has no id.
        """
        operation, path = self._fetch_call()
        return getattr(getattr(client, _FETCH_RESOURCE), operation)(**path, **kwargs)

    async def afetch(self, client: AsyncClient, **kwargs: Any) -> Any:
        """`fetch` on an `AsyncClient`."""
        operation, path = self._fetch_call()
        return await getattr(getattr(client, _FETCH_RESOURCE), operation)(**path, **kwargs)


def compute_signature(body: bytes, secret: str) -> str:
    """The `X-MAESN-SIGNATURE` value for `body`: the hex HMAC-SHA256 with the secret as UTF-8."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _digest_of(signature: str) -> bytes | None:
    """The 32 bytes a header spells (hex, sha256=hex, base64), or None when it spells none."""
    text = signature.strip()
    if match := _HEX.fullmatch(text):
        return bytes.fromhex(match.group(1))
    if _BASE64.fullmatch(text):
        standard = text.rstrip("=").replace("-", "+").replace("_", "/") + "="
        try:
            decoded = base64.b64decode(standard, validate=True)
        except binascii.Error:
            return None
        return decoded if len(decoded) == _DIGEST_SIZE else None
    return None


def _check_secret(secret: object, argument: str = "secret") -> Secret:
    if not isinstance(secret, str) or not secret:
        raise ValidationError(
            f"{argument} must be the webhook's secret (a non-empty str), got "
            f"{type(secret).__name__}{' (empty)' if secret == '' else ''}",
            argument=argument,
            hint="the `secret` that creating the webhook returned",
        )
    if secret != secret.strip():
        raise ValidationError(
            f"{argument} has leading or trailing whitespace (a newline read from a file?), "
            "which no secret Maesn returns has: strip it",
            argument=argument,
            hint="strip the secret",
        )
    return Secret(secret)


def _check_body(body: object) -> bytes:
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    raise ValidationError(
        f"body must be the raw request body as bytes, got {type(body).__name__}: a decoded or "
        "re-serialised body does not verify",
        argument="body",
        hint="pass the bytes as received: `request.get_data()` (Flask), `await request.body()` "
        "(Starlette, FastAPI)",
    )


def _check_signature(signature: object) -> str | None:
    if isinstance(signature, bytes):  # a raw ASGI header value
        return signature.decode("latin-1")
    if signature is None or isinstance(signature, str):
        return signature
    raise ValidationError(
        f"signature must be the {WEBHOOK_SIGNATURE_HEADER} header's value (str) or None, got "
        f"{type(signature).__name__}",
        argument="signature",
    )


def _parse(body: bytes) -> tuple[WebhookEvent, ...]:
    def refuse(problem: str) -> WebhookPayloadError:
        text = excerpt(body.decode("utf-8", errors="replace")) or "(empty)"
        return WebhookPayloadError(
            f"the delivery's signature verified, but its body is not Maesn event JSON: "
            f"{problem}. Body: {text}",
            body=body,
        )

    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise refuse(f"not JSON ({type(exc).__name__})") from None
    items = document if isinstance(document, list) else [document]
    events = []
    for index, item in enumerate(items):
        try:
            events.append(WebhookEvent.from_dict(item))
        except TypeError as exc:
            where = f"event {index}: " if isinstance(document, list) else ""
            raise refuse(f"{where}{exc}") from None
    return tuple(events)


class WebhookVerifier:
    """Holds a subscription's secret (or several, while renewing) and verifies deliveries.

    `WebhookVerifier(new_secret, old_secret)` accepts a delivery signed with either: during a
    renewal both subscriptions may deliver. The secrets never appear in its repr.
    """

    __slots__ = ("_secrets",)

    def __init__(self, secret: str, *more: str) -> None:
        self._secrets = tuple(
            _check_secret(value, "secret" if index == 0 else f"secret {index + 1}")
            for index, value in enumerate((secret, *more))
        )

    def __repr__(self) -> str:
        return f"WebhookVerifier({', '.join('***' for _ in self._secrets)})"

    def verify_signature(self, body: bytes, signature: str | bytes | None) -> None:
        """Raise `WebhookVerificationError` unless `signature` is `body`'s, with a secret."""
        raw = _check_body(body)
        signature = _check_signature(signature)
        if signature is None or not signature.strip():
            raise WebhookVerificationError(
                f"the delivery has no {WEBHOOK_SIGNATURE_HEADER} header: it cannot be from "
                "Maesn (pass the header's value, not the body)",
                reason="missing",
            )
        given = _digest_of(signature)
        if given is None:
            raise WebhookVerificationError(
                f"the {WEBHOOK_SIGNATURE_HEADER} header is not a SHA-256 digest (hex, sha256=hex "
                f"or base64; got {len(signature)} characters): refuse the delivery",
                reason="malformed",
            )
        matched = False
        for secret in self._secrets:
            expected = hmac.new(secret.reveal().encode("utf-8"), raw, hashlib.sha256).digest()
            matched |= hmac.compare_digest(expected, given)
        if not matched:
            raise WebhookVerificationError(
                f"the {WEBHOOK_SIGNATURE_HEADER} header does not match the body: it was not "
                "signed with this secret, or the body was changed (verify the raw bytes as "
                "received, before any JSON parsing)",
                reason="mismatch",
            )

    def verify(self, body: bytes, signature: str | bytes | None) -> tuple[WebhookEvent, ...]:
        """Verify the delivery, then parse it: its events, one or many, always as a tuple.

        Raises `WebhookVerificationError` (nothing parsed) or, for a verified body that is not
        event JSON, `WebhookPayloadError` with the raw body.
        """
        self.verify_signature(body, signature)
        return _parse(bytes(body))

    def verify_headers(
        self, body: bytes, headers: Mapping[str, str] | Iterable[tuple[str, str]]
    ) -> tuple[WebhookEvent, ...]:
        """`verify` with the signature read from `headers` (the header's name in any case).

        `headers` is anything with `.items()` (a dict, Flask's and Starlette's `request.headers`,
        `email.message.Message`) or an iterable of (name, value) pairs. Two signature headers
        are "malformed": which one would count is not for a receiver to guess.
        """
        items = getattr(headers, "items", None)
        pairs: Iterable[tuple[str, str]] = items() if callable(items) else cast("Any", headers)
        wanted = WEBHOOK_SIGNATURE_HEADER.lower()
        found = [value for name, value in pairs if name.lower() == wanted]
        if len(found) > 1:
            raise WebhookVerificationError(
                f"the delivery has {len(found)} {WEBHOOK_SIGNATURE_HEADER} headers: refuse it",
                reason="malformed",
            )
        return self.verify(body, found[0] if found else None)


def verify_webhook(
    body: bytes, signature: str | bytes | None, secret: str
) -> tuple[WebhookEvent, ...]:
    """Verify a delivery's `X-MAESN-SIGNATURE` against its raw body, then parse its events.

    `body` is the request body exactly as received (bytes); `signature` the header's value (None
    when it is missing); `secret` the one creating the webhook returned. Returns every event of
    the delivery, one or many, as a tuple. Raises `maesn.WebhookVerificationError` (`reason`:
    missing, malformed, mismatch) before parsing anything, `maesn.WebhookPayloadError` for a
    verified body that is not event JSON, `maesn.ValidationError` for a body that is not bytes or
    an empty secret.
    """
    return WebhookVerifier(secret).verify(body, signature)
