"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import Harness, SandboxRunner
from maesn.testing import FakeClock, Sandbox
from maesn.testing import fake_clock as maesn_fake_clock
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
def harness(
    request: pytest.FixtureRequest,
    scripted_server: ScriptedServer,
    fake_clock: FakeClock,  # noqa: ARG001 - no harness call sleeps for real
) -> Harness:
    """Runs each call through Client and, as a second case, AsyncClient (on virtual time)."""
    return Harness(mode=request.param, base_url=scripted_server.base_url)


@pytest.fixture
def fake_clock() -> Iterator[FakeClock]:
    """No test sleeps for real: retries and polling sleep on virtual time."""
    with maesn_fake_clock() as clock:
        yield clock


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A running local Maesn with small export pages (100 entries) for fast paging tests."""
    with Sandbox(page_size=100) as running:
        yield running


@pytest.fixture
def runner(
    mode: str,
    sandbox: Sandbox,
    fake_clock: FakeClock,  # noqa: ARG001 - waits sleep on virtual time
) -> SandboxRunner:
    """Runs waits and exports through Client and, as a second case, AsyncClient."""
    return SandboxRunner(mode=mode, sandbox=sandbox)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Which client runs the test: "sync" for Client, "async" for AsyncClient."""
    return str(request.param)
