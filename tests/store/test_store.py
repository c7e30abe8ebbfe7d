import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from graph.config import ConfigError
from graph.store import MemoryStore, SQLiteStore, Store, StoreError, open_store


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    backend: Store = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "state.sqlite3")
    yield backend
    await backend.aclose()


async def test_set_get_delete(store: Store) -> None:
    assert await store.get("k") is None
    await store.set("k", b"one")
    assert await store.get("k") == b"one"
    await store.set("k", b"two")
    assert await store.get("k") == b"two"
    await store.delete("k")
    assert await store.get("k") is None
    await store.delete("k")  # deleting a missing key is not an error


async def test_ttl_expires(store: Store) -> None:
    await store.set("short", b"x", ttl=0.05)
    await store.set("long", b"y", ttl=60)
    await store.set("forever", b"z")
    assert await store.get("short") == b"x"
    await asyncio.sleep(0.08)
    assert await store.get("short") is None
    assert await store.pop("short") is None
    assert await store.get("long") == b"y"
    assert await store.get("forever") == b"z"


async def test_set_replaces_ttl(store: Store) -> None:
    await store.set("k", b"x", ttl=0.05)
    await store.set("k", b"y")
    await asyncio.sleep(0.08)
    assert await store.get("k") == b"y"


async def test_add_only_when_absent_or_expired(store: Store) -> None:
    assert await store.add("lease", b"a", ttl=0.05) is True
    assert await store.add("lease", b"b") is False
    assert await store.get("lease") == b"a"
    await asyncio.sleep(0.08)
    assert await store.add("lease", b"c") is True
    assert await store.get("lease") == b"c"


async def test_bad_ttl_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="ttl"):
        await store.set("k", b"x", ttl=0)
    with pytest.raises(ValueError, match="ttl"):
        await store.add("k", b"x", ttl=-1)


async def test_concurrent_add_has_one_winner(store: Store) -> None:
    results = await asyncio.gather(*(store.add("lock", str(i).encode(), ttl=5) for i in range(25)))
    assert results.count(True) == 1
    winner = results.index(True)
    assert await store.get("lock") == str(winner).encode()


async def test_pop_is_single_use(store: Store) -> None:
    await store.set("state", b"verifier")
    results = await asyncio.gather(*(store.pop("state") for _ in range(25)))
    assert [r for r in results if r is not None] == [b"verifier"]
    assert await store.get("state") is None


async def test_ping(store: Store) -> None:
    await store.ping()


async def test_sqlite_survives_restart_and_keeps_expiry(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.sqlite3"
    first = SQLiteStore(path)
    await first.set("session", b"kept", ttl=60)
    await first.set("brief", b"gone", ttl=0.05)
    await first.aclose()
    await asyncio.sleep(0.08)
    second = SQLiteStore(path)
    try:
        assert await second.get("session") == b"kept"
        assert await second.get("brief") is None
        assert await second.add("brief", b"new") is True
    finally:
        await second.aclose()


async def test_sqlite_add_and_pop_are_atomic_across_connections(tmp_path: Path) -> None:
    # Two instances on one file stand for two service processes.
    path = tmp_path / "shared.sqlite3"
    one, two = SQLiteStore(path), SQLiteStore(path)
    try:
        adds = await asyncio.gather(*(s.add("lease", b"x", ttl=5) for s in (one, two) * 10))
        assert adds.count(True) == 1
        await one.set("code", b"once")
        pops = await asyncio.gather(*(s.pop("code") for s in (one, two) * 10))
        assert [p for p in pops if p is not None] == [b"once"]
    finally:
        await one.aclose()
        await two.aclose()


async def test_sqlite_closed_store_raises(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    await store.aclose()
    with pytest.raises(StoreError):
        await store.get("k")


async def test_sqlite_unusable_path_fails_ping(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    store = SQLiteStore(blocker / "state.sqlite3")
    with pytest.raises((StoreError, OSError)):
        await store.ping()
    await store.aclose()


def test_open_store_urls(tmp_path: Path) -> None:
    assert isinstance(open_store("memory://"), MemoryStore)
    store = open_store(f"sqlite:///{tmp_path}/a.sqlite3")
    assert isinstance(store, SQLiteStore)
    assert store.path == f"{tmp_path}/a.sqlite3"
    assert open_store("sqlite:///relative.sqlite3").path == "relative.sqlite3"  # type: ignore[attr-defined]


@pytest.mark.parametrize("url", ["redis://localhost:6379/0", "rediss://cache:6380/1"])
def test_open_store_redis_is_not_available_yet(url: str) -> None:
    with pytest.raises(ConfigError, match="Redis store is not available yet"):
        open_store(url)


@pytest.mark.parametrize("url", ["postgres://db", "sqlite://", "sqlite:///", "file.sqlite3"])
def test_open_store_rejects_other_urls(url: str) -> None:
    with pytest.raises(ConfigError):
        open_store(url)
