"""Hints name what the call used: a 404 without a task id never points at one."""

from __future__ import annotations

from typing import Any

import maesn
import pytest
from maesn._hints import status_hint
from maesn.testing import Sandbox

CONTEXTS: list[dict[str, Any]] = [
    {},
    {"task_id": "t-1"},
    {"task_id": "t-1", "company_id": "c-7", "integration": "datev-rewe"},
    {"operation": "get_accounts"},
    {"operation": "get_accounts", "integration": "datev-rewe"},
    {"integration": "datev-rewe-export"},
]


@pytest.mark.parametrize("context", CONTEXTS, ids=lambda c: ",".join(c) or "nothing")
def test_a_404_hint_names_each_value_the_call_used_and_no_task_it_did_not(
    context: dict[str, Any],
) -> None:
    """The task id (and its companyId), else the operation and integration; "task" only with one."""
    hint = status_hint(404, **context)
    assert hint is not None
    named = {key: value for key, value in context.items() if key != "integration"}
    if "task_id" not in context and "integration" in context:
        named["integration"] = context["integration"]
    for value in named.values():
        assert value in hint
    assert ("task" in hint) == ("task_id" in context)


@pytest.mark.parametrize("status", [405, 400])
def test_other_hints_name_the_integration_or_operation_they_are_given(status: int) -> None:
    """405 asks whether the key belongs to the integration; 400 names the operation."""
    given = {"operation": "post_file_async", "integration": "datev-unternehmen-online"}
    hint = status_hint(status, **given)
    assert hint is not None
    assert given["integration" if status == 405 else "operation"] in hint
    assert "task" not in hint


@pytest.mark.parametrize("status", [401, 403, 429, 500, 400])
def test_a_status_without_context_dependent_advice_keeps_the_general_one(status: int) -> None:
    """None: the error keeps its status's general advice (a 401's depends on the key)."""
    assert status_hint(status) is None


def _client(sandbox: Sandbox, *, integration: str, company_id: str | None = None) -> maesn.Client:
    return maesn.Client(
        integration=integration,
        company_id=company_id,
        base_url=sandbox.base_url,
        api_key=sandbox.api_key,
        account_key=sandbox.account_key,
    )


def test_a_missing_task_gets_the_hint_for_its_task_id_and_company(sandbox: Sandbox) -> None:
    """The task path builds its NotFoundError's hint from status_hint with the call's values."""
    with (
        _client(sandbox, integration="datev-rewe", company_id="c-7") as client,
        pytest.raises(maesn.NotFoundError) as caught,
    ):
        client.get_task("no-such-task")
    expected = status_hint(404, task_id="no-such-task", integration="datev-rewe", company_id="c-7")
    assert caught.value.hint == expected
    assert expected is not None
    assert expected in str(caught.value)


def test_an_operation_without_a_task_id_is_not_told_to_check_one(sandbox: Sandbox) -> None:
    """`get_account` of an id the sandbox does not hold is a 404 whose hint names no task."""
    with (
        _client(sandbox, integration="abaconnect") as client,
        pytest.raises(maesn.NotFoundError) as caught,
    ):
        client.accounting.get_account(account_id="acc-unknown", company_id="c-sandbox-1")
    assert caught.value.hint is not None
    assert "task" not in caught.value.hint
