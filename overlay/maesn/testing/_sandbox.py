"""A local Maesn: a real HTTP server on 127.0.0.1 serving every operation of Maesn's API.

Every operation of the generated layer is routed from its facts (`_routes.py`: method, path,
parameters, declared answers), so an operation added upstream is served after regenerating:

- records (`_crud.py`): creates store, gets and lists read back (paged, filtered by
  `lastModifiedAt`), updates change, deletes remove, per account key and companyId; seeded with
  `Sandbox.seed` (checked against the published spec) or `Sandbox.seed_demo`;
- every answer is shaped to the operation's response schema in Maesn's published spec
  (`_answers.py`, `_schemas.py`), so it is valid by it;
- webhooks: `POST /webhooks` (and `/webhooks/user`, ...) subscribe, `DELETE /webhooks/{id}`
  unsubscribes; a create, update or delete of a record delivers a signed event to the account's
  matching subscriptions (`Sandbox.webhooks`, a `WebhookDispatcher` with its delivery log);
  `Sandbox.emit_event` sends one on demand;
- tasks: `GET /accounting/asyncTask/{taskId}` and the operations that start tasks.

Tasks are declared in code (`Sandbox.add_task`) or started by a call (`POST
/accounting/files/async`, ...: every operation whose declared 201 or 202 carries a task id, read
from the generated layer by `_routes.py`); each answers with its integration's lifecycle,
`information` fields, paging and companyId rule, all read from the profile table. An account key
is connected to one integration (`Sandbox(integration=...)`, `Sandbox.add_account`), whose rules
its calls follow (`maesn._rules.check_call`: companyId where required, operations the integration
does not serve) and which rules the tasks its calls start; `Sandbox.on_start` shapes the next
started tasks or makes a call complete at once (201, taskId null). A create that starts a task
stores its record at once. For an integration whose reads run as tasks
(`IntegrationProfile.reads_start_tasks`: `datev-rewe-export`), a list without path parameters
(`GET /accounting/journalEntries`) answers `{data: {taskId}}` and starts an export. Faults are
injected per task, globally, or per operation (`Sandbox.inject`). Every request is logged with its
credentials redacted (`Sandbox.requests`), with the operation it was routed to, its body size and
the task it started. Record times come from `Sandbox.clock`, which a `FakeClock` moves.

Decisions, where Maesn documents nothing:

- Order of checks: an injected fault first (it stands for the proxies and gateways in front of
  Maesn), then the route (404) and method (405), the two keys (401), the task id (404), the query
  (400 with `validationErrors`), and last the task's company (404). Any other call: fault,
  route, method, keys, the integration's rules (an operation it does not serve: 404 "not found or
  not supported by this target system", as Maesn documents it), then its query (only the
  operation's declared parameters, each of its declared kind; companyId and the other
  parameters the integration's rules require) and body (JSON or multipart with a part, as the
  operation sends it) in one 400, and last the record (404 for an unknown id).
- Strict task query: only `companyId` and the integration's paging parameters are accepted; anything
  else (`page` where there is no paging, `limit` on the export whose page size is fixed) is a 400,
  so a client that sends a parameter Maesn ignores or rejects is caught. `page` must be a positive
  integer in plain digits: `page=2.0` (what a `number`-typed page becomes) is a 400.
- companyId: required when the profile says so and the sandbox is not `interactive_auth`. A task
  declared with a `company_id` and asked for with a different one answers 404 (to another company
  the task does not exist, as with any multi-tenant REST API); no companyId is fine where none is
  required.
- Lifecycle: with `advance="poll"` every served request of the task moves it one status on, except
  a request with `page` for a task that is done (paging reads a finished result) and a request that
  got a fault; with `advance="time"` the status follows `maesn._clock.current().monotonic()`, so a
  `FakeClock` moves it. The last status repeats forever.
- The envelope is the one Maesn's published spec describes: `meta`, `data`, and `errors` and
  `rawData` (both null). `data` always holds `status`, `information` and `responseData`; each
  `information` entry holds the four published fields, null where the integration does not fill
  them (per the profile).
- While the served status is still running (per the profile), `responseData` is null and there is
  no `meta.pagination`, whether or not `page` was sent. Once the task is done, it serves the
  declared `responseData` (null when none was declared); an export declared with `entries` that
  succeeded serves the page's entries and `meta.pagination`: as a bare list by default (how Maesn's
  export results are described), or as `{entries_key: [...]}` when the task is declared with
  `entries_key` (an object, which is what the pinned spec's `responseData` type allows).
- A `page` beyond the last page answers 200 with an empty list and the same totals
  (`currentPage` the page asked for), as offset-paged REST APIs do: clients stop at `totalPages`.
  An export with 0 entries has `totalPages` 0 and serves `[]` on every page.
- Faults match requests to `/accounting/asyncTask/{taskId}` (any task id, known or not). A faulted
  request never advances a lifecycle, a delayed one included (it is answered with the status it
  would have seen, without moving on); `stop()` cuts a delay short.
- Every response carries `X-Request-Id: sandbox-N` (Maesn documents no request-id header; this
  gives the client's errors something to carry).

Server stack: the standard library's `ThreadingHTTPServer`, one thread a connection, HTTP/1.1
keep-alive with Content-Length on every response, TCP_NODELAY, a listen backlog of 1,024. No new
dependency for users who install the client, and a blocking handler makes faults simple (a real
sleep, a half-written body, a closed socket). starlette+uvicorn would add two dependencies and an
event loop thread for no gain at test scale. It serves 500 concurrent connections (measured:
20 httpx clients x 25 connections in about 1 s; one httpx pool of 500 connections is slow on the
client side, not here: raw sockets get 500 answers in 0.5 s). Export pages are generated, encoded
and cached per (task, page, page size), the last 4 pages a sandbox: a 50,000-entry page (about
9.6 MB of JSON) takes about 200 ms to serve the first time and 10-25 ms after that, measured
with httpx over loopback on a 2-core machine (Python 3.11).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import re
import socket
import sys
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

from maesn._exceptions import ValidationError
from maesn._operations import find_operation
from maesn._profiles import Integration, as_integration, profile_for
from maesn._rules import check_call
from maesn._status import TaskStatus

from ._answers import envelope
from ._crud import Call, RecordsApi
from ._demo_data import DEMO_RECORDS
from ._entries import encode_entries
from ._faults import Fault, FaultRule, Reply, error_body, reason_phrase
from ._log import RecordedRequest, RequestLog, redact_headers
from ._records import Record, RecordStore, WallClock
from ._requests import Problem, body_record, query_problems, query_value
from ._routes import Route, all_routes, route_named
from ._starts import (
    DEFAULT_COMPANIES,
    DEFAULT_EXPORT_ENTRIES,
    Account,
    StartRule,
    body_problems,
    companies_body,
    started_body,
)
from ._tasks import Advance, SandboxTask, encode_json
from ._webhooks import WebhookDelivery, WebhookDispatcher, WebhookSubscriptions

__all__ = ["Sandbox"]

_ROUTE = re.compile(r"/accounting/asyncTask/([^/]+)")
_TASK_OPERATION = "get_async_task_info"
_PAGE = re.compile(r"[1-9][0-9]*")
_CACHED_PAGES = 4


def _error(status: int, message: str, **extra: Any) -> Reply:
    return Reply(status=status, body=error_body(status, message, **extra))


def _invalid(problems: Sequence[Mapping[str, str]]) -> Reply:
    """A 400 listing `problems` as Maesn's `validationErrors`."""
    return _error(
        400,
        "Validation failed: " + "; ".join(problem["message"] for problem in problems),
        validationErrors=list(problems),
    )


class Sandbox:
    """A local Maesn async-task API for tests and demos; a context manager.

    Args:
        api_key: the `X-API-KEY` value it accepts.
        account_key: the `X-ACCOUNT-KEY` value it accepts.
        interactive_auth: the account uses Maesn's Interactive Authentication Flow, so no
            integration requires `companyId`.
        port: the port on 127.0.0.1 (0: a free one, see `base_url`).
        page_size: entries a page for every paged integration, instead of the profile's fixed
            size (50,000 for `datev-rewe-export`): small pages keep tests fast.
        integration: the integration `account_key` is connected to: its profile rules the tasks
            that calls with this key start (companyId rule, lifecycle). `add_account` adds keys
            for other integrations.
        company_ids: the companies `GET /auth/companies` lists.
        webhook_arrays: webhook deliveries to `account_key`'s subscriptions carry a JSON array
            of events (Business Central, QuickBooks and Xero send arrays); None: what the
            integration's profile says, else one event object.
        webhook_backoff: seconds before the first retry of a failed webhook delivery (doubling
            after each failure; slept on the installed clock, so a `FakeClock` skips it).
    """

    def __init__(
        self,
        *,
        api_key: str = "sandbox-api-key",
        account_key: str = "sandbox-account-key",
        interactive_auth: bool = False,
        port: int = 0,
        page_size: int | None = None,
        integration: Integration | str = Integration.DATEV_UNTERNEHMEN_ONLINE,
        company_ids: Sequence[str] = DEFAULT_COMPANIES,
        webhook_arrays: bool | None = None,
        webhook_backoff: float = 0.5,
    ) -> None:
        if page_size is not None and page_size < 1:
            raise ValueError(f"page_size must be positive, got {page_size}")
        self.api_key = api_key
        self.account_key = account_key
        self.interactive_auth = interactive_auth
        self.page_size = page_size
        self.integration = as_integration(integration)
        self.company_ids = tuple(company_ids)
        self._accounts: dict[str, Account] = {
            account_key: Account(
                integration=self.integration,
                interactive_auth=interactive_auth,
                webhook_arrays=_webhook_arrays(self.integration, given=webhook_arrays),
            )
        }
        self._starts: list[StartRule] = []
        self.requests = RequestLog()
        """Every request received, in order, credentials redacted."""
        self._port = port
        self._lock = threading.Lock()
        self._tasks: dict[str, SandboxTask] = {}
        self._faults: list[FaultRule] = []
        self._pages: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._request_ids = iter(range(1, 1 << 62))
        self.subscriptions = WebhookSubscriptions()
        """The webhook subscriptions made through `POST /webhooks` (per account key)."""
        self.webhooks = WebhookDispatcher(self.subscriptions, backoff=webhook_backoff)
        """Delivers the webhook events changes cause; `webhooks.deliveries` logs every attempt."""
        self._webhook_backoff = webhook_backoff
        self._dispatcher_stopped = False
        self.clock = WallClock()
        """The time records are stamped with (moves with an installed `FakeClock`)."""
        self._records = RecordsApi(
            store=RecordStore(),
            clock=self.clock,
            subscriptions=self.subscriptions,
            dispatcher=lambda: self.webhooks,
        )

    def __repr__(self) -> str:
        where = self.base_url if self._server is not None else "stopped"
        return f"<Sandbox {where} tasks={len(self._tasks)}>"

    # Life cycle of the server

    def start(self) -> Self:
        """Bind 127.0.0.1 and serve in a background thread (does nothing when running)."""
        with self._lock:
            if self._server is not None:
                return self
            self._stopping.clear()
            if self._dispatcher_stopped:
                self.webhooks = WebhookDispatcher(self.subscriptions, backoff=self._webhook_backoff)
                self._dispatcher_stopped = False
            server = _Server(("127.0.0.1", self._port), _Handler)
            server.sandbox = self
            self._server = server
            # stop() waits for serve_forever to see the shutdown flag, up to one poll interval:
            # test suites start and stop a sandbox per test (10 ms here, not 50, per stop).
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.01},
                name=f"maesn-sandbox:{server.server_address[1]}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and join every thread (does nothing when stopped)."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()
        self.webhooks.stop()
        self._dispatcher_stopped = True

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The root URL, like `http://127.0.0.1:54321` (only while running)."""
        server = self._server
        if server is None:
            raise RuntimeError("the sandbox is not running: call start() or use it in a with block")
        return f"http://127.0.0.1:{server.server_address[1]}"

    def task_url(self, task_id: str) -> str:
        """The full URL of a task's status endpoint."""
        return f"{self.base_url}/accounting/asyncTask/{task_id}"

    @property
    def headers(self) -> dict[str, str]:
        """The two key headers the sandbox accepts, ready to pass to an HTTP client."""
        return {"X-API-KEY": self.api_key, "X-ACCOUNT-KEY": self.account_key}

    # Declaring tasks and faults

    def add_task(
        self,
        integration: Integration | str,
        *,
        lifecycle: Sequence[TaskStatus | str] | None = None,
        response_data: Any = None,
        entries: int | None = None,
        entries_key: str | None = None,
        information: Sequence[Mapping[str, str]] | None = None,
        warnings: Sequence[str] = (),
        task_id: str | None = None,
        company_id: str | None = None,
        seed: int = 0,
        advance: Advance = "poll",
        seconds_per_step: float = 1.0,
    ) -> str:
        """Declare a task and return its id.

        Args:
            integration: the integration whose profile rules the task.
            lifecycle: the statuses it reports in order, the last one forever; raw strings serve
                statuses the spec does not know. Default: `default_lifecycle(integration)`.
            response_data: `responseData` once the task is done (any JSON value).
            entries: for a paged integration, the number of export entries (see `export_entry`).
            entries_key: serve each page as `{entries_key: [entries]}` instead of a bare list.
            information: `information` entries; fields the integration fills but the entry lacks
                get defaults, fields it does not fill are refused. Default: one entry that
                states the status.
            warnings: `meta.warnings`.
            task_id: the id (default: a new UUID).
            company_id: the company the task belongs to; another companyId answers 404.
            seed: varies the generated export entries.
            advance: "poll" (a status per served request) or "time" (per `seconds_per_step`).
            seconds_per_step: how long each status lasts with `advance="time"`.
        """
        new_id = str(uuid.uuid4()) if task_id is None else task_id
        if not new_id or "/" in new_id:
            raise ValueError(f"task_id must be a non-empty string without '/', got {new_id!r}")
        task = SandboxTask.declare(
            integration,
            task_id=new_id,
            lifecycle=lifecycle,
            response_data=response_data,
            entries=entries,
            entries_key=entries_key,
            information=information,
            warnings=warnings,
            company_id=company_id,
            seed=seed,
            advance=advance,
            seconds_per_step=seconds_per_step,
        )
        with self._lock:
            if new_id in self._tasks:
                raise ValueError(f"a task with id {new_id!r} exists already; pick another id")
            self._tasks[new_id] = task
        return new_id

    def status_of(self, task_id: str) -> str:
        """The status the next request of `task_id` will see (does not advance it)."""
        with self._lock:
            return self._tasks[task_id].current_status()

    def inject(
        self,
        fault: Fault,
        *,
        times: int = 1,
        task_id: str | None = None,
        page: int | None = None,
        operation: str | None = None,
    ) -> None:
        """Give `fault` to the next `times` task requests (of `task_id`, for `page`, when given).

        A request without `page` counts as page 1. With `operation` (a generated operation's
        name, like `post_file_async` or `get_companies`) the fault goes to that operation's calls
        instead of task status requests. Rules apply in the order injected, one a request; a
        faulted request does not advance the task's lifecycle, and a faulted call starts no task.
        """
        if times < 1:
            raise ValueError(f"times must be 1 or more, got {times}")
        if operation is not None and (task_id is not None or page is not None):
            raise ValueError("a fault for an operation's calls takes no task_id or page")
        if operation is not None and operation not in {r.operation for r in all_routes()}:
            raise ValueError(f"the generated layer has no operation {operation!r}")
        rule = FaultRule(
            fault=fault, remaining=times, task_id=task_id, page=page, operation=operation
        )
        with self._lock:
            self._faults.append(rule)

    def clear_faults(self) -> None:
        """Drop every fault not yet given."""
        with self._lock:
            self._faults.clear()

    # Accounts and the calls that start tasks

    def add_account(
        self,
        integration: Integration | str,
        *,
        account_key: str | None = None,
        interactive_auth: bool | None = None,
        webhook_arrays: bool | None = None,
    ) -> str:
        """Connect another account key to `integration` and return the key.

        Calls with that key follow `integration`'s rules and start its tasks, and see their own
        records; `interactive_auth` (default: the sandbox's) says whether it was connected
        through the Interactive Authentication Flow; `webhook_arrays` is `Sandbox`'s.
        """
        key = f"sandbox-account-key-{uuid.uuid4().hex[:12]}" if account_key is None else account_key
        account = Account(
            integration=as_integration(integration),
            interactive_auth=self.interactive_auth
            if interactive_auth is None
            else interactive_auth,
            webhook_arrays=_webhook_arrays(as_integration(integration), given=webhook_arrays),
        )
        with self._lock:
            if key in self._accounts:
                raise ValueError("that account key is connected already; pick another")
            self._accounts[key] = account
        return key

    def on_start(
        self,
        operation: str | None = None,
        *,
        times: int = 1,
        synchronous: bool = False,
        lifecycle: Sequence[TaskStatus | str] | None = None,
        response_data: Any = None,
        entries: int | None = None,
        information: Sequence[Mapping[str, str]] | None = None,
        warnings: Sequence[str] = (),
    ) -> None:
        """Say how the next `times` task-starting calls (of `operation`, or any) behave.

        By default a call starts a task of its account's integration with the default lifecycle
        (`add_task`'s defaults; a read of a paged integration starts an export of 120,000
        entries). `synchronous=True` answers 201 with the created object and no task id, for
        operations that declare a 201. The other arguments are `add_task`'s. Rules apply in the
        order given, one a call.
        """
        if times < 1:
            raise ValueError(f"times must be 1 or more, got {times}")
        if operation is not None:
            route = next((r for r in all_routes() if r.operation == operation), None)
            if route is None:
                raise ValueError(f"the generated layer has no operation {operation!r}")
            if synchronous and route.created_model is None:
                raise ValueError(
                    f"{operation} declares no 201 answer: it cannot complete synchronously"
                )
        rule = StartRule(
            operation=operation,
            remaining=times,
            synchronous=synchronous,
            lifecycle=lifecycle,
            response_data=response_data,
            entries=entries,
            information=information,
            warnings=warnings,
        )
        with self._lock:
            self._starts.append(rule)

    # Records and webhooks

    def seed(
        self,
        resource: str,
        operation: str,
        records: Sequence[Mapping[str, Any]],
        *,
        account_key: str | None = None,
        company_id: str | None = None,
        path: Mapping[str, str] | None = None,
        modified_at: datetime | None = None,
    ) -> list[str]:
        """Store `records` where `client.<resource>.<operation>(...)` reads them; their ids.

        `operation` lists, gets, creates or updates records (`"get_invoices"`,
        `"get_invoice"`, `"create_invoice"`): the records go to its collection, and each must
        be valid by the schema of what it answers in Maesn's published spec (required fields,
        types, enum values; no field the schema does not declare). Every record is checked
        before any is stored. A record without an `id` gets one.

        Args:
            resource: the client resource (`"accounting"`, `"accounting_v2"`, ...).
            operation: the operation's name on that resource.
            records: JSON objects, as the operation answers them (wire names: `invoiceNumber`).
            account_key: whose records they are (default: the sandbox's `account_key`).
            company_id: the companyId they belong to; None: every company of the account
                (and the calls that send no companyId).
            path: the parent's path parameters for a sub-collection
                (`{"invoiceId": "inv-1"}` for `get_line_items`).
            modified_at: their modification time, for `lastModifiedAt` (default: now).

        Raises:
            InvalidRecordError: a record is not valid; `.index` and `.field` say where.
            ValueError: the operation does not exist or does not act on stored records.
        """
        try:
            facts = find_operation(resource, operation)
        except KeyError:
            raise ValueError(
                f"the generated layer has no operation {resource}.{operation}"
            ) from None
        route = route_named(facts.name)
        assert route is not None  # noqa: S101 - every operation has a route
        key = self.account_key if account_key is None else account_key
        with self._lock:
            if key not in self._accounts:
                raise ValueError("that account key is not connected: add_account() first")
        return self._records.seed(
            route,
            records,
            account_key=key,
            company_id=company_id,
            path=path or {},
            modified_at=modified_at,
        )

    def seed_demo(self, *, account_key: str | None = None) -> int:
        """Seed the demo data set `maesn sandbox` serves (every company); how many records."""
        return sum(
            len(self.seed(resource, operation, records, account_key=account_key))
            for resource, operation, records in DEMO_RECORDS
        )

    def emit_event(
        self,
        resource: str,
        resource_id: str,
        *,
        event_type: str = "UPDATED",
        account_key: str | None = None,
        filter_date: datetime | None = None,
    ) -> tuple[WebhookDelivery, ...]:
        """Send a webhook event now to the account's matching subscriptions, signed.

        As a change in the sandbox would: `resource` like `"INVOICE"`, `event_type` CREATED,
        UPDATED, DELETED (or any string). The queued deliveries (none when nothing matches);
        `sandbox.webhooks.deliveries` follows them.
        """
        return self.webhooks.notify(
            self.account_key if account_key is None else account_key,
            resource=resource,
            event_type=event_type,
            resource_id=resource_id,
            filter_date=filter_date or self.clock.now(),
        )

    # Serving

    def _serve(self, handler: _Handler, body: bytes) -> tuple[Reply, Fault | None]:
        request = _parse(handler, body)
        page = _page(request.query)
        if request.task_id is not None:
            fault = self._take_fault(request.task_id, page)
        else:
            fault = self._take_fault(None, None, request.operation)
        if fault is not None and fault.wait:
            self._stopping.wait(fault.wait)
        started: str | None = None
        if fault is not None and fault.reply is not None:
            reply = fault.reply
        elif request.task_id is not None:
            reply = self._answer(request, handler.headers, page, fault)
        else:
            reply, started = self._call(request, handler.headers, body)
        reply = Reply(
            status=reply.status,
            body=reply.body,
            headers=(*reply.headers, ("X-Request-Id", f"sandbox-{next(self._request_ids)}")),
        )
        self.requests.append(
            dataclasses.replace(
                request,
                status=reply.status,
                fault=None if fault is None else fault.name,
                started_task=started,
            )
        )
        return reply, fault

    def _take_fault(
        self, task_id: str | None, page: int | None, operation: str | None = None
    ) -> Fault | None:
        with self._lock:
            for rule in self._faults:
                if rule.matches(task_id, page, operation):
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._faults.remove(rule)
                    return rule.fault
        return None

    def _call(
        self, request: RecordedRequest, headers: Message, body: bytes
    ) -> tuple[Reply, str | None]:
        """Answer a request that is not a task status read: any other operation of the API."""
        route = _route_of(request)
        if isinstance(route, Reply):
            return route, None
        account = self._account(headers)
        if isinstance(account, Reply):
            return account, None
        operation = route.facts
        assert operation is not None  # noqa: S101 - every generated route has its facts
        query = request.query
        content_type = headers.get("Content-Type", "")
        refused = self._refusal(route, query, account, content_type, body)
        if refused is not None:
            return refused, None
        company_id = query_value(query, "companyId")
        account_key = headers.get("X-ACCOUNT-KEY", "")
        path = {
            name: unquote(value)
            for name, value in route.path_values(urlsplit(request.raw_path).path).items()
        }
        call = Call(
            route=route,
            operation=operation,
            account_key=account_key,
            webhook_arrays=account.webhook_arrays,
            scope=(account_key, company_id),
            path=path,
            query=query,
            record=body_record(operation, content_type, body),
        )
        return self._dispatch(call, account, company_id)

    def _dispatch(
        self, call: Call, account: Account, company_id: str | None
    ) -> tuple[Reply, str | None]:
        """Companies, a read that starts an export, a call that starts a task, or the records."""
        route = call.route
        if route.kind == "companies":
            return Reply(status=200, body=companies_body(route, self.company_ids)), None
        if (
            account.profile.reads_start_tasks
            and route.kind == "list"
            and route.path_parameters == 0
        ):
            return self._start(route, account, company_id, None)
        if route.task_status is not None:
            created = self._records.create(call) if route.kind == "create" else None
            return self._start(route, account, company_id, created)
        return self._records.serve(call), None

    def _refusal(
        self,
        route: Route,
        query: Mapping[str, list[str]],
        account: Account,
        content_type: str,
        body: bytes,
    ) -> Reply | None:
        """The 404 of an operation the integration does not serve, or the 400 of a bad call."""
        assert route.facts is not None  # noqa: S101 - every generated route has its facts
        refused = self._rules(route, query, account)
        if isinstance(refused, Reply):
            return refused
        problems = query_problems(route.facts, query) + refused
        if route.body != "none":
            problems += body_problems(route, content_type, body)
        return _invalid(problems) if problems else None

    def _rules(
        self, route: Route, query: Mapping[str, list[str]], account: Account
    ) -> Reply | list[Problem]:
        """The integration's documented rules for this call (`maesn._rules.check_call`).

        An operation the integration does not serve answers 404, as Maesn documents it ("not
        found or not supported by this target system"); a required parameter left out is a
        `validationErrors` entry.
        """
        operation = route.facts
        assert operation is not None  # noqa: S101 - every generated route has its facts
        given = {
            p.wire: query_value(query, p.wire)
            for p in operation.parameters
            if p.location == "query"
        }
        try:
            check_call(
                account.profile,
                operation_id=operation.operation_id,
                given=given,
                accepts=frozenset(p.wire for p in operation.parameters),
                interactive_auth=self.interactive_auth or account.interactive_auth,
            )
        except ValidationError as exc:
            if exc.argument == "integration":
                return _error(
                    404,
                    f"{operation.operation_id} not found or not supported by this target system "
                    f"({account.profile.id or account.integration}): {exc.message}",
                )
            parameter = operation.by_name.get(exc.argument or "")
            field = parameter.wire if parameter is not None else exc.argument or "query"
            return [{"field": field, "message": exc.message}]
        return []

    def _account(self, headers: Message) -> Account | Reply:
        denied = self._check_keys(headers)
        if denied is not None:
            return denied
        with self._lock:
            return self._accounts[headers.get("X-ACCOUNT-KEY", "")]

    def _start(
        self, route: Route, account: Account, company_id: str | None, created: Record | None
    ) -> tuple[Reply, str | None]:
        with self._lock:
            rule = next((r for r in self._starts if r.matches(route.operation)), None)
            if rule is not None:
                rule.remaining -= 1
                if rule.remaining == 0:
                    self._starts.remove(rule)
        created_id = RecordStore.new_id() if created is None else created.id
        record = (
            {"id": created_id} if created is None else self._records.value_of(route, created, 201)
        )
        if rule is not None and rule.synchronous:
            status, body = started_body(route, None, record)
            return Reply(status=status, body=body), None
        profile = account.profile
        export = route.task_status is None
        entries = None if rule is None else rule.entries
        if export and entries is None:
            entries = DEFAULT_EXPORT_ENTRIES
        response_data = None if rule is None else rule.response_data
        if response_data is None and not export and profile.response_data:
            response_data = {"id": created_id}
        task_id = self.add_task(
            account.integration,
            lifecycle=None if rule is None else rule.lifecycle,
            response_data=response_data,
            entries=entries,
            information=None if rule is None else rule.information,
            warnings=() if rule is None else rule.warnings,
            company_id=company_id,
        )
        if export:
            return Reply(status=200, body=envelope({"taskId": task_id})), task_id
        status, body = started_body(route, task_id, record)
        return Reply(status=status, body=body), task_id

    def _answer(
        self, request: RecordedRequest, headers: Message, page: int | None, fault: Fault | None
    ) -> Reply:
        denied = self._check_route(request) or self._check_keys(headers)
        if denied is not None:
            return denied
        with self._lock:
            task = self._tasks.get(request.task_id or "")
        if task is None:
            return _error(404, f"Async task {request.task_id!r} not found")
        invalid = self._check_query(task, request.query)
        if invalid is not None:
            return invalid
        company = request.query.get("companyId", [None])[0]
        if task.company_id is not None and company is not None and company != task.company_id:
            return _error(404, f"Async task {task.task_id!r} not found for company {company!r}")
        paging = "page" in request.query
        with self._lock:
            status = task.observe(paging=paging) if fault is None else task.current_status()
        return Reply(
            status=200,
            body=self._envelope(task, status, page or 1, fault),
        )

    @staticmethod
    def _check_route(request: RecordedRequest) -> Reply | None:
        if request.task_id is None:
            return _error(404, f"Cannot {request.method} {urlsplit(request.raw_path).path}")
        if request.method != "GET":
            reply = _error(405, f"{request.method} is not allowed here; use GET")
            return Reply(status=405, body=reply.body, headers=(*reply.headers, ("Allow", "GET")))
        return None

    def _check_keys(self, headers: Message) -> Reply | None:
        with self._lock:
            accounts = list(self._accounts)
        for name, accepted in (("X-API-KEY", [self.api_key]), ("X-ACCOUNT-KEY", accounts)):
            given = headers.get(name)
            if given is None:
                return _error(401, f"{name} header missing: send the key Maesn issued")
            matches = [hmac.compare_digest(given.encode(), key.encode()) for key in accepted]
            if not any(matches):
                return _error(
                    401, f"{name} invalid or expired: check the key or re-authenticate the account"
                )
        return None

    def _check_query(self, task: SandboxTask, query: Mapping[str, list[str]]) -> Reply | None:
        profile = task.profile
        accepted = ("companyId", *profile.paging_parameters)
        problems: list[dict[str, str]] = []
        for name, values in query.items():
            if name not in accepted:
                fixed = (
                    f" (its page size is fixed at {self._page_size(task)} entries)"
                    if profile.page_size is not None
                    else ""
                )
                problems.append(
                    {
                        "field": name,
                        "message": f"{name} is not accepted for {profile.name} tasks{fixed}; "
                        f"accepted: {', '.join(accepted)}",
                    }
                )
            elif len(values) > 1:
                problems.append({"field": name, "message": f"{name} must be given once"})
            elif name == "page" and not _PAGE.fullmatch(values[0]):
                problems.append(
                    {"field": "page", "message": f"page must be an integer >= 1, got {values[0]!r}"}
                )
        if (
            profile.company_id_required
            and not self.interactive_auth
            and not query.get("companyId", [""])[0]
        ):
            problems.append(
                {
                    "field": "companyId",
                    "message": f"companyId is required for {profile.name} unless the account "
                    "uses the Interactive Authentication Flow; look it up with GET /auth/companies",
                }
            )
        return _invalid(problems) if problems else None

    def _page_size(self, task: SandboxTask) -> int:
        return self.page_size or task.profile.page_size or 1

    def _envelope(self, task: SandboxTask, status: str, page: int, fault: Fault | None) -> bytes:
        meta: dict[str, Any] = {"warnings": list(task.warnings)}
        outcome = task.outcome_of(status)
        response_data: bytes | None = None
        if (outcome is None or outcome.is_done) and task.response_data is not None:
            response_data = encode_json(task.response_data)
        if task.entries is not None and outcome is not None and outcome.is_success:
            page_size = self._page_size(task)
            meta["pagination"] = {
                "total": task.entries,
                "perPage": page_size,
                "currentPage": page,
                "totalPages": task.total_pages(page_size),
            }
            response_data = self._page_bytes(task, page, page_size)
            if task.entries_key is not None:
                response_data = b"{" + encode_json(task.entries_key) + b":" + response_data + b"}"
        served_status = status if fault is None or fault.task_status is None else fault.task_status
        return b"".join(
            (
                b'{"meta":',
                encode_json(meta),
                b',"data":{"status":',
                encode_json(served_status),
                b',"information":',
                encode_json(task.information_for(status)),
                b',"responseData":',
                b"null" if response_data is None else response_data,
                b'},"errors":null,"rawData":null}',
            )
        )

    def _page_bytes(self, task: SandboxTask, page: int, page_size: int) -> bytes:
        key = (task.task_id, page, page_size)
        with self._lock:
            cached = self._pages.get(key)
            if cached is not None:
                self._pages.move_to_end(key)
                return cached
        start = min((page - 1) * page_size, task.entries or 0)
        stop = min(page * page_size, task.entries or 0)
        encoded = encode_entries(start, stop, seed=task.seed)
        with self._lock:
            self._pages[key] = encoded
            while len(self._pages) > _CACHED_PAGES:
                self._pages.popitem(last=False)
        return encoded


def _webhook_arrays(integration: Integration | str, *, given: bool | None) -> bool:
    """Whether deliveries carry arrays: as given, else the profile's flag."""
    if given is not None:
        return given
    return bool(profile_for(integration).webhook_events_as_array)


def _route_of(request: RecordedRequest) -> Route | Reply:
    """The generated operation a request is for, or the 404 or 405 it gets."""
    path = urlsplit(request.raw_path).path
    routes = [route for route in all_routes() if route.pattern.fullmatch(path)]
    route = next((r for r in routes if r.method == request.method), None)
    if route is not None:
        return route
    if not routes:
        return _error(404, f"Cannot {request.method} {path}")
    allowed = ", ".join(sorted({r.method for r in routes}))
    reply = _error(405, f"{request.method} is not allowed here; use {allowed}")
    return Reply(status=405, body=reply.body, headers=(*reply.headers, ("Allow", allowed)))


def _operation(method: str, path: str) -> str | None:
    return next(
        (r.operation for r in all_routes() if r.method == method and r.pattern.fullmatch(path)),
        None,
    )


def _parse(handler: _Handler, body: bytes = b"") -> RecordedRequest:
    """The request as the log keeps it; status and fault are filled in once answered."""
    split = urlsplit(handler.path)
    match = _ROUTE.fullmatch(split.path)
    return RecordedRequest(
        # A task status read needs no route table (which loads the generated models).
        operation=_TASK_OPERATION
        if match and handler.command == "GET"
        else _operation(handler.command, split.path),
        body_size=len(body),
        method=handler.command,
        raw_path=handler.path,
        query=parse_qs(split.query, keep_blank_values=True),
        headers=redact_headers(dict(handler.headers.items())),
        task_id=unquote(match[1]) if match else None,
        status=0,
        fault=None,
        client_port=handler.client_address[1],
    )


def _page(query: Mapping[str, list[str]]) -> int | None:
    """The page asked for, when `page` is given once and valid."""
    pages = query.get("page", [])
    return int(pages[0]) if len(pages) == 1 and _PAGE.fullmatch(pages[0]) else None


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that tracks its connections and handler threads.

    Handler threads are daemons (a stuck one never blocks interpreter exit), which the standard
    library does not join; this server joins them in `server_close`, after `close_connections`
    has ended the idle keep-alive ones.
    """

    daemon_threads = True
    request_queue_size = 1024
    sandbox: Sandbox

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self._connections: set[socket.socket] = set()
        self._handlers: set[threading.Thread] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self._connections_lock:
            self._connections.add(request)
            self._handlers.add(thread)
        thread.start()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)
                self._handlers.discard(threading.current_thread())

    def server_close(self) -> None:
        super().server_close()
        with self._connections_lock:
            handlers = list(self._handlers)
        for thread in handlers:
            thread.join()

    def close_connections(self) -> None:
        """Shut every open connection down so the handler threads waiting on them finish."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is normal here (timeouts, dropped-connection faults)."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._respond()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET  # noqa: N815

    def _respond(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply, fault = self.server.sandbox._serve(self, body)  # noqa: SLF001 - the sandbox's own handler
        body = reply.body
        if fault is not None and fault.cut == "truncate":
            body = body[: len(body) // 2]
        self.send_response(reply.status, reason_phrase(reply.status))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if fault is not None and fault.cut == "drop":
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        """Quiet: the sandbox keeps its own log in `Sandbox.requests`."""
