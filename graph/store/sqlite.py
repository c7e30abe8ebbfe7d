"""The embedded default store: one SQLite file that survives a restart of the service.

Each operation is a single SQL statement on one connection, run in a worker thread so the event
loop never blocks on disk. A statement is atomic in SQLite, also against other processes sharing
the file, which is what ``add`` and ``pop`` rely on. Expiry uses wall-clock time so that it holds
across restarts.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from graph.store.base import StoreError, check_ttl

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    expires_at REAL
) WITHOUT ROWID
"""
# Expired rows are invisible at once and physically removed every so many writes.
_PURGE_EVERY = 512


class SQLiteStore:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._writes = 0
        self._closed = False

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the store is closed")
        if self._connection is None:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=5.0
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(_SCHEMA)
            self._connection = connection
        return self._connection

    async def _run(self, operation: Callable[[sqlite3.Connection, float], T]) -> T:
        def call() -> T:
            with self._lock:
                try:
                    return operation(self._connect(), time.time())
                except sqlite3.Error as error:
                    raise StoreError(f"SQLite store {self.path!r}: {error}") from error

        return await asyncio.to_thread(call)

    def _wrote(self, connection: sqlite3.Connection, now: float) -> None:
        self._writes += 1
        if self._writes % _PURGE_EVERY == 0:
            connection.execute("DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?", (now,))

    async def get(self, key: str) -> bytes | None:
        def operation(connection: sqlite3.Connection, now: float) -> bytes | None:
            row = connection.execute(
                "SELECT value FROM kv WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)", (key, now)
            ).fetchone()
            return None if row is None else bytes(row[0])

        return await self._run(operation)

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        check_ttl(ttl)

        def operation(connection: sqlite3.Connection, now: float) -> None:
            expires_at = None if ttl is None else now + ttl
            connection.execute(
                "INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
                (key, bytes(value), expires_at),
            )
            self._wrote(connection, now)

        await self._run(operation)

    async def add(self, key: str, value: bytes, *, ttl: float | None = None) -> bool:
        check_ttl(ttl)

        def operation(connection: sqlite3.Connection, now: float) -> bool:
            expires_at = None if ttl is None else now + ttl
            # One statement: insert, or take over a row that has expired; otherwise change nothing.
            cursor = connection.execute(
                "INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at "
                "WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= ?",
                (key, bytes(value), expires_at, now),
            )
            self._wrote(connection, now)
            return cursor.rowcount == 1

        return await self._run(operation)

    async def pop(self, key: str) -> bytes | None:
        def operation(connection: sqlite3.Connection, now: float) -> bytes | None:
            row = connection.execute(
                "DELETE FROM kv WHERE key = ? RETURNING value, expires_at", (key,)
            ).fetchone()
            if row is None or (row[1] is not None and row[1] <= now):
                return None
            return bytes(row[0])

        return await self._run(operation)

    async def delete(self, key: str) -> None:
        def operation(connection: sqlite3.Connection, now: float) -> None:
            connection.execute("DELETE FROM kv WHERE key = ?", (key,))

        await self._run(operation)

    async def ping(self) -> None:
        def operation(connection: sqlite3.Connection, now: float) -> None:
            connection.execute("SELECT 1 FROM kv LIMIT 1").fetchall()

        await self._run(operation)

    async def aclose(self) -> None:
        def close() -> None:
            with self._lock:
                self._closed = True
                if self._connection is not None:
                    self._connection.close()
                    self._connection = None

        await asyncio.to_thread(close)


__all__ = ["SQLiteStore"]
