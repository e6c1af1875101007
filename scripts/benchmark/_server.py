"""The benchmark's HTTP server: its own process, writing pre-encoded responses over keep-alive.

Run as `python -m scripts.benchmark._server --entries N --page-size M`; it prints one JSON line
(`{"port": ...}`) once it listens on 127.0.0.1 and serves until its standard input closes, so it
never outlives the benchmark. It runs in a separate process so that serving never competes with
the measured client for the interpreter (and its memory is not in the client's tracemalloc).

Routes (GET only; headers are not checked, so serving costs the same for every contender):
- `/accounting/asyncTask/<EXPORT_TASK>?page=N`: page N of the finished export;
- `/accounting/asyncTask/wait-export-...`: an export, IN_PROGRESS to its first two polls; then a
  poll without `page` answers page 1 (as Maesn does) and `?page=N` page N;
- `/accounting/asyncTask/wait-...`: IN_PROGRESS until the task's third poll, then FINISHED;
- any other `/accounting/asyncTask/<id>`: a small finished AbaConnect task;
- `/accounting/invoices`: a page of 100 invoices with every property filled;
- `/stats`: the export pages served and their bytes since the last `/stats` (then reset), as
  JSON: what a wait-then-export fetched.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from urllib.parse import parse_qs

from ._data import (
    EXPORT_TASK,
    INVOICES_PATH,
    PENDING_POLLS,
    WAIT_EXPORT_PREFIX,
    WAIT_PREFIX,
    Bodies,
    build_bodies,
)

__all__ = ["main"]

_PREFIX = b"/accounting/asyncTask/"


def _response(status: bytes, body: bytes) -> bytes:
    return (
        b"HTTP/1.1 "
        + status
        + b"\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


class _Answers:
    """Every complete response (status line, headers, body), built once."""

    def __init__(self, bodies: Bodies) -> None:
        self.pages = [_response(b"200 OK", page) for page in bodies.pages]
        self.small = _response(b"200 OK", bodies.small_finished)
        self.pending = _response(b"200 OK", bodies.pending)
        self.not_found = _response(b"404 Not Found", b'{"error":"no such route"}')
        self.bad_page = _response(b"400 Bad Request", b'{"error":"no such page"}')
        self.invoices = _response(b"200 OK", bodies.invoices)
        self.polls: dict[bytes, int] = {}
        self.export = EXPORT_TASK.encode()
        self.wait = WAIT_PREFIX.encode()
        self.wait_export = WAIT_EXPORT_PREFIX.encode()
        self.page_bodies = [len(page) for page in bodies.pages]
        self.served_pages: list[int] = []

    def _page(self, query: bytes) -> bytes:
        pages = parse_qs(query.decode()).get("page", ["1"])
        number = int(pages[0]) if pages[0].isdigit() else 0
        if not 1 <= number <= len(self.pages):
            return self.bad_page
        self.served_pages.append(number)
        return self.pages[number - 1]

    def _stats(self) -> bytes:
        served, self.served_pages = self.served_pages, []
        body = json.dumps(
            {"pages": served, "bytes": sum(self.page_bodies[n - 1] for n in served)}
        ).encode()
        return _response(b"200 OK", body)

    def answer(self, target: bytes) -> bytes:
        path, _, query = target.partition(b"?")
        if path == INVOICES_PATH.encode():
            return self.invoices
        if path == b"/stats":
            return self._stats()
        if not path.startswith(_PREFIX):
            return self.not_found
        return self._task(path[len(_PREFIX) :], query)

    def _task(self, task_id: bytes, query: bytes) -> bytes:
        if task_id == self.export:
            return self._page(query)
        if task_id.startswith(self.wait_export):
            polls = self.polls.get(task_id, 0) + 1
            self.polls[task_id] = polls
            return self.pending if polls < PENDING_POLLS else self._page(query)
        if task_id.startswith(self.wait):
            polls = self.polls.get(task_id, 0) + 1
            self.polls[task_id] = polls
            return self.pending if polls < PENDING_POLLS else self.small
        return self.small


class _Connection(asyncio.Protocol):
    def __init__(self, answers: _Answers) -> None:
        self.answers = answers
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if isinstance(transport, asyncio.Transport):
            self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.transport is None:
            return
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            request_line = head.split(b"\r\n", 1)[0].split(b" ")
            target = request_line[1] if len(request_line) == 3 else b""  # noqa: PLR2004
            self.transport.write(self.answers.answer(target))


async def _serve(bodies: Bodies) -> None:
    loop = asyncio.get_running_loop()
    answers = _Answers(bodies)
    server = await loop.create_server(lambda: _Connection(answers), "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"port": port}), flush=True)
    # Serve until the parent closes our stdin (or dies): read it in a thread, never busy-wait.
    await loop.run_in_executor(None, sys.stdin.buffer.read)
    server.close()


def main(argv: list[str] | None = None) -> int:
    """Build the bodies, listen, print the port, serve until stdin closes."""
    parser = argparse.ArgumentParser(description="The benchmark's own HTTP server.")
    parser.add_argument("--entries", type=int, required=True)
    parser.add_argument("--page-size", type=int, required=True)
    args = parser.parse_args(argv)
    asyncio.run(_serve(build_bodies(args.entries, args.page_size)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
