"""Checked by mypy only (`nox -s typecheck`), never run: the typed surface as an IDE sees it.

`warn_unused_ignores` (mypy --strict) makes each `# type: ignore[...]` below an assertion that
the line IS an error: a typo in an operation name or keyword, or a wrong argument type, must fail
type checking. `assert_type` pins what a list, a get and a task-starting call return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import assert_type

import maesn
from maesn_api.models.account_response_dto import AccountResponseDto
from maesn_api.models.company_response_dto import CompanyResponseDto
from maesn_api.models.create_contact_request_dto_v2 import CreateContactRequestDtoV2
from maesn_api.models.get_invoices_limit import GetInvoicesLimit
from maesn_api.models.invoice_response_dto import InvoiceResponseDto
from maesn_api.models.post_file_async_body import PostFileAsyncBody


def typed_calls(client: maesn.Client, body: PostFileAsyncBody) -> None:
    """Returns: a page of models, one model, a task handle."""
    assert_type(client.accounting.get_accounts(), maesn.SyncPage[AccountResponseDto])
    assert_type(client.accounting.get_invoice("inv-1"), InvoiceResponseDto)
    assert_type(client.accounting.post_file_async(body=body), maesn.TaskHandle)
    assert_type(client.accounting.with_raw_response.get_accounts(limit=10), maesn.RawResponse)
    assert_type(client.accounting.as_task.get_journal_entries(), maesn.TaskHandle)
    page = client.accounting.get_invoices(limit=100, status="OPEN")
    assert_type(page.auto_paging_iter(), Iterator[InvoiceResponseDto])
    for invoice in client.paginate(
        client.accounting.get_invoices,
        limit=GetInvoicesLimit.VALUE_50,
        last_modified_at=dt.date(2026, 1, 1),
    ):
        assert_type(invoice, InvoiceResponseDto)
    assert_type(client.companies(), list[CompanyResponseDto])


async def typed_async_calls(client: maesn.AsyncClient, body: PostFileAsyncBody) -> None:
    """The same, awaited."""
    assert_type(await client.accounting.get_accounts(), maesn.AsyncPage[AccountResponseDto])
    assert_type(await client.accounting.post_file_async(body=body), maesn.AsyncTaskHandle)
    async for invoice in client.paginate(client.accounting.get_invoices, limit=20):
        assert_type(invoice, InvoiceResponseDto)


def typos_fail(client: maesn.Client, body: PostFileAsyncBody) -> None:
    """Misspelt operations and keywords, wrong value types: errors for mypy."""
    client.accounting.get_companys()  # type: ignore[attr-defined]
    client.accounting.post_file_async(body=body, pgae=2)  # type: ignore[call-arg]
    client.accounting.post_file_async(body=123)  # type: ignore[arg-type]
    client.accounting.get_invoices(limit=7)  # type: ignore[arg-type]
    client.accounting.get_invoices(status="open")  # type: ignore[arg-type]
    client.accounting.get_invoices(last_modified_at=1)  # type: ignore[arg-type]
    client.acounting  # type: ignore[attr-defined]  # noqa: B018
    client.accounting_v2.create_contact_v2(body=CreateContactRequestDtoV2(), page=1)  # type: ignore[call-arg]
    client.wait_for_task("t", max_wiat=5)  # type: ignore[call-arg]
