"""The docs site at 1280x800 in a real headless Chromium: no code block overflows its column.

One browser serves every test here (scripts.docs_layout drives it over the DevTools Protocol).
Without Chromium the tests skip, unless the CI environment variable is true: CI installs it
(.ci/run) and must run them. The site is the one `nox -s docs` just built (MAESN_DOCS_SITE), or
is built here when mkdocs is installed (the `docs` dependency group).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip(
    "websockets", reason="the docs-site check needs the docs dependency group (`nox -s docs`)"
)

from contract._prism import in_ci

from scripts.docs_layout import BROWSERS, CodeBlockCheck, find_chromium, site_pages

ROOT = Path(__file__).resolve().parent.parent
SITE_ENV = "MAESN_DOCS_SITE"


@pytest.fixture(scope="module")
def check() -> Iterator[CodeBlockCheck]:
    """One headless Chromium at 1280x800 for every page of this module."""
    executable = find_chromium()
    if executable is None:
        reason = f"no Chromium on PATH (tried {', '.join(BROWSERS)}): `apt-get install chromium`"
        if in_ci():
            pytest.fail(f"CI is set, so the docs-site check must run: {reason}", pytrace=False)
        pytest.skip(f"docs-site layout check skipped (it runs whenever CI is set): {reason}")
    with CodeBlockCheck(executable) as started:
        yield started


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built docs site: $MAESN_DOCS_SITE, else a fresh `mkdocs build --strict`."""
    if given := os.environ.get(SITE_ENV):
        return Path(given)
    pytest.importorskip("mkdocs", reason="building the site needs the docs dependency group")
    site = tmp_path_factory.mktemp("site")
    subprocess.run(  # noqa: S603 - our interpreter, our arguments
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=True,
    )
    return site


LONG = "x" * 200

SAMPLES = f"""<!doctype html>
<style>body {{ margin: 0 }} .md-content {{ width: 400px; margin-left: 100px }}</style>
<div class="md-content">
  <pre>fits short</pre>
  <pre style="white-space: pre-wrap; overflow-wrap: anywhere">wraps {LONG}</pre>
  <pre style="overflow-x: auto">scrolls {LONG}</pre>
  <pre style="overflow-x: hidden">cut {LONG}</pre>
  <pre style="width: 600px">wide box</pre>
  <pre>spills {LONG}</pre>
  <div style="overflow-x: auto"><pre>inside-a-scroller {LONG}</pre></div>
  <p>inline <code>code</code> in a paragraph</p>
</div>
"""


def test_the_check_tells_each_kind_of_overflow_from_a_block_that_fits(
    check: CodeBlockCheck, tmp_path: Path
) -> None:
    """Fitting and wrapping blocks pass; a box past the column, cut or scrolled content do not."""
    (tmp_path / "index.html").write_text(SAMPLES, encoding="utf-8")
    found = check.overflows(tmp_path)
    assert [(o.page, o.tag, o.line.split()[0], o.kind) for o in found] == [
        ("/", "pre", "scrolls", "scrolls"),
        ("/", "pre", "cut", "cut"),
        ("/", "pre", "wide", "outside"),
        ("/", "pre", "spills", "outside"),
        ("/", "pre", "inside-a-scroller", "scrolls"),
    ]
    assert {o.column for o in found} == {(100, 500)}


def test_no_code_block_of_the_docs_site_overflows_at_1280px(
    check: CodeBlockCheck, built_site: Path
) -> None:
    """Every pre and code block of every page stays in the content column, every line shown."""
    pages = site_pages(built_site)
    assert "/cli/" in pages
    assert [str(overflow) for overflow in check.overflows(built_site, pages)] == []
