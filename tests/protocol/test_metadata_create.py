"""`create_array_metadata`: defaults and the arguments it refuses."""

from __future__ import annotations

from typing import Any

import numcodecs
import numpy as np
import pytest

from anyzarr.errors import MetadataValidationError
from anyzarr.protocol.dtypes import Int32, VariableLengthUTF8
from anyzarr.protocol.metadata import (
    ArrayV2Metadata,
    ArrayV3Metadata,
    V2ChunkKeyEncoding,
    create_array_metadata,
    normalize_chunks,
)


def test_v3_defaults() -> None:
    meta = create_array_metadata(shape=(100, 200), dtype=">i4")
    assert isinstance(meta, ArrayV3Metadata)
    assert meta.data_type == Int32()  # v3 types carry no byte order
    assert meta.fill_value == 0
    assert meta.chunk_shape == (100, 200)
    assert [c.to_dict()["name"] for c in meta.codecs] == ["bytes", "zstd"]


def test_v2_defaults() -> None:
    meta = create_array_metadata(shape=(10,), dtype=str, zarr_format=2)
    assert isinstance(meta, ArrayV2Metadata)
    assert meta.data_type == VariableLengthUTF8()
    assert meta.filters == (numcodecs.VLenUTF8(),)
    assert meta.compressor == numcodecs.Zstd(level=0)
    assert meta.fill_value == ""
    assert meta.chunk_key_encoding == V2ChunkKeyEncoding(".")


def test_sharding() -> None:
    meta = create_array_metadata(shape=(100,), dtype="u1", chunks=(10,), shards=(50,))
    assert isinstance(meta, ArrayV3Metadata)
    assert meta.shards == (50,)
    assert meta.chunk_shape == (50,)
    assert meta.inner_chunk_shape == (10,)
    with_dict = create_array_metadata(
        shape=(100,), dtype="u1", chunks=(10,), shards={"shape": (50,), "index_location": "start"}
    )
    assert with_dict.to_dict()["codecs"][0]["configuration"]["index_location"] == "start"


def test_numcodecs_objects_in_v3() -> None:
    meta = create_array_metadata(shape=(10,), dtype="f4", compressors=numcodecs.GZip(level=2))
    assert meta.to_dict()["codecs"][-1] == {"name": "numcodecs.gzip", "configuration": {"level": 2}}


def test_user_fill_value_is_cast() -> None:
    meta = create_array_metadata(shape=(3,), dtype="f8", fill_value="NaN")
    assert np.isnan(meta.fill_value)
    assert meta.to_dict()["fill_value"] == "NaN"


def test_normalize_chunks() -> None:
    assert normalize_chunks(5, (10, 20)) == (5, 5)
    assert normalize_chunks((-1, 3), (10, 20)) == (10, 3)
    assert normalize_chunks(False, (0, 20)) == (1, 20)


REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"zarr_format": 2, "shards": (10,)}, "shards"),
    ({"zarr_format": 2, "serializer": {"name": "bytes"}}, "serializer"),
    ({"zarr_format": 2, "dimension_names": ["x"]}, "dimension_names"),
    ({"zarr_format": 2, "chunk_key_encoding": {"name": "default"}}, "chunk_key_encoding"),
    ({"zarr_format": 2, "compressors": [numcodecs.Zstd(), numcodecs.GZip()]}, "compressors"),
    ({"zarr_format": 2, "compressors": {"id": "not-a-codec"}}, "not-a-codec"),
    ({"zarr_format": 2, "dtype": "O"}, "data_type"),
    ({"shards": (15,), "chunks": (10,)}, "shards"),
    ({"chunks": (0,)}, "chunks"),
    ({"chunks": (1, 2)}, "chunks"),
    ({"chunks": "big"}, "chunks"),
    ({"fill_value": "x"}, "fill_value"),
    ({"dimension_names": ["a", "b"]}, "dimension_names"),
    ({"compressors": [{"name": "no-such-codec"}]}, "no-such-codec"),
    ({"zarr_format": 4}, "zarr_format"),
]


@pytest.mark.parametrize(("changes", "field"), REFUSALS, ids=lambda x: str(x)[:40])
def test_refusals_name_the_argument(changes: dict[str, Any], field: str) -> None:
    kwargs: dict[str, Any] = {"shape": (20,), "dtype": "i4", **changes}
    with pytest.raises(MetadataValidationError, match=field):
        create_array_metadata(**kwargs)


@pytest.mark.parametrize("dtype", ["i4", ">f8", "|S3", "<U2", "M8[ns]", ">m8[s]", "bool"])
def test_fill_value_none_versus_not_given(dtype: str) -> None:
    """As in zarr-python 3.4: v2 stores an explicit None as null; v3 uses the default."""
    from anyzarr.protocol.metadata import DEFAULT_FILL_VALUE

    default_v2 = create_array_metadata(shape=(4,), dtype=dtype, zarr_format=2)
    assert isinstance(default_v2, ArrayV2Metadata)
    assert default_v2.fill_value is not None
    assert default_v2.to_dict()["fill_value"] is not None
    null_v2 = create_array_metadata(shape=(4,), dtype=dtype, zarr_format=2, fill_value=None)
    assert null_v2.fill_value is None
    assert null_v2.to_dict()["fill_value"] is None
    for fill in (None, DEFAULT_FILL_VALUE):
        v3 = create_array_metadata(shape=(4,), dtype=dtype, fill_value=fill)
        assert v3.to_dict()["fill_value"] == default_v2.to_dict()["fill_value"]
    assert repr(DEFAULT_FILL_VALUE) == "DEFAULT_FILL_VALUE"


@pytest.mark.parametrize("dtype", [">m8[s]", ">M8[ns]", "<m8[s]", "m8"])
def test_default_time_fill_is_nat_in_any_byte_order(dtype: str) -> None:
    meta = create_array_metadata(shape=(4,), dtype=dtype, zarr_format=2)
    assert np.isnat(meta.fill_value)
    assert meta.to_dict()["fill_value"] == np.iinfo(np.int64).min
