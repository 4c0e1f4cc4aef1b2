"""The decoded-chunk cache: bounded, checked by version token, never stale."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import anyzarr
from anyzarr.io._chunk_cache import ChunkCache, chunk_cache
from anyzarr.io._config import config
from anyzarr.storage import LocalStore, MemoryStore


def test_lru_by_bytes_with_tokens() -> None:
    cache = ChunkCache(4000)
    a, b, c = (np.full(100, i, dtype="f8") for i in range(3))  # 800 bytes each
    cache.put("s", ("a", None), 1, a)
    cache.put("s", ("b", None), 1, b)
    assert cache.get("s", ("a", None), 1) is not None  # "a" is now the most recent
    assert cache.get("s", ("a", None), 2) is None  # another version of the object: a miss
    assert cache.get("other", ("a", None), 1) is None  # another store's data
    assert cache.get("s", ("a", None), None) is None  # no token, no answer
    cache.put("s", ("c", None), 1, c)
    for i in range(3, 6):
        cache.put("s", (f"x{i}", None), 1, np.zeros(100))
    assert cache.nbytes <= 4000
    assert cache.get("s", ("b", None), 1) is None  # the least recent went first
    got = cache.get("s", ("a", None), 1)
    assert got is not None
    assert not got.flags.writeable
    cache.put("s", ("huge", None), 1, np.zeros(1000))  # over a quarter of the bound: not kept
    assert cache.get("s", ("huge", None), 1) is None
    cache.put("s", ("a", (0, 1)), 1, a)  # an inner chunk of the shard under "a"
    cache.invalidate("s", ["a"])
    assert cache.get("s", ("a", None), 1) is None
    assert cache.get("s", ("a", (0, 1)), 1) is None
    cache.resize(0)
    assert len(cache) == 0
    assert cache.nbytes == 0


def _array(store: Any, codec: str = "zstd", **kw: Any) -> Any:
    compressors = None if codec == "none" else [{"name": codec}]
    a = anyzarr.create_array(
        store, shape=(256, 256), chunks=(64, 64), dtype="f8", compressors=compressors, **kw
    )
    a[...] = np.arange(256 * 256, dtype="f8").reshape(256, 256)
    return a


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    chunk_cache.clear()
    yield
    chunk_cache.clear()


@pytest.mark.parametrize("kind", ["local", "memory"])
@pytest.mark.parametrize("codec", ["zstd", "blosc"])
def test_small_reads_decode_each_chunk_once(kind: str, codec: str, tmp_path: Path) -> None:
    store = LocalStore(tmp_path) if kind == "local" else MemoryStore()
    a = _array(store, codec)
    hits = chunk_cache.hits
    points = [(i * 7 % 64, i * 13 % 64) for i in range(50)]  # all in chunk (0, 0)
    for i, j in points:
        assert a[i, j] == i * 256 + j
    assert chunk_cache.hits - hits == len(points) - 1
    # Another chunk in between, read into the same scratch memory, changes nothing.
    assert a[200, 200] == 200 * 256 + 200
    assert a[3, 4] == 3 * 256 + 4
    assert a.async_array._config.cache_chunks


def test_a_chunk_replaced_by_another_writer_is_read_again(tmp_path: Path) -> None:
    a = _array(LocalStore(tmp_path))
    assert a[1, 1] == 257
    # Another process (here: another handle on another store object) rewrites it.
    other = anyzarr.open_array(LocalStore(tmp_path), mode="r+")
    other[0:64, 0:64] = -1.0
    assert a[1, 1] == -1.0
    # Bytes put in place behind anyzarr's back are seen too.
    chunk = tmp_path / "c" / "0" / "0"
    saved = chunk.read_bytes()
    a[0:64, 0:64] = 5.0
    assert a[2, 2] == 5.0
    os.replace(_write(tmp_path / "tmp", saved), chunk)
    assert a[2, 2] == -1.0


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_writes_through_anyzarr_drop_the_entries(tmp_path: Path) -> None:
    a = _array(MemoryStore())
    assert a[5, 5] == 5 * 256 + 5
    assert len(chunk_cache) == 1
    a[5, 5] = 0.5
    assert len(chunk_cache) == 0
    assert a[5, 5] == 0.5


def test_the_cache_can_be_turned_off_globally_and_per_array(tmp_path: Path) -> None:
    a = _array(LocalStore(tmp_path))
    with config.set({"chunk_cache.max_bytes": 0}):
        assert a[1, 2] == 258
        assert len(chunk_cache) == 0
    off = anyzarr.open_array(LocalStore(tmp_path), mode="r", config={"cache_chunks": False})
    assert off[1, 2] == 258
    assert len(chunk_cache) == 0
    assert a[1, 2] == 258
    assert len(chunk_cache) == 1


@pytest.mark.anyio
async def test_async_reads_use_it_too(tmp_path: Path) -> None:
    a = _array(LocalStore(tmp_path)).async_array
    hits = chunk_cache.hits
    for j in range(10):
        assert await a.getitem((3, j)) == 3 * 256 + j
    assert chunk_cache.hits - hits == 9


def test_large_reads_do_not_fill_it(tmp_path: Path) -> None:
    a = _array(LocalStore(tmp_path))
    a[::2, ::2]  # 16 chunks, each read in part: a small read, kept
    assert len(chunk_cache) == 16
    chunk_cache.clear()
    a[...]  # whole chunks: never kept
    assert len(chunk_cache) == 0


@pytest.mark.parametrize("kind", ["local", "memory"])
def test_inner_chunks_of_shards_are_kept_too(kind: str, tmp_path: Path) -> None:
    store = LocalStore(tmp_path) if kind == "local" else MemoryStore()
    a = _array(store, shards=(128, 128))
    assert a[1, 2] == 258
    hits = chunk_cache.hits
    assert [a[i, 3] for i in range(5)] == [i * 256 + 3 for i in range(5)]
    assert chunk_cache.hits - hits == 5  # one inner chunk, decoded once
    a[0:64, 0:64] = 9.0  # rewrites the shard
    assert a[1, 2] == 9.0
    assert a[100, 100] == 100 * 256 + 100
