"""Zarr v3 array and group metadata, consolidated metadata, and the refusal cases."""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anyzarr.errors import MetadataValidationError, UnknownCodecError
from anyzarr.protocol.dtypes import Float64, Int16
from anyzarr.protocol.metadata import (
    ArrayV3Metadata,
    ConsolidatedMetadata,
    DefaultChunkKeyEncoding,
    GroupMetadata,
    RegularChunkGrid,
    V2ChunkKeyEncoding,
    consolidate,
    create_array_metadata,
    metadata_documents,
    parse_v3,
)

BASE: dict[str, Any] = {
    "shape": [100, 50],
    "data_type": "float64",
    "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [10, 25]}},
    "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
    "fill_value": "NaN",
    "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
    "attributes": {"answer": 42},
    "zarr_format": 3,
    "node_type": "array",
    "storage_transformers": [],
}

SHARDED: dict[str, Any] = {
    **BASE,
    "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [50, 50]}},
    "codecs": [
        {
            "name": "sharding_indexed",
            "configuration": {
                "chunk_shape": [10, 25],
                "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
                "index_codecs": [
                    {"name": "bytes", "configuration": {"endian": "little"}},
                    {"name": "crc32c"},
                ],
                "index_location": "end",
            },
        }
    ],
}


def _doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc.update(changes)
    return doc


def test_parse_array() -> None:
    meta = parse_v3(json.dumps(BASE).encode(), "a/b")
    assert isinstance(meta, ArrayV3Metadata)
    assert meta.shape == (100, 50)
    assert meta.ndim == 2
    assert meta.dtype == np.dtype("f8")
    assert meta.data_type == Float64()
    assert np.isnan(meta.fill_value)
    assert meta.chunk_shape == meta.inner_chunk_shape == (10, 25)
    assert meta.shards is None
    assert meta.order == "C"
    assert meta.dimension_names is None
    assert meta.attributes == {"answer": 42}
    assert meta.encode_chunk_key((3, 1)) == "c/3/1"
    assert meta.to_dict() == BASE


def test_sharded_properties() -> None:
    meta = parse_v3(SHARDED, "s")
    assert isinstance(meta, ArrayV3Metadata)
    assert meta.chunk_shape == (50, 50)
    assert meta.shards == (50, 50)
    assert meta.inner_chunk_shape == (10, 25)
    assert meta.sharding_codec is not None
    assert meta.to_dict() == SHARDED


def test_with_shape_and_attributes() -> None:
    meta = parse_v3(BASE, "")
    assert isinstance(meta, ArrayV3Metadata)
    bigger = meta.with_shape((200, 50))
    assert bigger.shape == (200, 50)
    assert bigger.chunk_shape == meta.chunk_shape
    assert meta.with_attributes({"x": 1}).attributes == {"x": 1}
    assert meta.shape == (100, 50)


def test_dimension_names_and_v2_keys() -> None:
    doc = _doc(
        dimension_names=["y", None],
        chunk_key_encoding={"name": "v2", "configuration": {"separator": "."}},
    )
    meta = parse_v3(doc, "")
    assert isinstance(meta, ArrayV3Metadata)
    assert meta.dimension_names == ("y", None)
    assert meta.chunk_key_encoding == V2ChunkKeyEncoding(".")
    assert meta.encode_chunk_key((1, 2)) == "1.2"
    assert list(meta.to_dict()) == [*list(BASE)[:7], "dimension_names", *list(BASE)[7:]]


def test_short_hand_extension_names() -> None:
    doc = _doc(chunk_grid={"name": "regular", "configuration": {"chunk_shape": [10, 25]}})
    doc["chunk_key_encoding"] = "default"
    doc["codecs"] = [{"name": "bytes", "configuration": {"endian": "little"}}, "crc32c"]
    doc["data_type"] = {"name": "float64"}
    meta = parse_v3(doc, "")
    assert isinstance(meta, ArrayV3Metadata)
    assert meta.chunk_key_encoding == DefaultChunkKeyEncoding("/")
    assert meta.data_type == Float64()


def test_must_understand_false_extras_are_kept() -> None:
    doc = _doc(my_extension={"must_understand": False, "payload": [1, 2]})
    meta = parse_v3(doc, "")
    assert isinstance(meta, ArrayV3Metadata)
    assert meta.extra_fields == {"my_extension": {"must_understand": False, "payload": [1, 2]}}
    assert meta.to_dict()["my_extension"] == {"must_understand": False, "payload": [1, 2]}
    assert list(meta.to_dict())[-1] == "my_extension"


REFUSALS: list[tuple[dict[str, Any], str, type[Exception]]] = [
    (_doc(my_extension={"payload": 1}), "my_extension", MetadataValidationError),
    (_doc(my_extension={"must_understand": True}), "my_extension", MetadataValidationError),
    (_doc(codecs=[{"name": "no-such-codec"}]), "no-such-codec", UnknownCodecError),
    (_doc(codecs=[]), "codecs", MetadataValidationError),
    (
        _doc(storage_transformers=[{"name": "shuffle"}]),
        "storage_transformers",
        MetadataValidationError,
    ),
    (_doc(data_type="float128"), "float128", MetadataValidationError),
    (_doc(fill_value="banana"), "fill_value", MetadataValidationError),
    (_doc(fill_value=None), "fill_value", MetadataValidationError),
    (_doc(shape=[10, -1]), "shape", MetadataValidationError),
    (_doc(shape=[10]), "chunk_grid", MetadataValidationError),
    (_doc(dimension_names=["only-one"]), "dimension_names", MetadataValidationError),
    (_doc(chunk_grid={"name": "rectangular"}), "chunk_grid", MetadataValidationError),
    (_doc(chunk_key_encoding={"name": "weird"}), "chunk_key_encoding", MetadataValidationError),
    (_doc(zarr_format=2), "zarr_format", MetadataValidationError),
    (_doc(node_type="blob"), "node_type", MetadataValidationError),
    (_doc(attributes=[1]), "attributes", MetadataValidationError),
    ({k: v for k, v in BASE.items() if k != "codecs"}, "codecs", MetadataValidationError),
]


@pytest.mark.parametrize(("doc", "field", "error"), REFUSALS, ids=lambda x: str(x)[:40])
def test_refusals_name_the_field(doc: dict[str, Any], field: str, error: type[Exception]) -> None:
    with pytest.raises(error, match=field) as info:
        parse_v3(doc, "some/array")
    assert "some/array/zarr.json" in str(info.value)


def test_invalid_json_names_the_path() -> None:
    with pytest.raises(MetadataValidationError, match=r"x/zarr\.json"):
        parse_v3(b"{not json", "x")
    with pytest.raises(MetadataValidationError, match=r"x/zarr\.json"):
        parse_v3(b"[1, 2]", "x")


def test_bare_nan_in_attributes_is_read() -> None:
    text = json.dumps(_doc(attributes={"v": float("nan")}))
    assert "NaN" in text
    meta = parse_v3(text.encode(), "")
    assert np.isnan(meta.attributes["v"])


def test_group_round_trip() -> None:
    doc = {"attributes": {"x": "y"}, "zarr_format": 3, "node_type": "group"}
    meta = parse_v3(json.dumps(doc).encode(), "g")
    assert isinstance(meta, GroupMetadata)
    assert meta.attributes == {"x": "y"}
    assert meta.consolidated_metadata is None
    assert metadata_documents(meta) == {"zarr.json": json.dumps(doc, indent=2).encode()}


def test_group_refuses_unknown_fields() -> None:
    doc = {"zarr_format": 3, "node_type": "group", "surprise": 1}
    with pytest.raises(MetadataValidationError, match="surprise"):
        parse_v3(doc, "g")


def test_consolidated_inline() -> None:
    array = create_array_metadata(shape=(4,), dtype="u1", chunks=(2,))
    sub = GroupMetadata({"s": 1})
    root = consolidate(GroupMetadata({"x": "y"}), {"a": array, "sub": sub, "sub/b": array})
    doc = root.to_dict()
    assert list(doc) == ["attributes", "zarr_format", "consolidated_metadata", "node_type"]
    block = doc["consolidated_metadata"]
    assert block["kind"] == "inline"
    assert block["must_understand"] is False
    assert list(block["metadata"]) == ["a", "sub", "sub/b"]
    assert block["metadata"]["sub"]["consolidated_metadata"]["metadata"] == {}
    back = parse_v3(metadata_documents(root)["zarr.json"], "")
    assert isinstance(back, GroupMetadata)
    assert back == root
    assert back.consolidated_metadata is not None
    assert set(back.consolidated_metadata.children()) == {"a", "sub"}
    assert set(back.consolidated_metadata.children("sub")) == {"b"}


def test_nested_consolidated_metadata_is_flattened() -> None:
    array = create_array_metadata(shape=(4,), dtype="i2", chunks=(2,))
    inner = {
        "attributes": {},
        "zarr_format": 3,
        "node_type": "group",
        "consolidated_metadata": {
            "kind": "inline",
            "must_understand": False,
            "metadata": {"b": array.to_dict()},
        },
    }
    doc = {
        "attributes": {},
        "zarr_format": 3,
        "node_type": "group",
        "consolidated_metadata": {
            "kind": "inline",
            "must_understand": False,
            "metadata": {"sub": inner},
        },
    }
    meta = parse_v3(doc, "")
    assert isinstance(meta, GroupMetadata)
    assert meta.consolidated_metadata is not None
    assert set(meta.consolidated_metadata.flattened_metadata) == {"sub", "sub/b"}


def test_consolidated_refuses_bad_paths() -> None:
    with pytest.raises(MetadataValidationError, match="//"):
        ConsolidatedMetadata({"a//b": GroupMetadata()})


def test_constructor_validates() -> None:
    with pytest.raises(MetadataValidationError, match="fill_value"):
        ArrayV3Metadata(
            shape=(4,),
            data_type=Int16(),
            chunk_grid=RegularChunkGrid((2,)),
            chunk_key_encoding=DefaultChunkKeyEncoding(),
            fill_value=1 << 20,
            codecs=(),
        )


_dtypes = st.sampled_from(["i1", "u2", "i8", "f4", "f8", "c16", "bool", "M8[ms]", "U3", "S2"])


@st.composite
def v3_arrays(draw: st.DrawFn) -> ArrayV3Metadata:
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.lists(st.integers(0, 40), min_size=ndim, max_size=ndim)))
    chunks = tuple(draw(st.lists(st.integers(1, 10), min_size=ndim, max_size=ndim)))
    names = draw(
        st.none() | st.lists(st.none() | st.text(max_size=3), min_size=ndim, max_size=ndim)
    )
    attrs = draw(
        st.dictionaries(st.text(max_size=4), st.integers() | st.text(max_size=4), max_size=3)
    )
    meta = create_array_metadata(
        shape=shape,
        dtype=draw(_dtypes),
        chunks=chunks,
        zarr_format=3,
        attributes=attrs,
        dimension_names=names,
        chunk_key_encoding={"name": draw(st.sampled_from(["default", "v2"]))},
        compressors=draw(st.sampled_from(["auto", None])),
    )
    assert isinstance(meta, ArrayV3Metadata)
    return meta


@given(v3_arrays())
def test_documents_round_trip(meta: ArrayV3Metadata) -> None:
    docs = metadata_documents(meta)
    back = parse_v3(docs["zarr.json"], "p")
    assert back == meta
    assert metadata_documents(back) == docs


def _sharded_doc(inner: list[int]) -> dict[str, Any]:
    doc = copy.deepcopy(SHARDED)
    doc["codecs"][0]["configuration"]["chunk_shape"] = inner
    return doc


@pytest.mark.parametrize("inner", [[15, 25], [10, 20], [0, 25]])
def test_inner_chunks_must_divide_the_shard(inner: list[int]) -> None:
    with pytest.raises(MetadataValidationError, match="chunk_shape") as info:
        parse_v3(_sharded_doc(inner), "s")
    assert "s/zarr.json" in str(info.value)


def test_inner_chunks_must_divide_the_shard_at_creation() -> None:
    with pytest.raises(MetadataValidationError, match="shards"):
        create_array_metadata(shape=(8, 12), dtype="i4", chunks=(3, 3), shards=(4, 6))


@pytest.mark.parametrize("must_understand", [True, False, None])
def test_every_storage_transformer_is_refused(must_understand: bool | None) -> None:
    transformer: dict[str, Any] = {"name": "chunk-manifest-json"}
    if must_understand is not None:
        transformer["must_understand"] = must_understand
    with pytest.raises(MetadataValidationError, match="chunk-manifest-json") as info:
        parse_v3(_doc(storage_transformers=[transformer]), "t")
    assert "storage_transformers" in str(info.value)


def test_blosc_settings_are_filled_from_the_data_type() -> None:
    """zarr-python fills blosc typesize/shuffle from the array; dicts and objects alike."""
    from anyzarr.protocol.codecs import BloscCodec

    as_dict = [{"name": "blosc", "configuration": {"cname": "lz4", "clevel": 3}}]
    for compressors in (as_dict, [BloscCodec(cname="lz4", clevel=3)]):
        meta = create_array_metadata(shape=(20,), dtype="f4", compressors=compressors)
        blosc = meta.to_dict()["codecs"][-1]["configuration"]
        assert (blosc["typesize"], blosc["shuffle"]) == (4, "shuffle")
    sharded = create_array_metadata(
        shape=(20,), dtype="u2", chunks=(5,), shards=(10,), compressors=as_dict
    )
    inner = sharded.to_dict()["codecs"][0]["configuration"]["codecs"][-1]["configuration"]
    assert inner["typesize"] == 2
    explicit = [{"name": "blosc", "configuration": {"typesize": 1, "shuffle": "noshuffle"}}]
    kept = create_array_metadata(shape=(20,), dtype="f8", compressors=explicit)
    assert kept.to_dict()["codecs"][-1]["configuration"]["typesize"] == 1


@pytest.mark.parametrize(("value", "expected"), [(0, False), (1, True), (True, True)])
def test_bool_fill_value_numbers(value: Any, expected: bool) -> None:
    meta = parse_v3(_doc(data_type="bool", fill_value=value, codecs=[{"name": "bytes"}]), "b")
    assert isinstance(meta, ArrayV3Metadata)
    assert meta.fill_value is np.bool_(expected)
    with pytest.raises(MetadataValidationError, match="fill_value"):
        parse_v3(_doc(data_type="bool", fill_value=2, codecs=[{"name": "bytes"}]), "b")


@pytest.mark.parametrize("member", ["../up", "a/../b", "./a", "a/.", "/abs", "a//b"])
def test_consolidated_member_paths_stay_inside(member: str) -> None:
    group = {
        "zarr_format": 3,
        "node_type": "group",
        "attributes": {},
        "consolidated_metadata": {
            "kind": "inline",
            "must_understand": False,
            "metadata": {member: {"zarr_format": 3, "node_type": "group", "attributes": {}}},
        },
    }
    with pytest.raises(MetadataValidationError, match="invalid node path") as info:
        parse_v3(group, "g")
    assert "g/zarr.json" in str(info.value)
