"""FakeClock turns the client's sleeps into recorded, instant steps of virtual time."""

from __future__ import annotations

import asyncio

import pytest
from maesn import _clock
from maesn.testing import FakeClock, fake_clock


def test_sleep_records_and_advances_virtual_time_without_waiting() -> None:
    """sleep(3600) returns at once; monotonic() moved on by an hour."""
    clock = FakeClock(start=10)
    clock.sleep(3600)
    clock.sleep(0.5)
    assert clock.sleeps == [3600, 0.5]
    assert clock.monotonic() == 3610.5
    assert clock.slept == 3600.5


def test_advance_moves_time_without_recording_a_sleep() -> None:
    """advance() is for the test; sleeps stay the client's."""
    clock = FakeClock()
    clock.advance(5)
    assert (clock.monotonic(), clock.sleeps) == (5, [])
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)


@pytest.mark.anyio
async def test_asleep_records_without_waiting() -> None:
    """asleep(60) returns at once and is recorded."""
    clock = FakeClock()
    await asyncio.wait_for(clock.asleep(60), timeout=1)
    assert clock.sleeps == [60]


@pytest.mark.anyio
async def test_asleep_is_a_cancellation_point() -> None:
    """A task cancelled while in asleep is cancelled, and its sleep is not recorded."""
    clock = FakeClock()
    task = asyncio.create_task(clock.asleep(60))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert clock.sleeps == []


def test_fake_clock_installs_and_restores_the_previous_clock() -> None:
    """Inside the block maesn reads the fake clock; afterwards the one before it, even nested."""
    before = _clock.current()
    with fake_clock() as outer:
        assert _clock.current() is outer
        with fake_clock(start=100) as inner:
            assert _clock.current() is inner
            _clock.current().sleep(2)
        assert _clock.current() is outer
        assert inner.sleeps == [2]
    assert _clock.current() is before


def test_the_fixture_installs_a_fake_clock(maesn_fake_clock: FakeClock) -> None:
    """maesn_fake_clock is the clock maesn reads during the test."""
    assert _clock.current() is maesn_fake_clock


def test_slept_is_the_time_the_sleeps_moved_the_clock_on_by() -> None:
    """Sleeps that fill a 10 s deadline exactly add up to 10 s, not an ulp more, on any Python.

    These are jittered polls plus the remainder `10 - monotonic()`: the clock reaches 10.0, while
    `sum()` of the same floats gives 10.000000000000002 on Python 3.12+ (compensated summation).
    """
    clock = FakeClock()
    for seconds in (0.8203653757284242, 1.223075268053947, 2.0067300337733758, 3.110875166091628):
        clock.sleep(seconds)
    clock.sleep(10 - clock.monotonic())
    assert clock.monotonic() == 10.0
    assert clock.slept == 10.0
