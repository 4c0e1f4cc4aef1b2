"""Invalid chunk sizes stored by older writers are read as zarr-python 3.4 reads them."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pytest

import anyzarr as zarr
from anyzarr.errors import MetadataValidationError, ZarrUserWarning
from anyzarr.protocol.buffer import cpu
from anyzarr.protocol.metadata import create_array_metadata, parse_v2, parse_v3


def _v2(shape: list[int], chunks: list[Any]) -> dict[str, Any]:
    return {
        "zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": "<i4",
        "compressor": None, "fill_value": 0, "order": "C", "filters": None,
    }  # fmt: skip


def _v3(shape: list[int], chunks: list[Any], codecs: list[Any] | None = None) -> dict[str, Any]:
    return {
        "zarr_format": 3, "node_type": "array", "shape": shape, "data_type": "int32",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0, "codecs": codecs or [{"name": "bytes", "configuration": {"endian": "little"}}],
    }  # fmt: skip


def _silently(fn: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn()


def test_true_is_read_as_one_silently() -> None:
    meta = _silently(lambda: parse_v2(json.dumps(_v2([4, 4], [True, 2])), None, None, "a"))
    assert meta.chunks == (1, 2)
    meta3 = _silently(lambda: parse_v3(_v3([4, 4], [True, 2]), "a"))
    assert meta3.chunk_shape == (1, 2)


def test_zero_on_an_empty_axis_is_read_as_one_silently() -> None:
    assert _silently(lambda: parse_v2(json.dumps(_v2([0, 3], [0, 3])), None, None, "")).chunks == (
        1,
        3,
    )
    assert _silently(lambda: parse_v3(_v3([0], [False]), "")).chunk_shape == (1,)


def test_zero_on_a_longer_axis_is_read_with_a_warning() -> None:
    with pytest.warns(ZarrUserWarning, match=r"Array 'x': The stored chunk shape \[0, 3\]"):
        meta = parse_v2(json.dumps(_v2([5, 3], [0, 3])), None, None, "x")
    assert meta.chunks == (1, 3)
    with pytest.warns(ZarrUserWarning, match="recreate it with the chunk shape you want"):
        parse_v3(_v3([5], [0]), "x")


def test_zero_in_a_sharded_array_is_read_as_the_inner_chunk() -> None:
    sharding = {
        "name": "sharding_indexed",
        "configuration": {
            "chunk_shape": [True, 2],
            "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
            "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
            "index_location": "end",
        },
    }
    meta = _silently(lambda: parse_v3(_v3([0, 4], [0, 4], [sharding]), ""))
    assert meta.chunk_shape == (1, 4)
    assert meta.inner_chunk_shape == (1, 2)


def test_other_invalid_sizes_are_still_refused() -> None:
    with pytest.raises(MetadataValidationError):
        parse_v2(json.dumps(_v2([4], [-1])), None, None, "")
    with pytest.raises(MetadataValidationError):
        parse_v3(_v3([4], ["2"]), "")


def test_repaired_array_reads_and_writes_valid_metadata_back() -> None:
    store: dict[str, Any] = {
        ".zarray": cpu.Buffer.from_bytes(json.dumps(_v2([3], [True])).encode())
    }
    arr = zarr.open_array(store)
    arr[:] = [1, 2, 3]
    np.testing.assert_array_equal(arr[:], [1, 2, 3])
    arr.update_attributes({})
    assert json.loads(store[".zarray"].to_bytes())["chunks"] == [1]


def test_metadata_built_in_code_stays_strict() -> None:
    with pytest.raises(MetadataValidationError):
        create_array_metadata(shape=(3,), dtype="i4", chunks=(0,), zarr_format=2)
