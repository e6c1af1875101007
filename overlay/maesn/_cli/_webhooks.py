"""`maesn webhooks verify`: check a saved delivery's signature, then show its events.

The secret comes from --secret or, better, $MAESN_WEBHOOK_SECRET; it is added to the run's
redaction, so nothing printed (errors and --debug output included) can show it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from maesn._redaction import Redactor, Secret
from maesn._webhooks import WebhookVerifier

from ._commands import Context
from ._exit import ExitCode, UsageError
from ._render import event_line

__all__ = ["WEBHOOK_SECRET_ENV", "verify_delivery"]

WEBHOOK_SECRET_ENV = "MAESN_WEBHOOK_SECRET"  # noqa: S105 - the variable's name


def _secret(args: argparse.Namespace) -> str:
    secret = args.secret if args.secret is not None else os.environ.get(WEBHOOK_SECRET_ENV, "")
    if not secret.strip():
        raise UsageError(
            f"no webhook secret: set {WEBHOOK_SECRET_ENV} (or pass --secret, which the shell's "
            "history keeps) to the secret that creating the webhook returned"
        )
    # A secret pasted into an environment file often keeps its newline; Maesn's never has one.
    return str(secret).strip()


def _body(path: str) -> bytes:
    return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()


def _redacting(redact: Callable[[str], str], secret: str) -> Callable[[str], str]:
    hide = Redactor([Secret(secret)])
    return lambda text: redact(hide(text))


def verify_delivery(ctx: Context, args: argparse.Namespace) -> int:
    """`maesn webhooks verify FILE --signature SIG`: exit 0 and the events, or 5 / 6."""
    secret = _secret(args)
    ctx.redact = _redacting(ctx.redact, secret)
    events = WebhookVerifier(secret).verify(_body(args.file), args.signature)
    if ctx.json:
        ctx.out_json({"valid": True, "events": [event.to_dict() for event in events]})
        return ExitCode.OK
    count = f"{len(events)} event{'s' * (len(events) != 1)}"
    ctx.out(f"valid signature: {count}")
    for event in events:
        ctx.out(event_line(event))
    return ExitCode.OK
