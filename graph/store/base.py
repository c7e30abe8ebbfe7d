"""The shared-state interface: a tiny async key-value store with expiry and atomic add/pop.

Sessions, single-use OAuth state, cross-process leases and caches all live behind it, so that an
embedded deployment (SQLite) and a multi-instance one (Redis, later) differ only in the URL.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class StoreError(RuntimeError):
    """The store could not be reached or answered unexpectedly."""


@runtime_checkable
class Store(Protocol):
    """Async key-value store; values are opaque bytes, ``ttl`` is in seconds (None: no expiry)."""

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None: ...

    async def add(self, key: str, value: bytes, *, ttl: float | None = None) -> bool:
        """Store ``value`` only when ``key`` is absent (or expired); True when it was stored."""
        ...

    async def pop(self, key: str) -> bytes | None:
        """Atomically read and delete ``key``: of several concurrent callers one gets the value."""
        ...

    async def delete(self, key: str) -> None: ...

    async def ping(self) -> None:
        """Raise ``StoreError`` when the store is not usable."""
        ...

    async def aclose(self) -> None: ...


def check_ttl(ttl: float | None) -> None:
    if ttl is not None and ttl <= 0:
        raise ValueError(f"ttl must be positive seconds or None, not {ttl!r}")


__all__ = ["Store", "StoreError", "check_ttl"]
