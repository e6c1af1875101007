"""`import maesn` does not import the generated models, and polling a task never needs them.

The published spec generates about 400 models, and maesn_api/models/__init__.py imports all of
them as soon as any module of maesn_api.models is imported. Checked in a fresh interpreter through
sys.modules, not by timing.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import maesn
import maesn.testing
client = maesn.Client(api_key="k", account_key="a", integration="abaconnect")
client.close()
loaded = sorted(name for name in sys.modules if name.startswith("maesn_api.models"))
print(loaded)
"""


def test_import_maesn_loads_no_generated_model() -> None:
    """Importing maesn (and its sandbox) and building a client import no maesn_api.models module."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


POLL = """
import sys
import maesn
from maesn.testing import Sandbox
with Sandbox() as sandbox:
    task_id = sandbox.add_task("abaconnect", lifecycle=["FINISHED"])
    with maesn.Client(
        integration="abaconnect",
        base_url=sandbox.base_url,
        api_key=sandbox.api_key,
        account_key=sandbox.account_key,
    ) as client:
        print(client.get_task(task_id).status.value)
print(sorted(name for name in sys.modules if name.startswith("maesn_api.models")))
"""


def test_polling_a_task_loads_no_generated_model() -> None:
    """A poll parses the envelope itself: the ~400 generated models stay unloaded."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", POLL], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["FINISHED", "[]"]
