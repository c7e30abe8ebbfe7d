"""Scenario b: the same dashboard built without SuiteGraph, over the same governed client:

- a hand-written backend calling the REST record API per widget and per record (lists give ids
  only, so each record is one more GET: N+1);
- a GraphQL schema with plain resolvers and no dataloaders (``plain_schema``).

Each is served over HTTP and loaded like SuiteGraph's dashboard; the table shows SuiteGraph's
latency and upstream calls as a share of theirs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from bench import dashboard
from bench.harness import Sandbox, access_token, critical_path, running_sandbox, serve
from bench.measure import Report, ms, percentile, timed
from bench.options import Options
from bench.plain_schema import PLAIN_DASHBOARD, context, schema
from graph.netsuite import AccountHosts, FixedToken, NetSuiteAccount, NetSuiteClient

OPEN_ORDER = {"A", "B", "D", "E", "F"}  # enum ids of open sales orders
CLOSED_CASE = {"5", "7"}


async def rest_dashboard(client: NetSuiteClient, customer_id: int) -> dict[str, Any]:
    """Per widget a list of ids, then one GET per record; the newest first, five per widget."""

    async def records(record_type: str, q: str, expand: bool = False) -> list[dict[str, Any]]:
        listed = await client.list_records(record_type, q=q)
        newest = sorted((int(item["id"]) for item in listed.get("items", [])), reverse=True)
        return list(await asyncio.gather(*(client.get_record(record_type, i, expand=expand) for i in newest)))

    customer, invoices, orders, cases = await asyncio.gather(
        client.get_record("customer", customer_id),
        records("invoice", f"entity EQUAL {customer_id}", expand=True),
        records("salesOrder", f"entity EQUAL {customer_id}"),
        records("supportCase", f"company EQUAL {customer_id}"),
    )
    return {
        "customer": customer,
        "invoices": invoices[:5],
        "salesOrders": [o for o in orders if (o.get("status") or {}).get("id") in OPEN_ORDER][:5],
        "supportCases": [c for c in cases if (c.get("status") or {}).get("id") not in CLOSED_CASE][:5],
    }


def rest_app(client: NetSuiteClient, customer_id: int) -> Starlette:
    async def endpoint(request: Request) -> JSONResponse:
        return JSONResponse(await rest_dashboard(client, customer_id))

    return Starlette(routes=[Route("/dashboard", endpoint, methods=["POST"])])


class PlainGraphQL(GraphQL):
    def __init__(self, client: NetSuiteClient, customer_id: int) -> None:
        super().__init__(schema, graphql_ide=None)
        self.client, self.customer_id = client, customer_id

    async def get_context(self, request: Any, response: Any) -> dict[str, Any]:
        return context(self.client, self.customer_id)


@asynccontextmanager
async def backend(
    sandbox: Sandbox, limit: int, build: Callable[[NetSuiteClient, int], Any]
) -> AsyncIterator[str]:
    """A backend app over its own governed account, for the sandbox's first customer; yields its URL."""
    user = (await sandbox.users())[0]
    token = await access_token(sandbox, user)
    url = sandbox.url
    hosts = AccountHosts.for_account(sandbox.config.account_id, rest_url=url, app_url=url, restlet_url=url)
    async with NetSuiteAccount.open(hosts, concurrency=limit) as account:
        client = NetSuiteClient(account, FixedToken(token), lane=f"customer:{user['customer_id']}")
        async with serve(build(client, user["customer_id"])) as served:
            yield served


async def measure(
    sandbox: Sandbox, load: Callable[[], Awaitable[httpx.Response]], repeats: int
) -> dict[str, float]:
    (await load()).raise_for_status()  # warm-up
    latencies, calls, depths = [], [], []
    for _ in range(repeats):
        start = time.monotonic()

        async def once() -> None:
            response = await load()
            response.raise_for_status()
            if "errors" in response.json():
                raise RuntimeError(f"errors: {response.json()['errors']}")

        latencies.append(await timed(once))
        made = await sandbox.calls_since(start)
        calls.append(len(made))
        depths.append(critical_path(made))
    return {
        "calls": max(calls),
        "round_trips": max(depths),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
    }


async def served(
    sandbox: Sandbox,
    limit: int,
    build: Callable[[NetSuiteClient, int], Any],
    path: str,
    body: Any,
    repeats: int,
) -> dict[str, float]:
    async with backend(sandbox, limit, build) as url, httpx.AsyncClient(base_url=url, timeout=120) as http:
        return await measure(sandbox, lambda: http.post(path, json=body), repeats)


async def run(options: Options, report: Report) -> None:
    ours = await dashboard.run(options, Report(options={}))  # SuiteGraph's figures, reported by a.
    repeats = options.repeats(5, 2)
    for limit in options.limits:
        async with running_sandbox(options.sandbox(limit)) as sandbox:
            rest = await served(sandbox, limit, rest_app, "/dashboard", {}, repeats)
            plain = await served(
                sandbox, limit, PlainGraphQL, "/graphql", {"query": PLAIN_DASHBOARD}, repeats
            )
        for name, figures in (("naive REST, N+1", rest), ("GraphQL, no dataloaders", plain)):
            case = f"{name} limit={limit}"
            report.add(
                "b.without",
                case,
                sandbox_calls=figures["calls"],
                round_trips=figures["round_trips"],
                p50_ms=ms(figures["p50"]),
                p95_ms=ms(figures["p95"]),
                suitegraph_p50_ratio=ours[limit]["p50"] / figures["p50"],
                suitegraph_calls_ratio=ours[limit]["calls"] / figures["calls"],
            )


__all__ = ["run"]
