from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from anyzarr.errors import ChecksumError, ChunkDecodeError, MetadataValidationError
from anyzarr.protocol.buffer import cpu
from anyzarr.protocol.codecs import (
    ArrayBytesCodec,
    BloscCodec,
    BytesCodec,
    ChunkSpec,
    Codec,
    Crc32cCodec,
    GzipCodec,
    TransposeCodec,
    ZstdCodec,
    pipeline_from_codecs,
)

NUMERIC = st.sampled_from(["u1", "i2", "<i4", ">i4", "u8", "<f4", ">f8", "c8", "bool", "M8[ms]"])
SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)

CODEC_LISTS: dict[str, list[dict[str, Any]]] = {
    "bytes-little": [{"name": "bytes", "configuration": {"endian": "little"}}],
    "bytes-big": [{"name": "bytes", "configuration": {"endian": "big"}}],
    "transpose": [
        {"name": "transpose", "configuration": {"order": "REVERSED"}},
        {"name": "bytes", "configuration": {"endian": "little"}},
    ],
    "blosc": [
        {"name": "bytes", "configuration": {"endian": "little"}},
        {
            "name": "blosc",
            "configuration": {"cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 4},
        },
    ],
    "zstd-checksum": [
        {"name": "bytes", "configuration": {"endian": "little"}},
        {"name": "zstd", "configuration": {"level": 3, "checksum": True}},
    ],
    "gzip": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip"}],
    "crc32c": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
    "numcodecs": [
        {"name": "bytes", "configuration": {"endian": "little"}},
        {"name": "numcodecs.zlib", "configuration": {"level": 1}},
        {"name": "numcodecs.crc32", "configuration": {}},
    ],
    "sharding": [
        {
            "name": "sharding_indexed",
            "configuration": {
                "chunk_shape": "HALF",
                "codecs": [
                    {"name": "bytes", "configuration": {"endian": "little"}},
                    {"name": "zstd"},
                ],
            },
        }
    ],
}


def _concrete(
    codecs: list[dict[str, Any]], ndim: int, shape: tuple[int, ...]
) -> list[dict[str, Any]]:
    out = []
    for c in codecs:
        config = dict(c.get("configuration", {}))
        if config.get("order") == "REVERSED":
            config["order"] = list(range(ndim))[::-1]
        if config.get("chunk_shape") == "HALF":
            config["chunk_shape"] = [max(1, s // 2) if s % 2 == 0 else s for s in shape]
        out.append({**c, "configuration": config} if "configuration" in c else c)
    return out


def _spec(array: np.ndarray[Any, Any], fill: Any = 0) -> ChunkSpec:
    return ChunkSpec(
        shape=array.shape, dtype=array.dtype, fill_value=np.asarray(fill).astype(array.dtype)[()]
    )


@pytest.mark.parametrize("name", sorted(CODEC_LISTS))
@settings(max_examples=20)
@given(data=st.data())
def test_round_trip_numeric(name: str, data: st.DataObject) -> None:
    dtype = data.draw(NUMERIC)
    array = data.draw(hnp.arrays(dtype=dtype, shape=SHAPES))
    pipeline = pipeline_from_codecs(_concrete(CODEC_LISTS[name], array.ndim, array.shape))
    spec = _spec(array)
    [encoded] = pipeline.encode_batch([array], spec)
    if encoded is None:  # sharding: every inner chunk held the fill value
        assert name == "sharding"
        assert bool((array == spec.fill_value).all())
        return
    assert isinstance(encoded, cpu.Buffer)
    [decoded] = pipeline.decode_batch([encoded], spec, ["c/0"])
    assert decoded is not None
    assert decoded.shape == array.shape
    assert decoded.dtype == array.dtype
    np.testing.assert_array_equal(decoded, array)


@pytest.mark.parametrize("codec", ["vlen-utf8", "vlen-bytes"])
@settings(max_examples=20)
@given(data=st.data())
def test_round_trip_vlen(codec: str, data: st.DataObject) -> None:
    shape = data.draw(SHAPES)
    n = int(np.prod(shape))
    elements = st.text(max_size=8) if codec == "vlen-utf8" else st.binary(max_size=8)
    items = data.draw(st.lists(elements, min_size=n, max_size=n))
    array = np.empty(n, dtype=object)
    array[:] = items
    array = array.reshape(shape)
    pipeline = pipeline_from_codecs([{"name": codec, "configuration": {}}, {"name": "zstd"}])
    spec = ChunkSpec(shape=shape, dtype=np.dtype(object), fill_value="")
    [encoded] = pipeline.encode_batch([array], spec)
    [decoded] = pipeline.decode_batch([encoded], spec, ["c/0"])
    assert decoded is not None
    assert decoded.tolist() == array.tolist()


def test_vlen_utf8_string_dtype() -> None:
    array = np.array([["a", "bb"], ["", "ü"]], dtype=np.dtypes.StringDType())
    pipeline = pipeline_from_codecs([{"name": "vlen-utf8", "configuration": {}}])
    spec = ChunkSpec(shape=(2, 2), dtype=array.dtype, fill_value="")
    [decoded] = pipeline.decode_batch(pipeline.encode_batch([array], spec), spec, ["c/0"])
    assert decoded is not None
    assert decoded.dtype == array.dtype
    assert decoded.tolist() == array.tolist()


def test_none_in_none_out_and_batches() -> None:
    pipeline = pipeline_from_codecs([{"name": "bytes"}, {"name": "gzip"}])
    spec = ChunkSpec(shape=(3,), dtype=np.dtype("u1"), fill_value=np.uint8(0))
    arrays = [np.arange(3, dtype="u1"), None, np.ones(3, dtype="u1")]
    encoded = pipeline.encode_batch(arrays, spec)
    assert encoded[1] is None
    decoded = pipeline.decode_batch(encoded, spec, ["a", "b", "c"])
    assert decoded[1] is None
    assert [d.tolist() for d in decoded if d is not None] == [[0, 1, 2], [1, 1, 1]]


def test_decode_accepts_bytes_and_writable_copies() -> None:
    pipeline = pipeline_from_codecs([{"name": "bytes", "configuration": {"endian": "little"}}])
    spec = ChunkSpec(shape=(2,), dtype=np.dtype("<i4"), fill_value=np.int32(0))
    raw = np.array([5, 6], dtype="<i4").tobytes()
    [view] = pipeline.decode_batch([raw], spec, ["k"])
    assert view is not None
    assert not view.flags.writeable
    [copy] = pipeline.decode_batch([raw], spec, ["k"], writable=True)
    assert copy is not None
    assert copy.flags.writeable
    assert copy.tolist() == [5, 6]


def test_bytes_codec_size_mismatch_names_key() -> None:
    pipeline = pipeline_from_codecs([{"name": "bytes", "configuration": {"endian": "little"}}])
    spec = ChunkSpec(shape=(4,), dtype=np.dtype("<i4"), fill_value=np.int32(0))
    with pytest.raises(ChunkDecodeError, match="c/1/2"):
        pipeline.decode_batch([b"\x00" * 7], spec, ["c/1/2"])


def test_crc32c_mismatch_names_key() -> None:
    pipeline = pipeline_from_codecs([{"name": "bytes"}, {"name": "crc32c"}])
    spec = ChunkSpec(shape=(4,), dtype=np.dtype("u1"), fill_value=np.uint8(0))
    [encoded] = pipeline.encode_batch([np.arange(4, dtype="u1")], spec)
    assert encoded is not None
    corrupt = bytearray(encoded.to_bytes())
    corrupt[0] ^= 0xFF
    with pytest.raises(ChecksumError, match=r"arr/c/0/3") as info:
        pipeline.decode_batch([bytes(corrupt)], spec, ["arr/c/0/3"])
    assert info.value.key == "arr/c/0/3"
    with pytest.raises(ChecksumError, match="too short"):
        pipeline.decode_batch([b"ab"], spec, ["k"])


def test_corrupt_compressed_data_names_key() -> None:
    pipeline = pipeline_from_codecs([{"name": "bytes"}, {"name": "zstd"}])
    spec = ChunkSpec(shape=(4,), dtype=np.dtype("u1"), fill_value=np.uint8(0))
    with pytest.raises(ChunkDecodeError, match="c/9"):
        pipeline.decode_batch([b"not zstd at all"], spec, ["c/9"])


@pytest.mark.parametrize(
    ("codec", "document"),
    [
        (BytesCodec(), {"name": "bytes", "configuration": {"endian": "little"}}),
        (BytesCodec(endian=None), {"name": "bytes"}),
        (TransposeCodec(order=(1, 0)), {"name": "transpose", "configuration": {"order": [1, 0]}}),
        (ZstdCodec(), {"name": "zstd", "configuration": {"level": 0, "checksum": False}}),
        (GzipCodec(), {"name": "gzip", "configuration": {"level": 5}}),
        (Crc32cCodec(), {"name": "crc32c"}),
        (
            BloscCodec(typesize=4, cname="zstd", clevel=5, shuffle="shuffle"),
            {
                "name": "blosc",
                "configuration": {
                    "typesize": 4,
                    "cname": "zstd",
                    "clevel": 5,
                    "shuffle": "shuffle",
                    "blocksize": 0,
                },
            },
        ),
    ],
)
def test_to_dict_from_dict(codec: Codec, document: dict[str, Any]) -> None:
    assert codec.to_dict() == document
    assert type(codec).from_dict(document) == codec
    assert hash(type(codec).from_dict(document)) == hash(codec)


@pytest.mark.parametrize(
    "document",
    [
        {"name": "bytes", "configuration": {"endian": "middle"}},
        {"name": "transpose", "configuration": {"order": [0, 0]}},
        {"name": "transpose"},
        {"name": "blosc", "configuration": {"cname": "nope"}},
        {"name": "gzip", "configuration": {"level": 12}},
        {"name": "zstd", "configuration": {"level": "high"}},
        {"name": "sharding_indexed", "configuration": {}},
        {"name": "sharding_indexed", "configuration": {"chunk_shape": [0]}},
        {
            "name": "sharding_indexed",
            "configuration": {"chunk_shape": [2], "index_location": "middle"},
        },
    ],
)
def test_invalid_documents_name_the_field(document: dict[str, Any]) -> None:
    from anyzarr.protocol.codecs import parse_codecs

    with pytest.raises(MetadataValidationError, match=document["name"]):
        parse_codecs([document])


@pytest.mark.parametrize(
    "codecs",
    [
        [{"name": "zstd"}],
        [{"name": "bytes"}, {"name": "bytes"}],
        [{"name": "bytes"}, {"name": "transpose", "configuration": {"order": [0]}}],
        [{"name": "crc32c"}, {"name": "bytes"}],
    ],
)
def test_invalid_codec_order(codecs: list[dict[str, Any]]) -> None:
    with pytest.raises(MetadataValidationError, match="codecs"):
        pipeline_from_codecs(codecs)


def test_evolve_codecs_matches_what_zarr_python_writes() -> None:
    from anyzarr.protocol.codecs import evolve_codecs, parse_codecs

    codecs = parse_codecs([{"name": "bytes"}, BloscCodec()])
    u1 = evolve_codecs(codecs, ChunkSpec(shape=(4,), dtype=np.dtype("u1"), fill_value=0))
    assert [c.to_dict() for c in u1] == [
        {"name": "bytes"},
        {
            "name": "blosc",
            "configuration": {
                "typesize": 1,
                "cname": "zstd",
                "clevel": 5,
                "shuffle": "bitshuffle",
                "blocksize": 0,
            },
        },
    ]
    f8 = evolve_codecs(
        parse_codecs([BytesCodec(), BloscCodec()]),
        ChunkSpec(shape=(4,), dtype=np.dtype("f8"), fill_value=0),
    )
    assert f8[0].to_dict() == {"name": "bytes", "configuration": {"endian": "little"}}
    assert f8[1].to_dict()["configuration"]["typesize"] == 8
    assert f8[1].to_dict()["configuration"]["shuffle"] == "shuffle"


def test_bytes_codec_requires_endian_for_wide_types() -> None:
    with pytest.raises(MetadataValidationError, match="endian"):
        BytesCodec(endian=None).validate(ChunkSpec(shape=(2,), dtype=np.dtype("i4"), fill_value=0))
    with pytest.raises(MetadataValidationError, match="variable-length"):
        BytesCodec().validate(ChunkSpec(shape=(2,), dtype=np.dtype(object), fill_value=""))
    assert isinstance(BytesCodec(), ArrayBytesCodec)
