"""Make a release: the version bump, the CHANGELOG section, the pin advice, the tag, the dist files.

`nox -s release -- BUMP` (after checking that generated/ is current) runs
`python -m scripts.release BUMP`, where BUMP is

  spec     the bump spec_diff recommends for the change of openapi/maesn.yaml since the last
           release (its tag's copy compared with the current one, the fixes applied to both);
  major, minor, patch
           a bump named by the maintainer (a client-only change, or more than the spec asks);
           refused when smaller than what the spec change recommends.

The version in overlay/maesn/_version.py is the last release's (0.0.0 before the first); the last
tag `vX.Y.Z` must agree with it. Before 1.0 a major bump becomes a minor one (semantic versioning
lets 0.x break in a minor; README.md therefore advises pinning the minor, `~=0.N.0`), so the first
release, `minor` from 0.0.0, is 0.1.0.

In a clean work tree with entries under `## Unreleased` in CHANGELOG.md, it then: writes the new
version, moves the Unreleased entries under `## X.Y.Z - DATE` (leaving an empty Unreleased),
moves the README's and docs' `maesn-client~=0.N.0` pin to the new series, builds the wheel and
sdist into dist/ (checking both carry the version), commits "Release X.Y.Z" and tags it `vX.Y.Z`
(annotated). Nothing is pushed or uploaded: it prints the two commands that do. If the build
fails, the files it changed are restored and nothing is committed. `--dry-run` only says what it
would do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scripts.spec_diff.cli import run as spec_diff_run
from scripts.spec_diff.model import Bump, SpecDiffError

__all__ = ["BUMPS", "Plan", "ReleaseError", "main", "next_version", "plan_release"]

ROOT = Path(__file__).resolve().parent.parent
VERSION_FILE = Path("overlay/maesn/_version.py")
CHANGELOG = Path("CHANGELOG.md")
SPEC = Path("openapi/maesn.yaml")
FIXES = Path("openapi/fixes.yaml")
PIN_FILES = (Path("README.md"), Path("docs/index.md"))
DISTRIBUTION = "maesn_client"
BUMPS = ("spec", "major", "minor", "patch")
_ORDER = [Bump.NONE, Bump.PATCH, Bump.MINOR, Bump.MAJOR]
_VERSION = re.compile(r'^__version__ = "(\d+)\.(\d+)\.(\d+)"$', re.MULTILINE)
_PIN = re.compile(r"maesn-client~=0\.\d+\.0")
UNRELEASED = "## Unreleased"

Version = tuple[int, int, int]


class ReleaseError(Exception):
    """The release cannot be made as asked; nothing was changed."""


@dataclass(frozen=True)
class Plan:
    """What a release will do: from which version to which, by which bump, and why."""

    current: Version
    new: Version
    bump: Bump
    reason: str

    @property
    def version(self) -> str:
        """The new version as text."""
        return ".".join(map(str, self.new))

    @property
    def tag(self) -> str:
        """The new tag."""
        return f"v{self.version}"


def _text(version: Version) -> str:
    return ".".join(map(str, version))


def next_version(current: Version, bump: Bump) -> Version:
    """`current` bumped; before 1.0 a major bump is a minor one."""
    major, minor, patch = current
    if bump is Bump.MAJOR and major == 0:
        bump = Bump.MINOR
    if bump is Bump.MAJOR:
        return (major + 1, 0, 0)
    if bump is Bump.MINOR:
        return (major, minor + 1, 0)
    if bump is Bump.PATCH:
        return (major, minor, patch + 1)
    raise ReleaseError("a release needs a bump: patch, minor or major")


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],  # noqa: S607 - git from PATH, as a maintainer runs it
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def _current_version(root: Path) -> Version:
    match = _VERSION.search((root / VERSION_FILE).read_text(encoding="utf-8"))
    if match is None:
        raise ReleaseError(f'{VERSION_FILE} holds no `__version__ = "X.Y.Z"`')
    return (int(match[1]), int(match[2]), int(match[3]))


def _last_tag(root: Path) -> Version | None:
    tags = [
        (int(m[1]), int(m[2]), int(m[3]))
        for line in _git(root, "tag", "--list", "v*").split()
        if (m := re.fullmatch(r"v(\d+)\.(\d+)\.(\d+)", line))
    ]
    return max(tags) if tags else None


def _unreleased(changelog: str) -> tuple[int, int]:
    """Where the Unreleased entries start and end in CHANGELOG.md."""
    start = changelog.find(f"\n{UNRELEASED}\n")
    if start < 0:
        raise ReleaseError(f"{CHANGELOG} has no `{UNRELEASED}` section")
    body = start + len(UNRELEASED) + 2
    following = re.search(r"^## ", changelog[body:], flags=re.MULTILINE)
    end = body + following.start() if following else len(changelog)
    if not re.search(r"^- ", changelog[body:end], flags=re.MULTILINE):
        raise ReleaseError(f"nothing to release: `{UNRELEASED}` in {CHANGELOG} lists no change")
    return body, end


def _spec_bump(root: Path, last: Version | None) -> tuple[Bump | None, str]:
    """What spec_diff recommends for the spec's change since the last release (None: no release)."""
    if last is None:
        return None, "no earlier release to compare the spec with"
    tag = f"v{_text(last)}"
    released = _git(root, "show", f"{tag}:{SPEC.as_posix()}")
    if released == (root / SPEC).read_text(encoding="utf-8"):
        return Bump.NONE, f"{SPEC} is unchanged since {tag}"
    with tempfile.TemporaryDirectory(prefix="maesn-release-") as tmp:
        old = Path(tmp) / "released.yaml"
        old.write_text(released, encoding="utf-8")
        try:
            report = spec_diff_run(str(root / SPEC), old, root / FIXES, with_preview=False)
        except SpecDiffError as exc:
            raise ReleaseError(f"spec_diff could not compare {tag}'s spec: {exc}") from exc
    counts = ", ".join(
        f"{report.count(s)} {s}" for s in dict.fromkeys(c.severity for c in report.changes)
    )
    return report.bump, f"spec_diff since {tag}: {counts or 'no change'} -> {report.bump}"


def plan_release(root: Path, requested: str) -> Plan:
    """Check the tree, the version and the CHANGELOG; decide the new version. Changes nothing."""
    if _git(root, "status", "--porcelain").strip():
        raise ReleaseError("the work tree has uncommitted changes: commit or stash them first")
    current, last = _current_version(root), _last_tag(root)
    if last is not None and last != current:
        raise ReleaseError(
            f"{VERSION_FILE} says {_text(current)} but the last tag is v{_text(last)}: "
            "they must agree (only a release changes the version)"
        )
    if last is None and current != (0, 0, 0):
        raise ReleaseError(
            f"no release tag exists, yet {VERSION_FILE} says {_text(current)} instead of 0.0.0"
        )
    _unreleased((root / CHANGELOG).read_text(encoding="utf-8"))
    spec_bump, why = _spec_bump(root, last)
    bump: Bump
    if requested == "spec":
        if spec_bump is None or spec_bump is Bump.NONE:
            raise ReleaseError(
                f"spec_diff recommends no bump ({why}): name one (patch, minor, major)"
            )
        bump = spec_bump
    else:
        bump = Bump(requested)
        if spec_bump is not None and _ORDER.index(bump) < _ORDER.index(spec_bump):
            raise ReleaseError(
                f"{requested} is less than the spec change asks for ({why}): release with "
                f"`{spec_bump}` or `spec`"
            )
    new = next_version(current, bump)
    if _git(root, "tag", "--list", f"v{_text(new)}").strip():
        raise ReleaseError(f"tag v{_text(new)} exists already")
    reason = f"{bump} bump ({'requested' if requested != 'spec' else 'from the spec'}; {why})"
    if bump is Bump.MAJOR and current[0] == 0:
        reason += "; before 1.0 a major bump is a minor one"
    return Plan(current, new, bump, reason)


def _write_release_files(root: Path, plan: Plan, date: str) -> list[Path]:
    version_file = root / VERSION_FILE
    text = version_file.read_text(encoding="utf-8")
    version_file.write_text(_VERSION.sub(f'__version__ = "{plan.version}"', text), encoding="utf-8")
    changelog = (root / CHANGELOG).read_text(encoding="utf-8")
    body, end = _unreleased(changelog)
    entries = changelog[body:end].strip("\n")
    section = f"\n## {plan.version} - {date}\n\n{entries}\n\n"
    (root / CHANGELOG).write_text(changelog[:body] + section + changelog[end:], encoding="utf-8")
    changed = [VERSION_FILE, CHANGELOG]
    if plan.new[0] == 0:
        for pin_file in PIN_FILES:
            if (root / pin_file).is_file():
                pinned = (root / pin_file).read_text(encoding="utf-8")
                moved = _PIN.sub(f"maesn-client~=0.{plan.new[1]}.0", pinned)
                if moved != pinned:
                    (root / pin_file).write_text(moved, encoding="utf-8")
                    changed.append(pin_file)
    return changed


def _build(root: Path, plan: Plan) -> list[Path]:
    dist = root / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ReleaseError(f"the build failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    expected = [
        dist / f"{DISTRIBUTION}-{plan.version}-py3-none-any.whl",
        dist / f"{DISTRIBUTION}-{plan.version}.tar.gz",
    ]
    if sorted(dist.iterdir()) != sorted(expected):
        raise ReleaseError(
            f"expected {[p.name for p in expected]} in {dist}, found {sorted(p.name for p in dist.iterdir())}"
        )
    return expected


def release(root: Path, requested: str, date: str, *, dry_run: bool = False) -> Plan:
    """Plan, then (unless `dry_run`) write, build, commit and tag; the plan."""
    plan = plan_release(root, requested)
    print(f"{_text(plan.current)} -> {plan.version}: {plan.reason}")
    if dry_run:
        print(
            f"dry run: would write {VERSION_FILE}, {CHANGELOG} and the pins, build, tag {plan.tag}"
        )
        return plan
    changed = _write_release_files(root, plan, date)
    try:
        built = _build(root, plan)
    except ReleaseError:
        _git(root, "checkout", "--", *(path.as_posix() for path in changed))
        raise
    _git(root, "add", "--", *(path.as_posix() for path in changed))
    _git(root, "commit", "--quiet", "-m", f"Release {plan.version}", "-m", plan.reason)
    _git(root, "tag", "--annotate", plan.tag, "-m", f"maesn-client {plan.version}")
    print(f"tagged {plan.tag}; built {', '.join(path.name for path in built)}")
    print(f"publish: git push origin HEAD {plan.tag} && python -m twine upload dist/*")
    return plan


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    """Command line entry point; 0 released (or planned), 1 refused."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts.release",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("bump", choices=BUMPS, help="spec (what spec_diff recommends) or a bump")
    parser.add_argument(
        "--date",
        default=dt.datetime.now(tz=dt.UTC).date().isoformat(),
        help="the release date for CHANGELOG.md (default: today, UTC)",
    )
    parser.add_argument("--dry-run", action="store_true", help="say what would be done, do nothing")
    args = parser.parse_args(argv)
    try:
        release(root, args.bump, args.date, dry_run=args.dry_run)
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
