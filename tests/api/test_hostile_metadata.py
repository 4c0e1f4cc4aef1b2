"""Metadata that used to fail late or with the wrong error: each is now read, or refused at open."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import pytest

import anyzarr
from anyzarr.errors import MetadataValidationError
from anyzarr.protocol.metadata import parse_v2, parse_v3

zarr = pytest.importorskip("zarr")  # zarr-python, the reference writer


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("kind", ["group", "array"])
def test_nan_and_infinity_attributes_written_by_zarr_python(
    tmp_path: Path, zarr_format: int, kind: str
) -> None:
    attrs = {"nan": math.nan, "inf": math.inf, "ninf": -math.inf, "nested": [math.nan, 1]}
    if kind == "group":
        node: Any = zarr.open_group(tmp_path, mode="w", zarr_format=zarr_format)
    else:
        node = zarr.create_array(tmp_path, shape=(2,), dtype="f8", zarr_format=zarr_format)
    node.attrs.update(attrs)
    text = (tmp_path / ("zarr.json" if zarr_format == 3 else ".zattrs")).read_text()
    assert "NaN" in text
    assert "-Infinity" in text

    opened = anyzarr.open(tmp_path, mode="r")
    got = dict(opened.attrs)
    assert math.isnan(got["nan"])
    assert math.isnan(got["nested"][0])
    assert got["inf"] == math.inf
    assert got["ninf"] == -math.inf
    if kind == "group":  # and in consolidated metadata, read from its own document
        node.create_array("child", shape=(1,), dtype="i1", attributes={"v": math.nan})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zarr-python warns that v3 consolidation is new
            zarr.consolidate_metadata(tmp_path, zarr_format=zarr_format)
        group = anyzarr.open_consolidated(tmp_path, mode="r")
        assert math.isnan(dict(group["child"].attrs)["v"])


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": [value]}
    return value


def _deep_document(depth: int) -> str:
    return (
        '{"zarr_format": 3, "node_type": "group", "attributes": {"x": '
        + ("[" * depth + "]" * depth)
        + "}}"
    )


@pytest.mark.parametrize("depth", [300, 2000, 100_000])
def test_deeply_nested_attributes_are_a_typed_error(tmp_path: Path, depth: int) -> None:
    (tmp_path / "zarr.json").write_text(_deep_document(depth))
    with pytest.raises(MetadataValidationError, match="nested more than") as info:
        anyzarr.open_group(tmp_path, mode="r")
    assert "zarr.json" in str(info.value)
    with pytest.raises(MetadataValidationError, match="attributes"):
        parse_v3(_deep_document(depth).encode(), "g")


def test_moderately_nested_attributes_still_open(tmp_path: Path) -> None:
    (tmp_path / "zarr.json").write_text(_deep_document(100))
    assert anyzarr.open_group(tmp_path, mode="r").attrs["x"] == json.loads("[" * 100 + "]" * 100)


def _v3_array(chunk_shape: list[int], **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "zarr_format": 3,
        "node_type": "array",
        "shape": [10, 10],
        "data_type": "int8",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunk_shape}},
        "chunk_key_encoding": {"name": "default"},
        "fill_value": 0,
        "codecs": [{"name": "bytes"}],
    }
    doc.update(extra)
    return doc


def test_chunks_too_large_to_allocate_are_refused_at_open(tmp_path: Path) -> None:
    (tmp_path / "zarr.json").write_text(json.dumps(_v3_array([10, 2**32 + 10])))
    with pytest.raises(MetadataValidationError, match="chunk_shape"):
        anyzarr.open_array(tmp_path, mode="r")
    zarray = {
        "zarr_format": 2,
        "shape": [10, 10],
        "chunks": [10, 2**32 + 10],
        "dtype": "<f8",
        "compressor": None,
        "fill_value": 0,
        "order": "C",
        "filters": None,
    }
    with pytest.raises(MetadataValidationError, match="chunks"):
        parse_v2(json.dumps(zarray).encode(), None, None, "a")


def test_shards_too_large_are_refused_at_open() -> None:
    shard = {
        "name": "sharding_indexed",
        "configuration": {"chunk_shape": [10, 10], "codecs": [{"name": "bytes"}]},
    }
    doc = _v3_array([10, 2**32 + 10], codecs=[shard])
    with pytest.raises(MetadataValidationError, match="shard"):
        parse_v3(json.dumps(doc).encode(), "a")
    many = _v3_array([2**20, 2**20], codecs=[{**shard, "configuration": {"chunk_shape": [1, 1]}}])
    with pytest.raises(MetadataValidationError, match="chunk"):
        parse_v3(json.dumps(many).encode(), "a")


def test_creating_an_array_with_huge_chunks_is_refused() -> None:
    with pytest.raises(MetadataValidationError, match="chunk"):
        anyzarr.create_array({}, shape=(10, 10), chunks=(10, 2**32 + 10), dtype="i1")


def test_string_with_the_bytes_codec_is_refused_at_open(tmp_path: Path) -> None:
    doc = _v3_array([10, 10], data_type="string", fill_value="")
    (tmp_path / "zarr.json").write_text(json.dumps(doc))
    with pytest.raises(MetadataValidationError, match="codecs") as info:
        anyzarr.open_array(tmp_path, mode="r")
    assert "bytes" in str(info.value)
