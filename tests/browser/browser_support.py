"""Helpers for the browser tests: real servers on free loopback ports, console watching, screenshots."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from playwright.sync_api import ConsoleMessage, Page

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "images"


@contextmanager
def serve(app, *, host: str = "127.0.0.1") -> Iterator[str]:
    """Run ``app`` under uvicorn in a background thread on a free port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="auto"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass
class PageWatch:
    """What a page complained about and which hosts it tried to reach."""

    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def assert_clean(self, *, allow: tuple[str, ...] = ()) -> None:
        unexpected = [error for error in self.errors if not any(part in error for part in allow)]
        assert unexpected == [], f"browser console errors: {unexpected}"
        assert self.foreign_requests == [], f"requests left this machine: {self.foreign_requests}"


def screenshot(page: Page, name: str) -> None:
    """Save docs/images/<name>.png, only when SUITEGRAPH_SCREENSHOTS=1 (keeps the tree clean)."""
    if os.environ.get("SUITEGRAPH_SCREENSHOTS") != "1":
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=False)


__all__ = ["SCREENSHOT_DIR", "PageWatch", "screenshot", "serve"]
