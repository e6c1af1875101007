"""The README opens with the two quickstart commands that CI runs."""

from __future__ import annotations

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
