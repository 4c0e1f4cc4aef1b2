"""Arrays written by anyzarr read back with zarr-python 3.4, and the reverse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anyzarr.api._array import AsyncArray

zarr = pytest.importorskip("zarr")

pytestmark = [pytest.mark.anyio, pytest.mark.interop]

CASES: list[dict[str, Any]] = [
    {"zarr_format": 3, "dtype": "i4", "chunks": (4, 3)},
    {"zarr_format": 3, "dtype": "f8", "chunks": (4, 3), "shards": (8, 6)},
    {"zarr_format": 3, "dtype": "u2", "chunks": (5, 5), "compressors": None},
    {"zarr_format": 2, "dtype": "f4", "chunks": (4, 3)},
    {"zarr_format": 2, "dtype": "i8", "chunks": (3, 4), "order": "F"},
    {"zarr_format": 2, "dtype": "c16", "chunks": (5, 2), "compressors": None},
]


def _data(dtype: str) -> np.ndarray[Any, Any]:
    values = np.arange(11 * 7).reshape(11, 7)
    if np.dtype(dtype).kind == "c":
        return (values + 1j * values).astype(dtype)
    return values.astype(dtype)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
async def test_anyzarr_writes_zarr_python_reads(tmp_path: Path, case: dict[str, Any]) -> None:
    data = _data(case["dtype"])
    path = tmp_path / "a.zarr"
    arr = await AsyncArray._create(
        str(path), shape=data.shape, fill_value=7, attributes={"units": "m"}, **case
    )
    await arr.setitem(Ellipsis, data)
    await arr.setitem((slice(9, 11), slice(0, 2)), 7)  # empty chunk material
    expected = data.copy()
    expected[9:11, 0:2] = 7
    theirs = zarr.open_array(str(path), mode="r")
    np.testing.assert_array_equal(theirs[...], expected)
    assert theirs.attrs.asdict() == {"units": "m"}
    assert theirs.chunks == arr.chunks
    assert theirs.shards == arr.shards
    assert theirs.fill_value == arr.fill_value


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
async def test_zarr_python_writes_anyzarr_reads(tmp_path: Path, case: dict[str, Any]) -> None:
    data = _data(case["dtype"])
    path = tmp_path / "b.zarr"
    theirs = zarr.create_array(
        str(path), shape=data.shape, fill_value=3, attributes={"k": [1, 2]}, **case
    )
    theirs[...] = data
    theirs[0:2, 0:2] = 3
    expected = data.copy()
    expected[0:2, 0:2] = 3
    ours = await AsyncArray.open(str(path), zarr_format=None)
    np.testing.assert_array_equal(await ours.getitem(Ellipsis), expected)
    assert ours.attrs == {"k": [1, 2]}
    assert ours.chunks == theirs.chunks
    assert ours.shards == theirs.shards
    np.testing.assert_array_equal(
        await ours.get_orthogonal_selection(([10, 1, 4], slice(1, 6, 2))),
        expected[np.ix_([10, 1, 4], [1, 3, 5])],
    )
    # And a partial write from our side shows up on theirs.
    await ours.setitem((slice(3, 6), 4), 100)
    expected[3:6, 4] = 100
    np.testing.assert_array_equal(zarr.open_array(str(path), mode="r")[...], expected)
