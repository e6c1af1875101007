"""Measure the client against hand-written httpx code and the generated client, side by side.

Every scenario runs against the local sandbox (`maesn.testing.Sandbox`) on 127.0.0.1, so it
measures the client, not a network. Each contender does the same work; the report gives the best
of `--repeat` runs and the ratio to the plain-httpx baseline. Machines here are shared and noisy:
read the ratios, not the absolute times, and never assert on them in tests.

Scenarios:
- export: read every entry of a 150,000-entry export (3 pages of 50,000);
- polls: 1,000 sequential polls of a task;
- concurrent: 500 concurrent polls from asyncio over one connection pool.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import httpx
import maesn
from maesn.testing import Sandbox
from maesn_api import Client as GeneratedClient
from maesn_api.api.accounting import get_async_task_info

__all__ = ["main"]

EXPORT_ENTRIES = 150_000
POLLS = 1_000
CONCURRENT = 500


@dataclass(frozen=True)
class Result:
    """The timings of one contender in one scenario."""

    scenario: str
    contender: str
    seconds: list[float]

    @property
    def best(self) -> float:
        """The fastest run (the least disturbed by other load)."""
        return min(self.seconds)


def _expect(condition: object, what: str) -> None:
    if not condition:
        raise RuntimeError(f"benchmark contender did not do the work: {what}")


def _timed(repeat: int, work: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def _client(sandbox: Sandbox, integration: str) -> dict[str, Any]:
    return {
        "integration": integration,
        "company_id": "bench",
        "api_key": sandbox.api_key,
        "account_key": sandbox.account_key,
        "base_url": sandbox.base_url,
    }


def bench_export(sandbox: Sandbox, repeat: int) -> list[Result]:
    """All entries of a 3-page export: maesn vs httpx vs the generated client."""
    task_id = sandbox.add_task("datev-rewe-export", lifecycle=["FINISHED"], entries=EXPORT_ENTRIES)
    # Warm the sandbox's page cache so every contender measures the client, not page generation.
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as warm:
        for page in (1, 2, 3):
            warm.get(f"/accounting/asyncTask/{task_id}", params={"page": page, "companyId": "b"})

    def with_httpx() -> None:
        count = 0
        with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as http:
            for page in (1, 2, 3):
                response = http.get(
                    f"/accounting/asyncTask/{task_id}", params={"page": page, "companyId": "b"}
                )
                count += len(response.json()["data"]["responseData"])
        _expect(count == EXPORT_ENTRIES, f"{count} entries")

    def with_generated() -> None:
        count = 0
        with GeneratedClient(base_url=sandbox.base_url) as client:
            for page in (1, 2, 3):
                parsed = get_async_task_info.sync_detailed(
                    task_id,
                    client=client,
                    page=page,
                    company_id="b",
                    x_api_key=sandbox.api_key,
                    x_account_key=sandbox.account_key,
                ).parsed
                entries = getattr(getattr(parsed, "data", None), "response_data", None)
                _expect(isinstance(entries, list), "a page of entries")
                count += len(cast("list[Any]", entries))
        _expect(count == EXPORT_ENTRIES, f"{count} entries")

    def with_maesn() -> None:
        with maesn.Client(**_client(sandbox, "datev-rewe-export")) as client:
            count = sum(1 for _ in client.iter_task_entries(task_id))
        _expect(count == EXPORT_ENTRIES, f"{count} entries")

    return [
        Result("export 150,000 entries", "httpx + json (baseline)", _timed(repeat, with_httpx)),
        Result("export 150,000 entries", "generated maesn_api", _timed(repeat, with_generated)),
        Result("export 150,000 entries", "maesn iter_task_entries", _timed(repeat, with_maesn)),
    ]


def bench_polls(sandbox: Sandbox, repeat: int) -> list[Result]:
    """Sequential polls of one task: per-request overhead."""
    task_id = sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"])

    def with_httpx() -> None:
        with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as http:
            for _ in range(POLLS):
                _expect(
                    http.get(f"/accounting/asyncTask/{task_id}").json()["data"]["status"],
                    "a status",
                )

    def with_generated() -> None:
        with GeneratedClient(base_url=sandbox.base_url) as client:
            for _ in range(POLLS):
                get_async_task_info.sync_detailed(
                    task_id,
                    client=client,
                    x_api_key=sandbox.api_key,
                    x_account_key=sandbox.account_key,
                )

    def with_maesn() -> None:
        with maesn.Client(**_client(sandbox, "abaconnect")) as client:
            for _ in range(POLLS):
                client.get_task(task_id)

    return [
        Result(
            f"{POLLS:,} sequential polls", "httpx + json (baseline)", _timed(repeat, with_httpx)
        ),
        Result(
            f"{POLLS:,} sequential polls", "generated maesn_api", _timed(repeat, with_generated)
        ),
        Result(f"{POLLS:,} sequential polls", "maesn get_task", _timed(repeat, with_maesn)),
    ]


def bench_concurrent(sandbox: Sandbox, repeat: int) -> list[Result]:
    """Concurrent polls from asyncio over one pool."""
    ids = [sandbox.add_task("abaconnect", lifecycle=["IN_PROGRESS"]) for _ in range(CONCURRENT)]

    async def with_httpx() -> None:
        limits = httpx.Limits(max_connections=20, max_keepalive_connections=20)
        async with httpx.AsyncClient(
            base_url=sandbox.base_url, headers=sandbox.headers, limits=limits
        ) as http:
            responses = await asyncio.gather(*(http.get(f"/accounting/asyncTask/{i}") for i in ids))
        _expect(all(json.loads(r.content)["data"]["status"] for r in responses), "statuses")

    async def with_maesn() -> None:
        async with maesn.AsyncClient(**_client(sandbox, "abaconnect")) as client:
            await asyncio.gather(*(client.get_task(i) for i in ids))

    label = f"{CONCURRENT} concurrent polls"
    return [
        Result(
            label,
            "httpx.AsyncClient, 20 connections (baseline)",
            _timed(repeat, lambda: asyncio.run(with_httpx())),
        ),
        Result(
            label, "maesn AsyncClient.get_task", _timed(repeat, lambda: asyncio.run(with_maesn()))
        ),
    ]


def _report(results: list[Result]) -> str:
    lines = [
        f"{'scenario':<26} {'contender':<46} {'best s':>8} {'median s':>9} {'x baseline':>10}",
    ]
    baseline: dict[str, float] = {}
    for result in results:
        baseline.setdefault(result.scenario, result.best)
        ratio = result.best / baseline[result.scenario]
        lines.append(
            f"{result.scenario:<26} {result.contender:<46} {result.best:>8.3f} "
            f"{statistics.median(result.seconds):>9.3f} {ratio:>10.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="runs per contender (best is kept)")
    parser.add_argument(
        "--only",
        choices=["export", "polls", "concurrent"],
        action="append",
        help="run only these scenarios (repeatable)",
    )
    args = parser.parse_args(argv)
    chosen = args.only or ["export", "polls", "concurrent"]
    scenarios = {"export": bench_export, "polls": bench_polls, "concurrent": bench_concurrent}
    results: list[Result] = []
    with Sandbox() as sandbox:
        for name in chosen:
            results += scenarios[name](sandbox, args.repeat)
    print(_report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
