"""Concurrency and cancellation of AsyncArray reads and writes on real stores."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest

from anyzarr.api._array import AsyncArray
from anyzarr.io._store import Store
from anyzarr.protocol._byte_request import ByteRequest
from anyzarr.storage import LocalStore, MemoryStore, WrapperStore

pytestmark = pytest.mark.anyio


class SlowStore(WrapperStore[Store]):
    """Sleeps in every get and set, and records how many overlap."""

    def __init__(self, store: Store, delay: float = 0.01) -> None:
        super().__init__(store)
        self.delay = delay
        self.in_flight = 0
        self.max_in_flight = 0
        self.sets = 0
        self.requests: list[tuple[str, ByteRequest | None]] = []

    def _with_store(self, store: Store) -> SlowStore:
        return SlowStore(store, self.delay)

    async def _pause(self) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await anyio.sleep(self.delay)
        finally:
            self.in_flight -= 1

    async def get(
        self, key: str, prototype: Any = None, byte_range: ByteRequest | None = None
    ) -> Any:
        self.requests.append((key, byte_range))
        await self._pause()
        return await super().get(key, prototype=prototype, byte_range=byte_range)

    async def set(self, key: str, value: Any) -> None:
        await self._pause()
        await super().set(key, value)
        self.sets += 1


async def test_chunk_requests_overlap() -> None:
    slow = SlowStore(MemoryStore(), delay=0.05)
    arr = await AsyncArray._create(slow, shape=(40, 40), chunks=(10, 10), dtype="f4")
    data = np.random.default_rng(1).random((40, 40), dtype="f4")
    with anyio.fail_after(10):
        await arr.setitem(Ellipsis, data)
    assert slow.max_in_flight > 4
    slow.max_in_flight = 0
    start = anyio.current_time()
    back = await arr.getitem(Ellipsis)
    elapsed = anyio.current_time() - start
    np.testing.assert_array_equal(back, data)
    assert slow.max_in_flight > 4
    # 16 chunks fetched one after another would take 0.8 s.
    assert elapsed < 0.6


async def test_a_store_limit_of_one_does_not_deadlock() -> None:
    # The engine never holds the store's limiter itself, so nested requests
    # (shard index, then ranges) cannot starve each other.
    slow = SlowStore(MemoryStore(concurrency=1), delay=0.001)
    arr = await AsyncArray._create(slow, shape=(60,), chunks=(5,), shards=(20,), dtype="i2")
    with anyio.fail_after(10):
        await arr.setitem(Ellipsis, np.arange(60, dtype="i2"))
        np.testing.assert_array_equal(await arr.getitem(slice(3, 47)), np.arange(3, 47))


async def test_cancelled_read_stops_everything() -> None:
    slow = SlowStore(MemoryStore(), delay=0.2)
    arr = await AsyncArray._create(slow, shape=(100,), chunks=(10,), dtype="i4")
    with anyio.move_on_after(0.05) as scope:
        await arr.getitem(Ellipsis)
    assert scope.cancelled_caught
    assert slow.in_flight == 0


@pytest.mark.parametrize("seed", range(4))
async def test_cancelled_write_leaves_each_chunk_old_or_new(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    slow = SlowStore(LocalStore(tmp_path / "c.zarr"), delay=0.002)
    shape, chunks = (64, 48), (8, 8)
    arr = await AsyncArray._create(slow, shape=shape, chunks=chunks, dtype="i4", fill_value=-1)
    old = np.arange(64 * 48, dtype="i4").reshape(shape)
    await arr.setitem(Ellipsis, old)
    new = old * 10 + 1
    with anyio.move_on_after(rng.uniform(0.0, 0.06)):
        # A partial write, so read-modify-write chunks are cancelled too.
        await arr.setitem((slice(3, 61), slice(None)), new[3:61])
    sets_after = slow.sets
    await anyio.sleep(0.05)
    assert slow.in_flight == 0
    assert slow.sets == sets_after, "a task kept writing after the call was cancelled"
    reopened = await AsyncArray.open(LocalStore(tmp_path / "c.zarr"))
    back = await reopened.getitem(Ellipsis)
    expected_new = old.copy()
    expected_new[3:61] = new[3:61]
    for i in range(0, shape[0], chunks[0]):
        for j in range(0, shape[1], chunks[1]):
            region = (slice(i, i + chunks[0]), slice(j, j + chunks[1]))
            got = back[region]
            assert np.array_equal(got, old[region]) or np.array_equal(got, expected_new[region]), (
                i,
                j,
            )
    leftovers = [p.name for p in (tmp_path / "c.zarr").rglob("*") if p.name.startswith(".")]
    assert all(name in {".zarray", ".zattrs", ".zgroup"} for name in leftovers), leftovers


async def test_partial_shard_reads_fetch_only_needed_bytes() -> None:
    slow = SlowStore(MemoryStore(), delay=0)
    arr = await AsyncArray._create(
        slow, shape=(32, 32), chunks=(4, 4), shards=(16, 16), dtype="f8", compressors=None
    )
    data = np.arange(32 * 32, dtype="f8").reshape(32, 32)
    await arr.setitem(Ellipsis, data)
    slow.requests.clear()
    assert await arr.getitem((5, 6)) == data[5, 6]
    shard_requests = [r for r in slow.requests if r[0] == "c/0/0"]
    assert len(shard_requests) == 2, slow.requests
    assert all(r[1] is not None for r in shard_requests)
    slow.requests.clear()
    np.testing.assert_array_equal(await arr.getitem(Ellipsis), data)
    # Whole shards are fetched in one request each.
    assert sorted(k for k, _ in slow.requests) == ["c/0/0", "c/0/1", "c/1/0", "c/1/1"]
