"""Every non-2xx status and every malformed body becomes one typed error that keeps the body."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import httpx
import maesn
import pytest
from helpers import Harness, envelope
from scripted_server import ScriptedServer

STATUS_CLASSES = [
    (400, maesn.BadRequestError),
    (401, maesn.AuthenticationError),
    (403, maesn.PermissionDeniedError),
    (404, maesn.NotFoundError),
    (405, maesn.APIStatusError),
    (409, maesn.APIStatusError),
    (418, maesn.APIStatusError),
    (499, maesn.APIStatusError),
    (500, maesn.ServerError),
    (502, maesn.ServerError),
    (503, maesn.ServerError),
    (520, maesn.ServerError),
]


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_status_codes_map_to_one_error_class_each(
    harness: Harness, scripted_server: ScriptedServer, status: int, cls: type[maesn.APIStatusError]
) -> None:
    """Standard or not (520, 499), a status code gives a typed error with body and request id."""
    body = {"statusCode": status, "message": f"failure {status}"}
    for _ in range(4):
        scripted_server.reply(status, body, headers={"X-Request-Id": f"req-{status}"})
    with pytest.raises(maesn.APIStatusError) as caught:
        harness.get_task("t-1", max_retries=0)
    error = caught.value
    assert type(error) is cls
    assert error.status_code == status
    assert error.body == body
    assert json.loads(error.text) == body
    assert error.request_id == f"req-{status}"
    assert f"req-{status}" in str(error)
    assert isinstance(error.response, httpx.Response)
    assert error.response.status_code == status
    assert isinstance(error.request, httpx.Request)
    assert error.request is error.response.request
    assert error.request.url.path == "/accounting/asyncTask/t-1"
    assert error.headers["X-Request-Id"] == f"req-{status}"
    assert error.hint
    assert error.attempts == 1


def test_bad_request_exposes_validation_errors(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """400 bodies with validationErrors surface them as a list."""
    scripted_server.reply(
        400,
        {"statusCode": 400, "validationErrors": [{"field": "companyId", "message": "required"}]},
    )
    with pytest.raises(maesn.BadRequestError) as caught:
        harness.get_task("t-1")
    assert caught.value.validation_errors == [{"field": "companyId", "message": "required"}]


def test_bad_request_without_validation_errors_has_an_empty_list(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """A 400 with a non-JSON body still works."""
    scripted_server.reply(400, b"Bad Request")
    with pytest.raises(maesn.BadRequestError) as caught:
        harness.get_task("t-1")
    assert caught.value.validation_errors == []
    assert caught.value.body == "Bad Request"


def test_an_unspecific_401_names_both_possible_causes(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """A 401 that names no key: rejected_key is None and the hint covers both keys."""
    scripted_server.reply(401, {"message": "Unauthorized"})
    with pytest.raises(maesn.AuthenticationError) as caught:
        harness.get_task("t-1")
    assert caught.value.rejected_key is None
    assert caught.value.hint is not None
    assert "X-API-KEY" in caught.value.hint
    assert "X-ACCOUNT-KEY" in caught.value.hint


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "text/html", "not JSON"),
        (b'{"data": {"status": "SUCC', "application/json", "not JSON"),
        (b"", "application/json", "not JSON"),
        (b"[1, 2]", "application/json", "the body is list of 2 items, not an object"),
        (b"[" * 100_000, "application/json", "RecursionError"),
        (b'{"meta": {}}', "application/json", "`data` is missing"),
        (b'{"data": {"status": 7}}', "application/json", "data.status is number 7"),
        (b'{"data": {"status": "SUCCESS", "information": [5]}}', "application/json", "envelope"),
        (
            b'{"data": {"status": "SUCCESS", "information": [{"message": 5}]}}',
            "application/json",
            r"information\[0\]\.message",
        ),
        (
            b'{"meta": {"warnings": "x"}, "data": {"status": "SUCCESS"}}',
            "application/json",
            "warnings",
        ),
        (
            b'{"meta": {"pagination": {"total": "many"}}, "data": {"status": "SUCCESS"}}',
            "application/json",
            "pagination.total",
        ),
    ],
)
def test_a_2xx_body_that_is_not_the_envelope_is_a_response_validation_error(
    harness: Harness, scripted_server: ScriptedServer, body: bytes, content_type: str, reason: str
) -> None:
    """HTML, truncated JSON and wrong types never escape as KeyError/TypeError: the raw body is kept."""
    scripted_server.reply(200, body, headers={"Content-Type": content_type})
    with pytest.raises(maesn.ResponseValidationError, match=reason) as caught:
        harness.get_task("t-1", integration="datev-rewe", company_id="c")
    assert caught.value.body == body.decode()
    assert caught.value.status_code == 200


def test_null_meta_and_absent_optional_parts_are_fine(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """`meta: null`, no information and no responseData are valid answers."""
    scripted_server.reply(200, {"meta": None, "data": {"status": "IN_PROGRESS"}})
    task = harness.get_task("t-1")
    assert task.is_pending
    assert task.information == ()
    assert task.response_data is None
    assert task.warnings == ()
    assert task.pagination is None


def test_float_counts_that_are_whole_numbers_are_accepted(
    harness: Harness, scripted_server: ScriptedServer
) -> None:
    """The spec types pagination counts as `number`: 50000.0 is 50000."""
    scripted_server.reply(
        200,
        envelope(
            "FINISHED",
            pagination={"total": 3.0, "perPage": 50000.0, "currentPage": 1.0, "totalPages": 1.0},
        ),
    )
    task = harness.get_task("t-1", integration="datev-rewe-export", company_id="c")
    assert task.pagination == maesn.Pagination(
        total=3, per_page=50000, current_page=1, total_pages=1
    )


def test_connection_refused_is_an_api_connection_error(harness: Harness) -> None:
    """Nothing listening: APIConnectionError after the retries, saying how many attempts."""
    harness.base_url = "http://127.0.0.1:9"
    with pytest.raises(maesn.APIConnectionError, match="after 3 attempts") as caught:
        harness.get_task("t-1", max_retries=2)
    assert caught.value.attempts == 3
    assert not isinstance(caught.value, maesn.APITimeoutError)


def test_timeout_is_an_api_timeout_error(harness: Harness) -> None:
    """A server slower than the timeout gives APITimeoutError, a kind of APIConnectionError."""
    import socket  # noqa: PLC0415
    import threading  # noqa: PLC0415

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        silent.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(silent.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        harness.base_url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(maesn.APITimeoutError) as caught:
            harness.get_task("t-1", timeout=0.2, max_retries=1)
        assert isinstance(caught.value, maesn.APIConnectionError)
        assert caught.value.attempts == 2
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        silent.close()


def test_errors_about_what_happened_are_built_in_one_module() -> None:
    """Every error about an answer, a task, a page or an export is built by `maesn._errors`.

    The flows (sending, waiting, exports, pages, the operation layer) raise what its builders
    return, so one cause gives one error wherever it happens; input checks (ValidationError)
    stay with the checks, and the command line's own file errors with the command line.
    """
    package = Path(maesn.__file__).parent
    exported = {name: getattr(maesn, name) for name in maesn.__all__}
    built_here = {
        name
        for name, value in exported.items()
        if isinstance(value, type)
        and issubclass(value, maesn.MaesnError)
        and not issubclass(value, maesn.ValidationError | maesn.ClientClosedError)
        and not issubclass(value, maesn.WrongEventLoopError | maesn.WebhookError)
    }
    assert {"APIStatusError", "TaskFailedError", "IncompleteExportError"} <= built_here
    elsewhere = []
    for path in sorted(package.glob("*.py")):
        if path.name in {"_errors.py", "_exceptions.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id in built_here:
                elsewhere.append(f"{path.name}:{node.lineno} {node.func.id}")
    assert not elsewhere, elsewhere
