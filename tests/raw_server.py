"""A raw-socket HTTP server on 127.0.0.1 that sends exactly the bytes it is given.

Every connection gets `response` (one complete HTTP/1.1 message, `Connection: close`); the
request's target (the raw path, as the client sent it) and its head are recorded. For status lines, reason
phrases and headers that http.server would not write.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Self


def http_response(
    status: int,
    body: bytes,
    *,
    reason: str = "OK",
    headers: list[tuple[str, str]] | None = None,
) -> bytes:
    """One HTTP/1.1 response with Content-Length and Connection: close."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers or []]
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


class RawServer:
    """Answers every connection with `response`; records request targets in `paths`."""

    def __init__(self) -> None:
        self.response = http_response(200, b"{}")
        self.paths: list[str] = []
        self.heads: list[bytes] = []
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        """The server's root URL."""
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                request = b""
                try:
                    while b"\r\n\r\n" not in request:
                        chunk = connection.recv(65536)
                        if not chunk:
                            break
                        request += chunk
                    self.heads.append(request)
                    target = request.split(b"\r\n", 1)[0].split(b" ")
                    if len(target) == 3:
                        self.paths.append(target[1].decode("latin-1"))
                    connection.sendall(self.response)
                except OSError:
                    continue

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()
