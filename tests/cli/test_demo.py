"""`maesn demo` and `maesn sandbox`: the walk-through and the server to try the CLI on."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from maesn.testing import Sandbox

from .conftest import cli_env, maesn_command


def test_demo_walks_through_all_five_steps_and_exits_0(tmp_path: Path) -> None:
    """The README's first command: five steps, the export saved over 3 pages, well under 60 s."""
    started = time.monotonic()
    completed = subprocess.run(  # noqa: S603 - our interpreter, our arguments
        maesn_command("demo", "--out", str(tmp_path)),
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    took = time.monotonic() - started
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    for step in range(1, 6):
        assert f"Step {step}/5" in out
    assert "FINISHED (completed)" in out
    assert "raised TaskPartiallySucceededError" in out
    assert "[ERROR] Unreadable PDF" in out
    assert "without companyId: ValidationError" in out
    assert "requests the sandbox received for this task: 0" in out
    assert "the sandbox answered: 429 (rate limit (Retry-After: 1)), 200" in out
    assert "saved 120,000 entries in 3 pages" in out
    assert "each once, in order: yes" in out
    export = tmp_path / "datev-rewe-export.jsonl"
    assert export.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datev-rewe-export.jsonl"]
    assert took < 30


def test_sandbox_serves_demo_tasks_until_ctrl_c(tmp_path: Path) -> None:
    """`maesn sandbox --port 0 --json` prints where and how to connect; the CLI works on it."""
    server = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
        maesn_command("sandbox", "--port", "0", "--json"),
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        env = cli_env(
            info["baseUrl"],
            MAESN_API_KEY=info["apiKey"],
            MAESN_ACCOUNT_KEY=info["accountKey"],
            MAESN_COMPANY_ID=info["companyId"],
        )
        tasks = {task["taskId"]: task for task in info["tasks"]}
        assert {task["integration"] for task in tasks.values()} >= {
            "abaconnect", "datev-unternehmen-online", "datev-rewe", "datev-rewe-export",
        }  # fmt: skip
        waited = subprocess.run(  # noqa: S603
            maesn_command("task", "wait", "aba-import", "--integration", "abaconnect",
                          "--poll-interval", "0.05"),
            env=env, capture_output=True, text=True, check=False, cwd=tmp_path,
        )  # fmt: skip
        assert waited.returncode == 0, waited.stderr
        assert "12 bookings imported into Abacus" in waited.stdout
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=10)
    assert server.returncode == 0
    assert "sandbox stopped" in stderr
    assert "Traceback" not in stderr


def test_sandbox_on_a_busy_port_is_a_usage_error(sandbox: Sandbox) -> None:
    """A port in use exits 2 with one line saying to pick another --port."""
    port = sandbox.base_url.rsplit(":", 1)[1]
    completed = subprocess.run(  # noqa: S603 - our interpreter, our arguments
        maesn_command("sandbox", "--port", port),
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith(f"maesn: error: cannot serve on 127.0.0.1:{port}")
    assert "pick another --port" in completed.stderr
