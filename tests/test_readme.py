"""The README opens with the two quickstart commands that CI runs; the package index gets its own page."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quickstart() -> list[str]:
    blocks = ROOT.joinpath("README.md").read_text().split("```")
    return [line for line in blocks[1].splitlines()[1:] if line.strip()]


def test_quickstart_is_two_commands_demo_then_tests() -> None:
    """Line one sets up and runs the demo; line two sets up and runs the whole test suite."""
    demo, tests = _quickstart()
    assert demo.startswith("python3 -m venv ")
    assert demo.endswith("maesn demo")
    assert tests.startswith("python3 -m venv ")
    assert tests.endswith("/nox")


def test_ci_runs_the_quickstart_from_the_readme() -> None:
    """.ci/run takes the commands from the README instead of keeping a copy that could drift."""
    script = ROOT.joinpath(".ci", "run").read_text()
    assert "README.md" in script
    assert 'bash -euo pipefail -c "${quickstart[0]}"' in script
    assert 'bash -euo pipefail -c "${quickstart[1]}"' in script


def test_the_package_index_shows_its_own_page_opening_with_an_install_from_the_index() -> None:
    """The package `readme` is PACKAGE.md: pip installs by name, then a short example; no clone."""
    project = tomllib.loads(ROOT.joinpath("pyproject.toml").read_text())["project"]
    assert project["readme"] == "PACKAGE.md"
    page = ROOT.joinpath("PACKAGE.md").read_text()
    fences = re.findall(r"^```(\w+)\n(.*?)^```$", page, re.MULTILINE | re.DOTALL)
    (language, install), (example_language, example) = fences[:2]
    assert language == "sh"
    assert [line.split("#")[0].split() for line in install.splitlines()] == [
        ["pip", "install", "maesn-client"],
        ["pip", "install", "'maesn-client[cli]'"],
    ]
    assert example_language == "python"
    assert len([line for line in example.splitlines() if line.strip()]) <= 4  # import + three
    assert "nox" not in install
    assert "nox" not in example
