"""pytest fixtures for testing code against the Maesn sandbox; registered through `pytest11`.

Installing maesn-client makes them available in every test suite:

- `maesn_sandbox`: a started `Sandbox`, stopped after the test. Configure it with the marker
  `@pytest.mark.maesn_sandbox(interactive_auth=True, page_size=10, ...)` (Sandbox's arguments).
- `maesn_fake_clock`: a `FakeClock` installed for the test, so polling and retry sleeps return at
  once and are recorded in `maesn_fake_clock.sleeps`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._fake_clock import FakeClock, fake_clock
from ._sandbox import Sandbox

__all__ = ["maesn_fake_clock", "maesn_sandbox", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that configures `maesn_sandbox`."""
    config.addinivalue_line(
        "markers",
        "maesn_sandbox(**kwargs): arguments for the maesn_sandbox fixture's Sandbox "
        "(api_key, account_key, interactive_auth, port, page_size, integration, company_ids, "
        "webhook_arrays, webhook_backoff)",
    )


@pytest.fixture
def maesn_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A running local Maesn sandbox, stopped (threads joined, sockets closed) after the test."""
    marker = request.node.get_closest_marker("maesn_sandbox")
    kwargs = dict(marker.kwargs) if marker is not None else {}
    with Sandbox(**kwargs) as sandbox:
        yield sandbox


@pytest.fixture
def maesn_fake_clock() -> Iterator[FakeClock]:
    """Virtual time for the client: sleeps return at once and are recorded; restored afterwards."""
    with fake_clock() as clock:
        yield clock
