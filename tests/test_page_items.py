"""A page's items are built when read: the call costs the request and the decoding, no more.

The items stay the generated model types; an item its model refuses raises
`ResponseValidationError` (keys redacted, the body kept) when it is read, and an item that is not
an object is refused when the page arrives, as before.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import maesn
import pytest
from maesn._pages import PageItems
from maesn_api.models.invoice_response_dto import InvoiceResponseDto
from samples import sample
from scripted_server import ScriptedServer

KEYS = {"api_key": "api-key-items-0451", "account_key": "account-key-items-0452"}


def _options(server: ScriptedServer) -> dict[str, Any]:
    return {**KEYS, "integration": "abaconnect", "base_url": server.base_url, "max_retries": 0}


def _invoices(count: int) -> list[dict[str, Any]]:
    invoice = sample(InvoiceResponseDto).to_dict()
    invoices = []
    for index in range(count):
        item = copy.deepcopy(invoice)
        item["invoiceId"] = f"inv-{index}"
        invoices.append(item)
    return invoices


def _page(items: list[Any], *, page: int = 1, total_pages: int = 1) -> dict[str, Any]:
    return {
        "meta": {
            "warnings": [],
            "pagination": {
                "total": len(items) * total_pages,
                "perPage": len(items),
                "currentPage": page,
                "totalPages": total_pages,
            },
        },
        "data": items,
    }


def _built(page: maesn.SyncPage[Any]) -> int:
    items = page._items
    assert isinstance(items, PageItems)
    return sum(1 for item in items._built if isinstance(item, InvoiceResponseDto))


def test_a_list_call_builds_no_model_until_an_item_is_read(
    scripted_server: ScriptedServer,
) -> None:
    """`page[i]` builds item i only; reading it again returns the same model."""
    scripted_server.reply(200, _page(_invoices(3)))
    with maesn.Client(**_options(scripted_server)) as client:
        page = client.accounting.get_invoices()
        assert len(page) == 3
        assert _built(page) == 0
        second = page[1]
        assert isinstance(second, InvoiceResponseDto)
        assert second.invoice_id == "inv-1"
        assert page[1] is second
        assert page[-1].invoice_id == "inv-2"
        assert _built(page) == 2


def test_iterating_data_and_slices_give_the_generated_models(
    scripted_server: ScriptedServer,
) -> None:
    """Iteration, `page.data` (a list) and slices all give InvoiceResponseDto, in order."""
    scripted_server.reply(200, _page(_invoices(4)))
    with maesn.Client(**_options(scripted_server)) as client:
        page = client.accounting.get_invoices()
        ids = [invoice.invoice_id for invoice in page]
        assert ids == ["inv-0", "inv-1", "inv-2", "inv-3"]
        assert isinstance(page.data, list)
        assert [type(item) for item in page.data] == [InvoiceResponseDto] * 4
        assert [item.invoice_id for item in page[1:3]] == ["inv-1", "inv-2"]
        assert page.data[0] is page[0]


def test_an_item_its_model_refuses_raises_when_read_keeping_the_redacted_body(
    scripted_server: ScriptedServer,
) -> None:
    """A missing required field: ResponseValidationError naming data[1], no key in its text."""
    invoices = _invoices(3)
    del invoices[1]["contactId"]
    invoices[1]["reference"] = f"echoed {KEYS['api_key']}"
    scripted_server.reply(200, _page(invoices))
    with maesn.Client(**_options(scripted_server)) as client:
        page = client.accounting.get_invoices()
        assert page[0].invoice_id == "inv-0"
        with pytest.raises(maesn.ResponseValidationError) as caught:
            page[1]  # reading the item builds it
    error = caught.value
    assert error.status_code == 200
    assert "data[1]" in str(error)
    assert "inv-1" in error.body
    assert KEYS["api_key"] not in error.body
    assert KEYS["api_key"] not in str(error)


def test_an_item_that_is_not_an_object_is_refused_when_the_page_arrives(
    scripted_server: ScriptedServer,
) -> None:
    """Checked at the call, as before: nothing of such a page is handed out."""
    scripted_server.reply(200, _page([*_invoices(1), "not an invoice"]))
    with (
        maesn.Client(**_options(scripted_server)) as client,
        pytest.raises(maesn.ResponseValidationError) as caught,
    ):
        client.accounting.get_invoices()
    assert "data[1] is a string, not an object" in str(caught.value)


async def _async_ids(server: ScriptedServer) -> list[str | None]:
    async with maesn.AsyncClient(**_options(server)) as client:
        return [
            invoice.invoice_id
            async for invoice in client.paginate(client.accounting.get_invoices, limit=5)
        ]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_paginating_builds_every_item_across_pages(
    scripted_server: ScriptedServer, mode: str
) -> None:
    """`client.paginate` gives every item of every page as a model, sync and async."""
    first, second = _invoices(2), _invoices(2)
    second[0]["invoiceId"], second[1]["invoiceId"] = "inv-2", "inv-3"
    scripted_server.reply(200, _page(first, page=1, total_pages=2))
    scripted_server.reply(200, _page(second, page=2, total_pages=2))
    if mode == "sync":
        with maesn.Client(**_options(scripted_server)) as client:
            ids = [i.invoice_id for i in client.paginate(client.accounting.get_invoices, limit=5)]
    else:
        ids = asyncio.run(_async_ids(scripted_server))
    assert ids == ["inv-0", "inv-1", "inv-2", "inv-3"]
