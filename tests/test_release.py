"""The release procedure (`nox -s release`, scripts/release.py), in a temporary clone.

The clone is set to "nothing released yet" with the seed spec (small, so that spec_diff is
quick), then released for real: version, CHANGELOG section, tag and the built wheel and sdist.
Nothing is pushed anywhere; the repository under test is never touched.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from scripts import release
from scripts.release import Plan, ReleaseError
from scripts.spec_diff import Bump

pytestmark = pytest.mark.tooling

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "specs" / "seed.yaml"
DATE = "2026-12-10"
IDENTITY = {
    "GIT_AUTHOR_NAME": "Release Test",
    "GIT_AUTHOR_EMAIL": "release@example.invalid",
    "GIT_COMMITTER_NAME": "Release Test",
    "GIT_COMMITTER_EMAIL": "release@example.invalid",
}


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - git with arguments of our own
        ["git", *args],  # noqa: S607 - git from PATH, as the release script uses it
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _version_file(root: Path) -> Path:
    return root / "overlay" / "maesn" / "_version.py"


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A clone with nothing released yet, then `release minor` run in it; and its commit message."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in IDENTITY.items():
            patch.setenv(name, value)
        yield _first_release(tmp_path_factory.mktemp("release") / "clone")


def _clone_work_tree(clone: Path) -> None:
    """Clone the repository and lay the work tree under test over it (uncommitted edits too)."""
    _git(ROOT, "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone))
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source, target = ROOT / name, clone / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        elif target.is_file():
            target.unlink()


def _first_release(clone: Path) -> tuple[Path, str]:
    _clone_work_tree(clone)
    for tag in _git(clone, "tag", "--list").split():
        _git(clone, "tag", "--delete", tag)
    _version_file(clone).write_text('__all__ = ["__version__"]\n\n__version__ = "0.0.0"\n')
    shutil.copyfile(SEED, clone / "openapi" / "maesn.yaml")
    changelog = clone / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text().replace("## Unreleased\n", "## Unreleased\n\n- The first entry.\n", 1)
    )
    _git(clone, "add", "--all")
    _git(
        clone,
        "commit",
        "--quiet",
        "-m",
        "The work tree under test, nothing released, the seed pinned",
    )
    code = release.main(["minor", "--date", DATE], root=clone)
    assert code == 0
    return clone, _git(clone, "log", "-1", "--format=%B")


def test_the_first_minor_release_is_0_1_0_tagged_and_committed(released: tuple[Path, str]) -> None:
    """Version file, tag and commit agree; the work tree is clean afterwards."""
    clone, message = released
    assert '__version__ = "0.1.0"' in _version_file(clone).read_text()
    assert message.startswith("Release 0.1.0\n\nminor bump (requested; no earlier release")
    assert _git(clone, "tag", "--list") == "v0.1.0\n"
    assert _git(clone, "rev-parse", "v0.1.0^{commit}") == _git(clone, "rev-parse", "HEAD")
    assert _git(clone, "cat-file", "-t", "v0.1.0").strip() == "tag"  # annotated
    assert _git(clone, "status", "--porcelain") == ""


def test_the_unreleased_entries_become_the_release_section(released: tuple[Path, str]) -> None:
    """`## Unreleased` is left empty, followed by `## 0.1.0 - DATE` with the entries."""
    clone, _ = released
    text = (clone / "CHANGELOG.md").read_text()
    assert f"## Unreleased\n\n## 0.1.0 - {DATE}\n\n- The first entry.\n" in text
    assert text.count("- The first entry.") == 1


def test_the_wheel_and_sdist_carry_the_version_licence_and_urls(released: tuple[Path, str]) -> None:
    """dist/ holds exactly the two files, each with version 0.1.0, the MIT LICENSE and the URLs."""
    clone, _ = released
    dist = clone / "dist"
    wheel, sdist = dist / "maesn_client-0.1.0-py3-none-any.whl", dist / "maesn_client-0.1.0.tar.gz"
    assert sorted(dist.iterdir()) == sorted([wheel, sdist])
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read("maesn_client-0.1.0.dist-info/METADATA").decode()
        licence = archive.read("maesn_client-0.1.0.dist-info/licenses/LICENSE").decode()
    assert "\nVersion: 0.1.0\n" in metadata
    assert "\nLicense-Expression: MIT\n" in metadata
    assert "\nLicense-File: LICENSE\n" in metadata
    assert "\nProject-URL: Maesn API documentation, https://docs.maesn.com\n" in metadata
    assert licence.startswith("MIT License\n")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    assert "maesn_client-0.1.0/LICENSE" in names
    assert "maesn_client-0.1.0/CHANGELOG.md" in names


def test_a_release_with_nothing_unreleased_is_refused(released: tuple[Path, str]) -> None:
    """Right after a release the Unreleased section is empty: nothing to release."""
    clone, _ = released
    with pytest.raises(ReleaseError, match="nothing to release"):
        release.plan_release(clone, "patch")


def test_the_spec_bump_is_applied_and_a_smaller_one_refused(released: tuple[Path, str]) -> None:
    """A spec change since v0.1.0 sets the floor: `spec` takes it, `patch` is refused."""
    clone, _ = released
    spec = clone / "openapi" / "maesn.yaml"
    original = spec.read_text()
    changelog = clone / "CHANGELOG.md"
    before = changelog.read_text()
    try:
        spec.write_text(
            original.replace(
                "        message:\n", "        code:\n          type: string\n        message:\n", 1
            )
        )
        changelog.write_text(before.replace("## Unreleased\n", "## Unreleased\n\n- More.\n", 1))
        _git(clone, "commit", "--quiet", "--all", "-m", "An added response property upstream")
        with pytest.raises(ReleaseError, match=r"patch is less than the spec change asks for"):
            release.plan_release(clone, "patch")
        plan = release.plan_release(clone, "spec")
        assert (plan.version, plan.bump) == ("0.2.0", Bump.MINOR)
        assert "1 non-breaking -> minor" in plan.reason
        assert release.plan_release(clone, "major").version == "0.2.0"  # 0.x: major is minor
    finally:
        _git(clone, "reset", "--quiet", "--hard", "v0.1.0")


def test_a_dirty_tree_or_a_disagreeing_tag_is_refused(released: tuple[Path, str]) -> None:
    """Uncommitted changes, or a version file that is not the last tag's, stop the release."""
    clone, _ = released
    version = _version_file(clone)
    try:
        version.write_text(version.read_text().replace("0.1.0", "0.1.1"))
        with pytest.raises(ReleaseError, match="uncommitted changes"):
            release.plan_release(clone, "patch")
        _git(clone, "commit", "--quiet", "--all", "-m", "A version written by hand")
        with pytest.raises(ReleaseError, match=r"says 0\.1\.1 but the last tag is v0\.1\.0"):
            release.plan_release(clone, "patch")
    finally:
        _git(clone, "reset", "--quiet", "--hard", "v0.1.0")


def test_a_new_0x_series_moves_the_pin_advice(tmp_path: Path) -> None:
    """Releasing 0.2.0 rewrites `maesn-client~=0.1.0` in README.md and docs/index.md."""
    for name in ("README.md", "docs/index.md", "CHANGELOG.md", "overlay/maesn/_version.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, tmp_path / name)
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text().replace("## Unreleased\n", "## Unreleased\n\n- X.\n")
    )
    changed = release._write_release_files(
        tmp_path, Plan((0, 1, 0), (0, 2, 0), Bump.MINOR, "test"), DATE
    )
    assert {path.as_posix() for path in changed} >= {"README.md", "docs/index.md"}
    for name in ("README.md", "docs/index.md"):
        text = (tmp_path / name).read_text()
        assert "maesn-client~=0.2.0" in text
        assert "maesn-client~=0.1.0" not in text


def test_the_readme_pin_advice_matches_the_version_scheme() -> None:
    """The pin README.md and the docs give accepts the current series and refuses the next minor.

    The version is the last release's (0.0.0 before the first, whose series is 0.1); the
    CHANGELOG's newest release section is that version.
    """
    version = Version(release._text(release._current_version(ROOT)))
    series = Version("0.1.0") if version == Version("0.0.0") else version
    for name in ("README.md", "docs/index.md"):
        (pin,) = set(re.findall(r"maesn-client~=(0\.\d+\.0)", (ROOT / name).read_text()))
        spec = SpecifierSet(f"~={pin}")
        assert Version(f"{series.major}.{series.minor}.0") in spec, name
        assert Version(f"{series.major}.{series.minor}.9") in spec, name
        assert Version(f"{series.major}.{series.minor + 1}.0") not in spec, name
    sections = re.findall(
        r"^## (\d+\.\d+\.\d+) - ", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE
    )
    assert sections[:1] == ([] if version == Version("0.0.0") else [str(version)])


def test_next_version_follows_semver_with_the_0x_rule() -> None:
    """major/minor/patch bumps; before 1.0 major is minor; no bump is no release."""
    assert release.next_version((1, 2, 3), Bump.MAJOR) == (2, 0, 0)
    assert release.next_version((1, 2, 3), Bump.MINOR) == (1, 3, 0)
    assert release.next_version((1, 2, 3), Bump.PATCH) == (1, 2, 4)
    assert release.next_version((0, 1, 3), Bump.MAJOR) == (0, 2, 0)
    with pytest.raises(ReleaseError):
        release.next_version((0, 1, 3), Bump.NONE)
