"""Scenario e: the service's own cost: the dashboard from the per-viewer cache (no upstream call),
against a minimal hand-written Starlette endpoint returning the same JSON."""

from __future__ import annotations

import time
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.harness import running_portal, serve
from bench.measure import Report, for_duration, ms, percentile
from bench.options import Options
from bench.queries import DASHBOARD

WORKERS = 8
# Long enough that no cached result expires during the run.
CACHED = {"PORTAL_CACHE_TTL": "600"}


def minimal_app(payload: dict[str, Any]) -> Starlette:
    async def graphql(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse(payload)

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])


async def hammer(client: httpx.AsyncClient, seconds: float) -> tuple[float, float]:
    """Requests per second and p50 seconds of the dashboard POST, WORKERS at a time."""

    async def post(worker: int) -> None:
        response = await client.post("/graphql", json={"query": DASHBOARD})
        response.raise_for_status()

    start = time.perf_counter()
    latencies = await for_duration(seconds, WORKERS, post)
    return len(latencies) / (time.perf_counter() - start), percentile(latencies, 50)


async def run(options: Options, report: Report) -> None:
    seconds = options.repeats(8, 3)
    async with running_portal(concurrency=5, sandbox=options.sandbox(5), env=CACHED) as portal:
        users = await portal.sandbox.users()
        async with portal.browser() as browser:
            await portal.sign_in(browser, users[0])
            payload = (await browser.post("/graphql", json={"query": DASHBOARD})).json()
            start = time.monotonic()
            rps, p50 = await hammer(browser, seconds)
            upstream = len(await portal.sandbox.calls_since(start))
    case = "suitegraph, cached dashboard"
    report.add("e.overhead", case, requests_per_s=rps, p50_ms=ms(p50), upstream_calls=upstream)
    async with serve(minimal_app(payload)) as url, httpx.AsyncClient(base_url=url) as client:
        bare_rps, bare_p50 = await hammer(client, seconds)
    report.add(
        "e.overhead",
        "minimal starlette, same JSON",
        requests_per_s=bare_rps,
        p50_ms=ms(bare_p50),
        suitegraph_share_of_bare_rps=rps / bare_rps,
    )


__all__ = ["run"]
