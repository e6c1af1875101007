"""What `Client` and `AsyncClient` share: configuration, validation and every flow.

Nothing here does I/O. Each public call is a flow (see `_flow.py`) that the sync or async client
drives; the flows build requests with the generated `maesn_api`, retry, and interpret answers.
"""

from __future__ import annotations

import inspect
import logging
import os
import random
import warnings
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import maesn_api
from maesn_api.types import UNSET

from . import _clock
from ._config import ClientConfig, user_agent
from ._exceptions import (
    APIError,
    APITimeoutError,
    ClientClosedError,
    MaesnWarning,
    UnexpectedTaskStatusError,
    ValidationError,
)
from ._export import EntriesFrom, ExportLedger
from ._flow import Emit, Flow, Send, Sleep
from ._models import Task
from ._profiles import Integration, IntegrationProfile, paged_integrations
from ._response import error_from_transport, task_from_response
from ._retry import is_retryable_status, parse_retry_after
from ._status import TaskStatus
from ._validation import check_company_id, check_page, check_task_id, require_company_id
from ._waiting import (
    POLL_BACKOFF,
    WaitOptions,
    failure_error,
    jittered,
)
from ._waiting import not_understood as _not_understood
from ._waiting import timeout_error as _timeout

__all__ = ["BaseClient", "logger"]


_PACKAGE_DIR = str(Path(__file__).parent) + os.sep


def _warn(message: str) -> None:
    """Warn with a MaesnWarning attributed to the first caller outside this package.

    Flows run as generators inside the drivers, so a fixed stacklevel would point into maesn.
    """
    level, frame = 1, inspect.currentframe()
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, MaesnWarning, stacklevel=level)


def _passes(clock: _clock.Clock, delay: float, deadline: float | None) -> bool:
    return deadline is not None and clock.monotonic() + delay > deadline


logger = logging.getLogger("maesn")
LAST_ATTEMPT_SECONDS = 1.0
"""A request made at (or just before) a wait's deadline still gets this long to answer."""
RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
"""Failures worth another try; LocalProtocolError or UnsupportedProtocol would fail again."""
POOL_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=20)
"""20 connections, all kept alive: many concurrent waits queue for them and reuse them instead of
reconnecting (httpx's default opens up to 100 but keeps only 20, so bursts churn connections).
Measured against the sandbox on 2 cores: 500 concurrent polls take ~1 s over 20 connections and
~5 s over 100."""
_LOGGED_WARNINGS_KEPT = 1024


def _task_endpoint() -> ModuleType:
    """The generated getAsyncTaskInfo module, imported at first use.

    Any maesn_api.api module imports maesn_api.models, whose __init__ imports every generated
    model (about 400 for the published spec): `import maesn` must not pay for that.
    """
    from maesn_api.api.accounting import get_async_task_info  # noqa: PLC0415

    return get_async_task_info


class BaseClient:
    """Configuration, validation and the flows behind every public call."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        account_key: str | None = None,
        integration: Integration | str,
        company_id: str | None = None,
        interactive_auth: bool = False,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        strict_status: bool = True,
    ) -> None:
        self._config = ClientConfig.create(
            api_key=api_key,
            account_key=account_key,
            integration=integration,
            company_id=company_id,
            interactive_auth=interactive_auth,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            strict_status=strict_status,
        )
        self._redact = self._config.redactor()
        self._random = random.Random()  # noqa: S311 - jitter, not cryptography
        self._logged_warnings: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._closed = False
        self._api = maesn_api.Client(
            base_url=self._config.base_url,
            timeout=httpx.Timeout(self._config.timeout),
            headers={"User-Agent": user_agent()},
            raise_on_unexpected_status=False,
            httpx_args={"limits": POOL_LIMITS},
        )

    @property
    def integration(self) -> Integration:
        """The integration this client's account key belongs to."""
        return self._config.integration

    @property
    def profile(self) -> IntegrationProfile:
        """The integration's rules (statuses, companyId, paging)."""
        return self._config.profile

    @property
    def base_url(self) -> str:
        """Where requests go."""
        return self._config.base_url

    @property
    def company_id(self) -> str | None:
        """The companyId sent when a call does not pass its own."""
        return self._config.company_id

    def __repr__(self) -> str:
        c = self._config
        return (
            f"{type(self).__name__}(integration={c.integration.value!r}, base_url={c.base_url!r}, "
            f"company_id={c.company_id!r}, interactive_auth={c.interactive_auth}, "
            "api_key='***', account_key='***')"
        )

    # -- building requests -------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError(
                f"this {type(self).__name__} was closed: create a new one (or use it in a "
                "`with` block that covers every call)"
            )

    def _company_for_call(self, company_id: object) -> str | None:
        """The call's companyId, else the client's; refused where the integration needs one."""
        resolved = check_company_id(company_id) or self._config.company_id
        require_company_id(self.profile, resolved, interactive_auth=self._config.interactive_auth)
        return resolved

    def _task_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        task_id: object,
        page: object,
        company_id: object,
    ) -> tuple[str, httpx.Request]:
        """Validate the arguments and build the GET request; raises before anything is sent."""
        checked_id = check_task_id(task_id)
        checked_page = check_page(self.profile, page)
        resolved_company = self._company_for_call(company_id)
        kwargs: dict[str, Any] = _task_endpoint()._get_kwargs(  # noqa: SLF001
            checked_id,
            page=UNSET if checked_page is None else checked_page,
            company_id=UNSET if resolved_company is None else resolved_company,
            x_api_key=self._config.api_key.reveal(),
            x_account_key=self._config.account_key.reveal(),
        )
        return checked_id, http.build_request(**kwargs)

    # -- flows -------------------------------------------------------------------------------

    def _send_flow(
        self, request: httpx.Request, *, deadline: float | None = None
    ) -> Flow[tuple[httpx.Response, int]]:
        """Send with retries; return the final response and the number of attempts.

        With a `deadline` (a monotonic time), a retry that would sleep past it is not made, and
        each attempt may take only the time left (at least LAST_ATTEMPT_SECONDS), not the whole
        request timeout.
        """
        clock = _clock.current()
        policy = self._config.retry
        path = self._redact(request.url.raw_path.decode("ascii", errors="replace"))
        attempt = 0
        while True:
            attempt += 1
            started = clock.monotonic()
            if deadline is not None:
                allowed = min(self._config.timeout, max(deadline - started, LAST_ATTEMPT_SECONDS))
                request.extensions["timeout"] = httpx.Timeout(allowed).as_dict()
            result = yield Send(request)
            elapsed_ms = (clock.monotonic() - started) * 1000
            if isinstance(result, httpx.HTTPError):
                logger.debug(
                    "GET %s -> %s (attempt %d, %.1f ms)",
                    path,
                    type(result).__name__,
                    attempt,
                    elapsed_ms,
                )
                retryable = isinstance(result, RETRYABLE_TRANSPORT_ERRORS)
                delay = policy.delay(attempt, rng=self._random) if retryable else None
                if delay is None or _passes(clock, delay, deadline):
                    raise error_from_transport(result, attempts=attempt, redact=self._redact)
            else:
                response: httpx.Response = result
                logger.debug(
                    "GET %s -> %d (attempt %d, %.1f ms)",
                    path,
                    response.status_code,
                    attempt,
                    elapsed_ms,
                )
                if not is_retryable_status(response.status_code):
                    return response, attempt
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                delay = policy.delay(attempt, retry_after=retry_after, rng=self._random)
                if delay is None or _passes(clock, delay, deadline):
                    return response, attempt
            yield Sleep(delay)

    def _fetch_flow(
        self,
        http: httpx.Client | httpx.AsyncClient,
        task_id: object,
        *,
        page: object = None,
        company_id: object = None,
        deadline: float | None = None,
    ) -> Flow[tuple[Task, float | None]]:
        """One poll: the task, and the Retry-After (seconds) the server sent with it, if any."""
        checked_id, request = self._task_request(http, task_id, page, company_id)
        response, attempts = yield from self._send_flow(request, deadline=deadline)
        task = task_from_response(
            response,
            task_id=checked_id,
            integration=self.integration,
            attempts=attempts,
            redact=self._redact,
        )
        self._check_status(task)
        self._log_warnings(task)
        return task, parse_retry_after(response.headers.get("Retry-After"))

    def _get_task_flow(
        self,
        http: httpx.Client | httpx.AsyncClient,
        task_id: object,
        *,
        page: object = None,
        company_id: object = None,
    ) -> Flow[Task]:
        task, _ = yield from self._fetch_flow(http, task_id, page=page, company_id=company_id)
        return task

    def _wait_flow(
        self,
        http: httpx.Client | httpx.AsyncClient,
        task_id: object,
        options: WaitOptions,
    ) -> Flow[Task]:
        """Poll until the profile says the task is done, within the deadline."""
        _task_endpoint()  # the one-time import of the generated models is not part of the wait
        clock = _clock.current()
        started = clock.monotonic()
        deadline = started + options.timeout
        interval = options.poll_interval
        polls = 0
        previous: Task | None = None
        while True:
            # A failing poll raises its APIError; its retries never sleep past the deadline, and
            # a poll cut short by the deadline ends the wait as a timeout.
            try:
                task, retry_after = yield from self._fetch_flow(
                    http, task_id, company_id=options.company_id, deadline=deadline
                )
            except APITimeoutError as exc:
                if previous is None or clock.monotonic() < deadline:
                    raise
                raise _timeout(previous, clock.monotonic() - started, polls, options) from exc
            polls += 1
            if options.on_poll is not None:
                options.on_poll(task)
            if options.on_update is not None and (
                previous is None or task.status != previous.status
            ):
                options.on_update(task)
            previous = task
            if task.outcome is None:
                raise _not_understood(task)
            if task.outcome.is_done:
                if task.outcome.is_success or not options.raise_on_failure:
                    return task
                raise failure_error(task)
            remaining = deadline - clock.monotonic()
            if remaining <= 0:
                raise _timeout(task, clock.monotonic() - started, polls, options)
            # Retry-After can only lengthen a wait: a 0 or a past date must not make it spin.
            wanted = max(retry_after or 0.0, jittered(interval, self._random))
            yield Sleep(min(wanted, remaining))
            interval = min(options.max_interval, interval * POLL_BACKOFF)

    def _export_flow(
        self,
        http: httpx.Client | httpx.AsyncClient,
        task_id: object,
        *,
        start_page: object,
        company_id: object,
        entries_from: EntriesFrom,
    ) -> Flow[None]:
        """Check an export's arguments now, before any request; return the flow of its pages."""
        first = self._export_start(task_id, start_page, company_id)
        return self._pages_flow(
            http, task_id, start_page=first, company_id=company_id, entries_from=entries_from
        )

    def _export_start(self, task_id: object, start_page: object, company_id: object) -> int:
        check_task_id(task_id)
        if not self.profile.pagination:
            raise ValidationError(
                f"{self.profile.name} ({self.integration.value!r}) tasks have no pages: use "
                f"get_task (only {paged_integrations()} results are paged)"
            )
        self._company_for_call(company_id)
        first_page = check_page(self.profile, start_page)
        if first_page is None:
            raise ValidationError("start_page must be an int >= 1, got None")
        return first_page

    def _pages_flow(
        self,
        http: httpx.Client | httpx.AsyncClient,
        task_id: object,
        *,
        start_page: int,
        company_id: object,
        entries_from: EntriesFrom,
    ) -> Flow[None]:
        """Emit the export's pages from `start_page` to the last, checking nothing is lost."""
        ledger = ExportLedger(self.profile, start_page)
        number = start_page
        while True:
            try:
                task = yield from self._get_task_flow(
                    http, task_id, page=number, company_id=company_id
                )
            except APIError as exc:
                raise ledger.fetch_failed(task_id, number, exc) from exc
            page = ledger.accept(task, number, entries_from)
            yield Emit(page)
            if ledger.finished(page):
                return
            number += 1

    # -- interpreting tasks ------------------------------------------------------------------

    def _check_status(self, task: Task) -> None:
        if not isinstance(task.status, TaskStatus):
            _warn(
                f"task {task.task_id!r} reports the status {task.status!r}, which the pinned spec "
                "does not list: it is kept as a raw string. Maesn may have added it; upgrade "
                "maesn-client when a release knows it."
            )
            return
        if task.outcome is not None:
            return
        allowed = ", ".join(sorted(self.profile.statuses))
        message = (
            f"task {task.task_id!r} reports {task.status.value}, which {self.profile.name} "
            f"({self.integration.value!r}) never reports (it reports {allowed}). The client may be "
            "configured with the wrong integration for this account key: check integration=..."
        )
        if self._config.strict_status:
            raise UnexpectedTaskStatusError(message, task=task)
        _warn(message)

    def _log_warnings(self, task: Task) -> None:
        for text in task.warnings:
            key = (task.task_id, text)
            if key in self._logged_warnings:
                continue
            self._logged_warnings[key] = None
            if len(self._logged_warnings) > _LOGGED_WARNINGS_KEPT:
                self._logged_warnings.popitem(last=False)
            logger.warning("task %s: Maesn warns: %s", task.task_id, self._redact(text))
