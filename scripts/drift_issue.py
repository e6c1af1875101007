"""Keep one GitHub issue per spec drift up to date (the scheduled workflow's second step).

`.github/workflows/spec-drift.yml` runs `nox -s spec_diff -- --format markdown > spec-drift.md`
and hands its exit status and the report to this script:

  0  no drift        every open drift issue is closed with a comment saying upstream matches
  3  drift           the open issue for the pinned spec is created, or updated in place (its
                     body replaced, one comment saying what changed) when the report changed;
                     the same report again changes nothing. An open drift issue about an older
                     pin is closed as superseded.
  anything else      the check could not run: no issue is touched, the script fails (exit 1)
                     so that the workflow run fails loudly.

An issue is recognised by a marker in its body (`<!-- maesn-spec-drift pinned-sha256=...
report-sha256=... -->`): one drift is one pin differing from upstream, so the same drift is the
same issue, whatever the week. Only the standard library is used (it runs before any install),
talking to the GitHub REST API at GITHUB_API_URL with GITHUB_TOKEN, as Actions provides them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "BODY_LIMIT",
    "DRIFT",
    "MARKER",
    "NO_DRIFT",
    "DriftIssueError",
    "GitHub",
    "Issue",
    "issue_body",
    "main",
    "update_issues",
]

ROOT = Path(__file__).resolve().parent.parent
PINNED = ROOT / "openapi" / "maesn.yaml"
#: spec_diff's verdicts (scripts.spec_diff.ExitCode), repeated here: this script imports nothing
#: beyond the standard library. tests/test_drift_workflow.py checks they agree.
NO_DRIFT, DRIFT = 0, 3
MARKER = "maesn-spec-drift"
_MARKER_LINE = re.compile(
    rf"<!-- {MARKER} pinned-sha256=(?P<pinned>[0-9a-f]{{64}}) report-sha256=(?P<report>[0-9a-f]{{64}}) -->"
)
#: GitHub's limit on an issue body, in characters.
BODY_LIMIT = 65_536
REPORT_HEADING = "## Spec drift"
MAX_PAGES = 10
TIMEOUT = 30.0


class DriftIssueError(Exception):
    """The issue could not be kept up to date (GitHub refused, or the input is not a report)."""


@dataclass(frozen=True)
class Issue:
    """An open drift issue: its number and the pin and report its marker names."""

    number: int
    pinned_sha256: str
    report_sha256: str


class GitHub:
    """The few REST calls this script makes, on one repository."""

    def __init__(self, api_url: str, repository: str, token: str) -> None:
        self.base = f"{api_url.rstrip('/')}/repos/{repository}"
        self._token = token

    def __repr__(self) -> str:
        return f"GitHub({self.base!r})"  # never the token

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(  # noqa: S310 - the API URL is the workflow's own
            f"{self.base}{path}",
            data=data,
            method=method,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "application/json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise DriftIssueError(
                f"GitHub answered {exc.code} to {method} {path}: {detail}"
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DriftIssueError(f"could not reach GitHub for {method} {path}: {exc}") from exc
        return json.loads(body) if body else None

    def open_drift_issues(self) -> list[Issue]:
        """Open issues (not pull requests) whose body carries the drift marker, oldest first."""
        found: list[Issue] = []
        for page in range(1, MAX_PAGES + 1):
            batch = self._call("GET", f"/issues?state=open&per_page=100&page={page}")
            for item in batch:
                match = _MARKER_LINE.search(item.get("body") or "")
                if match and "pull_request" not in item:
                    found.append(Issue(item["number"], match["pinned"], match["report"]))
            if len(batch) < 100:  # noqa: PLR2004 - a short page is the last one
                break
        return sorted(found, key=lambda issue: issue.number)

    def create(self, title: str, body: str) -> int:
        """Open an issue; its number."""
        number: int = self._call(
            "POST", "/issues", {"title": title, "body": body, "labels": [MARKER]}
        )["number"]
        return number

    def edit(self, number: int, **fields: str) -> None:
        """Change an issue's title, body or state."""
        self._call("PATCH", f"/issues/{number}", dict(fields))

    def comment(self, number: int, body: str) -> None:
        """Add a comment to an issue."""
        self._call("POST", f"/issues/{number}/comments", {"body": body})


def _sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def _headline(report: str) -> str:
    for line in report.splitlines():
        if line.startswith("**Suggested version bump"):
            return line.strip("*")
    return "see the report"


def _bump(report: str) -> str:
    match = re.search(r"Suggested version bump: (\w+)", report)
    return match.group(1) if match else "unknown"


def issue_body(report: str, pinned_sha256: str, run_url: str) -> str:
    """The issue body: the marker, a note on what keeps it up to date, then the report."""
    head = (
        f"<!-- {MARKER} pinned-sha256={pinned_sha256} report-sha256={_sha256(report)} -->\n"
        f"Maesn's published spec differs from the pinned `openapi/maesn.yaml` "
        f"(sha256 `{pinned_sha256[:12]}`). The scheduled `spec-drift` workflow keeps this one "
        f"issue up to date ({run_url}) and closes it once upstream matches the pin again; to act "
        "on it, follow *Updating the spec* in CONTRIBUTING.md.\n\n"
    )
    room = BODY_LIMIT - len(head)
    if len(report) > room:
        note = "\n\n*(cut at GitHub's size limit: run `nox -s spec_diff` for the whole report)*\n"
        report = report[: room - len(note)].rsplit("\n", 1)[0] + note
    return head + report


def _refuse_failed_check(verdict: int) -> None:
    if verdict not in {NO_DRIFT, DRIFT}:
        raise DriftIssueError(
            f"the drift check could not run (exit status {verdict}): no issue was touched; "
            "see the log of the check"
        )


def update_issues(
    github: GitHub, verdict: int, report: str, pinned_sha256: str, run_url: str
) -> str:
    """Open, update or close the drift issues for `verdict`; one line saying what was done."""
    _refuse_failed_check(verdict)
    if verdict == DRIFT and not report.startswith(REPORT_HEADING):
        raise DriftIssueError(
            f"the report does not start with {REPORT_HEADING!r}: it is not spec_diff's markdown, "
            "so no issue was touched"
        )
    issues = github.open_drift_issues()
    if verdict == NO_DRIFT:
        for issue in issues:
            github.comment(issue.number, f"Upstream matches the pinned spec again ({run_url}).")
            github.edit(issue.number, state="closed", state_reason="completed")
        return f"no drift; closed {[i.number for i in issues]}" if issues else "no drift"
    title = f"Spec drift: Maesn's spec differs from the pin (suggested bump: {_bump(report)})"
    body = issue_body(report, pinned_sha256, run_url)
    current = [issue for issue in issues if issue.pinned_sha256 == pinned_sha256]
    if current:
        keep = current[0]
        outcome = f"drift unchanged in #{keep.number}"
        if keep.report_sha256 != _sha256(report):
            github.edit(keep.number, title=title, body=body)
            github.comment(keep.number, f"The drift changed: {_headline(report)} ({run_url}).")
            outcome = f"updated #{keep.number}"
    else:
        keep = Issue(github.create(title, body), pinned_sha256, _sha256(report))
        outcome = f"opened #{keep.number}"
    for issue in issues:
        if issue.number != keep.number:
            github.comment(issue.number, f"Superseded by #{keep.number}.")
            github.edit(issue.number, state="closed", state_reason="not_planned")
    return outcome


def _required_environment(repository: str) -> str:
    token = os.environ.get("GITHUB_TOKEN", "")
    if not (repository and token):
        raise DriftIssueError("GITHUB_REPOSITORY and GITHUB_TOKEN must be set")
    return token


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; 0 when the issues are up to date, 1 otherwise (loudly)."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts.drift_issue",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--verdict", type=int, required=True, help="spec_diff's exit status")
    parser.add_argument("--report", type=Path, required=True, help="spec_diff's markdown report")
    parser.add_argument("--pinned", type=Path, default=PINNED, help="the pinned spec")
    parser.add_argument(
        "--repository", default=os.environ.get("GITHUB_REPOSITORY", ""), help="owner/name"
    )
    parser.add_argument(
        "--api-url", default=os.environ.get("GITHUB_API_URL", "https://api.github.com")
    )
    args = parser.parse_args(argv)
    run_url = "{}/{}/actions/runs/{}".format(
        os.environ.get("GITHUB_SERVER_URL", "https://github.com"),
        args.repository,
        os.environ.get("GITHUB_RUN_ID", "?"),
    )
    try:
        _refuse_failed_check(args.verdict)
        token = _required_environment(args.repository)
        report = args.report.read_text(encoding="utf-8") if args.report.is_file() else ""
        github = GitHub(args.api_url, args.repository, token)
        done = update_issues(
            github, args.verdict, report, _sha256(args.pinned.read_bytes()), run_url
        )
    except DriftIssueError as exc:
        print(f"::error::{exc}", file=sys.stderr)
        return 1
    print(done)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
