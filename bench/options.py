"""What a benchmark run is asked for (``python -m bench --help``)."""

from __future__ import annotations

from dataclasses import dataclass

from graph.sandbox import SandboxConfig


@dataclass(frozen=True)
class Options:
    latency_ms: float = 150.0
    limits: tuple[int, ...] = (1, 5)
    quick: bool = False

    @property
    def latency(self) -> float:
        return self.latency_ms / 1000

    def repeats(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def sandbox(self, concurrency: int, **changes: object) -> SandboxConfig:
        """A sandbox with this run's upstream latency; a small company unless ``changes`` say otherwise."""
        values: dict[str, object] = {"concurrency": concurrency, "latency_ms": self.latency_ms}
        values.update({"customers": 80, **changes})
        return SandboxConfig(**values)  # type: ignore[arg-type]


__all__ = ["Options"]
