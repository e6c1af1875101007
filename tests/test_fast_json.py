"""The `fast` extra: orjson decodes bodies, json takes over where orjson refuses; same Tasks."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace
from typing import Any

import maesn
import pytest
from helpers import Harness, envelope, page_meta
from hypothesis import given, settings
from hypothesis import strategies as st
from maesn import _decoding, _response
from maesn._profiles import Integration
from maesn._redaction import Redactor, Secret
from scripted_server import ScriptedServer

orjson = pytest.importorskip("orjson", reason="the `fast` extra (orjson) is part of the test group")

_REDACT = Redactor([Secret("test-api-key-5f0c1e9b")])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits as well: orjson refuses those, json decodes them
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _task(raw: bytes, *, fast: bool) -> maesn.Task:
    payload = _decoding.decode_json(raw, fast=fast)
    return _response.task_from_payload(
        payload,
        task_id="t-1",
        integration=Integration.DATEV_REWE_EXPORT,
        attempts=1,
        redact=_REDACT,
    )


def _same(left: maesn.Task, right: maesn.Task) -> None:
    # json.dumps compares NaN as text ("NaN") where == would not.
    assert json.dumps(left.to_dict(), sort_keys=True) == json.dumps(right.to_dict(), sort_keys=True)
    assert repr(left) == repr(right)
    assert json.dumps(left.envelope, sort_keys=True) == json.dumps(right.envelope, sort_keys=True)


@settings(max_examples=200, deadline=None)
@given(
    response_data=json_values,
    messages=st.lists(st.text(), max_size=3),
    warnings=st.lists(st.text(), max_size=2),
)
def test_orjson_and_json_give_identical_tasks(
    response_data: Any, messages: list[str], warnings: list[str]
) -> None:
    """Both decoders, on the same bytes, give the same Task (values, types, repr, to_dict)."""
    body = envelope(
        "FINISHED",
        information=[{"message": m, "type": "INFO"} for m in messages],
        response_data=response_data,
        warnings=warnings,
        pagination=page_meta(1, 1),
    )
    raw = json.dumps(body).encode()
    _same(_task(raw, fast=True), _task(raw, fast=False))


@pytest.mark.parametrize(
    ("literal", "check"),
    [
        (b"123456789012345678901234567890", lambda v: v == 123456789012345678901234567890),
        (b"-18446744073709551617", lambda v: v == -18446744073709551617),
        (b"NaN", math.isnan),
        (b"-Infinity", lambda v: v == -math.inf),
    ],
)
def test_json_takes_over_where_orjson_refuses_or_loses_digits(literal: bytes, check: Any) -> None:
    """NaN/Infinity (orjson refuses) and integers beyond 64 bits (orjson would make them floats)."""
    raw = b'{"data": {"status": "FINISHED", "responseData": [' + literal + b"]}}"
    fast, slow = _task(raw, fast=True), _task(raw, fast=False)
    assert check(fast.response_data[0])
    assert type(fast.response_data[0]) is type(slow.response_data[0])


def test_invalid_json_is_refused_by_both_paths() -> None:
    """Not JSON at all: both decoders raise ValueError (the client's ResponseValidationError)."""
    for fast in (True, False):
        with pytest.raises(ValueError, match=r"."):
            _decoding.decode_json(b'{"data": ', fast=fast)


@pytest.mark.parametrize("fast", [True, False])
def test_the_client_decodes_with_either_path(
    harness: Harness,
    scripted_server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    fast: bool,  # noqa: FBT001
) -> None:
    """Through a real client: with orjson and without it (as if the extra were not installed)."""
    calls: list[bytes] = []

    def counting_loads(raw: bytes) -> Any:
        calls.append(raw)
        return orjson.loads(raw)

    spy = SimpleNamespace(loads=counting_loads, JSONDecodeError=orjson.JSONDecodeError)
    monkeypatch.setattr(_decoding, "orjson", spy if fast else None)
    data = [{"amount": 12345, "name": "Müller", "big": 2**53}, {"amount": 1.5}]
    scripted_server.reply(200, envelope("FINISHED", response_data=data))
    task = harness.get_task("t-1")
    assert task.response_data == data
    assert len(calls) == (1 if fast else 0)


def test_a_body_with_a_long_number_is_decoded_by_json(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """An integer beyond 64 bits arrives exact, with orjson installed."""
    data = {"amount": 10**30, "negative": -(2**63) - 1}
    scripted_server.reply(200, envelope("FINISHED", response_data=data))
    task = harness.get_task("t-1")
    assert task.response_data == data
    assert type(task.response_data["amount"]) is int
