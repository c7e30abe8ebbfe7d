"""Scenario d: paging through a customer's invoices as their number grows."""

from __future__ import annotations

import time

from bench.dashboard import NO_CACHE
from bench.harness import critical_path, running_portal
from bench.measure import Report, ms, percentile
from bench.options import Options
from bench.queries import INVOICE_PAGE

PAGE = 100  # the schema's largest page


async def page_through(options: Options, report: Report, invoices: int) -> None:
    sandbox = options.sandbox(5, customers=3, invoice_count=invoices)
    async with running_portal(concurrency=5, sandbox=sandbox, env=NO_CACHE) as portal:
        users = await portal.sandbox.users()
        async with portal.browser() as browser:
            await portal.sign_in(browser, users[0])
            after, seen, total = None, 0, None
            latencies, calls, depths = [], [], []
            while True:
                start = time.monotonic()
                answer = await portal.graphql(browser, INVOICE_PAGE, first=PAGE, after=after)
                latencies.append(time.monotonic() - start)
                made = await portal.sandbox.calls_since(start)
                calls.append(len(made))
                depths.append(critical_path(made))
                connection = answer["viewer"]["customer"]["invoices"]
                seen += len(connection["nodes"])
                total = connection["totalCount"]
                if not connection["pageInfo"]["hasNextPage"]:
                    break
                after = connection["pageInfo"]["endCursor"]
    report.add(
        "d.scale",
        f"{invoices} invoices, pages of {PAGE}",
        invoices_seen=f"{seen}/{total}",
        pages=len(latencies),
        calls_per_page=max(calls),
        round_trips_per_page=max(depths),
        page_p50_ms=ms(percentile(latencies, 50)),
        page_p95_ms=ms(percentile(latencies, 95)),
        total_s=round(sum(latencies), 1),
    )


async def run(options: Options, report: Report) -> None:
    for invoices in (10, 100, 1000) if options.quick else (10, 100, 1000, 5000):
        await page_through(options, report, invoices)


__all__ = ["run"]
