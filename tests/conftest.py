"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
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
