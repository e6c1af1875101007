"""`maesn demo` and `maesn sandbox`: the walk-through and the server to try the CLI on."""

from __future__ import annotations

import io
import json
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from maesn._cli import main
from maesn._cli._commands import Context, _announce
from maesn.testing import Sandbox
from scripted_server import ScriptedServer

from .conftest import cli_env, interruptible, maesn_command


def test_demo_walks_through_all_six_steps_and_exits_0(tmp_path: Path) -> None:
    """The README's first command: six steps, the export saved over 3 pages, a webhook received."""
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
    for step in range(1, 7):
        assert f"Step {step}/6" in out
    assert "FINISHED (completed)" in out
    assert "raised TaskPartiallySucceededError" in out
    assert "[ERROR] Unreadable PDF" in out
    assert "without companyId: ValidationError" in out
    assert "requests the sandbox received for this booking: 0" in out
    assert "client.accounting.post_file_async(body=...) -> TaskHandle(task_id=" in out
    assert "client.accounting.as_task.get_journal_entries() -> TaskHandle(task_id=" in out
    assert "the sandbox answered: 429 (rate limit (Retry-After: 1)), 200" in out
    assert "saved 120,000 entries in 3 pages" in out
    assert "each once, in order: yes" in out
    assert "verify_webhook(...) -> CREATED INVOICE sandbox-" in out
    assert "the same body tampered with: WebhookVerificationError (mismatch)" in out
    assert "event.fetch(client) -> invoice RE-2026-0042" in out
    export = tmp_path / "datev-rewe-export.jsonl"
    assert export.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datev-rewe-export.jsonl"]
    assert took < 30


def test_sandbox_serves_demo_tasks_until_ctrl_c(tmp_path: Path) -> None:
    """`maesn sandbox --port 0 --json` prints where and how to connect; the CLI works on it."""
    with interruptible("sandbox", "--port", "0", "--json", env=cli_env()) as server:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        assert info["interactiveAuth"] is False
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
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=120)
    assert server.returncode == 0
    assert "sandbox stopped" in stderr
    assert "Traceback" not in stderr


def test_sandbox_with_interactive_auth_needs_no_company_id(tmp_path: Path) -> None:
    """`maesn sandbox --interactive-auth`: a DUO task is read without companyId (the docs' example)."""
    with interruptible("sandbox", "--port", "0", "--interactive-auth", env=cli_env()) as server:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(7)]
        base_url = lines[0].split(" serving on ")[1].split()[0]
        assert "no companyId needed" in "".join(lines)
        assert "MAESN_COMPANY_ID" not in "".join(lines)
        env = cli_env(
            base_url, MAESN_API_KEY="sandbox-api-key", MAESN_ACCOUNT_KEY="sandbox-account-key"
        )
        without = ("task", "get", "duo-upload", "--integration", "datev-unternehmen-online")
        refused = subprocess.run(  # noqa: S603 - the client still needs to be told
            maesn_command(*without), env=env, capture_output=True, text=True, check=False
        )
        assert refused.returncode == 2
        assert "--interactive-auth" in refused.stderr
        read = subprocess.run(  # noqa: S603
            maesn_command(*without, "--interactive-auth"),
            env=env, capture_output=True, text=True, check=False, cwd=tmp_path,
        )  # fmt: skip
        assert read.returncode == 0, read.stderr
        assert "task duo-upload" in read.stdout
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=120)
    assert server.returncode == 0


def test_demo_with_json_prints_one_json_document(tmp_path: Path) -> None:
    """`maesn demo --json`: stdout is one JSON document with the six steps, nothing else."""
    completed = subprocess.run(  # noqa: S603 - our interpreter, our arguments
        maesn_command("demo", "--json", "--out", str(tmp_path)),
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert [step["step"] for step in document["steps"]] == [1, 2, 3, 4, 5, 6]
    assert any(
        "raised TaskPartiallySucceededError" in line for line in document["steps"][1]["shown"]
    )
    assert document["exportFile"] == str(tmp_path / "datev-rewe-export.jsonl")
    assert completed.stderr == ""


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


def test_sandbox_prints_how_to_start_new_tasks_and_the_commands_work(tmp_path: Path) -> None:
    """`maesn sandbox --json` lists an account key an integration and commands that start tasks."""
    with interruptible("sandbox", "--port", "0", "--json", env=cli_env()) as server:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        keys = {account["integration"]: account["accountKey"] for account in info["accounts"]}
        assert set(keys) == {
            "abaconnect", "datev-unternehmen-online", "datev-rewe", "datev-rewe-export",
            "datev-rewe-longtoken",
        }  # fmt: skip
        (tmp_path / "invoice.pdf").write_bytes(b"%PDF-1.7")
        for start in info["start"]:
            assignment, program, *words = shlex.split(start["command"])
            name, _, key = assignment.partition("=")
            assert (name, program) == ("MAESN_ACCOUNT_KEY", "maesn")
            env = cli_env(info["baseUrl"], MAESN_API_KEY=info["apiKey"], MAESN_ACCOUNT_KEY=key)
            ran = subprocess.run(  # noqa: S603 - our interpreter, the printed arguments
                maesn_command(*words, "--poll-interval", "0.05")
                if words[0] != "companies"
                else maesn_command(*words),
                env=env, capture_output=True, text=True, check=False, cwd=tmp_path, timeout=120,
            )  # fmt: skip
            assert ran.returncode == 0, (start, ran.stderr)
        assert (tmp_path / "export.jsonl").stat().st_size > 0
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=120)
    assert server.returncode == 0


def _tokens(line: str) -> list[str]:
    return re.split(r"[\s=]+", line.strip())


@pytest.mark.parametrize("integration", ["datev-unternehmen-online", "abaconnect"])
def test_sandbox_says_which_integration_each_printed_account_key_belongs_to(
    integration: str,
) -> None:
    """--json: accountKeyIntegration is the sandbox's; text: each key's lines name its owner."""
    with Sandbox(integration=integration) as sandbox:
        text, document = io.StringIO(), io.StringIO()
        _announce(Context(stdout=text, stderr=io.StringIO(), redact=str), sandbox)
        _announce(Context(stdout=document, stderr=io.StringIO(), redact=str, json=True), sandbox)
    info = json.loads(document.getvalue())
    assert (info["accountKey"], info["accountKeyIntegration"]) == (sandbox.account_key, integration)
    owners = {account["accountKey"]: account["integration"] for account in info["accounts"]}
    owners[info["accountKey"]] = info["accountKeyIntegration"]
    lines = [_tokens(line) for line in text.getvalue().splitlines()]
    for key, owner in owners.items():
        with_key = [tokens for tokens in lines if key in tokens]
        assert with_key, key
        assert all(owner in tokens for tokens in with_key), (key, owner)


def test_sandbox_help_describes_what_it_serves(capsys: pytest.CaptureFixture[str]) -> None:
    """`maesn sandbox --help` (exit 0) no longer says it serves only the async-task endpoint."""
    assert main(["sandbox", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "async-task endpoint" not in text
    assert "maesn.testing.Sandbox" in text


def test_sandbox_serves_the_api_with_demo_data_and_prints_webhook_deliveries(
    scripted_server: ScriptedServer,
) -> None:
    """`maesn sandbox`: demo invoices listed, a subscription gets a signed event, printed."""
    scripted_server.reply(204)
    with interruptible("sandbox", "--port", "0", "--json", env=cli_env()) as server:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        assert info["webhooks"]["subscribe"] == f"POST {info['baseUrl']}/webhooks"
        headers = {"X-API-KEY": info["apiKey"], "X-ACCOUNT-KEY": info["accountKey"]}
        params = {"companyId": info["companyId"]}
        with httpx.Client(base_url=info["baseUrl"], headers=headers, params=params) as http:
            invoices = http.get("/accounting/invoices").json()["data"]
            assert "RE-2026-0001" in [invoice["invoiceNumber"] for invoice in invoices]
            hook = {"callbackUrl": f"{scripted_server.base_url}/hooks", "resource": "CUSTOMER"}
            assert http.post("/webhooks", json=hook).status_code == 201
            created = http.post("/accounting/customers", json={"companyName": "Neu GmbH"})
            customer_id = created.json()["data"]["id"]
        assert server.stderr is not None
        printed = server.stderr.readline()  # printed once the delivery is done
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=120)
    assert server.returncode == 0
    (request,) = scripted_server.requests
    assert json.loads(request.body)["resourceId"] == customer_id
    hooks = f"{scripted_server.base_url}/hooks"
    assert printed.startswith(f"webhook CREATED CUSTOMER {customer_id} -> {hooks}: delivered")
