"""A profile as labelled lines of text, each with its sources.

What `maesn integrations` prints and the generated documentation page shows
(`scripts/integrations_page.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._profiles import Fact, IntegrationProfile, OperationRule, Requirement

__all__ = ["FactLine", "describe", "numbered_sources"]


@dataclass(frozen=True, kw_only=True)
class FactLine:
    """One thing known (or known to be unknown) about an integration, in words."""

    label: str
    text: str
    sources: tuple[str, ...] = ()
    inferred: str | None = None


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def _listed(value: Any) -> str:
    return ", ".join(value) or "none"


def _requirement(value: Any) -> str:
    return (
        "required unless the account uses the Interactive Authentication Flow"
        if value == Requirement.REQUIRED_UNLESS_INTERACTIVE_AUTH
        else "not required (the docs name no such requirement)"
    )


_FACTS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "id_verified": (
        "id",
        lambda v: "printed by Maesn" if v else "this client's label: Maesn prints no id for it",
    ),
    "auth": ("connecting", str),
    "company_id": ("companyId", _requirement),
    "environment_name": ("environmentName", _requirement),
    "single_request": (
        "requests",
        lambda v: (
            "one at a time per account key (wait for the running one's task)"
            if v
            else "no limit documented"
        ),
    ),
    "webhooks": (
        "webhooks",
        _yes_no,
    ),
    "webhook_resources": ("webhook resources", _listed),
    "webhook_events": ("webhook events", _listed),
    "webhook_events_as_array": (
        "webhook body",
        lambda v: "an array of events" if v else "one event",
    ),
    "timestamp_format": ("timestamps", lambda v: f"{v} (no milliseconds)"),
    "statuses": (
        "task statuses",
        lambda v: ", ".join(f"{status} ({outcome})" for status, outcome in v.items()),
    ),
    "paging_parameters": (
        "task paging",
        lambda v: f"only {', '.join(v)}" if v else "none",
    ),
    "page_size": ("page size", lambda v: f"{v:,} entries a page, fixed"),
    "raw_data": ("task rawData", _yes_no),
    "response_data": ("responseData", _yes_no),
    "information_fields": ("information", _listed),
    "error_information_types": (
        "error entries",
        lambda v: f"information type {', '.join(v)} (with fail_on_error_information=True)",
    ),
    "reads_start_tasks": (
        "reads",
        lambda v: "run as tasks: a GET answers with a taskId" if v else "answer at once",
    ),
    "note": ("note", str),
}
"""Each fact name's label and how its value reads."""

_UNKNOWN = {
    "company_id": ("companyId", "unknown: not checked"),
    "environment_name": ("environmentName", "unknown: not checked"),
    "webhooks": ("webhooks", "unknown"),
    "statuses": ("task statuses", "not documented: read by the generic rules"),
}
"""What an absent fact says, for the facts every row shows."""


def _fact_line(fact: Fact) -> FactLine:
    label, text = _FACTS[fact.name]
    return FactLine(
        label=label, text=text(fact.value), sources=fact.sources, inferred=fact.inferred
    )


def _operation_text(rule: OperationRule) -> str:
    parts: list[str] = []
    if rule.served_by:
        parts.append(f"only on {', '.join(rule.served_by)}: refused here")
    elif rule.supported is not None:
        parts.append("documented" if rule.supported else "not offered")
    if rule.required_parameters:
        parts.append(f"needs {', '.join(rule.required_parameters)}")
    if rule.required_unless_interactive_auth:
        parts.append(
            f"needs {', '.join(rule.required_unless_interactive_auth)} unless interactive auth"
        )
    for name, value in (("pagination", rule.pages), ("rawData", rule.raw_data)):
        if value is not None:
            parts.append(f"{name} {_yes_no(value)}")
    if rule.filters is not None:
        parts.append(f"filters {_listed(rule.filters)}")
    if rule.note:
        parts.append(rule.note)
    return "; ".join(parts)


def describe(profile: IntegrationProfile) -> list[FactLine]:
    """Every fact of `profile` as a line, the key unknowns said, then its operations' rules."""
    known = {fact.name for fact in profile.facts}
    lines = [_fact_line(fact) for fact in profile.facts if fact.name != "note"]
    lines += [
        FactLine(label=label, text=text)
        for name, (label, text) in _UNKNOWN.items()
        if name not in known
    ]
    lines += [
        FactLine(
            label=rule.operation_id,
            text=_operation_text(rule),
            sources=rule.sources,
            inferred=rule.inferred,
        )
        for rule in profile.operations.values()
    ]
    lines += [_fact_line(fact) for fact in profile.facts if fact.name == "note"]
    return lines


def numbered_sources(lines: list[FactLine]) -> dict[str, int]:
    """Each source of `lines` with its number (1, 2, ...), in the order the lines cite them."""
    cited = dict.fromkeys(source for line in lines for source in line.sources)
    return {source: number for number, source in enumerate(cited, 1)}
