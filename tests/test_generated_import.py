"""`import maesn`: it loads no generated model, and refuses a `maesn_api` that is not its own.

The published spec generates about 400 models, and maesn_api/models/__init__.py imports all of
them as soon as any module of maesn_api.models is imported. Checked in a fresh interpreter through
sys.modules, not by timing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import maesn_api._provenance
import maesn_resources._provenance
import pytest
from maesn import _generated

ROOT = Path(__file__).resolve().parent.parent

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


FOREIGN_PACKAGES = {
    "no-provenance": ({"__init__.py": ""}, "is not maesn-client's generated package"),
    "other-distribution": (
        {"__init__.py": "", "_provenance.py": 'DISTRIBUTION = "other-client"\n'},
        "belongs to other-client, not to maesn-client",
    ),
}


@pytest.mark.parametrize("kind", sorted(FOREIGN_PACKAGES))
def test_import_maesn_refuses_a_maesn_api_that_is_not_ours(kind: str, tmp_path: Path) -> None:
    """Another distribution's `maesn_api` ahead on the path: ImportError naming it and where."""
    files, words = FOREIGN_PACKAGES[kind]
    package = tmp_path / "maesn_api"
    package.mkdir()
    for name, text in files.items():
        (package / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", "import maesn"],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"ImportError: the 'maesn_api' package found at {package} ")
    assert words in last


def test_every_generated_package_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard covers a list of packages: each must name the distribution, or is refused."""
    for name, owner in (("gen_ours", "maesn-client"), ("gen_theirs", "someone-else")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("", encoding="utf-8")
        (tmp_path / name / "_provenance.py").write_text(f'DISTRIBUTION = "{owner}"\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _generated.generated_provenance("gen_ours").DISTRIBUTION == "maesn-client"
    with pytest.raises(ImportError, match="belongs to someone-else") as raised:
        _generated.generated_provenance("gen_theirs")
    assert (raised.value.name, raised.value.path) == ("gen_theirs", str(tmp_path / "gen_theirs"))
    with pytest.raises(ImportError, match="'gen_missing', which is not installed"):
        _generated.generated_provenance("gen_missing")


def test_the_guard_names_the_distribution_pyproject_declares() -> None:
    """The marker the regeneration writes and the name the guard expects are the same."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == _generated.DISTRIBUTION
    assert maesn_api._provenance.DISTRIBUTION == _generated.DISTRIBUTION
    assert maesn_resources._provenance.DISTRIBUTION == _generated.DISTRIBUTION
    assert _generated.GENERATED_PACKAGES == ("maesn_api", "maesn_resources")
    assert maesn_resources._provenance.SPEC_SHA256 == maesn_api._provenance.SPEC_SHA256
