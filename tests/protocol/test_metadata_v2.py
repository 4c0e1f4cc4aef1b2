"""Zarr v2 array and group metadata and ``.zmetadata``."""

from __future__ import annotations

import copy
import json
from typing import Any

import numcodecs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anyzarr.errors import (
    ContainsArrayAndGroupError,
    MetadataValidationError,
    NodeNotFoundError,
    UnknownCodecError,
    ZarrUserWarning,
)
from anyzarr.protocol.dtypes import VariableLengthUTF8
from anyzarr.protocol.metadata import (
    ArrayV2Metadata,
    GroupMetadata,
    V2ChunkKeyEncoding,
    consolidate,
    create_array_metadata,
    group_from_zmetadata,
    metadata_documents,
    parse_v2,
    parse_zmetadata,
)

ZARRAY: dict[str, Any] = {
    "shape": [100, 50],
    "chunks": [10, 25],
    "dtype": "<f8",
    "fill_value": "NaN",
    "order": "F",
    "filters": None,
    "dimension_separator": "/",
    "compressor": {"id": "zstd", "level": 3},
    "zarr_format": 2,
}


def _doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(ZARRAY)
    doc.update(changes)
    return doc


def test_parse_array() -> None:
    meta = parse_v2(json.dumps(ZARRAY).encode(), None, b'{"a": 1}', "arr")
    assert isinstance(meta, ArrayV2Metadata)
    assert meta.shape == (100, 50)
    assert meta.chunk_shape == meta.inner_chunk_shape == (10, 25)
    assert meta.shards is None
    assert meta.order == "F"
    assert meta.dtype == np.dtype("<f8")
    assert np.isnan(meta.fill_value)
    assert meta.compressor == numcodecs.Zstd(level=3)
    assert meta.filters is None
    assert meta.attributes == {"a": 1}
    assert meta.chunk_key_encoding == V2ChunkKeyEncoding("/")
    assert meta.encode_chunk_key((1, 2)) == "1/2"
    assert meta.dimension_names is None
    assert meta.to_dict() == ZARRAY


def test_null_fill_value_and_empty_filters() -> None:
    with pytest.warns(ZarrUserWarning, match="empty list of filters"):
        meta = parse_v2(_doc(fill_value=None, filters=[]), None, None, "")
    assert isinstance(meta, ArrayV2Metadata)
    assert meta.fill_value is None
    assert meta.filters is None
    assert meta.to_dict()["fill_value"] is None


def test_object_dtype_needs_object_codec() -> None:
    meta = parse_v2(_doc(dtype="|O", fill_value="", filters=[{"id": "vlen-utf8"}]), None, None, "")
    assert isinstance(meta, ArrayV2Metadata)
    assert meta.data_type == VariableLengthUTF8()
    with pytest.raises(MetadataValidationError, match="object codec"):
        parse_v2(_doc(dtype="|O", fill_value=""), None, None, "s")


def test_big_endian_and_structured() -> None:
    meta = parse_v2(_doc(dtype=">i4", fill_value=7), None, None, "")
    assert isinstance(meta, ArrayV2Metadata)
    assert meta.dtype == np.dtype(">i4")
    rec = parse_v2(_doc(dtype=[["a", "<i4"], ["b", "|u1"]], fill_value="AQAAAAI="), None, None, "")
    assert isinstance(rec, ArrayV2Metadata)
    assert rec.fill_value["a"] == 1
    assert rec.fill_value["b"] == 2


def test_unknown_v2_fields_are_ignored() -> None:
    # v2 has no extension mechanism; zarr-python drops unknown fields, so do we.
    meta = parse_v2(_doc(surprise=1), None, None, "")
    assert meta.to_dict() == ZARRAY


def test_group() -> None:
    meta = parse_v2(None, b'{"zarr_format": 2}', b'{"title": "t"}', "g")
    assert isinstance(meta, GroupMetadata)
    assert meta.zarr_format == 2
    assert meta.attributes == {"title": "t"}
    assert metadata_documents(meta) == {
        ".zgroup": b'{\n  "zarr_format": 2\n}',
        ".zattrs": b'{\n  "title": "t"\n}',
    }


def test_missing_and_ambiguous_nodes() -> None:
    with pytest.raises(NodeNotFoundError):
        parse_v2(None, None, b"{}", "nothing")
    with pytest.raises(ContainsArrayAndGroupError):
        parse_v2(json.dumps(ZARRAY), b'{"zarr_format": 2}', None, "both")


REFUSALS: list[tuple[dict[str, Any], str, type[Exception]]] = [
    (_doc(compressor={"id": "no-such-codec"}), "no-such-codec", UnknownCodecError),
    (_doc(filters=[{"id": "nope"}]), "nope", UnknownCodecError),
    (_doc(order="K"), "order", MetadataValidationError),
    (_doc(dimension_separator="-"), "dimension_separator", MetadataValidationError),
    (_doc(dtype="float64"), "dtype", MetadataValidationError),
    (_doc(fill_value="zebra"), "fill_value", MetadataValidationError),
    (_doc(chunks=[10]), "chunks", MetadataValidationError),
    # chunks [0, 1] is read as zarr-python 3.4 reads it (tests/dropin/test_metadata_repair.py).
    (_doc(chunks=[-1, 1]), "chunks", MetadataValidationError),
    (_doc(zarr_format=3), "zarr_format", MetadataValidationError),
    ({k: v for k, v in ZARRAY.items() if k != "dtype"}, "dtype", MetadataValidationError),
]


@pytest.mark.parametrize(("doc", "field", "error"), REFUSALS, ids=lambda x: str(x)[:40])
def test_refusals_name_the_field(doc: dict[str, Any], field: str, error: type[Exception]) -> None:
    with pytest.raises(error, match=field) as info:
        parse_v2(doc, None, None, "p/q")
    assert "p/q/.zarray" in str(info.value)


def test_zmetadata_round_trip() -> None:
    array = create_array_metadata(shape=(4,), dtype="u1", chunks=(2,), zarr_format=2)
    assert isinstance(array, ArrayV2Metadata)
    root = consolidate(
        GroupMetadata({"x": "y"}, 2),
        {"a": array, "sub": GroupMetadata({}, 2), "sub/b": array.with_attributes({"u": 1})},
    )
    docs = metadata_documents(root)
    assert set(docs) == {".zgroup", ".zattrs", ".zmetadata"}
    zmeta = json.loads(docs[".zmetadata"])
    assert zmeta["zarr_consolidated_format"] == 1
    assert list(zmeta["metadata"])[:4] == [".zgroup", ".zattrs", "a/.zattrs", "a/.zarray"]
    consolidated = parse_zmetadata(docs[".zmetadata"], "")
    assert root.consolidated_metadata == consolidated
    back = group_from_zmetadata(docs[".zmetadata"], "")
    assert back == root
    assert back.attributes == {"x": "y"}


def test_zmetadata_refusals() -> None:
    with pytest.raises(MetadataValidationError, match="zarr_consolidated_format"):
        parse_zmetadata(b'{"metadata": {}}', "r")
    with pytest.raises(MetadataValidationError, match="unexpected key"):
        parse_zmetadata(b'{"metadata": {"a/.zfoo": {}}, "zarr_consolidated_format": 1}', "r")
    with pytest.raises(MetadataValidationError, match="no root"):
        group_from_zmetadata(b'{"metadata": {}, "zarr_consolidated_format": 1}', "r")


def test_consolidate_refuses_mixed_formats() -> None:
    v3 = create_array_metadata(shape=(2,), dtype="i1")
    with pytest.raises(MetadataValidationError, match="Zarr v3"):
        consolidate(GroupMetadata({}, 2), {"a": v3})


@given(
    st.lists(st.integers(0, 30), max_size=3).flatmap(
        lambda shape: st.tuples(
            st.just(tuple(shape)),
            st.lists(st.integers(1, 8), min_size=len(shape), max_size=len(shape)),
        )
    ),
    st.sampled_from(["i2", ">u4", "f4", "c8", "bool", "U2", "S3", "m8[s]", str]),
    st.sampled_from(["C", "F"]),
    st.sampled_from([".", "/"]),
)
def test_documents_round_trip(
    shape_chunks: tuple[tuple[int, ...], list[int]], dtype: Any, order: Any, sep: str
) -> None:
    shape, chunks = shape_chunks
    meta = create_array_metadata(
        shape=shape,
        dtype=dtype,
        chunks=tuple(chunks),
        zarr_format=2,
        order=order,
        chunk_key_encoding={"name": "v2", "separator": sep},
    )
    docs = metadata_documents(meta)
    back = parse_v2(docs[".zarray"], None, docs[".zattrs"], "p")
    assert back == meta
    assert metadata_documents(back) == docs


@pytest.mark.parametrize(
    ("dtype", "fill", "expected"),
    [
        ("|b1", 0, np.False_),
        ("|b1", 1, np.True_),
        ("|S1", 0, np.bytes_(b"0")),
        ("<U4", 0, np.str_("0")),
        ("<U4", 1.5, np.str_("1.5")),
    ],
)
def test_numeric_fill_values_written_by_zarr_python_2(dtype: str, fill: Any, expected: Any) -> None:
    """zarr-python 2 wrote numbers as fill values for bool and fixed-length text."""
    meta = parse_v2(_doc(dtype=dtype, fill_value=fill), None, None, "old")
    assert isinstance(meta, ArrayV2Metadata)
    assert meta.fill_value == expected
    assert type(meta.fill_value) is type(expected)


def test_numeric_fill_value_too_long_for_text_is_refused() -> None:
    with pytest.raises(MetadataValidationError, match="fill_value") as info:
        parse_v2(_doc(dtype="|S1", fill_value=12), None, None, "old")
    assert "old/.zarray" in str(info.value)


def test_zmetadata_member_paths_stay_inside() -> None:
    doc = {
        "zarr_consolidated_format": 1,
        "metadata": {".zgroup": {"zarr_format": 2}, "../x/.zgroup": {"zarr_format": 2}},
    }
    with pytest.raises(MetadataValidationError, match="invalid node path") as info:
        parse_zmetadata(json.dumps(doc).encode(), "r")
    assert "r/.zmetadata" in str(info.value)
