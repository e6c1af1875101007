"""Bad input is refused with a ValidationError before any request is sent."""

from __future__ import annotations

import asyncio
import inspect
import itertools
from contextlib import nullcontext
from typing import Any

import maesn
import pytest
from helpers import KEYS, Harness, envelope
from maesn import Integration
from maesn.testing import Sandbox
from scripted_server import ScriptedServer

COMPANY_CASES = list(itertools.product(Integration, [True, False], [True, False]))


@pytest.mark.parametrize(
    ("integration", "given", "interactive"),
    COMPANY_CASES,
    ids=[
        f"{i.value}-{'given' if g else 'missing'}-{'interactive' if a else 'keys'}"
        for i, g, a in COMPANY_CASES
    ],
)
def test_company_id_matrix(
    harness: Harness,
    scripted_server: ScriptedServer,
    integration: Integration,
    given: bool,  # noqa: FBT001
    interactive: bool,  # noqa: FBT001
) -> None:
    """DATEV, Exact and Business Central need companyId unless the interactive flow stored one."""
    status = next(iter(sorted(integration.profile.statuses)))
    scripted_server.reply(200, envelope(status))
    company_id = "company-42" if given else None
    refused = integration.profile.company_id_required and not given and not interactive
    if refused:
        with pytest.raises(maesn.ValidationError) as caught:
            harness.get_task(
                "t-1", integration=integration, company_id=company_id, interactive_auth=interactive
            )
        assert caught.value.argument == "company_id"
        message = str(caught.value)
        for part in (
            integration.value,
            "company_id=...",
            "interactive_auth=True",
            "client.companies()",
        ):
            assert part in message
        assert scripted_server.requests == []
        return
    generic = not integration.profile.statuses_documented
    with pytest.warns(maesn.MaesnWarning, match="not document") if generic else nullcontext():
        harness.get_task(
            "t-1", integration=integration, company_id=company_id, interactive_auth=interactive
        )
    (request,) = scripted_server.requests
    assert ("companyId=company-42" in request.raw_path) == given


def test_client_company_id_is_the_default_and_a_call_overrides_it(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """company_id on the client applies to every call unless the call passes its own."""
    scripted_server.reply(200, envelope("SUCCESS"))
    scripted_server.reply(200, envelope("SUCCESS"))
    harness.defaults = {"integration": "datev-rewe", "company_id": "client-default"}
    harness.get_task("t-1")
    harness.get_task("t-1", company_id="per-call")
    first, second = scripted_server.requests
    assert first.raw_path.endswith("companyId=client-default")
    assert second.raw_path.endswith("companyId=per-call")


@pytest.mark.parametrize(
    ("page", "match"),
    [
        (0, r"page must be >= 1"),
        (-3, r"page must be >= 1"),
        (True, r"page must be an int >= 1, got bool True"),
        (1.0, r"page must be an int >= 1, got float 1\.0"),
        ("2", r"page must be an int >= 1, got str '2'"),
    ],
)
def test_bad_page_numbers_are_refused(
    harness: Harness, scripted_server: ScriptedServer, page: Any, match: str
) -> None:
    """Pages count from 1 and are ints; bool, float and str are mistakes."""
    with pytest.raises(maesn.ValidationError, match=match) as caught:
        harness.get_task("t-1", page=page, integration="datev-rewe-export", company_id="c")
    assert caught.value.argument == "page"
    assert scripted_server.requests == []


@pytest.mark.parametrize(
    "integration", [i for i in Integration if not i.profile.pagination], ids=lambda i: i.value
)
def test_page_is_refused_where_the_integration_has_no_pages(
    harness: Harness, scripted_server: ScriptedServer, integration: Integration
) -> None:
    """Only datev-rewe-export results are paged; a page elsewhere is a mistake."""
    with pytest.raises(maesn.ValidationError, match="have no pages") as caught:
        harness.get_task("t-1", page=1, integration=integration, company_id="c")
    assert caught.value.argument == "page"
    assert scripted_server.requests == []


def test_valid_page_is_sent_as_an_integer(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """A page on the export reaches the server as `page=N`."""
    scripted_server.reply(200, envelope("FINISHED"))
    harness.get_task("t-1", page=3, integration="datev-rewe-export", company_id="c")
    assert "page=3" in scripted_server.requests[0].raw_path


def test_there_is_no_way_to_send_a_limit() -> None:
    """DATEV Rechnungswesen's page size is fixed: no call takes a limit, no profile accepts one."""
    for method in (maesn.Client.get_task, maesn.AsyncClient.get_task):
        assert "limit" not in inspect.signature(method).parameters
    assert all("limit" not in i.profile.paging_parameters for i in Integration)
    with (
        maesn.Client(integration="datev-rewe-export", company_id="c", **KEYS) as client,
        pytest.raises(TypeError),
    ):
        client.get_task("t", limit=10)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("task_id", "match"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (" abc", "whitespace at its ends"),
        ("abc\n", "whitespace at its ends"),
        ("a\x00b", "control characters"),
        ("a\x1bb", "control characters"),
        ("a" * 257, "257 characters long"),
        ("..", "relative path segment"),
        (".", "relative path segment"),
        (None, "must be a str"),
        (123, "must be a str"),
    ],
)
def test_bad_task_ids_are_refused(
    harness: Harness, scripted_server: ScriptedServer, task_id: Any, match: str
) -> None:
    """A task id is one non-empty path segment without whitespace padding or control characters."""
    with pytest.raises(maesn.ValidationError, match=match) as caught:
        harness.get_task(task_id)
    assert caught.value.argument == "task_id"
    assert scripted_server.requests == []


def test_validation_errors_are_value_errors() -> None:
    """Callers catching ValueError catch our validation errors too."""
    assert issubclass(maesn.ValidationError, ValueError)
    assert issubclass(maesn.ValidationError, maesn.MaesnError)


def test_reserved_characters_in_a_task_id_stay_in_one_segment(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """`../auth/companies` cannot reach another path (Maesn's MCP server gets this wrong)."""
    scripted_server.reply(200, envelope("FINISHED"))
    harness.get_task("../auth/companies?x=1#y")
    assert scripted_server.requests[0].raw_path == (
        "/accounting/asyncTask/..%2Fauth%2Fcompanies%3Fx%3D1%23y"
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"api_key": None}, "MAESN_API_KEY"),
        ({"account_key": None}, "MAESN_ACCOUNT_KEY"),
        ({"api_key": "  "}, "MAESN_API_KEY"),
        ({"integration": ""}, "integration must be a target-system id"),
        ({"base_url": "api.maesn.dev"}, "not an http"),
        ({"base_url": "ftp://x"}, "not an http"),
        ({"base_url": "http://host:abc"}, "not a valid URL"),
        ({"base_url": "http://[::1"}, "not a valid URL"),
        ({"api_key": "k\u00e9y-secret"}, "non-ASCII"),
        ({"account_key": "a\tb"}, "control characters"),
        ({"timeout": 0}, "timeout must be a positive"),
        ({"max_retries": -1}, "max_retries must be"),
        ({"max_retries": True}, "max_retries must be"),
        ({"company_id": " c"}, "company_id"),
    ],
)
def test_bad_constructor_arguments_are_refused(
    monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, Any], match: str
) -> None:
    """Construction checks every argument, naming the environment variable to set for keys."""
    for variable in ("MAESN_API_KEY", "MAESN_ACCOUNT_KEY", "MAESN_BASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    arguments: dict[str, Any] = {"integration": "abaconnect", **KEYS, **kwargs}
    for cls in (maesn.Client, maesn.AsyncClient):
        with pytest.raises(maesn.ValidationError, match=match):
            cls(**arguments)


def test_keys_and_base_url_fall_back_to_the_environment(
    monkeypatch: pytest.MonkeyPatch, scripted_server: ScriptedServer
) -> None:
    """MAESN_API_KEY, MAESN_ACCOUNT_KEY and MAESN_BASE_URL fill what the caller leaves out."""
    monkeypatch.setenv("MAESN_API_KEY", "env-api-key")
    monkeypatch.setenv("MAESN_ACCOUNT_KEY", "env-account-key")
    monkeypatch.setenv("MAESN_BASE_URL", scripted_server.base_url)
    scripted_server.reply(200, envelope("FINISHED"))
    with maesn.Client(integration="abaconnect") as client:
        assert client.base_url == scripted_server.base_url
        client.get_task("t-1")
    headers = scripted_server.requests[0].headers
    assert headers["X-API-KEY"] == "env-api-key"
    assert headers["X-ACCOUNT-KEY"] == "env-account-key"


def test_default_base_url_is_maesns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without argument or environment the client talks to https://api.maesn.dev."""
    monkeypatch.delenv("MAESN_BASE_URL", raising=False)
    assert maesn.Client(integration="abaconnect", **KEYS).base_url == "https://api.maesn.dev"


def test_a_closed_client_says_so(scripted_server: ScriptedServer) -> None:
    """Calls after close() raise ClientClosedError, not httpx's RuntimeError."""
    client = maesn.Client(integration="abaconnect", base_url=scripted_server.base_url, **KEYS)
    client.close()
    with pytest.raises(maesn.ClientClosedError, match="create a new one"):
        client.get_task("t-1")
    assert scripted_server.requests == []


@pytest.mark.anyio
async def test_a_closed_async_client_says_so(scripted_server: ScriptedServer) -> None:
    """The async twin behaves the same after aclose()."""
    client = maesn.AsyncClient(integration="abaconnect", base_url=scripted_server.base_url, **KEYS)
    await client.aclose()
    with pytest.raises(maesn.ClientClosedError):
        await client.get_task("t-1")
    assert isinstance(maesn.ClientClosedError("x"), RuntimeError)


def test_a_task_handle_passed_as_task_id_points_to_its_own_wait(sandbox: Sandbox) -> None:
    """`client.wait_for_task(handle)`: argument "task_id", hint `handle.wait()`; nothing sent."""

    def options() -> dict[str, Any]:
        return {
            "integration": "abaconnect",
            "base_url": sandbox.base_url,
            "api_key": sandbox.api_key,
            "account_key": sandbox.account_key,
        }

    with maesn.Client(**options()) as client:
        handle = maesn.TaskHandle(client, "aba-1")
        with pytest.raises(maesn.ValidationError) as caught:
            client.wait_for_task(handle)  # type: ignore[arg-type]
    assert caught.value.argument == "task_id"
    assert caught.value.hint is not None
    assert "handle.wait()" in caught.value.hint
    assert "await" not in caught.value.hint

    async def wait_async() -> maesn.ValidationError:
        async with maesn.AsyncClient(**options()) as client:
            handle = maesn.AsyncTaskHandle(client, "aba-1")
            with pytest.raises(maesn.ValidationError) as caught:
                await client.wait_for_task(handle)  # type: ignore[arg-type]
        return caught.value

    error = asyncio.run(wait_async())
    assert error.argument == "task_id"
    assert error.hint is not None
    assert "await handle.wait()" in error.hint
    assert len(sandbox.requests) == 0
