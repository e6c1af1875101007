"""Prism processes for the contract tests: each mode starts once per test session.

Two specs are served. `pinned` is openapi/maesn.yaml verbatim: what Maesn publishes, so every
request the client sends must pass it. `effective` is the pinned spec with openapi/fixes.yaml
applied: what the client is generated from, including where the fixes record that the pinned
spec is wrong about the wire (`responseData` is any JSON: an export page is a list, a running task
has null).

Without Node.js and npm the tests skip, unless the CI environment variable is true: in CI they
must run, and a failed install fails them with npm's output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from maesn.testing import Sandbox

from scripts.regenerate import FIXES, SPEC, apply_fixes, load_document

from ._prism import PrismProcess, PrismUnavailableError, ensure_prism, in_ci

PROXY_PAGE_SIZE = 3
"""Small export pages: a 50,000-entry page through Prism's response validation is slow."""


@pytest.fixture(scope="session")
def prism_command() -> Path:
    """The pinned Prism, installed into .tools/prism when needed."""
    try:
        return ensure_prism()
    except PrismUnavailableError as exc:
        if in_ci():
            pytest.fail(f"CI is set, so the Prism contract tests must run: {exc}", pytrace=False)
        pytest.skip(f"Prism contract tests skipped (they run whenever CI is set): {exc}")


@pytest.fixture(scope="session")
def pinned_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """openapi/maesn.yaml as JSON, read by scripts.spec_yaml (YAML 1.2, like the generator).

    Prism gets what every other reader of the spec sees, not what its own YAML parser makes of
    an unquoted `NO`.
    """
    path = tmp_path_factory.mktemp("spec") / "maesn-pinned.json"
    path.write_text(json.dumps(load_document(SPEC), indent=1))
    return path


@pytest.fixture(scope="session")
def effective_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """openapi/maesn.yaml with openapi/fixes.yaml applied, as a JSON file."""
    fixed, _ = apply_fixes(load_document(SPEC), load_document(FIXES))
    path = tmp_path_factory.mktemp("spec") / "maesn-effective.json"
    path.write_text(json.dumps(fixed, indent=1))
    return path


def _prism(
    prism_command: Path, tmp_path_factory: pytest.TempPathFactory, name: str, *arguments: str
) -> Iterator[str]:
    log = tmp_path_factory.mktemp("prism") / f"{name}.log"
    with PrismProcess(prism_command, list(arguments), log) as prism:
        yield prism.url


@pytest.fixture(scope="session")
def prism_mock(
    prism_command: Path, tmp_path_factory: pytest.TempPathFactory, pinned_spec: Path
) -> Iterator[str]:
    """`prism mock` on the pinned spec, static examples: its URL."""
    yield from _prism(prism_command, tmp_path_factory, "mock", "mock", str(pinned_spec))


@pytest.fixture(scope="session")
def prism_dynamic(
    prism_command: Path, tmp_path_factory: pytest.TempPathFactory, pinned_spec: Path
) -> Iterator[str]:
    """`prism mock -d` on the pinned spec: a freshly generated response for every request."""
    yield from _prism(prism_command, tmp_path_factory, "dynamic", "mock", "-d", str(pinned_spec))


@pytest.fixture(scope="session")
def prism_dynamic_effective(
    prism_command: Path, tmp_path_factory: pytest.TempPathFactory, effective_spec: Path
) -> Iterator[str]:
    """`prism mock -d` on the effective spec (the one the client is generated from)."""
    yield from _prism(
        prism_command, tmp_path_factory, "dynamic-effective", "mock", "-d", str(effective_spec)
    )


@pytest.fixture(scope="session")
def proxied_sandbox() -> Iterator[Sandbox]:
    """One sandbox behind both proxies, with small export pages."""
    with Sandbox(page_size=PROXY_PAGE_SIZE) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def prism_proxy(
    prism_command: Path,
    tmp_path_factory: pytest.TempPathFactory,
    effective_spec: Path,
    proxied_sandbox: Sandbox,
) -> Iterator[str]:
    """`prism proxy --errors` on the effective spec in front of the sandbox: its URL."""
    yield from _prism(
        prism_command,
        tmp_path_factory,
        "proxy",
        "proxy",
        str(effective_spec),
        proxied_sandbox.base_url,
        "--errors",
    )


@pytest.fixture(scope="session")
def prism_proxy_pinned(
    prism_command: Path,
    tmp_path_factory: pytest.TempPathFactory,
    pinned_spec: Path,
    proxied_sandbox: Sandbox,
) -> Iterator[str]:
    """`prism proxy --errors` on the pinned spec verbatim in front of the sandbox: its URL."""
    yield from _prism(
        prism_command,
        tmp_path_factory,
        "proxy-pinned",
        "proxy",
        str(pinned_spec),
        proxied_sandbox.base_url,
        "--errors",
    )
