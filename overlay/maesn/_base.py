"""What `Client` and `AsyncClient` share: configuration, validation and every flow.

Nothing here does I/O. Each public call is a flow (see `_flow.py`) that the sync or async client
drives through its `Connection`; requests are built here from the configuration (one URL string,
headers merged once), sent and retried by `_sending.send_flow`, and interpreted by `_response`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import random
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Self, Unpack
from urllib.parse import quote, urlencode

import httpx

from . import _clock
from ._calls import CallContext, PreparedCall, as_plain_call, interpret, prepare_call
from ._config import DEFAULT_MAX_RESPONSE_BYTES, ClientConfig, ClientOptions, user_agent
from ._errors import never_reported
from ._exceptions import (
    ClientClosedError,
    ValidationError,
)
from ._exceptions import warn as _warn
from ._export import EntriesFrom, check_page_exists, pages_flow
from ._flow import Connection, Flow
from ._models import Task
from ._operations import Operation
from ._profiles import Integration, IntegrationProfile, paged_integrations
from ._raw import RawResponse
from ._redaction import Redactor, Secret, guard_logs
from ._resource import CallMode
from ._response import task_from_response
from ._retry import parse_retry_after
from ._rules import require_company_id, status_rules_warning
from ._sending import send_flow
from ._status import TaskStatus
from ._validation import (
    check_at_least,
    check_company_id,
    check_page,
    check_task_id,
)
from ._waiting import BatchWaitKeywords, Fetch, WaitOptions, wait_flow, wait_many_flow

if TYPE_CHECKING:
    import maesn_api

__all__ = ["BaseClient", "logger"]


logger = logging.getLogger("maesn")
POOL_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=20)
"""20 connections, all kept alive: many concurrent waits queue for them and reuse them instead of
reconnecting (httpx's default opens up to 100 but keeps only 20, so bursts churn connections).
Measured against the sandbox on 2 cores: 500 concurrent polls take ~1 s over 20 connections and
~5 s over 100. An AsyncClient keeps at most this many requests in flight (see `Connection`)."""
_LOGGED_WARNINGS_KEPT = 1024
_TASK_PATH = "/accounting/asyncTask/"


def _held_page(first_page: object, task_id: str) -> Task | None:
    """`first_page` checked: None, or a Task of `task_id` (a wait's or a get's answer)."""
    if first_page is None:
        return None
    if not isinstance(first_page, Task):
        raise ValidationError(
            f"first_page must be the maesn.Task a wait (or get_task) returned, got "
            f"{type(first_page).__name__}",
            argument="first_page",
        )
    if first_page.task_id != task_id:
        raise ValidationError(
            f"first_page is task {first_page.task_id!r}, not {task_id!r}: pass the Task the "
            "wait for this task returned",
            argument="first_page",
        )
    return first_page


def _page_number(task: Task) -> int | None:
    return task.pagination.current_page if task.pagination is not None else None


class BaseClient:
    """Configuration, validation and the flows behind every public call."""

    _http_type: type[httpx.Client | httpx.AsyncClient] = httpx.Client

    def __init__(
        self,
        *,
        api_key: str | None = None,
        account_key: str | None = None,
        integration: Integration | str | None = None,
        company_id: str | None = None,
        environment_name: str | None = None,
        interactive_auth: bool = False,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        strict_status: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: httpx.Client | httpx.AsyncClient | None = None,
        _config: ClientConfig | None = None,
        _connection: Connection | None = None,
    ) -> None:
        self._config = _config or ClientConfig.create(
            api_key=api_key,
            account_key=account_key,
            integration=integration,
            company_id=company_id,
            environment_name=environment_name,
            interactive_auth=interactive_auth,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            strict_status=strict_status,
            max_response_bytes=max_response_bytes,
        )
        if http_client is not None and not isinstance(http_client, self._http_type):
            raise ValidationError(
                f"http_client must be an {self._http_type.__module__}.{self._http_type.__name__}"
                f" for {type(self).__name__}, got {type(http_client).__name__}"
            )
        self._random = random.Random()  # noqa: S311 - jitter, not cryptography
        self._logged_warnings: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._statuses_warned = False
        self._closed = False
        self._api: maesn_api.Client | None = None  # built when `api_client` is first read
        self._connection = self._connect(http_client, _connection)
        self._configured()

    def _connect(
        self,
        http_client: httpx.Client | httpx.AsyncClient | None,
        shared: Connection | None = None,
    ) -> Connection:
        """The pool to send through: the user's client (never closed by maesn), or a new one.

        A `with_options` copy (`shared`) sends through the original's pool and in-flight cap.
        """
        if shared is not None:
            self._owns_http = False
            return Connection(shared.http, share=shared)
        self._owns_http = http_client is None
        if http_client is not None:
            return Connection(http_client)
        # What the generated client's get_httpx_client() builds, without importing it (and
        # attrs) for a client that never reads `api_client`.
        options: dict[str, Any] = {
            "base_url": self._config.base_url,
            "timeout": httpx.Timeout(self._config.timeout),
            "headers": {"User-Agent": user_agent()},
            "follow_redirects": False,
            "limits": POOL_LIMITS,
        }
        if self._http_type is httpx.Client:
            return Connection(httpx.Client(**options))
        return Connection(httpx.AsyncClient(**options), max_in_flight=POOL_LIMITS.max_connections)

    def _configured(self) -> None:
        """Derive what each request needs from the configuration, once (not per request)."""
        config = self._config
        self._redact = config.redactor()
        guard_logs(self._redact)  # httpx's and httpcore's log records lose the keys too
        headers = httpx.Headers(self._connection.http.headers)
        headers["User-Agent"] = user_agent()
        headers["X-API-KEY"] = config.api_key.reveal()
        headers["X-ACCOUNT-KEY"] = config.account_key.reveal()
        self._headers = headers
        self._task_url = config.base_url + _TASK_PATH
        self._exclusive_key = (
            hashlib.sha256(f"{config.base_url}\0{config.account_key.reveal()}".encode()).hexdigest()
            if config.profile.single_request
            else None
        )
        self._context = CallContext(
            base_url=config.base_url,
            headers=headers,
            profile=config.profile,
            company_id=config.company_id,
            environment_name=config.environment_name,
            interactive_auth=config.interactive_auth,
            redact=self._redact,
        )

    def with_options(self, **options: Unpack[ClientOptions]) -> Self:
        """A client with some settings changed, sharing this one's connection pool.

        Takes the settings of `maesn.ClientOptions` (`api_key`, `account_key`, `company_id`,
        `environment_name`, `timeout`, `max_retries`, `strict_status`, `max_response_bytes`;
        None keeps the current value): for example
        `client.with_options(timeout=5, max_retries=0).get_task(task_id)`. The copy is built
        through the constructor from this client's configuration and does not own the pool:
        closing it marks only the copy closed; closing the original closes the pool for every
        copy. The integration, base URL and http_client cannot change (create a new client for
        another integration or server).
        """
        self._check_open()
        return type(self)(_config=self._config.replace(**options), _connection=self._connection)

    copy = with_options
    """The same as `with_options` (openai-python offers both names)."""

    @property
    def integration(self) -> Integration | str | None:
        """The integration this client's account key belongs to.

        A `maesn.Integration` member for a known id, the id itself for another one, None when
        none was given.
        """
        return self._config.integration

    @property
    def profile(self) -> IntegrationProfile:
        """The integration's rules (statuses, companyId, paging...); generic for an unknown id."""
        return self._config.profile

    @property
    def base_url(self) -> str:
        """Where requests go."""
        return self._config.base_url

    @property
    def company_id(self) -> str | None:
        """The companyId sent when a call does not pass its own."""
        return self._config.company_id

    @property
    def environment_name(self) -> str | None:
        """The environmentName sent when a call does not pass its own (Business Central)."""
        return self._config.environment_name

    def __repr__(self) -> str:
        c = self._config
        return (
            f"{type(self).__name__}(integration={self.profile.id or None!r}, "
            f"base_url={c.base_url!r}, "
            f"company_id={c.company_id!r}, interactive_auth={c.interactive_auth}, "
            "api_key='***', account_key='***')"
        )

    # -- the whole API: client.<resource>.<operation>(...) (maesn_resources, generated) ---------

    @property
    def api_client(self) -> maesn_api.Client:
        """The generated `maesn_api.Client` this client is built on.

        It holds the base URL, User-Agent and connection pool, not the keys: pass `x_api_key=`
        and `x_account_key=` to generated functions you call with it directly.
        """
        if self._api is None:
            import maesn_api  # noqa: PLC0415 - its client class (and attrs) load on first use

            api = maesn_api.Client(
                base_url=self._config.base_url,
                timeout=httpx.Timeout(self._config.timeout),
                headers={"User-Agent": user_agent()},
                raise_on_unexpected_status=False,
                httpx_args={"limits": POOL_LIMITS},
            )
            http = self._connection.http
            if isinstance(http, httpx.Client):
                api.set_httpx_client(http)
            else:
                api.set_async_httpx_client(http)
            self._api = api
        return self._api

    def _prepare(
        self, operation: Operation, arguments: dict[str, Any], mode: CallMode
    ) -> PreparedCall:
        """Check a call (arguments, the integration's rules) and build its request.

        A credential passed as an argument (another account key to `auth.test`, a token) is
        redacted like the client's own keys from every text the call produces, httpx's log
        lines included.
        """
        self._check_open()
        secrets = [
            Secret(value)
            for parameter in operation.parameters
            if parameter.secret
            and isinstance(value := arguments.get(parameter.name), str)
            and value
        ]
        context = self._context
        if secrets:
            config = self._config
            redactor = Redactor([config.api_key, config.account_key, *secrets])
            guard_logs(redactor)
            context = dataclasses.replace(context, redact=redactor)
        return prepare_call(operation, arguments, context, mode=mode)

    def _call_flow(self, call: PreparedCall) -> Flow[Any]:
        """Send one operation's request and interpret the answer (a raw call: keep it whole)."""
        response, attempts = yield from self._send_flow(call.request, redact=call.redact)
        if call.mode == "raw":
            plain = as_plain_call(call)
            return RawResponse(
                response,
                operation=call.operation,
                parse=lambda: self._deliver(plain, self._interpret(plain, response, attempts)),
                redact=call.redact,
            )
        return self._interpret(call, response, attempts)

    def _interpret(self, call: PreparedCall, response: httpx.Response, attempts: int) -> Any:
        return interpret(
            call,
            response,
            attempts=attempts,
            redact=call.redact,
            profile=self.profile,
        )

    def _deliver(self, call: PreparedCall, result: Any) -> Any:
        """What the caller gets for an interpreted answer (handles, pages): per client."""
        raise NotImplementedError

    # -- building requests -------------------------------------------------------------------

    def _check_open(self) -> Connection:
        """This client's connection, unless the client (or the pool) was closed."""
        if self._closed:
            raise ClientClosedError(
                f"this {type(self).__name__} was closed: create a new one (or use it in a "
                "`with` block that covers every call)"
            )
        self._connection.check_open()
        return self._connection

    def _company_for_call(self, company_id: object) -> str | None:
        """The call's companyId, else the client's; refused where the integration needs one."""
        resolved = check_company_id(company_id) or self._config.company_id
        require_company_id(self.profile, resolved, interactive_auth=self._config.interactive_auth)
        return resolved

    def _task_request(
        self, task_id: object, page: object, company_id: object
    ) -> tuple[str, httpx.Request]:
        """Validate the arguments and build the GET request; raises before anything is sent.

        Built from one URL string and the headers merged once per client: httpx's build_request
        (merging headers and params per call) was most of a poll's overhead. The task id is
        always exactly one path segment (every reserved character percent-encoded).
        """
        checked_id = check_task_id(task_id)
        checked_page = check_page(self.profile, page)
        resolved_company = self._company_for_call(company_id)
        url = self._task_url + quote(checked_id, safe="")
        query = {}
        if checked_page is not None:
            query["page"] = str(checked_page)
        if resolved_company is not None:
            query["companyId"] = resolved_company
        if query:
            url += "?" + urlencode(query, quote_via=quote)
        return checked_id, httpx.Request("GET", url, headers=self._headers)

    # -- flows -------------------------------------------------------------------------------

    def _send_flow(
        self,
        request: httpx.Request,
        *,
        deadline: float | None = None,
        redact: Callable[[str], str] | None = None,
    ) -> Flow[tuple[httpx.Response, int]]:
        """`send_flow` with this client's retry policy, timeout, size limit and redactor.

        On an integration that allows one running request per connection (the profile's
        `single_request`: AbaConnect), requests with this account key are sent one at a time
        across every client of the process, each waiting its turn within its own deadline.
        """
        return send_flow(
            request,
            policy=self._config.retry,
            clock=_clock.current(),
            rng=self._random,
            redact=redact or self._redact,
            deadline=deadline,
            timeout=self._config.timeout,
            max_bytes=self._config.max_response_bytes,
            exclusive_key=self._exclusive_key,
        )

    def _fetch_flow(
        self,
        task_id: object,
        *,
        page: object = None,
        company_id: object = None,
        deadline: float | None = None,
    ) -> Flow[tuple[Task, float | None]]:
        """One poll: the task, and the Retry-After (seconds) the server sent with it, if any."""
        checked_id, request = self._task_request(task_id, page, company_id)
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
        self, task_id: object, *, page: object = None, company_id: object = None
    ) -> Flow[Task]:
        task, _ = yield from self._fetch_flow(task_id, page=page, company_id=company_id)
        if isinstance(page, int) and self.profile.pagination:
            check_page_exists(task, page)
        return task

    # -- wiring the wait and export flows (_waiting.py, _export.py) ----------------------------

    def _poller(self, task_id: str, company_id: str | None) -> Fetch:
        """One poll of `task_id` as the `fetch` sub-flow a wait flow takes."""

        def fetch(deadline: float | None) -> Flow[tuple[Task, float | None]]:
            self._check_open()  # a batch iterator may be resumed after close()
            return self._fetch_flow(task_id, company_id=company_id, deadline=deadline)

        return fetch

    def _wait_flow(
        self,
        task_id: object,
        options: WaitOptions,
        *,
        started: float | None = None,
    ) -> Flow[Task]:
        checked = check_task_id(task_id)
        fetch = self._poller(checked, options.company_id)
        return wait_flow(fetch, options, clock=_clock.current(), rng=self._random, started=started)

    @staticmethod
    def _task_ids(task_ids: object) -> list[str]:
        """Every task id of a batch wait, checked before any request."""
        if isinstance(task_ids, str | bytes) or not isinstance(task_ids, Iterable):
            raise ValidationError(
                f"task_ids must be an iterable of task id strings, got {type(task_ids).__name__} "
                f"{task_ids!r:.60}: pass [task_id] to wait for one task"
            )
        return [check_task_id(task_id) for task_id in task_ids]

    def _wait_many(
        self,
        task_ids: object,
        *,
        concurrency: object,
        return_exceptions: object,
        options: BatchWaitKeywords,
    ) -> Flow[None]:
        """A batch wait's flow, its arguments (and every task id) checked before any request."""
        checked = WaitOptions.create(**options)
        ids = self._task_ids(task_ids)
        cap = check_at_least("concurrency", concurrency, 1)
        return wait_many_flow(
            ids,
            lambda task_id: self._poller(task_id, checked.company_id),
            checked,
            clock=_clock.current(),
            rng=self._random,
            concurrency=cap,
            return_exceptions=bool(return_exceptions),
        )

    def _export_flow(
        self,
        task_id: object,
        *,
        start_page: object,
        company_id: object,
        entries_from: EntriesFrom,
        first_page: object = None,
    ) -> Flow[None]:
        """Check an export's arguments now, before any request; return the flow of its pages."""
        checked = check_task_id(task_id)
        held = _held_page(first_page, checked)
        if not self.profile.pagination:
            raise ValidationError(
                f"{self.profile.label} tasks have no pages: use "
                f"get_task (only {paged_integrations()} results are paged)"
            )
        self._company_for_call(company_id)
        first = check_page(self.profile, start_page)
        if first is None:
            raise ValidationError("start_page must be an int >= 1, got None")

        def fetch_page(number: int) -> Flow[Task]:
            self._check_open()  # an export iterator may be resumed after close()
            task, _ = yield from self._fetch_flow(checked, page=number, company_id=company_id)
            return task

        return pages_flow(
            fetch_page,
            profile=self.profile,
            task_id=checked,
            start_page=first,
            entries_from=entries_from,
            redact=self._redact,
            first=held if held is not None and _page_number(held) == first else None,
        )

    # -- interpreting tasks ------------------------------------------------------------------

    def _check_status(self, task: Task) -> None:
        if not self._statuses_warned and (note := status_rules_warning(self.profile)):
            self._statuses_warned = True
            _warn(note)
        if not isinstance(task.status, TaskStatus):
            _warn(
                f"task {task.task_id!r} reports the status {task.status!r}, which the pinned spec "
                "does not list: it is kept as a raw string. Maesn may have added it; upgrade "
                "maesn-client when a release knows it."
            )
            return
        if task.outcome is not None:
            return
        error = never_reported(task, self.profile.label, self.profile.statuses)
        if self._config.strict_status:
            raise error
        _warn(str(error))

    def _log_warnings(self, task: Task) -> None:
        for text in task.warnings:
            key = (task.task_id, text)
            if key in self._logged_warnings:
                continue
            self._logged_warnings[key] = None
            if len(self._logged_warnings) > _LOGGED_WARNINGS_KEPT:
                self._logged_warnings.popitem(last=False)
            logger.warning("task %s: Maesn warns: %s", task.task_id, self._redact(text))
