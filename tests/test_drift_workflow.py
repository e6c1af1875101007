"""The scheduled drift check, end to end without the internet.

`.github/workflows/spec-drift.yml` runs `nox -s spec_diff -- --format markdown > spec-drift.md`
and `python -m scripts.drift_issue`. Here: the workflow file passes two real linters
(check-jsonschema's GitHub-workflow schema, zizmor), the drift command gives its three verdicts on
local upstream files (directly, and once through nox exactly as the workflow runs it), and the
issue script keeps one issue per drift on a GitHub API served on loopback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import drift_issue, spec_diff
from scripts.regenerate import SPEC, load_document
from scripts.spec_yaml import load_document as load_yaml_document

pytestmark = pytest.mark.tooling

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "spec-drift.yml"
SEED = ROOT / "tests" / "fixtures" / "specs" / "seed.yaml"
#: The seed with the fixes written for it (the committed fixes hold pinned-only ones, stale there).
SEED_ARGS = [
    "--pinned",
    str(SEED),
    "--fixes",
    str(ROOT / "tests/fixtures/spec_diff/seed-fixes.yaml"),
]
CHECK_COMMAND = "nox -s spec_diff -- --format markdown > spec-drift.md"
ISSUE_COMMAND = 'python -m scripts.drift_issue --verdict "$VERDICT" --report spec-drift.md'
TOKEN = "ghs_test-token-never-shown"  # noqa: S105 - a fake token for the fake API


# -- the workflow file ---------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is not installed next to {sys.executable} (dependency group `test`)"
    return found


def test_the_workflow_passes_the_github_workflow_schema() -> None:
    """check-jsonschema validates it against its bundled GitHub-workflow schema (no network)."""
    result = subprocess.run(  # noqa: S603 - an installed linter on our own file
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_passes_zizmor_pedantic() -> None:
    """Zizmor (offline, pedantic): pinned actions, least permissions, no template injection."""
    result = subprocess.run(  # noqa: S603 - an installed linter on our own file
        [_tool("zizmor"), "--offline", "--persona", "pedantic", str(WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linters_do_reject_a_broken_workflow(tmp_path: Path) -> None:
    """The two linters are not a formality: a missing runs-on and write-all both fail."""
    text = WORKFLOW.read_text(encoding="utf-8")
    schema_broken = tmp_path / "schema.yml"
    schema_broken.write_text(text.replace("runs-on:", "runs_on:"), encoding="utf-8")
    audit_broken = tmp_path / "audit.yml"
    audit_broken.write_text(text.replace("permissions: {}", "permissions: write-all"))
    schema = [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    for command in (
        [*schema, str(schema_broken)],
        [_tool("zizmor"), "--offline", "--persona", "pedantic", str(audit_broken)],
    ):
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        assert result.returncode != 0, command


def test_the_workflow_runs_the_command_these_tests_run() -> None:
    """Weekly and on demand; the check and the issue step are the commands tested below."""
    workflow = load_yaml_document(WORKFLOW)
    assert workflow["on"]["schedule"][0]["cron"] == "17 6 * * 1"
    assert "workflow_dispatch" in workflow["on"]
    steps = workflow["jobs"]["spec-drift"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any(CHECK_COMMAND in run and "verdict=$?" in run for run in runs), runs
    assert ISSUE_COMMAND in runs
    assert workflow["jobs"]["spec-drift"]["permissions"] == {"contents": "read", "issues": "write"}


def test_the_verdicts_agree_everywhere() -> None:
    """spec_diff's exit codes, the nox session's pass-through and the issue script's constants."""
    import noxfile  # noqa: PLC0415 - the noxfile is a module of the repository root

    assert (spec_diff.ExitCode.NO_DRIFT, spec_diff.ExitCode.DRIFT) == (
        drift_issue.NO_DRIFT,
        drift_issue.DRIFT,
    )
    assert noxfile.SPEC_DIFF_VERDICTS == {
        spec_diff.ExitCode.COULD_NOT_CHECK: "could not check",
        spec_diff.ExitCode.DRIFT: "drift",
    }


# -- the drift command on local upstream files ---------------------------------------------------


def _drifted(tmp_path: Path, source: Path) -> Path:
    """`source` with one optional query parameter added to its first operation."""
    spec = load_document(source)
    first = next(iter(spec["paths"].values()))
    operation = next(value for value in first.values() if isinstance(value, dict))
    operation.setdefault("parameters", []).append(
        {"name": "driftProbe", "in": "query", "required": False, "schema": {"type": "string"}}
    )
    path = tmp_path / "drifted.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", ["no-drift", "drift", "unreachable", "invalid"])
def test_the_drift_command_gives_three_verdicts(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No drift 0 with a report; drift 3 with a report; no upstream or a bad one 2 and no report."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.0\npaths: {a: [\n", encoding="utf-8")
    upstream = {
        "no-drift": str(SEED),
        "drift": str(_drifted(tmp_path, SEED)),
        "unreachable": "http://127.0.0.1:9/openapi.yaml",
        "invalid": str(broken),
    }[case]
    args = [*SEED_ARGS, "--upstream", upstream, "--format", "markdown", "--no-preview"]
    code = spec_diff.main(args)
    out, err = capsys.readouterr()
    if case == "no-drift":
        assert (code, err) == (0, "")
        assert out.startswith("## Spec drift")
        assert "No differences." in out
    elif case == "drift":
        assert (code, err) == (3, "")
        assert "`/paths/~1accounting~1asyncTask~1{taskId}/get/parameters/query/driftProbe`" in out
    else:
        assert (code, out) == (2, "")
        assert err.startswith("error: ")


def _nox(*args: str, stdout: Path) -> subprocess.CompletedProcess[str]:
    with stdout.open("w", encoding="utf-8") as sink:
        return subprocess.run(  # noqa: S603 - nox from our own environment, fixed arguments
            [sys.executable, "-m", "nox", "-f", str(ROOT / "noxfile.py"), *args],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )


@pytest.mark.slow
def test_through_nox_the_verdicts_and_the_report_reach_the_caller(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """The workflow's command on local upstream files: 0, 3 and 2, stdout the report alone.

    One nox run per verdict, on the seed (the pinned spec would add half a minute of YAML
    parsing, not another path), the drift run with the generated-code preview as scheduled; then
    the drift report goes through the issue script to the loopback GitHub: one issue opened.
    """
    cases = {
        "missing": ([str(tmp_path / "missing.yaml")], 2),
        "same": ([str(SEED), "--no-preview"], 0),
        "drifted": ([str(_drifted(tmp_path, SEED))], 3),
    }
    reports: dict[str, str] = {}
    for name, (upstream, verdict) in cases.items():
        report = tmp_path / f"{name}.md"
        command = ["-s", "spec_diff", "--", "--format", "markdown", *SEED_ARGS, "--upstream"]
        result = _nox(*command, *upstream, stdout=report)
        assert result.returncode == verdict, result.stderr[-3000:]
        reports[name] = report.read_text(encoding="utf-8")
    assert reports["missing"] == ""
    assert reports["same"].startswith("## Spec drift")
    assert "No differences." in reports["same"]
    drifted = reports["drifted"]
    assert drifted.startswith("## Spec drift")
    assert "driftProbe" in drifted
    assert "### Generated-code preview" in drifted
    assert _issue_main(github, 3, tmp_path / "drifted.md") == 0
    (issue,) = github.issues.values()
    assert issue["body"].endswith(drifted)


# -- the issue script against a loopback GitHub ----------------------------------------------------


@dataclass
class FakeGitHub:
    """Issues and comments of one repository, served like the REST API on loopback."""

    url: str = ""
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def open(self, body: str, title: str = "old") -> int:
        """Open an issue; its number."""
        number = len(self.issues) + 1
        self.issues[number] = {"number": number, "title": title, "body": body, "state": "open"}
        self.issues[number]["comments"] = []
        return number

    @property
    def open_issues(self) -> list[dict[str, Any]]:
        """The issues still open."""
        return [issue for issue in self.issues.values() if issue["state"] == "open"]


def _handler(state: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    prefix = "/repos/maesn/client"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, status: int, payload: Any) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self) -> None:
            state.requests.append((self.command, self.path))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._answer(401, {"message": "Bad credentials"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length)) if length else {}
            path = self.path.removeprefix(prefix)
            parts = path.split("?")[0].strip("/").split("/")
            if self.command == "GET" and parts == ["issues"]:
                page = int(path.rsplit("page=", 1)[1])
                items = [{k: v for k, v in i.items() if k != "comments"} for i in state.open_issues]
                self._answer(200, items if page == 1 else [])
            elif self.command == "POST" and parts == ["issues"]:
                number = state.open(payload["body"], payload["title"])
                self._answer(201, {"number": number})
            elif self.command == "PATCH" and len(parts) == 2:
                state.issues[int(parts[1])].update(payload)
                self._answer(200, {})
            elif self.command == "POST" and parts[2:] == ["comments"]:
                state.issues[int(parts[1])]["comments"].append(payload["body"])
                self._answer(201, {})
            else:
                self._answer(404, {"message": "Not Found"})

        do_GET = do_POST = do_PATCH = _handle  # noqa: N815 - http.server's naming

    return Handler


class fake_github:  # noqa: N801 - used as a context manager, like a function
    """Serve a FakeGitHub on 127.0.0.1 for the duration of a `with` block."""

    def __enter__(self) -> FakeGitHub:
        self.state = FakeGitHub()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.state.url = f"http://127.0.0.1:{self.server.server_port}"
        return self.state

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    """A loopback GitHub with the environment Actions gives a workflow step."""
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_RUN_ID", "42")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    with fake_github() as state:
        yield state


def _issue_main(github: FakeGitHub, verdict: int, report: Path, pinned: Path = SPEC) -> int:
    return drift_issue.main(
        [
            "--verdict",
            str(verdict),
            "--report",
            str(report),
            "--pinned",
            str(pinned),
            "--repository",
            "maesn/client",
            "--api-url",
            github.url,
        ]
    )


REPORT = "## Spec drift\n\n**Suggested version bump: minor (0 breaking, ...)**\n\n| a | b |\n"


def _report(tmp_path: Path, text: str = REPORT) -> Path:
    path = tmp_path / "spec-drift.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_drift_opens_one_issue_and_the_same_drift_again_changes_nothing(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Week one opens the issue; week two with the same report neither opens nor comments."""
    report = _report(tmp_path)
    assert _issue_main(github, 3, report) == 0
    (issue,) = github.issues.values()
    assert issue["title"] == "Spec drift: Maesn's spec differs from the pin (suggested bump: minor)"
    assert issue["body"].startswith(f"<!-- {drift_issue.MARKER} pinned-sha256=")
    assert issue["body"].endswith(REPORT)
    assert "https://github.example/maesn/client/actions/runs/42" in issue["body"]
    assert _issue_main(github, 3, report) == 0
    assert len(github.issues) == 1
    assert issue["comments"] == []
    assert capsys.readouterr().out.splitlines() == ["opened #1", "drift unchanged in #1"]


def test_a_changed_drift_updates_the_same_issue_with_one_comment(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """Upstream moved again: the body is replaced and one comment says so; no second issue."""
    assert _issue_main(github, 3, _report(tmp_path)) == 0
    changed = REPORT.replace("minor (0 breaking", "major (1 breaking")
    assert _issue_main(github, 3, _report(tmp_path, changed)) == 0
    (issue,) = github.issues.values()
    assert issue["body"].endswith(changed)
    assert "suggested bump: major" in issue["title"]
    assert len(issue["comments"]) == 1
    assert issue["comments"][0].startswith("The drift changed: Suggested version bump: major")


def test_no_drift_closes_the_open_issue(github: FakeGitHub, tmp_path: Path) -> None:
    """Upstream matches the pin again: the drift issue is closed with a comment."""
    assert _issue_main(github, 3, _report(tmp_path)) == 0
    assert _issue_main(github, 0, _report(tmp_path, "## Spec drift\n\nNo differences.\n")) == 0
    (issue,) = github.issues.values()
    assert issue["state"] == "closed"
    assert issue["comments"] == [
        "Upstream matches the pinned spec again (https://github.example/maesn/client/actions/runs/42)."
    ]


def test_a_new_pin_supersedes_the_old_pins_issue(github: FakeGitHub, tmp_path: Path) -> None:
    """After the pin was updated, a new drift is a new issue and the old one is closed."""
    assert _issue_main(github, 3, _report(tmp_path), pinned=SEED) == 0
    assert _issue_main(github, 3, _report(tmp_path)) == 0
    old, new = github.issues[1], github.issues[2]
    assert (old["state"], new["state"]) == ("closed", "open")
    assert old["comments"] == ["Superseded by #2."]


@pytest.mark.parametrize("verdict", [2, 1, 127])
def test_a_check_that_could_not_run_touches_no_issue_and_fails(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str], verdict: int
) -> None:
    """Could not check (2), nox or a crash (1), anything else: exit 1, not one request sent."""
    report = _report(tmp_path, "error: could not fetch https://example.invalid/spec.yaml\n")
    assert _issue_main(github, verdict, report) == 1
    assert github.requests == []
    err = capsys.readouterr().err
    assert err.startswith(f"::error::the drift check could not run (exit status {verdict})")


def test_a_drift_verdict_without_a_report_touches_no_issue(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 3 with an empty or foreign report is refused: an issue only ever carries a report."""
    assert _issue_main(github, 3, _report(tmp_path, "")) == 1
    assert github.requests == []
    assert "not spec_diff's markdown" in capsys.readouterr().err


def test_a_refusal_from_github_fails_loudly_without_the_token(
    github: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A 401 is a failed run with GitHub's answer; the token appears nowhere."""
    monkeypatch.setenv("GITHUB_TOKEN", "wrong-token")
    assert _issue_main(github, 3, _report(tmp_path)) == 1
    err = capsys.readouterr().err
    assert err.startswith("::error::GitHub answered 401 to GET /issues")
    assert "wrong-token" not in err
    assert "wrong-token" not in repr(drift_issue.GitHub(github.url, "maesn/client", "wrong-token"))


def test_a_long_report_is_cut_to_githubs_limit() -> None:
    """The body (marker, note and report) stays within 65,536 characters and says it was cut."""
    report = REPORT + "| x | y |\n" * 10_000
    body = drift_issue.issue_body(report, "0" * 64, "https://github.example/run")
    assert len(body) <= drift_issue.BODY_LIMIT
    assert body.rstrip().endswith("for the whole report)*")
