"""The documented rules of an integration, applied to one call before it is sent.

Pure functions over an `IntegrationProfile` (no I/O, no client): `check_call` refuses a call the
integration's documented rules say cannot work, `format_timestamp` writes a timestamp query value
as the integration wants it, `not_supported_hint` explains a 404 or 405 Maesn answered. What they
check is data (the profile's rows); an integration the table does not know gets the generic rules,
which check nothing of this (`GENERIC_RULES_CANNOT_CHECK`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime

from ._exceptions import UnknownIntegrationWarning, ValidationError
from ._profiles import (
    PROFILES,
    WEBHOOK_OPERATIONS,
    Integration,
    IntegrationProfile,
    OperationRule,
    webhook_integrations,
)
from ._validation import did_you_mean

__all__ = [
    "GENERIC_RULES_CANNOT_CHECK",
    "GENERIC_STATUS_RULES",
    "check_call",
    "format_timestamp",
    "not_supported_hint",
    "operation_pages",
    "python_name",
    "require_company_id",
    "status_rules_warning",
    "unknown_integration",
]

GENERIC_STATUS_RULES = (
    "SUCCESS-like ones succeeded, FINISHED/DONE-like ones completed, FAILED/ERROR-like ones "
    "failed, IN_PROGRESS/OPEN-like ones are still running"
)
"""How the generic rules read task statuses (`maesn._profiles.generic_outcome`)."""
GENERIC_RULES_CANNOT_CHECK = (
    "whether companyId or environmentName is required, which operations only another "
    "integration serves and which parameters an operation requires, how timestamps must be "
    f"written, and what the task statuses mean (read generically: {GENERIC_STATUS_RULES})"
)
"""What the client cannot check for an integration its table does not know (or none)."""

_COMPANY_ID, _ENVIRONMENT_NAME = "companyId", "environmentName"
_INTERACTIVE = (
    "or, if the account key was connected through Maesn's Interactive Authentication Flow (the "
    "end user picked the {what} there), create the client with interactive_auth=True"
)
_TIMESPECS = {"YYYY-MM-DDTHH:MM:SSZ": "seconds"}
"""How each documented timestamp format is written (`datetime.isoformat` timespec, in UTC)."""
_UPPER = re.compile(r"(?<!^)(?=[A-Z])")
_HTTP_NOT_FOUND, _HTTP_METHOD_NOT_ALLOWED = 404, 405


def python_name(wire_name: str) -> str:
    """The Python argument name of a query parameter: `fiscalYearStartDate` -> `fiscal_year_start_date`."""
    return _UPPER.sub("_", wire_name).lower()


def _served_by(profile: IntegrationProfile, rule: OperationRule | None) -> tuple[str, ...]:
    """The integrations the docs say alone serve the operation, when this one is not among them."""
    if rule is None or not rule.served_by or profile.id in rule.served_by:
        return ()
    return rule.served_by


def _missing_error(
    profile: IntegrationProfile, operation_id: str, missing: list[str], rule: OperationRule | None
) -> ValidationError:
    first, others = missing[0], [python_name(name) for name in missing[1:]]
    also = f" (also missing: {', '.join(others)})" if others else ""
    hint = None
    if first == _COMPANY_ID:
        message = (
            f"{profile.label} needs a companyId for {operation_id}{also}: pass company_id=... (to "
            "the call or the client; client.companies() lists the ids), "
            + _INTERACTIVE.format(what="company")
        )
    elif first == _ENVIRONMENT_NAME:
        hint = "client.auth.get_environments() lists the environments"
        message = (
            f"{profile.label} needs an environmentName for {operation_id}{also}: pass "
            f"environment_name=... ({hint}), " + _INTERACTIVE.format(what="environment")
        )
    else:
        source = f" ({rule.sources[0]})" if rule is not None and rule.sources else ""
        message = (
            f"{operation_id} on {profile.label} needs {python_name(first)}{also}: pass "
            f"{python_name(first)}=...; Maesn's docs require {first} there{source}"
        )
    return ValidationError(message, argument=python_name(first), hint=hint)


def check_call(
    profile: IntegrationProfile,
    *,
    operation_id: str,
    given: Mapping[str, object],
    accepts: frozenset[str],
    interactive_auth: bool,
) -> None:
    """Refuse, before sending, a call the integration's documented rules say cannot work.

    Args:
        profile: the client's integration profile.
        operation_id: the spec's operationId of the call (e.g. "getAccounts").
        given: the query parameters the call sends, by wire name (companyId already resolved
            from the client's default); None values count as not given.
        accepts: the wire names of the parameters the operation declares. A requirement on a
            parameter the operation does not declare is not checked.
        interactive_auth: the account key was connected through the Interactive
            Authentication Flow: companyId and environmentName are not required.

    Raises:
        ValidationError: the operation is served only by another integration (`argument`
            "integration"), or a required parameter is missing (`argument` its Python name,
            e.g. "company_id", "environment_name", "fiscal_year_start_date").
    """
    rule = profile.operation(operation_id)
    if served := _served_by(profile, rule):
        names = " or ".join(repr(name) for name in served)
        source = f" ({rule.sources[0]})" if rule is not None and rule.sources else ""
        raise ValidationError(
            f"{operation_id} is not available on {profile.label}: Maesn's docs say only {names} "
            f"{'serves' if len(served) == 1 else 'serve'} it{source}: call it with an account key connected to {names}, through a "
            f"client created with integration={served[0]!r}",
            argument="integration",
            hint=f"served by {names}",
        )
    required: list[str] = []
    if not interactive_auth:
        required += [
            name
            for name in (_COMPANY_ID, _ENVIRONMENT_NAME)
            if name in profile.required_unless_interactive_auth
        ]
        required += rule.required_unless_interactive_auth if rule is not None else ()
    required += rule.required_parameters if rule is not None else ()
    sent = {name for name, value in given.items() if value is not None}
    missing = [name for name in dict.fromkeys(required) if name in accepts and name not in sent]
    if missing:
        raise _missing_error(profile, operation_id, missing, rule)


def require_company_id(
    profile: IntegrationProfile, company_id: str | None, *, interactive_auth: bool
) -> None:
    """Refuse a task poll (getAsyncTaskInfo) without companyId where the integration needs one."""
    check_call(
        profile,
        operation_id="getAsyncTaskInfo",
        given={_COMPANY_ID: company_id},
        accepts=frozenset({_COMPANY_ID}),
        interactive_auth=interactive_auth,
    )


def _aware(value: datetime, argument: str, shown: object) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            f"{argument}={shown!r} has no time zone, so the instant it means is unknown: pass an "
            "aware datetime (e.g. datetime(2026, 1, 31, 12, 0, tzinfo=datetime.UTC)), a date, or "
            "a string with an offset such as 2026-01-31T12:00:00Z",
            argument=argument,
        )
    return value


def _parse(value: str, argument: str, profile: IntegrationProfile) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        pass
    else:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"{argument}={value!r} is not an ISO 8601 date or timestamp, which {profile.label} "
            f"needs as {profile.timestamp_format}: pass a datetime, a date, or a string such as "
            "2026-01-31T12:00:00Z",
            argument=argument,
        ) from None
    return _aware(moment, argument, value)


def _check_iso(value: str, argument: str) -> None:
    """Refuse a string that is no ISO 8601 date or timestamp (sent as given when it is one)."""
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            parse(value)
        except ValueError:
            continue
        return
    raise ValidationError(
        f"{argument}={value[:60]!r} is not an ISO 8601 date or timestamp: pass a datetime, a "
        "date, or a string such as 2026-01-31T12:00:00Z",
        argument=argument,
    )


def format_timestamp(
    profile: IntegrationProfile, value: datetime | date | str, *, argument: str
) -> str:
    """A timestamp query value (e.g. lastModifiedAt) written as the integration wants it.

    A datetime must be aware (a naive one is refused: its instant is unknown); it is converted to
    UTC. A date means its midnight in UTC. Generic: ISO 8601 in UTC with `Z`, to the second, with
    milliseconds when the value has a fraction (truncated, so no record of that instant is
    skipped). Where the profile states a format (Lexware Office: `YYYY-MM-DDTHH:MM:SSZ`, no
    milliseconds), it is applied, and a string is parsed and rewritten in it; otherwise a string
    that is an ISO 8601 date or timestamp is sent as given (any other string is refused).

    Raises:
        ValidationError: a naive datetime, an unparsable string where a format applies, or a
            value of another type (`argument` names the parameter).
    """
    timespec = _TIMESPECS.get(profile.timestamp_format or "")
    if isinstance(value, str):
        if timespec is None:
            _check_iso(value, argument)
            return value
        moment = _parse(value, argument, profile)
    elif isinstance(value, datetime):
        moment = _aware(value, argument, value)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    else:
        raise ValidationError(
            f"{argument} must be a datetime, a date or an ISO 8601 string, got "
            f"{type(value).__name__} {value!r}",
            argument=argument,
        )
    utc = moment.astimezone(UTC)
    if timespec is None:
        timespec = "milliseconds" if utc.microsecond else "seconds"
    return utc.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _documented_elsewhere(profile: IntegrationProfile, operation_id: str) -> list[str]:
    return [
        other.id
        for other in PROFILES.values()
        if other.id != profile.id
        and (rule := other.operation(operation_id)) is not None
        and rule.supported
    ]


def _not_found_reason(profile: IntegrationProfile, operation_id: str) -> str | None:
    rule = profile.operation(operation_id)
    if served := _served_by(profile, rule):
        return f"Maesn's docs list {operation_id} only for {', '.join(served)}"
    if rule is not None and rule.supported is False:
        return f"Maesn's docs say {profile.label} does not offer {operation_id}"
    if operation_id in WEBHOOK_OPERATIONS and profile.webhooks is not True:
        capable = ", ".join(webhook_integrations())
        if profile.webhooks is False:
            return f"{profile.id} is not in Maesn's list of webhook-capable systems ({capable})"
        return f"Maesn's docs do not list {profile.label} among the webhook-capable systems ({capable})"
    if (rule is None or not rule.supported) and (
        others := _documented_elsewhere(profile, operation_id)
    ):
        return f"Maesn's docs describe {operation_id} for {', '.join(others)}, not for {profile.id or 'this integration'}"
    return None


def not_supported_hint(
    profile: IntegrationProfile, *, operation_id: str, status: int
) -> str | None:
    """What a 404 or 405 Maesn answered to `operation_id` may mean here; None for other statuses.

    404: not found, or not supported by this target system (with what the docs say about the
    operation here); 405: Maesn does not know the account key's target system.
    """
    if status == _HTTP_NOT_FOUND:
        text = (
            f"Maesn answers 404 both for a resource that does not exist and for an operation "
            f"the target system does not support ({profile.label})"
        )
        reason = _not_found_reason(profile, operation_id)
        return f"{text}; {reason}" if reason else text
    if status == _HTTP_METHOD_NOT_ALLOWED:
        text = "Maesn answers 405 when it does not know the account key's target system"
        suggestion = (
            did_you_mean(profile.id, [i.value for i in Integration]) if profile.id else None
        )
        if not profile.known and profile.id:
            return f"{text}; the client was created with integration={profile.id!r}" + (
                f" ({suggestion})" if suggestion else " (`maesn integrations` lists the known ids)"
            )
        return f"{text}: check that the account key was connected to {profile.label}"
    return None


def unknown_integration(integration_id: str) -> UnknownIntegrationWarning:
    """The warning for a client created with an id the table does not know."""
    hint = did_you_mean(integration_id, [i.value for i in Integration])
    return UnknownIntegrationWarning(
        f"integration {integration_id!r} is not in maesn-client's table"
        + (f" ({hint})" if hint else "")
        + f": the client applies the generic rules, so it cannot check {GENERIC_RULES_CANNOT_CHECK}. "
        "`maesn integrations` lists the known ids; an unknown one works for every call",
        integration=integration_id,
        hint=hint,
    )


def status_rules_warning(profile: IntegrationProfile) -> str | None:
    """The warning a wait gives once where the integration's task statuses are not documented.

    None where they are documented, and for an unknown id (its creation warned already).
    """
    if profile.statuses_documented or (profile.id and not profile.known):
        return None
    if not profile.id:
        who = "no integration was given (integration= or MAESN_INTEGRATION)"
    else:
        who = f"Maesn does not document the task statuses of {profile.label}"
    return (
        f"{who}: task statuses are read by the generic rules ({GENERIC_STATUS_RULES}); a status "
        "they cannot read stops the wait with UnexpectedTaskStatusError"
    )


def operation_pages(profile: IntegrationProfile, operation_id: str) -> bool | None:
    """Whether the docs say this integration pages this list operation (None: not documented).

    False ("Support pagination: false", e.g. GET accounts on DATEV Unternehmen Online) means the
    answer holds every item: iterating all pages stops after the first.
    """
    rule = profile.operation(operation_id)
    return None if rule is None else rule.pages
