"""How the benchmark measures: the server process, a bare socket, interleaved rounds, paired ratios.

- `ServerProcess` starts `scripts.benchmark._server` as a child process and stops it.
- `RawConnection` fetches bodies over one keep-alive socket with no HTTP library and no decoding:
  the time the server and the loopback need, which every contender pays too.
- `measure()` runs every contender of a scenario once per round, in an order rotated each round
  so that no contender always runs first or last; each round's time is divided by the baseline's
  time of the same round (paired ratios), and the table gives their median and min-max.
"""

from __future__ import annotations

import gc
import json
import math
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Self

__all__ = [
    "Contender",
    "RawConnection",
    "Row",
    "Scenario",
    "ServerProcess",
    "measure",
]

ROOT = Path(__file__).resolve().parents[2]


class ServerProcess:
    """The benchmark server in its own process; `port` once started. Stops when the block ends."""

    def __init__(self, *, entries: int, page_size: int) -> None:
        self.entries = entries
        self.page_size = page_size
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        command = [
            sys.executable,
            "-m",
            "scripts.benchmark._server",
            "--entries",
            str(self.entries),
            "--page-size",
            str(self.page_size),
        ]
        self._process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        stdout: IO[bytes] | None = self._process.stdout
        line = stdout.readline() if stdout is not None else b""
        if not line:  # EOF: it died before it listened
            self.__exit__(None, None, None)
            raise RuntimeError("the benchmark server exited before it listened")
        self.port = int(json.loads(line)["port"])
        return self

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self.port}"

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the server stops when its stdin closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


class RawConnection:
    """One keep-alive HTTP/1.1 connection over a bare socket: request bytes out, body bytes in."""

    def __init__(self, port: int) -> None:
        self._socket = socket.create_connection(("127.0.0.1", port))
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._pending = b""

    def get(self, target: str) -> bytes:
        """The body of `GET target` (the server always sends Content-Length)."""
        self._socket.sendall(f"GET {target} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        data = self._pending
        while (end := data.find(b"\r\n\r\n")) < 0:
            data += self._recv()
        head, rest = data[:end], data[end + 4 :]
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")[1:]
            if line.lower().startswith(b"content-length:")
        )
        body = bytearray(length)
        view = memoryview(body)
        filled = min(len(rest), length)
        view[:filled] = rest[:filled]
        self._pending = rest[filled:]
        while filled < length:
            received = self._socket.recv_into(view[filled:])
            if not received:
                raise ConnectionError("the benchmark server closed the connection mid-body")
            filled += received
        return bytes(body)

    def _recv(self) -> bytes:
        chunk = self._socket.recv(65536)
        if not chunk:
            raise ConnectionError("the benchmark server closed the connection")
        return chunk

    def close(self) -> None:
        """Close the socket."""
        self._socket.close()


@dataclass(frozen=True)
class Contender:
    """One way of doing a scenario's work.

    `run(tag)` does the work once and returns how many units it completed (entries, polls,
    tasks), which must equal the scenario's `expect`; `tag` is unique per run (for fresh task ids).
    `against` names the contender its ratio is paired with (default: the scenario's baseline);
    `also_against` adds a row per name, paired with that contender from the same rounds.
    `skipped` says why this contender cannot run here; only optional contenders may be skipped.
    """

    label: str
    run: Callable[[str], int]
    against: str | None = None
    skipped: str | None = None
    note: str = ""
    also_against: tuple[tuple[str, str], ...] = ()
    """(contender, note) pairs: another row of this contender's times against each."""


@dataclass(frozen=True)
class Scenario:
    """Contenders doing the same work: `expect` units a run, `per` describing one unit."""

    name: str
    baseline: str
    contenders: list[Contender]
    expect: int
    per: str
    units: int


@dataclass(frozen=True)
class Row:
    """One contender's result: median seconds, per-unit microseconds, paired ratios."""

    scenario: str
    contender: str
    against: str
    median_s: float
    per_unit_us: float
    per: str
    ratio: float
    ratio_min: float
    ratio_max: float
    rounds: int
    note: str = ""
    skipped: str | None = None


def _rotated(items: list[Contender], shift: int) -> list[Contender]:
    shift %= len(items)
    return items[shift:] + items[:shift]


def measure(
    scenario: Scenario,
    *,
    rounds: int,
    warmup: int,
    progress: Callable[[str], None],
) -> list[Row]:
    """Run the scenario's contenders round by round and pair each with its reference."""
    runnable = [c for c in scenario.contenders if c.skipped is None]
    times: dict[str, list[float]] = {c.label: [] for c in runnable}
    for round_number in range(warmup + rounds):
        counted = round_number >= warmup
        for index, contender in enumerate(_rotated(runnable, round_number)):
            gc.collect()
            started = time.perf_counter()
            done = contender.run(f"r{round_number}c{index}")
            elapsed = time.perf_counter() - started
            if done != scenario.expect:
                raise RuntimeError(
                    f"{scenario.name} / {contender.label}: did {done} units of work, "
                    f"expected {scenario.expect}"
                )
            if counted:
                times[contender.label].append(elapsed)
        kind = "round" if counted else "warm-up"
        progress(f"{scenario.name}: {kind} {round_number + 1}/{warmup + rounds} done")
    rows = []
    for contender in scenario.contenders:
        against = contender.against or scenario.baseline
        if contender.skipped is not None:
            rows.append(
                Row(
                    scenario.name,
                    contender.label,
                    against,
                    math.nan,
                    math.nan,
                    scenario.per,
                    math.nan,
                    math.nan,
                    math.nan,
                    0,
                    contender.note,
                    contender.skipped,
                )
            )
            continue
        own = times[contender.label]
        for reference, note in ((against, contender.note), *contender.also_against):
            ratios = [mine / theirs for mine, theirs in zip(own, times[reference], strict=True)]
            median = statistics.median(own)
            rows.append(
                Row(
                    scenario=scenario.name,
                    contender=contender.label,
                    against=reference,
                    median_s=median,
                    per_unit_us=median / scenario.units * 1e6,
                    per=scenario.per,
                    ratio=statistics.median(ratios),
                    ratio_min=min(ratios),
                    ratio_max=max(ratios),
                    rounds=len(ratios),
                    note=note,
                )
            )
    return rows
