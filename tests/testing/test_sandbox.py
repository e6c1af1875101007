"""The sandbox serves the async-task endpoint as the spec and the integration profiles say."""

from __future__ import annotations

import asyncio
import socket
import threading

import httpx
import maesn.testing
import pytest
from maesn import _clock
from maesn._profiles import PROFILES, Integration
from maesn._status import TaskStatus
from maesn.testing import REDACTED, FakeClock, Sandbox, default_lifecycle

from . import GetTask

DUO = Integration.DATEV_UNTERNEHMEN_ONLINE
EXPORT = Integration.DATEV_REWE_EXPORT


def test_public_names_are_exactly_all() -> None:
    """`maesn.testing.__all__` lists every public name once (ruff's RUF022 keeps it sorted)."""
    public = {name for name in vars(maesn.testing) if name.isidentifier() and name[0] != "_"}
    assert len(set(maesn.testing.__all__)) == len(maesn.testing.__all__)
    assert set(maesn.testing.__all__) == public


def test_start_and_stop_are_idempotent_and_release_the_port() -> None:
    """start() twice serves once; stop() twice is fine; the port is free afterwards."""
    sandbox = Sandbox()
    with pytest.raises(RuntimeError, match="not running"):
        _ = sandbox.base_url
    sandbox.start()
    sandbox.start()
    port = int(sandbox.base_url.rsplit(":", 1)[1])
    with httpx.Client() as client:
        assert client.get(f"{sandbox.base_url}/nowhere").status_code == 404
    sandbox.stop()
    sandbox.stop()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_stop_ends_handler_threads_of_idle_keep_alive_connections() -> None:
    """A client that keeps its connection open does not keep a thread alive after stop()."""
    before = set(threading.enumerate())
    sandbox = Sandbox().start()
    with httpx.Client(headers=sandbox.headers) as client:
        task_id = sandbox.add_task("abaconnect")
        assert client.get(sandbox.task_url(task_id)).status_code == 200
        assert len(set(threading.enumerate()) - before) == 2  # the accept loop and one handler
        sandbox.stop()
        assert set(threading.enumerate()) - before == set()


def test_a_chosen_port_is_used() -> None:
    """Sandbox(port=...) binds that port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Sandbox(port=port) as sandbox:
        assert sandbox.base_url == f"http://127.0.0.1:{port}"


def test_repr_never_shows_the_keys() -> None:
    """The keys stay out of the sandbox's repr."""
    with Sandbox(api_key="secret-a", account_key="secret-b") as sandbox:
        assert "secret" not in repr(sandbox)


@pytest.mark.parametrize("integration", list(Integration))
def test_each_integration_walks_its_default_lifecycle_then_repeats_the_last_status(
    integration: Integration, maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """One status per poll, in the profile's order, the final one forever."""
    task_id = maesn_sandbox.add_task(integration, company_id="c-1")
    expected = default_lifecycle(integration)
    seen = [get_task(task_id, companyId="c-1").json()["data"]["status"] for _ in expected]
    assert seen == list(expected)
    assert get_task(task_id, companyId="c-1").json()["data"]["status"] == expected[-1]


def test_default_lifecycles_come_from_the_profiles() -> None:
    """Pending statuses in profile order, then the first success status."""
    assert default_lifecycle(DUO) == (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.SUCCESS)
    assert default_lifecycle(EXPORT) == (TaskStatus.IN_PROGRESS, TaskStatus.FINISHED)
    assert default_lifecycle("abaconnect") == (TaskStatus.IN_PROGRESS, TaskStatus.FINISHED)
    assert default_lifecycle(Integration.DATEV_REWE) == (TaskStatus.IN_PROGRESS, TaskStatus.SUCCESS)


def test_a_declared_lifecycle_may_serve_a_status_the_spec_does_not_know(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """Raw strings in the lifecycle are served as they are."""
    task_id = maesn_sandbox.add_task("abaconnect", lifecycle=["QUEUED", TaskStatus.FINISHED])
    assert maesn_sandbox.status_of(task_id) == "QUEUED"
    assert get_task(task_id).json()["data"]["status"] == "QUEUED"
    assert get_task(task_id).json()["data"]["status"] == "FINISHED"


def test_time_based_lifecycle_follows_the_installed_clock(
    maesn_fake_clock: FakeClock, maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """advance="time": polling alone changes nothing; virtual time moves the status."""
    task_id = maesn_sandbox.add_task(
        DUO, advance="time", seconds_per_step=5, company_id="c", seed=1
    )
    statuses = [get_task(task_id, companyId="c").json()["data"]["status"] for _ in range(3)]
    assert statuses == ["OPEN"] * 3
    maesn_fake_clock.sleep(5)
    assert get_task(task_id, companyId="c").json()["data"]["status"] == "IN_PROGRESS"
    maesn_fake_clock.advance(100)
    assert get_task(task_id, companyId="c").json()["data"]["status"] == "SUCCESS"


@pytest.mark.parametrize("integration", list(Integration))
def test_information_entries_fill_exactly_the_integrations_fields(
    integration: Integration, maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """AbaConnect fills message and type; the DATEV integrations all four; the rest are null."""
    task_id = maesn_sandbox.add_task(
        integration, information=[{"message": "Received."}, {}], company_id="c"
    )
    information = get_task(task_id, companyId="c").json()["data"]["information"]
    published = {"filename", "message", "timestamp", "type"}
    assert [set(entry) for entry in information] == [published] * 2
    filled = [{name for name, value in entry.items() if value is not None} for entry in information]
    assert filled == [PROFILES[integration].information_fields] * 2
    assert information[0]["message"] == "Received."


def test_information_fields_the_integration_does_not_fill_are_refused(
    maesn_sandbox: Sandbox,
) -> None:
    """Declaring a filename for AbaConnect is a mistake the sandbox names."""
    with pytest.raises(ValueError, match="filename"):
        maesn_sandbox.add_task("abaconnect", information=[{"filename": "x.xml"}])


@pytest.mark.parametrize(
    "response_data", [{"id": "p-1", "code": "9012"}, [1, {"a": None}], "done", None]
)
def test_response_data_of_any_json_shape_is_served_intact_once_done(
    response_data: object, maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """Object, list and string arrive as declared; a running task and none declared send null."""
    task_id = maesn_sandbox.add_task(
        "abaconnect", response_data=response_data, warnings=["Field not used by target system"]
    )
    running = get_task(task_id).json()
    assert running["data"]["responseData"] is None
    done = get_task(task_id).json()
    assert done["data"]["responseData"] == response_data
    assert done["meta"] == {"warnings": ["Field not used by target system"]}
    assert (done["errors"], done["rawData"]) == (None, None)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-KEY": "sandbox-api-key"},
        {"X-ACCOUNT-KEY": "sandbox-account-key"},
        {"X-API-KEY": "wrong", "X-ACCOUNT-KEY": "sandbox-account-key"},
        {"X-API-KEY": "sandbox-api-key", "X-ACCOUNT-KEY": "wrong"},
    ],
)
def test_a_missing_or_wrong_key_is_401_and_does_not_advance_the_task(
    headers: dict[str, str], maesn_sandbox: Sandbox
) -> None:
    """Both key headers must be present and equal to the configured keys."""
    task_id = maesn_sandbox.add_task("abaconnect")
    with httpx.Client(headers=headers) as client:
        response = client.get(maesn_sandbox.task_url(task_id))
    assert response.status_code == 401
    assert response.json()["statusCode"] == 401
    assert maesn_sandbox.status_of(task_id) == "IN_PROGRESS"


def test_the_log_redacts_both_keys(maesn_sandbox: Sandbox, get_task: GetTask) -> None:
    """The request log shows that keys were sent, never their values."""
    task_id = maesn_sandbox.add_task("abaconnect")
    get_task(task_id)
    with httpx.Client(headers={"x-api-key": "leaked?", "x-account-key": "leaked!"}) as client:
        client.get(maesn_sandbox.task_url(task_id))
    first, second = maesn_sandbox.requests
    assert (first.status, second.status) == (200, 401)
    for request in (first, second):
        lowered = {name.lower(): value for name, value in request.headers.items()}
        assert lowered["x-api-key"] == lowered["x-account-key"] == REDACTED
    assert "sandbox-api-key" not in repr(list(maesn_sandbox.requests))
    assert "leaked" not in repr(list(maesn_sandbox.requests))


def test_the_log_records_path_query_task_and_status(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """What reached the server, as received, and what it answered; clear() empties it."""
    task_id = maesn_sandbox.add_task(EXPORT, task_id="t 1", entries=3)
    get_task(task_id, companyId="c", page=1)
    (request,) = maesn_sandbox.requests
    assert request.method == "GET"
    assert request.raw_path == "/accounting/asyncTask/t%201?companyId=c&page=1"
    assert request.query == {"companyId": ["c"], "page": ["1"]}
    assert (request.task_id, request.status, request.fault) == ("t 1", 200, None)
    assert maesn_sandbox.requests.count(task_id="t 1", status=200) == 1
    maesn_sandbox.requests.clear()
    assert len(maesn_sandbox.requests) == 0


def test_unknown_task_other_paths_and_methods(maesn_sandbox: Sandbox, client: httpx.Client) -> None:
    """Unknown task id 404, unknown path 404, another method on the task path 405."""
    assert client.get("/accounting/asyncTask/nope").status_code == 404
    assert client.get("/accounting/asyncTask/").status_code == 404
    assert client.get("/accounting/nowhere").status_code == 404
    response = client.post(f"/accounting/asyncTask/{maesn_sandbox.add_task('abaconnect')}")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"


@pytest.mark.parametrize("integration", list(Integration))
@pytest.mark.parametrize("interactive_auth", [False, True])
@pytest.mark.parametrize("company_given", [False, True])
def test_company_id_is_required_where_the_profile_says_unless_interactive_auth(
    integration: Integration, *, interactive_auth: bool, company_given: bool
) -> None:
    """Missing companyId is a 400 naming the field only when required and not interactive."""
    with (
        Sandbox(interactive_auth=interactive_auth) as sandbox,
        httpx.Client(headers=sandbox.headers) as client,
    ):
        task_id = sandbox.add_task(integration)
        params = {"companyId": "c-1"} if company_given else {}
        response = client.get(sandbox.task_url(task_id), params=params)
    refused = PROFILES[integration].company_id_required and not interactive_auth
    if refused and not company_given:
        assert response.status_code == 400
        body = response.json()
        assert [error["field"] for error in body["validationErrors"]] == ["companyId"]
        assert "Interactive Authentication Flow" in body["message"]
    else:
        assert response.status_code == 200


def test_another_company_does_not_see_the_task(maesn_sandbox: Sandbox, get_task: GetTask) -> None:
    """A task declared for one company is 404 for another, and is not advanced."""
    task_id = maesn_sandbox.add_task(DUO, company_id="c-1")
    response = get_task(task_id, companyId="c-2")
    assert response.status_code == 404
    assert "c-2" in response.json()["message"]
    assert get_task(task_id, companyId="c-1").json()["data"]["status"] == "OPEN"


@pytest.mark.parametrize(
    ("integration", "params", "field"),
    [
        (DUO, {"page": "1"}, "page"),
        (Integration.ABACONNECT, {"page": "2"}, "page"),
        (EXPORT, {"limit": "10"}, "limit"),
        (EXPORT, {"page": "0"}, "page"),
        (EXPORT, {"page": "-1"}, "page"),
        (EXPORT, {"page": "2.0"}, "page"),
        (EXPORT, {"page": "x"}, "page"),
        (EXPORT, {"page": ["1", "2"]}, "page"),
    ],
)
def test_query_parameters_the_profile_does_not_accept_are_400(
    integration: Integration,
    params: dict[str, str],
    field: str,
    maesn_sandbox: Sandbox,
    get_task: GetTask,
) -> None:
    """Page without paging, a page that is not a positive integer, limit on the export."""
    task_id = maesn_sandbox.add_task(integration, entries=10 if integration is EXPORT else None)
    response = get_task(task_id, companyId="c", **params)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["validationErrors"]] == [field]
    assert maesn_sandbox.status_of(task_id) == default_lifecycle(integration)[0]


def test_limit_on_the_export_says_the_page_size_is_fixed(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """The 400 for limit names the fixed page size."""
    task_id = maesn_sandbox.add_task(EXPORT, entries=1)
    assert "fixed at 50000" in get_task(task_id, companyId="c", limit=5).json()["message"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"integration": DUO, "entries": 5}, "paged"),
        ({"integration": EXPORT, "entries": -1}, "0 or more"),
        ({"integration": EXPORT, "entries": 5, "response_data": []}, "not both"),
        ({"integration": DUO, "lifecycle": []}, "at least one"),
        ({"integration": DUO, "seconds_per_step": 0}, "positive"),
        ({"integration": DUO, "task_id": "a/b"}, "without '/'"),
    ],
)
def test_bad_task_declarations_are_refused(
    kwargs: dict[str, object], match: str, maesn_sandbox: Sandbox
) -> None:
    """add_task checks a declaration against the profile and says what is wrong."""
    with pytest.raises(ValueError, match=match):
        maesn_sandbox.add_task(**kwargs)  # type: ignore[arg-type]


def test_a_task_id_is_used_once(maesn_sandbox: Sandbox) -> None:
    """Declaring the same id twice is refused; generated ids differ."""
    maesn_sandbox.add_task(DUO, task_id="t")
    with pytest.raises(ValueError, match="exists already"):
        maesn_sandbox.add_task(DUO, task_id="t")
    assert maesn_sandbox.add_task(DUO) != maesn_sandbox.add_task(DUO)


def test_sequential_requests_reuse_one_keep_alive_connection(
    maesn_sandbox: Sandbox, get_task: GetTask
) -> None:
    """HTTP/1.1 keep-alive works with httpx's pool: ten polls, one connection."""
    task_id = maesn_sandbox.add_task("abaconnect")
    for _ in range(10):
        get_task(task_id)
    assert len({request.client_port for request in maesn_sandbox.requests}) == 1


@pytest.mark.anyio
async def test_five_hundred_concurrent_connections_are_all_served(maesn_sandbox: Sandbox) -> None:
    """500 connections at once (20 clients x 25; one httpx pool of 500 is slow on its own side)."""
    task_id = maesn_sandbox.add_task("abaconnect", lifecycle=[TaskStatus.FINISHED])

    async def one_client() -> list[httpx.Response]:
        async with httpx.AsyncClient(
            headers=maesn_sandbox.headers, limits=httpx.Limits(max_connections=25), timeout=30
        ) as client:
            return await asyncio.gather(
                *(client.get(maesn_sandbox.task_url(task_id)) for _ in range(25))
            )

    batches = await asyncio.gather(*(one_client() for _ in range(20)))
    assert [response.status_code for batch in batches for response in batch] == [200] * 500
    assert len({request.client_port for request in maesn_sandbox.requests}) > 100


@pytest.mark.anyio
async def test_async_clients_see_the_same_lifecycle(maesn_sandbox: Sandbox) -> None:
    """An httpx.AsyncClient polls the sandbox like a sync one."""
    task_id = maesn_sandbox.add_task(Integration.DATEV_REWE, company_id="c")
    async with httpx.AsyncClient(headers=maesn_sandbox.headers) as client:
        statuses = [
            (await client.get(maesn_sandbox.task_url(task_id), params={"companyId": "c"})).json()[
                "data"
            ]["status"]
            for _ in range(3)
        ]
    assert statuses == ["IN_PROGRESS", "SUCCESS", "SUCCESS"]


def test_the_sandbox_reads_time_through_maesns_clock() -> None:
    """With no fake clock installed, the system clock is in use."""
    assert isinstance(_clock.current(), _clock.SystemClock)


def test_the_request_log_wakes_a_waiter_when_a_request_arrives(maesn_sandbox: Sandbox) -> None:
    """`requests.wait_until` returns once a request makes the condition hold; no polling."""
    task_id = maesn_sandbox.add_task("abaconnect", lifecycle=["FINISHED"])
    seen: list[int] = []

    def wait() -> None:
        log = maesn_sandbox.requests.wait_until(lambda log: any(r.task_id == task_id for r in log))
        seen.append(len(log))

    waiter = threading.Thread(target=wait)
    waiter.start()
    httpx.get(maesn_sandbox.task_url(task_id), headers=maesn_sandbox.headers)
    waiter.join(timeout=30)
    assert seen == [1]
    with pytest.raises(TimeoutError, match="did not reach the condition"):
        maesn_sandbox.requests.wait_until(lambda log: len(log) > 1, timeout=0.05)
