"""Injected faults reach the client exactly as declared, for the requests they are scoped to."""

from __future__ import annotations

import json

import httpx
import pytest
from maesn._profiles import Integration
from maesn.testing import Fault, Sandbox

from . import GetTask

EXPORT = Integration.DATEV_REWE_EXPORT


@pytest.mark.parametrize("status", [500, 502, 503, 520, 499])
def test_status_faults_answer_that_status_with_a_json_body(
    status: int, maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """5xx and non-IANA codes arrive as such, with a Maesn-style error body."""
    task_id = maesn_sandbox.add_task("abaconnect")
    maesn_sandbox.inject(Fault.status(status))
    response = get_task(task_id)
    assert response.status_code == status
    assert response.json()["statusCode"] == status
    assert get_task(task_id).status_code == 200


def test_a_non_iana_status_carries_the_reason_proxies_send(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """520 is 'Unknown Error' (Cloudflare)."""
    maesn_sandbox.inject(Fault.status(520))
    assert get_task("any").reason_phrase == "Unknown Error"


def test_rate_limit_sends_retry_after(maesn_sandbox: Sandbox, get_task: GetTask) -> None:
    """429 with Retry-After in seconds."""
    maesn_sandbox.inject(Fault.rate_limit(retry_after=2))
    response = get_task("any")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"


def test_a_dropped_connection_is_a_protocol_error(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """Headers announce the whole body; half of it arrives; the connection closes."""
    task_id = maesn_sandbox.add_task("abaconnect", response_data={"x": "y" * 1000})
    maesn_sandbox.inject(Fault.drop_connection())
    with pytest.raises(httpx.RemoteProtocolError):
        get_task(task_id)
    (request,) = maesn_sandbox.requests
    assert request.fault == "drop connection"
    assert get_task(task_id).status_code == 200


def test_truncated_json_is_a_complete_response_with_an_invalid_body(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """200, application/json, the first half of the envelope."""
    task_id = maesn_sandbox.add_task("abaconnect")
    maesn_sandbox.inject(Fault.truncated_json())
    response = get_task(task_id)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.text.startswith('{"meta":')
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_html_is_served_as_text_html(maesn_sandbox: Sandbox, get_task: GetTask) -> None:
    """A proxy's HTML page with status 200."""
    maesn_sandbox.inject(Fault.html())
    response = get_task("any")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html>" in response.text


def test_an_unknown_status_replaces_only_data_status(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """The envelope is intact; data.status is the given value."""
    task_id = maesn_sandbox.add_task("abaconnect", warnings=["w"])
    maesn_sandbox.inject(Fault.unknown_status("QUEUED"))
    body = get_task(task_id).json()
    assert body["data"]["status"] == "QUEUED"
    assert body["meta"]["warnings"] == ["w"]
    assert body["data"]["information"][0]["message"] == "The task is IN_PROGRESS."


def test_a_custom_response_is_sent_as_given(maesn_sandbox: Sandbox, get_task: GetTask) -> None:
    """Status, body and headers exactly as declared."""
    maesn_sandbox.inject(Fault.response(418, "short and stout", headers={"X-Teapot": "yes"}))
    response = get_task("any")
    assert (response.status_code, response.text, response.headers["X-Teapot"]) == (
        418,
        "short and stout",
        "yes",
    )


@pytest.mark.parametrize("body", [{"statusCode": 500, "message": "boom"}, [1, "two"], None, 3])
def test_a_custom_response_encodes_a_json_value(
    body: object, maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """A dict (or any JSON value) body is sent as JSON instead of crashing the handler thread."""
    maesn_sandbox.inject(Fault.response(500, body))
    response = get_task("any")
    assert response.status_code == 500
    assert response.json() == body
    assert response.headers["Content-Type"].startswith("application/json")
    assert get_task("any").status_code == 404  # the server still answers afterwards


def test_a_custom_response_refuses_a_body_json_cannot_encode() -> None:
    """A set (or NaN) is refused at the call, naming what was given."""
    with pytest.raises(TypeError, match="bytes, str or a JSON value, got set"):
        Fault.response(500, {1, 2})
    with pytest.raises(TypeError, match="got float"):
        Fault.response(500, float("nan"))


def test_a_delay_holds_the_answer_back_long_enough_for_a_client_timeout(
    maesn_sandbox: Sandbox,
) -> None:
    """A client with a shorter read timeout times out; the next request is prompt."""
    task_id = maesn_sandbox.add_task("abaconnect")
    maesn_sandbox.inject(Fault.delay(0.5))
    with httpx.Client(headers=maesn_sandbox.headers, timeout=0.1) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get(maesn_sandbox.task_url(task_id))
        assert client.get(maesn_sandbox.task_url(task_id)).status_code == 200


def test_faults_do_not_advance_the_lifecycle_and_are_logged(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """Two 503s, then the first status: faulted requests never moved the task."""
    task_id = maesn_sandbox.add_task(Integration.DATEV_UNTERNEHMEN_ONLINE, company_id="c")
    maesn_sandbox.inject(Fault.status(503), times=2)
    maesn_sandbox.inject(Fault.unknown_status("QUEUED"))
    statuses = [get_task(task_id, companyId="c").status_code for _ in range(2)]
    assert statuses == [503, 503]
    assert get_task(task_id, companyId="c").json()["data"]["status"] == "QUEUED"
    assert get_task(task_id, companyId="c").json()["data"]["status"] == "OPEN"
    assert [request.fault for request in maesn_sandbox.requests] == [
        "status 503",
        "status 503",
        "unknown status QUEUED",
        None,
    ]


def test_a_task_scoped_fault_leaves_other_tasks_alone(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """Requests for another task are served normally and do not consume the fault."""
    first = maesn_sandbox.add_task("abaconnect")
    second = maesn_sandbox.add_task("abaconnect")
    maesn_sandbox.inject(Fault.status(500), task_id=second)
    assert get_task(first).status_code == 200
    assert get_task(first).status_code == 200
    assert get_task(second).status_code == 500
    assert get_task(second).status_code == 200


def test_a_page_scoped_fault_hits_only_that_page(maesn_sandbox: Sandbox, get_task: GetTask) -> None:
    """A fault for page 2 lets page 1 through; no page counts as page 1."""
    maesn_sandbox.page_size = 2
    task_id = maesn_sandbox.add_task(EXPORT, entries=5, lifecycle=["FINISHED"])
    maesn_sandbox.inject(Fault.status(502), times=3, page=2)
    maesn_sandbox.inject(Fault.status(500), page=1)
    assert get_task(task_id, companyId="c").status_code == 500
    assert get_task(task_id, companyId="c", page=1).status_code == 200
    assert [get_task(task_id, companyId="c", page=2).status_code for _ in range(4)] == [
        502,
        502,
        502,
        200,
    ]


def test_faults_come_before_the_key_check_and_clear_faults_drops_them(
    maesn_sandbox: Sandbox,
) -> None:
    """A gateway error reaches even a client without keys; clear_faults() forgets the rest."""
    maesn_sandbox.inject(Fault.status(503), times=5)
    with httpx.Client() as client:
        assert client.get(maesn_sandbox.task_url("x")).status_code == 503
        maesn_sandbox.clear_faults()
        assert client.get(maesn_sandbox.task_url("x")).status_code == 401


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: Fault.status(42), "three-digit"),
        (lambda: Fault.delay(-1), "zero or more"),
    ],
)
def test_bad_faults_are_refused(build: object, match: str) -> None:
    """Fault constructors check their arguments."""
    assert callable(build)
    with pytest.raises(ValueError, match=match):
        build()


def test_times_must_be_positive(maesn_sandbox: Sandbox) -> None:
    """inject(times=0) is a mistake."""
    with pytest.raises(ValueError, match="times"):
        maesn_sandbox.inject(Fault.html(), times=0)
