"""The distribution: one wheel carrying both import packages, installable into a fresh venv."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.tooling

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str | Path, cwd: Path) -> str:
    result = subprocess.run(  # noqa: S603 - fixed commands, our own interpreter
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_built_wheel_installs_into_a_fresh_venv_and_both_packages_import(tmp_path: Path) -> None:
    """`pip wheel .` gives one wheel with maesn and maesn_api (each typed) that imports cleanly."""
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(
        python,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "-w",
        tmp_path / "dist",
        ROOT,
        cwd=tmp_path,
    )
    (wheel,) = (tmp_path / "dist").glob("maesn_client-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "maesn/__init__.py",
        "maesn/py.typed",
        "maesn/_data/integrations.json",  # the integration table, read when maesn is imported
        "maesn_api/__init__.py",
        "maesn_api/py.typed",
        "maesn_resources/_schemas.json",  # the sandbox's response schemas, read at run time
    } <= names
    assert not [name for name in names if name.startswith(("overlay/", "generated/", "tests/"))]
    (metadata,) = [name for name in names if name.endswith(".dist-info/METADATA")]
    headers, _, description = zipfile.ZipFile(wheel).read(metadata).decode().partition("\n\n")
    assert "Description-Content-Type: text/markdown" in headers.splitlines()
    assert description.strip() == ROOT.joinpath("PACKAGE.md").read_text().strip()

    _run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    out = _run(
        python,
        "-c",
        "import maesn, maesn_api, maesn_api._provenance as p;"
        "assert maesn.SPEC_SHA256 == p.SPEC_SHA256;"
        "print(maesn.__file__); print(maesn_api.__file__)",
        cwd=tmp_path,
    )
    assert all(str(venv) in line for line in out.splitlines()), out
