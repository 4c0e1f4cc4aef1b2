"""``anyzarr.dask``: reading and writing dask arrays, with the threaded scheduler."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import anyzarr  # noqa: E402
import anyzarr.dask  # noqa: E402
from anyzarr.dask import aligned_chunks, is_aligned  # noqa: E402

from ._parallel_writes import LAYOUTS, TRIALS, run_trials  # noqa: E402


@pytest.fixture
def threads() -> Any:
    with dask.config.set(scheduler="threads", num_workers=8):
        yield


def _stored(tmp_path: Path, **kwargs: Any) -> tuple[anyzarr.Array, np.ndarray]:
    values = np.arange(23 * 17, dtype="i4").reshape(23, 17)
    array = anyzarr.create_array(tmp_path / "a.zarr", shape=values.shape, dtype="i4", **kwargs)
    array[...] = values
    return array, values


# -- from_zarr -----------------------------------------------------------------


@pytest.mark.usefixtures("threads")
def test_from_zarr_takes_arrays_paths_and_groups(tmp_path: Path) -> None:
    array, values = _stored(tmp_path, chunks=(5, 4))
    group = anyzarr.open_group(tmp_path / "g.zarr", mode="w")
    group.create_array("inner", data=values, chunks=(5, 4))
    for made in (
        anyzarr.dask.from_zarr(array),
        anyzarr.dask.from_zarr(array.async_array),
        anyzarr.dask.from_zarr(tmp_path / "a.zarr"),
        anyzarr.dask.from_zarr(str(tmp_path / "g.zarr"), component="inner"),
        anyzarr.dask.from_zarr(group, component="inner"),
    ):
        assert made.chunks == ((5,) * 4 + (3,), (4,) * 4 + (1,))
        np.testing.assert_array_equal(made.compute(), values)
    with pytest.raises(ValueError, match="component"):
        anyzarr.dask.from_zarr(group)
    assert anyzarr.dask.from_zarr(array).name == anyzarr.dask.from_zarr(tmp_path / "a.zarr").name


@pytest.mark.usefixtures("threads")
def test_from_zarr_cuts_along_shards_by_default(tmp_path: Path) -> None:
    array, values = _stored(tmp_path, chunks=(2, 3), shards=(8, 6))
    made = anyzarr.dask.from_zarr(array)
    assert made.chunks == ((8, 8, 7), (6, 6, 5))
    np.testing.assert_array_equal(made.compute(), values)
    other = anyzarr.dask.from_zarr(array, chunks=(10, 17))
    np.testing.assert_array_equal(other[3:19, 2:5].compute(), values[3:19, 2:5])


def test_the_read_source_pickles_with_its_metadata(tmp_path: Path) -> None:
    array, values = _stored(tmp_path, chunks=(5, 4))
    payload = pickle.dumps(anyzarr.dask.ArraySource(array))
    (tmp_path / "a.zarr" / "zarr.json").unlink()
    np.testing.assert_array_equal(pickle.loads(payload)[2:9, 3], values[2:9, 3])


# -- to_zarr -------------------------------------------------------------------


@pytest.mark.usefixtures("threads")
def test_to_zarr_creates_an_array_with_the_dask_chunks(tmp_path: Path) -> None:
    values = np.random.default_rng(1).random((40, 30))
    x = da.from_array(values, chunks=(8, 10))
    anyzarr.dask.to_zarr(x, tmp_path / "new.zarr")
    written = anyzarr.open_array(tmp_path / "new.zarr")
    assert written.chunks == (8, 10)
    np.testing.assert_array_equal(written[...], values)
    anyzarr.dask.to_zarr(x + 1, tmp_path / "g.zarr", component="inner/x", zarr_format=2)
    np.testing.assert_array_equal(
        anyzarr.open_array(tmp_path / "g.zarr", path="inner/x")[...], values + 1
    )
    with pytest.raises(FileExistsError):
        anyzarr.dask.to_zarr(x, tmp_path / "new.zarr", mode="w-")
    anyzarr.dask.to_zarr(x * 2, tmp_path / "new.zarr", mode="w", chunks=(20, 20))
    np.testing.assert_array_equal(anyzarr.open_array(tmp_path / "new.zarr")[...], values * 2)


@pytest.mark.usefixtures("threads")
def test_to_zarr_writes_a_region_off_the_grid(tmp_path: Path) -> None:
    target = anyzarr.create_array(
        tmp_path / "t.zarr", shape=(50, 40), chunks=(4, 5), shards=(8, 10), dtype="f8"
    )
    values = np.random.default_rng(2).random((33, 40))
    x = da.from_array(values, chunks=(5, 7))
    anyzarr.dask.to_zarr(x, target, region=(slice(13, 46),))
    np.testing.assert_array_equal(target[13:46], values)
    assert not target[:13].any()
    assert not target[46:].any()


@pytest.mark.usefixtures("threads")
def test_to_zarr_compute_false_and_return_stored(tmp_path: Path) -> None:
    target = anyzarr.create_array(tmp_path / "t.zarr", shape=(20,), chunks=(5,), dtype="i8")
    x = da.arange(20, chunks=3)
    delayed = anyzarr.dask.to_zarr(x, target, compute=False)
    assert not target[...].any()
    delayed.compute()
    np.testing.assert_array_equal(target[...], np.arange(20))
    stored = anyzarr.dask.to_zarr(x * 3, target, return_stored=True)
    np.testing.assert_array_equal(stored.compute(), np.arange(20) * 3)


def test_to_zarr_refuses_unknown_shapes_and_regions_of_new_arrays(tmp_path: Path) -> None:
    x = da.arange(10, chunks=3)
    with pytest.raises(ValueError, match="unknown shape"):
        anyzarr.dask.to_zarr(x[x > 3], tmp_path / "u.zarr")
    with pytest.raises(ValueError, match="region"):
        anyzarr.dask.to_zarr(x, tmp_path / "r.zarr", region=(slice(0, 10),))


# -- alignment -----------------------------------------------------------------

_axis = st.tuples(
    st.lists(st.integers(1, 30), min_size=1, max_size=12),  # dask chunk sizes
    st.integers(1, 25),  # the stored grid step
    st.integers(0, 60),  # where the chunks start (a region offset)
)


@given(axes=st.lists(_axis, min_size=1, max_size=3))
def test_aligned_chunks_put_every_boundary_on_the_grid(
    axes: list[tuple[list[int], int, int]],
) -> None:
    chunks = tuple(tuple(sizes) for sizes, _, _ in axes)
    grid = [step for _, step, _ in axes]
    offsets = [offset for _, _, offset in axes]
    result = aligned_chunks(chunks, grid, offsets)
    assert is_aligned(result, grid, offsets)
    for before, after in zip(chunks, result, strict=True):
        assert sum(after) == sum(before)
        assert all(size > 0 for size in after)
    if is_aligned(chunks, grid, offsets):
        assert result == chunks
    # Every stored object along each axis lies in exactly one task's block.
    for sizes, step, offset in zip(result, grid, offsets, strict=True):
        edges = np.cumsum([offset, *sizes])
        cells = range(offset // step, (edges[-1] - 1) // step + 1)
        for cell in cells:
            lo, hi = max(cell * step, offset), min((cell + 1) * step, edges[-1])
            assert np.searchsorted(edges, lo, "right") == np.searchsorted(edges, hi - 1, "right")


# -- parallel writes that do not line up with the stored grid --------------------


@pytest.mark.usefixtures("threads")
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_misaligned_to_zarr_loses_nothing_threaded(tmp_path: Path, layout: str) -> None:
    wrong = run_trials(tmp_path, layout, anyzarr.dask.to_zarr)
    assert wrong == [0] * TRIALS, f"elements lost per trial: {wrong}"


@pytest.mark.usefixtures("threads")
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_misaligned_da_store_without_lock_loses_nothing_threaded(
    tmp_path: Path, layout: str
) -> None:
    # Safe only once the engine serialises read-modify-write per chunk key.
    wrong = run_trials(tmp_path, layout, lambda x, target: da.store(x, target, lock=False))
    assert wrong == [0] * TRIALS, f"elements lost per trial: {wrong}"
