"""Hostile input on the whole-API surface, as properties over every generated operation.

- any path value is exactly one segment of the declared path, or refused before sending;
- any file content arrives byte for byte in a multipart upload (whatever lines it holds);
- any argument value yields a request, or a `maesn` error naming that argument;
- any server answer yields a value, a handle or a `maesn` error (never another exception);
- a key passed as an argument value never shows in an error message.

Building and interpreting a call is pure (`prepare_call`, `interpret`): most properties run there,
with thousands of examples; the upload property crosses a real loopback socket.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import io
import json
import string
from typing import Any
from urllib.parse import unquote

import httpx
import maesn
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from maesn._calls import CallContext, PreparedCall, interpret, prepare_call
from maesn._operations import Operation, all_operations, find_operation
from maesn._profiles import Integration
from maesn._redaction import Redactor, Secret
from maesn_api.models.post_file_async_body import PostFileAsyncBody
from samples import required_arguments
from scripted_server import ScriptedServer

OPERATIONS = all_operations()
PROFILES = {"call": Integration.DATEV_REWE_EXPORT.profile, "task": Integration.ABACONNECT.profile}
"""A profile whose reads start tasks, and one whose reads do not."""
WITH_PATH = [op for op in OPERATIONS if any(p.location == "path" for p in op.parameters)]
WITH_PARAMETERS = [op for op in OPERATIONS if op.parameters]
API_KEY = "api-key-properties-7Q"
ACCOUNT_KEY = "account-key-properties-9Z"
REDACT = Redactor([Secret(API_KEY), Secret(ACCOUNT_KEY)])
BASE = "http://127.0.0.1:9"

# Every kind of value a caller might pass by mistake or on purpose.
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.sampled_from([".", "..", "", "%2e%2e", "a/b", "\ud800", "x" * 20_000, API_KEY]),
    st.builds(object),
)


def context(**overrides: Any) -> CallContext:
    """What a client of AbaConnect (no companyId rule) contributes to every call."""
    options: dict[str, Any] = {
        "base_url": BASE,
        "headers": httpx.Headers({"X-API-KEY": API_KEY, "X-ACCOUNT-KEY": ACCOUNT_KEY}),
        "profile": Integration.ABACONNECT.profile,
        "company_id": "c-1",
        "environment_name": "env-1",
        "interactive_auth": False,
        "redact": REDACT,
    }
    options.update(overrides)
    return CallContext(**options)


def attempt(
    operation: Operation, arguments: dict[str, Any]
) -> PreparedCall | maesn.ValidationError:
    """The prepared call, or the ValidationError that refused it (returned, not raised)."""
    try:
        return prepare_call(operation, arguments, context())
    except maesn.ValidationError as exc:
        return exc


@settings(max_examples=400, deadline=None)
@given(operation=st.sampled_from(WITH_PATH), value=st.text(max_size=300) | values)
def test_any_path_value_is_one_segment_or_refused(operation: Operation, value: object) -> None:
    """The request's path is the template with the value as one percent-encoded segment."""
    name = next(p.name for p in operation.parameters if p.location == "path")
    wire = operation.by_name[name].wire
    call = attempt(operation, {**required_arguments(operation), name: value})
    if isinstance(call, maesn.ValidationError):
        assert call.argument == name
        return
    assert isinstance(value, str)
    path = call.request.url.raw_path.decode("ascii").split("?")[0]
    before, _, after = operation.path.partition("{" + wire + "}")
    expected_before = before
    expected_after = after
    for other in operation.parameters:
        if other.location == "path" and other.name != name:
            filler = str(required_arguments(operation)[other.name])
            expected_before = expected_before.replace("{" + other.wire + "}", filler)
            expected_after = expected_after.replace("{" + other.wire + "}", filler)
    assert path.startswith(expected_before)
    assert path.endswith(expected_after)
    segment = path[len(expected_before) : len(path) - len(expected_after)]
    assert "/" not in segment
    assert segment not in {".", ".."}
    assert unquote(segment) == value


@settings(max_examples=600, deadline=None)
@given(operation=st.sampled_from(WITH_PARAMETERS), data=st.data())
def test_any_argument_yields_a_request_or_an_error_naming_it(
    operation: Operation, data: st.DataObject
) -> None:
    """A value of any type for any parameter: a built request, or a ValidationError naming it."""
    parameter = data.draw(st.sampled_from(operation.parameters))
    value = data.draw(values)
    call = attempt(operation, {**required_arguments(operation), parameter.name: value})
    if isinstance(call, maesn.ValidationError):
        assert call.argument == parameter.name or (value is None and call.argument)
        assert API_KEY not in str(call)
        return
    assert isinstance(call.request, httpx.Request)
    assert len(str(call.request.url)) < 70_000


@settings(max_examples=200, deadline=None)
@given(value=values, operation=st.sampled_from([op for op in OPERATIONS if op.body is not None]))
def test_any_body_yields_a_request_or_an_error_naming_the_body(
    operation: Operation, value: object
) -> None:
    """A body of any type: encoded, or a ValidationError naming `body` (never a TypeError)."""
    call = attempt(operation, {**required_arguments(operation), "body": value})
    if isinstance(call, maesn.ValidationError):
        assert str(call.argument).startswith("body")
        assert API_KEY not in str(call)


class _Failing(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:  # noqa: ARG002 - the read fails before using it
        raise OSError("disk on fire")


class _WriteOnly(io.RawIOBase):
    def writable(self) -> bool:
        return True


def _closed() -> io.BytesIO:
    stream = io.BytesIO(b"x")
    stream.close()
    return stream


@pytest.mark.parametrize(
    "payload",
    [_closed(), _WriteOnly(), _Failing(), io.StringIO("text"), "receipt.pdf", 5, object()],
    ids=["closed", "write-only", "failing", "text-file", "str", "int", "object"],
)
def test_an_unreadable_file_payload_is_a_validation_error_before_sending(payload: object) -> None:
    """Closed, write-only, failing or wrong-typed payloads: nothing is sent, the field is named."""
    operation = find_operation("accounting", "post_file_async")
    body = PostFileAsyncBody(file=maesn.File(b"ok"))
    body.file.payload = payload  # type: ignore[union-attr]
    with pytest.raises(maesn.ValidationError) as caught:
        prepare_call(operation, {"body": body}, context())
    assert caught.value.argument == "body.file"
    assert caught.value.hint is not None


def test_a_str_where_a_file_belongs_says_what_a_file_is() -> None:
    """`PostFileAsyncBody(file="receipt.pdf")`: the message shows how to build a File."""
    operation = find_operation("accounting", "post_file_async")
    with pytest.raises(maesn.ValidationError) as caught:
        prepare_call(operation, {"body": PostFileAsyncBody(file="receipt.pdf")}, context())  # type: ignore[arg-type]
    assert caught.value.argument == "body.file"
    assert caught.value.hint is not None
    assert "File(payload=" in caught.value.hint


@pytest.mark.parametrize("name", ["re\ud800ceipt.pdf", "a\r\nContent-Type: evil", 7])
def test_a_file_name_that_cannot_be_sent_is_refused(name: object) -> None:
    """Lone surrogates, control characters (header injection) or a non-str file name."""
    operation = find_operation("accounting", "post_file_async")
    body = PostFileAsyncBody(file=maesn.File(b"ok", file_name=name))  # type: ignore[arg-type]
    with pytest.raises(maesn.ValidationError) as caught:
        prepare_call(operation, {"body": body}, context())
    assert caught.value.argument == "body.file"


def _parts(request_body: bytes, content_type: str) -> dict[str, bytes]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request_body
    )
    parts: dict[str, bytes] = {}
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        parts[str(part.get_param("name", header="content-disposition"))] = payload
    return parts


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.binary(max_size=2_000)
    | st.sampled_from(
        [
            b"--+++--\r\n",
            b'--+++\r\nContent-Disposition: form-data; name="documentType"\r\n\r\nforged\r\n',
            b"\r\n--+++--\r\nafter",
        ]
    ),
    note=st.text(string.printable, max_size=40),
)
def test_any_file_content_arrives_byte_for_byte(
    scripted_server: ScriptedServer, content: bytes, note: str
) -> None:
    """A random boundary per request: no content can end the file early or forge a field."""
    scripted_server.requests.clear()
    scripted_server.reply(202, {"data": {"taskId": "t-1"}})
    with maesn.Client(
        api_key=API_KEY,
        account_key=ACCOUNT_KEY,
        integration="abaconnect",
        base_url=scripted_server.base_url,
        max_retries=0,
    ) as client:
        client.accounting.post_file_async(
            body=PostFileAsyncBody(file=maesn.File(content, file_name="a.pdf"), note=note)
        )
    (request,) = scripted_server.requests
    content_type = request.headers["Content-Type"]
    assert "+++" not in content_type
    parts = _parts(request.body, content_type)
    assert parts["file"] == content
    assert set(parts) == {"file", "note"} if note else {"file"}


answers = st.one_of(
    st.binary(max_size=200),
    st.builds(
        lambda v: json.dumps(v).encode(),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False)
            | st.text(max_size=10),
            lambda children: (
                st.lists(children, max_size=3)
                | st.dictionaries(
                    st.sampled_from(
                        ["data", "meta", "taskId", "pagination", "warnings", "errors", "x"]
                    ),
                    children,
                    max_size=4,
                )
            ),
            max_leaves=12,
        ),
    ),
)


@settings(max_examples=800, deadline=None)
@given(
    operation=st.sampled_from(OPERATIONS),
    status=st.sampled_from([200, 201, 202, 203, 204, 299, 400, 404, 500, 520, 599]),
    body=answers,
    mode=st.sampled_from(["call", "task"]),
)
def test_any_answer_yields_a_value_a_handle_or_a_maesn_error(
    operation: Operation, status: int, body: bytes, mode: str
) -> None:
    """Whatever a server sends, interpreting it returns or raises a MaesnError."""
    request = httpx.Request(operation.method, BASE + "/x")
    call = PreparedCall(
        operation=operation,
        request=request,
        arguments={},
        company_id=None,
        mode=mode,  # type: ignore[arg-type]
        redact=REDACT,
    )
    response = httpx.Response(status, content=body, request=request)
    with contextlib.suppress(maesn.MaesnError):
        interpret(call, response, attempts=1, redact=REDACT, profile=PROFILES[mode])


@settings(max_examples=200, deadline=None)
@given(operation=st.sampled_from(WITH_PARAMETERS), data=st.data())
def test_a_key_passed_as_an_argument_never_shows_in_the_error(
    operation: Operation, data: st.DataObject
) -> None:
    """The client's keys, passed (by mistake) as any argument, in any wrapping: redacted."""
    parameter = data.draw(st.sampled_from(operation.parameters))
    key = data.draw(st.sampled_from([API_KEY, ACCOUNT_KEY]))
    value = data.draw(st.sampled_from([key.encode(), [key], {key: 1}, key + "\x00", 1.5]))
    assume(value != 1.5 or parameter.kind not in {"float", "any"})
    call = attempt(operation, {**required_arguments(operation), parameter.name: value})
    if isinstance(call, maesn.ValidationError):
        for text in (str(call), repr(call), str(call.hint)):
            assert API_KEY not in text
            assert ACCOUNT_KEY not in text
