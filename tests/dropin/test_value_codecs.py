"""The ``cast_value`` and ``scale_offset`` codecs: same metadata and bytes as zarr-python 3.4.

Each case writes one array with anyzarr and the same array with zarr-python;
both stores must hold the same keys with the same bytes, and each
implementation must read the other's array back.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import anyzarr
from anyzarr.codecs import CastValue, ScaleOffset
from anyzarr.errors import MetadataValidationError

zarr = pytest.importorskip("zarr")
pytest.importorskip("cast_value_rs")

pytestmark = pytest.mark.interop


def _ours_and_theirs(
    make_ours: Any, make_theirs: Any, dtype: str, data: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    fill_value = data[0]  # a value the codec can encode
    ours: dict[str, Any] = {}
    a = anyzarr.create_array(
        ours, shape=data.shape, chunks=(4,), dtype=dtype, filters=[make_ours()],
        fill_value=fill_value, compressors=None,
    )  # fmt: skip
    a[:] = data
    store = zarr.storage.MemoryStore()
    z = zarr.create_array(
        store, shape=data.shape, chunks=(4,), dtype=dtype, filters=[make_theirs()],
        fill_value=fill_value, compressors=None,
    )  # fmt: skip
    z[:] = data
    return ours, dict(store._store_dict)


SCALE_OFFSET = [
    ("int16", {"offset": 5, "scale": 3}, np.arange(-10, 10, dtype="int16")),
    ("uint8", {"offset": 2}, np.arange(2, 20, dtype="uint8")),
    ("int64", {"scale": -2}, np.arange(-7, 7, dtype="int64")),
    ("uint64", {"offset": 1, "scale": 2}, np.array([1, 2, 2**62], dtype="uint64")),
    ("float32", {"offset": 0.5, "scale": 4.0}, np.linspace(-3, 3, 11, dtype="float32")),
    ("float64", {"offset": 2.5, "scale": -0.5}, np.array([1.0, np.nan, 3.0, np.inf])),
    ("float64", {}, np.arange(5.0)),
]


@pytest.mark.parametrize(("dtype", "config", "data"), SCALE_OFFSET)
def test_scale_offset_same_bytes_both_ways(dtype: str, config: dict[str, Any], data: Any) -> None:
    ours, theirs = _ours_and_theirs(
        lambda: ScaleOffset(**config), lambda: zarr.codecs.ScaleOffset(**config), dtype, data
    )
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        assert ours[key].to_bytes() == theirs[key].to_bytes(), key
    np.testing.assert_array_equal(
        zarr.open_array(zarr.storage.MemoryStore(ours), mode="r")[:], data
    )
    np.testing.assert_array_equal(anyzarr.open_array(theirs, mode="r")[:], data)


def test_scale_offset_metadata() -> None:
    assert ScaleOffset().to_dict() == {"name": "scale_offset"}
    assert ScaleOffset(offset=1.5, scale="Infinity").to_dict() == {
        "name": "scale_offset",
        "configuration": {"offset": 1.5, "scale": "Infinity"},
    }
    assert ScaleOffset.from_dict({"name": "scale_offset"}) == ScaleOffset()
    with pytest.raises(MetadataValidationError):
        ScaleOffset.from_dict({"name": "scale_offset", "configuration": {"bias": 1}})


def test_scale_offset_refuses_overflow_and_inexact_reads() -> None:
    store: dict[str, Any] = {}
    a = anyzarr.create_array(store, shape=(2,), dtype="int8", filters=[ScaleOffset(scale=100)])
    with pytest.raises(ValueError, match="outside the range"):
        a[:] = [1, 2]
    with pytest.raises(MetadataValidationError, match="non-zero"):
        anyzarr.create_array({}, shape=(2,), dtype="uint8", filters=[ScaleOffset(scale=0)])


CAST_VALUE = [
    ("float64", {"data_type": "uint8", "out_of_range": "clamp"}, np.linspace(-5, 300, 9)),
    ("float32", {"data_type": "int16", "rounding": "towards-zero"}, np.linspace(-9, 9, 7)),
    ("int32", {"data_type": "int8", "out_of_range": "wrap"}, np.arange(-300, 300, 50)),
    (
        "float64",
        {"data_type": "uint8", "scalar_map": {"encode": [("NaN", 0)], "decode": [(0, "NaN")]}},
        np.array([1.0, np.nan, 2.0, 3.0]),
    ),
    ("float64", {"data_type": "float32"}, np.array([0.1, 1e-3, 12345.678])),
]


@pytest.mark.parametrize(("dtype", "config", "data"), CAST_VALUE)
def test_cast_value_same_bytes_both_ways(dtype: str, config: dict[str, Any], data: Any) -> None:
    ours, theirs = _ours_and_theirs(
        lambda: CastValue(**config), lambda: zarr.codecs.CastValue(**config), dtype, data
    )
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        assert ours[key].to_bytes() == theirs[key].to_bytes(), key
    ours_read = anyzarr.open_array(theirs, mode="r")[:]
    theirs_read = zarr.open_array(zarr.storage.MemoryStore(ours), mode="r")[:]
    np.testing.assert_array_equal(ours_read, theirs_read)


def test_cast_value_metadata_document() -> None:
    codec = CastValue(data_type="uint8", rounding="towards-zero", out_of_range="clamp")
    assert codec.to_dict() == {
        "name": "cast_value",
        "configuration": {
            "data_type": "uint8",
            "rounding": "towards-zero",
            "out_of_range": "clamp",
        },
    }
    assert CastValue.from_dict(json.loads(json.dumps(codec.to_dict()))) == codec
    with pytest.raises(MetadataValidationError, match="integer or floating-point"):
        CastValue(data_type="bool")
    with pytest.raises(MetadataValidationError, match="wrap"):
        anyzarr.create_array(
            {}, shape=(2,), dtype="float64",
            filters=[CastValue(data_type="float32", out_of_range="wrap")],
        )  # fmt: skip
