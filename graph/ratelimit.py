"""Token buckets: per viewer (or per client address when nobody is signed in) and per account.

A request takes one token from its viewer's bucket and one from the account's; the viewer bucket
stops one client from starving the others, the account bucket keeps the whole deployment within
what the NetSuite account can answer. Buckets live in this process (a deployment of N instances
admits up to N times the rate); idle buckets are forgotten.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import TTLCache

MAX_TRACKED = 100_000


@dataclass(slots=True)
class TokenBucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """0 when a token was taken, else the seconds until one will be there."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


class RateLimiter:
    """``check(key)``: 0 when the request may go ahead, else the whole seconds to wait (Retry-After)."""

    def __init__(
        self,
        *,
        per_minute: float,
        burst: int,
        account_per_minute: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.per_second, self.burst = per_minute / 60, float(burst)
        # A full bucket refills in burst / rate seconds; an idle one may be forgotten after that.
        self._buckets: TTLCache[str, TokenBucket] = TTLCache(
            MAX_TRACKED, ttl=max(60.0, burst / self.per_second), timer=clock
        )
        account_burst = max(float(burst), account_per_minute / 60)
        self._account = TokenBucket(account_burst, account_per_minute / 60, account_burst, clock())

    def check(self, key: str) -> int:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self.burst, self.per_second, self.burst, now)
        wait = bucket.take(now)
        if wait:
            return max(1, math.ceil(wait))
        wait = self._account.take(now)
        if wait:
            bucket.tokens += 1  # the viewer's token is not spent on a request that is refused
            return max(1, math.ceil(wait))
        return 0


__all__ = ["RateLimiter", "TokenBucket"]
