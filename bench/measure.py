"""Figures: percentiles, timed runs, and the table and JSON a benchmark run produces."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def percentile(samples: list[float], p: float) -> float:
    """The nearest-rank ``p``th percentile (0 < p <= 100); NaN without samples."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    """Seconds ``call`` took."""
    start = time.perf_counter()
    await call()
    return time.perf_counter() - start


async def for_duration(seconds: float, workers: int, call: Callable[[int], Awaitable[Any]]) -> list[float]:
    """Run ``workers`` loops of ``call(worker)`` back to back for ``seconds``; the latency of each call."""
    stop = time.perf_counter() + seconds
    latencies: list[float] = []

    async def loop(worker: int) -> None:
        while time.perf_counter() < stop:
            latencies.append(await timed(lambda: call(worker)))

    await asyncio.gather(*(loop(worker) for worker in range(workers)))
    return latencies


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


@dataclass
class Report:
    """Rows of (scenario, case, metric, value) printed as a table and written as JSON."""

    options: dict[str, Any]
    rows: list[tuple[str, str, str, Any]] = field(default_factory=list)

    def add(self, scenario: str, case: str, **metrics: Any) -> None:
        for metric, value in metrics.items():
            self.rows.append((scenario, case, metric, value))

    def table(self) -> str:
        header = ("scenario", "case", "metric", "value")
        cells = [header, *((s, c, m, _show(v)) for s, c, m, v in self.rows)]
        widths = [max(len(row[i]) for row in cells) for i in range(4)]
        lines = []
        for n, row in enumerate(cells):
            padded = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            lines.append("  ".join(padded).rstrip())
            if n == 0:
                lines.append("  ".join("-" * width for width in widths))
        return "\n".join(lines)

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / time.strftime("bench-%Y%m%d-%H%M%S.json")
        results = [{"scenario": s, "case": c, "metric": m, "value": v} for s, c, m, v in self.rows]
        path.write_text(json.dumps({"options": self.options, "results": results}, indent=2) + "\n")
        return path


def _show(value: Any) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


__all__ = ["Report", "for_duration", "ms", "percentile", "timed"]
