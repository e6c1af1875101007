"""The whole API through `maesn.Client` / `maesn.AsyncClient`: the generated typed resources.

Every operation is exercised here, parametrized from the operations' facts the regeneration
script emitted (`maesn_resources`), so an operation added upstream is covered by regenerating;
each call goes to a scripted server on loopback that records what it received.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import json
import logging
import subprocess
import sys
import urllib.parse
from typing import Any, cast

import httpx
import maesn
import pytest
from maesn._calls import CallContext, prepare_call
from maesn._operations import Operation, Parameter, Reply, all_operations, find_operation
from maesn._profiles import Integration
from maesn._resource import SyncRequester, SyncResource
from maesn_api.models.company_response_dto import CompanyResponseDto
from maesn_resources.accounting import Accounting, AsyncAccounting
from samples import parameter_value, required_arguments, sample
from scripted_server import ScriptedServer

OPERATIONS = all_operations()
API_KEY = "api-key-resources-1"
ACCOUNT_KEY = "account-key-resources-1"
NAIVE = dt.datetime(2026, 1, 1)  # noqa: DTZ001 - a naive datetime, refused by the client
ENUM_PARAMETERS = [(op, p) for op in OPERATIONS for p in op.parameters if p.kind == "enum"]


def client_options(server: ScriptedServer, **overrides: Any) -> dict[str, Any]:
    """Options for the scripted server (DATEV Unternehmen Online, companyId company-1)."""
    options: dict[str, Any] = {
        "api_key": API_KEY,
        "account_key": ACCOUNT_KEY,
        "integration": "datev-unternehmen-online",
        "company_id": "company-1",
        "base_url": server.base_url,
        "max_retries": 0,
    }
    options.update(overrides)
    return options


def make_client(server: ScriptedServer, **overrides: Any) -> maesn.Client:
    """A Client for the scripted server."""
    return maesn.Client(**client_options(server, **overrides))


def make_async_client(server: ScriptedServer, **overrides: Any) -> maesn.AsyncClient:
    """An AsyncClient for the scripted server."""
    return maesn.AsyncClient(**client_options(server, **overrides))


def data_of(reply: Reply) -> Any:
    """A valid `data` (or body) for a declared answer: sample models, no task id."""
    model = reply.model.load() if reply.model else None
    if reply.data == "list":
        return [sample(model).to_dict()] if model else ["x"]
    if reply.data == "model" and model is not None:
        value = sample(model).to_dict()
        if reply.task_id and not reply.pure_task:
            value["taskId"] = None
        return value
    return "x" if reply.data == "any" else None


def answer(operation: Operation, *, task_id: str | None = None) -> tuple[int, Any]:
    """The status and body of a valid success answer of `operation`."""
    status = min(operation.replies)
    reply = operation.replies[status]
    if task_id is not None:
        status, reply = next((s, r) for s, r in operation.replies.items() if r.task_id)
    data = data_of(reply)
    if task_id is not None:
        data["taskId"] = task_id
    if not reply.envelope:
        return status, data
    return status, {"meta": {"warnings": []}, "data": data, "errors": None, "rawData": None}


def call_of(client: Any, operation: Operation) -> Any:
    """The bound typed method of `operation` on `client`."""
    return getattr(getattr(client, operation.resource), operation.name)


def expected_path(operation: Operation) -> str:
    """The path `required_arguments` produce for `operation` (every path value is `x-1`)."""
    path = operation.path
    for parameter in operation.parameters:
        if parameter.location == "path":
            path = path.replace("{" + parameter.wire + "}", str(parameter_value(parameter)))
    return path


def test_the_generated_resources_hold_every_operation_of_the_spec() -> None:
    """One typed method per operationId of the pinned spec (counted from the spec, not here)."""
    from scripts.regenerate import SPEC, load_document  # noqa: PLC0415 - tooling import

    spec = load_document(SPEC)
    ids = {
        op["operationId"]
        for item in spec["paths"].values()
        for method, op in item.items()
        if method in {"get", "put", "post", "delete", "patch"}
    }
    assert {op.operation_id for op in OPERATIONS} == ids
    assert len({op.qualname for op in OPERATIONS}) == len(OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.qualname)
def test_every_operation_is_a_typed_method_sync_and_async(operation: Operation) -> None:
    """Explicit keyword parameters, a return annotation, no `Unset`, a docstring saying what."""
    with maesn.Client(api_key="a" * 10, account_key="b" * 10, integration="abaconnect") as sync:
        method = call_of(sync, operation)
    signature = inspect.signature(method)
    assert "Unset" not in str(signature)
    assert signature.return_annotation is not inspect.Signature.empty
    names = {p.name for p in operation.parameters} | ({"body"} if operation.body else set())
    assert set(signature.parameters) == names
    assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())
    doc = inspect.getdoc(method) or ""
    assert operation.operation_id in doc
    assert "maesn.ValidationError" in doc
    assert "x_api_key" not in doc


def _async_method(operation: Operation) -> Any:
    module = sys.modules[f"maesn_resources.{operation.resource}"]
    title = "".join(part.capitalize() for part in operation.resource.split("_"))
    return getattr(getattr(module, f"Async{title}"), operation.name)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.qualname)
def test_the_async_method_is_a_coroutine_with_the_same_signature(operation: Operation) -> None:
    """`AsyncClient` has the same operation, awaited, with the same parameters."""
    with maesn.Client(api_key="a" * 10, account_key="b" * 10, integration="abaconnect") as sync:
        sync_method = call_of(sync, operation)
    asynchronous = _async_method(operation)
    assert inspect.iscoroutinefunction(asynchronous)
    assert list(inspect.signature(asynchronous).parameters)[1:] == list(
        inspect.signature(sync_method).parameters
    )


def _check_result(operation: Operation, result: Any) -> None:
    if operation.result == "page":
        assert isinstance(result, maesn.SyncPage | maesn.AsyncPage)
        assert len(result) == 1
    elif operation.result == "none":
        assert result is None
    elif operation.result in {"task", "task_or_model"}:
        assert (
            not isinstance(result, maesn.TaskHandle | maesn.AsyncTaskHandle)
            or operation.result == "task"
        )
    else:
        reply = operation.replies[min(operation.replies)]
        if reply.data == "model" and reply.model is not None:
            assert isinstance(result, reply.model.load())
        elif reply.data == "list":
            assert isinstance(result, list)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.qualname)
def test_every_operation_sends_its_request_and_types_its_answer(
    operation: Operation, scripted_server: ScriptedServer
) -> None:
    """The method, path, query and keys sent are the operation's; the answer is typed."""
    task = "task-9" if operation.result == "task" else None
    status, body = answer(operation, task_id=task)
    scripted_server.reply(status, body)
    with make_client(scripted_server, integration="abaconnect", environment_name="env-1") as client:
        result = call_of(client, operation)(**required_arguments(operation))
    (request,) = scripted_server.requests
    assert request.method == operation.method
    assert request.raw_path.split("?")[0] == expected_path(operation)
    assert request.headers["X-API-KEY"] == API_KEY
    assert request.headers["X-ACCOUNT-KEY"] == ACCOUNT_KEY
    assert request.headers["User-Agent"].startswith("maesn-client/")
    assert ("companyId=company-1" in request.raw_path) == (
        operation.parameter("companyId") is not None
    )
    assert ("environmentName=env-1" in request.raw_path) == (
        operation.parameter("environmentName") is not None
    )
    if task:
        assert isinstance(result, maesn.TaskHandle)
        assert result.task_id == "task-9"
    _check_result(operation, result)


@pytest.mark.anyio
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.qualname)
async def test_every_operation_through_the_async_client(
    operation: Operation, scripted_server: ScriptedServer
) -> None:
    """The same request and typed answer, awaited."""
    task = "task-8" if operation.result == "task" else None
    status, body = answer(operation, task_id=task)
    scripted_server.reply(status, body)
    async with make_async_client(
        scripted_server, integration="abaconnect", environment_name="env-1"
    ) as client:
        result = await call_of(client, operation)(**required_arguments(operation))
    (request,) = scripted_server.requests
    assert request.method == operation.method
    assert request.raw_path.split("?")[0] == expected_path(operation)
    if task:
        assert isinstance(result, maesn.AsyncTaskHandle)
    _check_result(operation, result)


@pytest.mark.parametrize("status", [200, 299, 400, 404, 499, 500, 520, 599])
def test_with_raw_response_returns_every_status_and_never_raises(
    scripted_server: ScriptedServer, status: int
) -> None:
    """`.with_raw_response.<operation>()` returns the answer whatever its status."""
    scripted_server.reply(status, {"meta": {"warnings": ["w"]}, "data": [], "rawData": {"x": 1}})
    with make_client(scripted_server) as client:
        raw = client.accounting.with_raw_response.get_accounts()
    assert isinstance(raw, maesn.RawResponse)
    assert raw.status_code == status
    assert raw.warnings == ("w",)
    assert raw.raw_data == {"x": 1}
    assert raw.operation.operation_id == "getAccounts"
    if raw.is_success:
        assert isinstance(raw.parse(), maesn.SyncPage)
    else:
        with pytest.raises(maesn.APIError):
            raw.parse()


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.accounting.get_account(5), "account_id"),
        (lambda c: c.accounting.get_account(""), "account_id"),
        (lambda c: c.accounting.get_accounts(raw_data="yes"), "raw_data"),
        (lambda c: c.accounting.get_accounts(raw_data=1), "raw_data"),
        (lambda c: c.accounting.get_accounts(page=0), "page"),
        (lambda c: c.accounting.get_accounts(page=True), "page"),
        (lambda c: c.accounting.get_accounts(limit=7), "limit"),
        (lambda c: c.accounting.get_accounts(limit="10"), "limit"),
        (lambda c: c.accounting.get_accounts(last_modified_at="yesterday"), "last_modified_at"),
        (
            lambda c: c.accounting.get_accounts(last_modified_at=NAIVE),
            "last_modified_at",
        ),
        (
            lambda c: c.accounting.get_accounts(fiscal_year_start_date="2026-13-01"),
            "fiscal_year_start_date",
        ),
        (
            lambda c: c.accounting.get_accounts(fiscal_year_start_date=dt.datetime.now(dt.UTC)),
            "fiscal_year_start_date",
        ),
        (lambda c: c.accounting.get_accounts(company_id=" c "), "company_id"),
        (lambda c: c.accounting.get_accounts(company_id=7), "company_id"),
        (lambda c: c.accounting.get_accounts(fiscal_year=float("nan")), "fiscal_year"),
        (lambda c: c.accounting.get_accounts(environment_name="\ud800"), "environment_name"),
        (lambda c: c.accounting_v2.create_booking_proposal_v2(body=5), "body"),
        (lambda c: c.accounting.create_account(body=None), "body"),
    ],
    ids=[
        "int-path",
        "empty-path",
        "str-for-bool",
        "int-for-bool",
        "page-0",
        "page-bool",
        "limit-not-listed",
        "limit-str",
        "timestamp-text",
        "naive-datetime",
        "bad-date",
        "datetime-for-date",
        "blank-company",
        "int-company",
        "nan-number",
        "surrogate",
        "int-body",
        "missing-body",
    ],
)
def test_argument_errors_are_validation_errors_before_any_request(
    scripted_server: ScriptedServer, call: Any, argument: str | None
) -> None:
    """Values are checked against their parameter's kind before anything is sent."""
    with make_client(scripted_server) as client, pytest.raises(maesn.ValidationError) as caught:
        call(client)
    assert caught.value.argument == argument
    assert scripted_server.requests == []


ARGUMENT_MISTAKES: list[tuple[str, tuple[Any, ...], dict[str, Any], str | None, str | None]] = [
    # operation, positional, keywords, the argument blamed, a word of the hint
    ("post_file_async", (), {"bodyy": 1}, "bodyy", "'body'"),
    ("get_account", (), {"acount_id": "a-1"}, "acount_id", "'account_id'"),
    ("post_file_async", (), {}, "body", None),
    ("get_account", (), {"company_id": "c-1"}, "account_id", None),
    ("post_file_async", (b"%PDF",), {}, None, None),
    ("get_account", ("a-1", "c-1"), {}, None, None),
    ("get_account", ("a-1",), {"account_id": "a-2"}, None, None),
]


def _call_in_mode(
    server: ScriptedServer, mode: str, operation: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    async def call_async() -> None:
        async with make_async_client(server) as client:
            await getattr(client.accounting, operation)(*args, **kwargs)

    if mode == "async":
        asyncio.run(call_async())
        return
    with make_client(server) as client:
        resource = client.accounting.with_raw_response if mode == "raw" else client.accounting
        getattr(resource, operation)(*args, **kwargs)


@pytest.mark.parametrize("mistake", ARGUMENT_MISTAKES, ids=lambda m: f"{m[0]}-{m[3]}-{m[1]}")
@pytest.mark.parametrize("mode", ["sync", "async", "raw"])
def test_arguments_the_signature_refuses_are_a_validation_error(
    scripted_server: ScriptedServer,
    mode: str,
    mistake: tuple[str, tuple[Any, ...], dict[str, Any], str | None, str | None],
) -> None:
    """A misspelt keyword (with "did you mean"), a missing or an extra argument: nothing sent."""
    operation, args, kwargs, argument, hint = mistake
    with pytest.raises(maesn.ValidationError) as caught:
        _call_in_mode(scripted_server, mode, operation, args, kwargs)
    assert caught.value.argument == argument
    assert (caught.value.hint is None) is (hint is None)
    assert hint is None or hint in str(caught.value.hint)
    assert isinstance(caught.value.__cause__, TypeError)
    assert scripted_server.requests == []


def test_checked_methods_keep_their_signature_and_kind() -> None:
    """The argument check is invisible to `help()`, `inspect` and IDEs reading the signature."""
    for resource_type, is_async in ((Accounting, False), (AsyncAccounting, True)):
        method = resource_type.post_file_async
        assert list(inspect.signature(method).parameters) == ["self", "body", "company_id"]
        assert inspect.iscoroutinefunction(method) is is_async
        assert "POST /accounting/files/async" in (method.__doc__ or "")


def test_a_type_error_raised_inside_a_method_is_not_taken_for_an_argument_mistake() -> None:
    """Only a call the signature refuses becomes a ValidationError; other TypeErrors pass."""

    class Probe(SyncResource):
        def fails(self, *, body: object) -> None:
            raise TypeError(f"inside, with {body!r}")

    with pytest.raises(TypeError, match="inside") as caught:
        Probe(cast("SyncRequester", None)).fails(body=1)
    assert not isinstance(caught.value, maesn.ValidationError)


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_a_relative_or_empty_path_value_is_refused(
    scripted_server: ScriptedServer, value: str
) -> None:
    """`delete_bill("..")` never becomes `DELETE /accounting`: refused before sending."""
    with make_client(scripted_server) as client, pytest.raises(maesn.ValidationError) as caught:
        client.accounting.delete_bill(value)
    assert caught.value.argument == "bill_id"
    assert scripted_server.requests == []


@pytest.mark.parametrize("value", ["a/b", "%2e%2e", "..%2f", ".%2E", "\uff0e\uff0e", "a?b#c"])
def test_any_other_path_value_is_sent_as_exactly_one_segment(
    scripted_server: ScriptedServer, value: str
) -> None:
    """Every reserved character is percent-encoded: the value stays one segment of the path."""
    scripted_server.reply(200, {"data": {}})
    with make_client(scripted_server) as client:
        client.accounting.delete_bill(value)
    (request,) = scripted_server.requests
    prefix = "/accounting/bills/"
    assert request.raw_path.startswith(prefix)
    segment = request.raw_path[len(prefix) :].split("?")[0]
    assert "/" not in segment
    assert urllib.parse.unquote(segment) == value


def test_a_mapping_body_is_the_model_from_its_json_fields(scripted_server: ScriptedServer) -> None:
    """`body={...}` is built into the operation's model and sent as that JSON."""
    operation = find_operation("accounting", "create_account")
    status, body = answer(operation)
    scripted_server.reply(status, body)
    with make_client(scripted_server) as client:
        client.accounting.create_account(body={"name": "Cash", "number": "1000"})
    (request,) = scripted_server.requests
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"name": "Cash", "number": "1000"}


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), 10**5000, {1, 2}, "\ud800"],
    ids=["nan", "inf", "giant-int", "set", "surrogate"],
)
def test_a_json_body_that_json_cannot_carry_is_refused_before_sending(
    scripted_server: ScriptedServer, value: object
) -> None:
    """NaN, Infinity, giant integers, sets, lone surrogates: a ValidationError naming `body`."""
    with make_client(scripted_server) as client, pytest.raises(maesn.ValidationError) as caught:
        client.accounting.create_account(body={"name": "x", "extra": value})
    assert caught.value.argument == "body"
    assert scripted_server.requests == []


@pytest.mark.parametrize(
    ("operation", "parameter"), ENUM_PARAMETERS, ids=lambda x: getattr(x, "name", "")
)
def test_enum_parameters_take_plain_values_and_members_alike(
    operation: Operation, parameter: Parameter
) -> None:
    """A plain value and the generated enum's member build the same request."""
    context = CallContext(
        base_url="http://127.0.0.1:9",
        headers=httpx.Headers({"X-API-KEY": "k" * 10}),
        profile=Integration.ABACONNECT.profile,
        company_id="c",
        environment_name=None,
        interactive_auth=False,
        redact=str,
    )
    base = required_arguments(operation)
    assert parameter.enum is not None
    enum_class = parameter.enum.load()
    for member in enum_class:
        plain = prepare_call(operation, {**base, parameter.name: member.value}, context)
        typed = prepare_call(operation, {**base, parameter.name: member}, context)
        assert str(plain.request.url) == str(typed.request.url)
        assert f"{parameter.wire}={member.value}" in str(plain.request.url)
    with pytest.raises(maesn.ValidationError) as caught:
        prepare_call(operation, {**base, parameter.name: "NOT-A-VALUE"}, context)
    assert caught.value.argument == parameter.name
    assert caught.value.hint is not None
    assert str(parameter.choices[0]) in caught.value.hint


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        (dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC), "2026-03-04T05:06:07Z"),
        (dt.datetime(2026, 3, 4, 5, 6, 7, 890_000, tzinfo=dt.UTC), "2026-03-04T05:06:07.890Z"),
        (
            dt.datetime(2026, 3, 4, 7, 6, 7, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2026-03-04T05:06:07Z",
        ),
        (dt.date(2026, 3, 4), "2026-03-04T00:00:00Z"),
        ("2026-03-04T05:06:07Z", "2026-03-04T05:06:07Z"),
    ],
)
def test_a_timestamp_takes_a_datetime_a_date_or_an_iso_string(
    scripted_server: ScriptedServer, value: dt.datetime | dt.date | str, sent: str
) -> None:
    """lastModifiedAt: an aware datetime (to UTC), a date (midnight UTC) or ISO 8601 text."""
    scripted_server.reply(200, {"data": []})
    with make_client(scripted_server) as client:
        client.accounting.get_invoices(last_modified_at=value)
    (request,) = scripted_server.requests
    assert ("lastModifiedAt=" + sent.replace(":", "%3A")) in request.raw_path


def test_a_date_takes_a_date_or_an_iso_date_string(scripted_server: ScriptedServer) -> None:
    """dueDateFrom: sent as YYYY-MM-DD."""
    scripted_server.reply(200, {"data": []})
    scripted_server.reply(200, {"data": []})
    with make_client(scripted_server) as client:
        client.accounting.get_invoices(due_date_from=dt.date(2026, 2, 1))
        client.accounting.get_invoices(due_date_from="2026-02-01")
    assert all("dueDateFrom=2026-02-01" in r.raw_path for r in scripted_server.requests)


def test_an_operation_whose_spec_requires_company_id_refuses_without_one(
    scripted_server: ScriptedServer,
) -> None:
    """auth.long_token requires companyId in the spec: refused for every integration."""
    with (
        make_client(scripted_server, integration="abaconnect", company_id=None) as client,
        pytest.raises(maesn.ValidationError) as caught,
    ):
        client.auth.long_token(target_system="datev")
    assert caught.value.argument == "company_id"
    assert scripted_server.requests == []


def test_the_client_defaults_and_with_options_apply(scripted_server: ScriptedServer) -> None:
    """company_id/environment_name come from the client; with_options copies through its config."""
    for _ in range(3):
        scripted_server.reply(200, {"data": []})
    with make_client(scripted_server, environment_name="Production") as client:
        client.accounting.get_accounts()
        copy = client.with_options(company_id="company-2", environment_name="Sandbox")
        copy.accounting.get_accounts()
        client.accounting.get_accounts(company_id="company-3")
        assert copy.company_id == "company-2"
        assert client.company_id == "company-1"
        with pytest.raises(maesn.ValidationError) as caught:
            client.with_options(colour="red")  # type: ignore[call-arg]
        assert caught.value.argument == "colour"
    first, second, third = (r.raw_path for r in scripted_server.requests)
    assert "companyId=company-1" in first
    assert "environmentName=Production" in first
    assert "companyId=company-2" in second
    assert "environmentName=Sandbox" in second
    assert "companyId=company-3" in third


def test_a_get_is_retried_on_503(
    scripted_server: ScriptedServer,
    fake_clock: Any,  # noqa: ARG001 - the retry sleeps on virtual time
) -> None:
    """A read is retried after a 503 and returns the next answer."""
    scripted_server.reply(503, {"message": "busy"})
    scripted_server.reply(200, {"data": []})
    with make_client(scripted_server, max_retries=2) as client:
        page = client.accounting.get_accounts()
    assert list(page) == []
    assert [r.method for r in scripted_server.requests] == ["GET", "GET"]


@pytest.mark.parametrize("drop", [False, True], ids=["503", "dropped-mid-body"])
def test_a_write_is_never_retried_once_sent(
    scripted_server: ScriptedServer,
    fake_clock: Any,  # noqa: ARG001
    *,
    drop: bool,
) -> None:
    """A POST that reached the server is not sent again (a duplicate booking is worse)."""
    operation = find_operation("accounting_v2", "create_booking_proposal_v2")
    if drop:
        scripted_server.reply(202, {"data": {"taskId": "t-1"}}, drop_mid_body=True)
    else:
        scripted_server.reply(503, {"message": "busy"})
    scripted_server.reply(202, {"data": {"taskId": "t-2"}})
    with (
        make_client(scripted_server, max_retries=3) as client,
        pytest.raises(maesn.APIError) as caught,
    ):
        client.accounting_v2.create_booking_proposal_v2(**required_arguments(operation))
    assert caught.value.attempts == 1
    assert [r.method for r in scripted_server.requests] == ["POST"]


def test_errors_are_typed_and_keys_redacted(scripted_server: ScriptedServer) -> None:
    """A 401 echoing the key is an AuthenticationError whose body and message lack the key."""
    scripted_server.reply(401, {"message": f"bad key {API_KEY}"})
    with make_client(scripted_server) as client, pytest.raises(maesn.AuthenticationError) as c:
        client.accounting.get_accounts()
    assert API_KEY not in str(c.value)
    assert API_KEY not in json.dumps(c.value.body)


@pytest.mark.parametrize(
    "body",
    [
        {"data": "not a list"},
        {"data": [1, 2]},
        {"meta": 5, "data": []},
        {"meta": {"pagination": {"total": "many"}}, "data": []},
        {"meta": {}},
        [],
        "text",
    ],
    ids=["data-str", "items-not-objects", "meta-int", "pagination-str", "no-data", "list", "str"],
)
def test_a_2xx_body_that_does_not_match_the_spec_is_a_response_validation_error(
    scripted_server: ScriptedServer, body: Any
) -> None:
    """The raw body is kept (redacted) on the error; nothing comes back as None."""
    scripted_server.reply(200, body)
    with (
        make_client(scripted_server) as client,
        pytest.raises(maesn.ResponseValidationError) as caught,
    ):
        client.accounting.get_accounts()
    assert caught.value.body == json.dumps(body)
    assert caught.value.status_code == 200


def test_companies_lists_the_companies_typed(scripted_server: ScriptedServer) -> None:
    """client.companies() is GET /auth/companies: CompanyResponseDto models."""
    scripted_server.reply(200, {"data": [sample(CompanyResponseDto).to_dict()]})
    scripted_server.reply(200, {"meta": {}})
    scripted_server.reply(200, [])
    with make_client(scripted_server, company_id=None) as client:
        companies = client.companies()
        for _ in range(2):
            with pytest.raises(maesn.ResponseValidationError):
                client.companies()
    assert [type(c) for c in companies] == [CompanyResponseDto]
    assert scripted_server.requests[0].raw_path == "/auth/companies"


def test_warnings_and_envelope_errors_are_logged_never_dropped(
    scripted_server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A model's envelope warnings and `errors` reach the `maesn` logger (keys redacted)."""
    operation = find_operation("accounting", "get_invoice")
    status, body = answer(operation)
    body["meta"]["warnings"] = [f"Field not used by target system ({API_KEY})"]
    body["errors"] = [{"message": "partly refused"}]
    scripted_server.reply(status, body)
    with caplog.at_level(logging.WARNING, logger="maesn"), make_client(scripted_server) as client:
        client.accounting.get_invoice("inv-1")
    text = caplog.text
    assert "Field not used by target system" in text
    assert "partly refused" in text
    assert API_KEY not in text


@pytest.mark.parametrize(
    ("status", "data", "problem"),
    [
        (202, {"taskId": None}, "null"),
        (202, {}, "missing"),
        (202, {"taskId": 7}, "number"),
        (202, {"taskId": "a\r\nb"}, "control"),
        (202, {"taskId": "t" * 300}, "long"),
    ],
    ids=["null", "missing", "number", "crlf", "300-chars"],
)
def test_a_task_start_without_a_usable_task_id_is_a_typed_error(
    scripted_server: ScriptedServer, status: int, data: Any, problem: str
) -> None:
    """A 202 must name a usable task: otherwise ResponseValidationError, never a DTO or None."""
    scripted_server.reply(status, {"data": data})
    operation = find_operation("accounting", "post_file_async")
    with (
        make_client(scripted_server) as client,
        pytest.raises(maesn.ResponseValidationError) as caught,
    ):
        client.accounting.post_file_async(**required_arguments(operation))
    assert caught.value.status_code == status
    assert problem


@pytest.mark.parametrize("status", [200, 201, 203])
def test_a_task_start_answered_with_another_2xx_still_returns_the_handle(
    scripted_server: ScriptedServer, status: int
) -> None:
    """Undeclared 2xx with `data.taskId`: the task is not lost."""
    scripted_server.reply(status, {"data": {"taskId": "t-3"}})
    operation = find_operation("accounting", "post_file_async")
    with make_client(scripted_server) as client:
        handle = client.accounting.post_file_async(**required_arguments(operation))
    assert isinstance(handle, maesn.TaskHandle)
    assert handle.task_id == "t-3"


def test_a_task_id_equal_to_a_key_is_redacted_in_the_handle_repr(
    scripted_server: ScriptedServer,
) -> None:
    """The handle's repr goes through the client's redactor."""
    scripted_server.reply(202, {"data": {"taskId": ACCOUNT_KEY}})
    operation = find_operation("accounting", "post_file_async")
    with make_client(scripted_server) as client:
        handle = client.accounting.post_file_async(**required_arguments(operation))
    assert ACCOUNT_KEY not in repr(handle)


def test_importing_maesn_and_touching_a_resource_imports_no_models() -> None:
    """`import maesn`, a client and `client.accounting` import no generated model.

    The first call of an operation imports only the models its answer needs.
    """
    script = """
import sys, json, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import maesn
body = sys.argv[1].encode()
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/json"); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
server = ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=server.serve_forever, daemon=True).start()
c = maesn.Client(api_key="a"*10, account_key="b"*10, integration="abaconnect",
                 base_url=f"http://127.0.0.1:{server.server_address[1]}")
c.accounting, c.auth
models = lambda: sorted(m for m in sys.modules if m.startswith("maesn_api.models."))
assert models() == [], models()
assert not [m for m in sys.modules if m.startswith("maesn_api.api.")]
invoice = c.accounting.get_invoice("inv-1")
print(type(invoice).__name__)
print(" ".join(models()))
"""
    from maesn_api.models.invoice_response_dto import InvoiceResponseDto  # noqa: PLC0415

    body = json.dumps({"data": sample(InvoiceResponseDto).to_dict()})
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", script, body], check=True, capture_output=True, text=True
    )
    name, modules = result.stdout.splitlines()
    assert name == "InvoiceResponseDto"
    loaded = modules.split()
    assert "maesn_api.models.invoice_response_dto" in loaded
    assert len(loaded) < 40  # of the ~400 generated models: the invoice and what it nests


def test_the_size_limit_applies_to_operations(scripted_server: ScriptedServer) -> None:
    """max_response_bytes bounds an operation's answer."""
    scripted_server.reply(200, {"data": [{"name": "x" * 5_000}]})
    with (
        make_client(scripted_server, max_response_bytes=1_000) as client,
        pytest.raises(maesn.ResponseTooLargeError) as caught,
    ):
        client.accounting.get_accounts()
    assert caught.value.limit == 1_000
    assert len(scripted_server.requests) == 1


def test_help_lists_the_operations_of_a_resource() -> None:
    """`help(client.accounting)` shows each operation with its docstring."""
    import pydoc  # noqa: PLC0415

    with maesn.Client(api_key="a" * 10, account_key="b" * 10, integration="abaconnect") as client:
        text = pydoc.plain(pydoc.render_doc(client.accounting))
    assert "get_invoices(" in text
    assert "post_file_async(" in text
    assert "Returns:" in text
