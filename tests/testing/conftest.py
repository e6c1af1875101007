"""Fixtures for the sandbox's own tests: a started sandbox (the plugin's) and an httpx client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from maesn.testing import Sandbox

from . import GetTask


@pytest.fixture
def client(maesn_sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client pointed at the sandbox, sending its keys."""
    with httpx.Client(
        base_url=maesn_sandbox.base_url, headers=maesn_sandbox.headers, timeout=10
    ) as client:
        yield client


@pytest.fixture
def get_task(client: httpx.Client) -> GetTask:
    """GET a task's status endpoint with the given query parameters."""

    def get(task_id: str, **params: Any) -> httpx.Response:
        return client.get(f"/accounting/asyncTask/{task_id}", params=params)

    return get
