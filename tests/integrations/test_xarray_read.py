"""Reading through ``engine="anyzarr"``, with xarray's own zarr engine on zarr-python as the oracle."""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
zarr = pytest.importorskip("zarr")
pytest.importorskip("dask")

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from xarray.core import indexing  # noqa: E402

import anyzarr  # noqa: E402
from anyzarr.errors import MetadataValidationError  # noqa: E402
from anyzarr.testing.servers import serve_directory  # noqa: E402
from anyzarr.xarray import AnyzarrBackendArray, AnyzarrBackendEntrypoint  # noqa: E402

from ._datasets import chunk_keys, example_dataset  # noqa: E402

pytestmark = [
    pytest.mark.interop,
    pytest.mark.filterwarnings("ignore::zarr.errors.ZarrUserWarning"),
    pytest.mark.filterwarnings("ignore::zarr.errors.UnstableSpecificationWarning"),
]


def _write_with_zarr_python(path: Path, fmt: int, **kwargs: Any) -> xr.Dataset:
    ds = example_dataset()
    ds.to_zarr(path, mode="w", zarr_format=fmt, **kwargs)
    return ds


# -- registration and import isolation ----------------------------------------


def test_the_engine_is_registered_through_the_entry_point() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="xarray.backends")}
    assert found["anyzarr"] == "anyzarr.xarray:AnyzarrBackendEntrypoint"
    assert isinstance(xr.backends.list_engines()["anyzarr"], AnyzarrBackendEntrypoint)


def test_importing_anyzarr_imports_neither_xarray_nor_dask() -> None:
    code = (
        "import sys, anyzarr, anyzarr.storage, anyzarr.api.asynchronous\n"
        "print(sorted(m for m in ('xarray', 'dask', 'distributed', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_guess_can_open_claims_anyzarr_objects_not_paths_zarr_python_opens(
    tmp_path: Path,
) -> None:
    entry = AnyzarrBackendEntrypoint()
    store = anyzarr.storage.MemoryStore()
    assert entry.guess_can_open(store)
    assert entry.guess_can_open(anyzarr.open_group(store, mode="w"))
    assert not entry.guess_can_open(str(tmp_path / "data.nc"))
    # zarr-python is installed here, so xarray's own zarr engine keeps .zarr paths.
    assert not entry.guess_can_open(str(tmp_path / "data.zarr"))


# -- what xarray+zarr-python wrote reads identically ---------------------------


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("consolidated", [True, False])
def test_zarr_python_output_reads_identically(tmp_path: Path, fmt: int, consolidated: bool) -> None:
    path = tmp_path / "data.zarr"
    original = _write_with_zarr_python(path, fmt, consolidated=consolidated)
    with (
        xr.open_dataset(path, engine="anyzarr") as ours,
        xr.open_dataset(path, engine="zarr", consolidated=consolidated) as theirs,
    ):
        xr.testing.assert_identical(ours, theirs)
        ours.load()
        xr.testing.assert_identical(ours, original)
        for name in ours.variables:
            mine, ref = ours[name].encoding, theirs[name].encoding
            for key in (
                "chunks",
                "preferred_chunks",
                "shards",
                "dtype",
                "_FillValue",
                "fill_value",
            ):
                if key in ref:
                    np.testing.assert_equal(mine[key], ref[key], err_msg=f"{name}: {key}")
            assert set(mine) == set(ref), name


@pytest.mark.parametrize("fmt", [2, 3])
def test_dimension_names_come_from_either_convention(tmp_path: Path, fmt: int) -> None:
    path = tmp_path / "data.zarr"
    _write_with_zarr_python(path, fmt)
    with xr.open_dataset(path, engine="anyzarr") as ds:
        assert ds["temp"].dims == ("time", "y", "x")
        assert "_ARRAY_DIMENSIONS" not in ds["temp"].attrs


def test_an_array_without_dimension_names_is_a_key_error_naming_it(tmp_path: Path) -> None:
    group = anyzarr.open_group(tmp_path / "bare.zarr", mode="w")
    group.create_array("nameless", shape=(3,), dtype="f8")
    with pytest.raises(KeyError, match="nameless"):
        xr.open_dataset(tmp_path / "bare.zarr", engine="anyzarr")


# Finite floats: NaN and Infinity in attributes are a metadata-reader matter
# (anyzarr's strict JSON parser refuses them), not the backend's.
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(names=_json)
def test_any_stored_dimension_names_open_or_raise_a_typed_error(names: Any) -> None:
    # _ARRAY_DIMENSIONS is untrusted JSON: a string per axis opens, anything else
    # is a MetadataValidationError naming the array, never some other failure.
    group = anyzarr.open_group(anyzarr.storage.MemoryStore(), mode="w", zarr_format=2)
    group.create_array("v", shape=(2, 3), dtype="i1", attributes={"_ARRAY_DIMENSIONS": names})
    valid = isinstance(names, list) and len(names) == 2 and all(isinstance(n, str) for n in names)
    if valid and names[0] != names[1]:
        with xr.open_dataset(group, engine="anyzarr") as ds:
            assert ds["v"].dims == tuple(names)
    elif not valid:
        with pytest.raises(MetadataValidationError, match="'v'"):
            xr.open_dataset(group, engine="anyzarr")


@pytest.mark.parametrize("fmt", [2, 3])
def test_opening_reads_no_chunk_until_the_data_is_needed(tmp_path: Path, fmt: int) -> None:
    path = tmp_path / "data.zarr"
    _write_with_zarr_python(path, fmt)
    with xr.open_dataset(path, engine="anyzarr") as ds:
        # The index coordinates were read to build indexes; take every
        # other chunk away: the data variables must read them now, not before.
        for key in chunk_keys(path):
            if not key.startswith(("time/", "x/", "y/")):
                (path / key).unlink()
        assert np.isnan(ds["temp"].values).all()
        assert ds["temp"].attrs["units"] == "K"


def test_store_like_inputs(tmp_path: Path) -> None:
    path = tmp_path / "data.zarr"
    original = _write_with_zarr_python(path, 3)
    store = anyzarr.storage.LocalStore(str(path), read_only=True)
    group = anyzarr.open_group(store, mode="r")
    inputs = [
        path,
        str(path),
        store,
        anyzarr.storage.StorePath(store),
        group,
        group.async_group,
    ]
    for given_input in inputs:
        with xr.open_dataset(given_input, engine="anyzarr") as ds:
            xr.testing.assert_identical(ds.load(), original)


@pytest.mark.parametrize("fmt", [2, 3])
def test_a_url_reads_over_http(tmp_path: Path, fmt: int) -> None:
    path = tmp_path / "data.zarr"
    original = _write_with_zarr_python(path, fmt)
    with (
        serve_directory(path) as server,
        xr.open_dataset(server.url, engine="anyzarr", chunks={}) as ds,
    ):
        xr.testing.assert_identical(ds.load(), original)


def test_a_missing_store_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        xr.open_dataset(tmp_path / "missing.zarr", engine="anyzarr")


def test_consolidated_true_requires_consolidated_metadata(tmp_path: Path) -> None:
    path = tmp_path / "data.zarr"
    _write_with_zarr_python(path, 2, consolidated=False)
    # zarr-python raises a ValueError here too.
    with pytest.raises(ValueError, match="consolidated"):
        xr.open_dataset(path, engine="anyzarr", consolidated=True)
    with xr.open_dataset(path, engine="anyzarr", consolidated=None) as ds:
        assert "temp" in ds


# -- groups and trees ----------------------------------------------------------


def _tree() -> xr.DataTree:
    base = example_dataset()
    return xr.DataTree.from_dict(
        {
            "/": base[["temp"]],
            "/child": xr.Dataset({"w": ("time", np.arange(6.0))}),
            "/child/grand": xr.Dataset({"z": ("q", np.array([1, 2, 3], dtype="u2"))}),
        }
    )


@pytest.mark.parametrize("fmt", [2, 3])
def test_groups_and_trees_written_by_zarr_python(tmp_path: Path, fmt: int) -> None:
    path = tmp_path / "tree.zarr"
    tree = _tree()
    tree.to_zarr(path, mode="w", zarr_format=fmt)
    with xr.open_datatree(path, engine="anyzarr") as ours:
        xr.testing.assert_identical(ours, tree)
    with (
        xr.open_datatree(path, engine="anyzarr", group="child") as ours,
        xr.open_datatree(path, engine="zarr", group="child") as theirs,
    ):
        xr.testing.assert_identical(ours, theirs)
    with xr.open_dataset(path, engine="anyzarr", group="child/grand") as ds:
        xr.testing.assert_identical(ds, tree["child/grand"].to_dataset(inherit=False))
    groups = AnyzarrBackendEntrypoint().open_groups_as_dict(str(path))
    assert sorted(groups) == ["/", "/child", "/child/grand"]


# -- lazy indexing ---------------------------------------------------------------


@pytest.fixture(scope="module")
def cube(tmp_path_factory: pytest.TempPathFactory) -> tuple[AnyzarrBackendArray, np.ndarray]:
    data = np.arange(7 * 6 * 5, dtype="f8").reshape(7, 6, 5)
    path = tmp_path_factory.mktemp("cube") / "cube.zarr"
    array = anyzarr.create_array(path, shape=data.shape, chunks=(3, 4, 2), dtype="f8")
    array[...] = data
    return AnyzarrBackendArray(array), data


_axis_key = st.one_of(
    st.integers(-5, 4),
    st.builds(slice, st.none() | st.integers(-6, 6), st.none() | st.integers(-6, 6)),
    st.lists(st.integers(0, 4), min_size=1, max_size=4).map(np.array),
)


@given(key=st.tuples(_axis_key, _axis_key, _axis_key))
def test_outer_and_basic_keys_read_what_numpy_reads(
    cube: tuple[AnyzarrBackendArray, np.ndarray], key: tuple[Any, ...]
) -> None:
    backend, data = cube
    if all(isinstance(k, int | slice) for k in key):
        indexer: indexing.ExplicitIndexer = indexing.BasicIndexer(key)
        expected = data[key]
    else:
        indexer = indexing.OuterIndexer(key)
        # numpy's outer product: integers drop their axis, the rest combine with ix_.
        kept = data[tuple(k if isinstance(k, int) else slice(None) for k in key)]
        axes = [
            np.arange(n)[k] for k, n in zip(key, data.shape, strict=True) if not isinstance(k, int)
        ]
        expected = kept[np.ix_(*axes)]
    np.testing.assert_array_equal(backend[indexer], expected)


@given(
    points=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 5)), min_size=1, max_size=6),
    tail=st.sampled_from([slice(None), slice(1, 4), slice(None, None, 2)]),
)
def test_vectorized_keys_read_what_xarray_expects(
    cube: tuple[AnyzarrBackendArray, np.ndarray], points: list[tuple[int, int]], tail: slice
) -> None:
    backend, data = cube
    rows = np.array([p[0] for p in points])
    cols = np.array([p[1] for p in points])
    # Only integer arrays: a coordinate selection.
    pure = indexing.VectorizedIndexer((rows, cols, np.zeros_like(rows)))
    np.testing.assert_array_equal(backend[pure], data[rows, cols, 0])
    # With a slice: xarray's rule puts sliced axes last.
    mixed = indexing.VectorizedIndexer((rows, cols, tail))
    np.testing.assert_array_equal(backend[mixed], data[rows, cols][:, tail])


@pytest.mark.anyio
async def test_async_getitem_matches_getitem(
    cube: tuple[AnyzarrBackendArray, np.ndarray],
) -> None:
    backend, _ = cube
    keys: list[indexing.ExplicitIndexer] = [
        indexing.BasicIndexer((slice(1, 6), 2, slice(None, None, 2))),
        indexing.OuterIndexer((np.array([0, 3, 6]), slice(None), np.array([4, 1]))),
        indexing.VectorizedIndexer((np.array([0, 6]), np.array([5, 1]), np.array([4, 0]))),
        indexing.VectorizedIndexer((np.array([0, 6]), np.array([5, 1]), slice(1, 3))),
    ]
    for key in keys:
        np.testing.assert_array_equal(await backend.async_getitem(key), backend[key])


@pytest.mark.parametrize("fmt", [2, 3])
def test_load_async_loads_every_variable(tmp_path: Path, fmt: int) -> None:
    path = tmp_path / "data.zarr"
    original = _write_with_zarr_python(path, fmt)

    async def load() -> xr.Dataset:
        with xr.open_dataset(path, engine="anyzarr") as ds:
            return await ds.load_async()

    # xarray gathers the variables with asyncio itself: asyncio only.
    xr.testing.assert_identical(asyncio.run(load()), original)


def test_backend_array_pickles_with_its_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.zarr"
    array = anyzarr.create_array(path, shape=(10,), chunks=(3,), dtype="i2")
    array[...] = np.arange(10)
    payload = pickle.dumps(AnyzarrBackendArray(array))
    # The copy must not need the metadata document: it travelled in the pickle.
    (path / "zarr.json").unlink()
    copy = pickle.loads(payload)
    np.testing.assert_array_equal(copy[indexing.BasicIndexer((slice(2, 9),))], np.arange(2, 9))


# -- dask chunks -----------------------------------------------------------------


def test_chunks_follow_the_stored_chunks_as_the_zarr_engine_does(tmp_path: Path) -> None:
    path = tmp_path / "data.zarr"
    ds = xr.Dataset(
        {
            "plain": (("t", "x"), np.arange(200.0).reshape(20, 10)),
            "sharded": (("t", "x"), np.arange(200.0).reshape(20, 10)),
        }
    )
    ds.to_zarr(
        path,
        zarr_format=3,
        encoding={"plain": {"chunks": (3, 4)}, "sharded": {"chunks": (2, 5), "shards": (8, 10)}},
    )
    with xr.open_dataset(path, engine="anyzarr", chunks={}) as opened:
        assert opened["plain"].chunks == ((3,) * 6 + (2,), (4, 4, 2))
        # Sharded: the inner chunks, the unit a read decodes (as open_zarr).
        assert opened["sharded"].chunks == ((2,) * 10, (5, 5))
        xr.testing.assert_identical(opened.compute(), ds)
    with xr.open_dataset(path, engine="anyzarr", chunks={"t": 6, "x": 10}) as opened:
        assert opened["plain"].chunks[0] == (6, 6, 6, 2)
        xr.testing.assert_identical(opened.compute(), ds)
    with (
        xr.open_dataset(path, engine="anyzarr", chunks="auto") as ours,
        xr.open_dataset(path, engine="zarr", chunks="auto") as theirs,
    ):
        assert ours.chunks == theirs.chunks


def test_open_mfdataset(tmp_path: Path) -> None:
    original = example_dataset()
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"part{i}.zarr")
        original.isel(time=slice(2 * i, 2 * i + 2)).to_zarr(paths[-1])
    with xr.open_mfdataset(
        paths,
        engine="anyzarr",
        combine="by_coords",
        data_vars="minimal",
        coords="minimal",
        compat="override",
        join="outer",
    ) as combined:
        assert combined["temp"].chunks[0] == (2, 2, 2)
        xr.testing.assert_identical(combined.load(), original)
