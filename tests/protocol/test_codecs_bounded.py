"""Hostile chunk bytes: short, truncated, bombs and crafted shard indexes.

Every case is a ``ChunkDecodeError`` naming the key, raised before anything
much larger than the chunk's own size is allocated (measured with
tracemalloc, which sees the bytes numcodecs and the standard library
allocate through Python's allocator).
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numcodecs
import numpy as np
import pytest

from anyzarr.errors import ChunkDecodeError
from anyzarr.protocol.codecs import (
    ChunkSpec,
    ShardingCodec,
    decode_bounded,
    pipeline_from_codecs,
    pipeline_v2,
)
from anyzarr.protocol.codecs._sharding import MISSING
from anyzarr.testing.bombs import blosc_bomb, gzip_bomb, zstd_bomb

KEY = "arr/c/0"
SPEC = ChunkSpec(shape=(256,), dtype=np.dtype("<i4"), fill_value=np.int32(0))
DATA = np.arange(256, dtype="<i4")
#: Far below the bombs' decoded sizes (64 MiB and more); lzma's default
#: preset alone takes an 8 MiB dictionary.
PEAK_LIMIT = 12 << 20

V3_COMPRESSORS: dict[str, dict[str, Any]] = {
    "blosc": {"name": "blosc", "configuration": {"cname": "lz4"}},
    "zstd": {"name": "zstd", "configuration": {"level": 1}},
    "gzip": {"name": "gzip", "configuration": {"level": 1}},
    "numcodecs.lz4": {"name": "numcodecs.lz4"},
    "numcodecs.zlib": {"name": "numcodecs.zlib"},
    "numcodecs.bz2": {"name": "numcodecs.bz2"},
    "numcodecs.lzma": {"name": "numcodecs.lzma"},
    "numcodecs.zstd": {"name": "numcodecs.zstd"},
}
V2_COMPRESSORS = ["blosc", "zstd", "gzip", "lz4", "zlib", "bz2", "lzma"]


@contextmanager
def peak_below(limit: int) -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit, f"peak {peak} bytes"


def v3(name: str) -> Any:
    return pipeline_from_codecs([{"name": "bytes"}, V3_COMPRESSORS[name]])


def v2(codec_id: str) -> Any:
    return pipeline_v2(None, {"id": codec_id})


def encoded(pipeline: Any) -> bytes:
    [blob] = pipeline.encode_batch([DATA], SPEC)
    return bytes(blob.to_bytes())


def assert_refused(pipeline: Any, data: bytes) -> ChunkDecodeError:
    with pytest.raises(ChunkDecodeError) as info:
        pipeline.decode_batch([data], SPEC, [KEY])
    assert KEY in str(info.value)
    return info.value


MAKERS: list[tuple[str, Callable[[], Any]]] = [
    *[(f"v3-{n}", lambda n=n: v3(n)) for n in V3_COMPRESSORS],
    *[(f"v2-{c}", lambda c=c: v2(c)) for c in V2_COMPRESSORS],
]


@pytest.mark.parametrize(("name", "make"), MAKERS, ids=[n for n, _ in MAKERS])
def test_round_trip_still_works(name: str, make: Callable[[], Any]) -> None:
    pipeline = make()
    [out] = pipeline.decode_batch([encoded(pipeline)], SPEC, [KEY])
    np.testing.assert_array_equal(out, DATA)


@pytest.mark.parametrize(("name", "make"), MAKERS, ids=[n for n, _ in MAKERS])
@pytest.mark.parametrize("cut", ["empty", "one", "minus-one", "half"])
def test_short_and_truncated_chunks_are_refused(
    name: str, make: Callable[[], Any], cut: str
) -> None:
    pipeline = make()
    blob = encoded(pipeline)
    length = {"empty": 0, "one": 1, "minus-one": len(blob) - 1, "half": len(blob) // 2}[cut]
    # The bytes after the cut are still in memory right behind the view: a
    # decoder that trusts its header instead of the buffer would read them.
    backing = bytearray(blob)
    assert_refused(pipeline, memoryview(backing)[:length])  # type: ignore[arg-type]


BOMB_SIZE = 64 << 20

V3_BOMBS: list[tuple[str, Callable[[], bytes]]] = [
    ("gzip", lambda: gzip_bomb(BOMB_SIZE)),
    ("zstd", lambda: zstd_bomb(BOMB_SIZE)),
    ("zstd", lambda: zstd_bomb(BOMB_SIZE, content_size=True)),
    ("numcodecs.zstd", lambda: zstd_bomb(BOMB_SIZE)),
]


@pytest.mark.parametrize(
    ("name", "bomb"), V3_BOMBS, ids=["gzip", "zstd-no-size", "zstd-size", "numcodecs.zstd"]
)
def test_v3_bombs_stop_at_the_chunk_size(name: str, bomb: Callable[[], bytes]) -> None:
    pipeline, data = v3(name), bomb()
    with peak_below(PEAK_LIMIT):
        error = assert_refused(pipeline, data)
    assert "more than" in str(error) or "decodes to" in str(error)


def test_blosc_bomb_is_refused_from_its_header() -> None:
    data = blosc_bomb(32 << 20)
    with peak_below(1 << 20):
        assert_refused(v3("blosc"), data)
        assert_refused(v2("blosc"), data)


@pytest.mark.parametrize(
    ("codec_id", "bomb"),
    [
        ("gzip", lambda: gzip_bomb(BOMB_SIZE)),
        ("zstd", lambda: zstd_bomb(BOMB_SIZE)),
        ("zlib", lambda: numcodecs.Zlib(9).encode(bytes(BOMB_SIZE))),
        ("bz2", lambda: numcodecs.BZ2(9).encode(bytes(8 << 20))),
        ("lzma", lambda: numcodecs.LZMA().encode(bytes(BOMB_SIZE))),
        ("lz4", lambda: (1 << 30).to_bytes(4, "little") + b"\x00" * 64),
    ],
    ids=["gzip", "zstd", "zlib", "bz2", "lzma", "lz4-header"],
)
def test_v2_bombs_stop_at_the_chunk_size(codec_id: str, bomb: Callable[[], bytes]) -> None:
    data = bomb()
    with peak_below(PEAK_LIMIT):
        assert_refused(v2(codec_id), data)


def test_v2_filters_bound_the_compressor_generously() -> None:
    pipeline = pipeline_v2([{"id": "delta", "dtype": "<i4"}], {"id": "zlib"})
    [out] = pipeline.decode_batch([encoded(pipeline)], SPEC, [KEY])
    np.testing.assert_array_equal(out, DATA)
    bomb = numcodecs.Zlib(9).encode(bytes(BOMB_SIZE))
    with peak_below(PEAK_LIMIT):
        assert_refused(pipeline, bomb)


@pytest.mark.parametrize("codec", ["vlen-utf8", "vlen-bytes"])
def test_vlen_item_count_is_checked_before_allocating(codec: str) -> None:
    spec = ChunkSpec(shape=(4,), dtype=np.dtype("O"), fill_value="")
    v3_pipeline = pipeline_from_codecs([{"name": codec}])
    v2_pipeline = pipeline_v2([{"id": codec}], None)
    lying = (1 << 31).to_bytes(4, "little") + b"\x00" * 16
    with peak_below(1 << 20):
        for pipeline in (v3_pipeline, v2_pipeline):
            with pytest.raises(ChunkDecodeError, match="items"):
                pipeline.decode_batch([lying], spec, [KEY])


# -- the protocol-level entry point -----------------------------------------------


def test_decode_bounded_takes_v3_and_numcodecs_codecs() -> None:
    raw = DATA.tobytes()
    gzip_v3 = v3("gzip").codecs[1]
    blob = gzip_v3.encode(raw, SPEC)
    assert bytes(decode_bounded(gzip_v3, blob, len(raw), KEY)) == raw
    with pytest.raises(ChunkDecodeError, match=KEY):
        decode_bounded(gzip_v3, blob, len(raw) - 1, KEY)
    zlib = numcodecs.Zlib(1)
    assert bytes(decode_bounded(zlib, zlib.encode(raw), len(raw), KEY)) == raw
    with pytest.raises(ChunkDecodeError, match=KEY):
        decode_bounded(zlib, zlib.encode(raw), 10, KEY)


def test_zstd_frame_without_size_within_the_limit_decodes() -> None:
    data = zstd_bomb(4096)  # a legitimate frame of RLE blocks, no stated size
    assert bytes(decode_bounded(numcodecs.Zstd(), data, 4096, KEY)) == bytes(4096)


def test_fast_decompress_refuses_short_blosc() -> None:
    from anyzarr.protocol.codecs import BloscCodec

    codec = BloscCodec(typesize=4, shuffle="shuffle")
    blob = bytes(codec.encode(DATA.tobytes(), SPEC))
    assert codec._decompress is not None
    backing = bytearray(blob)
    for length in (0, 1, len(blob) - 1):
        with pytest.raises(ChunkDecodeError):
            codec._decompress(memoryview(backing)[:length])
    out = np.empty(DATA.nbytes, dtype=np.uint8)
    with pytest.raises(ChunkDecodeError):
        codec._impl.decode(memoryview(backing)[: len(blob) - 1], out=out)


# -- shard indexes -----------------------------------------------------------------

SHARD_SPEC = ChunkSpec(shape=(16,), dtype=np.dtype("<u1"), fill_value=np.uint8(0))


def shard_codec(location: str = "end") -> ShardingCodec:
    return ShardingCodec(chunk_shape=(4,), index_location=location)


def crafted_shard(entries: list[tuple[int, int]], location: str = "end") -> bytes:
    codec = shard_codec(location)
    table = np.array(entries, dtype=np.uint64)
    [index] = codec.index_chain.encode_batch([table], codec._index_spec(SHARD_SPEC))
    body = bytes(range(16))
    index_bytes = bytes(index)  # type: ignore[arg-type]
    return index_bytes + body if location == "start" else body + index_bytes


GOOD = [(0, 4), (4, 4), (8, 4), (12, 4)]
BIG = 2**63
CRAFTED = {
    "offset-near-2**63": [(BIG - 2, 4), *GOOD[1:]],
    "length-near-2**63": [(0, BIG - 1), *GOOD[1:]],
    "offset-plus-length-wraps": [(2**64 - 3, 4), *GOOD[1:]],
    "past-the-shard": [(14, 4), *GOOD[1:]],
    "into-the-index": [(12, 8), *GOOD[1:]],
    "half-missing": [(int(MISSING), 4), *GOOD[1:]],
    "huge-length": [(0, 2**40), *GOOD[1:]],
}


@pytest.mark.parametrize("case", list(CRAFTED))
def test_crafted_shard_index_is_refused_before_allocating(case: str) -> None:
    codec = shard_codec()
    data = crafted_shard(CRAFTED[case])
    with peak_below(1 << 20):
        with pytest.raises(ChunkDecodeError, match="index entry") as info:
            codec.decode(data, SHARD_SPEC, KEY)
        assert KEY in str(info.value)
        with pytest.raises(ChunkDecodeError, match=KEY):
            codec.decode_into(data, SHARD_SPEC, KEY, (slice(None),), np.zeros(16, "u1"))


def test_crafted_index_with_leading_index_cannot_point_into_it() -> None:
    codec = shard_codec("start")
    size = codec.index_size(SHARD_SPEC)
    fine = [(size + o, n) for o, n in GOOD]
    codec.decode(crafted_shard(fine, "start"), SHARD_SPEC, KEY)
    with pytest.raises(ChunkDecodeError, match="overlaps the index"):
        codec.decode(crafted_shard([(0, 4), *fine[1:]], "start"), SHARD_SPEC, KEY)


@pytest.mark.parametrize(
    "case", ["offset-near-2**63", "length-near-2**63", "offset-plus-length-wraps", "huge-length"]
)
def test_partial_read_checks_the_index_without_the_shard_size(case: str) -> None:
    pipeline = pipeline_from_codecs(
        [{"name": "sharding_indexed", "configuration": {"chunk_shape": [4]}}]
    )
    data = crafted_shard(CRAFTED[case])
    plan = pipeline.read_plan(KEY, (slice(0, 4),), SHARD_SPEC)
    [_request] = plan.start()
    index_size = 4 * 16 + 4
    with pytest.raises(ChunkDecodeError, match=KEY):
        plan.feed([data[-index_size:]])
