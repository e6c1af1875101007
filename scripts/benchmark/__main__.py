"""Measure `maesn` against hand-written HTTP code and the generated client, side by side.

`python -m scripts.benchmark` (nox: `nox -s benchmark`) prints Markdown tables:

- export: every record of a 150,000-record export (3 pages of 50,000 journal entries, about
  383 bytes each, in Maesn's envelope with meta.pagination), sync and async;
- get_task: sequential polls of a small finished task over keep-alive, sync and async;
- wait: 500 tasks that each answer IN_PROGRESS twice and FINISHED on the third poll;
- list: a 100-invoice page (every property filled) through httpx + json.loads, the generated
  `sync_detailed` and `client.accounting.get_invoices`;
- wait, then export: an export waited for, then read; and the pages and bytes each way fetched;
- memory: tracemalloc peaks of an export against one decoded page;
- startup: `import maesn`, `maesn --help` and a first operation call, each in a fresh
  interpreter, against `import httpx`; and regenerating the client from the spec.

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
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import maesn

from ._contenders import (
    ACCOUNT_KEY,
    API_KEY,
    COMPANY,
    HEADERS,
    TASK_PATH,
    WAIT_EXPORT_CONTENDERS,
    Resources,
    Setup,
    export_scenario,
    list_scenario,
    orjson_loads,
    polls_scenario,
    stats,
    wait_export_scenario,
    waits_scenario,
)
from ._data import EXPORT_TASK, INVOICES_PATH
from ._harness import ROOT, Contender, RawConnection, Row, Scenario, ServerProcess, measure

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
    list_pages: int
    fresh_venv: bool
    """Start-up rows in a fresh venv of maesn-client[cli,fast] (else in this interpreter's)."""


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
    list_pages=20,
    fresh_venv=True,
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
    list_pages=2,
    fresh_venv=False,
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
    ("list:", "httpx + json.loads", False),
    ("list:", "httpx + orjson", True),
    ("list:", "generated get_invoices.sync_detailed", False),
    ("list:", "maesn Client.accounting.get_invoices", False),
    ("list:", "maesn get_invoices, every item read", False),
    ("list:", "httpx.AsyncClient + json.loads", False),
    ("list:", "maesn AsyncClient.accounting.get_invoices", False),
    ("list:", "bare socket, no HTTP library, no decoding", False),
    *(("wait,", label, False) for label in WAIT_EXPORT_CONTENDERS),
    *(("pages", label, False) for label in WAIT_EXPORT_CONTENDERS),
    *(("bytes", label, False) for label in WAIT_EXPORT_CONTENDERS),
    ("memory", "one decoded page (json.loads)", False),
    ("memory", "httpx + json.loads, a loop that frees each page", False),
    ("memory", "httpx + orjson, a loop that frees each page", True),
    ("memory", "maesn Client.iter_task_entries", False),
    ("memory", "maesn AsyncClient.iter_task_entries", False),
    ("startup", "python -c pass", False),
    ("startup", "import httpx", False),
    ("startup", "import maesn", False),
    ("startup", "maesn --help", False),
    ("startup", "import maesn + maesn.Client(...)", False),
    ("startup", "httpx: import, one GET, json.loads", False),
    ("startup", "maesn: import, Client, first get_invoices", False),
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


# --------------------------------------------------------------------------- wait, then export


def traffic_rows(setup: Setup, scenario: Scenario) -> list[Row]:
    """What each wait-then-export contender made the server send: pages and bytes, once each.

    Ratios against the export itself (every page once): 1.00x fetches nothing twice.
    """
    connection = RawConnection(setup.port)
    try:
        export_bytes = sum(
            len(connection.get(f"{TASK_PATH}{EXPORT_TASK}?page={n}&companyId={COMPANY}"))
            for n in range(1, setup.pages + 1)
        )
    finally:
        connection.close()
    rows = []
    for index, contender in enumerate(scenario.contenders):
        _progress(f"traffic: {contender.label}")
        stats(setup.port)  # forget what was served before
        if contender.run(f"traffic-{index}") != setup.entries:
            raise RuntimeError(f"traffic / {contender.label}: not every entry was read")
        served = stats(setup.port)
        pages = served["pages"]
        shown = ", ".join(map(str, pages))
        rows += [
            _single(
                "pages fetched: wait, then export",
                contender.label,
                len(pages) / setup.pages,
                f"{len(pages)} page answers for {setup.pages} pages (pages {shown})",
                against="every page once",
            ),
            _single(
                "bytes fetched: wait, then export",
                contender.label,
                served["bytes"] / export_bytes,
                f"{served['bytes'] / 1e6:,.1f} MB for an export of {export_bytes / 1e6:,.1f} MB",
                against="every page once",
            ),
        ]
    return rows


# --------------------------------------------------------------------------- startup


_HTTPX_FIRST_CALL = """
import json, sys, httpx
with httpx.Client(base_url=sys.argv[1], headers={{"X-API-KEY": "{api}", "X-ACCOUNT-KEY": "{account}"}}) as http:
    body = json.loads(http.get("{path}", params={{"limit": 100}}).content)
assert len(body["data"]) == 100
"""
_MAESN_FIRST_CALL = """
import sys, maesn
with maesn.Client(api_key="{api}", account_key="{account}", integration="abaconnect",
                  base_url=sys.argv[1]) as client:
    page = client.accounting.get_invoices(limit=100)
    assert page[0].invoice_id and len(page) == 100
"""
_MAESN_CLIENT = (
    "import maesn; maesn.Client(api_key='k' * 8, account_key='a' * 8, integration='abaconnect')"
)


def user_python(stack: ExitStack) -> str:
    """The interpreter of a fresh virtual environment holding what a user installs.

    `maesn-client[cli,fast]` built from this tree and nothing else, bytecode compiled as pip
    does: the benchmark's own environment also holds the generator, whose dependencies (click)
    make `import httpx` load httpx's command line, which a user's install does not.
    """
    where = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="maesn-startup-")))
    venv = where / "venv"
    python = venv / "bin" / "python"
    uv = shutil.which("uv")
    if uv is not None:
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
        install = [uv, "pip", "install", "-q", "--compile-bytecode", "--python", str(python)]
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = [str(python), "-m", "pip", "install", "-q"]
    subprocess.run([*install, f"{ROOT}[cli,fast]"], check=True, capture_output=True)
    return str(python)


def _fresh(python: str, arguments: list[str], env: dict[str, str]) -> Callable[[str], int]:
    """A contender that runs `python ARGUMENTS` to completion (the whole process is timed)."""

    def run(_tag: str) -> int:
        subprocess.run(
            [python, *arguments],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        return 1

    return run


def startup_scenario(base_url: str, python: str) -> Scenario:
    """Fresh interpreters, whole processes: imports, `maesn --help` and a first operation call.

    Bytecode is written and used as in an installed package (PYTHONDONTWRITEBYTECODE is unset
    for the children; the warm-up round writes it), so the rows time importing, not compiling.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    where = "a fresh venv of maesn-client[cli,fast]" if python != sys.executable else "this venv"
    keys = {"api": API_KEY, "account": ACCOUNT_KEY, "path": INVOICES_PATH}
    httpx_call = _HTTPX_FIRST_CALL.format(**keys)
    maesn_call = _MAESN_FIRST_CALL.format(**keys)
    baseline = "import httpx"
    first_call = "httpx: import, one GET, json.loads"
    return Scenario(
        name="startup (fresh interpreters, whole process)",
        baseline=baseline,
        expect=1,
        per="process",
        units=1,
        contenders=[
            Contender(
                "python -c pass",
                _fresh(python, ["-c", "pass"], env),
                note=f"the interpreter alone; every row in {where}",
            ),
            Contender(baseline, _fresh(python, ["-c", "import httpx"], env)),
            Contender("import maesn", _fresh(python, ["-c", "import maesn"], env)),
            Contender("maesn --help", _fresh(python, ["-m", "maesn", "--help"], env)),
            Contender(
                "import maesn + maesn.Client(...)", _fresh(python, ["-c", _MAESN_CLIENT], env)
            ),
            Contender(first_call, _fresh(python, ["-c", httpx_call, base_url], env)),
            Contender(
                "maesn: import, Client, first get_invoices",
                _fresh(python, ["-c", maesn_call, base_url], env),
                against=first_call,
                note="reads one invoice of the 100-invoice page",
            ),
        ],
    )


def regenerate_rows() -> list[Row]:
    """One `python -m scripts.regenerate --check` of the pinned spec (timed once)."""
    rows: list[Row] = []
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
    needs_server = only & {"export", "polls", "waits", "list", "wait-export", "memory", "startup"}
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
                "list": lambda res: list_scenario(setup, res, sizes.list_pages),
                "wait-export": lambda res: wait_export_scenario(setup, res, sizes.wait_interval),
            }
            for section, build in builders.items():
                if section in only:
                    with ExitStack() as stack:
                        scenario = build(Resources(stack))
                        rows += measure(
                            scenario, rounds=sizes.rounds, warmup=sizes.warmup, progress=_progress
                        )
                        if section == "wait-export":
                            rows += traffic_rows(setup, scenario)
            if "memory" in only:
                rows += memory_rows(setup)
            if "startup" in only:
                with ExitStack() as stack:
                    _progress("startup: fresh interpreters")
                    python = user_python(stack) if sizes.fresh_venv else sys.executable
                    rows += measure(
                        startup_scenario(setup.base_url, python),
                        rounds=sizes.imports,
                        warmup=1,
                        progress=_progress,
                    )
    if "startup" in only:
        rows += regenerate_rows()
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


SECTIONS = (
    "export",
    "polls",
    "waits",
    "list",
    "wait-export",
    "memory",
    "startup",
    "typescript",
)


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
