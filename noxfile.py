"""Development sessions: `nox` runs the default ones (what CI runs); `nox -l` lists them all."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import nox

# 2026.10.20: CommandFailed carries the command's return code (the spec_diff session passes it on).
nox.needs_version = ">=2026.10.20"
# Reusing virtualenvs keeps a local `nox` fast; CI starts from a clean clone, so it builds them anew.
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_external_run = True
# uv when it is installed (much faster installs), else virtualenv.
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["check_generated", "lint", "typecheck", "docs", "tests"]

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON_VERSIONS = nox.project.python_versions(PYPROJECT)


def _groups(*names: str) -> list[str]:
    requirements: list[str] = []
    for name in names:
        requirements += nox.project.dependency_groups(PYPROJECT, name)
    return requirements


@nox.session(python=PYTHON_VERSIONS)
def tests(session: nox.Session) -> None:
    """Run the test suite against the installed package (or a built wheel with --installpkg)."""
    session.install(*_groups("test"))
    session.install(*_installable(session))
    # The suite starts hundreds of interpreters (the CLI's process tests, the documentation
    # examples, import probes): with PYTHONDONTWRITEBYTECODE set (containers often set it) each
    # would compile httpx and the generated modules from source again.
    session.env["PYTHONDONTWRITEBYTECODE"] = ""
    # `python -m` puts the repository root on sys.path, so tests import `scripts.*` as run.
    # The maintainer tooling (regeneration, spec_diff, benchmark, wheel build) runs on the first
    # supported Python, as its nox sessions do: its tests run there only, which keeps CI short.
    tooling = [] if session.python == PYTHON_VERSIONS[0] else ["-m", "not tooling"]
    # Four workers: a third of the suite's time is spent waiting (sandboxes' poll intervals,
    # servers, subprocesses), so on CI's two cores four workers finish in 0.8x the time of two
    # (131 s against 165 s for tests-3.13, measured); tests/conftest.py groups the tests that
    # share a set-up.
    workers = ["-n", "4", "--dist", "loadgroup", "--durations", "25"]
    session.run("python", "-m", "pytest", *workers, *tooling, *session.posargs)


def _installable(session: nox.Session) -> list[str]:
    """`--installpkg PATH` tests a built wheel; the default is the source tree."""
    if "--installpkg" in session.posargs:
        index = session.posargs.index("--installpkg")
        wheel = session.posargs[index + 1]
        del session.posargs[index : index + 2]
        return [wheel]
    return ["."]


@nox.session(python=PYTHON_VERSIONS[0])
def lint(session: nox.Session) -> None:
    """Check formatting and lint overlay/, scripts/, tests/ and this file with the pinned ruff."""
    session.install(*_groups("lint"))
    session.run("ruff", "format", "--check", ".")
    session.run("ruff", "check", ".")


@nox.session(python=PYTHON_VERSIONS[0])
def typecheck(session: nox.Session) -> None:
    """Type-check overlay/, scripts/ and tests/ with mypy --strict (generated code excluded)."""
    session.install(*_groups("typecheck"))
    session.install("-e", ".")
    session.run("mypy")


@nox.session(python=PYTHON_VERSIONS[0])
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/ with --strict, then check its layout in Chromium.

    A broken link or reference fails the build; a code block overflowing the content column at
    1280 px fails tests/test_docs_site.py (skipped without Chromium unless CI is set).
    """
    # mkdocstrings reads overlay/ and generated/ as source (mkdocs.yml `paths`); the package is
    # installed for the tests' conftest only.
    session.install(*_groups("docs"), ".")
    # Material prints a notice about its successor on every build; it is not a warning of ours.
    session.env["NO_MKDOCS_2_WARNING"] = "1"
    site = ROOT / "site"
    session.run("mkdocs", "build", "--strict", "--site-dir", str(site), *session.posargs)
    session.run(
        "python", "-m", "pytest", "tests/test_docs_site.py", env={"MAESN_DOCS_SITE": str(site)}
    )


@nox.session(python=PYTHON_VERSIONS[0], default=False)
def regenerate(session: nox.Session) -> None:
    """Regenerate generated/maesn_api from openapi/ with the pinned generator and ruff."""
    session.install(*_groups("generate"))
    session.run("python", "-m", "scripts.regenerate", *session.posargs)


#: spec_diff's verdicts other than "no drift" (scripts/spec_diff ExitCode), passed on as they are.
SPEC_DIFF_VERDICTS = {2: "could not check", 3: "drift"}


@nox.session(python=PYTHON_VERSIONS[0], default=False)
def spec_diff(session: nox.Session) -> None:
    """Compare the pinned spec with upstream: exit 0 no drift, 3 drift, 2 could not check.

    stdout carries the report and nothing else (`> spec-drift.md` holds a report or is empty):
    nox's log and spec_diff's `error:` line go to stderr. nox itself only ever exits 0 or 1, so
    the verdict leaves as this process's own exit status; anything else (1) means nox or the
    command failed before a verdict.
    """
    session.install(*_groups("spec-diff"))
    try:
        session.run("python", "-m", "scripts.spec_diff", *session.posargs, stderr=None)
    except nox.command.CommandFailed as failed:
        if failed.return_code in SPEC_DIFF_VERDICTS:
            session.log(f"spec_diff: {SPEC_DIFF_VERDICTS[failed.return_code]}")
            raise SystemExit(failed.return_code) from None
        raise


@nox.session(python=PYTHON_VERSIONS[0], default=False)
def release(session: nox.Session) -> None:
    """Release: `nox -s release -- BUMP` (spec, major, minor or patch), see scripts/release.py.

    Checks generated/ is current, then writes the version and the CHANGELOG section, builds the
    wheel and sdist into dist/, commits and tags. Nothing is pushed or uploaded.
    """
    session.install(*_groups("release"))
    session.run("python", "-m", "scripts.regenerate", "--check")
    session.run("python", "-m", "scripts.release", *session.posargs)


@nox.session(python=PYTHON_VERSIONS[0], default=False)
def benchmark(session: nox.Session) -> None:
    """Measure the client against httpx, http.client, orjson and the generated call (BENCHMARKS.md).

    `nox -s benchmark -- --quick` runs every scenario with tiny sizes and checks its own output.
    """
    # The generator group times `scripts.regenerate --check`; orjson is a contender (optional).
    session.install(*_groups("generate"), "orjson")
    session.install(".")
    session.run("python", "-m", "scripts.benchmark", *session.posargs)


@nox.session(python=PYTHON_VERSIONS[0])
def check_generated(session: nox.Session) -> None:
    """Fail when generated/maesn_api differs from what the pinned spec and fixes produce."""
    session.install(*_groups("generate"))
    session.run("python", "-m", "scripts.regenerate", "--check", *session.posargs)


@nox.session(python=PYTHON_VERSIONS[0], default=False)
def build(session: nox.Session) -> None:
    """Build the wheel and sdist, install the wheel into a fresh venv, import both packages."""
    session.install("build")
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    wheels = sorted(dist.glob("maesn_client-*.whl"))
    if len(wheels) != 1 or not list(dist.glob("maesn_client-*.tar.gz")):
        session.error(f"expected one wheel and one sdist in {dist}, found {sorted(dist.iterdir())}")
    with tempfile.TemporaryDirectory(prefix="maesn-wheel-") as tmp:
        venv = Path(tmp) / "venv"
        session.run(sys.executable, "-m", "venv", str(venv), external=True)
        python = str(venv / "bin" / "python")
        session.run(python, "-m", "pip", "install", "--quiet", str(wheels[0]), external=True)
        # Run outside the source tree so the imports come from the installed wheel.
        with session.chdir(tmp):
            session.run(
                python,
                "-c",
                "import importlib.resources as r, maesn, maesn_api;"
                "assert r.files('maesn').joinpath('py.typed').is_file(), 'maesn: no py.typed';"
                "assert r.files('maesn_api').joinpath('py.typed').is_file(), 'maesn_api: no py.typed';"
                "print('wheel OK: maesn', maesn.__version__, 'spec', maesn.SPEC_SHA256[:12])",
                external=True,
            )
