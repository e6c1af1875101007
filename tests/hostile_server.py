"""A raw-socket HTTP server on 127.0.0.1 where the test controls every byte sent.

Unlike `scripted_server` (http.server, always well-formed HTTP), each connection here is handed
to a script: a function that reads what it likes and writes exactly the bytes it likes, as slowly
as it likes — a drip-fed answer, an endless chunked body, a gzip bomb, a broken status line, a
Retry-After no calendar holds. The server counts connections and the bytes it sent, so tests
prove bounds by what the server saw rather than by wall-clock time.

Without a script, `HostileServer()` answers each connection's request with whatever bytes
`server.response` holds at that moment and closes it: one module-scoped server whose answer a
test sets per example (status lines, reason phrases and headers http.server would not write).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from helpers import Running

__all__ = [
    "Conn",
    "HostileServer",
    "chunked_forever",
    "drip",
    "gzip_bomb",
    "hang",
    "http_response",
    "reply",
    "task_body",
]

Script = Callable[["Conn"], None]


def task_body(status: str = "FINISHED") -> bytes:
    """A valid 200 envelope for GET /accounting/asyncTask/{taskId} (AbaConnect statuses)."""
    return json.dumps(
        {"data": {"status": status, "information": [], "responseData": None}}
    ).encode()


def http_response(
    status: int = 200,
    body: bytes = b"",
    headers: Iterable[tuple[str, str]] = (),
    *,
    reason: str = "OK",
    length: bool = True,
    close: bool = False,
) -> bytes:
    """The bytes of one HTTP/1.1 response.

    Content-Length is added unless `length` is False; `close` adds `Connection: close`.
    """
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Conn:
    """One accepted connection, as a script sees it."""

    def __init__(self, sock: socket.socket, server: HostileServer) -> None:
        self.sock = sock
        self.server = server

    @property
    def stopping(self) -> bool:
        """The server is shutting down: long scripts should end."""
        return self.server.stopping.is_set()

    def read_request(self) -> bytes | None:
        """The next request's head and body (by Content-Length), or None when the peer closed."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self._recv()
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = self._recv()
            if not chunk:
                break
            body += chunk
        request = head + b"\r\n\r\n" + body
        self.server.record(request)
        return request

    def _recv(self) -> bytes:
        try:
            return self.sock.recv(65536)
        except OSError:
            return b""

    def send(self, data: bytes) -> bool:
        """Send `data`; False once the client hung up (or the server stops)."""
        if self.stopping:
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        self.server.count_sent(len(data))
        return True


class HostileServer(Running):
    """Runs `script(conn)` for every connection; stop() ends them all.

    With no script, every connection's request is answered once with `self.response`.
    """

    def __init__(self, script: Script | None = None) -> None:
        self.response = http_response(200, b"{}", close=True)
        self.script = script or reply(lambda _request: self.response, close=True)
        self.stopping = threading.Event()
        self.connections = 0
        self.requests: list[bytes] = []
        self.bytes_sent = 0
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    @property
    def base_url(self) -> str:
        """The server's root URL."""
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def paths(self) -> list[str]:
        """The request targets (raw, as the client sent them) of the requests so far."""
        with self._lock:
            lines = [request.split(b"\r\n", 1)[0].split(b" ") for request in self.requests]
        return [line[1].decode("latin-1") for line in lines if len(line) == 3]

    def record(self, request: bytes) -> None:
        """Remember a request that arrived."""
        with self._lock:
            self.requests.append(request)

    def count_sent(self, size: int) -> None:
        """Count bytes written to clients."""
        with self._lock:
            self.bytes_sent += size

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            thread = threading.Thread(target=self._run, args=(sock,), daemon=True)
            with self._lock:
                self.connections += 1
                self._socks.append(sock)
                self._threads.append(thread)
            thread.start()

    def _run(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError), sock:
            self.script(Conn(sock, self))

    def start(self) -> None:
        """Start accepting connections."""
        self._acceptor.start()

    def join_scripts(self, timeout: float = 60.0) -> None:
        """Wait (without stopping anything) until every connection's script has ended by itself."""
        with self._lock:
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                raise TimeoutError(f"a connection's script still runs after {timeout:g} s")

    def stop(self) -> None:
        """Stop accepting, cut every open connection and wait for the scripts to end."""
        self.stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._listener.close()
        with self._lock:
            socks, threads = list(self._socks), list(self._threads)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._acceptor.join()
        for thread in threads:
            thread.join()


# -- scripts ------------------------------------------------------------------------------------


def reply(response: bytes | Callable[[bytes], bytes], *, close: bool = False) -> Script:
    """Answer every request on the connection with `response` (or `response(request)`)."""

    def script(conn: Conn) -> None:
        while (request := conn.read_request()) is not None:
            data = response(request) if callable(response) else response
            if not conn.send(data) or close:
                return

    return script


def drip(response: bytes, *, every: float) -> Script:
    """Answer the first request one byte at a time, `every` seconds apart."""

    def script(conn: Conn) -> None:
        if conn.read_request() is None:
            return
        for index in range(len(response)):
            if not conn.send(response[index : index + 1]) or conn.server.stopping.wait(every):
                return

    return script


def hang(conn: Conn) -> None:
    """Read the request and never answer (until the server stops)."""
    conn.read_request()
    conn.server.stopping.wait()


def chunked_forever(chunk: bytes = b" " * 65536) -> Script:
    """A 200 whose chunked body never ends (each chunk of whitespace is valid JSON padding)."""
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"

    def script(conn: Conn) -> None:
        if conn.read_request() is None or not conn.send(head):
            return
        while conn.send(framed):
            pass

    return script


def gzip_bomb(inflated: int) -> bytes:
    """A 200 whose small gzip body inflates to `inflated` bytes of JSON whitespace."""
    body = gzip.compress(b"{" + b" " * inflated + b"}", compresslevel=9)
    return http_response(
        200, body, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]
    )


def head_only(status_line: bytes, headers: Iterable[bytes] = (), body: bytes = b"") -> bytes:
    """Raw bytes: a status line as given, header lines as given, then `body`."""
    return b"\r\n".join([status_line, *headers]) + b"\r\n\r\n" + body


def any_script(value: Any) -> Script:
    """`reply` for bytes, else the script itself (for parametrized tests)."""
    return reply(value) if isinstance(value, bytes) else value
