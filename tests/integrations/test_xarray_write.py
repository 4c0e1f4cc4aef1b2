"""``anyzarr.xarray.to_zarr`` writes what ``Dataset.to_zarr`` writes with zarr-python.

Each case makes the same call twice, once through anyzarr and once through
xarray+zarr-python, and compares every metadata document and every chunk
key; then each side's output is read by the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
zarr = pytest.importorskip("zarr")
pytest.importorskip("dask")

import anyzarr  # noqa: E402
import anyzarr.xarray  # noqa: E402
from anyzarr.errors import ContainsGroupError  # noqa: E402

from ._datasets import chunk_keys, example_dataset, metadata_documents  # noqa: E402

pytestmark = [
    pytest.mark.interop,
    pytest.mark.filterwarnings("ignore::zarr.errors.ZarrUserWarning"),
    pytest.mark.filterwarnings("ignore::zarr.errors.UnstableSpecificationWarning"),
]


def _both(tmp_path: Path, obj: Any, calls: list[dict[str, Any]]) -> tuple[Path, Path]:
    """Run the same sequence of ``to_zarr`` calls with anyzarr and with zarr-python."""
    ours, theirs = tmp_path / "ours.zarr", tmp_path / "theirs.zarr"
    for kwargs in calls:
        data = kwargs.pop("data", obj)
        anyzarr.xarray.to_zarr(data, ours, **kwargs)
        data.to_zarr(theirs, **kwargs)
    return ours, theirs


def _comparable(root: Path) -> dict[str, Any]:
    docs = metadata_documents(root)
    # zarr-python 3.4 copies a child group's stale inline consolidated
    # metadata into a format 2 .zmetadata when it consolidates more than
    # once (a tree write does, per node); format 2 has no such field.
    for key, doc in docs.get(".zmetadata", {}).get("metadata", {}).items():
        if key.endswith(".zgroup"):
            doc.pop("consolidated_metadata", None)
    return docs


def _assert_same_files(ours: Path, theirs: Path) -> None:
    assert _comparable(ours) == _comparable(theirs)
    keys = chunk_keys(ours)
    assert keys == chunk_keys(theirs)
    different = [k for k in sorted(keys) if (ours / k).read_bytes() != (theirs / k).read_bytes()]
    assert not different, f"chunks whose bytes differ: {different}"


def _chunked(ds: xr.Dataset, chunks: dict[str, int]) -> xr.Dataset:
    """``ds.chunk(chunks)`` keeping the object-dtype strings in memory, as xarray asks."""
    out = ds.chunk(chunks)
    out["note"] = ds["note"]
    return out


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("consolidated", [None, False])
@pytest.mark.parametrize("dask_chunks", [None, {"time": 2}])
def test_a_dataset_writes_as_xarray_with_zarr_python_writes_it(
    tmp_path: Path, fmt: int, consolidated: bool | None, dask_chunks: dict[str, int] | None
) -> None:
    ds = example_dataset()
    if dask_chunks is not None:
        ds = _chunked(ds, dask_chunks)
        del ds["temp"].encoding["chunks"]
    ours, theirs = _both(
        tmp_path, ds, [{"mode": "w", "zarr_format": fmt, "consolidated": consolidated}]
    )
    _assert_same_files(ours, theirs)
    with (
        xr.open_dataset(ours, engine="zarr", consolidated=consolidated) as by_zarr_python,
        xr.open_dataset(theirs, engine="anyzarr") as by_anyzarr,
    ):
        xr.testing.assert_identical(by_zarr_python.load(), example_dataset())
        xr.testing.assert_identical(by_anyzarr.load(), example_dataset())


@pytest.mark.parametrize("fmt", [2, 3])
def test_appending_along_a_dimension(tmp_path: Path, fmt: int) -> None:
    ds = example_dataset()
    ours, theirs = _both(
        tmp_path,
        ds,
        [
            {"data": ds.isel(time=slice(0, 2)), "mode": "w", "zarr_format": fmt},
            {"data": ds.isel(time=slice(2, 5)), "append_dim": "time"},
            {"data": ds.isel(time=slice(5, 6)), "append_dim": "time", "mode": "a-"},
        ],
    )
    _assert_same_files(ours, theirs)
    with xr.open_dataset(ours, engine="zarr") as appended:
        xr.testing.assert_identical(appended.load(), ds)


@pytest.mark.parametrize("fmt", [2, 3])
def test_region_writes_explicit_and_auto(tmp_path: Path, fmt: int) -> None:
    ds = example_dataset()
    update = ds.isel(time=slice(2, 4)).copy(deep=True)
    update["temp"][:] = -1.0
    ours, theirs = _both(
        tmp_path,
        ds,
        [
            {"data": _chunked(ds, {"time": 2}), "mode": "w", "zarr_format": fmt, "compute": False},
            {
                "data": update.drop_vars(["label", "note", "flag", "lat", "x", "y"]),
                "region": {"time": slice(2, 4)},
            },
            {
                "data": ds.isel(time=slice(0, 2)).drop_vars(["label", "note", "flag", "lat"]),
                "region": "auto",
                "mode": "r+",
            },
        ],
    )
    _assert_same_files(ours, theirs)
    with (
        xr.open_dataset(ours, engine="zarr") as by_zarr_python,
        xr.open_dataset(theirs, engine="anyzarr") as by_anyzarr,
    ):
        xr.testing.assert_identical(by_zarr_python.load(), by_anyzarr.load())
        assert (by_anyzarr["temp"].values[2:4] == -1.0).all()
        np.testing.assert_array_equal(by_anyzarr["temp"].values[:2], ds["temp"].values[:2])
        # compute=False wrote no data for the rest: the fill value.
        assert np.isnan(by_anyzarr["temp"].values[4:]).all()


@pytest.mark.parametrize("fmt", [2, 3])
def test_groups_and_datatrees(tmp_path: Path, fmt: int) -> None:
    base = example_dataset()
    tree = xr.DataTree.from_dict(
        {
            "/": base[["temp"]],
            "/child": xr.Dataset({"w": ("time", np.arange(6.0))}),
            "/child/grand": xr.Dataset({"z": ("q", np.array([1, 2, 3], dtype="u2"))}),
        }
    )
    ours, theirs = _both(tmp_path, tree, [{"mode": "w", "zarr_format": fmt}])
    _assert_same_files(ours, theirs)
    with xr.open_datatree(ours, engine="zarr") as read_back:
        xr.testing.assert_identical(read_back, tree)

    ours, theirs = _both(
        tmp_path / "group", base, [{"mode": "w", "zarr_format": fmt, "group": "a/b"}]
    )
    _assert_same_files(ours, theirs)
    with xr.open_dataset(ours, engine="zarr", group="a/b") as read_back:
        xr.testing.assert_identical(read_back.load(), base)


def test_compute_false_writes_metadata_now_and_data_later(tmp_path: Path) -> None:
    ds = _chunked(example_dataset(), {"time": 2})
    delayed = anyzarr.xarray.to_zarr(ds, tmp_path / "lazy.zarr", compute=False)
    with xr.open_dataset(tmp_path / "lazy.zarr", engine="anyzarr") as before:
        assert np.isnan(before["temp"].values).all()
    delayed.compute()
    with xr.open_dataset(tmp_path / "lazy.zarr", engine="anyzarr") as after:
        xr.testing.assert_identical(after.load(), example_dataset())


def test_modes_refuse_what_xarray_refuses(tmp_path: Path) -> None:
    ds = example_dataset()
    path = tmp_path / "data.zarr"
    anyzarr.xarray.to_zarr(ds, path)
    with pytest.raises((FileExistsError, ContainsGroupError)):
        anyzarr.xarray.to_zarr(ds, path)  # the default mode is "w-"
    with pytest.raises(ValueError, match="non-pre-existing"):
        anyzarr.xarray.to_zarr(ds.rename({"temp": "other"}), path, mode="r+")
    with pytest.raises(ValueError, match="append_dim"):
        anyzarr.xarray.to_zarr(ds, path, append_dim="nope")


def test_misaligned_dask_chunks_are_refused_or_aligned(tmp_path: Path) -> None:
    ds = example_dataset()
    ds["temp"].encoding["chunks"] = (2, 5, 4)
    misaligned = _chunked(ds, {"time": 3})
    with pytest.raises(ValueError, match="chunk"):
        anyzarr.xarray.to_zarr(misaligned, tmp_path / "refused.zarr")
    anyzarr.xarray.to_zarr(misaligned, tmp_path / "aligned.zarr", align_chunks=True)
    with xr.open_dataset(tmp_path / "aligned.zarr", engine="anyzarr") as read_back:
        xr.testing.assert_identical(read_back.load(), example_dataset())


def test_dataarrays_write_as_xarray_writes_them(tmp_path: Path) -> None:
    array = example_dataset()["temp"]
    ours, theirs = _both(tmp_path, array, [{"mode": "w"}])
    _assert_same_files(ours, theirs)
    with xr.open_dataarray(ours, engine="anyzarr") as read_back:
        xr.testing.assert_identical(read_back.load(), array)
    # Unnamed: xarray's placeholder name starts with "__", which Zarr v3
    # reserves; format 2 has no such rule.
    unnamed = array.rename(None)
    anyzarr.xarray.to_zarr(unnamed, tmp_path / "v2.zarr", zarr_format=2)
    with xr.open_dataarray(tmp_path / "v2.zarr", engine="anyzarr") as read_back:
        xr.testing.assert_identical(read_back.load(), unnamed)
    with pytest.raises(ValueError, match="reserved"):
        anyzarr.xarray.to_zarr(unnamed, tmp_path / "v3.zarr", zarr_format=3)


def test_encodings_read_by_either_library_write_with_the_other(tmp_path: Path) -> None:
    ds = example_dataset()
    ds.to_zarr(tmp_path / "source.zarr", encoding={"temp": {"shards": (6, 5, 4)}})
    # Read by zarr-python (its codec objects in the encoding), written by anyzarr.
    with xr.open_dataset(tmp_path / "source.zarr", engine="zarr") as by_zarr_python:
        anyzarr.xarray.to_zarr(by_zarr_python, tmp_path / "a.zarr")
    # Read by anyzarr (codec documents in the encoding), written by zarr-python.
    with xr.open_dataset(tmp_path / "source.zarr", engine="anyzarr") as by_anyzarr:
        by_anyzarr.to_zarr(tmp_path / "z.zarr")
    # The reference: zarr-python both ways (xarray rewrites the time units).
    with xr.open_dataset(tmp_path / "source.zarr", engine="zarr") as by_zarr_python:
        by_zarr_python.to_zarr(tmp_path / "reference.zarr")
    reference = metadata_documents(tmp_path / "reference.zarr")
    assert reference["temp/zarr.json"]["codecs"][0]["name"] == "sharding_indexed"
    assert metadata_documents(tmp_path / "a.zarr") == reference
    assert metadata_documents(tmp_path / "z.zarr") == reference


def test_writes_into_anyzarr_stores_and_groups(tmp_path: Path) -> None:
    ds = example_dataset()
    store = anyzarr.storage.MemoryStore()
    anyzarr.xarray.to_zarr(ds, store)
    with xr.open_dataset(store, engine="anyzarr") as read_back:
        xr.testing.assert_identical(read_back.load(), ds)
    group = anyzarr.open_group(tmp_path / "g.zarr", mode="w").create_group("inner")
    anyzarr.xarray.to_zarr(ds, group, mode="a")
    # Consolidated at the group given, not at the store's root.
    with xr.open_dataset(
        tmp_path / "g.zarr", engine="zarr", group="inner", consolidated=False
    ) as read_back:
        xr.testing.assert_identical(read_back.load(), ds)


def test_modes_on_a_group_given_as_an_object(tmp_path: Path) -> None:
    ds = example_dataset()
    root = anyzarr.open_group(tmp_path / "g.zarr", mode="w")
    root.create_array("unrelated", shape=(1,), dtype="i1")
    with pytest.raises(FileExistsError, match="members"):
        anyzarr.xarray.to_zarr(ds, root)  # "w-": only into an empty group
    anyzarr.xarray.to_zarr(ds, root, mode="w")  # "w" replaces the group
    assert "unrelated" not in anyzarr.open_group(tmp_path / "g.zarr", mode="r")
    anyzarr.xarray.to_zarr(ds, root, group="fresh")  # a new child is empty
    with xr.open_dataset(tmp_path / "g.zarr", engine="anyzarr") as read_back:
        xr.testing.assert_identical(read_back.load(), ds)
    with xr.open_dataset(tmp_path / "g.zarr", engine="anyzarr", group="fresh") as read_back:
        xr.testing.assert_identical(read_back.load(), ds)


def test_write_empty_chunks(tmp_path: Path) -> None:
    ds = xr.Dataset({"v": ("x", np.full(8, np.nan))})
    ours, theirs = _both(
        tmp_path,
        ds,
        [{"mode": "w", "write_empty_chunks": True, "encoding": {"v": {"chunks": (2,)}}}],
    )
    _assert_same_files(ours, theirs)
    assert {k for k in chunk_keys(ours) if k.startswith("v/")} == {f"v/c/{i}" for i in range(4)}
