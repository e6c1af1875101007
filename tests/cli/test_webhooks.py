"""`maesn webhooks verify`: a saved delivery checked in-process through `maesn._cli.main`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from maesn._cli import main
from maesn.testing import sign_webhook

SECRET = "cli-webhook-secret-4e1f9a0c7b2d"  # noqa: S105 - a test's
EVENT = {"eventType": "UPDATED", "resource": "CUSTOMER", "resourceId": "c-7", "userId": "u-1"}
BODY = json.dumps(EVENT).encode()


@pytest.fixture(autouse=True)
def _no_inherited_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAESN_WEBHOOK_SECRET", raising=False)


@pytest.fixture
def delivery(tmp_path: Path) -> Path:
    """The body saved byte for byte, as a receiver would log it."""
    path = tmp_path / "delivery.json"
    path.write_bytes(BODY)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_valid_delivery_exits_0_and_prints_its_events(
    delivery: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The secret from MAESN_WEBHOOK_SECRET; text shows each event on a line."""
    monkeypatch.setenv("MAESN_WEBHOOK_SECRET", SECRET)
    code, out, _ = _run(
        capsys, "webhooks", "verify", str(delivery), "--signature", sign_webhook(BODY, SECRET)
    )
    assert code == 0
    assert out.splitlines() == [
        "valid signature: 1 event",
        'UPDATED  CUSTOMER  c-7  userId "u-1"',
    ]


def test_json_prints_the_events_as_sent(delivery: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json: {"valid": true, "events": [...]}; --secret works too."""
    code, out, _ = _run(
        capsys,
        "webhooks",
        "verify",
        str(delivery),
        "--signature",
        sign_webhook(BODY, SECRET),
        "--secret",
        SECRET,
        "--json",
    )
    assert code == 0
    assert json.loads(out) == {"valid": True, "events": [EVENT]}


def test_stdin_is_read_as_raw_bytes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-` reads the body from stdin, byte for byte (an array of two events here)."""
    body = json.dumps([EVENT, EVENT], indent=2).encode() + b"\r\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(body)))
    monkeypatch.setenv("MAESN_WEBHOOK_SECRET", SECRET)
    code, out, _ = _run(
        capsys, "webhooks", "verify", "-", "--signature", sign_webhook(body, SECRET)
    )
    assert code == 0
    assert out.splitlines()[0] == "valid signature: 2 events"


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        (sign_webhook(BODY, "another-secret-0000"), "mismatch"),
        (sign_webhook(BODY + b" ", SECRET), "mismatch"),
        ("not hex at all", "malformed"),
        ("", "missing"),
    ],
)
def test_a_bad_signature_exits_5_with_its_reason(
    delivery: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    signature: str,
    reason: str,
) -> None:
    """Missing, malformed or wrong: exit 5, and --json says which."""
    monkeypatch.setenv("MAESN_WEBHOOK_SECRET", SECRET)
    code, out, err = _run(
        capsys, "webhooks", "verify", str(delivery), "--signature", signature, "--json"
    )
    assert code == 5
    error = json.loads(out)["error"]
    assert error["type"] == "WebhookVerificationError"
    assert error["reason"] == reason
    assert error["exitCode"] == 5
    assert err.startswith("maesn: error: ")


def test_a_signed_body_that_is_not_event_json_exits_6(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signature matches, the body is not events: a different exit code."""
    body = b'{"hello": "world"}'
    (tmp_path / "odd.json").write_bytes(body)
    monkeypatch.setenv("MAESN_WEBHOOK_SECRET", SECRET)
    code, out, _ = _run(
        capsys,
        "webhooks",
        "verify",
        str(tmp_path / "odd.json"),
        "--signature",
        sign_webhook(body, SECRET),
        "--json",
    )
    assert code == 6
    assert json.loads(out)["error"]["type"] == "WebhookPayloadError"


def test_no_secret_is_a_usage_error(delivery: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Neither --secret nor MAESN_WEBHOOK_SECRET: exit 2 naming the variable."""
    code, _, err = _run(capsys, "webhooks", "verify", str(delivery), "--signature", "ab" * 32)
    assert code == 2
    assert "MAESN_WEBHOOK_SECRET" in err


def test_a_missing_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An unreadable FILE: exit 2 naming it."""
    code, _, err = _run(
        capsys,
        "webhooks",
        "verify",
        str(tmp_path / "nope.json"),
        "--signature",
        "ab" * 32,
        "--secret",
        SECRET,
    )
    assert code == 2
    assert "nope.json" in err


def test_the_help_documents_the_command_and_its_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`maesn webhooks verify --help`: the secret's variable and exit codes 5 and 6."""
    assert main(["webhooks", "verify", "--help"]) == 0
    text = capsys.readouterr().out
    for expected in ("MAESN_WEBHOOK_SECRET", "--signature SIGNATURE", "\n  5 ", "\n  6 "):
        assert expected in text


@pytest.mark.parametrize("debug", [[], ["--debug"]])
def test_the_secret_is_never_printed(
    delivery: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    debug: list[str],
) -> None:
    """Not in output, errors, --json or --debug, even when the body itself contains it."""
    body = json.dumps({**EVENT, "note": f"echo {SECRET}"}).encode()
    delivery.write_bytes(body)
    monkeypatch.setenv("MAESN_WEBHOOK_SECRET", SECRET)
    runs = [
        _run(capsys, "webhooks", "verify", str(delivery), "--signature", signature, *output, *debug)
        for signature in (sign_webhook(body, SECRET), "ab" * 32)
        for output in ([], ["--json"])
    ]
    assert [code for code, _, _ in runs] == [0, 0, 5, 5]
    for _, out, err in runs:
        assert SECRET not in out + err
    assert "[redacted]" in runs[0][1]
