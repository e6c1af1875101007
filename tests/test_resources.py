"""The whole API through `maesn.Client` / `maesn.AsyncClient`, derived from the generated layer.

Every generated operation is called here (parametrized from the generated package, so a new one
is covered by regenerating), against a scripted server on loopback that records each request.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from typing import Any

import attrs
import maesn
import pytest
from maesn import _resources
from maesn.testing import FakeClock
from maesn_api.models.company_response_dto import CompanyResponseDto
from maesn_api.models.get_accounts_response_200 import GetAccountsResponse200
from maesn_api.models.get_companies_response_200 import GetCompaniesResponse200
from maesn_api.types import Response
from samples import required_arguments, sample
from scripted_server import ScriptedServer

OPERATIONS = _resources.all_operations()
API_KEY = "api-key-resources-1"
ACCOUNT_KEY = "account-key-resources-1"
HIDDEN = {"client", "x_api_key", "x_account_key"}


def client_options(server: ScriptedServer, **overrides: Any) -> dict[str, Any]:
    """Options for the scripted server (DATEV Unternehmen Online, companyId company-1)."""
    options: dict[str, Any] = {
        "api_key": API_KEY,
        "account_key": ACCOUNT_KEY,
        "integration": "datev-unternehmen-online",
        "company_id": "company-1",
        "base_url": server.base_url,
    }
    options.update(overrides)
    return options


def make_client(server: ScriptedServer, **overrides: Any) -> maesn.Client:
    """A Client for the scripted server."""
    return maesn.Client(**client_options(server, **overrides))


def make_async_client(server: ScriptedServer, **overrides: Any) -> maesn.AsyncClient:
    """An AsyncClient for the scripted server."""
    return maesn.AsyncClient(**client_options(server, **overrides))


def accounts_body() -> dict[str, Any]:
    """A valid GET /accounting/accounts body with one account."""
    body = sample(GetAccountsResponse200)
    body.data = [sample(model) for model in _item_models(GetAccountsResponse200)]
    return dict(body.to_dict())


def _item_models(envelope: type) -> list[type]:
    annotation = str(attrs.fields_dict(envelope)["data"].type)
    name = annotation.split("[", 1)[1].split("]", 1)[0]
    module = _resources._imported_models(envelope)[name]
    return [getattr(__import__(f"maesn_api.models.{module}", fromlist=[name]), name)]


def test_the_generated_layer_has_every_operation() -> None:
    """164 operations in 8 resources: discovery finds the whole generated package."""
    assert len(OPERATIONS) == 164
    assert set(_resources.resource_names()) >= {"accounting", "accounting_v2", "auth", "webhooks"}


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.qualname)
def test_every_generated_operation_is_reachable_with_its_generated_signature(
    operation: _resources.Operation, scripted_server: ScriptedServer
) -> None:
    """`client.<resource>.<operation>` has the generated signature minus client and keys.

    It sends the request the generated `_get_kwargs` describes, with the client's keys.
    """
    generated = inspect.signature(operation.module.sync_detailed)
    expected = [(p.name, p.kind) for p in generated.parameters.values() if p.name not in HIDDEN]
    arguments = required_arguments(operation)
    scripted_server.reply(404, {"statusCode": 404, "message": "no such thing"})
    with make_client(scripted_server) as client:
        call = getattr(getattr(client, operation.resource), operation.name)
        shown = inspect.signature(call)
        assert [(p.name, p.kind) for p in shown.parameters.values()] == expected
        assert call.__doc__ == operation.module.sync_detailed.__doc__
        with pytest.raises(maesn.NotFoundError) as caught:
            call(**arguments)
    assert caught.value.status_code == 404
    (request,) = scripted_server.requests
    company = {"company_id": "company-1"} if operation.has_company_id else {}
    described = operation.module._get_kwargs(**required_arguments(operation), **company)
    assert request.method == described["method"].upper()
    assert request.raw_path.split("?")[0] == described["url"]
    assert request.headers["X-API-KEY"] == API_KEY
    assert request.headers["X-ACCOUNT-KEY"] == ACCOUNT_KEY
    assert request.headers["User-Agent"].startswith("maesn-client/")
    assert ("companyId=company-1" in request.raw_path) == operation.has_company_id


def test_a_call_returns_the_envelope_data_and_the_raw_response_is_one_attribute_away(
    scripted_server: ScriptedServer,
) -> None:
    """The result is the envelope's `data` (generated models).

    `.with_raw_response` returns the generated Response with status, headers and envelope.
    """
    body = accounts_body()
    scripted_server.reply(200, body)
    scripted_server.reply(200, body, headers={"X-Request-Id": "req-7"})
    with make_client(scripted_server) as client:
        accounts = client.accounting.get_accounts()
        raw = client.accounting.get_accounts.with_raw_response()
        assert client.api_client.get_httpx_client() is not None
    assert isinstance(accounts, list)
    assert accounts
    assert type(accounts[0]).__module__.startswith("maesn_api.models.")
    assert isinstance(raw, Response)
    assert raw.status_code == 200
    assert raw.headers["X-Request-Id"] == "req-7"
    assert isinstance(raw.parsed, GetAccountsResponse200)
    assert json.loads(raw.content) == body


def test_raw_response_keeps_an_error_status_instead_of_raising(
    scripted_server: ScriptedServer,
) -> None:
    """`.with_raw_response` returns every status as it came."""
    scripted_server.reply(404, {"message": "gone"})
    with make_client(scripted_server) as client:
        raw = client.accounting.get_account.with_raw_response("a-1")
    assert raw.status_code == 404


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.accounting.get_accounts(colour="red"), "colour"),
        (lambda c: c.accounting.get_account(), "account_id"),
        (lambda c: c.accounting.get_account(5), "account_id"),
        (lambda c: c.accounting.get_account("a", "b"), None),
        (lambda c: c.accounting.get_accounts(raw_data="yes"), "raw_data"),
        (lambda c: c.accounting.get_accounts(raw_data=1), "raw_data"),
        (lambda c: c.accounting_v2.create_booking_proposal_v2(body={"a": 1}), "body"),
        (lambda c: c.accounting.get_accounts(company_id=" c "), "company_id"),
        (lambda c: c.accounting.get_accounts(company_id=7), "company_id"),
    ],
    ids=[
        "unknown",
        "missing",
        "wrong-type",
        "too-many",
        "str-for-bool",
        "int-for-bool",
        "dict-for-model",
        "blank-company",
        "int-company",
    ],
)
def test_argument_errors_are_validation_errors_before_any_request(
    scripted_server: ScriptedServer, call: Any, argument: str | None
) -> None:
    """Arguments are bound to the operation's signature and type-checked before sending."""
    with make_client(scripted_server) as client, pytest.raises(maesn.ValidationError) as caught:
        call(client)
    assert caught.value.argument == argument
    assert scripted_server.requests == []


def test_a_dict_body_is_refused_with_a_hint_naming_from_dict(
    scripted_server: ScriptedServer,
) -> None:
    """A dict where the operation takes a model: the hint says how to build the model."""
    with make_client(scripted_server) as client, pytest.raises(maesn.ValidationError) as caught:
        client.accounting.create_account(body={"name": "x"})
    assert caught.value.hint is not None
    assert "from_dict" in caught.value.hint


@pytest.mark.parametrize("integration", list(maesn.Integration))
@pytest.mark.parametrize("interactive", [False, True])
def test_the_company_id_rule_applies_to_every_operation_that_takes_company_id(
    scripted_server: ScriptedServer, integration: maesn.Integration, *, interactive: bool
) -> None:
    """Without a companyId, integrations that need one refuse before sending.

    The error names `client.companies()`; the others send none. A call's company_id wins.
    """
    scripted_server.reply(200, {"data": []})
    scripted_server.reply(200, {"data": []})
    options = {"integration": integration, "company_id": None, "interactive_auth": interactive}
    read = {
        "environment_name": "env-1"
    }  # Business Central needs it too (tests/test_integrations.py)
    with make_client(scripted_server, **options) as client:
        if integration.profile.company_id_required and not interactive:
            with pytest.raises(maesn.ValidationError) as caught:
                client.accounting.get_bank_accounts(**read)
            assert caught.value.argument == "company_id"
            assert "client.companies()" in str(caught.value)
            assert scripted_server.requests == []
        else:
            client.accounting.get_bank_accounts(**read)
            assert "companyId" not in scripted_server.requests[-1].raw_path
        client.accounting.get_bank_accounts(company_id="company-9", **read)
    assert "companyId=company-9" in scripted_server.requests[-1].raw_path


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


def test_the_client_company_id_and_with_options_apply(scripted_server: ScriptedServer) -> None:
    """with_options(company_id=...) changes the companyId operations send."""
    scripted_server.reply(200, accounts_body())
    with make_client(scripted_server) as client:
        client.with_options(company_id="company-2").accounting.get_accounts()
    assert "companyId=company-2" in scripted_server.requests[0].raw_path


def test_a_get_is_retried_on_503(
    scripted_server: ScriptedServer,
    fake_clock: FakeClock,  # noqa: ARG001 - the retry sleeps on virtual time
) -> None:
    """A read is retried after a 503 and returns the next answer."""
    scripted_server.reply(503, {"message": "busy"})
    scripted_server.reply(200, accounts_body())
    with make_client(scripted_server) as client:
        assert client.accounting.get_accounts()
    assert [r.method for r in scripted_server.requests] == ["GET", "GET"]


@pytest.mark.parametrize("drop", [False, True], ids=["503", "dropped-mid-body"])
def test_a_write_is_never_retried_once_sent(
    scripted_server: ScriptedServer,
    fake_clock: FakeClock,  # noqa: ARG001
    *,
    drop: bool,
) -> None:
    """A POST that reached the server is not sent again (a duplicate booking is worse)."""
    operation = _resources.load_operation("accounting_v2", "create_booking_proposal_v2")
    if drop:
        scripted_server.reply(202, {"data": {"taskId": "t-1"}}, drop_mid_body=True)
    else:
        scripted_server.reply(503, {"message": "busy"})
    scripted_server.reply(202, {"data": {"taskId": "t-2"}})
    with make_client(scripted_server) as client, pytest.raises(maesn.APIError) as caught:
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


def test_a_2xx_body_the_generated_parser_refuses_is_a_response_validation_error(
    scripted_server: ScriptedServer,
) -> None:
    """The raw body is kept (redacted) on the error."""
    scripted_server.reply(200, {"data": "not a list", "meta": 5})
    with (
        make_client(scripted_server) as client,
        pytest.raises(maesn.ResponseValidationError) as caught,
    ):
        client.accounting.get_accounts()
    assert "not a list" in caught.value.body


def test_companies_lists_the_companies(scripted_server: ScriptedServer) -> None:
    """client.companies() is GET /auth/companies, typed, without a companyId (DATEV too)."""
    body = sample(GetCompaniesResponse200)
    body.data = [sample(CompanyResponseDto)]
    scripted_server.reply(200, body.to_dict())
    with make_client(scripted_server, company_id=None) as client:
        companies = client.companies()
    assert [type(c) for c in companies] == [CompanyResponseDto]
    (request,) = scripted_server.requests
    assert request.raw_path == "/auth/companies"


@pytest.mark.anyio
async def test_the_async_client_awaits_the_same_operations(
    scripted_server: ScriptedServer,
) -> None:
    """AsyncClient: the same operations, awaited; argument errors raise on await, unsent."""
    scripted_server.reply(200, accounts_body())
    body = sample(GetCompaniesResponse200)
    body.data = [sample(CompanyResponseDto)]
    scripted_server.reply(200, body.to_dict())
    scripted_server.reply(404, {"message": "gone"})
    async with make_async_client(scripted_server) as client:
        accounts = await client.accounting.get_accounts()
        companies = await client.companies()
        with pytest.raises(maesn.ValidationError):
            await client.accounting.get_account()
        raw = await client.accounting.get_accounts.with_raw_response()
    assert accounts
    assert [type(c) for c in companies] == [CompanyResponseDto]
    assert raw.status_code == 404  # raw: returned, not raised
    assert len(scripted_server.requests) == 3


def test_unknown_names_raise_attribute_errors_naming_close_matches(
    scripted_server: ScriptedServer,
) -> None:
    """Typos get AttributeError with a suggestion; dir() lists resources and operations."""
    with make_client(scripted_server) as client:
        with pytest.raises(AttributeError, match="accounting"):
            _ = client.acounting
        with pytest.raises(AttributeError, match="get_accounts"):
            _ = client.accounting.get_acounts
        assert "accounting" in dir(client)
        assert "post_file_async" in dir(client.accounting)


def test_importing_maesn_and_touching_a_resource_imports_no_models() -> None:
    """`import maesn`, a client and `client.accounting` leave the generated models unimported.

    Touching an operation imports its module.
    """
    script = (
        "import sys, maesn\n"
        "c = maesn.Client(api_key='a', account_key='b', integration='abaconnect',"
        " base_url='http://127.0.0.1:9')\n"
        "dir(c.accounting)\n"
        "assert 'maesn_api.models' not in sys.modules, 'models imported'\n"
        "assert 'maesn_api.api.accounting.get_accounts' not in sys.modules\n"
        "c.accounting.get_accounts\n"
        "assert 'maesn_api.api.accounting.get_accounts' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)  # noqa: S603 - our own script


def test_the_size_limit_and_per_request_timeout_apply_to_operations(
    scripted_server: ScriptedServer,
) -> None:
    """max_response_bytes bounds an operation's answer; with_options(max_retries=0) sends once."""
    scripted_server.reply(200, {"data": [{"name": "x" * 5_000}]})
    with (
        make_client(scripted_server, max_response_bytes=1_000) as client,
        pytest.raises(maesn.ResponseTooLargeError) as caught,
    ):
        client.with_options(max_retries=0).accounting.get_accounts()
    assert caught.value.limit == 1_000
    assert len(scripted_server.requests) == 1
