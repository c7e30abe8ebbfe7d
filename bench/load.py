"""Scenario c: many viewers loading dashboards for a fixed time, fairness under a flood, and the
governor alone keeping a saturated account limit busy."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import httpx

from bench.dashboard import NO_CACHE
from bench.harness import Portal, access_token, running_portal, running_sandbox
from bench.measure import Report, for_duration, ms, percentile
from bench.options import Options
from bench.queries import DASHBOARD, INVOICE_PAGE
from graph.netsuite import AccountHosts, FixedToken, NetSuiteAccount, NetSuiteClient, render

LIMIT = 5
VIEWERS = 50
LIGHT_VIEWERS = 10
FLOOD_WORKERS = 40
LIGHT_PAUSE = 0.5  # a person reading the screen before the next one


async def signed_in(portal: Portal, users: list[dict[str, Any]]) -> list[httpx.AsyncClient]:
    browsers = [portal.browser() for _ in users]
    await asyncio.gather(*(portal.sign_in(b, u) for b, u in zip(browsers, users, strict=True)))
    return browsers


def utilisation(calls: int, seconds: float, options: Options) -> float:
    """Achieved upstream calls/s over the most the limit allows at this latency."""
    return calls / seconds / (LIMIT / options.latency)


async def viewers_for_a_while(portal: Portal, options: Options, report: Report) -> None:
    users = (await portal.sandbox.users())[:VIEWERS]
    browsers = await signed_in(portal, users)
    errors: Counter[str] = Counter()

    async def load(worker: int) -> None:
        body = await portal.post_graphql(browsers[worker], DASHBOARD)
        for error in body.get("errors") or []:
            errors[str((error.get("extensions") or {}).get("code"))] += 1

    await portal.sandbox.reset()
    seconds = options.repeats(20, 8)
    start = time.monotonic()
    latencies = await for_duration(seconds, len(browsers), load)
    elapsed = time.monotonic() - start
    # Upstream throughput over the fixed window only: the drain after it has fewer calls queued.
    calls = [call for call in await portal.sandbox.calls_since(start) if call[0] < start + seconds]
    stats = await portal.sandbox.stats()
    for browser in browsers:
        await browser.aclose()
    report.add(
        "c.load",
        f"{len(users)} viewers limit={LIMIT} {seconds}s",
        requests_per_s=len(latencies) / elapsed,
        p50_ms=ms(percentile(latencies, 50)),
        p95_ms=ms(percentile(latencies, 95)),
        p99_ms=ms(percentile(latencies, 99)),
        upstream_calls_per_s=len(calls) / seconds,
        slot_utilisation=utilisation(len(calls), seconds, options),
        sandbox_429s=stats["rejected"],
        client_429s=errors["UPSTREAM_BUSY"] + errors["HTTP_429"],
        client_errors=sum(errors.values()),
    )


async def fairness(portal: Portal, options: Options, report: Report) -> None:
    """Light viewers' p95 alone, then while one heavy viewer floods with many requests at once."""
    users = await portal.sandbox.users()
    light = await signed_in(portal, users[:LIGHT_VIEWERS])
    (heavy,) = await signed_in(portal, users[LIGHT_VIEWERS : LIGHT_VIEWERS + 1])
    seconds = options.repeats(12, 6)

    async def light_load(worker: int) -> None:
        await portal.graphql(light[worker], DASHBOARD)
        await asyncio.sleep(LIGHT_PAUSE)

    async def flood(worker: int) -> None:
        # Each worker a different page size: distinct SuiteQL, so no two share an upstream call.
        await portal.post_graphql(heavy, INVOICE_PAGE, first=1 + worker)

    alone = await for_duration(seconds, LIGHT_VIEWERS, light_load)
    flooded, heavy_latencies = await asyncio.gather(
        for_duration(seconds, LIGHT_VIEWERS, light_load), for_duration(seconds, FLOOD_WORKERS, flood)
    )
    for browser in [*light, heavy]:
        await browser.aclose()
    # The pause is the viewer's own; the figures are the wait for the screen.
    report.add(
        "c.fairness",
        f"{LIGHT_VIEWERS} light + 1 heavy x{FLOOD_WORKERS}",
        light_p95_alone_ms=ms(percentile(alone, 95) - LIGHT_PAUSE),
        light_p95_flooded_ms=ms(percentile(flooded, 95) - LIGHT_PAUSE),
        heavy_p95_ms=ms(percentile(heavy_latencies, 95)),
        heavy_requests=len(heavy_latencies),
    )


async def governor_saturation(options: Options, report: Report) -> None:
    """SuiteQL straight through the governed client, far more calls than slots, from many lanes."""
    lanes, per_lane = 20, options.repeats(30, 12)
    async with running_sandbox(options.sandbox(LIMIT)) as sandbox:
        users = (await sandbox.users())[:lanes]
        tokens = await asyncio.gather(*(access_token(sandbox, user) for user in users))
        url, account_id = sandbox.url, sandbox.config.account_id
        hosts = AccountHosts.for_account(account_id, rest_url=url, app_url=url, restlet_url=url)
        async with NetSuiteAccount.open(hosts, concurrency=LIMIT) as account:

            async def lane(user: dict[str, Any], token: str) -> None:
                client = NetSuiteClient(account, FixedToken(token), lane=f"customer:{user['customer_id']}")
                for n in range(per_lane):
                    await client.suiteql(
                        render(
                            "SELECT id FROM transaction WHERE entity = :c AND id > :n",
                            c=user["customer_id"],
                            n=-n,
                        )
                    )

            # Each lane keeps several calls queued, so that a slot never lacks work.
            start = time.monotonic()
            await asyncio.gather(*(lane(u, t) for u, t in zip(users, tokens, strict=True) for _ in range(3)))
            elapsed = time.monotonic() - start
        calls = await sandbox.calls_since(start)
        stats = await sandbox.stats()
        busy = sum(end - begun for begun, end in calls)
        report.add(
            "c.governor",
            f"{lanes} lanes x {3 * per_lane} calls limit={LIMIT}",
            calls=len(calls),
            upstream_calls_per_s=len(calls) / elapsed,
            slot_utilisation=utilisation(len(calls), elapsed, options),
            slot_occupancy=busy / (LIMIT * elapsed),
            upstream_call_ms=ms(busy / len(calls)),
            peak_in_flight=stats["peak_in_flight"],
            sandbox_429s=stats["rejected"],
        )


async def run(options: Options, report: Report) -> None:
    sandbox = options.sandbox(LIMIT, customers=100)
    async with running_portal(concurrency=LIMIT, sandbox=sandbox, env=NO_CACHE) as portal:
        await viewers_for_a_while(portal, options, report)
        await fairness(portal, options, report)
    await governor_saturation(options, report)


__all__ = ["run"]
