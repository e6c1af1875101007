"""Retries: 429, 5xx and dropped connections are retried with backoff; Retry-After wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import maesn
import pytest
from helpers import Harness, envelope
from maesn._retry import RetryPolicy, parse_retry_after
from maesn.testing import FakeClock
from scripted_server import ScriptedServer


def test_503_then_200_succeeds(
    harness: Harness, scripted_server: ScriptedServer, fake_clock: FakeClock
) -> None:
    """A transient 503 costs one retry, after a backoff sleep."""
    scripted_server.reply(503, {"message": "busy"})
    scripted_server.reply(200, envelope("FINISHED"))
    task = harness.get_task("t-1")
    assert task.is_done
    assert len(scripted_server.requests) == 2
    assert len(fake_clock.sleeps) == 1
    assert 0.375 <= fake_clock.sleeps[0] <= 0.5


def test_429_with_retry_after_waits_that_long(
    harness: Harness, scripted_server: ScriptedServer, fake_clock: FakeClock
) -> None:
    """`Retry-After: 2` means a 2-second wait, not the computed backoff."""
    scripted_server.reply(429, {"message": "slow down"}, headers={"Retry-After": "2"})
    scripted_server.reply(200, envelope("FINISHED"))
    harness.get_task("t-1")
    assert fake_clock.sleeps == [2.0]


def test_retry_after_as_an_http_date_is_honoured(
    harness: Harness, scripted_server: ScriptedServer, fake_clock: FakeClock
) -> None:
    """Retry-After may be an HTTP date."""
    when = datetime.now(UTC) + timedelta(seconds=30)
    scripted_server.reply(503, b"", headers={"Retry-After": format_datetime(when, usegmt=True)})
    scripted_server.reply(200, envelope("FINISHED"))
    harness.get_task("t-1")
    (slept,) = fake_clock.sleeps
    assert 25 <= slept <= 30


def test_retry_after_beyond_the_cap_raises_at_once_with_retry_after(
    harness: Harness, scripted_server: ScriptedServer, fake_clock: FakeClock
) -> None:
    """A server asking for an hour is not waited for inside a call: the caller decides."""
    scripted_server.reply(429, {"message": "quota"}, headers={"Retry-After": "3600"})
    with pytest.raises(maesn.RateLimitError) as caught:
        harness.get_task("t-1")
    assert caught.value.retry_after == 3600
    assert fake_clock.sleeps == []
    assert len(scripted_server.requests) == 1


def test_dropped_connection_then_200_succeeds(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """A connection dropped mid-body is retried (it is a GET)."""
    scripted_server.reply(200, envelope("FINISHED", response_data="x" * 1000), drop_mid_body=True)
    scripted_server.reply(200, envelope("FINISHED", response_data="ok"))
    task = harness.get_task("t-1")
    assert task.response_data == "ok"
    assert len(scripted_server.requests) == 2


def test_exhausted_retries_raise_with_the_attempt_count(
    harness: Harness, scripted_server: ScriptedServer, fake_clock: FakeClock
) -> None:
    """After max_retries the last error is raised and says how many attempts were made."""
    for _ in range(5):
        scripted_server.reply(502, {"message": "bad gateway"})
    with pytest.raises(maesn.ServerError, match="after 4 attempts") as caught:
        harness.get_task("t-1", max_retries=3)
    assert caught.value.attempts == 4
    assert len(scripted_server.requests) == 4
    assert len(fake_clock.sleeps) == 3
    assert fake_clock.sleeps == sorted(fake_clock.sleeps), "backoff grows"


def test_max_retries_zero_makes_one_attempt(
    harness: Harness, scripted_server: ScriptedServer, fake_clock: FakeClock
) -> None:
    """max_retries=0 disables retrying."""
    scripted_server.reply(503, {"message": "busy"})
    with pytest.raises(maesn.ServerError) as caught:
        harness.get_task("t-1", max_retries=0)
    assert caught.value.attempts == 1
    assert len(scripted_server.requests) == 1
    assert fake_clock.sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(
    harness: Harness, scripted_server: ScriptedServer, status: int
) -> None:
    """Retrying a 4xx (other than 429) cannot help."""
    scripted_server.reply(status, {"message": "no"})
    with pytest.raises(maesn.APIStatusError):
        harness.get_task("t-1")
    assert len(scripted_server.requests) == 1


def test_backoff_is_exponential_capped_and_jittered() -> None:
    """Waits double from 0.5 s up to the cap, each shortened by at most the jitter."""
    policy = RetryPolicy(max_retries=10, initial_delay=0.5, multiplier=2, max_delay=4, jitter=0.25)
    waits = [policy.delay(attempt) for attempt in range(1, 8)]
    bases = [0.5, 1, 2, 4, 4, 4, 4]
    for wait, base in zip(waits, bases, strict=True):
        assert wait is not None
        assert base * 0.75 <= wait <= base
    assert policy.delay(11) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [("5", 5.0), (" 1.5 ", 1.5), ("-3", 0.0), ("soon", None), (None, None)],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    """Delta-seconds are read as is; garbage is ignored."""
    assert parse_retry_after(header) == expected


@pytest.mark.parametrize("digits", [310, 400, 5000])
def test_a_retry_after_too_large_for_a_float_raises_at_once(
    digits: int, harness: Harness, scripted_server: ScriptedServer, fake_clock: FakeClock
) -> None:
    """Hundreds of digits are still delta-seconds, above any cap: raised at once, not retried."""
    huge = "9" * digits
    scripted_server.reply(429, {"message": "quota"}, headers={"Retry-After": huge})
    scripted_server.reply(200, envelope("FINISHED"))
    with pytest.raises(maesn.RateLimitError) as caught:
        harness.get_task("t-1")
    assert caught.value.retry_after == float("inf")
    assert fake_clock.sleeps == []
    assert len(scripted_server.requests) == 1


@pytest.mark.parametrize("header", ["inf", "nan", "1e999", "-1e999", "9" * 400 + "x"])
def test_a_retry_after_that_is_no_number_of_seconds_is_ignored(header: str) -> None:
    """Only digits are delta-seconds: "inf", "nan" and exponent overflows stay garbage."""
    assert parse_retry_after(header) is None
