"""The sandbox in a process of its own, as NetSuite is: ``python -m bench.upstream FD CONFIG``.

The benchmark hands over a listening socket (file descriptor ``FD``) and the sandbox settings as
JSON. The process serves the sandbox with a recorder of every governed call, readable at
``GET /__bench/calls?since=<monotonic seconds>``, until it is terminated. Running apart keeps the
sandbox's own work (SQL, JSON) off the event loop of the service being measured.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import time

import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from graph.sandbox import SandboxConfig, create_sandbox

CALLS_PATH = "/__bench/calls"
VIEWER_PATH = "/__bench/viewer"
# Per customer: open sales orders, open cases and invoices, each counted up to the five a
# dashboard shows, so that the benchmarked viewer has every widget full.
_FULLEST_DASHBOARD = """
SELECT u.entity_id FROM _portaluser u WHERE u.role = 'customer' ORDER BY
  min(5, (SELECT count(*) FROM "transaction" t WHERE t.entity = u.entity_id AND t.type = 'SalesOrd'
          AND t.status IN ('A', 'B', 'D', 'E', 'F')))
  + min(5, (SELECT count(*) FROM supportcase c WHERE c.company = u.entity_id AND c.status NOT IN (5, 7)))
  + min(5, (SELECT count(*) FROM "transaction" t WHERE t.entity = u.entity_id AND t.type = 'CustInvc'))
  DESC, u.entity_id LIMIT 1
"""
_GOVERNED = ("/services/rest/query/", "/services/rest/record/")


class Recorder:
    """Times each SuiteQL / REST record call (monotonic clock, shared by the processes of a host),
    and names the customer whose dashboard is fullest (the viewer the benchmarks sign in as)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.calls: list[tuple[float, float]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == CALLS_PATH:
            since = float(dict(_query(scope)).get("since", "0"))
            await JSONResponse([call for call in self.calls if call[0] >= since])(scope, receive, send)
            return
        if scope["type"] == "http" and scope["path"] == VIEWER_PATH:
            (customer_id,) = self.app.state.sandbox.db.execute(_FULLEST_DASHBOARD).fetchone()
            await JSONResponse({"customer_id": customer_id})(scope, receive, send)
            return
        if scope["type"] != "http" or not scope["path"].startswith(_GOVERNED):
            await self.app(scope, receive, send)
            return
        start = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            self.calls.append((start, time.monotonic()))


def _query(scope: Scope) -> list[tuple[str, str]]:
    pairs = scope.get("query_string", b"").decode().split("&")
    return [tuple(pair.split("=", 1)) for pair in pairs if "=" in pair]  # type: ignore[misc]


def main(fd: int, settings: str) -> None:
    values = json.loads(settings)
    values["scopes"] = tuple(values.get("scopes", ()))
    app = Recorder(create_sandbox(SandboxConfig(**values)))
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off", access_log=False))
    asyncio.run(server.serve(sockets=[socket.socket(fileno=fd)]))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
