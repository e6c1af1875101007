"""Webhook deliveries: the signature is checked on the raw bytes first, then the events parsed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from typing import Any

import maesn
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from maesn import _webhooks
from maesn.testing import sign_webhook, signed_delivery, webhook_headers
from maesn_api.models.contact_response_dto import ContactResponseDto
from maesn_api.models.invoice_response_dto import InvoiceResponseDto
from samples import sample
from scripted_server import ScriptedServer

SECRET = "5f0c8a2d9b7e4f1a3c6d8e0b2a4f6c8d1e3f5a7b9c0d2e4f6a8b0c2d4e6f8a0b"  # noqa: S105 - a test's
OTHER_SECRET = "0" * 64
EVENT = {
    "eventType": "CREATED",
    "filterDate": "2023-10-01T00:00:00Z",
    "resource": "INVOICE",
    "resourceId": "bca91f06-0414-4b24-81fa-8489105afceb",
}
BODY = json.dumps(EVENT).encode()


def _reason(body: bytes, signature: str | None, secret: str = SECRET) -> str:
    with pytest.raises(maesn.WebhookVerificationError) as caught:
        maesn.verify_webhook(body, signature, secret)
    return caught.value.reason


# -- the signature -----------------------------------------------------------------------------


def test_a_delivery_signed_with_the_secret_verifies_and_parses() -> None:
    """The hex HMAC-SHA256 of the raw body with the secret: the event, typed."""
    (event,) = maesn.verify_webhook(BODY, sign_webhook(BODY, SECRET), SECRET)
    assert event.event_type is maesn.WebhookEventType.CREATED
    assert event.resource is maesn.WebhookResource.INVOICE
    assert event.resource_id == EVENT["resourceId"]


def test_the_signature_is_the_hex_hmac_sha256_of_the_body_with_the_secret_as_utf8() -> None:
    """What Node's createHmac("sha256", secret).update(body).digest("hex") gives."""
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert sign_webhook(BODY, SECRET) == expected
    assert webhook_headers(BODY, SECRET) == {
        "Content-Type": "application/json",
        "X-MAESN-SIGNATURE": expected,
    }


def test_a_tampered_body_is_a_mismatch() -> None:
    """One changed character of the body: refused."""
    tampered = BODY.replace(b"INVOICE", b"INVOICF")
    assert _reason(tampered, sign_webhook(BODY, SECRET)) == "mismatch"


def test_a_tampered_signature_is_a_mismatch() -> None:
    """One changed hex digit of the signature: refused."""
    signature = sign_webhook(BODY, SECRET)
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    assert _reason(BODY, flipped) == "mismatch"


def test_a_delivery_signed_with_another_secret_is_a_mismatch() -> None:
    """The right body, signed with the wrong secret."""
    assert _reason(BODY, sign_webhook(BODY, OTHER_SECRET)) == "mismatch"


@pytest.mark.parametrize("signature", [None, "", "   "])
def test_a_missing_signature_is_missing(signature: str | None) -> None:
    """No header (None) or an empty one."""
    assert _reason(BODY, signature) == "missing"


@pytest.mark.parametrize(
    "signature",
    [
        "not-a-signature",
        "zz" * 32,  # 64 characters, not hex
        "ab" * 31,  # hex, 31 bytes
        "ab" * 33,  # hex, 33 bytes
        "ab " * 32,  # bytes.fromhex would accept the spaces
        "sha1=" + "ab" * 32,
        "ab" * 32 + "\n" + "cd" * 32,
        "٣" * 64,  # Arabic-Indic digits: not ASCII hex
        base64.b64encode(b"x" * 31).decode(),
        "!" * 44,
    ],
)
def test_non_hex_junk_is_malformed(signature: str) -> None:
    """Anything that does not spell a 32-byte digest in an accepted encoding."""
    assert _reason(BODY, signature) == "malformed"


def test_a_body_re_serialised_by_a_framework_does_not_verify() -> None:
    """json.loads + json.dumps changes the bytes (spacing, order, escapes): a mismatch."""
    raw = b'{"eventType":"CREATED","resource":"INVOICE","resourceId":"a\\u00e9"}'
    reserialised = json.dumps(json.loads(raw)).encode()
    assert reserialised != raw
    assert _reason(reserialised, sign_webhook(raw, SECRET)) == "mismatch"


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """hmac.compare_digest decides, on the two 32-byte digests; `==` is never used."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    maesn.verify_webhook(BODY, sign_webhook(BODY, SECRET), SECRET)
    assert _reason(BODY, sign_webhook(BODY, OTHER_SECRET)) == "mismatch"
    assert len(calls) == 2
    assert all(len(a) == len(b) == 32 for a, b in calls)
    monkeypatch.setattr(hmac, "compare_digest", lambda _a, _b: False)
    assert _reason(BODY, sign_webhook(BODY, SECRET)) == "mismatch"


@pytest.mark.parametrize(
    "spell",
    [
        str.upper,
        lambda hex_: "sha256=" + hex_,
        lambda hex_: "SHA256=" + hex_.upper(),
        lambda hex_: f"  {hex_}\t",
        lambda hex_: base64.b64encode(bytes.fromhex(hex_)).decode(),
        lambda hex_: base64.b64encode(bytes.fromhex(hex_)).decode().rstrip("="),
        lambda hex_: base64.urlsafe_b64encode(bytes.fromhex(hex_)).decode(),
    ],
    ids=["upper-hex", "sha256=", "SHA256=HEX", "whitespace", "base64", "base64-unpadded", "url"],
)
def test_other_spellings_of_the_same_digest_are_accepted(spell: Any) -> None:
    """The encoding is undocumented: hex in any case, sha256=hex, base64 (each one digest)."""
    assert maesn.verify_webhook(BODY, spell(sign_webhook(BODY, SECRET)), SECRET)


def test_a_raw_header_value_in_bytes_is_accepted() -> None:
    """ASGI gives header values as bytes."""
    assert maesn.verify_webhook(BODY, sign_webhook(BODY, SECRET).encode(), SECRET)


def test_nothing_is_parsed_before_the_signature_verifies(monkeypatch: pytest.MonkeyPatch) -> None:
    """A forged delivery never reaches the JSON parser."""
    parsed: list[bytes] = []
    monkeypatch.setattr(_webhooks, "_parse", parsed.append)
    with pytest.raises(maesn.WebhookVerificationError):
        maesn.verify_webhook(BODY, sign_webhook(BODY, OTHER_SECRET), SECRET)
    assert parsed == []


@pytest.mark.parametrize("body", ["a str", {"eventType": "CREATED"}, None])
def test_a_body_that_is_not_bytes_is_refused_before_verifying(body: Any) -> None:
    """A decoded or parsed body cannot be the bytes that were signed: ValidationError."""
    with pytest.raises(maesn.ValidationError) as caught:
        maesn.verify_webhook(body, "ab" * 32, SECRET)
    assert caught.value.argument == "body"


@pytest.mark.parametrize("secret", ["", None, f"{SECRET}\n", f" {SECRET}"])
def test_an_empty_or_padded_secret_is_refused(secret: Any) -> None:
    """An empty secret, or one read from a file with its newline: ValidationError."""
    with pytest.raises(maesn.ValidationError) as caught:
        maesn.verify_webhook(BODY, sign_webhook(BODY, SECRET), secret)
    assert caught.value.argument == "secret"


def test_a_verifier_accepts_any_of_its_secrets_while_renewing() -> None:
    """During a renewal the old and the new subscription may both deliver."""
    verifier = maesn.WebhookVerifier(SECRET, OTHER_SECRET)
    assert verifier.verify(BODY, sign_webhook(BODY, SECRET))
    assert verifier.verify(BODY, sign_webhook(BODY, OTHER_SECRET))
    with pytest.raises(maesn.WebhookVerificationError):
        verifier.verify(BODY, sign_webhook(BODY, "1" * 64))


def test_verify_headers_reads_the_header_in_any_case() -> None:
    """From a dict, pairs, or anything with .items(); two signature headers are malformed."""
    verifier = maesn.WebhookVerifier(SECRET)
    signature = sign_webhook(BODY, SECRET)
    assert verifier.verify_headers(BODY, {"x-maesn-signature": signature})
    assert verifier.verify_headers(BODY, [("X-Maesn-Signature", signature)])
    with pytest.raises(maesn.WebhookVerificationError) as caught:
        verifier.verify_headers(BODY, {"content-type": "application/json"})
    assert caught.value.reason == "missing"
    with pytest.raises(maesn.WebhookVerificationError) as caught:
        verifier.verify_headers(
            BODY, [("X-MAESN-SIGNATURE", signature), ("x-maesn-signature", signature)]
        )
    assert caught.value.reason == "malformed"


# -- properties --------------------------------------------------------------------------------

SECRETS = st.text(st.characters(codec="utf-8"), min_size=1).filter(lambda s: s == s.strip())


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=2048), secret=SECRETS)
def test_any_body_signed_verifies_its_signature(body: bytes, secret: str) -> None:
    """Signing then verifying round-trips for every body and every secret."""
    maesn.WebhookVerifier(secret).verify_signature(body, sign_webhook(body, secret))


@settings(max_examples=200, deadline=None)
@given(
    body=st.binary(min_size=1, max_size=512),
    data=st.data(),
)
def test_any_single_byte_change_of_the_body_fails(body: bytes, data: st.DataObject) -> None:
    """Change one byte anywhere to any other value: the signature no longer matches."""
    index = data.draw(st.integers(0, len(body) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != body[index]))
    changed = body[:index] + bytes([value]) + body[index + 1 :]
    with pytest.raises(maesn.WebhookVerificationError) as caught:
        maesn.WebhookVerifier(SECRET).verify_signature(changed, sign_webhook(body, SECRET))
    assert caught.value.reason == "mismatch"


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_any_single_character_change_of_the_signature_fails(data: st.DataObject) -> None:
    """A different hex digit anywhere in the signature is refused."""
    signature = sign_webhook(BODY, SECRET)
    index = data.draw(st.integers(0, len(signature) - 1))
    digit = data.draw(st.sampled_from("0123456789abcdef").filter(lambda d: d != signature[index]))
    changed = signature[:index] + digit + signature[index + 1 :]
    assert _reason(BODY, changed) == "mismatch"


# -- the events --------------------------------------------------------------------------------


def _events(document: Any) -> tuple[maesn.WebhookEvent, ...]:
    delivery = signed_delivery(document, SECRET)
    return maesn.verify_webhook(delivery.body, delivery.signature, SECRET)


def test_one_event_object_is_a_tuple_of_one() -> None:
    """Most integrations send one object."""
    events = _events(EVENT)
    assert isinstance(events, tuple)
    assert len(events) == 1


def test_an_array_of_events_is_a_tuple_of_each() -> None:
    """Business Central, QuickBooks and Xero send arrays."""
    second = {**EVENT, "eventType": "DELETED", "resourceId": "inv-2"}
    events = _events([EVENT, second])
    assert [(e.event_type, e.resource_id) for e in events] == [
        ("CREATED", EVENT["resourceId"]),
        ("DELETED", "inv-2"),
    ]
    assert _events([]) == ()


def test_filter_date_is_parsed_and_kept_as_sent() -> None:
    """ISO 8601 with its timezone; the raw string alongside; an unparseable one kept raw only."""
    (event,) = _events(EVENT)
    assert event.filter_date == datetime(2023, 10, 1, tzinfo=UTC)
    assert event.filter_date_raw == "2023-10-01T00:00:00Z"
    (odd,) = _events({**EVENT, "filterDate": "yesterday"})
    assert odd.filter_date is None
    assert odd.filter_date_raw == "yesterday"
    (offset,) = _events({**EVENT, "filterDate": "2026-03-01T10:00:00.123+01:00"})
    assert offset.filter_date is not None
    assert offset.filter_date.utcoffset() is not None
    assert offset.filter_date.astimezone(UTC).hour == 9
    (none,) = _events({k: v for k, v in EVENT.items() if k != "filterDate"})
    assert none.filter_date is None
    assert none.filter_date_raw is None


def test_unknown_keys_and_values_are_kept() -> None:
    """A new eventType or resource stays a string; extra keys (userId) stay in `extra`."""
    (event,) = _events({**EVENT, "eventType": "ARCHIVED", "resource": "WIDGET", "userId": "123"})
    assert event.event_type == "ARCHIVED"
    assert not isinstance(event.event_type, maesn.WebhookEventType)
    assert event.resource == "WIDGET"
    assert event.extra == {"userId": "123"}
    assert event.to_dict()["userId"] == "123"


def test_a_numeric_resource_id_is_kept_as_its_string() -> None:
    """Some target systems number their records."""
    (event,) = _events({**EVENT, "resourceId": 42})
    assert event.resource_id == "42"


def test_to_dict_gives_back_the_event_as_sent() -> None:
    """from_dict and to_dict round-trip Maesn's fields and the extra keys."""
    document = {**EVENT, "userId": "7"}
    assert maesn.WebhookEvent.from_dict(document).to_dict() == document


def test_events_are_hashable_for_deduplication() -> None:
    """Without a replay header, a receiver deduplicates on the events themselves."""
    assert len({*_events(EVENT), *_events(EVENT)}) == 1


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"{not json", "not JSON"),
        (b'"CREATED"', "JSON object"),
        (b"[1]", "event 0"),
        (b'{"resource": "INVOICE"}', "eventType"),
        (b'{"eventType": "CREATED", "resource": 7}', "resource"),
        (b'{"eventType": "CREATED", "resource": "INVOICE", "resourceId": {}}', "resourceId"),
        (b'{"eventType": "CREATED", "resource": "INVOICE", "filterDate": 1}', "filterDate"),
    ],
)
def test_a_verified_body_that_is_not_event_json_keeps_the_raw_body(
    body: bytes, problem: str
) -> None:
    """WebhookPayloadError, after the signature verified, with the bytes as received."""
    with pytest.raises(maesn.WebhookPayloadError) as caught:
        maesn.verify_webhook(body, sign_webhook(body, SECRET), SECRET)
    assert caught.value.body == body
    assert problem in caught.value.message


# -- secrets stay secret -----------------------------------------------------------------------


def test_the_secret_appears_in_no_repr_message_or_log_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Verifier reprs and every error's text are free of the secret, at any log level."""
    caplog.set_level(logging.DEBUG)
    verifier = maesn.WebhookVerifier(SECRET, OTHER_SECRET)
    texts = [repr(verifier), str(verifier)]
    attempts: list[tuple[Any, Any, Any]] = [
        (BODY, None, SECRET),
        (BODY, "junk", SECRET),
        (BODY, sign_webhook(BODY, OTHER_SECRET), SECRET),
        (b"{}", sign_webhook(b"{}", SECRET), SECRET),
        (BODY, "x", f"{SECRET}\n"),
        ("text", "x", SECRET),
    ]
    for body, signature, secret in attempts:
        with pytest.raises(maesn.MaesnError) as caught:
            maesn.verify_webhook(body, signature, secret)
        texts += [str(caught.value), repr(caught.value), *map(str, caught.value.args)]
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        assert SECRET not in text
        assert OTHER_SECRET not in text


# -- ping and pull -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "operation"),
    [
        ("INVOICE", "get_invoice"),
        ("CREDIT_NOTE", "get_credit_note"),
        ("CUSTOMER", "get_customer"),
        ("JOURNAL_ENTRY", "get_journal_entry"),
        ("SALES_ORDER", "get_sales_order"),
        ("TOKEN", None),
        ("DIMENSION", None),  # only a list operation
        ("../auth", None),
    ],
)
def test_the_fetch_operation_is_found_by_name_in_the_generated_layer(
    resource: str, operation: str | None
) -> None:
    """INVOICE -> get_invoice, ...; no get-by-id operation, no fetch."""
    event = maesn.WebhookEvent(event_type="CREATED", resource=resource, resource_id="r-1")
    assert event.fetch_operation == operation


def test_every_documented_resource_has_a_fetch_or_says_it_has_none() -> None:
    """Each member either leads to an operation of the generated layer or has none (TOKEN)."""
    fetchable = {
        member
        for member in maesn.WebhookResource
        if maesn.WebhookEvent(event_type="UPDATED", resource=member).fetch_operation
    }
    assert maesn.WebhookResource.TOKEN not in fetchable
    assert maesn.WebhookResource.INVOICE in fetchable
    assert len(fetchable) == len(maesn.WebhookResource) - 2  # TOKEN, DIMENSION


def test_fetching_an_event_without_a_get_operation_is_a_typed_error() -> None:
    """TOKEN REVOKED: WebhookFetchError (a ValidationError) before any request."""
    event = maesn.WebhookEvent(event_type="REVOKED", resource="TOKEN", resource_id="t-1")
    with pytest.raises(maesn.WebhookFetchError) as caught:
        event.fetch(object())  # type: ignore[arg-type]  # no request is made
    assert caught.value.operation == "get_token"
    assert caught.value.argument == "event"
    assert isinstance(caught.value, maesn.ValidationError)
    no_id = maesn.WebhookEvent(event_type="CREATED", resource="INVOICE")
    with pytest.raises(maesn.WebhookFetchError) as caught:
        no_id.fetch(object())  # type: ignore[arg-type]
    assert caught.value.operation == "get_invoice"


@pytest.mark.parametrize(
    ("resource", "path", "model"),
    [
        ("INVOICE", "/accounting/invoices/rec-1", InvoiceResponseDto),
        ("CUSTOMER", "/accounting/customers/rec-1", ContactResponseDto),  # contact_id
    ],
)
@pytest.mark.anyio
async def test_fetch_reads_the_record_the_event_names_through_the_client(
    scripted_server: ScriptedServer, resource: str, path: str, model: type
) -> None:
    """Ping, then pull: the get operation by id, sync and async, with the client's keys."""
    event = maesn.WebhookEvent(event_type="UPDATED", resource=resource, resource_id="rec-1")
    options: dict[str, Any] = {
        "api_key": "webhook-api-key-1",
        "account_key": "webhook-account-key-1",
        "integration": "abaconnect",
        "base_url": scripted_server.base_url,
    }
    body = {"meta": None, "data": sample(model).to_dict()}
    scripted_server.reply(200, body)
    scripted_server.reply(200, body)
    with maesn.Client(**options) as client:
        record = event.fetch(client, company_id="c-9")
    async with maesn.AsyncClient(**options) as async_client:
        async_record = await event.afetch(async_client, company_id="c-9")
    assert type(record) is type(async_record) is model
    assert record.to_dict() == async_record.to_dict() == body["data"]  # type: ignore[attr-defined]
    for request in scripted_server.requests:
        assert request.method == "GET"
        assert request.raw_path == f"{path}?companyId=c-9"
        assert request.headers["X-ACCOUNT-KEY"] == "webhook-account-key-1"


def test_fetching_a_deleted_record_is_not_found(scripted_server: ScriptedServer) -> None:
    """A DELETED event's record is gone: the get answers 404, a NotFoundError."""
    scripted_server.reply(404, {"message": "not found"})
    event = maesn.WebhookEvent(event_type="DELETED", resource="INVOICE", resource_id="gone")
    with (
        maesn.Client(
            api_key="k-1234567890",
            account_key="a-1234567890",
            integration="abaconnect",
            base_url=scripted_server.base_url,
        ) as client,
        pytest.raises(maesn.NotFoundError),
    ):
        event.fetch(client)
