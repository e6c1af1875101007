"""wait_for_task: per-integration lifecycles, a strict deadline, Retry-After, cancellation, scale."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import maesn
import pytest
from helpers import DOCUMENTED_STATUSES, SandboxRunner, sandbox_keys
from maesn import Integration, TaskOutcome, TaskStatus, _clock
from maesn._flow import Emit, Flow, Sleep
from maesn._waiting import WaitOptions, wait_flow, wait_many_flow
from maesn.testing import FakeClock, Fault, Sandbox

FAILURES: dict[TaskOutcome, type[maesn.TaskFailedError]] = {
    TaskOutcome.FAILED: maesn.TaskFailedError,
    TaskOutcome.PARTIAL: maesn.TaskPartiallySucceededError,
    TaskOutcome.CANCELLED: maesn.TaskCancelledError,
    TaskOutcome.CANCEL_FAILED: maesn.TaskCancelledError,
    TaskOutcome.DELETED: maesn.TaskDeletedError,
}
TERMINALS = [
    (integration, status)
    for integration in DOCUMENTED_STATUSES  # the generic rows: tests/test_client_status.py
    for status, outcome in integration.profile.outcomes.items()
    if outcome.is_done
]


def _lifecycle(integration: Integration, terminal: TaskStatus) -> list[TaskStatus]:
    pending = sorted(integration.profile.statuses_for(TaskOutcome.PENDING))
    return [*pending, terminal]


@pytest.mark.parametrize(
    ("integration", "terminal"), TERMINALS, ids=[f"{i.value}-{s.value}" for i, s in TERMINALS]
)
def test_each_integration_lifecycle_ends_as_its_profile_says(
    runner: SandboxRunner, integration: Integration, terminal: TaskStatus
) -> None:
    """Success returns the task; every failure outcome raises its TaskFailedError subclass."""
    task_id = runner.sandbox.add_task(
        integration,
        lifecycle=_lifecycle(integration, terminal),
        information=[{"message": "Belegnummer 17 fehlt", "type": "error"}],
        response_data={"id": "x-1"},
    )
    client = {"integration": integration}
    outcome = integration.profile.outcome_of(terminal)
    assert outcome is not None
    if outcome.is_success:
        task = runner.wait(task_id, client)
        assert task.status is terminal
        assert task.is_done
        assert task.response_data == {"id": "x-1"}
    else:
        with pytest.raises(FAILURES[outcome]) as caught:
            runner.wait(task_id, client)
        assert type(caught.value) is FAILURES[outcome]
        assert caught.value.task.status is terminal
        assert "'Belegnummer 17 fehlt'" in str(caught.value)
        assert runner.wait(task_id, client, raise_on_failure=False).status is terminal
    polls = runner.sandbox.requests.count(task_id=task_id)
    assert polls == len(_lifecycle(integration, terminal)) + (0 if outcome.is_success else 1)


def test_abaconnect_finished_counts_as_done(runner: SandboxRunner) -> None:
    """FINISHED ends AbaConnect's wait; the outcome is in information."""
    task_id = runner.sandbox.add_task(
        "abaconnect", information=[{"message": "3 Buchungen übernommen", "type": "info"}]
    )
    task = runner.wait(task_id, {"integration": "abaconnect"})
    assert task.status is TaskStatus.FINISHED
    assert task.outcome is TaskOutcome.COMPLETED
    assert task.messages == ["3 Buchungen übernommen"]


def test_polling_interval_grows_with_jitter_up_to_the_cap(
    runner: SandboxRunner, fake_clock: FakeClock
) -> None:
    """Waits start at poll_interval and grow 1.5x (each shortened by up to 20%) to max_interval."""
    task_id = runner.sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"] * 8 + ["FINISHED"])
    runner.wait(task_id, {"integration": "abaconnect"}, poll_interval=1.0, max_interval=4.0)
    bases = [1.0, 1.5, 2.25, 3.375, 4.0, 4.0, 4.0, 4.0]
    assert len(fake_clock.sleeps) == len(bases)
    for slept, base in zip(fake_clock.sleeps, bases, strict=True):
        assert base * 0.8 <= slept <= base


def test_deadline_is_strict_and_the_timeout_error_carries_the_last_task(
    runner: SandboxRunner, fake_clock: FakeClock
) -> None:
    """It never sleeps past the deadline and raises TaskTimeoutError with task and elapsed time."""
    task_id = runner.sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"])
    start = fake_clock.monotonic()
    with pytest.raises(maesn.TaskTimeoutError) as caught:
        runner.wait(task_id, {"integration": "abaconnect"}, max_wait=10, poll_interval=1.0)
    error = caught.value
    assert isinstance(error, TimeoutError)
    assert error.task.status is TaskStatus.IN_PROGRESS
    assert fake_clock.slept <= 10
    assert fake_clock.monotonic() - start <= 10
    assert error.elapsed == pytest.approx(fake_clock.monotonic() - start)
    assert "still IN_PROGRESS after 10.0s" in str(error)
    assert "max_wait=10" in str(error)


def test_retry_after_wins_while_waiting(runner: SandboxRunner, fake_clock: FakeClock) -> None:
    """A 429 during the wait makes the client wait exactly what Retry-After says."""
    task_id = runner.sandbox.add_task("abaconnect")
    runner.sandbox.inject(Fault.rate_limit(retry_after=7), task_id=task_id)
    task = runner.wait(task_id, {"integration": "abaconnect"})
    assert task.status is TaskStatus.FINISHED
    assert fake_clock.sleeps[0] == 7.0


def test_retries_inside_a_wait_never_sleep_past_the_deadline(
    runner: SandboxRunner, fake_clock: FakeClock
) -> None:
    """A Retry-After longer than the time left ends the wait with the API error, without sleeping."""
    task_id = runner.sandbox.add_task("abaconnect")
    runner.sandbox.inject(Fault.rate_limit(retry_after=60), task_id=task_id)
    with pytest.raises(maesn.RateLimitError):
        runner.wait(task_id, {"integration": "abaconnect"}, max_wait=5)
    assert fake_clock.sleeps == []


@pytest.mark.parametrize("lifecycle", [["OPEN", "FINISHED"], ["QUEUED_SOMEWHERE", "FINISHED"]])
def test_a_status_neither_pending_nor_terminal_stops_the_wait_at_once(
    runner: SandboxRunner, fake_clock: FakeClock, lifecycle: list[str]
) -> None:
    """AbaConnect never reports OPEN; nobody knows QUEUED_SOMEWHERE: no polling until the deadline."""
    task_id = runner.sandbox.add_task("abaconnect", lifecycle=lifecycle)
    with (
        pytest.raises(maesn.UnexpectedTaskStatusError) as caught,
        pytest.warns(maesn.MaesnWarning),
    ):
        runner.wait(task_id, {"integration": "abaconnect", "strict_status": False})
    assert caught.value.task.status == lifecycle[0]
    assert runner.sandbox.requests.count(task_id=task_id) == 1
    assert fake_clock.sleeps == []


def test_on_update_is_called_when_the_status_changes(runner: SandboxRunner) -> None:
    """The callback sees each new status once, not every poll."""
    task_id = runner.sandbox.add_task(
        "datev-unternehmen-online",
        lifecycle=["OPEN", "OPEN", "IN_PROGRESS", "IN_PROGRESS", "SUCCESS"],
    )
    seen: list[Any] = []
    runner.wait(
        task_id,
        {"integration": "datev-unternehmen-online"},
        on_update=lambda t: seen.append(t.status),
    )
    assert seen == [TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.SUCCESS]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"max_wait": 0}, "max_wait must be a positive"),
        ({"poll_interval": -1}, "poll_interval must be a positive"),
        ({"poll_interval": 5, "max_interval": 1}, "must not be shorter"),
        ({"on_update": "print"}, "on_update must be callable"),
    ],
)
def test_bad_wait_options_are_refused_before_any_request(
    runner: SandboxRunner, options: dict[str, Any], match: str
) -> None:
    """Wait arguments are checked before the first poll."""
    task_id = runner.sandbox.add_task("abaconnect")
    with pytest.raises(maesn.ValidationError, match=match):
        runner.wait(task_id, {"integration": "abaconnect"}, **options)
    assert runner.sandbox.requests.count() == 0


@pytest.mark.anyio
async def test_cancelling_the_async_wait_stops_it_promptly(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """Asyncio cancellation ends the wait at once; the client stays usable and closes cleanly.

    Polls are counted where the wait sees them (`on_poll`), not in the sandbox's log: a poll
    already on the wire when the wait is cancelled reaches the log after the cancellation.
    """
    task_id = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"])
    seen: list[maesn.Task] = []
    three_polls = asyncio.Event()

    def polled(task: maesn.Task) -> None:
        seen.append(task)
        if len(seen) == 3:
            three_polls.set()

    async with maesn.AsyncClient(
        integration="abaconnect",
        **sandbox_keys(sandbox),
    ) as client:
        waiting = asyncio.create_task(client.wait_for_task(task_id, max_wait=1e9, on_poll=polled))
        await three_polls.wait()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            async with asyncio.timeout(30):  # a wait that ignored the cancellation would hang
                await waiting
        polls = len(seen)
        assert fake_clock.sleeps
        done = sandbox.add_task("abaconnect")
        assert (await client.wait_for_task(done)).status is TaskStatus.FINISHED
        assert len(seen) == polls
    # Closed: what it sent before the cancellation was answered or dropped, and nothing after.
    assert polls <= sandbox.requests.count(task_id=task_id) <= polls + 1


@pytest.mark.anyio
async def test_500_concurrent_waits_complete_over_one_client(fake_clock: FakeClock) -> None:
    """asyncio.gather of 500 waits, and wait_for_tasks yielding as they finish, share one pool."""
    del fake_clock
    with Sandbox(interactive_auth=True) as sandbox:
        ids = [sandbox.add_task("datev-rewe") for _ in range(500)]
        async with maesn.AsyncClient(
            integration="datev-rewe",
            interactive_auth=True,
            **sandbox_keys(sandbox),
        ) as client:
            tasks = await asyncio.gather(*(client.wait_for_task(i) for i in ids))
            assert [t.task_id for t in tasks] == ids
            assert all(t.status is TaskStatus.SUCCESS for t in tasks)

            more = [sandbox.add_task("datev-rewe") for _ in range(500)]
            finished = [t.task_id async for t in client.wait_for_tasks(more, concurrency=100)]
            assert sorted(finished) == sorted(more)
        assert len({r.client_port for r in sandbox.requests}) <= 40, "connections are reused"


@pytest.mark.anyio
async def test_wait_for_tasks_raises_the_first_failure_and_cancels_the_rest(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """One failed task ends the batch with its error; the other waits stop."""
    del fake_clock
    slow = [sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"]) for _ in range(3)]
    failing = sandbox.add_task("datev-rewe", lifecycle=["IN_PROGRESS", "FAILED"])
    async with maesn.AsyncClient(
        integration="datev-rewe",
        company_id="c-1",
        **sandbox_keys(sandbox),
    ) as client:
        with pytest.raises(maesn.TaskFailedError):
            async for _ in client.wait_for_tasks([*slow, failing], max_wait=1e9):
                pass
        with pytest.raises(maesn.ValidationError, match="concurrency"):
            async for _ in client.wait_for_tasks(slow, concurrency=0):
                pass


def test_on_poll_is_called_after_every_poll(runner: SandboxRunner) -> None:
    """on_poll sees each answered poll, whether or not the status changed."""
    task_id = runner.sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"] * 3 + ["FINISHED"])
    polled: list[Any] = []
    runner.wait(task_id, {"integration": "abaconnect"}, on_poll=lambda t: polled.append(t.status))
    assert polled == [TaskStatus.IN_PROGRESS] * 3 + [TaskStatus.FINISHED]


def _in_progress_with_retry_after(sandbox: Sandbox, task_id: str, value: str, times: int) -> None:
    body = b'{"data": {"status": "IN_PROGRESS", "information": []}}'
    fault = Fault.response(
        200, body, headers={"Content-Type": "application/json", "Retry-After": value}
    )
    sandbox.inject(fault, task_id=task_id, times=times)


def test_retry_after_on_a_pending_answer_lengthens_the_wait(
    runner: SandboxRunner, fake_clock: FakeClock
) -> None:
    """A 200 saying Retry-After: 5 makes the next poll wait 5 s instead of the 1 s interval."""
    task_id = runner.sandbox.add_task("abaconnect")
    _in_progress_with_retry_after(runner.sandbox, task_id, "5", times=1)
    runner.wait(task_id, {"integration": "abaconnect"}, poll_interval=1.0)
    assert fake_clock.sleeps[0] == 5.0


@pytest.mark.parametrize("value", ["0", "Wed, 21 Oct 2015 07:28:00 GMT"])
def test_retry_after_zero_or_past_never_makes_the_wait_spin(
    runner: SandboxRunner, fake_clock: FakeClock, value: str
) -> None:
    """Retry-After can only lengthen a poll interval, never shorten it to nothing."""
    task_id = runner.sandbox.add_task("abaconnect")
    _in_progress_with_retry_after(runner.sandbox, task_id, value, times=3)
    runner.wait(task_id, {"integration": "abaconnect"}, poll_interval=1.0, max_interval=1.0)
    # Three faulted answers, then the default lifecycle's own IN_PROGRESS: four waits, none short.
    assert len(fake_clock.sleeps) == 4
    assert all(slept >= 0.8 for slept in fake_clock.sleeps)


def test_the_deadline_also_bounds_a_slow_request(mode: str) -> None:
    """A poll still in flight at the deadline is cut off: the wait ends as a timeout.

    Real time: after the first poll the sandbox answers only after 3 s, with FINISHED. A wait with
    a 0.5 s deadline gives that poll at most a second, so it times out instead of succeeding.
    """
    with Sandbox() as sandbox:
        task_id = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS", "FINISHED"])
        runner = SandboxRunner(mode=mode, sandbox=sandbox)

        def slow_down(task: maesn.Task) -> None:
            del task
            sandbox.inject(Fault.delay(3), task_id=task_id)

        with pytest.raises(maesn.TaskTimeoutError) as caught:
            runner.wait(
                task_id,
                {"integration": "abaconnect"},
                max_wait=0.5,
                poll_interval=0.1,
                on_poll=slow_down,
            )
        assert caught.value.task.status is TaskStatus.IN_PROGRESS
        assert isinstance(caught.value.__cause__, maesn.APITimeoutError)


def _collect_many(
    mode: str, sandbox: Sandbox, task_ids: Any, client: dict[str, Any] | None = None, **options: Any
) -> list[Any]:
    """Everything wait_for_tasks yields, through Client or AsyncClient; raises what it raises."""
    runner = SandboxRunner(mode=mode, sandbox=sandbox)
    kwargs = runner.client_kwargs(**{"integration": "abaconnect", **(client or {})})
    if mode == "sync":
        with maesn.Client(**kwargs) as sync_client:
            return list(sync_client.wait_for_tasks(task_ids, **options))

    async def call() -> list[Any]:
        async with maesn.AsyncClient(**kwargs) as async_client:
            return [item async for item in async_client.wait_for_tasks(task_ids, **options)]

    return asyncio.run(call())


def test_wait_for_tasks_yields_every_task_as_it_finishes(
    sandbox: Sandbox, fake_clock: FakeClock, mode: str
) -> None:
    """Both clients wait for a batch; quicker tasks come first."""
    del fake_clock
    slow = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"] * 4 + ["FINISHED"])
    quick = sandbox.add_task("abaconnect", lifecycle=["FINISHED"])
    medium = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS", "FINISHED"])
    tasks = _collect_many(mode, sandbox, [slow, quick, medium])
    ids = [t.task_id for t in tasks]
    if mode == "sync":  # one loop, polling by due time on the virtual clock
        assert ids == [quick, medium, slow]
    else:  # concurrent waits on virtual time finish in the event loop's order
        assert sorted(ids) == sorted([quick, medium, slow])
    assert all(t.status is TaskStatus.FINISHED for t in tasks)
    polled = [r.task_id for r in sandbox.requests]
    assert [polled.count(t) for t in (quick, medium, slow)] == [1, 2, 5]  # none polled after done


def test_the_sync_batch_polls_round_robin_by_due_time(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """Every task is polled before any is polled twice, and the waits overlap in time."""
    lifecycle = ["IN_PROGRESS", "IN_PROGRESS", "FINISHED"]
    ids = [sandbox.add_task("abaconnect", lifecycle=lifecycle) for _ in range(5)]
    start = fake_clock.monotonic()
    tasks = _collect_many("sync", sandbox, ids, poll_interval=1.0, max_interval=30.0)
    assert sorted(t.task_id for t in tasks) == sorted(ids)
    order = [r.task_id for r in sandbox.requests]
    assert set(order[:5]) == set(ids)
    assert len(order) == 15
    # One task alone waits about 1 + 1.5 s; five in turn, overlapped, take no longer.
    assert fake_clock.monotonic() - start <= 2.5


def test_the_sync_batch_keeps_concurrency_tasks_in_rotation(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """concurrency=2: the third task is first polled only after one of the first two finished."""
    del fake_clock
    first = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS", "FINISHED"])
    second = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"] * 3 + ["FINISHED"])
    third = sandbox.add_task("abaconnect", lifecycle=["FINISHED"])
    _collect_many("sync", sandbox, [first, second, third], concurrency=2)
    order = [r.task_id for r in sandbox.requests]
    assert order.index(third) > order.index(first, order.index(first) + 1)


def test_wait_for_tasks_stops_at_the_first_error_by_default(
    sandbox: Sandbox, fake_clock: FakeClock, mode: str
) -> None:
    """Without return_exceptions the first failure is raised and nothing more is polled."""
    del fake_clock
    slow = [sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"]) for _ in range(3)]
    failing = sandbox.add_task("datev-rewe", lifecycle=["IN_PROGRESS", "FAILED"])
    client = {"integration": "datev-rewe", "company_id": "c-1"}
    with pytest.raises(maesn.TaskFailedError) as caught:
        _collect_many(mode, sandbox, [*slow, failing], client, max_wait=1e9)
    assert caught.value.task.task_id == failing
    # The other waits were cancelled with the batch: nothing polls after it ended. (How many
    # polls the slow tasks made before depends on the event loop's interleaving on virtual time.)
    # Stopping the sandbox joins its handler threads, so a poll still in flight would be logged
    # by then; no wall-clock pause decides it.
    polls = len(sandbox.requests)
    sandbox.stop()
    assert len(sandbox.requests) == polls
    assert [r.task_id for r in sandbox.requests].count(failing) == 2  # raised at FAILED


def test_return_exceptions_yields_one_result_or_error_per_task(
    sandbox: Sandbox, fake_clock: FakeClock, mode: str
) -> None:
    """(task_id, Task | MaesnError) for every task: a failure, a timeout and a 404 stop nothing."""
    del fake_clock
    done = sandbox.add_task("datev-rewe", lifecycle=["IN_PROGRESS", "SUCCESS"])
    failed = sandbox.add_task("datev-rewe", lifecycle=["FAILED"])
    stuck = sandbox.add_task("datev-rewe", lifecycle=["IN_PROGRESS"])
    missing = "no-such-task"
    client = {"integration": "datev-rewe", "company_id": "c-1"}
    results = dict(
        _collect_many(
            mode,
            sandbox,
            [done, failed, stuck, missing],
            client,
            max_wait=30,
            return_exceptions=True,
        )
    )
    assert set(results) == {done, failed, stuck, missing}
    assert isinstance(results[done], maesn.Task)
    assert results[done].status is TaskStatus.SUCCESS
    assert type(results[failed]) is maesn.TaskFailedError
    assert isinstance(results[stuck], maesn.TaskTimeoutError)
    assert results[stuck].task.task_id == stuck
    assert isinstance(results[missing], maesn.NotFoundError)


@pytest.mark.parametrize(
    ("task_ids", "options", "argument"),
    [
        ("t-1", {}, "task_ids"),
        (["t-1", ""], {}, "task_id"),
        (["t-1"], {"concurrency": 0}, "concurrency"),
        (["t-1"], {"max_wait": -1}, "max_wait"),
        (["t-1"], {"poll_interval": 5, "max_interval": 1}, "max_interval"),
    ],
    ids=["a-string", "empty-id", "concurrency", "max-wait", "intervals"],
)
def test_wait_for_tasks_checks_its_arguments_at_the_call(
    sandbox: Sandbox, mode: str, task_ids: Any, options: dict[str, Any], argument: str
) -> None:
    """Nothing is sent, and the error comes from the call itself, before iterating."""
    runner = SandboxRunner(mode=mode, sandbox=sandbox)
    kwargs = runner.client_kwargs(integration="abaconnect")
    client_class = maesn.Client if mode == "sync" else maesn.AsyncClient

    async def call() -> None:
        async with maesn.AsyncClient(**kwargs) as async_client:
            with pytest.raises(maesn.ValidationError, match=argument):
                async_client.wait_for_tasks(task_ids, **options)

    if client_class is maesn.Client:
        with (
            maesn.Client(**kwargs) as sync_client,
            pytest.raises(maesn.ValidationError, match=argument),
        ):
            sync_client.wait_for_tasks(task_ids, **options)
    else:
        asyncio.run(call())
    assert sandbox.requests.count() == 0


def test_max_wait_of_a_batch_counts_from_the_call(sandbox: Sandbox, fake_clock: FakeClock) -> None:
    """A task admitted late (concurrency=1) gets only what is left of max_wait."""
    first = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"] * 3 + ["FINISHED"])
    late = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"])
    start = fake_clock.monotonic()
    results = dict(
        _collect_many(
            "sync",
            sandbox,
            [first, late],
            max_wait=10,
            concurrency=1,
            return_exceptions=True,
        )
    )
    assert isinstance(results[first], maesn.Task)
    assert isinstance(results[late], maesn.TaskTimeoutError)
    assert fake_clock.monotonic() - start <= 10


def test_timeout_is_not_the_wait_deadline(runner: SandboxRunner) -> None:
    """wait_for_task has max_wait; `timeout` is only the client's per-request timeout."""
    task_id = runner.sandbox.add_task("abaconnect")
    with pytest.raises(maesn.ValidationError) as caught:
        runner.wait(task_id, {"integration": "abaconnect"}, timeout=5)
    assert caught.value.argument == "timeout"
    assert caught.value.hint is not None
    assert "max_wait" in caught.value.hint
    assert runner.sandbox.requests.filter(task_id=task_id) == []


ABACONNECT_ERROR = [
    {"message": "3 Buchungen übernommen", "type": "INFO"},
    {"message": "Konto 9999 existiert nicht", "type": "ERROR"},
]


def test_an_abaconnect_error_entry_is_returned_by_default(runner: SandboxRunner) -> None:
    """Default: FINISHED is done; the error entry is for the caller to read (profile helper)."""
    task_id = runner.sandbox.add_task("abaconnect", information=ABACONNECT_ERROR)
    task = runner.wait(task_id, {"integration": "abaconnect"})
    assert task.status is TaskStatus.FINISHED
    errors = task.profile.error_information(task.information)
    assert [e.message for e in errors] == ["Konto 9999 existiert nicht"]


def test_fail_on_error_information_turns_an_abaconnect_error_into_task_failed(
    runner: SandboxRunner,
) -> None:
    """The opt-in raises TaskFailedError carrying the task; raise_on_failure=False returns it."""
    task_id = runner.sandbox.add_task("abaconnect", information=ABACONNECT_ERROR)
    client = {"integration": "abaconnect"}
    with pytest.raises(maesn.TaskFailedError) as caught:
        runner.wait(task_id, client, fail_on_error_information=True)
    assert type(caught.value) is maesn.TaskFailedError
    assert caught.value.task.status is TaskStatus.FINISHED
    assert "Konto 9999 existiert nicht" in str(caught.value)
    task = runner.wait(task_id, client, fail_on_error_information=True, raise_on_failure=False)
    assert task.status is TaskStatus.FINISHED


@pytest.mark.parametrize(
    ("integration", "information", "expected"),
    [
        ("abaconnect", [{"message": "ok", "type": "INFO"}], "returned"),
        ("abaconnect", [{"message": "kaputt", "type": "error"}], "failed"),
        ("datev-rewe", [{"message": "Hinweis", "type": "ERROR"}], "returned"),
    ],
    ids=["abaconnect-info", "abaconnect-error-lowercase", "datev-status-authoritative"],
)
def test_which_information_types_mean_an_error_comes_from_the_profile(
    runner: SandboxRunner, integration: str, information: list[dict[str, str]], expected: str
) -> None:
    """AbaConnect lists ERROR (any case); DATEV's SUCCESS status alone decides."""
    assert ("error" in Integration(integration).profile.error_information_types) is (
        integration == "abaconnect"
    )
    if integration != "abaconnect":
        information = [
            {**info, "filename": "a.pdf", "timestamp": "2026-01-01"} for info in information
        ]
    task_id = runner.sandbox.add_task(integration, information=information)
    client = {"integration": integration, "company_id": "c-1"}
    if expected == "failed":
        with pytest.raises(maesn.TaskFailedError):
            runner.wait(task_id, client, fail_on_error_information=True)
    else:
        assert runner.wait(task_id, client, fail_on_error_information=True).is_done


def test_wait_for_tasks_honours_fail_on_error_information(
    sandbox: Sandbox, fake_clock: FakeClock, mode: str
) -> None:
    """The batch wait takes the same opt-in."""
    del fake_clock
    bad = sandbox.add_task("abaconnect", information=ABACONNECT_ERROR)
    good = sandbox.add_task("abaconnect")
    results = dict(
        _collect_many(
            mode, sandbox, [bad, good], return_exceptions=True, fail_on_error_information=True
        )
    )
    assert isinstance(results[bad], maesn.TaskFailedError)
    assert isinstance(results[good], maesn.Task)


class _NoGlobalClock:
    """Installed as the process clock: any flow that looks it up fails the test."""

    def monotonic(self) -> float:
        raise AssertionError("a flow read the global clock")

    def sleep(self, seconds: float) -> None:
        raise AssertionError(f"a flow slept {seconds} s on the global clock")

    async def asleep(self, seconds: float) -> None:
        raise AssertionError(f"a flow slept {seconds} s on the global clock")


def _fake_poll(statuses: list[str]) -> Any:
    """A `fetch` sub-flow answering from `statuses`, one per poll, without any I/O."""
    answers = iter(statuses)

    def fetch(deadline: float | None) -> Flow[tuple[maesn.Task, float | None]]:
        del deadline
        yield from ()
        task = maesn.Task(
            task_id="t-1", integration=Integration.ABACONNECT, status=TaskStatus(next(answers))
        )
        return task, None

    return fetch


def test_wait_flows_are_pure_and_use_the_clock_and_rng_they_are_given() -> None:
    """wait_flow and wait_many_flow take fetch, clock and rng: no I/O, no global clock lookup."""
    rng = random.Random(1)  # noqa: S311 - jitter, as in the client
    clock = FakeClock()
    options = WaitOptions.create(max_wait=60, poll_interval=2.0, max_interval=2.0, company_id=None)
    previous = _clock.install(_NoGlobalClock())
    try:
        flow = wait_flow(_fake_poll(["IN_PROGRESS", "FINISHED"]), options, clock=clock, rng=rng)
        action = next(flow)
        assert isinstance(action, Sleep)
        assert 1.6 <= action.seconds <= 2.0
        clock.advance(action.seconds)
        with pytest.raises(StopIteration) as done:
            flow.send(None)
        assert done.value.value.status is TaskStatus.FINISHED

        many = wait_many_flow(
            ["a", "b"],
            lambda _: _fake_poll(["FINISHED"]),
            options,
            clock=clock,
            rng=rng,
            concurrency=2,
            return_exceptions=True,
        )
        emitted = [action.value for action in many if isinstance(action, Emit)]
        assert [task_id for task_id, _ in emitted] == ["a", "b"]
    finally:
        _clock.install(previous)
