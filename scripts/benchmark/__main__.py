"""Measure `maesn` against hand-written HTTP code and the generated client, side by side.

`python -m scripts.benchmark` (nox: `nox -s benchmark`) prints Markdown tables:

- export: every record of a 150,000-record export (3 pages of 50,000 journal entries, about
  383 bytes each, in Maesn's envelope with meta.pagination), sync and async;
- get_task: sequential polls of a small finished task over keep-alive, sync and async;
- wait: 500 tasks that each answer IN_PROGRESS twice and FINISHED on the third poll;
- memory: tracemalloc peaks of an export against one decoded page;
- startup: `import maesn` in a fresh interpreter, and regenerating the client from the spec.

The server is a separate process (`_server.py`) writing pre-encoded bytes; a bare-socket row in
each scenario shows what the server and the loopback cost. Contenders run interleaved, round by
round, in a rotated order, and each ratio is paired with the baseline's time of the same round:
the table shows the median ratio and its min-max. The machine is shared and noisy: read ratios,
not absolute times. `--quick` runs everything with tiny sizes and checks its own output (every
row present, every ratio finite), exiting 1 when a check fails; tests run it, with no timing
assertion anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.metadata
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import maesn

from ._contenders import (
    COMPANY,
    HEADERS,
    TASK_PATH,
    Resources,
    Setup,
    export_scenario,
    orjson_loads,
    polls_scenario,
    waits_scenario,
)
from ._data import EXPORT_TASK
from ._harness import ROOT, RawConnection, Row, Scenario, ServerProcess, measure

__all__ = ["REQUIRED_ROWS", "Sizes", "check", "main"]


@dataclass(frozen=True)
class Sizes:
    """How much work each scenario does, how often."""

    entries: int
    page_size: int
    polls: int
    wait_tasks: int
    concurrency: int
    wait_interval: float
    rounds: int
    warmup: int
    imports: int


FULL = Sizes(
    entries=150_000,
    page_size=50_000,
    polls=1_000,
    wait_tasks=500,
    concurrency=50,
    wait_interval=0.005,
    rounds=6,
    warmup=1,
    imports=7,
)
QUICK = Sizes(
    entries=600,
    page_size=200,
    polls=20,
    wait_tasks=12,
    concurrency=5,
    wait_interval=0.001,
    rounds=2,
    warmup=0,
    imports=2,
)

#: (section, contender) of every row a run must print. Scenario names carry sizes, so sections
#: are matched by their first word. Rows that may be skipped (with a reason) are marked optional.
REQUIRED_ROWS: tuple[tuple[str, str, bool], ...] = (
    ("export", "httpx + json.loads", False),
    ("export", "httpx + orjson", True),
    ("export", "http.client + json.loads", False),
    ("export", "generated get_async_task_info.sync_detailed", False),
    ("export", "maesn Client.iter_task_entries", False),
    ("export", "httpx.AsyncClient + json.loads", False),
    ("export", "maesn AsyncClient.iter_task_entries", False),
    ("export", "bare socket, no HTTP library, no decoding", False),
    ("get_task:", "httpx.Client.get + json.loads", False),
    ("get_task:", "httpx.Client.get + orjson", True),
    ("get_task:", "http.client + json.loads", False),
    ("get_task:", "generated get_async_task_info.sync_detailed", False),
    ("get_task:", "maesn Client.get_task", False),
    ("get_task:", "httpx.AsyncClient.get + json.loads", False),
    ("get_task:", "maesn AsyncClient.get_task", False),
    ("get_task:", "bare socket, no HTTP library, no decoding", False),
    ("wait:", "maesn AsyncClient.wait_for_tasks", False),
    ("wait:", "asyncio.gather(AsyncClient.wait_for_task ...)", False),
    ("wait:", "maesn Client.wait_for_tasks (sync)", True),
    ("memory", "one decoded page (json.loads)", False),
    ("memory", "httpx + json.loads, a loop that frees each page", False),
    ("memory", "httpx + orjson, a loop that frees each page", True),
    ("memory", "maesn Client.iter_task_entries", False),
    ("memory", "maesn AsyncClient.iter_task_entries", False),
    ("startup", "import httpx", False),
    ("startup", "import maesn", False),
    ("startup", "python -m scripts.regenerate --check", False),
    ("typescript", "Maesn's TypeScript SDK", True),
)


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- memory


def _peak(work: Callable[[], int]) -> tuple[int, int]:
    """The tracemalloc peak of `work()` and what it returned (the entries it read)."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        done = work()
        return tracemalloc.get_traced_memory()[1], done
    finally:
        tracemalloc.stop()


def memory_rows(setup: Setup) -> list[Row]:
    """Tracemalloc peaks of one export, each against the peak of decoding one page."""
    path = TASK_PATH + EXPORT_TASK
    connection = RawConnection(setup.port)
    try:
        page_bytes = connection.get(f"{path}?page=1&companyId={COMPANY}")
    finally:
        connection.close()

    def decode_one_page() -> int:
        page = json.loads(page_bytes)
        return len(page["data"]["responseData"])

    def loop_with(loads: Callable[[bytes], Any]) -> Callable[[], int]:
        def run() -> int:
            count = 0
            with httpx.Client(base_url=setup.base_url, headers=HEADERS) as http:
                for number in range(1, setup.pages + 1):
                    response = http.get(path, params={"page": number, "companyId": COMPANY})
                    body = loads(response.content)
                    del response  # the page's bytes
                    count += len(body["data"]["responseData"])
                    del body  # and its decoded form, before the next page is fetched
            return count

        return run

    def maesn_sync() -> int:
        with maesn.Client(**setup.client_args("datev-rewe-export")) as client:
            return sum(1 for _ in client.iter_task_entries(EXPORT_TASK))

    async def maesn_async() -> int:
        async with maesn.AsyncClient(**setup.client_args("datev-rewe-export")) as client:
            return sum([1 async for _ in client.iter_task_entries(EXPORT_TASK)])

    fast = orjson_loads()
    contenders: list[tuple[str, Callable[[], int] | None]] = [
        ("one decoded page (json.loads)", decode_one_page),
        ("httpx + json.loads, a loop that frees each page", loop_with(json.loads)),
        ("httpx + orjson, a loop that frees each page", loop_with(fast) if fast else None),
        ("maesn Client.iter_task_entries", maesn_sync),
        ("maesn AsyncClient.iter_task_entries", lambda: asyncio.run(maesn_async())),
    ]
    reference = 0
    rows = []
    for label, work in contenders:
        _progress(f"memory: {label}")
        if work is None:
            rows.append(_single("memory", label, math.nan, "", "orjson is not installed"))
            continue
        peak, done = _peak(work)
        expected = min(setup.page_size, setup.entries) if not reference else setup.entries
        if done != expected:
            raise RuntimeError(f"memory / {label}: read {done} entries, expected {expected}")
        reference = reference or peak
        rows.append(
            _single(
                "memory",
                label,
                peak / reference,
                f"peak {peak / 1e6:,.1f} MB",
                against="one decoded page (json.loads)",
            )
        )
    return rows


def _single(
    scenario: str,
    label: str,
    ratio: float,
    note: str,
    skipped: str | None = None,
    *,
    seconds: float = math.nan,
    against: str = "",
) -> Row:
    """A row measured once (memory) or as a best-of (startup): no min-max to pair."""
    return Row(
        scenario=scenario,
        contender=label,
        against=against,
        median_s=seconds,
        per_unit_us=math.nan,
        per="",
        ratio=ratio,
        ratio_min=ratio,
        ratio_max=ratio,
        rounds=0 if skipped else 1,
        note=note,
        skipped=skipped,
    )


# --------------------------------------------------------------------------- startup


def _import_seconds(module: str, repeat: int) -> float:
    code = (
        "import time; started = time.perf_counter(); "
        f"import {module}; print(time.perf_counter() - started)"
    )
    times = []
    for _ in range(repeat):
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        times.append(float(result.stdout.strip()))
    return min(times)


def _spec_operations() -> int:
    spec_yaml = importlib.import_module("scripts.spec_yaml")
    document = spec_yaml.load_document(ROOT / "openapi" / "maesn.yaml")
    methods = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
    return sum(
        1
        for item in document.get("paths", {}).values()
        if isinstance(item, dict)
        for method in item
        if method in methods
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def startup_rows(repeat: int) -> list[Row]:
    """`import maesn` vs `import httpx` (fresh interpreters, best of `repeat`); regeneration."""
    _progress("startup: imports")
    httpx_s = _import_seconds("httpx", repeat)
    maesn_s = _import_seconds("maesn", repeat)
    rows = [
        _single("startup", "import httpx", 1.0, f"best of {repeat}", seconds=httpx_s),
        _single(
            "startup",
            "import maesn",
            maesn_s / httpx_s,
            f"best of {repeat}; includes httpx and maesn_api",
            seconds=maesn_s,
            against="import httpx",
        ),
    ]
    _progress("startup: python -m scripts.regenerate --check")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "scripts.regenerate", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    label = "python -m scripts.regenerate --check"
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
        rows.append(
            _single("startup", label, math.nan, "", f"failed: {' '.join(tail)}", seconds=seconds)
        )
    else:
        rows.append(
            _single(
                "startup",
                label,
                math.nan,
                f"the pinned spec, {_plural(_spec_operations(), 'operation')}; once",
                seconds=seconds,
            )
        )
    return rows


# --------------------------------------------------------------------------- typescript

_TS_NOT_PINNED = (
    "not measured: the npm registry answers 404 for @maesn/typescript-sdk (its repository's "
    "package.json has publishConfig access: restricted), so there is no version to pin with "
    "npm ci; see BENCHMARKS.md for what its source does with an export page"
)


def typescript_rows() -> list[Row]:
    """Maesn's TypeScript SDK: why it is not measured here (Node.js is, the SDK is not)."""
    label = "Maesn's TypeScript SDK"
    if shutil.which("node") is None:
        return [_single("typescript", label, math.nan, "", "not measured: Node.js is not here")]
    return [_single("typescript", label, math.nan, "", _TS_NOT_PINNED)]


# --------------------------------------------------------------------------- report


def machine() -> list[str]:
    """The lines describing where this ran."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        usable = os.cpu_count() or 0

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    return [
        f"- CPUs: {os.cpu_count()} ({usable} usable by this process); {platform.machine()}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        (
            f"- httpx {httpx.__version__}, httpcore {version('httpcore')}, "
            f"anyio {version('anyio')}, sniffio {version('sniffio')}, "
            f"orjson {version('orjson')}, maesn {maesn.__version__}"
        ),
    ]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


DASH = "\u2013"
TIMES = "\u00d7"


def _cell(value: float, fmt: str) -> str:
    return DASH if math.isnan(value) else format(value, fmt)


def table(rows: Iterable[Row]) -> str:
    """The Markdown table of every row."""
    lines = [
        f"| scenario | contender | median | per unit | ratio [min{DASH}max] | against | notes |",
        "|---|---|---:|---:|---|---|---|",
    ]
    for row in rows:
        if row.skipped:
            empty = f" {DASH} |" * 4
            lines.append(f"| {row.scenario} | {row.contender} |{empty} {row.skipped} |")
            continue
        ratio = _cell(row.ratio, ".2f")
        if row.rounds > 1:
            ratio += f"{TIMES} [{row.ratio_min:.2f}{DASH}{row.ratio_max:.2f}]"
        elif not math.isnan(row.ratio):
            ratio += TIMES
        per_unit = DASH if math.isnan(row.per_unit_us) else f"{row.per_unit_us:,.0f} µs/{row.per}"
        median = DASH if math.isnan(row.median_s) else f"{row.median_s:.3f} s"
        against = "" if row.against == row.contender else row.against
        lines.append(
            f"| {row.scenario} | {row.contender} | {median} | {per_unit} | {ratio} | "
            f"{against} | {row.note} |"
        )
    return "\n".join(lines)


def check(rows: list[Row]) -> list[str]:
    """What is wrong with a run's rows: missing rows, unexplained skips, non-finite ratios."""
    problems = []
    for section, label, optional in REQUIRED_ROWS:
        found = [r for r in rows if r.scenario.split(" ")[0] == section and r.contender == label]
        if not found:
            problems.append(f"missing row: {section} / {label}")
            continue
        row = found[0]
        if row.skipped is not None:
            if not optional:
                problems.append(f"{section} / {label} did not run: {row.skipped}")
            continue
        timed = row.median_s if section == "startup" else row.ratio
        if not (math.isfinite(timed) and timed > 0):
            problems.append(f"{section} / {label}: not a finite positive number ({timed})")
        if row.rounds > 1 and not (
            math.isfinite(row.ratio_min) and math.isfinite(row.ratio_max) and row.ratio_min > 0
        ):
            problems.append(f"{section} / {label}: min-max not finite")
    return problems


def run(sizes: Sizes, only: set[str]) -> tuple[list[Row], list[str]]:
    """Every selected section's rows, and the notes printed above the table."""
    rows: list[Row] = []
    notes: list[str] = []
    needs_server = only & {"export", "polls", "waits", "memory"}
    if needs_server:
        _progress(f"server: encoding {sizes.entries:,} records")
        with ServerProcess(entries=sizes.entries, page_size=sizes.page_size) as server:
            setup = Setup(server.base_url, server.port, sizes.entries, sizes.page_size)
            notes.append(_server_note(setup))
            builders: dict[str, Callable[[Resources], Scenario]] = {
                "export": lambda res: export_scenario(setup, res),
                "polls": lambda res: polls_scenario(setup, res, sizes.polls),
                "waits": lambda res: waits_scenario(
                    setup,
                    res,
                    tasks=sizes.wait_tasks,
                    concurrency=sizes.concurrency,
                    interval=sizes.wait_interval,
                ),
            }
            for section, build in builders.items():
                if section in only:
                    with ExitStack() as stack:
                        scenario = build(Resources(stack))
                        rows += measure(
                            scenario, rounds=sizes.rounds, warmup=sizes.warmup, progress=_progress
                        )
            if "memory" in only:
                rows += memory_rows(setup)
    if "startup" in only:
        rows += startup_rows(sizes.imports)
    if "typescript" in only:
        rows += typescript_rows()
    return rows, notes


def _server_note(setup: Setup) -> str:
    connection = RawConnection(setup.port)
    try:
        started = time.perf_counter()
        body = connection.get(f"{TASK_PATH}{EXPORT_TASK}?page=1&companyId={COMPANY}")
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    page = json.loads(body)
    records = page["data"]["responseData"]
    size = len(json.dumps(records[0], ensure_ascii=False, separators=(",", ":")).encode())
    return (
        f"Server check: a bare socket fetched page 1 ({len(body) / 1e6:.1f} MB, "
        f"{len(records):,} records, {len(body) / len(records):.0f} B a record in the page, "
        f"the first {size} B) in {seconds * 1000:.1f} ms."
    )


SECTIONS = ("export", "polls", "waits", "memory", "startup", "typescript")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the report, and check it; 1 when a check fails."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts.benchmark",
        description="Measure maesn against hand-written httpx code and the generated client.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, 2 rounds: checks that it all runs"
    )
    parser.add_argument("--rounds", type=int, help="rounds per scenario (default 6, quick 2)")
    parser.add_argument(
        "--only", choices=SECTIONS, action="append", help="run only these sections (repeatable)"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.rounds is not None:
        if args.rounds < 1:
            parser.error("--rounds must be at least 1")
        sizes = Sizes(**{**sizes.__dict__, "rounds": args.rounds})
    only = set(args.only or SECTIONS)
    load_before = _load()
    started = time.perf_counter()
    rows, notes = run(sizes, only)
    command = "python -m scripts.benchmark" + (" --quick" if args.quick else "")
    print(f"Command: `{command}` ({sizes.rounds} rounds after {sizes.warmup} warm-up)")
    print()
    print("Machine (shared with other engineers' jobs: expect noise):")
    print("\n".join(machine()))
    print(f"- load average (1/5/15 min): {load_before} before, {_load()} after")
    print(f"- wall time: {time.perf_counter() - started:.0f} s")
    print()
    for note in notes:
        print(note)
        print()
    print(table(rows))
    if args.only:
        return 0
    problems = check(rows)
    if problems:
        print("\nself-check FAILED:\n" + "\n".join(f"- {p}" for p in problems), file=sys.stderr)
        return 1
    print(f"\nself-check: all {len(REQUIRED_ROWS)} expected rows present, every ratio finite.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
