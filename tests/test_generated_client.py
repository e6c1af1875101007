"""The generated low-level client, with the spec fixes applied, over real HTTP on 127.0.0.1."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from maesn_api import Client
from maesn_api.api.accounting import get_async_task_info
from maesn_api.models import (
    AsyncTaskEnvelope,
    AsyncTaskResponseDto,
    MetaResponse,
    PaginationResponse,
)
from maesn_api.types import UNSET, Response
from scripted_server import ScriptedServer

RESPONSE_DATA_SHAPES: dict[str, Any] = {
    "object": {"id": "c1f8", "code": "9012", "nested": {"a": [1, 2.5, None, True]}},
    "list": [{"account": 1200, "amount": "10.00"}, {"account": 8400, "amount": "-10.00"}],
    "string": "booking batch accepted",
    "null": None,
}
META_SHAPES: dict[str, Any] = {
    "present": {
        "warnings": ["Field not used by target system"],
        "pagination": {"total": 3, "perPage": 50000, "currentPage": 1, "totalPages": 1},
    },
    "absent": UNSET,
    "null": None,
}


def _envelope(response_data: Any, meta: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "data": {
            "status": "SUCCESS",
            "information": [
                {
                    "filename": "Invoice_V30",
                    "message": "The document has been received.",
                    "timestamp": "2021-01-01T00:00:00Z",
                    "type": "information",
                }
            ],
            "responseData": response_data,
        }
    }
    if meta is not UNSET:
        body["meta"] = meta
    return body


def _assert_parsed(response: Response[AsyncTaskEnvelope], response_data: Any, meta: Any) -> None:
    assert response.status_code == 200
    envelope = response.parsed
    assert isinstance(envelope, AsyncTaskEnvelope)
    assert isinstance(envelope.data, AsyncTaskResponseDto)
    assert envelope.data.status == "SUCCESS"
    assert isinstance(envelope.data.information, list)
    assert envelope.data.information[0].filename == "Invoice_V30"
    assert envelope.data.information[0].timestamp == "2021-01-01T00:00:00Z"
    assert envelope.data.response_data == response_data
    assert type(envelope.data.response_data) is type(response_data)
    if meta is UNSET:
        assert envelope.meta is UNSET
    elif meta is None:
        assert envelope.meta is None
    else:
        assert isinstance(envelope.meta, MetaResponse)
        assert envelope.meta.warnings == ["Field not used by target system"]
        assert isinstance(envelope.meta.pagination, PaginationResponse)
        assert envelope.meta.pagination.total_pages == 1
        assert isinstance(envelope.meta.pagination.per_page, int)


@pytest.mark.parametrize("meta_shape", META_SHAPES)
@pytest.mark.parametrize("data_shape", RESPONSE_DATA_SHAPES)
def test_sync_detailed_parses_every_response_data_and_meta_shape(
    scripted_server: ScriptedServer, data_shape: str, meta_shape: str
) -> None:
    """The 200 response is a typed envelope; responseData arrives intact whatever its shape."""
    response_data, meta = RESPONSE_DATA_SHAPES[data_shape], META_SHAPES[meta_shape]
    scripted_server.reply(200, _envelope(response_data, meta))
    with Client(base_url=scripted_server.base_url) as client:
        response = get_async_task_info.sync_detailed(
            "task-1", client=client, x_api_key="k", x_account_key="a"
        )
    _assert_parsed(response, response_data, meta)


@pytest.mark.anyio
@pytest.mark.parametrize("meta_shape", META_SHAPES)
@pytest.mark.parametrize("data_shape", RESPONSE_DATA_SHAPES)
async def test_asyncio_detailed_parses_every_response_data_and_meta_shape(
    scripted_server: ScriptedServer, data_shape: str, meta_shape: str
) -> None:
    """The async twin parses the same envelopes the same way."""
    response_data, meta = RESPONSE_DATA_SHAPES[data_shape], META_SHAPES[meta_shape]
    scripted_server.reply(200, _envelope(response_data, meta))
    async with Client(base_url=scripted_server.base_url) as client:
        response = await get_async_task_info.asyncio_detailed(
            "task-1", client=client, x_api_key="k", x_account_key="a"
        )
    _assert_parsed(response, response_data, meta)


def test_unknown_status_value_is_kept_as_the_raw_string(scripted_server: ScriptedServer) -> None:
    """A status the spec does not list does not lose the response: the raw string survives."""
    body = _envelope(None, UNSET)
    body["data"]["status"] = "QUEUED_AT_DATEV"
    scripted_server.reply(200, body)
    with Client(base_url=scripted_server.base_url) as client:
        response = get_async_task_info.sync_detailed(
            "t", client=client, x_api_key="k", x_account_key="a"
        )
    assert isinstance(response.parsed, AsyncTaskEnvelope)
    assert isinstance(response.parsed.data, AsyncTaskResponseDto)
    assert response.parsed.data.status == "QUEUED_AT_DATEV"


def test_headers_and_query_reach_the_server_as_the_spec_says(
    scripted_server: ScriptedServer,
) -> None:
    """Both key headers are sent; page goes as an integer and companyId under its spec name."""
    scripted_server.reply(200, _envelope(None, UNSET))
    with Client(base_url=scripted_server.base_url) as client:
        get_async_task_info.sync_detailed(
            "task-1",
            client=client,
            page=2,
            company_id="company-7",
            x_api_key="the-api-key",
            x_account_key="the-account-key",
        )
    (request,) = scripted_server.requests
    assert request.method == "GET"
    url = urlsplit(request.raw_path)
    assert url.path == "/accounting/asyncTask/task-1"
    assert parse_qs(url.query) == {"page": ["2"], "companyId": ["company-7"]}
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert headers["x-api-key"] == "the-api-key"
    assert headers["x-account-key"] == "the-account-key"


def test_optional_query_parameters_are_omitted_when_unset(scripted_server: ScriptedServer) -> None:
    """Without page and companyId the request has no query string at all."""
    scripted_server.reply(200, _envelope(None, UNSET))
    with Client(base_url=scripted_server.base_url) as client:
        get_async_task_info.sync_detailed("t", client=client, x_api_key="k", x_account_key="a")
    assert scripted_server.requests[0].raw_path == "/accounting/asyncTask/t"


@pytest.mark.parametrize(
    ("task_id", "encoded"),
    [
        ("a/b", "a%2Fb"),
        ("a?page=9", "a%3Fpage%3D9"),
        ("a#frag", "a%23frag"),
        ("100%", "100%25"),
        ("../x", "..%2Fx"),
        ("a/../../auth/companies", "a%2F..%2F..%2Fauth%2Fcompanies"),
    ],
)
def test_task_id_stays_one_path_segment(
    scripted_server: ScriptedServer, task_id: str, encoded: str
) -> None:
    """Reserved characters in a task id are percent-encoded, never interpreted as URL syntax."""
    scripted_server.reply(200, _envelope(None, UNSET))
    with Client(base_url=scripted_server.base_url) as client:
        get_async_task_info.sync_detailed(task_id, client=client, x_api_key="k", x_account_key="a")
    (request,) = scripted_server.requests
    assert request.raw_path == f"/accounting/asyncTask/{encoded}"
