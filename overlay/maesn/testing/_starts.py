"""Calls that start tasks: accounts, what the next started task does, and the answers' bodies.

An account key belongs to one end user on one target system (its integration), as at Maesn; the
integration's profile decides the companyId rule and the lifecycle of the tasks its calls start.
`StartRule`s (`Sandbox.on_start`) say how the next started tasks behave, or that a call completes
at once (a 201 with the created object and no task id).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from maesn._profiles import Integration, IntegrationProfile, profile_for
from maesn._status import TaskStatus

from ._answers import answer
from ._routes import Route

__all__ = [
    "DEFAULT_COMPANIES",
    "DEFAULT_EXPORT_ENTRIES",
    "Account",
    "StartRule",
    "body_problems",
    "companies_body",
    "started_body",
]

DEFAULT_COMPANIES = ("c-sandbox-1", "c-sandbox-2")
"""The companyIds `GET /auth/companies` lists unless the sandbox is given others."""

_CREATED = 201

DEFAULT_EXPORT_ENTRIES = 120_000
"""Entries of an export a read starts, unless `Sandbox.on_start(entries=...)` says otherwise."""


@dataclass(frozen=True, kw_only=True)
class Account:
    """What an account key is connected to."""

    integration: Integration | str
    interactive_auth: bool
    webhook_arrays: bool = False
    """Webhook deliveries to its subscriptions carry a JSON array of events."""

    @property
    def profile(self) -> IntegrationProfile:
        """The rules of the account's integration (generic for an id the table does not know)."""
        return profile_for(self.integration)


@dataclass(kw_only=True)
class StartRule:
    """How the next `remaining` started tasks (of `operation`, or any) behave."""

    operation: str | None
    remaining: int
    synchronous: bool
    lifecycle: Sequence[TaskStatus | str] | None
    response_data: Any
    entries: int | None
    information: Sequence[Mapping[str, str]] | None
    warnings: Sequence[str]

    def matches(self, operation: str) -> bool:
        """True when a call of `operation` gets this rule."""
        return self.remaining > 0 and self.operation in {None, operation}


def companies_body(route: Route, company_ids: Sequence[str]) -> bytes:
    """The body of `GET /auth/companies`: a `CompanyResponseDto` for each company."""
    assert route.facts is not None  # noqa: S101 - every generated route has its facts
    body, _ = answer(
        route.facts,
        200,
        [
            {"id": company_id, "name": f"Sandbox company {number}"}
            for number, company_id in enumerate(company_ids, start=1)
        ],
    )
    return body


def started_body(route: Route, task_id: str | None, record: Mapping[str, Any]) -> tuple[int, bytes]:
    """The answer of a task-starting call: 202 `{taskId}`, or 201 with the created object.

    `task_id` None: the call completed at once (a 201 with the created object, taskId null).
    """
    assert route.facts is not None  # noqa: S101 - every generated route has its facts
    if task_id is None:
        return _CREATED, answer(route.facts, _CREATED, {**record, "taskId": None})[0]
    status = route.task_status or _CREATED
    if status == _CREATED:
        return status, answer(route.facts, status, {**record, "taskId": task_id})[0]
    return status, answer(route.facts, status, {"taskId": task_id})[0]


def body_problems(route: Route, content_type: str, body: bytes) -> list[dict[str, str]]:
    """What is wrong with a request body, as `validationErrors` entries (empty: nothing)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if route.body == "json":
        if media != "application/json":
            return [
                {
                    "field": "body",
                    "message": f"send JSON (Content-Type application/json), got {media or 'none'!r}",
                }
            ]
        try:
            import json  # noqa: PLC0415 - only for this check

            value = json.loads(body)
        except ValueError:
            return [{"field": "body", "message": "the body is not valid JSON"}]
        if not isinstance(value, dict | list):
            return [{"field": "body", "message": "the body must be a JSON object"}]
    elif route.body == "multipart":
        boundary = next(
            (
                part.split("=", 1)[1].strip().strip('"')
                for part in content_type.split(";")[1:]
                if part.strip().lower().startswith("boundary=")
            ),
            "",
        )
        if media != "multipart/form-data" or not boundary:
            return [
                {
                    "field": "body",
                    "message": f"send multipart/form-data with a boundary, got {media or 'none'!r}",
                }
            ]
    return []
