"""What to do about an error answer, in the terms of what the call used: a pure function.

`status_hint(404, task_id="t-1")` names the task id (and the companyId sent with it);
`status_hint(404, operation="get_accounts", integration="datev-rewe")` names the operation and the
integration; with neither, the hint names neither: a call without a task id is never told to
check one. None means the status's general advice applies (the table in `_exceptions.py`).

Maesn documents 404 as "not found or not supported by the target system" and 405 as "target
system not found"; which target system answers is decided by the account key, not by the
client's `integration`, so a hint that names the integration asks whether the key belongs to it.
"""

from __future__ import annotations

__all__ = ["status_hint"]


def _belongs(integration: str | None, what: str) -> str:
    """The clause asking whether the account key is `integration`'s and it supports `what`."""
    if integration is None:
        return f"and that the account key's target system supports {what}"
    return (
        f"and that the account key belongs to {integration!r} (the client's integration) and "
        f"{integration!r} supports {what}"
    )


def _not_found(
    operation: str | None, task_id: str | None, integration: str | None, company_id: str | None
) -> str:
    if task_id is not None:
        company = f" and companyId {company_id!r}" if company_id is not None else ""
        return (
            f"no task {task_id!r} for this account key{company}: check the task id, and that the "
            "account key and companyId are those of the call that started the task"
        )
    if operation is not None:
        return (
            f"{operation} found nothing, or the target system does not serve it: check the ids "
            f"passed to {operation}, {_belongs(integration, operation)}"
        )
    return (
        "nothing was found, or the target system does not serve this request: check the ids in "
        f"the path, {_belongs(integration, 'this call')}"
    )


def status_hint(
    status_code: int,
    *,
    operation: str | None = None,
    task_id: str | None = None,
    integration: str | None = None,
    company_id: str | None = None,
) -> str | None:
    """A hint for a `status_code` answer that names what the call used, or None.

    Args:
        status_code: the answer's HTTP status.
        operation: the operation called (`get_accounts`), when the call was one.
        task_id: the task id asked for, when the call read a task.
        integration: the client's integration id (`datev-rewe`).
        company_id: the companyId the call sent, if any.
    """
    if status_code == 404:  # noqa: PLR2004 - HTTP status codes read best as numbers
        return _not_found(operation, task_id, integration, company_id)
    if status_code == 405:  # noqa: PLR2004
        key = (
            f"check that the account key belongs to {integration!r} and is still connected"
            if integration is not None
            else "check that the account key is connected to a target system"
        )
        return f"the account key's target system was not found: {key}"
    if status_code == 400 and operation is not None:  # noqa: PLR2004
        return f"check the arguments of {operation} against validation_errors"
    return None
