"""Tests of `maesn.testing` (a package so its conftest does not clash with tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

GetTask = Callable[..., httpx.Response]
"""The `get_task` fixture: GET a task's status endpoint with query parameters."""
