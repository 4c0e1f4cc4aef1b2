"""The per-chunk shortcuts of the codec layer agree with the general decode.

Each shortcut (module-level decompress, decoding a shard straight into the
caller's array, the small-chunk direct decode, the one-element reject of
``array_all_equal``) must give the same bytes, the same fill values and the
same errors as the path it bypasses.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anyzarr.protocol._errors import ChunkDecodeError
from anyzarr.protocol.buffer import cpu
from anyzarr.protocol.buffer._core import array_all_equal
from anyzarr.protocol.codecs import (
    ChunkSpec,
    ShardingCodec,
    _bounded,
    _compressors,
    _zstd_contexts,
    pipeline_from_codecs,
)
from anyzarr.protocol.codecs._bytes import BytesCodec
from anyzarr.protocol.codecs._compressors import BloscCodec, ZstdCodec


def _spec(shape: tuple[int, ...], dtype: str = "f4", fill: Any = 0.0) -> ChunkSpec:
    return ChunkSpec(shape=shape, dtype=np.dtype(dtype), fill_value=fill)


@pytest.mark.parametrize("codec", [ZstdCodec(level=1), BloscCodec(typesize=4, shuffle="shuffle")])
def test_compressor_roundtrip_any_buffer(codec: Any) -> None:
    data = np.arange(1000, dtype="f4")
    encoded = codec.encode(memoryview(data).cast("B"), _spec((1000,)))
    blob = np.frombuffer(encoded, dtype=np.uint8)
    for source in (encoded, memoryview(encoded), blob, bytearray(encoded), blob.reshape(1, -1)):
        decoded = codec.decode(source, _spec((1000,)), "k")
        assert bytes(decoded) == data.tobytes()


@pytest.mark.parametrize("codec", [ZstdCodec(), BloscCodec(typesize=4)])
def test_compressor_corrupt_data_names_key(codec: Any) -> None:
    with pytest.raises(ChunkDecodeError, match="c/0/1"):
        codec.decode(b"definitely not compressed data", _spec((4,)), "c/0/1")


def _sharded(index_location: str = "end") -> tuple[ShardingCodec, ChunkSpec]:
    codec = ShardingCodec(
        chunk_shape=(4, 4),
        codecs=[BytesCodec(), ZstdCodec(level=1)],
        index_location=index_location,  # type: ignore[arg-type]
    )
    spec = _spec((8, 12), fill=-1.0)
    return codec.evolve_from_array_spec(spec), spec


@pytest.mark.parametrize("index_location", ["start", "end"])
@pytest.mark.parametrize(
    "selection",
    [
        (slice(0, 8), slice(0, 12)),
        (slice(1, 7), slice(3, 11)),
        (slice(0, 5), slice(0, 12, 3)),
        (slice(4, 8), slice(8, 12)),
    ],
)
def test_decode_into_matches_decode(index_location: str, selection: tuple[slice, ...]) -> None:
    codec, spec = _sharded(index_location)
    shard = np.arange(96, dtype="f4").reshape(8, 12)
    shard[0:4, 4:8] = -1.0  # an inner chunk of fill values is left out of the shard
    encoded = codec.encode(shard, spec)
    assert encoded is not None
    expected = codec.decode(encoded, spec, "k")[selection]
    out = np.full((10, 20), 7.0, dtype="f4")
    dest = out[1 : 1 + expected.shape[0], 2 : 2 + expected.shape[1]]
    codec.decode_into(cpu.Buffer.from_bytes(bytes(encoded)), spec, "k", selection, dest)
    np.testing.assert_array_equal(dest, expected)
    # Nothing outside the destination view is touched.
    assert (out[0] == 7.0).all()
    assert (out[:, :2] == 7.0).all()


def test_decode_into_fills_absent_inner_chunks() -> None:
    codec, spec = _sharded()
    shard = np.full((8, 12), -1.0, dtype="f4")
    shard[5, 9] = 3.0  # only inner chunk (1, 2) is stored
    encoded = codec.encode(shard, spec)
    assert encoded is not None
    dest = np.zeros((8, 12), dtype="f4")
    codec.decode_into(encoded, spec, "k", (slice(0, 8), slice(0, 12)), dest)
    np.testing.assert_array_equal(dest, shard)


def test_decode_into_reports_corrupt_inner_chunk() -> None:
    codec, spec = _sharded()
    encoded = codec.encode(np.arange(96, dtype="f4").reshape(8, 12), spec)
    assert encoded is not None
    broken = bytearray(encoded)
    broken[0:8] = b"\xff" * 8  # the first inner chunk's frame header
    with pytest.raises(ChunkDecodeError, match="inner chunk"):
        codec.decode_into(
            bytes(broken), spec, "c/0", (slice(0, 8), slice(0, 12)), np.empty((8, 12), "f4")
        )


def test_small_direct_decode_agrees_and_declines() -> None:
    spec = _spec((8, 8))
    pipeline = pipeline_from_codecs([BytesCodec(), ZstdCodec(level=1)])
    direct = pipeline.direct_decoder(spec)
    assert direct is not None
    chunk = np.arange(64, dtype="f4").reshape(8, 8)
    [encoded] = pipeline.encode_batch([chunk], spec)
    assert encoded is not None
    decoded = direct.decode(encoded)
    assert decoded is not None
    np.testing.assert_array_equal(decoded, chunk)
    # Wrong size or bad bytes: declined, so the caller's general path reports it.
    [other] = pipeline.encode_batch([np.zeros((4, 4), "f4")], _spec((4, 4)))
    assert direct.decode(other) is None
    assert direct.decode(b"junk") is None


@pytest.fixture(params=["zstandard", "numcodecs"])
def small_zstd_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The small-frame zstd path with python-zstandard's reused contexts, and without."""
    if request.param == "zstandard":
        pytest.importorskip("zstandard", reason="the zstd extra is not installed")
    else:
        monkeypatch.setattr(_zstd_contexts, "_zstandard", lambda: None)
    return str(request.param)


def test_small_zstd_agrees_with_numcodecs(small_zstd_backend: str) -> None:
    from numcodecs import zstd as numcodecs_zstd

    chunk = np.arange(1024, dtype="i4")
    frame = numcodecs_zstd.compress(chunk, 3, True)
    assert _compressors._small_zstd(frame) == chunk.tobytes()
    # Two frames back to back: numcodecs decodes both; python-zstandard's
    # path declines, so the general path (which agrees with numcodecs) decides.
    spec = _spec((2048,), "i4")
    pipeline = pipeline_from_codecs([BytesCodec(), ZstdCodec()])
    direct = pipeline.direct_decoder(spec)
    assert direct is not None
    fast = direct.decode(frame + frame)
    if small_zstd_backend == "zstandard":
        assert fast is None
    else:
        np.testing.assert_array_equal(fast, np.tile(chunk, 2))
    both = pipeline.decode_batch([frame + frame], spec, ["c/0"])[0]
    assert both is not None
    np.testing.assert_array_equal(np.asarray(both).ravel(), np.tile(chunk, 2))
    # A flipped checksum bit or a truncated frame fails here too.
    broken = bytearray(frame)
    broken[-1] ^= 1
    for bad in (bytes(broken), frame[:-6]):
        with pytest.raises(Exception):  # noqa: B017  (the callers catch any)
            _compressors._small_zstd(bad)


def test_small_zstd_contexts_shared_by_threads(
    small_zstd_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections import deque

    from numcodecs import zstd as numcodecs_zstd

    # A fresh pool: earlier tests' threads may have left contexts in the shared one.
    monkeypatch.setattr(_zstd_contexts, "_DECOMPRESSORS", deque())

    chunks = [np.full(2048, i, dtype="i2") + np.arange(2048, dtype="i2") for i in range(16)]
    frames = [numcodecs_zstd.compress(c, 1, False) for c in chunks]

    def decode_all(offset: int) -> bool:
        return all(
            _compressors._small_zstd(frames[(i + offset) % 16])
            == chunks[(i + offset) % 16].tobytes()
            for i in range(200)
        )

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert all(pool.map(decode_all, range(8)))
    assert len(_zstd_contexts._DECOMPRESSORS) <= 4 or small_zstd_backend == "numcodecs"


@settings(max_examples=60)
@given(
    values=st.lists(st.sampled_from([0.0, 1.0, -2.5, float("nan")]), min_size=1, max_size=6),
    fill=st.sampled_from([0.0, 1.0, float("nan"), 0, 1]),
    dtype=st.sampled_from(["f8", "f4", "i4", "u1"]),
)
def test_all_equal_shortcut_matches_full_comparison(
    values: list[float], fill: float, dtype: str
) -> None:
    data = np.array(values, dtype="f8")
    # Integer types cannot hold NaN: use another ordinary value instead.
    data = np.nan_to_num(data, nan=3.0).astype(dtype) if dtype[0] in "iu" else data.astype(dtype)
    if np.isnan(fill):
        expected = bool(np.isnan(data).all()) if data.dtype.kind == "f" else False
    else:
        expected = bool((data == fill).all())
    assert array_all_equal(data, fill, True) is expected


def test_bounded_zstd_reuses_contexts_and_agrees_with_numcodecs(small_zstd_backend: str) -> None:
    from numcodecs import zstd as numcodecs_zstd

    chunk = np.arange(64 * 1024, dtype="i4")  # 256 KiB: beyond the small-frame path
    frame = numcodecs_zstd.compress(chunk, 3, False)
    assert bytes(_bounded.zstd_decompress(frame, chunk.nbytes, "c/0")) == chunk.tobytes()
    # Two frames back to back: decoded as numcodecs decodes them (both), and
    # still bounded by the limit.
    both = _bounded.zstd_decompress(frame + frame, 2 * chunk.nbytes, "c/0")
    assert bytes(both) == 2 * chunk.tobytes()
    with pytest.raises(ChunkDecodeError, match="c/0"):
        _bounded.zstd_decompress(frame + frame, chunk.nbytes, "c/0")
    with pytest.raises(ChunkDecodeError, match="c/0"):
        _bounded.zstd_decompress(frame, chunk.nbytes - 1, "c/0")
    if small_zstd_backend == "zstandard":
        assert _zstd_contexts.zstd_decompress_pooled(frame) == chunk.tobytes()
    else:
        assert _zstd_contexts.zstd_decompress_pooled(frame) is None


@pytest.mark.parametrize("level", [-3, 0, 3, 9, 12, 30])
@pytest.mark.parametrize("checksum", [False, True])
def test_zstd_encode_frames_numcodecs_reads(
    small_zstd_backend: str, level: int, checksum: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from numcodecs import zstd as numcodecs_zstd

    monkeypatch.setattr(_zstd_contexts, "_COMPRESSORS", {})
    codec = ZstdCodec(level=level, checksum=checksum)
    chunk = (np.arange(4000, dtype="f4") % 97).astype("f4")
    large = np.tile(chunk, 2)  # beyond POOLED_MAX_BYTES: numcodecs' contexts
    for source in (chunk.tobytes(), memoryview(chunk).cast("B"), chunk, large):
        frame = bytes(codec.encode(source, _spec((len(chunk),))))
        expected = np.ascontiguousarray(source).view("u1").tobytes()
        assert numcodecs_zstd.decompress(frame) == expected
        # The frame states its size (reads check it before allocating) and
        # carries a checksum exactly when asked.
        assert _bounded.zstd_stated_size(frame) == len(expected)
        assert bool(frame[4] & 0x04) is checksum
    pooled = sum(len(p) for p in _zstd_contexts._COMPRESSORS.values())
    kept = small_zstd_backend == "zstandard" and level in _zstd_contexts.POOLED_LEVELS
    assert pooled == (1 if kept else 0)
    # Datetimes offer no buffer: numcodecs' contexts, as before.
    times = np.arange(100).astype("datetime64[s]")
    assert _zstd_contexts.zstd_compress_pooled(times, 3, checksum) is None


def test_zstd_compress_contexts_shared_by_threads(small_zstd_backend: str) -> None:
    from numcodecs import zstd as numcodecs_zstd

    chunks = [np.arange(4096, dtype="i4") * i for i in range(16)]

    def encode_all(offset: int) -> bool:
        codec = ZstdCodec(level=1)
        return all(
            numcodecs_zstd.decompress(codec.encode(chunks[(i + offset) % 16], _spec((4096,), "i4")))
            == chunks[(i + offset) % 16].tobytes()
            for i in range(100)
        )

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert all(pool.map(encode_all, range(8)))


@pytest.mark.parametrize("order", ["C", "F"])
def test_v2_zstd_compressor_frames_numcodecs_reads(small_zstd_backend: str, order: str) -> None:
    import numcodecs

    from anyzarr.protocol.codecs._v2 import V2Chain

    codec = V2Chain(None, numcodecs.Zstd(level=3, checksum=True), order)  # type: ignore[arg-type]
    chunk = np.asarray(np.arange(600, dtype="f8").reshape(20, 30) % 7, order=order)
    [frame] = codec.encode_batch([chunk], _spec((20, 30), "f8"))
    assert frame is not None
    expected = np.asfortranarray(chunk) if order == "F" else np.ascontiguousarray(chunk)
    assert numcodecs.Zstd().decode(frame) == expected.tobytes(order="A")
    [back] = codec.decode_batch([frame], _spec((20, 30), "f8"), ["c/0"])
    np.testing.assert_array_equal(back, chunk)
