"""AsyncArray: creation, properties, metadata changes, counts and errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from anyzarr.api._array import AsyncArray
from anyzarr.api._array_config import ArrayConfig, parse_array_config
from anyzarr.errors import (
    ArrayNotFoundError,
    ChunkNotFoundError,
    ContainsArrayError,
    ReadOnlyError,
    UsageError,
)
from anyzarr.io._store_path import StorePath
from anyzarr.storage import MemoryStore

pytestmark = pytest.mark.anyio


async def _arr(store: Any = None, **kwargs: Any) -> AsyncArray[Any]:
    options: dict[str, Any] = {"shape": (10, 7), "dtype": "i4", "chunks": (3, 3)}
    options.update(kwargs)
    return await AsyncArray._create(MemoryStore() if store is None else store, **options)


async def test_properties_v3() -> None:
    arr = await _arr(attributes={"units": "K"}, dimension_names=["y", "x"], fill_value=5)
    assert arr.shape == (10, 7)
    assert arr.chunks == (3, 3)
    assert arr.shards is None
    assert arr.dtype == np.dtype("i4")
    assert (arr.ndim, arr.size, arr.nbytes) == (2, 70, 280)
    assert arr.attrs == {"units": "K"}
    assert arr.fill_value == 5
    assert arr.zarr_format == 3
    assert arr.order == "C"
    assert arr.cdata_shape == (4, 3)
    assert arr.nchunks == 12
    assert arr.nshards == 12
    assert arr.path == ""
    assert arr.name == "/"
    assert not arr.read_only
    assert arr.filters == ()
    assert type(arr.serializer).__name__ == "BytesCodec"
    assert [type(c).__name__ for c in arr.compressors] == ["ZstdCodec"]
    assert arr.metadata.dimension_names == ("y", "x")
    assert repr(arr).startswith("<AsyncArray memory://")


async def test_properties_v2_and_path() -> None:
    store = MemoryStore()
    arr = await _arr(StorePath(store, "a/b"), zarr_format=2, order="F")
    assert arr.zarr_format == 2
    assert arr.order == "F"
    assert arr.serializer is None
    assert len(arr.compressors) == 1
    assert (arr.path, arr.name, arr.basename) == ("a/b", "/a/b", "b")
    # Parent groups are created, as zarr-python does.
    assert await store.exists("a/.zgroup")
    assert await store.exists("a/b/.zarray")
    with pytest.warns(DeprecationWarning, match="compressors"):
        assert arr.compressor is arr.compressors[0]


async def test_sharded_counts() -> None:
    arr = await _arr(shape=(10, 10), chunks=(3, 3), shards=(6, 6))
    assert arr.chunks == (3, 3)
    assert arr.shards == (6, 6)
    assert arr.cdata_shape == (4, 4)
    assert arr.nchunks == 16
    assert arr.nshards == 4
    await arr.setitem((slice(0, 7), slice(None)), 1)
    assert await arr.nchunks_initialized() == 16
    info = await arr.info_complete()
    assert "Shards Initialized : 4" in repr(info)
    assert "Shard shape        : (6, 6)" in repr(info)


async def test_nchunks_initialized_and_nbytes_stored() -> None:
    arr = await AsyncArray._create(MemoryStore(), shape=(10,), chunks=(2,), dtype="i4")
    assert await arr.nchunks_initialized() == 0
    await arr.setitem(slice(5), 1)
    assert await arr.nchunks_initialized() == 3
    assert sorted(arr._iter_chunk_keys())[:2] == ["c/0", "c/1"]
    assert await arr.nbytes_stored() > 0
    text = repr(await arr.info_complete())
    assert "Chunks Initialized : 3" in text
    assert "No. bytes          : 40" in text


async def test_open_roundtrip_and_errors() -> None:
    store = MemoryStore()
    arr = await _arr(store, attributes={"a": 1})
    await arr.setitem(Ellipsis, np.arange(70).reshape(10, 7))
    again = await AsyncArray.open(store)
    assert again.metadata == arr.metadata
    assert again == arr
    np.testing.assert_array_equal(await again.getitem(Ellipsis), np.arange(70).reshape(10, 7))
    with pytest.raises(ArrayNotFoundError):
        await AsyncArray.open(MemoryStore())
    with pytest.raises(ContainsArrayError):
        await _arr(store)
    replaced = await _arr(store, shape=(3,), chunks=(1,), overwrite=True)
    assert (await AsyncArray.open(store)).shape == (3,)
    assert await replaced.nchunks_initialized() == 0


async def test_from_dict() -> None:
    arr = await _arr(zarr_format=2)
    doc = arr.metadata.to_dict()
    again = AsyncArray.from_dict(arr.store_path, doc)
    assert again.shape == arr.shape
    assert again.zarr_format == 2


async def test_read_only_refuses_writes() -> None:
    store = MemoryStore()
    await _arr(store)
    ro = await AsyncArray.open(store.with_read_only(True))
    assert ro.read_only
    with pytest.raises(ReadOnlyError):
        await ro.setitem(Ellipsis, 1)
    with pytest.raises(ReadOnlyError):
        await ro.resize((3, 3))
    with pytest.raises(ReadOnlyError):
        await ro.update_attributes({"x": 1})
    with pytest.raises(ReadOnlyError):
        await ro.append(np.zeros((1, 7)))
    assert await ro.nchunks_initialized() == 0


async def test_resize_deletes_outside_chunks() -> None:
    store = MemoryStore()
    arr = await _arr(store)
    data = np.arange(70, dtype="i4").reshape(10, 7)
    await arr.setitem(Ellipsis, data)
    await arr.resize((4, 7))
    assert arr.shape == (4, 7)
    assert (await AsyncArray.open(store)).shape == (4, 7)
    assert sorted(arr._iter_chunk_keys()) == ["c/0/0", "c/0/1", "c/0/2", "c/1/0", "c/1/1", "c/1/2"]
    assert await arr.nchunks_initialized() == 6
    np.testing.assert_array_equal(await arr.getitem(Ellipsis), data[:4])
    await arr.resize((12, 7), delete_outside_chunks=False)
    assert arr.shape == (12, 7)
    with pytest.raises(UsageError):
        await arr.resize((3,))


async def test_append() -> None:
    arr = await _arr()
    data = np.arange(70, dtype="i4").reshape(10, 7)
    await arr.setitem(Ellipsis, data)
    extra = np.full((4, 7), 9, dtype="i4")
    assert await arr.append(extra) == (14, 7)
    np.testing.assert_array_equal(await arr.getitem(Ellipsis), np.concatenate([data, extra]))
    cols = np.ones((14, 2), dtype="i4")
    assert await arr.append(cols, axis=1) == (14, 9)
    with pytest.raises(UsageError):
        await arr.append(np.ones((3, 3)), axis=1)


async def test_update_attributes_merges_and_persists() -> None:
    store = MemoryStore()
    arr = await _arr(store, attributes={"a": 1, "b": 2})
    same = await arr.update_attributes({"b": 3, "c": [1, 2]})
    assert same is arr
    assert arr.attrs == {"a": 1, "b": 3, "c": [1, 2]}
    assert (await AsyncArray.open(store)).attrs == {"a": 1, "b": 3, "c": [1, 2]}


async def test_write_empty_chunks_config() -> None:
    store = MemoryStore()
    arr = await _arr(store, fill_value=0)
    await arr.setitem(Ellipsis, 0)
    assert await arr.nchunks_initialized() == 0
    keep = await _arr(MemoryStore(), fill_value=0, config={"write_empty_chunks": True})
    await keep.setitem(Ellipsis, 0)
    assert await keep.nchunks_initialized() == 12
    await arr.setitem(Ellipsis, 1)
    await arr.setitem((slice(0, 3), slice(0, 3)), 0)
    assert await arr.nchunks_initialized() == 11


async def test_read_missing_chunks_config() -> None:
    arr = await _arr(fill_value=3)
    np.testing.assert_array_equal(await arr.getitem(Ellipsis), np.full((10, 7), 3))
    strict = arr.with_config({"read_missing_chunks": False})
    with pytest.raises(ChunkNotFoundError, match="c/0/0"):
        await strict.getitem(Ellipsis)


async def test_out_and_fields() -> None:
    dt = np.dtype([("a", "i4"), ("b", "f8")])
    arr = await AsyncArray._create(MemoryStore(), shape=(6,), chunks=(4,), dtype=dt)
    data = np.zeros(6, dt)
    data["a"] = np.arange(6)
    data["b"] = np.arange(6) / 2
    await arr.setitem(Ellipsis, data)
    np.testing.assert_array_equal(await arr.get_basic_selection(fields="a"), data["a"])
    np.testing.assert_array_equal(await arr.getitem("b"), data["b"])
    await arr.set_basic_selection(slice(1, 3), [10, 20], fields="a")
    back = await arr.getitem(Ellipsis)
    assert back["a"].tolist() == [0, 10, 20, 3, 4, 5]
    np.testing.assert_array_equal(back["b"], data["b"])
    out = np.empty(3, dt)
    res = await arr.get_basic_selection(slice(0, 3), out=out)
    assert res is out
    assert out["a"].tolist() == [0, 10, 20]
    with pytest.raises(UsageError):
        await arr.getitem("nope")


async def test_broadcast_and_shape_errors() -> None:
    arr = await _arr()
    await arr.setitem((slice(None), 0), np.arange(10))
    await arr.setitem((0, slice(None)), 4)
    with pytest.raises(ValueError, match="broadcast"):
        await arr.setitem(Ellipsis, np.ones((3, 3)))
    with pytest.raises(IndexError):
        await arr.getitem((20, 0))


async def test_rank_zero_array() -> None:
    arr = await AsyncArray._create(MemoryStore(), shape=(), dtype="f8", fill_value=1.5)
    assert await arr.getitem(()) == 1.5
    await arr.setitem((), 2.5)
    assert await arr.getitem(Ellipsis) == 2.5


async def test_deprecated_create() -> None:
    with pytest.warns(DeprecationWarning, match="create_array"):
        arr = await AsyncArray.create(
            MemoryStore(), shape=(4,), dtype="u1", chunk_shape=(2,), codecs=[{"name": "bytes"}]
        )
    assert arr.compressors == ()
    with pytest.warns(DeprecationWarning, match="create_array"):
        v2 = await AsyncArray.create(
            MemoryStore(), shape=(4,), dtype="u1", zarr_format=2, chunks=(2,), compressor=None
        )
    # As documented for ``create``: no compressor given means the default one.
    assert len(v2.compressors) == 1
    bare = await AsyncArray._create(
        MemoryStore(), shape=(4,), dtype="u1", zarr_format=2, compressors=None
    )
    assert bare.compressors == ()


def test_array_config() -> None:
    cfg = parse_array_config({"order": "F"})
    assert isinstance(cfg, ArrayConfig)
    assert cfg.order == "F"
    assert parse_array_config(cfg) is cfg
    with pytest.raises(UsageError, match="bogus"):
        parse_array_config({"bogus": 1})
    with pytest.raises(UsageError, match="order"):
        parse_array_config({"order": "X"})


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize(
    "values",
    [
        np.array(list("abcdefg"), dtype=np.dtypes.StringDType()),
        np.array([b"ab", b"c", b"", b"xyz", b"q", b"r", b"s"]),
        np.arange(7).astype("M8[s]"),
        np.array([True, False] * 3 + [True]),
        np.arange(7, dtype="f2"),
    ],
    ids=["string", "bytes", "datetime", "bool", "float16"],
)
async def test_dtypes_round_trip(zarr_format: int, values: np.ndarray[Any, Any]) -> None:
    arr = await AsyncArray._create(
        MemoryStore(), shape=(7,), chunks=(3,), dtype=values.dtype, zarr_format=zarr_format
    )
    await arr.setitem(slice(0, 5), values[:5])
    back = await arr.getitem(Ellipsis)
    assert back[:5].tolist() == values[:5].tolist()
    # Compared as text so NaT and NaN fill values compare equal to themselves.
    expected = np.full(2, arr.fill_value, dtype=arr.dtype)
    assert [str(x) for x in back[5:]] == [str(x) for x in expected]
