"""Groups written by anyzarr read by zarr-python 3.4, and the other way round."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from anyzarr.api import asynchronous as az
from anyzarr.api._group import AsyncGroup

zarr = pytest.importorskip("zarr")

pytestmark = [pytest.mark.anyio, pytest.mark.interop]

FORMATS = pytest.mark.parametrize("zarr_format", [2, 3])


@FORMATS
async def test_anyzarr_hierarchy_read_by_zarr(tmp_path: Path, zarr_format: int) -> None:
    root = await az.open_group(
        str(tmp_path), mode="w", zarr_format=zarr_format, attributes={"k": [1, "x"]}
    )  # type: ignore[arg-type]
    sub = await root.create_group("sub", attributes={"nested": {"a": 1.5}})
    arr = await sub.create_array("arr", shape=(3, 4), dtype="i4", chunks=(2, 2))
    await arr.setitem(Ellipsis, np.arange(12).reshape(3, 4))
    theirs = zarr.open_group(str(tmp_path), mode="r")
    assert theirs.metadata.zarr_format == zarr_format
    assert dict(theirs.attrs) == {"k": [1, "x"]}
    assert dict(theirs["sub"].attrs) == {"nested": {"a": 1.5}}
    assert sorted(theirs.group_keys()) == ["sub"]
    np.testing.assert_array_equal(theirs["sub/arr"][:], np.arange(12).reshape(3, 4))


@FORMATS
async def test_anyzarr_consolidated_read_by_zarr(tmp_path: Path, zarr_format: int) -> None:
    root = await az.open_group(str(tmp_path), mode="w", zarr_format=zarr_format)  # type: ignore[arg-type]
    await (await root.create_group("a", attributes={"x": 1})).create_group("b")
    await root.create_array("c", shape=(2,), dtype="f8")
    await az.consolidate_metadata(str(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zarr warns that v3 consolidation is unofficial
        theirs = zarr.open_consolidated(str(tmp_path), zarr_format=zarr_format)
    assert theirs.metadata.consolidated_metadata is not None
    assert sorted(p for p, _ in theirs.members(max_depth=None)) == ["a", "a/b", "c"]
    assert dict(theirs["a"].attrs) == {"x": 1}


@FORMATS
async def test_zarr_hierarchy_read_by_anyzarr(tmp_path: Path, zarr_format: int) -> None:
    theirs = zarr.open_group(
        str(tmp_path), mode="w", zarr_format=zarr_format, attributes={"t": True}
    )
    g = theirs.create_group("g", attributes={"u": [1, 2]})
    g.create_group("h")
    a = g.create_array("a", shape=(5,), dtype="u2", chunks=(2,))
    a[:] = np.arange(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.consolidate_metadata(str(tmp_path))

    for use_consolidated in (True, False):
        ours = await az.open_group(str(tmp_path), mode="r", use_consolidated=use_consolidated)
        assert ours.zarr_format == zarr_format
        assert ours.attrs == {"t": True}
        found = {p: n async for p, n in ours.members(max_depth=None)}
        assert sorted(found) == ["g", "g/a", "g/h"]
        assert isinstance(found["g"], AsyncGroup)
        assert found["g"].attrs == {"u": [1, 2]}
        assert (await found["g/a"].getitem(Ellipsis)).tolist() == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("options", [{}, {"compressors": None}, {"compressor": {"id": "zlib"}}])
async def test_group_create_array_format2_compressor_defaults_as_zarr_python(
    tmp_path: Path, options: dict[str, object]
) -> None:
    # zarr-python 3.4's Group.create_array gives format 2 arrays Blosc by
    # default (its create_array function gives Zstd); xarray relies on the former.
    ours = await az.open_group(str(tmp_path / "ours"), mode="w", zarr_format=2)
    made = await ours.create_array("a", shape=(4,), dtype="f8", **options)
    theirs = zarr.open_group(str(tmp_path / "theirs"), mode="w", zarr_format=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = theirs.create_array("a", shape=(4,), dtype="f8", **options)
    assert made.metadata.to_dict()["compressor"] == reference.metadata.to_dict()["compressor"]
