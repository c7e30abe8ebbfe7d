"""The sandbox's in-process state, shared by its routes: data, issued credentials and counters."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from graph.sandbox.config import SandboxConfig

ADMINISTRATOR_ROLE = 3
CUSTOMER_CENTER_ROLE = 14


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a bearer token speaks for: an integration administrator, or a customer-center user."""

    role_id: int
    entity_id: int
    scopes: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.role_id == ADMINISTRATOR_ROLE

    @property
    def customer_id(self) -> int | None:
        """The customer whose records this principal may read; None means every record."""
        return None if self.is_admin else self.entity_id


@dataclass(slots=True)
class Counters:
    calls: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    rejected: int = 0
    faults: int = 0
    by_route: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
            "rejected": self.rejected,
            "faults": self.faults,
            "by_route": dict(self.by_route),
        }

    def reset(self) -> None:
        """Zero the counters; calls still in flight stay counted (and set the new peak)."""
        self.calls = self.rejected = self.faults = 0
        self.peak_in_flight = self.in_flight
        self.by_route.clear()


@dataclass(slots=True)
class SandboxState:
    config: SandboxConfig
    db: sqlite3.Connection
    counters: Counters = field(default_factory=Counters)
    # OAuth bookkeeping (codes, tokens, sign-in sessions) and fault rules live here, keyed by the
    # modules that own them, so that every route sees one consistent picture.
    oauth: dict[str, Any] = field(default_factory=dict)
    faults: list[Any] = field(default_factory=list)
    # Draws for probabilistic fault rules; seeded from config.seed so that a run can be replayed.
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self.rng.seed(self.config.seed)


__all__ = ["ADMINISTRATOR_ROLE", "CUSTOMER_CENTER_ROLE", "Counters", "Principal", "SandboxState"]
