"""Fuzzing chunk bytes and shard indexes through every built-in codec chain.

Random bytes and mutations of valid chunks (truncated, extended, bit
flipped, header fields overwritten) decode to the chunk or raise
``ChunkDecodeError`` (an ``anyzarr.errors`` type), quickly, and never
allocate much beyond the chunk's declared size (tracemalloc).  ``just fuzz``
runs them with many more examples.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anyzarr.errors import AnyzarrError
from anyzarr.protocol.codecs import ChunkSpec, pipeline_from_codecs, pipeline_v2

SPEC = ChunkSpec(shape=(8, 16), dtype=np.dtype("<f8"), fill_value=np.float64(0))
NBYTES = 8 * 16 * 8
DATA = np.linspace(0, 1, 128).reshape(8, 16)
STRINGS = ChunkSpec(shape=(6,), dtype=np.dtype("O"), fill_value="")

SHARD = {
    "name": "sharding_indexed",
    "configuration": {
        "chunk_shape": [4, 8],
        "codecs": [{"name": "bytes"}, {"name": "zstd"}],
        "index_codecs": [{"name": "bytes"}, {"name": "crc32c"}],
    },
}
V3_CHAINS: dict[str, list[Any]] = {
    "blosc": [{"name": "bytes"}, {"name": "blosc", "configuration": {"cname": "lz4"}}],
    "zstd": [{"name": "bytes"}, {"name": "zstd"}],
    "gzip": [{"name": "bytes"}, {"name": "gzip"}],
    "zstd+crc32c": [{"name": "bytes"}, {"name": "zstd"}, {"name": "crc32c"}],
    "transpose": [{"name": "transpose", "configuration": {"order": [1, 0]}}, {"name": "bytes"}],
    "lz4": [{"name": "bytes"}, {"name": "numcodecs.lz4"}],
    "bz2": [{"name": "bytes"}, {"name": "numcodecs.bz2"}],
    "sharding": [SHARD],
    "sharding-start": [
        {**SHARD, "configuration": {**SHARD["configuration"], "index_location": "start"}}
    ],
    "sharding+gzip": [SHARD, {"name": "gzip"}],
}
V2_CHAINS: dict[str, tuple[list[Any] | None, Any]] = {
    "blosc": (None, {"id": "blosc", "cname": "zstd"}),
    "zlib": (None, {"id": "zlib"}),
    "lzma": (None, {"id": "lzma"}),
    "delta+gzip": ([{"id": "delta", "dtype": "<f8"}], {"id": "gzip"}),
}
PIPELINES = {f"v3-{k}": pipeline_from_codecs(v) for k, v in V3_CHAINS.items()} | {
    f"v2-{k}": pipeline_v2(f, c) for k, (f, c) in V2_CHAINS.items()
}
VALID = {name: bytes(p.encode_batch([DATA], SPEC)[0].to_bytes()) for name, p in PIPELINES.items()}
STRING_PIPELINES = {
    "v3-vlen-utf8": pipeline_from_codecs([{"name": "vlen-utf8"}, {"name": "zstd"}]),
    "v2-vlen-utf8": pipeline_v2([{"id": "vlen-utf8"}], {"id": "zstd"}),
}
WORDS = np.array(["a", "bb", "", "dddd", "é", "f"], dtype=object)
VALID_STRINGS = {
    name: bytes(p.encode_batch([WORDS], STRINGS)[0].to_bytes())
    for name, p in STRING_PIPELINES.items()
}


@contextmanager
def bounded(limit: int) -> Iterator[None]:
    start = time.perf_counter()
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 5.0
    assert peak < limit, f"peak {peak} bytes"


@st.composite
def mutations(draw: st.DrawFn, valid: bytes) -> bytes:
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["cut", "extend", "flip", "word"]))
        if action == "cut":
            del data[draw(st.integers(0, len(data))) :]
        elif action == "extend":
            data += draw(st.binary(min_size=1, max_size=32))
        elif data and action == "flip":
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif len(data) >= 4:
            # Overwrite four bytes (a header size field, an index entry) with
            # an extreme value.
            i = draw(st.integers(0, len(data) - 4))
            word = draw(st.sampled_from([0, 1, 2**31 - 1, 2**31, 2**32 - 1]))
            data[i : i + 4] = word.to_bytes(4, "little")
    return bytes(data)


def typed_error(call: Any) -> str | None:
    """The message of the anyzarr error ``call()`` raises, or None when it succeeds."""
    try:
        call()
    except AnyzarrError as exc:
        return str(exc)
    return None


def check(pipeline: Any, data: bytes, spec: ChunkSpec) -> None:
    out: list[Any] = []
    message = typed_error(lambda: out.extend(pipeline.decode_batch([data], spec, ["arr/c/0"])))
    if message is not None:
        assert "arr/c/0" in message
    else:
        assert out[0].shape == spec.shape


#: lzma's decoder allocates the dictionary its stream header asks for
#: (8 MiB at the default preset); anyzarr caps that at 96 MiB.
EXTRA = {"v2-lzma": 100 << 20}


@pytest.mark.parametrize("name", list(PIPELINES))
@given(data=st.data())
def test_chunk_bytes(name: str, data: st.DataObject) -> None:
    raw = data.draw(mutations(VALID[name]) | st.binary(max_size=300))
    with bounded(8 * NBYTES + (1 << 20) + EXTRA.get(name, 0)):
        check(PIPELINES[name], raw, SPEC)


@pytest.mark.parametrize("name", list(STRING_PIPELINES))
@given(data=st.data())
def test_string_chunk_bytes(name: str, data: st.DataObject) -> None:
    raw = data.draw(mutations(VALID_STRINGS[name]) | st.binary(max_size=100))
    with bounded(4 << 20):
        check(STRING_PIPELINES[name], raw, STRINGS)


INDEX_ENTRY = st.sampled_from([0, 1, 16, 500, 2**31, 2**32, 2**63 - 1, 2**63, 2**64 - 2, 2**64 - 1])


@given(
    entries=st.lists(st.tuples(INDEX_ENTRY, INDEX_ENTRY), min_size=4, max_size=4),
    body=st.binary(max_size=600),
    start=st.booleans(),
)
def test_shard_indexes(entries: list[tuple[int, int]], body: bytes, start: bool) -> None:
    pipeline = PIPELINES["v3-sharding-start" if start else "v3-sharding"]
    codec = pipeline.sharding_codec
    assert codec is not None
    table = np.array(entries, dtype=np.uint64).reshape(2, 2, 2)
    [index] = codec.index_chain.encode_batch([table], codec._index_spec(SPEC))
    shard = bytes(index) + body if start else body + bytes(index)  # type: ignore[arg-type]
    with bounded(8 * NBYTES + (1 << 20)):
        check(pipeline, shard, SPEC)
        plan = pipeline.read_plan("arr/c/0", (slice(0, 4), slice(0, 8)), SPEC)

        def drive() -> None:
            requests = plan.start()
            while requests:
                responses = []
                for request in requests:
                    piece = request.byte_range
                    if piece is None:
                        responses.append(shard)
                    elif hasattr(piece, "suffix"):
                        responses.append(shard[len(shard) - piece.suffix :])
                    else:
                        responses.append(shard[piece.start : piece.end])
                requests = plan.feed(responses)
            plan.result()

        message = typed_error(drive)
        assert message is None or "arr/c/0" in message
