"""The integrations' documented rules, applied to a call before it is sent (interim version).

`check_call` refuses a call the integration's profile says cannot succeed; `format_timestamp`
writes a timestamp the way the integration wants it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ._exceptions import ValidationError
from ._profiles import IntegrationProfile

__all__ = ["check_call", "format_timestamp", "operation_pages"]


def operation_pages(profile: IntegrationProfile, operation_id: str) -> bool | None:  # noqa: ARG001
    """Whether the docs say this integration pages this list operation (None: not documented)."""
    return None


def check_call(
    profile: IntegrationProfile,
    *,
    operation_id: str,
    given: Mapping[str, object],
    accepts: frozenset[str],
    interactive_auth: bool,
) -> None:
    """Refuse a call without a companyId where the integration needs one."""
    if (
        "companyId" in accepts
        and given.get("companyId") is None
        and profile.company_id_required
        and not interactive_auth
    ):
        raise ValidationError(
            f"{operation_id}: {profile.name} ({profile.integration.value!r}) needs a companyId: "
            "pass company_id=... (to the call or the client; client.companies() lists the ids), "
            "or create the client with interactive_auth=True if the account key was connected "
            "through Maesn's Interactive Authentication Flow",
            argument="company_id",
        )


def format_timestamp(
    profile: IntegrationProfile,  # noqa: ARG001 - per-integration formats come with the table
    value: object,
    *,
    argument: str,
    operation: str,
) -> str:
    """An ISO 8601 timestamp in UTC (`Z`), from an aware datetime, a date or an ISO string."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(
                f"{operation}(): {argument} is a naive datetime ({value.isoformat()}): pass a "
                "timezone-aware one, e.g. datetime.now(UTC)",
                argument=argument,
            )
        utc = value.astimezone(dt.UTC)
        text = utc.strftime("%Y-%m-%dT%H:%M:%S")
        if utc.microsecond:
            text += f".{utc.microsecond // 1000:03d}"
        return text + "Z"
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    if isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                f"{operation}(): {argument} must be an ISO 8601 timestamp, got {value[:60]!r}",
                argument=argument,
            ) from None
        return value
    raise ValidationError(
        f"{operation}(): {argument} must be a datetime, a date or an ISO 8601 string, got "
        f"{type(value).__name__}",
        argument=argument,
    )
