"""An in-process store: for tests and single-process development (state ends with the process)."""

from __future__ import annotations

import threading
import time

from graph.store.base import check_ttl


class MemoryStore:
    """A dict with expiry. Operations never await, so each is atomic for the event loop; the lock
    keeps that true when a test thread and a server thread share one instance."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[bytes, float | None]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> bytes | None:
        item = self._items.get(key)
        if item is None:
            return None
        value, expires_at = item
        if expires_at is not None and expires_at <= now:
            del self._items[key]
            return None
        return value

    @staticmethod
    def _deadline(ttl: float | None) -> float | None:
        check_ttl(ttl)
        return None if ttl is None else time.monotonic() + ttl

    async def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._live(key, time.monotonic())

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        deadline = self._deadline(ttl)
        with self._lock:
            self._items[key] = (bytes(value), deadline)

    async def add(self, key: str, value: bytes, *, ttl: float | None = None) -> bool:
        deadline = self._deadline(ttl)
        with self._lock:
            if self._live(key, time.monotonic()) is not None:
                return False
            self._items[key] = (bytes(value), deadline)
            return True

    async def pop(self, key: str) -> bytes | None:
        with self._lock:
            value = self._live(key, time.monotonic())
            self._items.pop(key, None)
            return value

    async def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    async def ping(self) -> None:
        return None

    async def aclose(self) -> None:
        with self._lock:
            self._items.clear()


__all__ = ["MemoryStore"]
