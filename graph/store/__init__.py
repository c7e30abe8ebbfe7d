"""Shared state behind one small interface; ``open_store(url)`` picks the backend."""

from __future__ import annotations

from urllib.parse import urlsplit

from graph.config import ConfigError
from graph.store.base import Store, StoreError
from graph.store.memory import MemoryStore
from graph.store.sqlite import SQLiteStore

_SQLITE_PREFIX = "sqlite:///"


def open_store(url: str) -> Store:
    """``memory://`` or ``sqlite:///relative/path`` / ``sqlite:////absolute/path``."""
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryStore()
    if scheme == "sqlite":
        if not url.startswith(_SQLITE_PREFIX) or len(url) == len(_SQLITE_PREFIX):
            raise ConfigError(f"PORTAL_STORE_URL {url!r} must look like sqlite:///path/to/file.sqlite3")
        return SQLiteStore(url[len(_SQLITE_PREFIX) :])
    if scheme in ("redis", "rediss"):
        raise ConfigError(
            "PORTAL_STORE_URL: the Redis store is not available yet; use sqlite:///path or memory:// "
            "(one instance) until it lands"
        )
    raise ConfigError(f"PORTAL_STORE_URL must start with sqlite:///, memory:// or redis://, not {url!r}")


__all__ = ["MemoryStore", "SQLiteStore", "Store", "StoreError", "open_store"]
