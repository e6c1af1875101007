"""Every Python example in README.md, PACKAGE.md and docs/ runs as written against the demo sandbox.

The sandbox is prepared as `maesn sandbox` prepares it: demo tasks, demo records, and an account
key for each integration with documented statuses (`sandbox-account-key-<id>`).

Each fenced `python` block runs in a fresh interpreter (so an undefined name, a coroutine never
run or a missing import fails it) with the environment `maesn sandbox` tells its users to export,
against a sandbox serving the same demo tasks (`SANDBOX_TASKS`). A block that mentions
`maesn sandbox --interactive-auth` gets an interactive-auth sandbox; a block defining `test_`
functions runs under pytest, with the plugin's fixtures.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from maesn._cli._commands import SANDBOX_COMPANY_ID, prepare_demo_sandbox
from maesn.testing import Sandbox

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / "PACKAGE.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
INTERACTIVE = "maesn sandbox --interactive-auth"


@dataclass(frozen=True)
class Example:
    """One fenced python block: where it is, what it says, and the text just before it."""

    document: Path
    line: int
    code: str
    preface: str

    @property
    def name(self) -> str:
        """`README.md:42`, the test id."""
        return f"{self.document.relative_to(ROOT)}:{self.line}"

    @property
    def interactive_auth(self) -> bool:
        """The example says it runs against `maesn sandbox --interactive-auth`."""
        return INTERACTIVE in self.preface or INTERACTIVE in self.code

    @property
    def is_pytest(self) -> bool:
        """The example is a pytest module."""
        return re.search(r"^def test_", self.code, re.MULTILINE) is not None


def examples() -> list[Example]:
    """Every python block of the README and the docs."""
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            preface = text[: match.start()].rsplit("\n\n", 2)[-2:]
            found.append(
                Example(
                    document=document,
                    line=text.count("\n", 0, match.start()) + 1,
                    code=match.group(1),
                    preface="\n\n".join(preface),
                )
            )
    return found


EXAMPLES = examples()


def _environment(sandbox: Sandbox) -> dict[str, str]:
    """What `maesn sandbox` prints to export, on top of this environment without MAESN_*."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("MAESN_")}
    env.update(
        MAESN_BASE_URL=sandbox.base_url,
        MAESN_API_KEY=sandbox.api_key,
        MAESN_ACCOUNT_KEY=sandbox.account_key,
        MAESN_COMPANY_ID=SANDBOX_COMPANY_ID,
    )
    return env


def test_the_documents_have_examples_of_every_kind() -> None:
    """The collector finds the README's examples, the guide's, an interactive one and a pytest one."""
    names = {example.document.name for example in EXAMPLES}
    assert {"README.md", "tasks.md", "upload-and-wait.md", "many-tasks.md"} <= names
    assert any(example.interactive_auth for example in EXAMPLES)
    assert any(example.is_pytest for example in EXAMPLES)
    assert any("asyncio.run(" in example.code for example in EXAMPLES)


def _run(example: Example, directory: Path) -> subprocess.CompletedProcess[str]:
    """Run one example in `directory` against its own demo sandbox."""
    script = directory / ("test_example.py" if example.is_pytest else "example.py")
    script.write_text(example.code, encoding="utf-8")
    command = [sys.executable, str(script)]
    if example.is_pytest:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(script)]
    with Sandbox(interactive_auth=example.interactive_auth) as sandbox:
        prepare_demo_sandbox(sandbox)
        return subprocess.run(  # noqa: S603 - our interpreter, the documentation's code
            command,
            env=_environment(sandbox),
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every example run at once: most of their time is the sandbox's poll intervals."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = {
            example.name: pool.submit(_run, example, tmp_path_factory.mktemp("example"))
            for example in EXAMPLES
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_example_runs_as_written(
    example: Example, outcomes: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    """The block exits 0 in a fresh interpreter against the demo sandbox, and shows something."""
    completed = outcomes[example.name]
    assert completed.returncode == 0, (
        f"{example.name} failed:\n{completed.stdout}\n{completed.stderr}"
    )
    assert (completed.stdout + completed.stderr).strip(), f"{example.name} showed nothing"


def test_the_api_reference_documents_every_public_name() -> None:
    """Each name of `maesn.__all__` and `maesn.testing.__all__` has its `:::` block in docs/reference."""
    import maesn  # noqa: PLC0415 - only this test needs the lists
    import maesn.testing  # noqa: PLC0415

    reference = "".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "docs" / "reference").glob("*.md")
    )
    documented = set(re.findall(r"^::: ([\w.]+)$", reference, re.MULTILINE))
    public = {f"maesn.{name}" for name in maesn.__all__ if name != "__version__"}
    public |= {f"maesn.testing.{name}" for name in maesn.testing.__all__}
    assert public - documented == set()
