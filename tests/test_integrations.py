"""Every integration Maesn documents: its row, its sources, and its rules applied before sending.

Parametrized from the table (`maesn.Integration`), so a row added to
`overlay/maesn/_data/integrations.json` is covered with no change here.
"""

from __future__ import annotations

import json
import warnings
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import maesn
import pytest
from helpers import KEYS, Harness
from maesn import Integration, Requirement
from maesn._operations import all_operations, find_operation
from maesn._profiles import PROFILES, WEBHOOK_OPERATIONS, profile_for, webhook_integrations
from maesn._rules import (
    check_call,
    format_timestamp,
    not_supported_hint,
    python_name,
)
from maesn.testing import Sandbox
from maesn_api.models.create_contact_request_dto_v2 import CreateContactRequestDtoV2
from samples import sample
from scripted_server import ScriptedServer

from scripts.spec_yaml import load_document

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_document(ROOT / "openapi" / "maesn.yaml")
DATA = ROOT / "overlay" / "maesn" / "_data" / "integrations.json"
MAESN_DOCS = next(
    (
        folder / "shared" / "maesn-docs"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "maesn-docs").is_dir()
    ),
    ROOT / "shared" / "maesn-docs",
)
"""The research the table was gathered from, beside a developer's checkout (not in a clone)."""
ROWS = list(Integration)
EVERY_ID = [i.value for i in Integration]
READ = "getBankAccounts"
"""An operation no row has a rule for, taking companyId and environmentName: a plain read."""
READ_ACCEPTS = frozenset({"companyId", "environmentName", "page", "limit", "lastModifiedAt"})
SOURCE_PREFIXES = (
    "https://docs.maesn.com/",
    "https://www.maesn.com/",
    "https://maesn.mintlify.app/",
    "openapi/maesn.yaml",
)


def _spec_operations() -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for item in SPEC["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


OPERATIONS = _spec_operations()


def _query_names(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}


# -- the table ---------------------------------------------------------------------------------


def test_the_table_has_a_row_for_every_documented_target_system() -> None:
    """The 22 ids of Maesn's docs, in order; the data file's rows are the enum's members."""
    rows = json.loads(DATA.read_text(encoding="utf-8"))["integrations"]
    assert [row["id"] for row in rows] == EVERY_ID
    assert len(EVERY_ID) == 22
    assert set(PROFILES) == set(Integration)
    unverified = {i.value for i in Integration if not i.profile.id_verified}
    assert unverified == {"bexio", "buchhaltungsbutler", "datev-unternehmen-online"}


@pytest.mark.skipif(not MAESN_DOCS.is_dir(), reason="the gathered maesn-docs are not here")
def test_the_table_matches_the_gathered_documentation() -> None:
    """Every id of maesn-docs/integrations.yaml is a row (the research the data came from)."""
    text = (MAESN_DOCS / "integrations.yaml").read_text(encoding="utf-8")
    ids = [
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("  - id:")
    ]
    assert sorted(ids) == sorted(EVERY_ID)


@pytest.mark.parametrize("integration", ROWS, ids=str)
def test_every_fact_cites_a_source(integration: Integration) -> None:
    """Each fact and each operation rule names the pages it comes from; the row has some."""
    profile = integration.profile
    assert profile.facts
    for fact in profile.facts:
        assert fact.sources, fact
        assert all(source.startswith(SOURCE_PREFIXES) for source in fact.sources), fact
    for rule in profile.operations.values():
        assert rule.sources, rule
        assert all(source.startswith(SOURCE_PREFIXES) for source in rule.sources), rule
    assert profile.sources
    assert profile.fact("id_verified") is not None


@pytest.mark.parametrize("integration", ROWS, ids=str)
def test_every_operation_rule_names_an_operation_and_parameters_of_the_spec(
    integration: Integration,
) -> None:
    """Rules are keyed by operationIds of the pinned spec and name parameters it declares."""
    for operation_id, rule in integration.profile.operations.items():
        assert rule.operation_id == operation_id
        declared = _query_names(OPERATIONS[operation_id])
        required = {*rule.required_parameters, *rule.required_unless_interactive_auth}
        assert required <= declared, (operation_id, required - declared)
        assert set(rule.served_by) <= set(EVERY_ID)


def test_the_webhook_operations_are_the_specs_webhooks_tag() -> None:
    """The operations a 404 hint treats as webhook operations: the spec's webhooks tag."""
    tagged = {oid for oid, op in OPERATIONS.items() if "webhooks" in op.get("tags", [])}
    assert set(WEBHOOK_OPERATIONS) == tagged


def test_the_nine_webhook_capable_integrations_are_marked() -> None:
    """Maesn's webhook guide lists nine systems; their documented resources are kept."""
    assert set(webhook_integrations()) == {
        "businesscentral",
        "exact-nl",
        "freshbooks",
        "lexware-office",
        "moneybird",
        "qonto",
        "quickbooks",
        "weclapp",
        "xero",
    }
    assert "SALES_ORDER" in Integration.BUSINESSCENTRAL.profile.webhook_resources
    assert Integration.LEXWARE_OFFICE.profile.webhook_events == (
        "CREATED",
        "UPDATED",
        "DELETED",
        "REVOKED",
    )
    arrays = {i.value for i in Integration if i.profile.webhook_events_as_array}
    assert arrays == {"businesscentral", "quickbooks", "xero"}
    assert Integration.EXACT_DE.profile.webhooks is None  # the guide lists only exact-nl
    assert Integration.SEVDESK.profile.webhooks is False


def test_the_documented_rules_are_in_the_rows() -> None:
    """Business Central needs both values; AbaConnect one request at a time; the DATEV reads."""
    bc = Integration.BUSINESSCENTRAL.profile
    assert bc.company_id is bc.environment_name is Requirement.REQUIRED_UNLESS_INTERACTIVE_AUTH
    assert {i.value for i in Integration if i.profile.single_request} == {"abaconnect"}
    rewe = Integration.DATEV_REWE.profile.operation("getAccounts")
    assert rewe is not None
    assert rewe.served_by == ("datev-rewe-export",)
    export = Integration.DATEV_REWE_EXPORT.profile.operation("getPaymentTerms")
    assert export is not None
    assert export.required_parameters == ("fiscalYearStartDate",)
    duo = Integration.DATEV_UNTERNEHMEN_ONLINE.profile.operation("getAccounts")
    assert duo is not None
    assert duo.pages is False
    assert Integration.LEXWARE_OFFICE.profile.timestamp_format == "YYYY-MM-DDTHH:MM:SSZ"


def test_a_row_as_json_carries_its_facts_and_sources() -> None:
    """`IntegrationProfile.to_dict` (what `maesn integrations --json` prints) is JSON."""
    for integration in Integration:
        data = json.loads(json.dumps(integration.profile.to_dict()))
        assert data["integration"] == integration.value
        assert data["sources"] == list(integration.profile.sources)
        assert len(data["facts"]) == len(integration.profile.facts)


# -- clients ---------------------------------------------------------------------------------


@pytest.mark.parametrize("integration", ROWS, ids=str)
def test_a_client_can_be_created_for_every_integration_without_a_warning(
    integration: Integration,
) -> None:
    """Every id of the table, as a member or as its value: no warning, the row's profile."""
    for given in (integration, integration.value):
        with maesn.Client(integration=given, **KEYS) as client:
            assert client.integration is integration
            assert client.profile is integration.profile


def _captured(make: Any) -> tuple[Any, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        made = make()
    return made, caught


@pytest.mark.parametrize("cls", [maesn.Client, maesn.AsyncClient])
def test_an_unknown_id_works_with_exactly_one_warning(cls: type[maesn.Client]) -> None:
    """newerp: the raw id, the generic rules, one UnknownIntegrationWarning naming it."""
    client, caught = _captured(lambda: cls(integration="newerp", **KEYS))
    assert [type(w.message) for w in caught] == [maesn.UnknownIntegrationWarning]
    warning = caught[0].message
    assert isinstance(warning, maesn.UnknownIntegrationWarning)
    assert warning.integration == "newerp"
    assert warning.hint is None
    assert "'newerp'" in str(warning)
    assert caught[0].filename == __file__
    assert client.integration == "newerp"
    assert client.profile.id == "newerp"
    assert not client.profile.known
    assert client.profile.company_id is Requirement.UNKNOWN
    copy, again = _captured(lambda: client.with_options(timeout=5))
    assert again == []
    assert copy.integration == "newerp"


def test_a_near_miss_suggests_the_known_id() -> None:
    """sevdsk: accepted, and the warning's hint says "did you mean 'sevdesk'?"."""
    _, caught = _captured(lambda: maesn.Client(integration="sevdsk", **KEYS))
    (warning,) = (w.message for w in caught)
    assert isinstance(warning, maesn.UnknownIntegrationWarning)
    assert warning.hint == "did you mean 'sevdesk'?"


def test_an_unknown_id_sends_plain_reads(scripted_server: ScriptedServer) -> None:
    """The generic rules refuse nothing: a read goes out as called, with no further warning."""
    scripted_server.reply(200, {"data": []})
    with pytest.warns(maesn.UnknownIntegrationWarning):
        client = maesn.Client(integration="newerp", base_url=scripted_server.base_url, **KEYS)
    with client:
        assert list(client.accounting.get_bank_accounts()) == []
    assert scripted_server.requests[0].raw_path == "/accounting/bankAccounts"


def _needs(integration: Integration) -> dict[str, Any]:
    """The values a plain read must carry for `integration` without interactive auth."""
    values = {"companyId": "company-1", "environmentName": "env-1"}
    return {
        python_name(name): values[name]
        for name in sorted(integration.profile.required_unless_interactive_auth)
    }


@pytest.mark.parametrize("integration", ROWS, ids=str)
def test_a_plain_read_carries_what_the_integration_requires(
    integration: Integration, scripted_server: ScriptedServer
) -> None:
    """Without a required companyId/environmentName nothing is sent; with them, both go out.

    With the Interactive Authentication Flow the same read goes out without them.
    """
    needed = _needs(integration)
    options = {"integration": integration, "base_url": scripted_server.base_url, **KEYS}
    for _ in range(2):
        scripted_server.reply(200, {"data": []})
    with maesn.Client(**options) as client:
        for name in needed:
            partial = {k: v for k, v in needed.items() if k != name}
            with pytest.raises(maesn.ValidationError) as caught:
                client.accounting.get_bank_accounts(**partial)
            assert caught.value.argument == name
        assert scripted_server.requests == []
        client.accounting.get_bank_accounts(**needed)
    with maesn.Client(interactive_auth=True, **options) as client:
        client.accounting.get_bank_accounts()
    sent, interactive = (request.raw_path for request in scripted_server.requests)
    assert ("companyId=company-1" in sent) == ("company_id" in needed)
    assert ("environmentName=env-1" in sent) == ("environment_name" in needed)
    assert interactive == "/accounting/bankAccounts"


# -- check_call ----------------------------------------------------------------------------


@pytest.mark.parametrize("integration", ROWS, ids=str)
def test_check_call_refuses_a_missing_required_value_and_accepts_interactive_auth(
    integration: Integration,
) -> None:
    """Each required value missing is refused by name; interactive auth lifts the requirement."""
    profile = integration.profile
    complete = {"companyId": "c-1", "environmentName": "env-1"}
    check_call(
        profile, operation_id=READ, given=complete, accepts=READ_ACCEPTS, interactive_auth=False
    )
    for name in profile.required_unless_interactive_auth:
        given = {k: v for k, v in complete.items() if k != name}
        with pytest.raises(maesn.ValidationError) as caught:
            check_call(
                profile,
                operation_id=READ,
                given=given,
                accepts=READ_ACCEPTS,
                interactive_auth=False,
            )
        assert caught.value.argument == python_name(name)
        check_call(
            profile, operation_id=READ, given=given, accepts=READ_ACCEPTS, interactive_auth=True
        )


def test_the_missing_values_are_named_with_where_they_come_from() -> None:
    """The companyId first, then environmentName, each naming the call that lists the values."""
    bc = Integration.BUSINESSCENTRAL.profile
    with pytest.raises(maesn.ValidationError) as caught:
        check_call(bc, operation_id=READ, given={}, accepts=READ_ACCEPTS, interactive_auth=False)
    assert caught.value.argument == "company_id"
    assert "client.companies()" in caught.value.message
    assert "environment_name" in caught.value.message
    with pytest.raises(maesn.ValidationError) as caught:
        check_call(
            bc,
            operation_id=READ,
            given={"companyId": "c-1", "environmentName": None},
            accepts=READ_ACCEPTS,
            interactive_auth=False,
        )
    assert caught.value.argument == "environment_name"
    assert caught.value.hint is not None
    assert "client.auth.get_environments()" in caught.value.hint


def test_client_auth_get_environments_is_a_generated_operation() -> None:
    """The environments call the error names exists: `client.auth.get_environments()`."""
    assert find_operation("auth", "get_environments").operation_id in OPERATIONS


def test_a_requirement_applies_only_where_the_operation_takes_the_parameter() -> None:
    """An operation without environmentName is not refused for lacking it."""
    check_call(
        Integration.BUSINESSCENTRAL.profile,
        operation_id="createContacts",
        given={"companyId": "c-1"},
        accepts=frozenset({"companyId"}),
        interactive_auth=False,
    )


@pytest.mark.parametrize(
    ("integration", "operation_id"),
    [
        (Integration.DATEV_REWE, "getAccounts"),
        (Integration.DATEV_REWE_LONGTOKEN, "getPaymentTerms"),
    ],
)
def test_an_operation_only_another_integration_serves_is_refused(
    integration: Integration, operation_id: str
) -> None:
    """The DATEV reads exist only on datev-rewe-export: refused elsewhere, naming it."""
    with pytest.raises(maesn.ValidationError) as caught:
        check_call(
            integration.profile,
            operation_id=operation_id,
            given={"companyId": "c-1", "fiscalYearStartDate": "2026-01-01"},
            accepts=frozenset({"companyId", "fiscalYearStartDate"}),
            interactive_auth=True,
        )
    assert caught.value.argument == "integration"
    assert caught.value.hint == "served by 'datev-rewe-export'"
    assert operation_id in caught.value.message


@pytest.mark.parametrize("operation_id", ["getAccounts", "getPaymentTerms"])
def test_the_export_reads_need_fiscal_year_start_date(operation_id: str) -> None:
    """datev-rewe-export's getAccounts/getPaymentTerms: fiscalYearStartDate, interactive or not."""
    profile = Integration.DATEV_REWE_EXPORT.profile
    accepts = frozenset({"companyId", "fiscalYearStartDate", "fiscalYear"})
    for interactive in (False, True):
        with pytest.raises(maesn.ValidationError) as caught:
            check_call(
                profile,
                operation_id=operation_id,
                given={"companyId": "c-1", "fiscalYear": 2026},
                accepts=accepts,
                interactive_auth=interactive,
            )
        assert caught.value.argument == "fiscal_year_start_date"
    check_call(
        profile,
        operation_id=operation_id,
        given={"fiscalYearStartDate": "2026-01-01"},
        accepts=accepts,
        interactive_auth=True,
    )


def test_abacus_pass_through_needs_environment_name() -> None:
    """An operation's own requirement (Abacus pass-through) is lifted by interactive auth too."""
    profile = Integration.ABACUS.profile
    accepts = frozenset({"companyId", "environmentName"})
    with pytest.raises(maesn.ValidationError) as caught:
        check_call(
            profile,
            operation_id="createPassThroughRequest",
            given={},
            accepts=accepts,
            interactive_auth=False,
        )
    assert caught.value.argument == "environment_name"
    check_call(
        profile,
        operation_id="createPassThroughRequest",
        given={},
        accepts=accepts,
        interactive_auth=True,
    )


@pytest.mark.parametrize("integration", ["newerp", None])
def test_the_generic_rules_refuse_nothing(integration: str | None) -> None:
    """An unknown id (or none) has no requirement the client could check."""
    for operation_id in ("getAccounts", "getPaymentTerms", READ, "createPassThroughRequest"):
        check_call(
            profile_for(integration),
            operation_id=operation_id,
            given={},
            accepts=READ_ACCEPTS | {"fiscalYearStartDate"},
            interactive_auth=False,
        )


def test_the_refusal_reaches_a_client_call_before_anything_is_sent(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """Wired into every operation: datev-rewe's getAccounts and the export's missing date."""
    options = harness.client_kwargs(integration="datev-rewe", company_id="c-1")
    with maesn.Client(**options) as client, pytest.raises(maesn.ValidationError) as caught:
        client.accounting.get_accounts(fiscal_year_start_date="2026-01-01")
    assert caught.value.argument == "integration"
    options = harness.client_kwargs(integration="datev-rewe-export", company_id="c-1")
    with maesn.Client(**options) as client, pytest.raises(maesn.ValidationError) as caught:
        client.accounting.get_payment_terms()
    assert caught.value.argument == "fiscal_year_start_date"
    assert scripted_server.requests == []


# -- format_timestamp ----------------------------------------------------------------------

GENERIC = Integration.SEVDESK.profile
LEXWARE = Integration.LEXWARE_OFFICE.profile
NOON = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "generic", "lexware"),
    [
        (NOON, "2026-01-31T12:00:00Z", "2026-01-31T12:00:00Z"),
        (
            NOON + timedelta(microseconds=123_456),
            "2026-01-31T12:00:00.123Z",
            "2026-01-31T12:00:00Z",
        ),
        (
            datetime(2026, 1, 31, 13, 0, tzinfo=timezone(timedelta(hours=1))),
            "2026-01-31T12:00:00Z",
            "2026-01-31T12:00:00Z",
        ),
        (date(2026, 1, 31), "2026-01-31T00:00:00Z", "2026-01-31T00:00:00Z"),
        ("2026-01-31T13:00:00.250+01:00", "2026-01-31T13:00:00.250+01:00", "2026-01-31T12:00:00Z"),
        ("2026-01-31", "2026-01-31", "2026-01-31T00:00:00Z"),
    ],
)
def test_timestamps_are_written_as_the_integration_wants(
    value: datetime | date | str, generic: str, lexware: str
) -> None:
    """ISO 8601 in UTC with Z; Lexware Office to the second; strings rewritten only there."""
    assert format_timestamp(GENERIC, value, argument="last_modified_at") == generic
    assert format_timestamp(LEXWARE, value, argument="last_modified_at") == lexware


@pytest.mark.parametrize(
    ("profile", "value"),
    [
        (GENERIC, datetime(2026, 1, 31, 12, 0)),  # noqa: DTZ001 - a naive datetime is the point
        (LEXWARE, datetime(2026, 1, 31, 12, 0)),  # noqa: DTZ001
        (LEXWARE, "2026-01-31T12:00:00"),
        (LEXWARE, "last tuesday"),
        (GENERIC, 1_769_860_800),
    ],
)
def test_a_timestamp_that_names_no_instant_is_refused(profile: Any, value: Any) -> None:
    """Naive datetimes, offset-less or unparsable strings where a format applies, numbers."""
    with pytest.raises(maesn.ValidationError) as caught:
        format_timestamp(profile, value, argument="last_modified_at")
    assert caught.value.argument == "last_modified_at"
    assert repr(value) in caught.value.message or str(value) in caught.value.message


# -- not_supported_hint -----------------------------------------------------------------------


def test_a_404_says_what_the_docs_know_about_the_operation() -> None:
    """Served elsewhere, not a webhook system, or documented for other integrations."""
    hint = not_supported_hint(
        Integration.DATEV_REWE.profile, operation_id="getAccounts", status=404
    )
    assert hint is not None
    assert "datev-rewe-export" in hint
    assert "'datev-rewe'" in hint
    hint = not_supported_hint(Integration.SEVDESK.profile, operation_id="createWebhook", status=404)
    assert hint is not None
    assert all(system in hint for system in webhook_integrations())
    hint = not_supported_hint(Integration.XERO.profile, operation_id="getBills", status=404)
    assert hint is not None
    assert "buchhaltungsbutler" in hint
    plain = not_supported_hint(Integration.XERO.profile, operation_id="getUnits", status=404)
    assert plain is not None
    assert "'xero'" in plain


def test_a_405_points_at_the_target_system_id() -> None:
    """405: Maesn does not know the target system; an unknown id gets its did-you-mean."""
    hint = not_supported_hint(profile_for("sevdsk"), operation_id=READ, status=405)
    assert hint is not None
    assert "did you mean 'sevdesk'?" in hint
    known = not_supported_hint(Integration.XERO.profile, operation_id=READ, status=405)
    assert known is not None
    assert "'xero'" in known
    assert not_supported_hint(Integration.XERO.profile, operation_id=READ, status=500) is None


# -- names -------------------------------------------------------------------------------------


def test_parameter_names_convert_to_python_arguments() -> None:
    """Wire names map onto the generated methods' keywords, for every parameter of the spec."""
    for operation in all_operations():
        for parameter in operation.parameters:
            if parameter.wire.isascii() and parameter.wire[:1].islower():
                assert python_name(parameter.wire) == parameter.name.rstrip("_"), parameter
    assert python_name("fiscalYearStartDate") == "fiscal_year_start_date"
    assert python_name("companyId") == "company_id"


# -- the sandbox -------------------------------------------------------------------------------


@pytest.mark.parametrize("integration", [*EVERY_ID, "newerp"])
def test_the_sandbox_accepts_every_id(
    integration: str,
    maesn_sandbox: Sandbox,
    maesn_fake_clock: Any,  # noqa: ARG001 - the wait runs on virtual time
) -> None:
    """An account of any integration runs a task to its integration's (or the generic) success."""
    key = maesn_sandbox.add_account(integration)
    task_id = maesn_sandbox.add_task(integration, company_id="c-1")
    options: dict[str, Any] = {
        "api_key": maesn_sandbox.api_key,
        "account_key": key,
        "base_url": maesn_sandbox.base_url,
        "company_id": "c-1",
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with maesn.Client(integration=integration, **options) as client:
            task = client.wait_for_task(task_id)
    assert task.outcome is not None
    assert task.outcome.is_success
    assert len(caught) == (0 if profile_for(integration).statuses_documented else 1)


def test_the_sandbox_refuses_a_start_without_business_centrals_environment_name(
    maesn_sandbox: Sandbox,
) -> None:
    """The sandbox checks environmentName like companyId, by the account's integration."""
    key = maesn_sandbox.add_account("businesscentral", interactive_auth=False)
    options: dict[str, Any] = {
        "api_key": maesn_sandbox.api_key,
        "account_key": key,
        "base_url": maesn_sandbox.base_url,
    }
    with maesn.Client(**options) as client, pytest.raises(maesn.BadRequestError) as caught:
        client.accounting.create_contact(
            body=sample(CreateContactRequestDtoV2), company_id="c-sandbox-1"
        )
    assert [e.get("field") for e in caught.value.validation_errors or []] == ["environmentName"]


def test_the_docs_page_is_generated_from_the_table() -> None:
    """docs/reference/integration-table.md is what the generator writes (rerun it if not)."""
    from scripts import integrations_page  # noqa: PLC0415

    assert integrations_page.PAGE.read_text(encoding="utf-8") == integrations_page.render()
    for integration in Integration:
        assert f"## {integration.value}\n" in integrations_page.render()
