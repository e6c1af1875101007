"""AbaConnect allows one running request per connection: the client sends one at a time per key.

Issue 17: two concurrent calls on one account key reach the server one after the other; two
account keys run in parallel. Also: a credential passed as an argument is redacted like a key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import maesn
import pytest
from helpers import Running
from scripted_server import ScriptedServer

EMPTY_PAGE = json.dumps({"data": []}).encode()


class OverlapServer(Running):
    """Answers every GET with an empty page; each request waits (up to `hold` s) for company.

    A request that has another in flight beside it answers at once; one alone waits `hold`
    seconds for a second to arrive. `most` is the largest number in flight at any moment.
    """

    def __init__(self, hold: float = 0.5) -> None:
        self.hold = hold
        self.most = 0
        self._in_flight = 0
        self._arrivals = 0
        self._lock = threading.Lock()
        self._company = threading.Condition(self._lock)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with server._company:
                    server._in_flight += 1
                    server._arrivals += 1
                    arrived = server._arrivals
                    server.most = max(server.most, server._in_flight)
                    server._company.notify_all()
                    # Released by any later arrival, even one already answered and gone by the
                    # time this thread wakes (waiting for "two in flight now" missed those and
                    # held the request its whole `hold`).
                    server._company.wait_for(
                        lambda: server._in_flight > 1 or server._arrivals > arrived,
                        timeout=server.hold,
                    )
                    # Out of flight before the answer goes out: a call the client sends only
                    # after reading this answer must not meet this request still counted.
                    server._in_flight -= 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(EMPTY_PAGE)))
                self.end_headers()
                self.wfile.write(EMPTY_PAGE)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        """Serve in a thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def overlap() -> Iterator[OverlapServer]:
    """An OverlapServer whose lone request waits 0.3 s for company (serialised calls: fast)."""
    with OverlapServer(hold=0.3) as server:
        yield server


@pytest.fixture
def patient() -> Iterator[OverlapServer]:
    """One whose lone request waits up to 10 s: parallel calls meet however loaded the machine."""
    with OverlapServer(hold=10.0) as server:
        yield server


def _client(server: OverlapServer, account_key: str, integration: str) -> maesn.Client:
    return maesn.Client(
        api_key="api-key-single-1",
        account_key=account_key,
        integration=integration,
        base_url=server.base_url,
        max_retries=0,
    )


def _in_threads(*calls: Any) -> None:
    threads = [threading.Thread(target=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_two_calls_on_one_abaconnect_key_run_one_after_the_other(overlap: OverlapServer) -> None:
    """Two clients, one account key, two threads: the server never sees both at once."""
    first = _client(overlap, "account-key-aba-1", "abaconnect")
    second = _client(overlap, "account-key-aba-1", "abaconnect")
    with first, second:
        _in_threads(first.accounting.get_customers, second.accounting.get_customers)
    assert overlap.most == 1


def test_two_abaconnect_keys_run_in_parallel(patient: OverlapServer) -> None:
    """Two account keys are two connections: their calls overlap."""
    first = _client(patient, "account-key-aba-1", "abaconnect")
    second = _client(patient, "account-key-aba-2", "abaconnect")
    with first, second:
        _in_threads(first.accounting.get_customers, second.accounting.get_customers)
    assert patient.most == 2


def test_other_integrations_are_not_serialised(patient: OverlapServer) -> None:
    """Only the profile's `single_request` rule serialises: one Xero key may run two calls."""
    first = _client(patient, "account-key-xero-1", "xero")
    second = _client(patient, "account-key-xero-1", "xero")
    with first, second:
        _in_threads(first.accounting.get_customers, second.accounting.get_customers)
    assert patient.most == 2


def test_async_calls_on_one_abaconnect_key_run_one_after_the_other(overlap: OverlapServer) -> None:
    """The same across coroutines of one event loop."""

    async def run() -> None:
        async with maesn.AsyncClient(
            api_key="api-key-single-1",
            account_key="account-key-aba-3",
            integration="abaconnect",
            base_url=overlap.base_url,
        ) as client:
            await asyncio.gather(
                client.accounting.get_customers(), client.accounting.get_customers()
            )

    asyncio.run(run())
    assert overlap.most == 1


def test_a_credential_passed_as_an_argument_is_redacted_everywhere(
    scripted_server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """`set_end_user_selections(account_key=...)` sends another key in the query: redacted."""
    other = "end-user-account-key-77Q"
    scripted_server.reply(404, {"message": f"no user for {other}"})
    with (
        caplog.at_level(logging.DEBUG),
        maesn.Client(
            api_key="api-key-single-1",
            account_key="account-key-single-1",
            integration="abaconnect",
            base_url=scripted_server.base_url,
        ) as client,
        pytest.raises(maesn.NotFoundError) as caught,
    ):
        client.auth.set_end_user_selections(account_key=other, environment_name="e", company_id="c")
    error = caught.value
    assert other in scripted_server.requests[0].raw_path
    texts = [
        str(error),
        repr(error),
        repr(error.request),
        repr(error.response),
        json.dumps(error.body),
    ]
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        assert other not in text
    assert error.may_have_been_applied is False


def test_a_bad_answer_to_a_write_says_the_write_may_have_been_applied(
    scripted_server: ScriptedServer,
) -> None:
    """A 201 whose body does not match the spec: the write arrived, the field says so."""
    scripted_server.reply(201, {"data": "not a webhook"})
    with (
        maesn.Client(
            api_key="api-key-single-1",
            account_key="account-key-single-1",
            integration="xero",
            base_url=scripted_server.base_url,
        ) as client,
        pytest.raises(maesn.ResponseValidationError) as caught,
    ):
        client.webhooks.create_webhook(body={"callbackUrl": "https://example.test/hook"})
    assert caught.value.may_have_been_applied is True
