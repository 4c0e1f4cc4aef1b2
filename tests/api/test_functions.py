"""The async functions: open*, group, create*, save/load, *_like, create_hierarchy, tree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anyzarr.api import asynchronous as az
from anyzarr.api._group import AsyncGroup
from anyzarr.errors import (
    ArrayNotFoundError,
    ContainsArrayError,
    ContainsGroupError,
    GroupNotFoundError,
    NodeTypeValidationError,
    ZarrDeprecationWarning,
)
from anyzarr.io.stores import MemoryStore
from anyzarr.protocol.metadata import GroupMetadata

pytestmark = pytest.mark.anyio

FORMATS = pytest.mark.parametrize("zarr_format", [2, 3])


def test_public_names_match_the_seed() -> None:
    expected = {
        "array", "consolidate_metadata", "copy", "copy_all", "copy_store", "create",
        "create_array", "create_group", "create_hierarchy", "empty", "empty_like",
        "from_array", "full", "full_like", "group", "load", "ones", "ones_like", "open",
        "open_array", "open_consolidated", "open_group", "open_like", "save", "save_array",
        "save_group", "tree", "zeros", "zeros_like",
    }  # fmt: skip
    assert expected <= set(az.__all__)
    assert all(callable(getattr(az, name)) for name in expected)


@FORMATS
async def test_open_group_modes(zarr_format: int) -> None:
    store = MemoryStore()
    with pytest.raises(GroupNotFoundError):
        await az.open_group(store, mode="r")
    with pytest.raises(FileNotFoundError):
        await az.open_group(store, mode="r+")
    created = await az.open_group(store, mode="a", zarr_format=zarr_format, attributes={"a": 1})  # type: ignore[arg-type]
    await created.create_group("child")
    again = await az.open_group(store, mode="a")
    assert again.attrs == {"a": 1}
    assert again.zarr_format == zarr_format
    with pytest.raises(FileExistsError):
        await az.open_group(store, mode="w-", zarr_format=zarr_format)  # type: ignore[arg-type]
    replaced = await az.open_group(store, mode="w", zarr_format=zarr_format)  # type: ignore[arg-type]
    assert replaced.attrs == {}
    assert await replaced.nmembers() == 0


@FORMATS
async def test_group_and_create_group(zarr_format: int) -> None:
    store = MemoryStore()
    g = await az.group(store=store, path="x/y", zarr_format=zarr_format, attributes={"k": 1})  # type: ignore[arg-type]
    assert g.path == "x/y"
    same = await az.group(store=store, path="x/y")
    assert same.attrs == {"k": 1}
    root = await az.open_group(store, mode="r")
    assert [p async for p, _ in root.members(max_depth=None)] == ["x", "x/y"]
    with pytest.raises(ContainsGroupError):
        await az.create_group(store=store, path="x", zarr_format=zarr_format)  # type: ignore[arg-type]
    over = await az.group(store=store, path="x/y", overwrite=True, zarr_format=zarr_format)  # type: ignore[arg-type]
    assert over.attrs == {}


@FORMATS
async def test_open_finds_arrays_and_groups(zarr_format: int) -> None:
    store = MemoryStore()
    await az.create_array(store, name="arr", shape=(3,), dtype="i2", zarr_format=zarr_format)  # type: ignore[arg-type]
    node = await az.open(store=store, path="arr")
    assert not isinstance(node, AsyncGroup)
    assert tuple(node.shape) == (3,)
    assert isinstance(await az.open(store=store), AsyncGroup)
    made = await az.open(store=store, path="new", shape=(2, 2), dtype="f4", zarr_format=zarr_format)
    assert tuple(made.shape) == (2, 2)  # type: ignore[union-attr]
    assert isinstance(await az.open(store=store, path="grp", zarr_format=zarr_format), AsyncGroup)
    with pytest.raises(ArrayNotFoundError):
        await az.open_array(store=store, path="missing", mode="r")
    # A group where an array is expected, as zarr-python 3.4 reports it.
    with pytest.raises(NodeTypeValidationError):
        await az.open_array(store=store, path="grp")


@FORMATS
async def test_create_array_errors_and_data(zarr_format: int) -> None:
    store = MemoryStore()
    data = np.arange(10, dtype="i8").reshape(2, 5)
    arr = await az.create_array(
        store, name="a/b", data=data, chunks=(1, 2), zarr_format=zarr_format
    )  # type: ignore[arg-type]
    np.testing.assert_array_equal(await arr.getitem(Ellipsis), data)
    assert isinstance(await (await az.open_group(store, mode="r")).getitem("a"), AsyncGroup)
    with pytest.raises(ContainsArrayError):
        await az.create_array(store, name="a/b", shape=(1,), dtype="i1", zarr_format=zarr_format)  # type: ignore[arg-type]
    with pytest.raises(ContainsGroupError):
        await az.create_array(store, name="a", shape=(1,), dtype="i1", zarr_format=zarr_format)  # type: ignore[arg-type]
    replaced = await az.create_array(
        store,
        name="a/b",
        shape=(1,),
        dtype="i1",
        zarr_format=zarr_format,
        overwrite=True,  # type: ignore[arg-type]
    )
    assert tuple(replaced.shape) == (1,)


@FORMATS
async def test_create_and_fill_helpers(zarr_format: int) -> None:
    store = MemoryStore()
    base = await az.create(
        (4, 4),
        chunks=2,
        dtype="i4",
        store=store,
        path="base",
        zarr_format=zarr_format,  # type: ignore[arg-type]
    )
    assert tuple(base.metadata.chunk_shape) == (2, 2)
    z = await az.zeros((3,), store=store, path="z", zarr_format=zarr_format)
    assert (await z.getitem(Ellipsis)).tolist() == [0.0, 0.0, 0.0]
    o = await az.ones((2,), dtype="i4", store=store, path="o", zarr_format=zarr_format)
    assert (await o.getitem(Ellipsis)).tolist() == [1, 1]
    f = await az.full((2,), 7, dtype="i4", store=store, path="f", zarr_format=zarr_format)
    assert (await f.getitem(Ellipsis)).tolist() == [7, 7]
    e = await az.empty((2,), dtype="u1", store=store, path="e", zarr_format=zarr_format)
    assert tuple(e.shape) == (2,)
    zl = await az.zeros_like(base, store=store, path="zl")
    assert tuple(zl.shape) == (4, 4)
    assert zl.dtype == np.dtype("i4")
    assert tuple(zl.metadata.chunk_shape) == (2, 2)
    ol = await az.ones_like(np.zeros((3, 1), dtype="u2"), store=store, path="ol")
    assert (await ol.getitem(Ellipsis)).tolist() == [[1], [1], [1]]
    fl = await az.full_like(f, store=store, path="fl")
    assert (await fl.getitem(Ellipsis)).tolist() == [7, 7]
    el = await az.empty_like(f, store=store, path="el")
    assert tuple(el.shape) == (2,)
    ol2 = await az.open_like(base, "opened", store=store)
    assert tuple(ol2.shape) == (4, 4)
    arr = await az.array(
        np.arange(6).reshape(2, 3), store=store, path="arr", zarr_format=zarr_format
    )
    assert (await arr.getitem(Ellipsis)).tolist() == [[0, 1, 2], [3, 4, 5]]


@FORMATS
async def test_from_array(zarr_format: int) -> None:
    store = MemoryStore()
    src = await az.create_array(
        store, name="src", data=np.arange(12, dtype="f8").reshape(3, 4), chunks=(2, 2),
        zarr_format=zarr_format, attributes={"u": "m"},  # type: ignore[arg-type]
    )  # fmt: skip
    other = MemoryStore()
    for target_format in (2, 3):
        dst = await az.from_array(
            other, data=src, name=f"v{target_format}", zarr_format=target_format
        )  # type: ignore[arg-type]
        assert dst.metadata.zarr_format == target_format
        assert tuple(dst.metadata.chunk_shape) == (2, 2)
        assert dst.metadata.attributes == {"u": "m"}
        np.testing.assert_array_equal(await dst.getitem(Ellipsis), np.arange(12).reshape(3, 4))
    plain = await az.from_array(other, data=np.ones((5,), dtype="u1"), name="plain")
    assert (await plain.getitem(Ellipsis)).tolist() == [1] * 5


@FORMATS
async def test_save_and_load(tmp_path: Path, zarr_format: int) -> None:
    target = str(tmp_path / "one")
    await az.save(target, np.arange(4), zarr_format=zarr_format)  # type: ignore[arg-type]
    assert (await az.load(store=target)).tolist() == [0, 1, 2, 3]
    await az.save_array(target, np.arange(3), zarr_format=zarr_format)  # replaces in mode "a"  # type: ignore[arg-type]
    assert (await az.load(store=target)).tolist() == [0, 1, 2]
    many = str(tmp_path / "many")
    await az.save(many, np.arange(2), np.ones(3), named=np.zeros(1), zarr_format=zarr_format)  # type: ignore[arg-type]
    loaded = await az.load(store=many)
    assert sorted(loaded) == ["arr_0", "arr_1", "named"]
    assert loaded["arr_1"].tolist() == [1.0, 1.0, 1.0]
    await az.save_group(many, path="sub", x=np.arange(2), zarr_format=zarr_format)  # type: ignore[arg-type]
    assert (await az.load(store=many, path="sub"))["x"].tolist() == [0, 1]
    with pytest.raises(ValueError, match="at least one"):
        await az.save(many)
    with pytest.raises(TypeError):
        await az.save_array(many, [1, 2])


@FORMATS
async def test_create_hierarchy(zarr_format: int) -> None:
    store = MemoryStore()
    nodes = {
        "a/b": GroupMetadata(attributes={"leaf": True}, zarr_format=zarr_format),  # type: ignore[arg-type]
        "/c": GroupMetadata(zarr_format=zarr_format),  # type: ignore[arg-type]
    }
    made = {path: node async for path, node in az.create_hierarchy(store=store, nodes=nodes)}
    assert sorted(made) == ["", "a", "a/b", "c"]
    root = await az.open_group(store, mode="r")
    assert sorted([p async for p, _ in root.members(max_depth=None)]) == ["a", "a/b", "c"]
    assert (await root.getitem("a/b")).attrs == {"leaf": True}
    again = {"a/b": GroupMetadata(zarr_format=zarr_format)}  # type: ignore[arg-type]
    with pytest.raises(ContainsGroupError):
        [x async for x in az.create_hierarchy(store=store, nodes=again)]  # type: ignore[arg-type]
    redone = [p async for p, _ in az.create_hierarchy(store=store, nodes=again, overwrite=True)]  # type: ignore[arg-type]
    assert redone == ["a/b"]  # existing implicit parents are left as they are
    assert (await root.getitem("a/b")).attrs == {}


async def test_tree_function() -> None:
    g = await az.group(store=MemoryStore())
    await g.create_group("only")
    with pytest.warns(ZarrDeprecationWarning, match="AsyncGroup.tree"):
        assert repr(await az.tree(g)) == "/\n└── only\n"


@pytest.mark.anyio
async def test_like_functions_keep_the_source_fill_value() -> None:
    # As in zarr-python: empty_like/open_like inherit the fill value of a
    # Zarr source; zeros_like/ones_like/full_like set their own.
    store = MemoryStore()
    src = await az.create_array(
        store, name="src", shape=(4,), chunks=(2,), dtype="i4", fill_value=5
    )
    assert (await az.empty_like(src, store=store, path="e")).fill_value == 5
    assert (await az.open_like(src, "o", store=store)).fill_value == 5
    assert (await az.zeros_like(src, store=store, path="z")).fill_value == 0
    assert (await az.ones_like(src, store=store, path="n")).fill_value == 1
    assert (await az.full_like(src, store=store, path="f", fill_value=7)).fill_value == 7


@pytest.mark.anyio
async def test_create_write_empty_chunks_overrides_an_array_config() -> None:
    from anyzarr.api._array_config import ArrayConfig

    base = ArrayConfig(order="F", write_empty_chunks=False)
    with (
        pytest.warns(RuntimeWarning, match="write_empty_chunks"),
        pytest.warns(UserWarning, match="redundant"),
    ):
        arr = await az.create(
            shape=(4,), dtype="u1", store=MemoryStore(), write_empty_chunks=True, config=base
        )
    assert arr.config.write_empty_chunks is True
    assert arr.config.order == "F"
