"""Soak: many calls and many concurrent waits against the sandbox, with faults injected.

Every call must return the right Task (its id, a status its lifecycle holds, its own
responseData) or a typed MaesnError; never a wrong Task and never another exception. Memory and
file descriptors must not grow: RSS (from /proc/self/statm) is sampled after a warm-up and may
grow by at most RSS_GROWTH_LIMIT; the open descriptors (/proc/self/fd) after the run must not
outnumber those before it.

Reduced size by default (CI); the full size of issue 11 (10,000 calls, 200 concurrent waits) with
`MAESN_SOAK=full`:

    MAESN_SOAK=full .venv/bin/python -m pytest -q -p no:cacheprovider -m soak -s tests/test_soak.py

`-s` shows the figures (calls, outcomes, RSS samples, descriptors) the run prints.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import io
import os
import random
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import maesn
import pytest
from maesn.testing import Fault, Sandbox, fake_clock
from maesn_api.models.create_project_request_dto import CreateProjectRequestDto
from maesn_api.models.post_file_async_body import PostFileAsyncBody
from maesn_api.types import File

pytestmark = pytest.mark.soak

FULL = os.environ.get("MAESN_SOAK") == "full"
CALLS = 10_000 if FULL else 1_000
"""get_task calls, half through Client, half through AsyncClient."""
WAITS = 200 if FULL else 50
"""Tasks waited for at once (AsyncClient.wait_for_tasks), per round."""
ROUNDS = 5 if FULL else 2
FAULT_RATE = 0.05
RSS_GROWTH_LIMIT = 20 * 1024 * 1024
"""Bytes the resident set may grow after warm-up: generous, so only a leak trips it."""
TASKS = 100
"""Distinct tasks the get_task calls are spread over."""

FAULTS: list[Fault] = [
    Fault.status(500),
    Fault.status(502),
    Fault.status(503),
    Fault.status(520),
    Fault.rate_limit(0),
    Fault.rate_limit("Fri, 31 Dec 9999 23:59:59 GMT"),
    Fault.html(200),
    Fault.html(502),
    Fault.drop_connection(),
    Fault.truncated_json(),
    Fault.unknown_status("QUEUED"),
    Fault.response(200, {"data": {"status": 7}}),
    Fault.response(404, {"statusCode": 404, "message": "no such task"}),
    Fault.response(401, {"statusCode": 401, "message": "X-API-KEY invalid"}),
    Fault.response(302, b"", headers={"Location": "a:b"}),
]
"""Every kind the sandbox's Fault offers, and answers built with Fault.response."""
LIFECYCLE = ["IN_PROGRESS", "IN_PROGRESS", "FINISHED"]


def _rss() -> int:
    gc.collect()
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def _descriptors() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


@dataclass
class Tally:
    """What the soak saw."""

    outcomes: Counter[str] = field(default_factory=Counter)
    faults: int = 0
    rss: list[int] = field(default_factory=list)

    def record(self, outcome: object) -> None:
        """Count a Task by status, an error by class."""
        if isinstance(outcome, maesn.Task):
            self.outcomes[f"Task {outcome.status}"] += 1
        else:
            self.outcomes[type(outcome).__name__] += 1


def _check(task_id: str, outcome: object) -> None:
    """The right Task, or a typed error: never a wrong Task, never another exception."""
    if isinstance(outcome, maesn.MaesnError):
        return
    assert isinstance(outcome, maesn.Task), f"{type(outcome).__name__}: {outcome!r}"
    assert outcome.task_id == task_id
    assert outcome.status in {*LIFECYCLE, "QUEUED"}
    if outcome.status == "FINISHED":
        assert outcome.response_data == {"task": task_id}


class Soak:
    """A sandbox with tasks whose responseData names them, and random faults."""

    def __init__(self, sandbox: Sandbox, rng: random.Random) -> None:
        self.sandbox = sandbox
        self.rng = rng
        self.tally = Tally()

    def task(self) -> str:
        """A new task that reports its own id in responseData once finished."""
        task_id = str(uuid.uuid4())
        self.sandbox.add_task(
            "abaconnect", lifecycle=LIFECYCLE, task_id=task_id, response_data={"task": task_id}
        )
        return task_id

    def maybe_fault(self, task_id: str) -> None:
        """Inject one random fault for the next request of `task_id`, 5% of the time."""
        if self.rng.random() < FAULT_RATE:
            self.tally.faults += 1
            self.sandbox.inject(self.rng.choice(FAULTS), task_id=task_id)

    def sample(self) -> None:
        """Record RSS (the sandbox's request log is cleared first: it is the server's memory)."""
        self.sandbox.requests.clear()
        self.tally.rss.append(_rss())


def _outcome(call: Callable[[], object]) -> object:
    try:
        return call()
    except maesn.MaesnError as exc:
        return exc


def _sync_calls(soak: Soak, client: maesn.Client, ids: list[str], calls: int) -> None:
    for n in range(calls):
        task_id = ids[n % len(ids)]
        soak.maybe_fault(task_id)
        outcome = _outcome(functools.partial(client.get_task, task_id))
        _check(task_id, outcome)
        soak.tally.record(outcome)
        if n % 250 == 249:
            soak.sample()


async def _async_calls(soak: Soak, client: maesn.AsyncClient, ids: list[str], calls: int) -> None:
    batch = 50
    for start in range(0, calls, batch):
        chosen = [ids[(start + i) % len(ids)] for i in range(min(batch, calls - start))]
        for task_id in chosen:
            soak.maybe_fault(task_id)
        results = await asyncio.gather(
            *(client.get_task(task_id) for task_id in chosen), return_exceptions=True
        )
        for task_id, outcome in zip(chosen, results, strict=True):
            _check(task_id, outcome)
            soak.tally.record(outcome)
        if start // batch % 5 == 4:
            soak.sample()


async def _waits(soak: Soak, client: maesn.AsyncClient) -> None:
    ids = [soak.task() for _ in range(WAITS)]
    for task_id in ids:
        soak.maybe_fault(task_id)
    seen = set()
    async for task_id, outcome in client.wait_for_tasks(
        ids, max_wait=600, poll_interval=1, concurrency=WAITS, return_exceptions=True
    ):
        _check(task_id, outcome)
        soak.tally.record(outcome)
        seen.add(task_id)
    assert seen == set(ids)


def _client_kwargs(sandbox: Sandbox) -> dict[str, Any]:
    return {
        "integration": "abaconnect",
        "api_key": sandbox.api_key,
        "account_key": sandbox.account_key,
        "base_url": sandbox.base_url,
        "strict_status": False,
    }


@pytest.fixture
def quiet() -> Iterator[None]:
    """Unknown statuses warn (MaesnWarning); the soak counts them instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", maesn.MaesnWarning)
        yield


@pytest.mark.usefixtures("quiet")
def test_soak_every_call_right_or_typed_memory_flat_no_descriptor_leak() -> None:
    """CALLS get_task calls and ROUNDS x WAITS concurrent waits, 5% faults."""
    descriptors_before = _descriptors()
    started = time.monotonic()
    with Sandbox() as sandbox, fake_clock():
        soak = Soak(sandbox, random.Random(11))  # noqa: S311 - which faults, not secrets
        ids = [soak.task() for _ in range(TASKS)]
        kwargs = _client_kwargs(sandbox)
        with maesn.Client(**kwargs) as client:
            warm_up = min(500, CALLS // 4)
            _sync_calls(soak, client, ids, warm_up)
            soak.tally.rss.clear()
            soak.sample()  # the baseline: after warm-up
            _sync_calls(soak, client, ids, CALLS // 2 - warm_up)

        async def run_async() -> None:
            async with maesn.AsyncClient(**kwargs) as async_client:
                await _async_calls(soak, async_client, ids, CALLS - CALLS // 2)
                for _ in range(ROUNDS):
                    await _waits(soak, async_client)
                    soak.sample()

        asyncio.run(run_async())
        soak.sample()
    descriptors_after = _descriptors()
    tally = soak.tally
    baseline, peak = tally.rss[0], max(tally.rss)
    print(  # noqa: T201 - the figures RELIABILITY.md records
        f"\nsoak ({'full' if FULL else 'reduced'}): {CALLS} calls, {ROUNDS} x {WAITS} concurrent "
        f"waits, {tally.faults} faults injected, {time.monotonic() - started:.1f} s\n"
        f"outcomes: {dict(sorted(tally.outcomes.items()))}\n"
        f"RSS after warm-up {baseline / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB, last "
        f"{tally.rss[-1] / 2**20:.1f} MiB ({len(tally.rss)} samples)\n"
        f"descriptors before {descriptors_before}, after {descriptors_after}"
    )
    assert sum(tally.outcomes.values()) == CALLS + ROUNDS * WAITS
    assert tally.faults > 0
    assert peak - baseline < RSS_GROWTH_LIMIT
    assert descriptors_after <= descriptors_before


# -- writes and uploads under faults (issue 19) ---------------------------------------------------

WRITES = 2_000 if FULL else 200
"""Task-starting writes (a JSON create and a multipart upload, alternately), half sync, half async."""
WRITE_FAULT_RATE = 0.1
WRITE_FAULTS: list[Fault] = [
    Fault.status(500),
    Fault.status(502),
    Fault.status(503),
    Fault.status(504),
    Fault.status(520),
    Fault.rate_limit(0),
    Fault.html(502),
    Fault.drop_connection(),
    Fault.truncated_json(),
    Fault.response(401, {"statusCode": 401, "message": "X-ACCOUNT-KEY invalid"}),
    Fault.response(400, {"statusCode": 400, "message": "bad", "validationErrors": []}),
    Fault.html(200),
    Fault.response(202, {"data": {"taskId": None}}),
    Fault.response(204, b""),
    Fault.response(302, b"", headers={"Location": "a:b"}),
]
"""What can go wrong with a write's answer: statuses, pages of a proxy, a cut connection, and
2xx answers that are not the declared one (a 200 or 204 where 202 is declared, a null task id)."""
WRITE_OPERATIONS = ("create_project", "post_file_async")


def _write(client: maesn.Client | maesn.AsyncClient, operation: str, n: int) -> Any:
    """The call (a coroutine for an AsyncClient) of write number `n`."""
    if operation == "create_project":
        return client.accounting.create_project(body=CreateProjectRequestDto(name=f"project {n}"))
    payload = io.BytesIO(b"%PDF-1.7 " + str(n).encode() * 50)
    upload = PostFileAsyncBody(file=File(payload=payload, file_name=f"receipt-{n}.pdf"))
    return client.accounting.post_file_async(body=upload)


@dataclass
class WriteSoak:
    """A sandbox account for writes, faults injected per operation, and what came back."""

    sandbox: Sandbox
    rng: random.Random
    handles: dict[str, list[str]] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    faults: int = 0

    def before(self, operation: str) -> None:
        """Count the call; inject a random fault for it, WRITE_FAULT_RATE of the time."""
        self.calls[operation] += 1
        if self.rng.random() < WRITE_FAULT_RATE:
            self.faults += 1
            self.sandbox.inject(self.rng.choice(WRITE_FAULTS), operation=operation)

    def record(self, operation: str, outcome: object) -> None:
        """A handle of a started task, or a typed error saying whether the write was applied."""
        if isinstance(outcome, maesn.TaskHandle | maesn.AsyncTaskHandle):
            self.handles.setdefault(operation, []).append(outcome.task_id)
            self.outcomes["TaskHandle"] += 1
            return
        assert isinstance(outcome, maesn.MaesnError), f"{type(outcome).__name__}: {outcome!r}"
        self.outcomes[type(outcome).__name__] += 1
        if isinstance(outcome, maesn.APIStatusError | maesn.APIConnectionError):
            assert outcome.may_have_been_applied is not None  # a write: it always says
            assert outcome.attempts == 1  # sent once, never again


def _write_kwargs(sandbox: Sandbox) -> dict[str, Any]:
    return {
        "integration": "abaconnect",
        "api_key": sandbox.api_key,
        "account_key": sandbox.add_account("abaconnect"),
        "base_url": sandbox.base_url,
        "company_id": "c-soak",
    }


def test_soak_writes_are_sent_at_most_once_and_answered_right_or_typed() -> None:
    """WRITES task-starting writes (JSON and multipart), sync and async, 10% faults.

    Every write reaches the sandbox exactly once (none retried, none lost: the sandbox logs each
    arrival), every handle names a task the sandbox started for that very operation (each
    once), every other outcome is a typed MaesnError whose `may_have_been_applied` is set.
    """
    started = time.monotonic()
    with Sandbox() as sandbox, fake_clock():
        soak = WriteSoak(sandbox, random.Random(19))  # noqa: S311 - which faults, not secrets
        kwargs = _write_kwargs(sandbox)
        with maesn.Client(**kwargs) as client:
            for n in range(WRITES // 2):
                operation = WRITE_OPERATIONS[n % 2]
                soak.before(operation)
                soak.record(operation, _outcome(functools.partial(_write, client, operation, n)))

        async def run_async() -> None:
            async with maesn.AsyncClient(**kwargs) as async_client:
                batch = 20
                for start in range(WRITES // 2, WRITES, batch):
                    numbers = range(start, min(start + batch, WRITES))
                    chosen = [WRITE_OPERATIONS[n % 2] for n in numbers]
                    for operation in chosen:
                        soak.before(operation)
                    results = await asyncio.gather(
                        *(
                            _write(async_client, op, n)
                            for op, n in zip(chosen, numbers, strict=True)
                        ),
                        return_exceptions=True,
                    )
                    for operation, outcome in zip(chosen, results, strict=True):
                        soak.record(operation, outcome)

        asyncio.run(run_async())
        log = sandbox.requests.snapshot()
    print(  # noqa: T201 - the figures RELIABILITY.md records
        f"\nwrite soak ({'full' if FULL else 'reduced'}): {WRITES} writes, {soak.faults} faults "
        f"injected, {time.monotonic() - started:.1f} s\noutcomes: {dict(sorted(soak.outcomes.items()))}"
    )
    assert soak.faults > 0
    for operation in WRITE_OPERATIONS:
        arrived = [request for request in log if request.operation == operation]
        assert len(arrived) == soak.calls[operation]  # each write sent once: none twice, none lost
        started_tasks = {request.started_task for request in arrived} - {None}
        handles = soak.handles.get(operation, [])
        assert len(set(handles)) == len(handles)
        assert set(handles) <= started_tasks
    assert sum(soak.outcomes.values()) == WRITES
