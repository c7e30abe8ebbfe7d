"""A short-lived, per-viewer cache of SuiteQL results.

Entries are keyed by the viewer first, so no entry is ever read on behalf of another viewer, and a
mutation drops everything its viewer had cached. Values are row lists, never futures: cachetools
does not understand coroutines.
"""

from __future__ import annotations

from typing import Any

from cachetools import LRUCache, TTLCache

Rows = list[dict[str, Any]]


class ViewerCache:
    def __init__(self, *, ttl: float, viewers: int = 10_000, entries_per_viewer: int = 256) -> None:
        self.ttl = ttl
        self._entries_per_viewer = entries_per_viewer
        self._viewers: LRUCache[str, TTLCache[str, Rows]] = LRUCache(maxsize=viewers)

    def get(self, viewer: str, query: str) -> Rows | None:
        if self.ttl <= 0:
            return None
        entries = self._viewers.get(viewer)
        return None if entries is None else entries.get(query)

    def put(self, viewer: str, query: str, rows: Rows) -> None:
        if self.ttl <= 0:
            return
        entries = self._viewers.get(viewer)
        if entries is None:
            entries = self._viewers[viewer] = TTLCache(maxsize=self._entries_per_viewer, ttl=self.ttl)
        entries[query] = rows

    def evict(self, viewer: str) -> None:
        self._viewers.pop(viewer, None)


__all__ = ["ViewerCache"]
