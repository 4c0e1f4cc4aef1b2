"""The engine with real stores: batch IO (local, memory) and the async API (a subclass)."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest
from _probe_store import ProbeStore

import anyzarr.api.asynchronous as az
from anyzarr.errors import ChunkDecodeError, ChunkNotFoundError
from anyzarr.io import _engine
from anyzarr.io._index_cache import IndexCache, shard_index_cache
from anyzarr.io._store import Store
from anyzarr.io.stores._local import LocalStore
from anyzarr.io.stores._memory import MemoryStore
from anyzarr.protocol.array import ArrayRead, ArrayWrite, StoredArray
from anyzarr.protocol.buffer import cpu
from anyzarr.protocol.codecs import BloscCodec, ShardIndex, ZstdCodec
from anyzarr.protocol.metadata import create_array_metadata

KINDS = ["local", "memory", "probe"]


def _store(kind: str, tmp_path: Path, **kw: Any) -> Store:
    if kind == "local":
        return LocalStore(tmp_path, **kw)
    if kind == "memory":
        return MemoryStore(**kw)
    return ProbeStore(**kw)


def _stored(**kw: Any) -> StoredArray:
    meta = create_array_metadata(
        shape=kw.pop("shape", (23, 17)),
        dtype=kw.pop("dtype", "int32"),
        chunks=kw.pop("chunks", (5, 4)),
        **kw,
    )
    return StoredArray.from_metadata(meta, "arr")


async def _fill(array: StoredArray, store: Store) -> np.ndarray[Any, Any]:
    shape = array.metadata.shape
    data = np.arange(int(np.prod(shape)), dtype=array.spec.dtype).reshape(shape)
    await _engine.write(ArrayWrite.for_selection(array, Ellipsis, data), store)
    return data


async def _read(array: StoredArray, store: Store, selection: Any = Ellipsis, **kw: Any) -> Any:
    read = ArrayRead.for_selection(array, selection, **kw)
    await _engine.read(read, store)
    return read.result()


def test_batch_io_only_for_host_memory_and_own_io(tmp_path: Path) -> None:
    from anyzarr.protocol.buffer import gpu

    array = _stored()
    local = LocalStore(tmp_path)
    assert _engine.batch_io_for(local, array) is local.batch_io() is not None
    on_gpu = StoredArray.from_metadata(array.metadata, prototype=gpu.buffer_prototype)
    assert _engine.batch_io_for(local, on_gpu) is None
    assert _engine.batch_io_for(ProbeStore(), array) is None


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shards", [None, (10, 8)])
@pytest.mark.parametrize(
    "selection",
    [Ellipsis, (slice(2, 19, 3), slice(1, None)), (7, slice(None)), (slice(20, 23), 16), (3, 4)],
)
async def test_reads_match_numpy(tmp_path: Path, kind: str, shards: Any, selection: Any) -> None:
    store = _store(kind, tmp_path)
    array = _stored(shards=shards)
    data = await _fill(array, store)
    np.testing.assert_array_equal(await _read(array, store, selection), data[selection])


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_large_reads_and_partial_writes(tmp_path: Path, kind: str) -> None:
    store = _store(kind, tmp_path)
    array = _stored(shape=(300, 200), chunks=(16, 16))
    data = await _fill(array, store)
    np.testing.assert_array_equal(await _read(array, store), data)
    await _engine.write(ArrayWrite.for_selection(array, (slice(10, 20), slice(30, 45)), -1), store)
    data[10:20, 30:45] = -1
    np.testing.assert_array_equal(await _read(array, store), data)
    np.testing.assert_array_equal(
        await _read(array, store, (slice(5, 250, 3), 7)), data[5:250:3, 7]
    )


@pytest.mark.anyio
async def test_requests_through_the_async_api_overlap() -> None:
    store = ProbeStore()
    array = _stored()
    await _fill(array, store)
    store.delay = 0.02
    with anyio.fail_after(5):
        await _read(array, store)
    # 25 chunks fetched one after another would take 0.5 s; these overlap.
    assert store.max_in_flight > 5


@pytest.mark.anyio
async def test_a_failed_request_cancels_the_rest() -> None:
    store = ProbeStore()
    array = _stored()
    await _fill(array, store)
    store.delay, store.fail_on = 0.01, "arr/c/2/2"
    with pytest.raises(OSError, match="arr/c/2/2"):
        await _read(array, store)
    assert store.in_flight == 0


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_missing_chunks_fill_or_raise(tmp_path: Path, kind: str) -> None:
    store = _store(kind, tmp_path)
    array = _stored(fill_value=-1)
    data = await _fill(array, store)
    await store.delete("arr/c/0/0")
    data[:5, :4] = -1
    np.testing.assert_array_equal(await _read(array, store), data)
    with pytest.raises(ChunkNotFoundError, match="arr/c/0/0"):
        await _read(array, store, read_missing_chunks=False)


@pytest.mark.anyio
async def test_covered_chunks_are_not_read() -> None:
    store = ProbeStore()
    array = _stored()
    await _fill(array, store)
    store.gets.clear()
    store.sets.clear()
    await _engine.write(ArrayWrite.for_selection(array, (slice(0, 10), slice(0, 8)), 1), store)
    assert store.gets == []
    assert sorted(store.sets) == ["arr/c/0/0", "arr/c/0/1", "arr/c/1/0", "arr/c/1/1"]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["probe", "local"])
@pytest.mark.parametrize("seed", range(4))
async def test_cancelled_write_leaves_each_chunk_old_or_new(
    tmp_path: Path, kind: str, seed: int
) -> None:
    rng = random.Random(seed)
    store = _store(kind, tmp_path)
    array = _stored(shape=(230, 170))
    data = await _fill(array, store)
    new = data + 1000
    if isinstance(store, ProbeStore):
        store.delay = 0.005
    write = ArrayWrite.for_selection(array, Ellipsis, new)
    with anyio.move_on_after(rng.uniform(0.0, 0.03)):
        await _engine.write(write, store)
    if isinstance(store, ProbeStore):
        assert store.in_flight == 0
        store.delay = 0
    back = await _read(array, store)
    for p in write.plan.projections:
        region = p.out_selection
        got = back[region]
        assert np.array_equal(got, data[region]) or np.array_equal(got, new[region])


@pytest.mark.anyio
async def test_sharded_index_cache_is_never_stale(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    array = _stored(shape=(64, 64), chunks=(8, 8), shards=(32, 32), dtype="float64")
    data = await _fill(array, store)
    shard_index_cache.clear()
    assert await _read(array, store, (3, 5)) == data[3, 5]
    assert len(shard_index_cache) == 1
    assert await _read(array, store, (4, 6)) == data[4, 6]  # with the cached index
    assert len(shard_index_cache) == 1
    # Rewriting the shard changes its version, so the old index is not used.
    new = data[:32, :32] + 1000
    await _engine.write(ArrayWrite.for_selection(array, (slice(0, 32), slice(0, 32)), new), store)
    data[:32, :32] = new
    assert await _read(array, store, (3, 5)) == data[3, 5]
    np.testing.assert_array_equal(
        await _read(array, store, (slice(30, 40), slice(None))), data[30:40]
    )


@pytest.mark.anyio
async def test_memory_store_tokens_pin_nothing() -> None:
    # Caches keyed by a memory store's token must not keep a replaced or
    # deleted value alive: the token refers to the stored value weakly.
    import gc

    store = MemoryStore()
    array = _stored(shape=(64, 64), chunks=(8, 8), shards=(32, 32), dtype="u1")
    await _fill(array, store)
    io = store.batch_io()
    assert io is not None
    token = io.version("arr/c/0/0")
    assert token is not None
    assert token == io.version("arr/c/0/0")
    await _read(array, store, (3, 5))  # caches the shard's index under the token
    await store.delete("arr/c/0/0")
    gc.collect()
    assert token != io.version("arr/c/0/0")
    assert io.version("arr/c/0/0") is None


def test_index_cache_is_an_lru_that_ignores_none() -> None:
    cache = IndexCache(capacity=2)
    index = [ShardIndex(np.full((1, 2), i, dtype=np.uint64)) for i in range(4)]
    cache.put("a", index[0])
    cache.put("b", index[1])
    assert cache.get("a") is index[0]  # "a" is now the most recent
    cache.put("c", index[2])
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (index[0], index[2])
    cache.put(None, index[3])
    assert cache.get(None) is None
    assert len(cache) == 2
    cache.clear()
    assert len(cache) == 0


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("compressor", ["zstd", "blosc"])
async def test_direct_decoding_matches_on_every_path(
    tmp_path: Path, kind: str, compressor: str
) -> None:
    store = _store(kind, tmp_path)
    codec = ZstdCodec(level=1) if compressor == "zstd" else BloscCodec(cname="lz4")
    rng = np.random.default_rng(0)
    # Chunks spanning whole rows land contiguously in the output; (128, 128)
    # chunks do not and go through scratch memory.  Both have edges.
    for chunks in ((128, 256), (128, 128)):
        array = _stored(shape=(300, 256), chunks=chunks, dtype="float32", compressors=[codec])
        data = rng.integers(0, 9, size=(300, 256)).astype("float32")
        await _engine.write(ArrayWrite.for_selection(array, Ellipsis, data), store)
        np.testing.assert_array_equal(await _read(array, store), data)
        np.testing.assert_array_equal(
            await _read(array, store, (slice(3, 260), slice(5, 200))), data[3:260, 5:200]
        )
        np.testing.assert_array_equal(await _read(array, store, (slice(None), 7)), data[:, 7])


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_corrupt_or_misfit_chunks_raise_with_their_key(tmp_path: Path, kind: str) -> None:
    from numcodecs import Zstd

    store = _store(kind, tmp_path)
    array = _stored(shape=(256, 128), chunks=(128, 128), compressors=[ZstdCodec()])
    await _fill(array, store)
    for bad in (Zstd(1).encode(np.zeros(5, dtype="int32")), b"garbage"):
        await store.set("arr/c/0/0", cpu.Buffer.from_bytes(bytes(bad)))
        with pytest.raises(ChunkDecodeError, match="arr/c/0/0"):
            await _read(array, store)


@pytest.mark.anyio
async def test_zero_dimensional_compressed_array(tmp_path: Path) -> None:
    arr = await az.create_array(
        LocalStore(tmp_path), shape=(), dtype="int32", fill_value=-5, compressors=[ZstdCodec()]
    )
    assert await arr.getitem(()) == -5
    await arr.setitem((), 7)
    assert await arr.getitem(()) == 7


def test_writes_get_more_workers_than_reads(tmp_path: Path) -> None:
    wide = LocalStore(tmp_path, concurrency=64).batch_io()
    narrow = LocalStore(tmp_path, concurrency=1).batch_io()
    assert wide is not None
    assert narrow is not None
    assert _engine.workers_for(wide, writing=True) > _engine.workers_for(wide)
    assert _engine.workers_for(narrow, writing=True) == 1
    assert _engine.workers_for(wide, max_workers=2) == 2


def test_threading_max_workers_setting_bounds_workers(tmp_path: Path) -> None:
    from anyzarr.io._config import config

    io = LocalStore(tmp_path, concurrency=64).batch_io()
    assert io is not None
    with config.set({"threading.max_workers": 1}):
        assert _engine.workers_for(io, writing=True) == 1
        assert _engine.helper_threads() == 1
    assert _engine.helper_threads() == 2 * (os.cpu_count() or 2) + 1


@pytest.mark.parametrize(
    ("chunks", "compressors", "zarr_format", "expected"),
    [
        # 4 KiB zstd chunks: the per-chunk Python work outweighs the decoding.
        ((32, 32), ZstdCodec(), 3, "one"),
        ((64, 64), ZstdCodec(), 3, "cores"),
        ((512, 512), ZstdCodec(), 3, "all"),
        ((128, 128), None, 3, "one"),
        ((128, 128), BloscCodec(), 3, "one"),
        ((512, 512), BloscCodec(), 3, "all"),
        ((32, 32), {"id": "zlib"}, 2, "cores"),
        ((16, 16), {"id": "zlib"}, 2, "one"),
        ((32, 32), {"id": "zstd"}, 2, "one"),
    ],
)
def test_read_workers_follow_the_work_per_object(
    tmp_path: Path, chunks: tuple[int, int], compressors: Any, zarr_format: int, expected: str
) -> None:
    io = LocalStore(tmp_path, concurrency=64).batch_io()
    assert io is not None
    all_workers = _engine.workers_for(io)
    array = _stored(
        shape=(1024, 1024),
        dtype="float32",
        chunks=chunks,
        compressors=compressors,
        zarr_format=zarr_format,
    )
    read = ArrayRead.for_selection(array, Ellipsis)
    wanted = {"one": 1, "cores": min(all_workers, os.cpu_count() or 2), "all": all_workers}
    assert _engine.read_workers(read, io) == wanted[expected]
    # The setting still bounds it.
    assert _engine.read_workers(read, io, max_workers=1) == 1


def test_sharded_reads_keep_every_worker(tmp_path: Path) -> None:
    io = LocalStore(tmp_path, concurrency=64).batch_io()
    assert io is not None
    array = _stored(shape=(1024, 1024), dtype="float32", chunks=(32, 32), shards=(256, 256))
    read = ArrayRead.for_selection(array, Ellipsis)
    assert _engine.read_workers(read, io) == _engine.workers_for(io)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_zero_dimensional_sharded_array(tmp_path: Path, kind: str) -> None:
    arr = await az.create_array(
        _store(kind, tmp_path), shape=(), chunks=(), shards=(), dtype="int32", fill_value=3
    )
    assert await arr.getitem(()) == 3
    await arr.setitem((), 5)
    assert await arr.getitem(()) == 5
    assert await arr.getitem(Ellipsis) == 5


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["local", "memory"])
async def test_blosc_elements_read_block_by_block_match_the_data(tmp_path: Path, kind: str) -> None:
    from anyzarr.protocol.codecs._blosc_blocks import BloscFrame

    arr = await az.create_array(
        _store(kind, tmp_path),
        shape=(300, 300),
        chunks=(256, 256),
        dtype="float32",
        compressors=[BloscCodec(cname="zstd", clevel=1, shuffle="shuffle", blocksize=4096)],
        config={"cache_chunks": False},
    )
    data = np.random.default_rng(5).standard_normal((300, 300)).astype("float32")
    await arr.setitem(Ellipsis, data)
    calls = 0
    real = BloscFrame.decode_blocks

    def counting(self: BloscFrame, blocks: Any, out: Any) -> None:
        nonlocal calls
        calls += 1
        real(self, blocks, out)

    points = [(0, 0), (255, 255), (256, 3), (299, 299), (17, 260)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BloscFrame, "decode_blocks", counting)
        for point in points:
            assert await arr.getitem(point) == data[point]
        assert np.array_equal(await arr.getitem((slice(40, 41), slice(None))), data[40:41])
    assert calls == len(points) + 2  # the row crosses two chunks
