"""The real SuiteGraph and the NetSuite sandbox over HTTP for the sync Playwright tests.

``running_portal`` serves both in one event loop; here that loop runs in a background thread, since
the sync Playwright driver owns the test thread's loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from support.portal import Portal, running_portal

T = TypeVar("T")


class PortalThread:
    """A running portal and the loop that serves it (``call`` runs a coroutine on that loop)."""

    def __init__(self, portal: Portal, loop: asyncio.AbstractEventLoop) -> None:
        self.portal = portal
        self.loop = loop

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


@contextmanager
def portal_in_thread(**options: Any) -> Iterator[PortalThread]:
    """``running_portal(**options)`` in a thread of its own; yields once both servers listen."""
    started: list[PortalThread] = []
    failure: list[BaseException] = []
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def main() -> None:
        try:
            async with running_portal(**options) as portal:
                started.append(PortalThread(portal, loop))
                ready.set()
                await stop.wait()
        except BaseException as error:
            failure.append(error)
            ready.set()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(30)
    try:
        if failure:
            raise failure[0]
        if not started:
            raise RuntimeError("the portal did not start")
        yield started[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()


__all__ = ["PortalThread", "portal_in_thread"]
