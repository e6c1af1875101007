"""Does a code block of the built docs site overflow its content column? Asked of a real Chromium.

`CodeBlockCheck(executable)` starts one headless Chromium at 1280x800 and drives it over the
Chrome DevTools Protocol (a websocket); `overflows(site)` serves a built mkdocs site from a
loopback HTTP server, loads every page and returns each `pre` and `code` block in Material's
content column (`.md-content`) that

- leaves the column: its box, or the box of the nearest box around it that scrolls sideways
  (computed `overflow-x` `auto` or `scroll`), reaches past the column's edges ("outside");
- is cut: its content is wider than its box, which hides the rest (`overflow-x` `hidden` or
  `clip`; "cut");
- hides part of its content behind a sideways scroll ("scrolls"): the rest is there, but a reader
  sees a line end mid-word (`as client:` shown as `a`) and a scrollbar only on hover. The site
  wraps long lines instead (docs/stylesheets/extra.css), so this counts as an overflow too.

Chromium runs with every host name unresolvable but the loopback server's address, so a page
asking for a web font elsewhere fails at once instead of waiting on the network: the layout is
measured with the fallback fonts, which is what the check is about (whether long lines wrap, not
where they end).
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self

from websockets.sync.client import ClientConnection, connect

__all__ = [
    "BROWSERS",
    "HEIGHT",
    "WIDTH",
    "CodeBlockCheck",
    "Overflow",
    "find_chromium",
    "site_pages",
]

WIDTH, HEIGHT = 1280, 800
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executables tried, in this order (Debian's package is `chromium`)."""
_TIMEOUT = 60.0

Kind = Literal["outside", "cut", "scrolls"]

_CHECK = """
(() => {
  const column = document.querySelector(".md-content");
  if (!column) return null;
  const edge = column.getBoundingClientRect();
  const outside = (box) => box.left < edge.left - 1 || box.right > edge.right + 1;
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const scroller = (el) => {
    for (let box = el; box && box !== column; box = box.parentElement) {
      if (scrolls(box)) return box;
    }
    return null;
  };
  const found = [];
  for (const el of column.querySelectorAll("pre, code")) {
    if (el.getClientRects().length === 0) continue;  // not shown: a closed tab or details
    const style = getComputedStyle(el);
    const inline = style.display === "inline";
    const wide = !inline && el.scrollWidth > el.clientWidth + 1;
    const box = el.getBoundingClientRect();
    const needs = {left: box.left, right: inline ? box.right : box.left + Math.max(box.width, el.scrollWidth)};
    const own = scroller(el);
    const shown = (own || el).getBoundingClientRect();
    let kind = null;
    if (own) {
      if (outside(shown)) kind = "outside";
      else if (own === el ? wide : needs.right > shown.right + 1 || needs.left < shown.left - 1) {
        kind = "scrolls";
      }
    } else if (wide && ["hidden", "clip"].includes(style.overflowX)) kind = "cut";
    else if (outside(needs)) kind = "outside";
    if (kind) {
      found.push({
        kind: kind, tag: el.tagName.toLowerCase(),
        text: el.textContent.trim().split("\\n").reduce((a, b) => (b.length > a.length ? b : a)),
        left: Math.round(shown.left), right: Math.round(shown.right),
        shown: el.clientWidth, content: el.scrollWidth,
      });
    }
  }
  return {column: [Math.round(edge.left), Math.round(edge.right)], found: found};
})()
"""
"""Runs in the page: the content column's edges and every overflowing block (its longest line)."""


@dataclass(frozen=True)
class Overflow:
    """A code block that overflows the content column, on one page."""

    page: str
    kind: Kind
    tag: str
    line: str
    """The block's longest line, shortened."""
    left: int
    right: int
    column: tuple[int, int]
    shown: int
    """The block's inner width in px."""
    content: int
    """The width its content needs in px."""

    def __str__(self) -> str:
        line = self.line if len(self.line) <= 70 else self.line[:70] + "..."  # noqa: PLR2004
        return (
            f"{self.page}: <{self.tag}> {self.kind} (box {self.left}..{self.right}, column "
            f"{self.column[0]}..{self.column[1]}, content {self.content}px in {self.shown}px): "
            f"{line!r}"
        )


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable on PATH, or None."""
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    return None


def site_pages(site: Path) -> list[str]:
    """Every page of a built site, as URL paths (`/`, `/guide/tasks/`, `/404.html`)."""
    return [
        "/" + path.relative_to(site).as_posix().removesuffix("index.html")
        for path in sorted(site.rglob("*.html"))
    ]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """`directory` over HTTP on 127.0.0.1 (a free port) while in the block; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class CodeBlockCheck:
    """One headless Chromium at WIDTH x HEIGHT, driven over the DevTools Protocol; a context manager."""

    def __init__(self, executable: str) -> None:
        self._executable = executable
        self._stack = ExitStack()
        self._socket: ClientConnection | None = None
        self._ids = iter(range(1, 1 << 31))

    def __enter__(self) -> Self:
        with ExitStack() as stack:
            profile = stack.enter_context(tempfile.TemporaryDirectory(prefix="maesn-chromium-"))
            process = stack.enter_context(self._start(profile))
            socket = stack.enter_context(
                connect(_page_socket(process), max_size=None, open_timeout=_TIMEOUT, proxy=None)
            )
            self._socket = socket
            self._call("Page.enable")
            self._call(
                "Emulation.setDeviceMetricsOverride",
                width=WIDTH,
                height=HEIGHT,
                deviceScaleFactor=1,
                mobile=False,
            )
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *_: object) -> None:
        self._socket = None
        self._stack.close()

    @contextmanager
    def _start(self, profile: str) -> Iterator[subprocess.Popen[str]]:
        process = subprocess.Popen(
            [
                self._executable,
                "--headless",
                # As root (CI, containers) Chromium's sandbox cannot start; it loads our pages only.
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                f"--window-size={WIDTH},{HEIGHT}",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            yield process
        finally:
            process.kill()
            process.communicate()

    def _send(self, method: str, params: dict[str, Any]) -> int:
        assert self._socket is not None  # noqa: S101 - only called while entered
        ident = next(self._ids)
        self._socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        return ident

    def _receive(self) -> dict[str, Any]:
        assert self._socket is not None  # noqa: S101
        message: dict[str, Any] = json.loads(self._socket.recv(timeout=_TIMEOUT))
        return message

    def _call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events arriving meanwhile are dropped)."""
        ident = self._send(method, params)
        while (message := self._receive()).get("id") != ident:
            pass
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        result: dict[str, Any] = message.get("result", {})
        return result

    def _load(self, url: str) -> None:
        """Navigate to `url`; return once its load event fired."""
        ident = self._send("Page.navigate", {"url": url})
        while (message := self._receive()).get("method") != "Page.loadEventFired":
            if message.get("id") == ident and (error := message.get("result", {}).get("errorText")):
                raise RuntimeError(f"cannot load {url}: {error}")

    def page_overflows(self, url: str, *, page: str | None = None) -> list[Overflow]:
        """The overflowing code blocks of the page at `url` (named `page` in the results)."""
        self._load(url)
        value = self._call("Runtime.evaluate", expression=_CHECK, returnByValue=True)["result"]
        found = value.get("value")
        if found is None:
            raise RuntimeError(f"{page or url} has no content column (.md-content) to check")
        column = (found["column"][0], found["column"][1])
        return [
            Overflow(
                page=page or url,
                kind=item["kind"],
                tag=item["tag"],
                line=item["text"],
                left=item["left"],
                right=item["right"],
                column=column,
                shown=item["shown"],
                content=item["content"],
            )
            for item in found["found"]
        ]

    def overflows(self, site: Path, pages: Sequence[str] | None = None) -> list[Overflow]:
        """Every overflowing code block of the built site in `site` (all pages, or `pages`)."""
        with serve(site) as base_url:
            return [
                overflow
                for page in (site_pages(site) if pages is None else pages)
                for overflow in self.page_overflows(base_url + page, page=page)
            ]


def _page_socket(process: subprocess.Popen[str]) -> str:
    """The websocket URL of the browser's page, from the DevTools line Chromium prints."""
    assert process.stderr is not None  # noqa: S101 - started with stderr=PIPE
    said = []
    for line in process.stderr:
        if line.startswith("DevTools listening on ws://"):
            break
        said.append(line)
    else:
        raise RuntimeError("Chromium exited before it listened:\n" + "".join(said[-20:]))
    # Chromium goes on writing to stderr: drain it, so a full pipe never blocks the browser.
    threading.Thread(target=process.stderr.read, daemon=True).start()
    address = line.removeprefix("DevTools listening on ws://").split("/", 1)[0]
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with direct.open(f"http://{address}/json/list", timeout=_TIMEOUT) as answer:
        targets = json.load(answer)
    return str(next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page"))


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m scripts.docs_layout [SITE]`: print each overflow; exit 1 if any, 2 without a browser."""
    args = list(sys.argv[1:] if argv is None else argv)
    site = Path(args[0] if args else "site")
    executable = find_chromium()
    if executable is None:
        print(f"no browser on PATH (tried {', '.join(BROWSERS)})", file=sys.stderr)
        return 2
    with CodeBlockCheck(executable) as check:
        found = check.overflows(site)
    for overflow in found:
        print(overflow)
    print(
        f"{len(site_pages(site))} pages at {WIDTH}x{HEIGHT}: {len(found)} overflowing code blocks"
    )
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
