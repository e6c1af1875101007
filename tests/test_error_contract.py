"""The error contract: structured fields on every error, asserted as fields, not wording."""

from __future__ import annotations

import json
import pydoc
import socket
from typing import Any

import httpx
import maesn
import pytest
from helpers import API_KEY, KEYS, Harness, envelope, page_meta, sandbox_keys
from maesn._redaction import REDACTED
from maesn.testing import Sandbox
from scripted_server import ScriptedServer


def _sandbox_client(sandbox: Sandbox, **overrides: str) -> maesn.Client:
    kwargs: dict[str, Any] = {
        "integration": "abaconnect",
        **sandbox_keys(sandbox),
        **overrides,
    }
    return maesn.Client(**kwargs)


@pytest.mark.parametrize(
    ("overrides", "rejected"),
    [
        ({"api_key": "wrong-api-key-123"}, "api_key"),
        ({"account_key": "expired-key-456"}, "account_key"),
    ],
)
def test_a_401_from_the_sandbox_names_the_rejected_key(
    sandbox: Sandbox, overrides: dict[str, str], rejected: str
) -> None:
    """The sandbox says which header it refused; the error's rejected_key follows it."""
    with (
        _sandbox_client(sandbox, **overrides) as client,
        pytest.raises(maesn.AuthenticationError) as caught,
    ):
        client.get_task("t-1")
    error = caught.value
    assert error.rejected_key == rejected
    assert error.status_code == 401
    assert error.hint is not None
    # The advice differs: configuration for the API key, re-authentication for the account key.
    advice = maesn._errors._REJECTED_ADVICE
    assert error.hint == advice[error.rejected_key]
    assert advice["api_key"] != advice["account_key"]


@pytest.mark.parametrize(
    ("body", "headers", "rejected"),
    [
        ({"message": "X-API-KEY invalid"}, {}, "api_key"),
        ({"message": "Invalid account key"}, {}, "account_key"),
        ({"message": "Unauthorized"}, {}, None),
        ({"message": "X-API-KEY or X-ACCOUNT-KEY invalid"}, {}, None),
        (
            {"message": "Unauthorized"},
            {"WWW-Authenticate": 'Key realm="maesn", header="X-ACCOUNT-KEY"'},
            "account_key",
        ),
    ],
)
def test_rejected_key_is_none_unless_the_answer_names_exactly_one_key(
    harness: Harness,
    scripted_server: ScriptedServer,
    body: dict[str, str],
    headers: dict[str, str],
    rejected: str | None,
) -> None:
    """A 401 that does not say which key was wrong says both possibilities (rejected_key None)."""
    scripted_server.reply(401, body, headers=headers)
    with pytest.raises(maesn.AuthenticationError) as caught:
        harness.get_task("t-1")
    assert caught.value.rejected_key == rejected
    if rejected is None:
        assert "X-API-KEY" in str(caught.value)
        assert "X-ACCOUNT-KEY" in str(caught.value)


def test_a_key_echoed_near_the_excerpt_limit_is_redacted_before_the_cut(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """Redact first, then cut: a key around character 300 of the body is not half shown."""
    for offset in range(280, 305, 3):
        scripted_server.reply(500, ("x " * (offset // 2)).encode() + API_KEY.encode() + b" tail")
        with pytest.raises(maesn.ServerError) as caught:
            harness.get_task("t-1", max_retries=0)
        error = caught.value
        for text in (str(error), repr(error), error.text, str(error.body)):
            assert API_KEY[:12] not in text
        assert REDACTED in error.text


def test_body_and_envelope_show_keys_redacted(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """APIStatusError.body and Task.envelope hold the decoded JSON with every key replaced."""
    scripted_server.reply(404, {"message": f"no task for {API_KEY}", API_KEY: [API_KEY]})
    with pytest.raises(maesn.NotFoundError) as caught:
        harness.get_task("t-1")
    assert caught.value.body == {"message": f"no task for {REDACTED}", REDACTED: [REDACTED]}
    scripted_server.reply(200, envelope("FINISHED", response_data={"echo": API_KEY}))
    task = harness.get_task("t-1")
    assert task.envelope is not None
    assert task.envelope["data"]["responseData"] == {"echo": REDACTED}
    assert task.response_data == {"echo": API_KEY}  # the data itself, exactly as sent
    assert "Unset" not in repr(task.envelope)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"data": {"status": "FINISHED", "information": {}}}, "data.information"),
        ({"data": {"status": "FINISHED", "information": [[]]}}, "data.information[0]"),
        (
            {"data": {"status": "FINISHED", "information": [["message", "x"], ["type", "ERROR"]]}},
            "data.information[0]",
        ),
        (
            {"data": {"status": "FINISHED", "information": [{"type": 3}]}},
            "data.information[0].type",
        ),
        ({"data": {"status": "FINISHED", "information": [{"timestamp": []}]}}, "timestamp"),
        ({"data": {"status": "FINISHED", "information": "done"}}, "data.information"),
        ({"data": {"status": "FINISHED"}, "meta": []}, "meta"),
        ({"data": {"status": "FINISHED"}, "meta": {"pagination": [1, 2]}}, "meta.pagination"),
        ({"data": {"status": "FINISHED"}, "meta": {"warnings": [1]}}, "meta.warnings"),
        ({"data": {"status": ["FINISHED"]}}, "data.status"),
        ({"data": {}}, "data.status"),
        ({"data": []}, "`data`"),
        ([], "the body"),
    ],
)
def test_a_body_that_is_not_the_envelope_is_refused_whole(
    harness: Harness, scripted_server: ScriptedServer, body: object, where: str
) -> None:
    """Never a half-parsed Task: the error keeps the raw body and names the part that is wrong."""
    scripted_server.reply(200, body)
    with pytest.raises(maesn.ResponseValidationError) as caught:
        harness.get_task("t-1")
    assert json.loads(caught.value.body) == body
    assert where in str(caught.value)


@pytest.mark.parametrize("task_id", ["\ud800", "abc\udfffdef"])
def test_a_task_id_that_cannot_be_encoded_is_a_validation_error(task_id: str) -> None:
    """A lone surrogate is refused before any request, naming the argument."""
    with (
        maesn.Client(integration="abaconnect", **KEYS) as client,
        pytest.raises(maesn.ValidationError) as caught,
    ):
        client.get_task(task_id)
    assert caught.value.argument == "task_id"


def test_a_company_id_that_cannot_be_encoded_is_a_validation_error() -> None:
    """The same for companyId, in the client and in the call."""
    with pytest.raises(maesn.ValidationError) as caught:
        maesn.Client(integration="datev-rewe", company_id="c\ud800", **KEYS)
    assert caught.value.argument == "company_id"
    with (
        maesn.Client(integration="datev-rewe", **KEYS) as client,
        pytest.raises(maesn.ValidationError) as caught,
    ):
        client.get_task("t-1", company_id="\udc80")
    assert caught.value.argument == "company_id"


@pytest.mark.parametrize(
    ("typo", "suggested"),
    [("datev", "datev-rewe"), ("sevdsk", "sevdesk"), ("DATEV-REWE", "datev-rewe")],
)
def test_an_integration_typo_warns_with_a_did_you_mean(typo: str, suggested: str) -> None:
    """An unknown id is accepted; the warning's hint names the closest ids, its field the id."""
    with pytest.warns(maesn.UnknownIntegrationWarning) as warned:
        maesn.Client(integration=typo, **KEYS).close()
    (warning,) = warned
    assert isinstance(warning.message, maesn.UnknownIntegrationWarning)
    assert warning.message.integration == typo
    assert warning.message.hint is not None
    assert repr(suggested) in warning.message.hint


def test_an_integration_in_the_wrong_case_suggests_exactly_that_id() -> None:
    """'DATEV-REWE' is 'datev-rewe', not also the ids it is a prefix of."""
    with pytest.warns(maesn.UnknownIntegrationWarning) as warned:
        maesn.Client(integration="DATEV-REWE", **KEYS).close()
    assert warned[0].message.hint == "did you mean 'datev-rewe'?"  # type: ignore[union-attr]


def test_an_integration_far_from_any_id_gets_no_guess() -> None:
    """No hint rather than a wrong one."""
    with pytest.warns(maesn.UnknownIntegrationWarning) as warned:
        maesn.Client(integration="newerp", **KEYS).close()
    assert warned[0].message.hint is None  # type: ignore[union-attr]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_connection_error_names_host_and_port(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listening: the error's host and port are the ones tried; no proxy."""
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    port = _closed_port()
    harness.base_url = f"http://127.0.0.1:{port}"
    with pytest.raises(maesn.APIConnectionError) as caught:
        harness.get_task("t-1", max_retries=0)
    assert (caught.value.host, caught.value.port, caught.value.proxy) == ("127.0.0.1", port, None)
    assert f"127.0.0.1:{port}" in str(caught.value)


def test_a_connection_error_names_the_proxy_in_use(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY (which httpx honours) pointing nowhere: the error names it, without password."""
    port = _closed_port()
    for name in ("NO_PROXY", "no_proxy", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://user:s3cret@127.0.0.1:{port}")
    harness.base_url = "http://maesn.invalid:8080"
    with pytest.raises(maesn.APIConnectionError) as caught:
        harness.get_task("t-1", max_retries=0)
    error = caught.value
    assert (error.host, error.port) == ("maesn.invalid", 8080)
    assert error.proxy == f"http://127.0.0.1:{port}"
    assert "s3cret" not in str(error)


def test_to_dict_is_json_ready_and_redacted(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """json.dumps(task.to_dict()) works; echoed keys are replaced everywhere in it."""
    scripted_server.reply(
        200,
        envelope(
            "FINISHED",
            information=[{"message": f"uploaded with {API_KEY}", "type": "INFO"}],
            response_data=[{"id": 1, "note": API_KEY}],
            warnings=["w"],
            pagination=page_meta(1, 1),
        ),
    )
    task = harness.get_task("t-1", integration="datev-rewe-export", company_id="c")
    data = json.loads(json.dumps(task.to_dict()))
    assert data["status"] == "FINISHED"
    assert data["outcome"] == "succeeded"
    assert data["integration"] == "datev-rewe-export"
    assert data["information"][0] == {
        "message": f"uploaded with {REDACTED}",
        "type": "INFO",
        "filename": None,
        "timestamp": None,
    }
    assert data["response_data"] == [{"id": 1, "note": REDACTED}]
    assert data["pagination"] == {"total": 1, "perPage": 50000, "currentPage": 1, "totalPages": 1}
    assert API_KEY not in json.dumps(data)


def test_task_page_repr_shows_counts_not_entries() -> None:
    """An export page's repr never prints its (up to 50,000) entries."""
    page = maesn.TaskPage(
        number=2,
        entries=[{"secret": "entry-data"}] * 3,
        pagination=maesn.Pagination(total=5, per_page=3, current_page=2, total_pages=2),
        response_data=[{"secret": "entry-data"}] * 3,
    )
    assert "entry-data" not in repr(page)
    assert "3 entries" in repr(page)


def test_help_documents_every_public_field_of_task() -> None:
    """help() of each returned type describes every public field; no generated Unset sentinel."""
    assert "Unset" not in pydoc.plain(pydoc.render_doc(maesn.Task))
    for cls in (maesn.Task, maesn.TaskInformation, maesn.Pagination, maesn.TaskPage):
        text = pydoc.plain(pydoc.render_doc(cls))
        attributes = text.split("Attributes:", 1)[1]
        for name in cls.__dataclass_fields__:
            if name.startswith("_"):
                continue
            described = [
                line for line in attributes.splitlines() if line.strip(" |").startswith(f"{name}: ")
            ]
            assert described, f"{cls.__name__}.{name} is not described in help()"
            assert len(described[0].split(":", 1)[1].strip()) > 10


def test_status_error_fields_for_a_request_without_an_id(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """No X-Request-Id: request_id is None and the message does not invent one."""
    scripted_server.reply(403, b"Forbidden")
    with pytest.raises(maesn.PermissionDeniedError) as caught:
        harness.get_task("t-1")
    assert caught.value.request_id is None
    assert caught.value.body == "Forbidden"
    assert isinstance(caught.value.response, httpx.Response)
