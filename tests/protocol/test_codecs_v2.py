from __future__ import annotations

from typing import Any, Literal

import numcodecs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from anyzarr.errors import ChunkDecodeError, MetadataValidationError
from anyzarr.protocol.codecs import ChunkSpec, UnsafeCodecError, pipeline_for_metadata, pipeline_v2

COMPRESSORS = [
    None,
    {"id": "zlib", "level": 1},
    {"id": "blosc", "cname": "zstd", "clevel": 1, "shuffle": 2},
    {"id": "lz4"},
    {"id": "bz2"},
]


@pytest.mark.parametrize("compressor", COMPRESSORS, ids=lambda c: "none" if c is None else c["id"])
@pytest.mark.parametrize("order", ["C", "F"])
@settings(max_examples=15)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from(["<i4", ">f8", "u1", "<c8"]),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
    )
)
def test_v2_round_trip(
    compressor: Any, order: Literal["C", "F"], array: np.ndarray[Any, Any]
) -> None:
    pipeline = pipeline_v2(
        [{"id": "delta", "dtype": array.dtype.str}] if array.dtype.kind == "i" else None,
        compressor,
        order,
    )  # type: ignore[arg-type]
    spec = ChunkSpec(
        shape=array.shape, dtype=array.dtype, fill_value=array.dtype.type(0), order=order
    )  # type: ignore[arg-type]
    [enc] = pipeline.encode_batch([array], spec)
    [dec] = pipeline.decode_batch([enc], spec, ["0.0"])
    assert dec is not None
    assert dec.dtype == array.dtype
    np.testing.assert_array_equal(dec, array)


def test_v2_order_f_lays_bytes_out_in_fortran_order() -> None:
    array = np.arange(6, dtype="u1").reshape(2, 3)
    pipeline = pipeline_v2(None, None, "F")
    spec = ChunkSpec(shape=(2, 3), dtype=np.dtype("u1"), fill_value=np.uint8(0), order="F")
    [enc] = pipeline.encode_batch([array], spec)
    assert enc is not None
    assert enc.to_bytes() == bytes([0, 3, 1, 4, 2, 5])


@pytest.mark.parametrize("codec", ["vlen-utf8", "vlen-bytes", "json2", "vlen-array"])
def test_v2_object_codecs(codec: str) -> None:
    if codec == "vlen-utf8":
        items: list[Any] = ["a", "", "ünï"]
    elif codec == "vlen-bytes":
        items = [b"a", b"", b"\x00\xff"]
    elif codec == "json2":
        items = [1, "two", [3]]
    else:
        items = [np.array([1, 2], dtype="i2"), np.array([], dtype="i2"), np.array([3], dtype="i2")]
    array = np.empty(3, dtype=object)
    array[:] = items
    config: dict[str, Any] = {"id": codec}
    if codec == "vlen-array":
        config["dtype"] = "<i2"
    pipeline = pipeline_v2([config], {"id": "zstd", "level": 1})
    spec = ChunkSpec(shape=(3,), dtype=np.dtype(object), fill_value=None)
    [enc] = pipeline.encode_batch([array], spec)
    [dec] = pipeline.decode_batch([enc], spec, ["0"])
    assert dec is not None
    assert [np.asarray(x).tolist() for x in dec] == [np.asarray(x).tolist() for x in items]


def test_v2_string_dtype_is_returned_as_string_dtype() -> None:
    dtype = np.dtypes.StringDType()
    array = np.array(["x", "yy"], dtype=dtype)
    pipeline = pipeline_v2([numcodecs.VLenUTF8()], None)
    spec = ChunkSpec(shape=(2,), dtype=dtype, fill_value="")
    [dec] = pipeline.decode_batch(pipeline.encode_batch([array], spec), spec, ["0"])
    assert dec is not None
    assert dec.dtype == dtype
    assert dec.tolist() == ["x", "yy"]


def test_v2_object_array_needs_object_codec() -> None:
    pipeline = pipeline_v2(None, {"id": "zlib"})
    spec = ChunkSpec(shape=(1,), dtype=np.dtype(object), fill_value=None)
    with pytest.raises(MetadataValidationError, match="filters"):
        pipeline.encode_batch([np.array(["a"], dtype=object)], spec)
    with pytest.raises(ChunkDecodeError, match="object codec"):
        pipeline_v2(None, None).decode_batch([b"abcd"], spec, ["x/0"])


def test_v2_pickle_refused_by_default() -> None:
    array = np.array([{"a": 1}], dtype=object)
    writer = pipeline_v2([{"id": "pickle"}], None, allow_pickle=True)
    spec = ChunkSpec(shape=(1,), dtype=np.dtype(object), fill_value=None)
    [enc] = writer.encode_batch([array], spec)
    with pytest.raises(UnsafeCodecError, match="x/0"):
        pipeline_v2([{"id": "pickle"}], None).decode_batch([enc], spec, ["x/0"])
    [dec] = writer.decode_batch([enc], spec, ["x/0"])
    assert dec is not None
    assert dec[0] == {"a": 1}


def test_v2_bad_sizes_and_documents() -> None:
    pipeline = pipeline_v2(None, None)
    spec = ChunkSpec(shape=(4,), dtype=np.dtype("<i4"), fill_value=np.int32(0))
    with pytest.raises(ChunkDecodeError, match=r"0\.1"):
        pipeline.decode_batch([b"\x00" * 5], spec, ["0.1"])
    with pytest.raises(ChunkDecodeError, match=r"0\.2"):
        pipeline_v2(None, {"id": "zlib"}).decode_batch([b"garbage"], spec, ["0.2"])
    with pytest.raises(MetadataValidationError, match="compressor"):
        pipeline_v2(None, {"no": "id"})
    with pytest.raises(MetadataValidationError, match="filters"):
        pipeline_v2([{"id": "not-a-codec"}], None)
    with pytest.raises(MetadataValidationError, match="order"):
        pipeline_v2(None, None, "K")  # type: ignore[arg-type]


def test_pipeline_for_metadata_duck_types() -> None:
    class V2Meta:
        zarr_format = 2
        filters = None
        compressor = numcodecs.Zlib(level=1)
        order = "C"

    class V3Meta:
        zarr_format = 3
        codecs = ({"name": "bytes"}, {"name": "crc32c"})

    v2 = pipeline_for_metadata(V2Meta())
    v3 = pipeline_for_metadata(V3Meta())
    assert v2.codecs == ()
    assert [c.codec_name for c in v3.codecs] == ["bytes", "crc32c"]
    assert not v3.supports_partial_decode
