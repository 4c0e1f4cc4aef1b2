"""The engine's fast path for stores with synchronous batch IO (local, memory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def test_memory_store_offers_no_version_so_nothing_is_pinned() -> None:
    # A token that keeps the stored value alive would pin deleted shards in
    # the process-wide index cache; memory reads are cheap, so none is given.
    import anyzarr

    store = MemoryStore()
    arr = anyzarr.create_array(store, shape=(64, 64), chunks=(8, 8), shards=(32, 32), dtype="u1")
    arr[...] = 7
    assert store.version_sync("c/0/0") is None
    before = len(shard_index_cache)
    assert int(arr[3, 5]) == 7  # a partial shard read
    assert len(shard_index_cache) == before


def test_local_version_changes_when_a_same_size_file_replaces_it(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.write_many_sync([("s", cpu.Buffer.from_bytes(b"aaaa"))])
    first = store.version_sync("s")
    store.write_many_sync([("s", cpu.Buffer.from_bytes(b"bbbb"))])
    assert store.version_sync("s") != first


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


# -- decoding straight into the output ------------------------------------


def _zstd_chain_spec(shape: tuple[int, ...], dtype: str = "float32") -> tuple[Any, Any]:
    from anyzarr.protocol.buffer import default_buffer_prototype
    from anyzarr.protocol.codecs import BytesCodec, ChunkSpec, ZstdCodec, pipeline_from_codecs

    spec = ChunkSpec(
        shape=shape,
        dtype=np.dtype(dtype),
        fill_value=0,
        order="C",
        prototype=default_buffer_prototype(),
        write_empty_chunks=False,
    )
    return pipeline_from_codecs([BytesCodec(), ZstdCodec(level=1)]), spec


@pytest.mark.parametrize("n", [1, 10, 255, 256, 300, 70000, 300000])
def test_zstd_header_states_the_decoded_size(n: int) -> None:
    from numcodecs import Zstd

    from anyzarr.protocol.codecs import ZstdCodec
    from anyzarr.protocol.codecs._direct import stated_size

    data = Zstd(level=1).encode(np.arange(n, dtype="uint8"))
    assert stated_size(ZstdCodec(), data) == n
    assert stated_size(ZstdCodec(), b"not zstd") is None


def test_direct_decoder_fills_target_and_refuses_misfits() -> None:
    from numcodecs import Zstd
    from numcodecs.blosc import Blosc

    from anyzarr.protocol.codecs import BloscCodec, BytesCodec, pipeline_from_codecs

    pipeline, spec = _zstd_chain_spec((8, 16))
    direct = pipeline.direct_decoder(spec)
    assert direct is not None
    assert direct.nbytes == 8 * 16 * 4
    chunk = np.arange(128, dtype="float32").reshape(8, 16)
    [encoded] = pipeline.encode_batch([chunk], spec)
    target = np.zeros(direct.nbytes, dtype=np.uint8)
    assert direct.decode_into(encoded, target)
    np.testing.assert_array_equal(direct.as_chunk(target), chunk)
    # Wrong decoded size, garbage, or a wrong-sized target: left to the general path.
    assert not direct.decode_into(Zstd(1).encode(np.arange(10, dtype="float32")), target)
    assert not direct.decode_into(b"\x28\xb5\x2f\xfd" + b"\x00" * 20, target)
    assert not direct.decode_into(encoded, np.zeros(10, dtype=np.uint8))

    blosc = pipeline_from_codecs([BytesCodec(), BloscCodec(typesize=4, shuffle="shuffle")])
    bdirect = blosc.direct_decoder(spec)
    assert bdirect is not None
    [bencoded] = blosc.encode_batch([chunk], spec)
    target[:] = 0
    assert bdirect.decode_into(bencoded, target)
    np.testing.assert_array_equal(bdirect.as_chunk(target), chunk)
    assert not bdirect.decode_into(Blosc("lz4").encode(np.arange(7, dtype="f4")), target)


def test_direct_decoder_only_for_plain_chains() -> None:
    from anyzarr.protocol.codecs import (
        BytesCodec,
        Crc32cCodec,
        GzipCodec,
        TransposeCodec,
        ZstdCodec,
        pipeline_from_codecs,
    )

    _, spec = _zstd_chain_spec((4, 4))
    for codecs in (
        [BytesCodec()],
        [BytesCodec(), GzipCodec()],
        [BytesCodec(), ZstdCodec(), Crc32cCodec()],
        [TransposeCodec(order=(1, 0)), BytesCodec(), ZstdCodec()],
        [BytesCodec(endian="big"), ZstdCodec()],
    ):
        assert pipeline_from_codecs(codecs).direct_decoder(spec) is None, codecs


@pytest.mark.anyio
@pytest.mark.parametrize("compressor", ["zstd", "blosc"])
@pytest.mark.parametrize("kind", ["local", "memory"])
async def test_reads_decoded_in_place_match(
    tmp_path: Path, compressor: str, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anyzarr.protocol.codecs import DirectDecoder

    calls: list[int] = []
    original = DirectDecoder.decode_into

    def counting(self: DirectDecoder, data: Any, target: Any) -> bool:
        calls.append(target.nbytes)
        return original(self, data, target)

    monkeypatch.setattr(DirectDecoder, "decode_into", counting)
    from anyzarr.protocol.codecs import BloscCodec, ZstdCodec

    store = LocalStore(tmp_path) if kind == "local" else MemoryStore()
    codec = ZstdCodec(level=1) if compressor == "zstd" else BloscCodec(cname="lz4")
    data = np.random.default_rng(0).integers(0, 9, size=(300, 256)).astype("float32")
    # Chunks spanning whole rows land contiguously in the output; (128, 128)
    # chunks do not and go through the scratch buffer.  Both have edges, and
    # both are big enough (>= DIRECT_MIN_BYTES) for the direct decode.
    for chunks in ((128, 256), (128, 128)):
        arr = await az.create_array(
            store,
            name=f"a{chunks[1]}",
            shape=data.shape,
            chunks=chunks,
            dtype="float32",
            compressors=[codec],
        )
        await arr.setitem(slice(None), data)
        np.testing.assert_array_equal(await arr.getitem(slice(None)), data)
        np.testing.assert_array_equal(
            await arr.getitem((slice(3, 260), slice(5, 200))), data[3:260, 5:200]
        )
        np.testing.assert_array_equal(await arr.getitem((slice(None), 7)), data[:, 7])
    assert calls  # the direct path really ran


@pytest.mark.anyio
async def test_corrupt_or_misfit_chunks_still_raise(tmp_path: Path) -> None:
    from numcodecs import Zstd

    from anyzarr.protocol._errors import ChunkDecodeError
    from anyzarr.protocol.codecs import ZstdCodec

    store = LocalStore(tmp_path)
    arr = await az.create_array(
        store, shape=(256, 128), chunks=(128, 128), dtype="int32", compressors=[ZstdCodec()]
    )
    await arr.setitem(slice(None), 1)
    (tmp_path / "c" / "0" / "0").write_bytes(Zstd(1).encode(np.zeros(5, dtype="int32")))
    with pytest.raises(ChunkDecodeError, match="c/0/0"):
        await arr.getitem(slice(None))
    (tmp_path / "c" / "0" / "0").write_bytes(b"garbage")
    with pytest.raises(ChunkDecodeError, match="c/0/0"):
        await arr.getitem(slice(None))


# -- writes ----------------------------------------------------------------


def test_differs_at_start() -> None:
    from anyzarr.io._engine_fused import differs_at_start

    assert differs_at_start(np.array([1.0, 0.0]), 0.0)
    assert not differs_at_start(np.array([0.0, 1.0]), 0.0)  # unknown, not "all fill"
    assert differs_at_start(np.array([3], dtype="int8"), None)
    assert not differs_at_start(np.array([np.nan, 1.0]), np.nan)
    assert not differs_at_start(np.array([np.nan]), 0.0)  # NaN first: no quick answer
    assert differs_at_start(np.array([1.0]), np.nan)
    assert not differs_at_start(np.array([], dtype="f8"), 0.0)
    assert not differs_at_start(np.array(["a"], dtype="U1"), "a")


def test_writes_create_directories_and_leave_no_temp_files(tmp_path: Path) -> None:
    import os

    store = LocalStore(tmp_path)
    store.write_many_sync(
        [("x/y/z/0", cpu.Buffer.from_bytes(b"abc")), ("x/y/z/1", cpu.Buffer.from_bytes(b""))]
    )
    store.write_many_sync([("x/y/z/0", cpu.Buffer.from_bytes(b"new"))])
    assert (tmp_path / "x/y/z/0").read_bytes() == b"new"
    assert (tmp_path / "x/y/z/1").read_bytes() == b""
    assert sorted(os.listdir(tmp_path / "x/y/z")) == ["0", "1"]
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "x/y/z/0").stat().st_mode & 0o777 == 0o666 & ~umask


def test_writes_use_more_workers_than_reads(tmp_path: Path) -> None:
    from anyzarr.io._engine_fused import workers_for

    store = LocalStore(tmp_path, concurrency=64)
    assert workers_for(store, writing=True) > workers_for(store)
    assert workers_for(LocalStore(tmp_path, concurrency=1), writing=True) == 1


@pytest.mark.anyio
async def test_zero_dimensional_compressed_read(tmp_path: Path) -> None:
    from anyzarr.protocol.codecs import ZstdCodec

    arr = await az.create_array(
        LocalStore(tmp_path), shape=(), dtype="int32", fill_value=-5, compressors=[ZstdCodec()]
    )
    assert await arr.getitem(()) == -5
    await arr.setitem((), 7)
    assert await arr.getitem(()) == 7


def test_direct_decode_threshold_matches_test_chunks() -> None:
    from anyzarr.io._engine_fused import DIRECT_MIN_BYTES

    # The in-place read tests above use 64 KiB chunks; keep them on the direct path.
    assert DIRECT_MIN_BYTES <= 128 * 128 * 4


def test_inner_chunks_touched_counts_decode_work_not_output_size() -> None:
    from anyzarr.io._engine_chunks import inner_chunks_touched

    shard, inner = (4096, 4096), (128, 128)
    # Nearly the whole shard: every inner chunk (32 x 32) is decoded.
    assert inner_chunks_touched((slice(0, 4095), slice(None)), shard, inner) == 1024
    # One element: one inner chunk.
    assert inner_chunks_touched((5, 7), shard, inner) == 1
    # A thin strided column keeps one element per inner chunk row but decodes each.
    assert inner_chunks_touched((slice(0, 4096, 128), 3), shard, inner) == 32
    # Arrays count the distinct inner chunks they hit.
    assert inner_chunks_touched((np.array([0, 1, 300]), slice(0, 10)), shard, inner) == 2
    assert inner_chunks_touched((slice(5, 5), 0), shard, inner) == 0
