"""``python -m bench``: run the scenarios, print the table, write JSON to bench/results/."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import time
import warnings
from dataclasses import asdict
from pathlib import Path

from bench.measure import Report
from bench.options import Options

RESULTS = Path(__file__).parent / "results"
# Scenario name -> module with ``async def run(options, report)``, in the order they run.
SCENARIOS = {
    "dashboard": "bench.dashboard",
    "load": "bench.load",
    "scale": "bench.scale",
    "overhead": "bench.overhead",
    "without": "bench.alternatives",
}


def parse(argv: list[str] | None = None) -> tuple[Options, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=150.0, help="sandbox latency per call (150)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and shorter load phases")
    parser.add_argument("--only", nargs="+", choices=sorted(SCENARIOS), help="run only these scenarios")
    args = parser.parse_args(argv)
    return Options(latency_ms=args.latency_ms, quick=args.quick), args.only or list(SCENARIOS)


async def main(options: Options, scenarios: list[str]) -> Report:
    report = Report(options={**asdict(options), "scenarios": scenarios})
    for name in scenarios:
        started = time.perf_counter()
        await importlib.import_module(SCENARIOS[name]).run(options, report)
        print(f"# {name} done in {time.perf_counter() - started:.0f} s", flush=True)
    return report


if __name__ == "__main__":
    # Retries and refreshes are logged at WARNING by design; a benchmark prints figures only.
    logging.basicConfig(level=logging.ERROR)
    # A request that outlives its deadline is a figure here (client errors), not a traceback.
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    options, scenarios = parse()
    report = asyncio.run(main(options, scenarios))
    print(report.table())
    print(f"# written to {report.write(RESULTS)}")
