"""Integration profiles: everything that differs per integration, as one table of data.

Validation, waiting and paging read this table; nothing else in the package branches on an
integration. The rows are built from `_data/integrations.json`: one row per target system Maesn
documents, each fact with the pages it comes from (`Fact.sources`) and, where it is our reading
rather than printed verbatim, why (`Fact.inferred`). A fact the docs do not state is absent from
the data and unknown here. Adding an integration is adding a row to that file (and its id to
`Integration`). An id the table does not know gets `generic_profile`: the generic rules.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from ._status import TaskOutcome, TaskStatus


class _Typed(Protocol):
    """An `information` entry as far as the profile reads it (maesn.TaskInformation)."""

    @property
    def type(self) -> str | None: ...


InformationT = TypeVar("InformationT", bound=_Typed)

__all__ = [
    "GENERIC_OUTCOMES",
    "PROFILES",
    "WEBHOOK_OPERATIONS",
    "Fact",
    "Integration",
    "IntegrationProfile",
    "OperationRule",
    "Requirement",
    "as_integration",
    "generic_outcome",
    "generic_profile",
    "paged_integrations",
    "profile_for",
    "webhook_integrations",
]


class Integration(enum.StrEnum):
    """The target systems Maesn documents: the ids `maesn.Client(integration=...)` knows.

    Each account key belongs to one end user on one target system, so a client is configured with
    the integration its account key was connected to; its `profile` holds what Maesn's docs say
    about it (`maesn integrations` prints them all). Any other id is accepted too, with the
    generic rules and a `maesn.UnknownIntegrationWarning`.
    """

    ABACONNECT = "abaconnect"
    """Abacus via AbaConnect (module extensions such as Ababau)."""
    ABACUS = "abacus"
    """Abacus through its REST API."""
    BEXIO = "bexio"
    """bexio. Our label: Maesn's id for it was not seen in its docs."""
    BUCHHALTUNGSBUTLER = "buchhaltungsbutler"
    """BuchhaltungsButler. Our label: Maesn's id for it was not seen in its docs."""
    BUSINESSCENTRAL = "businesscentral"
    """Microsoft Dynamics 365 Business Central: companyId and environmentName required."""
    DATEV_REWE = "datev-rewe"
    """DATEV Rechnungswesen, writing."""
    DATEV_REWE_EXPORT = "datev-rewe-export"
    """DATEV Rechnungswesen, reading: exports paged at 50,000 entries."""
    DATEV_REWE_LONGTOKEN = "datev-rewe-longtoken"
    """DATEV Rechnungswesen with a long-lived token, writing."""
    DATEV_UNTERNEHMEN_ONLINE = "datev-unternehmen-online"
    """DATEV Unternehmen Online (DUO). Our label: Maesn documents no target-system id for DUO."""
    EXACT_DE = "exact-de"
    """Exact Online, Germany."""
    EXACT_GB = "exact-gb"
    """Exact Online, United Kingdom."""
    EXACT_NL = "exact-nl"
    """Exact Online, Netherlands."""
    FRESHBOOKS = "freshbooks"
    """FreshBooks."""
    LEXOFFICE = "lexoffice"
    """lexoffice: the legacy id, superseded by lexware-office."""
    LEXWARE_OFFICE = "lexware-office"
    """Lexware Office (formerly lexoffice): timestamps to the second, no milliseconds."""
    MONEYBIRD = "moneybird"
    """Moneybird."""
    QONTO = "qonto"
    """Qonto."""
    QUICKBOOKS = "quickbooks"
    """QuickBooks Online."""
    SEVDESK = "sevdesk"
    """sevdesk."""
    WECLAPP = "weclapp"
    """weclapp."""
    XENTRAL = "xentral"
    """Xentral."""
    XERO = "xero"
    """Xero."""

    @property
    def profile(self) -> IntegrationProfile:
        """This integration's row of the profile table (read-only)."""
        return PROFILES[self]


class Requirement(enum.StrEnum):
    """Whether an integration needs a query parameter (companyId, environmentName)."""

    REQUIRED_UNLESS_INTERACTIVE_AUTH = "required-unless-interactive-auth"
    """Required, unless the account key was connected through the Interactive Authentication
    Flow (the end user picked the company and environment there)."""
    NOT_REQUIRED = "not-required"
    """The docs name no such requirement for this integration's calls."""
    UNKNOWN = "unknown"
    """The docs do not say: the client checks nothing."""


@dataclass(frozen=True, kw_only=True)
class Fact:
    """One documented fact about an integration, with where it comes from.

    Attributes:
        name: What the fact is about: a field of `IntegrationProfile` (e.g. "company_id",
            "webhooks") or "note" for a remark.
        value: The fact as documented (JSON-like: str, bool, int, tuple, or a read-only mapping).
        sources: The pages it comes from (docs.maesn.com URLs, or openapi/maesn.yaml, the
            pinned spec).
        inferred: Why it is our reading of the docs rather than printed there, or None.
    """

    name: str
    value: Any
    sources: tuple[str, ...]
    inferred: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fact as JSON-ready data."""
        return {
            "name": self.name,
            "value": _thawed(self.value),
            "sources": list(self.sources),
            "inferred": self.inferred,
        }


@dataclass(frozen=True, kw_only=True)
class OperationRule:
    """What the docs say about one operation (by its operationId) on one integration.

    None and empty values mean the docs do not say.
    """

    operation_id: str
    supported: bool | None = None
    """The docs describe the operation for this integration (True), or say it is not offered."""
    served_by: tuple[str, ...] = ()
    """The docs say only these integrations serve the operation: it is refused here."""
    required_parameters: tuple[str, ...] = ()
    """Query parameters (wire names) the docs require for this operation here."""
    required_unless_interactive_auth: tuple[str, ...] = ()
    """Query parameters (wire names) required here unless the Interactive Authentication Flow
    was used, besides the integration's own companyId/environmentName rule."""
    pages: bool | None = None
    """Whether the list is paginated here ("Support pagination")."""
    raw_data: bool | None = None
    """Whether `rawData=true` is supported here."""
    filters: tuple[str, ...] | None = None
    """The supported filters (empty: none), or None when the docs do not list them."""
    note: str = ""
    inferred: str | None = None
    """Why this rule is our reading of the docs rather than printed there, or None."""
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The rule as JSON-ready data (only what the docs state)."""
        stated = {
            "supported": self.supported,
            "servedBy": list(self.served_by) or None,
            "requiredParameters": list(self.required_parameters) or None,
            "requiredUnlessInteractiveAuth": list(self.required_unless_interactive_auth) or None,
            "pages": self.pages,
            "rawData": self.raw_data,
            "filters": None if self.filters is None else list(self.filters),
            "note": self.note or None,
            "inferred": self.inferred,
        }
        return {
            "operationId": self.operation_id,
            **{key: value for key, value in stated.items() if value is not None},
            "sources": list(self.sources),
        }


_COMPANY_ID, _ENVIRONMENT_NAME = "companyId", "environmentName"


@dataclass(frozen=True, kw_only=True)
class IntegrationProfile:
    """One integration's rules: its task statuses, its parameters, its operations, its facts.

    For an id the table does not know (or no id), `generic_profile` builds one with the generic
    rules: `known` is False, every requirement `UNKNOWN`, the statuses read generically.
    """

    id: str
    """The target-system id, as given ("" when the client was created without one)."""
    name: str
    """Human-readable name of the target system."""
    known: bool = True
    """The id is a row of the table (a `maesn.Integration` member)."""
    id_verified: bool = False
    """Maesn's docs or spec print this id (False: our label, e.g. DATEV Unternehmen Online)."""
    auth: str | None = None
    """How an end user connects this system to Maesn, where documented."""
    company_id: Requirement = Requirement.UNKNOWN
    """Whether calls that take companyId must send it."""
    environment_name: Requirement = Requirement.UNKNOWN
    """Whether calls that take environmentName must send it."""
    single_request: bool = False
    """Only one request may run at a time per connection (account key): AbaConnect."""
    webhooks: bool | None = None
    """In Maesn's list of webhook-capable systems (False: not in it; None: not documented)."""
    webhook_resources: tuple[str, ...] = ()
    """The webhook resources documented for this integration (empty: not documented)."""
    webhook_events: tuple[str, ...] = ()
    """The webhook event types documented for this integration (empty: not documented)."""
    webhook_events_as_array: bool | None = None
    """A delivery's body is an array of events (True), not one event; None: not documented."""
    timestamp_format: str | None = None
    """How timestamp query values must look (e.g. "YYYY-MM-DDTHH:MM:SSZ"); None: ISO 8601."""
    statuses_documented: bool = False
    """Maesn documents this integration's task statuses; otherwise `outcomes` are generic."""
    outcomes: Mapping[TaskStatus, TaskOutcome]
    """Every status this integration may report, with what it means here."""
    paging_parameters: tuple[str, ...] = ()
    """Query parameters accepted for paging a task's result; empty when there is no paging."""
    page_size: int | None = None
    """Fixed number of entries per result page (it cannot be changed), or None without paging."""
    raw_data: bool = False
    """Whether the target system's raw data can be requested for tasks."""
    response_data: bool = False
    """Whether tasks of this integration document `responseData`."""
    information_fields: frozenset[str] = frozenset()
    """The fields this integration fills in each `information` entry."""
    error_information_types: frozenset[str] = frozenset()
    """`information[].type` values (compared case-insensitively) that report an error although
    the status counts as success; used only when a wait asks for it
    (`fail_on_error_information=True`). Empty where the status alone is authoritative."""
    reads_start_tasks: bool = False
    """Reads run as tasks: a GET answered with `data: {taskId}` started an export task (the
    client returns a TaskHandle for it)."""
    operations: Mapping[str, OperationRule] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )
    """What the docs say per operation, by operationId."""
    facts: tuple[Fact, ...] = field(default=(), repr=False)
    """Every documented fact of this row, with its sources, in the data file's order."""

    @property
    def integration(self) -> Integration | str | None:
        """The `Integration` member of a known id, the raw id otherwise, None without one."""
        if not self.id:
            return None
        return Integration(self.id) if self.known else self.id

    @property
    def label(self) -> str:
        """`Name ('id')` for messages."""
        if not self.id:
            return "no integration (integration= not given)"
        return f"{self.name} ({self.id!r})" if self.known else repr(self.id)

    @property
    def company_id_required(self) -> bool:
        """CompanyId must be sent unless the account uses the Interactive Authentication Flow."""
        return self.company_id is Requirement.REQUIRED_UNLESS_INTERACTIVE_AUTH

    @property
    def environment_name_required(self) -> bool:
        """EnvironmentName must be sent unless the account uses the Interactive Auth Flow."""
        return self.environment_name is Requirement.REQUIRED_UNLESS_INTERACTIVE_AUTH

    @property
    def required_unless_interactive_auth(self) -> frozenset[str]:
        """The query parameters (wire names) every call that takes them must send here."""
        return frozenset(
            name
            for name, rule in (
                (_COMPANY_ID, self.company_id),
                (_ENVIRONMENT_NAME, self.environment_name),
            )
            if rule is Requirement.REQUIRED_UNLESS_INTERACTIVE_AUTH
        )

    @property
    def notes(self) -> str:
        """The documented remarks, one text."""
        return " ".join(fact.value for fact in self.facts if fact.name == "note")

    @property
    def sources(self) -> tuple[str, ...]:
        """Every page a fact or operation rule of this row comes from, each once."""
        cited = [s for fact in self.facts for s in fact.sources]
        cited += [s for rule in self.operations.values() for s in rule.sources]
        return tuple(dict.fromkeys(cited))

    @property
    def statuses(self) -> frozenset[TaskStatus]:
        """Every status this integration may report."""
        return frozenset(self.outcomes)

    @property
    def pagination(self) -> bool:
        """True when task results come in pages."""
        return bool(self.paging_parameters)

    def fact(self, name: str) -> Fact | None:
        """The documented fact `name` (a field name), or None when the docs do not state it."""
        return next((fact for fact in self.facts if fact.name == name), None)

    def operation(self, operation_id: str) -> OperationRule | None:
        """What the docs say about `operation_id` here, or None."""
        return self.operations.get(operation_id)

    def statuses_for(self, *outcomes: TaskOutcome) -> frozenset[TaskStatus]:
        """The statuses that mean any of `outcomes` for this integration."""
        return frozenset(status for status, outcome in self.outcomes.items() if outcome in outcomes)

    def outcome_of(self, status: TaskStatus | str) -> TaskOutcome | None:
        """What `status` means here, or None when this integration does not report it.

        Where the statuses are not documented, a value outside the spec's list is read by the
        generic rules (`generic_outcome`).
        """
        try:
            outcome = self.outcomes.get(TaskStatus(status))
        except ValueError:
            outcome = None
        if outcome is None and not self.statuses_documented:
            return generic_outcome(str(status))
        return outcome

    def error_information(self, information: Iterable[InformationT]) -> tuple[InformationT, ...]:
        """The `information` entries whose `type` this integration uses to report an error."""
        kinds = self.error_information_types
        return tuple(info for info in information if (info.type or "").casefold() in kinds)

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data (what `maesn integrations --json` prints)."""
        return {
            "integration": self.id,
            "name": self.name,
            "known": self.known,
            "idVerified": self.id_verified,
            "auth": self.auth,
            "companyId": self.company_id.value,
            "environmentName": self.environment_name.value,
            "companyIdRequired": self.company_id_required,
            "singleRequest": self.single_request,
            "webhooks": self.webhooks,
            "webhookResources": list(self.webhook_resources),
            "webhookEvents": list(self.webhook_events),
            "webhookEventsAsArray": self.webhook_events_as_array,
            "timestampFormat": self.timestamp_format,
            "statusesDocumented": self.statuses_documented,
            "statuses": {status.value: outcome.value for status, outcome in self.outcomes.items()},
            "pagingParameters": list(self.paging_parameters),
            "pageSize": self.page_size,
            "rawData": self.raw_data,
            "responseData": self.response_data,
            "informationFields": sorted(self.information_fields),
            "readsStartTasks": self.reads_start_tasks,
            "operations": [rule.to_dict() for rule in self.operations.values()],
            "notes": self.notes,
            "facts": [fact.to_dict() for fact in self.facts],
            "sources": list(self.sources),
        }


# -- the generic rules -------------------------------------------------------------------------

GENERIC_OUTCOMES: Mapping[TaskStatus, TaskOutcome] = MappingProxyType(
    {
        TaskStatus.OPEN: TaskOutcome.PENDING,
        TaskStatus.IN_PROGRESS: TaskOutcome.PENDING,
        TaskStatus.SUCCESS: TaskOutcome.SUCCEEDED,
        TaskStatus.FINISHED: TaskOutcome.COMPLETED,
        TaskStatus.FAILED: TaskOutcome.FAILED,
        TaskStatus.PARTIAL_SUCCESS: TaskOutcome.PARTIAL,
        TaskStatus.CANCELLED_SUCCESSFULLY: TaskOutcome.CANCELLED,
        TaskStatus.CANCEL_FAILED: TaskOutcome.CANCEL_FAILED,
        TaskStatus.DELETED: TaskOutcome.DELETED,
    }
)
"""What each status of the spec's list means where an integration's statuses are not documented.
FINISHED is COMPLETED (done; whether it worked is in `information`), as on AbaConnect."""

_GENERIC_WORDS: tuple[tuple[tuple[str, ...], TaskOutcome], ...] = (
    (("CANCEL",), TaskOutcome.CANCELLED),
    (("PARTIAL",), TaskOutcome.PARTIAL),
    (("FAIL", "ERROR", "UNSUCCESS", "REJECT"), TaskOutcome.FAILED),
    (("DELETE",), TaskOutcome.DELETED),
    (("SUCCE",), TaskOutcome.SUCCEEDED),
    (("FINISH", "COMPLETE", "DONE"), TaskOutcome.COMPLETED),
    (("PROGRESS", "OPEN", "PENDING", "RUNNING", "QUEUED", "PROCESSING"), TaskOutcome.PENDING),
)


def generic_outcome(status: str) -> TaskOutcome | None:
    """What a status outside the spec's list means by the generic rules, or None.

    SUCCESS-like values succeed, FINISHED/DONE/COMPLETED-like ones complete, FAILED/ERROR-like
    ones fail, IN_PROGRESS/OPEN/PENDING/RUNNING-like ones are still running; CANCEL, PARTIAL and
    DELETE as their spec counterparts (a failed cancel is CANCEL_FAILED).
    """
    text = status.upper()
    for words, outcome in _GENERIC_WORDS:
        if any(word in text for word in words):
            if outcome is TaskOutcome.CANCELLED and ("FAIL" in text or "ERROR" in text):
                return TaskOutcome.CANCEL_FAILED
            return outcome
    return None


@functools.lru_cache(maxsize=128)
def generic_profile(integration_id: str = "") -> IntegrationProfile:
    """The generic rules, for an id the table does not know ("" for none)."""
    return IntegrationProfile(
        id=integration_id,
        name=integration_id or "no integration",
        known=False,
        outcomes=GENERIC_OUTCOMES,
        information_fields=frozenset({"filename", "message", "timestamp", "type"}),
        response_data=True,
    )


# -- the table, from the data file ---------------------------------------------------------------

_FIELDS = {
    "id_verified": bool,
    "auth": str,
    "company_id": str,
    "environment_name": str,
    "single_request": bool,
    "webhooks": bool,
    "webhook_resources": list,
    "webhook_events": list,
    "webhook_events_as_array": bool,
    "timestamp_format": str,
    "statuses": dict,
    "paging_parameters": list,
    "page_size": int,
    "raw_data": bool,
    "response_data": bool,
    "information_fields": list,
    "error_information_types": list,
    "reads_start_tasks": bool,
    "note": str,
}
"""Every fact name the data file may use, with the JSON type of its value."""
_OPERATION_KEYS = frozenset(
    {
        "supported",
        "served_by",
        "required_parameters",
        "required_unless_interactive_auth",
        "pages",
        "raw_data",
        "filters",
        "note",
        "inferred",
        "sources",
    }
)


class _DataError(RuntimeError):
    """The shipped data file is malformed: a bug of this package, caught by its tests."""


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_thawed(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _thawed(item) for key, item in value.items()}
    return value


def _sources(raw: object, where: str) -> tuple[str, ...]:
    if (
        not isinstance(raw, list)
        or not raw
        or not all(isinstance(s, str) and s.startswith(("https://", "openapi/")) for s in raw)
    ):
        raise _DataError(f"{where}: sources must list https:// URLs or openapi/ paths")
    return tuple(raw)


def _fact(raw: Mapping[str, Any], where: str) -> Fact:
    name, value = raw.get("name"), raw.get("value")
    kind = _FIELDS.get(name) if isinstance(name, str) else None
    if (
        kind is None
        or not isinstance(value, kind)
        or (kind is not bool and isinstance(value, bool))
    ):
        raise _DataError(f"{where}: unknown fact or wrong value type: {raw!r}")
    inferred = raw.get("inferred")
    return Fact(
        name=str(name),
        value=_frozen(value),
        sources=_sources(raw.get("sources"), f"{where} {name}"),
        inferred=inferred if isinstance(inferred, str) else None,
    )


def _operation(operation_id: str, raw: Mapping[str, Any], where: str) -> OperationRule:
    if set(raw) - _OPERATION_KEYS:
        raise _DataError(
            f"{where} {operation_id}: unknown keys {sorted(set(raw) - _OPERATION_KEYS)}"
        )
    filters = raw.get("filters")
    return OperationRule(
        operation_id=operation_id,
        supported=raw.get("supported"),
        served_by=tuple(raw.get("served_by", ())),
        required_parameters=tuple(raw.get("required_parameters", ())),
        required_unless_interactive_auth=tuple(raw.get("required_unless_interactive_auth", ())),
        pages=raw.get("pages"),
        raw_data=raw.get("raw_data"),
        filters=None if filters is None else tuple(filters),
        note=raw.get("note", ""),
        inferred=raw.get("inferred"),
        sources=_sources(raw.get("sources"), f"{where} {operation_id}"),
    )


def _profile(raw: Mapping[str, Any]) -> IntegrationProfile:
    where = f"integration {raw.get('id')!r}"
    facts = tuple(_fact(item, where) for item in raw["facts"])
    values = {fact.name: fact.value for fact in facts if fact.name != "note"}
    if len(values) != sum(fact.name != "note" for fact in facts):
        raise _DataError(f"{where}: a fact is given twice")
    statuses = values.get("statuses")
    outcomes = (
        MappingProxyType({TaskStatus(s): TaskOutcome(o) for s, o in statuses.items()})
        if statuses is not None
        else GENERIC_OUTCOMES
    )
    return IntegrationProfile(
        id=raw["id"],
        name=raw["name"],
        id_verified=values.get("id_verified", False),
        auth=values.get("auth"),
        company_id=Requirement(values.get("company_id", Requirement.UNKNOWN)),
        environment_name=Requirement(values.get("environment_name", Requirement.UNKNOWN)),
        single_request=values.get("single_request", False),
        webhooks=values.get("webhooks"),
        webhook_resources=values.get("webhook_resources", ()),
        webhook_events=values.get("webhook_events", ()),
        webhook_events_as_array=values.get("webhook_events_as_array"),
        timestamp_format=values.get("timestamp_format"),
        statuses_documented=statuses is not None,
        outcomes=outcomes,
        paging_parameters=values.get("paging_parameters", ()),
        page_size=values.get("page_size"),
        raw_data=values.get("raw_data", False),
        response_data=values.get("response_data", statuses is None),
        information_fields=frozenset(
            values.get("information_fields", generic_profile().information_fields)
        ),
        error_information_types=frozenset(values.get("error_information_types", ())),
        reads_start_tasks=values.get("reads_start_tasks", False),
        operations=MappingProxyType(
            {op: _operation(op, rule, where) for op, rule in raw["operations"].items()}
        ),
        facts=facts,
    )


def _load() -> tuple[dict[Integration, IntegrationProfile], tuple[str, ...]]:
    text = resources.files("maesn").joinpath("_data", "integrations.json").read_text("utf-8")
    data = json.loads(text)
    rows = {Integration(row["id"]): _profile(row) for row in data["integrations"]}
    if list(rows) != list(Integration):
        raise _DataError("the data file's rows must be the Integration members, in order")
    webhook_operations = data["webhook_operations"]
    _sources(webhook_operations.get("sources"), "webhook_operations")
    return rows, tuple(webhook_operations["value"])


_ROWS, _WEBHOOK_OPERATIONS = _load()
PROFILES: Mapping[Integration, IntegrationProfile] = MappingProxyType(_ROWS)
"""Every known integration's profile, in `Integration` order."""
WEBHOOK_OPERATIONS: tuple[str, ...] = _WEBHOOK_OPERATIONS
"""The operationIds of the spec's webhooks tag."""


def as_integration(integration: Integration | str) -> Integration | str:
    """The `Integration` member for a known id, the id itself otherwise."""
    try:
        return Integration(integration)
    except ValueError:
        return str(integration)


def profile_for(integration: Integration | str | None) -> IntegrationProfile:
    """The profile of a known id; the generic rules for any other id, or for None."""
    resolved = None if integration is None else as_integration(integration)
    if isinstance(resolved, Integration):
        return PROFILES[resolved]
    return generic_profile(resolved or "")


def paged_integrations() -> str:
    """The ids of the integrations whose task results come in pages, for messages."""
    return ", ".join(p.id for p in PROFILES.values() if p.pagination) or "none"


def webhook_integrations() -> tuple[str, ...]:
    """The ids in Maesn's list of webhook-capable systems."""
    return tuple(p.id for p in PROFILES.values() if p.webhooks)
