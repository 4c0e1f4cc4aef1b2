"""A store subclass that redefines ``get``/``set`` sees every chunk, on every path.

Stores that instrument, cache or transform their values (zarr-python's
``test_accessed_chunks`` does exactly this) must be driven through their own
methods, never around them by the engine's batch IO.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import anyzarr as zarr
import anyzarr.api.asynchronous as az
from anyzarr.protocol._byte_request import ByteRequest
from anyzarr.protocol.buffer import Buffer, BufferPrototype
from anyzarr.storage import LocalStore, MemoryStore


class _Counting:
    gets: list[str]
    sets: list[str]


class CountingLocal(LocalStore, _Counting):
    def __init__(self, root: Any) -> None:
        super().__init__(root)
        self.gets, self.sets = [], []

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        self.gets.append(key)
        return await super().get(key, prototype, byte_range)

    async def set(self, key: str, value: Buffer) -> None:
        self.sets.append(key)
        await super().set(key, value)


class CountingMemory(MemoryStore, _Counting):
    def __init__(self) -> None:
        super().__init__()
        self.gets, self.sets = [], []

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        self.gets.append(key)
        return await super().get(key, prototype, byte_range)

    async def set(self, key: str, value: Buffer, byte_range: tuple[int, int] | None = None) -> None:
        self.sets.append(key)
        await super().set(key, value, byte_range)


def _store(kind: str, tmp_path: Path) -> Any:
    return CountingLocal(tmp_path) if kind == "local" else CountingMemory()


CHUNK_KEYS = sorted(f"c/{i}" for i in range(10))


@pytest.mark.parametrize("kind", ["local", "memory"])
@pytest.mark.parametrize("shape", [(100,), (1000,)], ids=["inline-size", "helper-size"])
def test_sync_api_calls_the_overrides_for_every_chunk(
    kind: str, shape: tuple[int], tmp_path: Path
) -> None:
    store = _store(kind, tmp_path)
    chunk = shape[0] // 10
    a = zarr.create_array(store, shape=shape, chunks=(chunk,), dtype="f8", compressors=None)
    store.sets.clear()
    a[:] = np.arange(shape[0], dtype="f8")
    assert sorted(store.sets) == CHUNK_KEYS
    store.gets.clear()
    np.testing.assert_array_equal(a[:], np.arange(shape[0]))
    assert sorted(store.gets) == CHUNK_KEYS
    # Partial writes read (get) and write (set) through the overrides too.
    store.gets.clear()
    store.sets.clear()
    a[chunk // 2 : chunk // 2 + 1] = -1
    assert store.gets == ["c/0"]
    assert store.sets == ["c/0"]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["local", "memory"])
async def test_async_api_calls_the_overrides_for_every_chunk(kind: str, tmp_path: Path) -> None:
    store = _store(kind, tmp_path)
    a = await az.create_array(store, shape=(100,), chunks=(10,), dtype="f8", compressors=None)
    store.sets.clear()
    await a.setitem(slice(None), np.arange(100, dtype="f8"))
    assert sorted(store.sets) == CHUNK_KEYS
    store.gets.clear()
    np.testing.assert_array_equal(await a.getitem(slice(None)), np.arange(100))
    assert sorted(store.gets) == CHUNK_KEYS


@pytest.mark.parametrize("kind", ["local", "memory"])
def test_sharded_reads_go_through_get_with_byte_ranges(kind: str, tmp_path: Path) -> None:
    store = _store(kind, tmp_path)
    a = zarr.create_array(store, shape=(100,), chunks=(10,), shards=(50,), dtype="i2")
    a[:] = np.arange(100, dtype="i2")
    store.gets.clear()
    assert int(a[55]) == 55
    # The shard's index, then the inner chunk: two gets of the same key.
    assert store.gets == ["c/1", "c/1"]
