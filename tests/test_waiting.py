"""wait_for_task: per-integration lifecycles, a strict deadline, Retry-After, cancellation, scale."""

from __future__ import annotations

import asyncio
from typing import Any

import maesn
import pytest
from helpers import SandboxRunner
from maesn import Integration, TaskOutcome, TaskStatus
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
    for integration in Integration
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
    """Asyncio cancellation ends the wait at once; the client stays usable and closes cleanly."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"])
    async with maesn.AsyncClient(
        integration="abaconnect",
        api_key=sandbox.api_key,
        account_key=sandbox.account_key,
        base_url=sandbox.base_url,
    ) as client:
        waiting = asyncio.create_task(client.wait_for_task(task_id, max_wait=1e9))
        while sandbox.requests.count(task_id=task_id) < 3:  # noqa: ASYNC110 - the sandbox is another thread
            await asyncio.sleep(0.005)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        polls = sandbox.requests.count(task_id=task_id)
        await asyncio.sleep(0.05)
        assert sandbox.requests.count(task_id=task_id) == polls
        assert fake_clock.sleeps
        done = sandbox.add_task("abaconnect")
        assert (await client.get_task(done)).status is TaskStatus.IN_PROGRESS


@pytest.mark.anyio
async def test_500_concurrent_waits_complete_over_one_client(fake_clock: FakeClock) -> None:
    """asyncio.gather of 500 waits, and wait_for_tasks yielding as they finish, share one pool."""
    del fake_clock
    with Sandbox(interactive_auth=True) as sandbox:
        ids = [sandbox.add_task("datev-rewe") for _ in range(500)]
        async with maesn.AsyncClient(
            integration="datev-rewe",
            interactive_auth=True,
            api_key=sandbox.api_key,
            account_key=sandbox.account_key,
            base_url=sandbox.base_url,
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
        api_key=sandbox.api_key,
        account_key=sandbox.account_key,
        base_url=sandbox.base_url,
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
