"""The generated sync API on real arrays and groups: extras, pickling, deprecations."""

from __future__ import annotations

import asyncio
import pickle
import threading

import numpy as np
import pytest

import anyzarr as zarr
from anyzarr.api._sync_mixins import unwrap, wrap


@pytest.fixture
def arr() -> zarr.Array:
    a = zarr.create_array(zarr.storage.MemoryStore(), shape=(6, 4), chunks=(2, 2), dtype="i4")
    a[:] = np.arange(24, dtype="i4").reshape(6, 4)
    return a


def test_item_access_and_indexers(arr: zarr.Array) -> None:
    data = np.arange(24).reshape(6, 4)
    np.testing.assert_array_equal(arr[1:3, ::2], data[1:3, ::2])
    np.testing.assert_array_equal(arr.oindex[[0, 5], [1, 3]], data[np.ix_([0, 5], [1, 3])])
    np.testing.assert_array_equal(arr.vindex[[0, 5], [1, 3]], data[[0, 5], [1, 3]])
    mask = data % 5 == 0
    np.testing.assert_array_equal(arr.vindex[mask], data[mask])
    np.testing.assert_array_equal(arr.blocks[1, 0], data[2:4, 0:2])
    arr.oindex[[0], [0, 1]] = -1
    arr.vindex[[5], [3]] = -2
    arr.blocks[2, 1] = 9
    assert arr[0, 1] == -1
    assert arr[5, 3] == 9
    assert arr[4, 2] == 9


def test_numpy_protocol_len_iter_repr(arr: zarr.Array) -> None:
    data = np.arange(24).reshape(6, 4)
    np.testing.assert_array_equal(np.asarray(arr), data)
    assert np.asarray(arr, dtype="f8").dtype == np.float64
    assert len(arr) == 6
    rows = list(arr)
    assert len(rows) == 6
    np.testing.assert_array_equal(rows[2], data[2])
    assert "shape=(6, 4)" in repr(arr)
    with arr as same:
        assert same is arr


def test_forwarded_properties_and_methods(arr: zarr.Array) -> None:
    assert arr.shape == (6, 4)
    assert arr.chunks == (2, 2)
    assert arr.dtype == np.dtype("i4")
    assert arr.nchunks == 6
    assert arr.nchunks_initialized == 6  # a property, as in zarr-python 3.4
    assert arr.append(np.zeros((2, 4), dtype="i4")) == (8, 4)
    updated = arr.update_attributes({"a": 1})
    assert isinstance(updated, zarr.Array)
    assert updated.attrs["a"] == 1
    assert unwrap(arr) is arr.async_array
    assert wrap(arr.async_array) == arr
    assert hash(wrap(arr.async_array)) == hash(arr)


def test_group_mapping_access() -> None:
    g = zarr.group()
    sub = g.create_group("sub")
    a = g.create_array("a", shape=(3,), dtype="f4")
    assert isinstance(sub, zarr.Group)
    assert isinstance(a, zarr.Array)
    assert isinstance(g["a"], zarr.Array)
    assert isinstance(g["sub"], zarr.Group)
    assert "a" in g
    assert "missing" not in g
    assert sorted(g) == ["a", "sub"]
    assert len(g) == 2
    members = g.members()
    assert isinstance(members, tuple)
    assert dict(members).keys() == {"a", "sub"}
    assert sorted(g.array_keys()) == ["a"]
    with pytest.raises(KeyError):
        g["missing"]
    del g["a"]
    assert "a" not in g


def test_pickle_round_trip(arr: zarr.Array, tmp_path: object) -> None:
    back = pickle.loads(pickle.dumps(arr))
    assert isinstance(back, zarr.Array)
    np.testing.assert_array_equal(back[:], arr[:])
    store = zarr.storage.LocalStore(str(tmp_path))
    g = zarr.group(store=store)
    g.create_array("x", shape=(2,), dtype="u1")
    g2 = pickle.loads(pickle.dumps(g))
    assert isinstance(g2, zarr.Group)
    assert "x" in g2


def test_dask_from_array(arr: zarr.Array) -> None:
    da = pytest.importorskip("dask.array")
    d = da.from_array(arr, chunks=arr.chunks)
    assert int(d.sum().compute(scheduler="threads")) == int(np.arange(24).sum())


def test_deprecated_names_warn() -> None:
    g = zarr.group()
    with pytest.warns(DeprecationWarning, match="(?i)deprecat"):
        g.create_dataset("d", shape=(2,), dtype="i1")
    with pytest.warns(DeprecationWarning, match="(?i)deprecat"):
        g.require_dataset("d", shape=(2,), dtype="i1")
    with pytest.warns(DeprecationWarning, match="(?i)deprecat"):
        g.array("e", shape=(2,), dtype="i1")
    with pytest.warns(DeprecationWarning, match="(?i)deprecat"):
        zarr.Array.create(zarr.storage.MemoryStore(), shape=(2,), dtype="i1")


def test_deprecated_group_array_gives_create_array_defaults_for_none() -> None:
    g = zarr.group(zarr_format=2)
    with pytest.warns(DeprecationWarning, match="(?i)deprecat"):
        given = g.array("a", shape=(4,), dtype="i2", chunks=None, compressors=None, fill_value=None)
    plain = g.create_array("b", shape=(4,), dtype="i2")
    assert given.chunks == plain.chunks
    assert given.compressors == plain.compressors
    assert given.fill_value == plain.fill_value
    with pytest.warns(DeprecationWarning, match="(?i)deprecat"):
        chosen = g.array("c", shape=(4,), dtype="i2", chunks=(2,), fill_value=3)
    assert chosen.chunks == (2,)
    assert chosen.fill_value == 3


def test_group_setitem_copies_another_anyzarr_array() -> None:
    source = zarr.array(np.arange(6), chunks=2)
    group = zarr.group()
    group["copy"] = source
    copied = group["copy"]
    assert isinstance(copied, zarr.Array)
    np.testing.assert_array_equal(copied[:], np.arange(6))
    assert copied.chunks == (2,)
    source[0] = 99  # a copy: the source's later writes do not show
    assert copied[0] == 0


def test_group_get_returns_the_default_itself() -> None:
    g = zarr.group()
    default: list[int] = []
    assert g.get("missing", default) is default
    assert g.get("missing") is None
    g.create_array("x", shape=(1,), dtype="u1")
    assert isinstance(g.get("x"), zarr.Array)


def test_sync_api_inside_a_running_event_loop(arr: zarr.Array) -> None:
    async def notebook_cell() -> int:
        return int(arr[:].sum())

    assert asyncio.run(notebook_cell()) == int(np.arange(24).sum())


def test_sync_api_from_many_threads(arr: zarr.Array) -> None:
    sums: list[int] = []

    def reader() -> None:
        for _ in range(5):
            sums.append(int(arr[:].sum()))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sums == [int(np.arange(24).sum())] * 20


def test_trio_backend_for_real_io(arr: zarr.Array) -> None:
    with zarr.config.set({"sync.backend": "trio"}):
        np.testing.assert_array_equal(arr[0], [0, 1, 2, 3])
