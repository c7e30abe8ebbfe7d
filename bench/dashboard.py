"""Scenario a: one dashboard query, answered from NetSuite (the per-viewer cache is off)."""

from __future__ import annotations

import time

from bench.harness import Portal, critical_path, running_portal
from bench.measure import Report, ms, percentile, timed
from bench.options import Options
from bench.queries import DASHBOARD

NO_CACHE = {"PORTAL_CACHE_TTL": "0"}


async def measure_dashboard(portal: Portal, repeats: int) -> dict[str, float]:
    """Load the dashboard ``repeats`` times one after the other; per request figures."""
    users = await portal.sandbox.users()
    async with portal.browser() as browser:
        await portal.sign_in(browser, users[0])
        await portal.graphql(browser, DASHBOARD)  # warm-up: imports, connections, token
        latencies, calls, depths, durations = [], [], [], []
        for _ in range(repeats):
            start = time.monotonic()
            latencies.append(await timed(lambda: portal.graphql(browser, DASHBOARD)))
            made = await portal.sandbox.calls_since(start)
            calls.append(len(made))
            depths.append(critical_path(made))
            durations.extend(end - begun for begun, end in made)
    return {
        "calls": max(calls),
        "round_trips": max(depths),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "upstream_call": sum(durations) / len(durations),
    }


def add_figures(report: Report, scenario: str, case: str, figures: dict[str, float], latency: float) -> None:
    bound = figures["round_trips"] * latency
    report.add(
        scenario,
        case,
        sandbox_calls=figures["calls"],
        round_trips=figures["round_trips"],
        p50_ms=ms(figures["p50"]),
        p95_ms=ms(figures["p95"]),
        p50_over_bound=figures["p50"] / bound if bound else float("nan"),
        # What one call really took inside the sandbox (latency + its own work): the rest of the
        # gap between p50 and the bound.
        upstream_call_ms=ms(figures["upstream_call"]),
    )


async def run(options: Options, report: Report) -> dict[int, dict[str, float]]:
    """SuiteGraph's dashboard at each concurrency limit; returns the figures by limit."""
    found = {}
    for limit in options.limits:
        sandbox = options.sandbox(limit)
        async with running_portal(concurrency=limit, sandbox=sandbox, env=NO_CACHE) as portal:
            figures = await measure_dashboard(portal, options.repeats(10, 4))
        add_figures(report, "a.dashboard", f"suitegraph limit={limit}", figures, options.latency)
        found[limit] = figures
    return found


__all__ = ["NO_CACHE", "add_figures", "measure_dashboard", "run"]
