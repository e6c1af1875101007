"""Start-up: `import maesn` and `maesn --help` import nothing they do not use.

Checked in a fresh interpreter through `sys.modules`, never by timing (BENCHMARKS.md has the
times): `import maesn` loads the provenance check and the names it exports on first use; the
command line's help loads the argument parser, not the client, httpx, the sandbox or rich.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = (
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    "asyncio",
    "attr",
    "dateutil",
    "rich",
    "maesn._client",
    "maesn._base",
    "maesn._webhooks",
    "maesn.testing",
    "maesn_api.client",
    "maesn_api.models",
)
"""What a call, the sandbox or the live display load, and the help never needs."""

PROBE = """
import sys
{setup}
heavy = {heavy!r}
print(sorted(name for name in heavy if name in sys.modules))
"""

HELP = """
import contextlib, io
from maesn._cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(["--help"])
assert code == 0 and "usage: maesn" in out.getvalue(), (code, out.getvalue()[:200])
"""


def _loaded(setup: str) -> list[str]:
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE.format(setup=setup, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: list[str] = eval(result.stdout)  # noqa: S307 - our probe prints a list literal
    return loaded


@pytest.mark.parametrize(
    "setup",
    ["import maesn", HELP, "import maesn\nmaesn.MaesnError\nmaesn.TaskStatus"],
    ids=["import-maesn", "maesn-help", "exceptions-and-statuses"],
)
def test_starting_up_imports_nothing_it_does_not_use(setup: str) -> None:
    """`import maesn`, `maesn --help` and reading the errors load no client, httpx or model."""
    assert _loaded(setup) == []


def test_a_client_loads_httpx_but_no_generated_client_or_attrs() -> None:
    """`maesn.Client(...)` builds its pool itself: the generated client class (attrs) waits."""
    loaded = _loaded(
        "import maesn\n"
        "maesn.Client(api_key='k' * 8, account_key='a' * 8, integration='abaconnect').close()"
    )
    assert "httpx" in loaded
    assert "maesn._client" in loaded
    # (rich may be loaded by httpx itself: its command line loads when click is installed.)
    assert not {"attr", "dateutil", "maesn_api.client", "maesn_api.models"} & set(loaded)
