"""Shared fixtures."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from helpers import Harness
from maesn import _clock
from scripted_server import ScriptedServer


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the client is built on httpx's asyncio support)."""
    return "asyncio"


@pytest.fixture
def scripted_server() -> Iterator[ScriptedServer]:
    """A scripted HTTP server on 127.0.0.1 for single-response tests."""
    with ScriptedServer() as server:
        yield server


@pytest.fixture(params=["sync", "async"])
def harness(request: pytest.FixtureRequest, scripted_server: ScriptedServer) -> Harness:
    """Runs each call through Client and, as a second case, AsyncClient."""
    return Harness(mode=request.param, base_url=scripted_server.base_url)


class RecordingClock:
    """Virtual time: sleeping records the seconds and advances time without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        """Virtual seconds."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record and advance."""
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        """Record and advance; yields to the loop once."""
        self.sleep(seconds)
        await asyncio.sleep(0)


@pytest.fixture(autouse=True)
def fake_clock() -> Iterator[RecordingClock]:
    """No test sleeps for real: retries and polling sleep on virtual time."""
    clock = RecordingClock()
    previous = _clock.install(clock)
    yield clock
    _clock.install(previous)
