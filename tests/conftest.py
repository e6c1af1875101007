"""Shared fixtures, and what the whole run shares: one generator run per spec."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import Harness, SandboxRunner
from maesn.testing import FakeClock, Sandbox
from maesn.testing import fake_clock as maesn_fake_clock
from scripted_server import ScriptedServer


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the client is built on httpx's asyncio support)."""
    return "asyncio"


@pytest.fixture
def scripted_server() -> Iterator[ScriptedServer]:
    """A scripted HTTP server on 127.0.0.1 for single-response tests."""
    with ScriptedServer() as server:
        yield server


@pytest.fixture(params=["sync", "async"])
def harness(
    request: pytest.FixtureRequest,
    scripted_server: ScriptedServer,
    fake_clock: FakeClock,  # noqa: ARG001 - no harness call sleeps for real
) -> Harness:
    """Runs each call through Client and, as a second case, AsyncClient (on virtual time)."""
    return Harness(mode=request.param, base_url=scripted_server.base_url)


@pytest.fixture
def fake_clock() -> Iterator[FakeClock]:
    """No test sleeps for real: retries and polling sleep on virtual time."""
    with maesn_fake_clock() as clock:
        yield clock


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A running local Maesn with small export pages (100 entries) for fast paging tests."""
    with Sandbox(page_size=100) as running:
        yield running


@pytest.fixture
def runner(
    mode: str,
    sandbox: Sandbox,
    fake_clock: FakeClock,  # noqa: ARG001 - waits sleep on virtual time
) -> SandboxRunner:
    """Runs waits and exports through Client and, as a second case, AsyncClient."""
    return SandboxRunner(mode=mode, sandbox=sandbox)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Which client runs the test: "sync" for Client, "async" for AsyncClient."""
    return str(request.param)


FRESH_GENERATION = "fresh_generation"

_SPEC_READERS = (
    "tests/test_regenerate.py::",
    "tests/test_spec_diff.py::",
    "tests/test_fix_necessity.py::",
    "tests/test_invalid_specs.py::",
    "tests/test_release.py::",
    "tests/test_drift_workflow.py::",
    "tests/test_profiles.py::",
    "tests/testing/test_sandbox_starts.py::",
    "tests/test_handles.py::test_a_regenerated_spec_with_a_new_task_operation",
    "tests/test_resources.py::test_the_generated_resources_hold_every_operation_of_the_spec",
)
"""Tests that parse the pinned spec or regenerate: one worker shares the parsed spec and the
generations of its process (`scripts.spec_yaml`'s cache, `_one_generation_per_spec`)."""


def worker_group(nodeid: str) -> str:
    """Which tests pytest-xdist runs on one worker: those sharing an expensive set-up.

    The Prism contract tests (the run's Prism processes), the spec readers (above) and the
    documentation examples (a module fixture runs them all) are one group each; every other
    test is a group of its own, sent to whichever worker is free.
    """
    if nodeid.startswith("tests/contract/"):
        return "prism"
    if nodeid.startswith(_SPEC_READERS):
        return "spec"
    if nodeid.startswith("tests/test_docs_examples.py::"):
        return "docs examples"
    return nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`-n N --dist loadgroup`: xdist's scope scheduling with `worker_group` as the scope.

    (xdist's own `xdist_group` marks rewrite test ids, which pytest 9 no longer lets them do.)
    """
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling  # noqa: PLC0415 - only under xdist

    class SharedSetups(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return worker_group(nodeid)

    return SharedSetups(config, log)


def _memoized(generate: Callable[..., Path], store: Path, name: str) -> Callable[..., Path]:
    """`generate(spec, workdir, **inputs)` run once per input: later calls copy the first output."""

    def run(spec: dict[str, Any], workdir: Path, **inputs: Any) -> Path:
        key = hashlib.sha256(
            json.dumps([spec, inputs], sort_keys=True, default=str).encode()
        ).hexdigest()
        kept = store / key / name
        if not kept.is_dir():
            produced = generate(spec, workdir, **inputs)
            shutil.copytree(produced, kept, ignore=shutil.ignore_patterns("__pycache__"))
            return produced
        target = workdir / name
        shutil.copytree(kept, target)
        return target

    return run


@pytest.fixture(scope="session", autouse=True)
def _one_generation_per_spec(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any] | None]:
    """The generator (openapi-python-client) and the typed resources, run once per fixed spec.

    A regeneration takes tens of seconds; the tests regenerate the pinned spec (and the seed)
    many times over (`--check`, the staleness tests, spec_diff's previews). Both steps are pure
    functions of their arguments (the fixed spec; the published spec for the typed resources)
    and of the repository's config, templates and integration table, so their first output per
    input is kept for the run and copied for every later in-process regeneration.
    `@pytest.mark.fresh_generation` runs the real ones. Nothing is patched when no collected test
    module imports the pipeline (a run of a few other tests; the docs session).
    """
    regenerate = sys.modules.get("scripts.regenerate")
    if regenerate is None:  # no collected test imports the pipeline: nothing to share
        yield None
        return
    store = tmp_path_factory.mktemp("generations")
    originals = {"run_generator": regenerate.run_generator, "emit": regenerate.emit}
    memo_generate = _memoized(regenerate.run_generator, store, regenerate.PACKAGE)
    memo_emit = _memoized(
        lambda spec, workdir, **inputs: originals["emit"](
            spec, workdir, regenerate.CONFIG, **inputs
        ),
        store,
        regenerate.TYPED_PACKAGE,
    )

    def emit(spec: dict[str, Any], workdir: Path, _config: Path, **inputs: Any) -> Path:
        return memo_emit(spec, workdir, **inputs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(regenerate, "run_generator", memo_generate)
        patch.setattr(regenerate, "emit", emit)
        yield originals


@pytest.fixture(autouse=True)
def _fresh_generation(
    request: pytest.FixtureRequest, _one_generation_per_spec: dict[str, Any] | None
) -> Iterator[None]:
    """`@pytest.mark.fresh_generation`: this test runs the real generator, nothing shared."""
    if _one_generation_per_spec is None or not request.node.get_closest_marker(FRESH_GENERATION):
        yield
        return
    from scripts import regenerate  # noqa: PLC0415

    with pytest.MonkeyPatch.context() as patch:
        for name, original in _one_generation_per_spec.items():
            patch.setattr(regenerate, name, original)
        yield
