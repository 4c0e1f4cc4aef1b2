"""The engine's fast path for stores with synchronous batch IO (local, memory)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import anyzarr.api.asynchronous as az
from anyzarr.io._engine_fused import (
    IndexCache,
    fast_store,
    plan_batches,
    shard_index_cache,
)
from anyzarr.io.stores._local import LocalStore
from anyzarr.io.stores._memory import MemoryStore
from anyzarr.protocol.buffer import cpu


def test_index_cache_is_lru_and_ignores_none() -> None:
    cache = IndexCache(capacity=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (1, 3)
    cache.put(None, 4)
    cache.put("d", None)
    assert cache.get(None) is None
    assert len(cache) == 2
    cache.clear()
    assert len(cache) == 0


def test_plan_batches_spread_over_workers() -> None:
    batches = plan_batches(100, 1024, workers=3)
    assert sum(len(b) for b in batches) == 100
    assert len(batches) >= 6
    assert plan_batches(0, 10, 3) == []
    # Big chunks: one per batch, whatever the worker count.
    assert all(len(b) == 1 for b in plan_batches(5, 64 * 1024 * 1024, 1))


def test_fast_store_only_for_host_buffers(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    assert fast_store(store, None) is store
    assert fast_store(store, cpu.buffer_prototype) is store

    class Other:
        buffer = object

    assert fast_store(store, Other()) is None
    assert fast_store(object(), None) is None


def test_local_scratch_reads_and_versions(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    (tmp_path / "a").write_bytes(b"hello")
    (tmp_path / "b").write_bytes(b"world!")
    got = store.read_many_sync([("a", None), ("missing", None), ("b", None)], scratch=True)
    assert [None if g is None else bytes(g) for g in got] == [b"hello", None, b"world!"]
    plain = store.read_many_sync([("a", None)])
    assert plain == [b"hello"]
    before = store.version_sync("a")
    assert before is not None
    store.write_many_sync([("a", cpu.Buffer.from_bytes(b"HELLO")), ("b", None)])
    assert store.version_sync("a") != before
    assert store.version_sync("b") is None
    assert (tmp_path / "a").read_bytes() == b"HELLO"


def test_memory_versions_follow_sets() -> None:
    store = MemoryStore()
    store.write_many_sync([("k", cpu.Buffer.from_bytes(b"1"))])
    first = store.version_sync("k")
    assert first == store.version_sync("k")
    store.write_many_sync([("k", cpu.Buffer.from_bytes(b"1"))])
    assert store.version_sync("k") != first
    assert store.version_sync("nope") is None


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["local", "memory"])
async def test_round_trip_many_chunks(tmp_path: Path, kind: str) -> None:
    store = LocalStore(tmp_path) if kind == "local" else MemoryStore()
    data = np.arange(300 * 200, dtype="int32").reshape(300, 200)
    arr = await az.create_array(store, shape=data.shape, chunks=(16, 16), dtype="int32")
    await arr.setitem(slice(None), data)
    np.testing.assert_array_equal(await arr.getitem(slice(None)), data)
    np.testing.assert_array_equal(await arr.getitem((slice(5, 250, 3), 7)), data[5:250:3, 7])
    # Partial writes read-modify-write through the fast path too.
    await arr.setitem((slice(10, 20), slice(30, 45)), -1)
    data[10:20, 30:45] = -1
    np.testing.assert_array_equal(await arr.getitem(slice(None)), data)


@pytest.mark.anyio
async def test_sharded_index_cache_never_stale(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    data = np.arange(64 * 64, dtype="float64").reshape(64, 64)
    arr = await az.create_array(
        store, shape=data.shape, chunks=(8, 8), shards=(32, 32), dtype="float64"
    )
    await arr.setitem(slice(None), data)
    shard_index_cache.clear()
    assert await arr.getitem((3, 5)) == data[3, 5]
    assert len(shard_index_cache) == 1
    assert await arr.getitem((4, 6)) == data[4, 6]  # served with the cached index
    assert len(shard_index_cache) == 1
    # Rewriting the shard changes its version, so the old index is not used.
    await arr.setitem((slice(0, 32), slice(0, 32)), data[:32, :32] + 1000)
    assert await arr.getitem((3, 5)) == data[3, 5] + 1000
    expected = data.copy()
    expected[:32, :32] += 1000
    np.testing.assert_array_equal(await arr.getitem((slice(30, 40), slice(None))), expected[30:40])


@pytest.mark.anyio
async def test_missing_chunks_fill(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    arr = await az.create_array(store, shape=(40, 40), chunks=(10, 10), dtype="uint8", fill_value=7)
    await arr.setitem((slice(0, 10), slice(0, 10)), 1)
    got = await arr.getitem(slice(None))
    assert (got[:10, :10] == 1).all()
    assert (got[10:] == 7).all()
