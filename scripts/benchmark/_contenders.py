"""The contenders: the same work done by hand-written HTTP code, the generated call and `maesn`.

Each builder returns a `Scenario`. Every contender counts what it did (entries, polls, finished
tasks) so that `measure()` can refuse a contender that skipped work. Where the library's API
differs between branches (the wait deadline `timeout=` vs `max_wait=`, `Client.wait_for_tasks`),
the contender looks at the signature it finds and says which one it used in its note.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import pkgutil
import time
from collections.abc import Callable, Coroutine
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from http.client import HTTPConnection
from types import ModuleType
from typing import Any, Protocol, TypeVar

import httpx
import maesn
import maesn_api

from ._data import (
    EXPORT_TASK,
    INVOICES_PATH,
    INVOICES_PER_PAGE,
    PENDING_POLLS,
    SMALL_TASK,
    WAIT_EXPORT_PREFIX,
    WAIT_PREFIX,
)
from ._harness import Contender, RawConnection, Scenario

__all__ = [
    "ACCOUNT_KEY",
    "API_KEY",
    "COMPANY",
    "HEADERS",
    "TASK_PATH",
    "Resources",
    "Setup",
    "export_scenario",
    "list_scenario",
    "orjson_loads",
    "polls_scenario",
    "wait_export_scenario",
    "waits_scenario",
]

API_KEY = "bench-api-key-0001"
ACCOUNT_KEY = "bench-account-key-0001"
COMPANY = "bench-company"
HEADERS = {"X-API-KEY": API_KEY, "X-ACCOUNT-KEY": ACCOUNT_KEY}
TASK_PATH = "/accounting/asyncTask/"
#: httpx's default pool is 100 connections; the client's is set in maesn._base (20 today).
_DEFAULT_POOL = 20


def orjson_loads() -> Callable[[bytes], Any] | None:
    """orjson.loads when orjson is installed (it is optional), else None."""
    try:
        orjson = importlib.import_module("orjson")
    except ImportError:
        return None
    loads: Callable[[bytes], Any] = orjson.loads
    return loads


def pool_limits() -> httpx.Limits:
    """The connection pool `maesn` gives its httpx clients (so hand-written loops match it)."""
    base = importlib.import_module("maesn._base")
    limits = getattr(base, "POOL_LIMITS", None)
    if isinstance(limits, httpx.Limits):
        return limits
    return httpx.Limits(max_connections=_DEFAULT_POOL, max_keepalive_connections=_DEFAULT_POOL)


def _generated_get_task() -> ModuleType:
    """The generated module of `GET /accounting/asyncTask/{taskId}`, wherever the spec puts it."""
    api = importlib.import_module("maesn_api.api")
    for info in pkgutil.walk_packages(api.__path__, prefix="maesn_api.api."):
        if info.name.rsplit(".", 1)[-1] == "get_async_task_info":
            return importlib.import_module(info.name)
    raise RuntimeError("maesn_api has no get_async_task_info module: the spec changed")


@dataclass(frozen=True)
class Setup:
    """Where the server is and what it serves."""

    base_url: str
    port: int
    entries: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the export has."""
        return max(1, -(-self.entries // self.page_size))

    def client_args(self, integration: str) -> dict[str, Any]:
        """Arguments for `maesn.Client`/`AsyncClient` against the benchmark server."""
        args: dict[str, Any] = {
            "integration": integration,
            "api_key": API_KEY,
            "account_key": ACCOUNT_KEY,
            "base_url": self.base_url,
        }
        if integration == "datev-rewe-export":
            args["company_id"] = COMPANY
        return args


class _Closable(Protocol):
    async def aclose(self) -> None: ...


_Sync = TypeVar("_Sync", bound=AbstractContextManager[Any])
_Async = TypeVar("_Async", bound=_Closable)
_T = TypeVar("_T")


class Resources:
    """Clients opened once per scenario and closed with it, so no round pays for opening them.

    Async clients live on one event loop (an `asyncio.Runner`) for the whole scenario, as they
    would in an application; every async contender runs its rounds on that loop.
    """

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.runner = stack.enter_context(asyncio.Runner())

    def sync(self, client: _Sync) -> _Sync:
        """Enter a sync client's context for the scenario's lifetime."""
        self.stack.enter_context(client)
        return client

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        """Run a coroutine on the scenario's event loop."""
        return self.runner.run(coroutine)

    def async_client(self, make: Callable[[], _Async]) -> _Async:
        """Create an async client on the scenario's loop; it is closed when the scenario ends."""

        async def create() -> _Async:
            return make()

        client = self.run(create())
        self.stack.callback(lambda: self.run(client.aclose()))
        return client


def _generated_call(module: ModuleType, client: Any, task_id: str, page: int | None) -> Any:
    """`sync_detailed(...)` with the arguments its signature has (the spec decides which)."""
    call = module.sync_detailed
    parameters = inspect.signature(call).parameters
    kwargs: dict[str, Any] = {"client": client}
    if page is not None:
        kwargs["page"] = page
        if "company_id" in parameters:
            kwargs["company_id"] = COMPANY
    if "x_api_key" in parameters:
        kwargs["x_api_key"] = API_KEY
    if "x_account_key" in parameters:
        kwargs["x_account_key"] = ACCOUNT_KEY
    return call(task_id, **kwargs)


def _entries_of_generated(parsed: Any) -> list[Any]:
    entries = getattr(getattr(parsed, "data", None), "response_data", None)
    if not isinstance(entries, list):
        raise TypeError(f"the generated call gave no list of entries: {type(entries).__name__}")
    return entries


@dataclass(frozen=True)
class _Clients:
    """One of each client a scenario compares, opened for the scenario's lifetime."""

    fast: Callable[[bytes], Any] | None
    generated: ModuleType
    http: httpx.Client
    connection: HTTPConnection
    raw: RawConnection
    api: maesn_api.Client
    client: maesn.Client
    ahttp: httpx.AsyncClient
    aclient: maesn.AsyncClient

    @classmethod
    def open(cls, setup: Setup, res: Resources, integration: str) -> _Clients:
        connection = HTTPConnection("127.0.0.1", setup.port)
        res.stack.callback(connection.close)
        raw = RawConnection(setup.port)
        res.stack.callback(raw.close)
        return cls(
            fast=orjson_loads(),
            generated=_generated_get_task(),
            http=res.sync(httpx.Client(base_url=setup.base_url, headers=HEADERS)),
            connection=connection,
            raw=raw,
            api=res.sync(maesn_api.Client(base_url=setup.base_url, headers=HEADERS)),
            client=res.sync(maesn.Client(**setup.client_args(integration))),
            ahttp=res.async_client(
                lambda: httpx.AsyncClient(base_url=setup.base_url, headers=HEADERS)
            ),
            aclient=res.async_client(lambda: maesn.AsyncClient(**setup.client_args(integration))),
        )


# --------------------------------------------------------------------------- export


def export_scenario(setup: Setup, res: Resources) -> Scenario:  # noqa: C901 - a closure a contender
    """Read every entry of the export: 3 pages of 50,000 in the full run."""
    pages = range(1, setup.pages + 1)
    path = TASK_PATH + EXPORT_TASK
    c = _Clients.open(setup, res, "datev-rewe-export")
    fast, generated, http, connection, raw = c.fast, c.generated, c.http, c.connection, c.raw
    api, client, ahttp, aclient = c.api, c.client, c.ahttp, c.aclient

    def httpx_with(loads: Callable[[bytes], Any]) -> Callable[[str], int]:
        def run(_tag: str) -> int:
            count = 0
            for page in pages:
                response = http.get(path, params={"page": page, "companyId": COMPANY})
                response.raise_for_status()
                count += len(loads(response.content)["data"]["responseData"])
            return count

        return run

    def http_client(_tag: str) -> int:
        count = 0
        for page in pages:
            connection.request("GET", f"{path}?page={page}&companyId={COMPANY}", headers=HEADERS)
            count += len(json.loads(connection.getresponse().read())["data"]["responseData"])
        return count

    def generated_call(_tag: str) -> int:
        count = 0
        for page in pages:
            response = _generated_call(generated, api, EXPORT_TASK, page)
            count += len(_entries_of_generated(response.parsed))
        return count

    def maesn_sync(_tag: str) -> int:
        return sum(1 for _ in client.iter_task_entries(EXPORT_TASK))

    async def httpx_async() -> int:
        count = 0
        for page in pages:
            response = await ahttp.get(path, params={"page": page, "companyId": COMPANY})
            response.raise_for_status()
            count += len(json.loads(response.content)["data"]["responseData"])
        return count

    async def maesn_async() -> int:
        return sum([1 async for _ in aclient.iter_task_entries(EXPORT_TASK)])

    def raw_socket(_tag: str) -> int:
        bodies = [raw.get(f"{path}?page={page}&companyId={COMPANY}") for page in pages]
        # This row decodes nothing: it counts the pages' entries from the sizes it was given.
        return setup.entries if len(bodies) == setup.pages and all(bodies) else 0

    baseline = "httpx + json.loads"
    async_baseline = "httpx.AsyncClient + json.loads"
    return Scenario(
        name=f"export {setup.entries:,} records ({setup.pages} pages)",
        baseline=baseline,
        expect=setup.entries,
        per="page",
        units=setup.pages,
        contenders=[
            *_lineup(
                res,
                baseline=(baseline, httpx_with(json.loads), "the stdlib floor"),
                fast=("httpx + orjson", httpx_with(fast) if fast else None, "the orjson floor"),
                plain=(http_client, generated_call),
                maesn_sync=("maesn Client.iter_task_entries", maesn_sync),
                async_baseline=(async_baseline, httpx_async),
                maesn_async=("maesn AsyncClient.iter_task_entries", maesn_async),
                raw_socket=raw_socket,
            ),
        ],
    )


def _never(_tag: str) -> int:
    raise AssertionError("a skipped contender never runs")


_Run = Callable[[str], int]


def _lineup(
    res: Resources,
    *,
    baseline: tuple[str, _Run, str],
    fast: tuple[str, _Run | None, str],
    plain: tuple[_Run, _Run],
    maesn_sync: tuple[str, _Run],
    async_baseline: tuple[str, Callable[[], Coroutine[Any, Any, int]]],
    maesn_async: tuple[str, Callable[[], Coroutine[Any, Any, int]]],
    raw_socket: _Run,
) -> list[Contender]:
    """The contenders the export and get_task scenarios share, in the order of the table."""
    async_label, async_run = async_baseline
    maesn_async_label, maesn_async_run = maesn_async
    return [
        Contender(baseline[0], baseline[1], note=baseline[2]),
        Contender(
            fast[0],
            fast[1] or _never,
            skipped=None if fast[1] else "orjson is not installed (it is optional)",
            note=fast[2],
        ),
        Contender("http.client + json.loads", plain[0]),
        Contender("generated get_async_task_info.sync_detailed", plain[1]),
        Contender(*maesn_sync),
        Contender(async_label, lambda _tag: res.run(async_run())),
        Contender(maesn_async_label, lambda _tag: res.run(maesn_async_run()), against=async_label),
        Contender(
            "bare socket, no HTTP library, no decoding",
            raw_socket,
            note="server + loopback: the part every contender pays",
        ),
    ]


# --------------------------------------------------------------------------- polls


def polls_scenario(setup: Setup, res: Resources, polls: int) -> Scenario:  # noqa: C901 - a closure a contender
    """`polls` sequential polls of a small finished task over one keep-alive connection."""
    path = TASK_PATH + SMALL_TASK
    c = _Clients.open(setup, res, "abaconnect")
    fast, generated, http, connection, raw = c.fast, c.generated, c.http, c.connection, c.raw
    api, client, ahttp, aclient = c.api, c.client, c.ahttp, c.aclient

    def httpx_with(loads: Callable[[bytes], Any]) -> Callable[[str], int]:
        def run(_tag: str) -> int:
            return sum(
                loads(http.get(path).content)["data"]["status"] == "FINISHED" for _ in range(polls)
            )

        return run

    def http_client(_tag: str) -> int:
        done = 0
        for _ in range(polls):
            connection.request("GET", path, headers=HEADERS)
            done += json.loads(connection.getresponse().read())["data"]["status"] == "FINISHED"
        return done

    def generated_call(_tag: str) -> int:
        done = 0
        for _ in range(polls):
            response = _generated_call(generated, api, SMALL_TASK, None)
            done += response.parsed is not None and response.status_code == httpx.codes.OK
        return done

    def maesn_sync(_tag: str) -> int:
        return sum(client.get_task(SMALL_TASK).status == "FINISHED" for _ in range(polls))

    async def httpx_async() -> int:
        done = 0
        for _ in range(polls):
            response = await ahttp.get(path)
            done += json.loads(response.content)["data"]["status"] == "FINISHED"
        return done

    async def maesn_async() -> int:
        done = 0
        for _ in range(polls):
            done += (await aclient.get_task(SMALL_TASK)).status == "FINISHED"
        return done

    def raw_socket(_tag: str) -> int:
        return sum(b'"FINISHED"' in raw.get(path) for _ in range(polls))

    baseline = "httpx.Client.get + json.loads"
    async_baseline = "httpx.AsyncClient.get + json.loads"
    return Scenario(
        name=f"get_task: {polls:,} polls of a small finished task, keep-alive",
        baseline=baseline,
        expect=polls,
        per="poll",
        units=polls,
        contenders=[
            *_lineup(
                res,
                baseline=(baseline, httpx_with(json.loads), ""),
                fast=("httpx.Client.get + orjson", httpx_with(fast) if fast else None, ""),
                plain=(http_client, generated_call),
                maesn_sync=("maesn Client.get_task", maesn_sync),
                async_baseline=(async_baseline, httpx_async),
                maesn_async=("maesn AsyncClient.get_task", maesn_async),
                raw_socket=raw_socket,
            ),
        ],
    )


# --------------------------------------------------------------------------- waits


def _wait_arguments(interval: float) -> tuple[dict[str, Any], str]:
    """Keyword arguments for wait_for_task(s), using the deadline name this branch has."""
    parameters = inspect.signature(maesn.AsyncClient.wait_for_task).parameters
    # Old branches named the deadline `timeout`; later ones `max_wait` (also as **WaitKeywords).
    deadline = "timeout" if "timeout" in parameters else "max_wait"
    return {deadline: 120.0, "poll_interval": interval, "max_interval": interval}, deadline


def _finished(item: Any) -> bool:
    """A yielded task, or a `(task_id, Task | error)` pair where wait_for_tasks yields pairs."""
    task = item[1] if isinstance(item, tuple) else item
    return getattr(task, "status", None) == "FINISHED"


def waits_scenario(
    setup: Setup, res: Resources, *, tasks: int, concurrency: int, interval: float
) -> Scenario:
    """`tasks` tasks that each need 3 polls: hand-written loop vs wait_for_tasks vs gather."""
    limits = pool_limits()
    wait, deadline = _wait_arguments(interval)
    ahttp = res.async_client(
        lambda: httpx.AsyncClient(base_url=setup.base_url, headers=HEADERS, limits=limits)
    )
    aclient = res.async_client(lambda: maesn.AsyncClient(**setup.client_args("abaconnect")))
    client = res.sync(maesn.Client(**setup.client_args("abaconnect")))

    def ids(tag: str) -> list[str]:
        return [f"{WAIT_PREFIX}{tag}-{number}" for number in range(tasks)]

    async def hand_written(tag: str) -> int:
        gate = asyncio.Semaphore(concurrency)

        async def one(task_id: str) -> bool:
            async with gate:
                while True:
                    response = await ahttp.get(TASK_PATH + task_id)
                    status = json.loads(response.content)["data"]["status"]
                    if status != "IN_PROGRESS":
                        return bool(status == "FINISHED")
                    await asyncio.sleep(interval)

        return sum(await asyncio.gather(*(one(task_id) for task_id in ids(tag))))

    async def wait_for_tasks(tag: str) -> int:
        waits = aclient.wait_for_tasks(ids(tag), concurrency=concurrency, **wait)
        return sum([_finished(item) async for item in waits])

    async def gather(tag: str) -> int:
        done = await asyncio.gather(
            *(aclient.wait_for_task(task_id, **wait) for task_id in ids(tag))
        )
        return sum(_finished(task) for task in done)

    sync_waits: Callable[..., Any] | None = getattr(client, "wait_for_tasks", None)

    def sync_wait_for_tasks(tag: str) -> int:
        if sync_waits is None:
            raise AssertionError("a skipped contender never runs")
        return sum(
            _finished(item) for item in sync_waits(ids(tag), concurrency=concurrency, **wait)
        )

    baseline = f"hand-written asyncio loop, {concurrency} in flight"
    pool = f"{limits.max_connections}-connection pool"
    return Scenario(
        name=f"wait: {tasks:,} tasks x {PENDING_POLLS} polls",
        baseline=baseline,
        expect=tasks,
        per="task",
        units=tasks,
        contenders=[
            Contender(
                baseline,
                lambda tag: res.run(hand_written(tag)),
                note=f"httpx.AsyncClient, {pool} (as maesn's), {interval * 1000:g} ms between polls",
            ),
            Contender(
                "maesn AsyncClient.wait_for_tasks",
                lambda tag: res.run(wait_for_tasks(tag)),
                note=f"concurrency={concurrency}; deadline passed as `{deadline}=` on this branch",
            ),
            Contender(
                "asyncio.gather(AsyncClient.wait_for_task ...)",
                lambda tag: res.run(gather(tag)),
                note="no cap of its own: every wait queues in the pool",
            ),
            Contender(
                "maesn Client.wait_for_tasks (sync)",
                sync_wait_for_tasks,
                skipped=None
                if sync_waits is not None
                else "Client.wait_for_tasks is not on this branch yet",
                note=f"concurrency={concurrency}",
            ),
        ],
    )


# --------------------------------------------------------------------------- list


def _generated_get_invoices() -> ModuleType:
    """The generated module of `GET /accounting/invoices`, wherever the spec puts it."""
    api = importlib.import_module("maesn_api.api")
    for info in pkgutil.walk_packages(api.__path__, prefix="maesn_api.api."):
        if info.name.rsplit(".", 1)[-1] == "get_invoices":
            return importlib.import_module(info.name)
    raise RuntimeError("maesn_api has no get_invoices module: the spec changed")


def list_scenario(setup: Setup, res: Resources, pages: int) -> Scenario:  # noqa: C901 - a closure a contender
    """`pages` requests of a 100-invoice page (every property filled), each read as a list."""
    generated = _generated_get_invoices()
    fast = orjson_loads()
    http = res.sync(httpx.Client(base_url=setup.base_url, headers=HEADERS))
    api = res.sync(maesn_api.Client(base_url=setup.base_url, headers=HEADERS))
    client = res.sync(maesn.Client(**setup.client_args("abaconnect")))
    ahttp = res.async_client(lambda: httpx.AsyncClient(base_url=setup.base_url, headers=HEADERS))
    aclient = res.async_client(lambda: maesn.AsyncClient(**setup.client_args("abaconnect")))
    raw = RawConnection(setup.port)
    res.stack.callback(raw.close)
    expect = pages * INVOICES_PER_PAGE

    def httpx_with(loads: Callable[[bytes], Any]) -> Callable[[str], int]:
        def run(_tag: str) -> int:
            count = 0
            for _ in range(pages):
                response = http.get(INVOICES_PATH, params={"limit": INVOICES_PER_PAGE})
                response.raise_for_status()
                count += len(loads(response.content)["data"])
            return count

        return run

    def generated_call(_tag: str) -> int:
        count = 0
        for _ in range(pages):
            response = generated.sync_detailed(
                client=api, x_api_key=API_KEY, x_account_key=ACCOUNT_KEY
            )
            count += len(response.parsed.data)
        return count

    def maesn_page(_tag: str) -> int:
        return sum(len(client.accounting.get_invoices(limit=100)) for _ in range(pages))

    def maesn_every_item(_tag: str) -> int:
        count = 0
        for _ in range(pages):
            for invoice in client.accounting.get_invoices(limit=100):
                count += invoice.invoice_id is not None
        return count

    async def httpx_async() -> int:
        count = 0
        for _ in range(pages):
            response = await ahttp.get(INVOICES_PATH, params={"limit": INVOICES_PER_PAGE})
            count += len(json.loads(response.content)["data"])
        return count

    async def maesn_async() -> int:
        count = 0
        for _ in range(pages):
            count += len(await aclient.accounting.get_invoices(limit=100))
        return count

    def raw_socket(_tag: str) -> int:
        bodies = [raw.get(f"{INVOICES_PATH}?limit=100") for _ in range(pages)]
        return expect if all(bodies) else 0

    baseline = "httpx + json.loads"
    generated_label = "generated get_invoices.sync_detailed"
    page_label = "maesn Client.accounting.get_invoices"
    async_baseline = "httpx.AsyncClient + json.loads"
    return Scenario(
        name=f"list: {pages} requests of a {INVOICES_PER_PAGE}-invoice page",
        baseline=baseline,
        expect=expect,
        per="page",
        units=pages,
        contenders=[
            Contender(baseline, httpx_with(json.loads), note="the stdlib floor"),
            Contender(
                "httpx + orjson",
                httpx_with(fast) if fast else _never,
                skipped=None if fast else "orjson is not installed (it is optional)",
            ),
            Contender(generated_label, generated_call, note="builds every model"),
            Contender(
                page_label,
                maesn_page,
                note="the page; models are built when read",
                also_against=((generated_label, "the same call against the generated one"),),
            ),
            Contender(
                "maesn get_invoices, every item read",
                maesn_every_item,
                note="the page, then every invoice built (its id read)",
                also_against=((generated_label, "the generated call builds every model too"),),
            ),
            Contender(async_baseline, lambda _tag: res.run(httpx_async())),
            Contender(
                "maesn AsyncClient.accounting.get_invoices",
                lambda _tag: res.run(maesn_async()),
                against=async_baseline,
            ),
            Contender(
                "bare socket, no HTTP library, no decoding",
                raw_socket,
                note="server + loopback: the part every contender pays",
            ),
        ],
    )


# --------------------------------------------------------------------------- wait, then export


def stats(port: int) -> dict[str, Any]:
    """The export pages the server sent since the last call (and their bytes); resets them."""
    connection = RawConnection(port)
    try:
        counted: dict[str, Any] = json.loads(connection.get("/stats"))
    finally:
        connection.close()
    return counted


def wait_export_scenario(setup: Setup, res: Resources, interval: float) -> Scenario:
    """An export running for two polls, waited for, then every entry read."""
    client = res.sync(maesn.Client(**setup.client_args("datev-rewe-export")))
    http = res.sync(httpx.Client(base_url=setup.base_url, headers=HEADERS))
    wait, _ = _wait_arguments(interval)

    def hand_written(tag: str) -> int:
        path = TASK_PATH + WAIT_EXPORT_PREFIX + tag
        while True:
            body = json.loads(http.get(path, params={"companyId": COMPANY}).content)
            if body["data"]["status"] != "IN_PROGRESS":
                break
            time.sleep(interval)
        count = len(body["data"]["responseData"])  # the finishing answer is page 1
        for page in range(2, body["meta"]["pagination"]["totalPages"] + 1):
            response = http.get(path, params={"page": page, "companyId": COMPANY})
            count += len(json.loads(response.content)["data"]["responseData"])
        return count

    def handle(tag: str) -> int:
        task = client.task_handle(WAIT_EXPORT_PREFIX + tag)
        task.wait(**wait)
        return sum(1 for _ in task.iter_entries())

    def first_page(tag: str) -> int:
        task_id = WAIT_EXPORT_PREFIX + tag
        finished = client.wait_for_task(task_id, **wait)
        return sum(1 for _ in client.iter_task_entries(task_id, first_page=finished))

    def page_one_again(tag: str) -> int:
        task_id = WAIT_EXPORT_PREFIX + tag
        client.wait_for_task(task_id, **wait)
        return sum(1 for _ in client.iter_task_entries(task_id))

    baseline = "hand-written httpx loop, page 1 from the last poll"
    return Scenario(
        name=f"wait, then export {setup.entries:,} records ({setup.pages} pages)",
        baseline=baseline,
        expect=setup.entries,
        per="page",
        units=setup.pages,
        contenders=[
            Contender(baseline, hand_written, note="the floor: no page fetched twice"),
            Contender("maesn handle.wait() + handle.iter_entries()", handle),
            Contender(
                "maesn wait_for_task + iter_task_entries(first_page=task)",
                first_page,
            ),
            Contender(
                "maesn wait_for_task + iter_task_entries(task_id)",
                page_one_again,
                note="page 1 fetched again (the pattern before first_page)",
            ),
        ],
    )


WAIT_EXPORT_CONTENDERS: tuple[str, ...] = (
    "hand-written httpx loop, page 1 from the last poll",
    "maesn handle.wait() + handle.iter_entries()",
    "maesn wait_for_task + iter_task_entries(first_page=task)",
    "maesn wait_for_task + iter_task_entries(task_id)",
)
"""The wait-then-export contenders whose traffic (pages, bytes) is counted once each."""
