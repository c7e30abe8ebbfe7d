"""ASGI apps served by uvicorn inside a running event loop, on loopback sockets bound before they
start so that each server's URL is known before anything is built around it. End-to-end tests and
benchmarks compose the sandbox and the service this way, in one process and one loop.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

STARTUP_TIMEOUT = 30.0


def listening_socket() -> socket.socket:
    """A loopback socket bound to a free port.

    Made with IPPROTO_TCP so that asyncio sets TCP_NODELAY on the connections it accepts, as it does
    on uvicorn's own sockets; otherwise each keep-alive response waits ~40 ms for a delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def socket_url(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


@asynccontextmanager
async def serve(app: Any, sock: socket.socket | None = None, *, lifespan: str = "off") -> AsyncIterator[str]:
    """Serve ``app`` on ``sock`` (a free loopback port when None) until the block ends; yields its URL."""
    sock = sock or listening_socket()
    config = uvicorn.Config(app, log_level="critical", lifespan=lifespan, access_log=False, backlog=4096)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    async with asyncio.timeout(STARTUP_TIMEOUT):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.005)
    try:
        yield socket_url(sock)
    finally:
        server.should_exit = True
        await task


__all__ = ["listening_socket", "serve", "socket_url"]
