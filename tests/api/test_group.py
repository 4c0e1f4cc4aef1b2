"""AsyncGroup: hierarchies, members, errors, move, tree, attributes."""

from __future__ import annotations

import pytest

from anyzarr.api._group import AsyncGroup, IncompatibleMemberError, MemberNotFoundError
from anyzarr.errors import ContainsArrayError, ContainsGroupError, GroupNotFoundError
from anyzarr.io.stores import MemoryStore

pytestmark = pytest.mark.anyio

FORMATS = pytest.mark.parametrize("zarr_format", [2, 3])


async def _hierarchy(zarr_format: int) -> tuple[MemoryStore, AsyncGroup]:
    store = MemoryStore()
    root = await AsyncGroup.from_store(store, attributes={"root": True}, zarr_format=zarr_format)  # type: ignore[arg-type]
    a = await root.create_group("a", attributes={"level": 1})
    await a.create_group("b")
    await (await a.create_group("c")).create_group("d")
    await root.create_group("z")
    return store, root


@FORMATS
async def test_build_and_list(zarr_format: int) -> None:
    _, root = await _hierarchy(zarr_format)
    assert [k async for k in root.keys()] == ["a", "z"]  # noqa: SIM118
    assert [k async for k in root.group_keys()] == ["a", "z"]
    assert [k async for k in root.array_keys()] == []
    assert await root.nmembers() == 2
    assert await root.nmembers(max_depth=1) == 4
    assert await root.nmembers(max_depth=None) == 5
    paths = [p async for p, _ in root.members(max_depth=None)]
    assert sorted(paths) == ["a", "a/b", "a/c", "a/c/d", "z"]
    assert all([isinstance(g, AsyncGroup) async for g in root.group_values()])


@FORMATS
async def test_open_and_properties(zarr_format: int) -> None:
    store, _ = await _hierarchy(zarr_format)
    g = await AsyncGroup.open(store, zarr_format=None)
    assert g.attrs == {"root": True}
    assert g.zarr_format == zarr_format
    assert (g.path, g.name, g.basename) == ("", "/", "")
    sub = await g.getitem("a/c")
    assert isinstance(sub, AsyncGroup)
    assert (sub.path, sub.name, sub.basename) == ("a/c", "/a/c", "c")
    assert sub.store is store
    assert sub.store_path.path == "a/c"
    assert sub.read_only is False
    assert sub.synchronizer is None
    assert sub.metadata.zarr_format == zarr_format
    with pytest.raises(GroupNotFoundError):
        await AsyncGroup.open(store, zarr_format=5 - zarr_format)  # type: ignore[arg-type]


@FORMATS
async def test_lookup_errors(zarr_format: int) -> None:
    _, root = await _hierarchy(zarr_format)
    with pytest.raises(KeyError):
        await root.getitem("nope")
    with pytest.raises(MemberNotFoundError, match="nope"):
        await root.getitem("nope")
    assert await root.get("nope", 7) == 7
    assert await root.contains("a/b")
    assert not await root.contains("a/x")
    with pytest.raises(ContainsGroupError, match="'a'"):
        await root.create_group("a")
    with pytest.raises(ContainsGroupError):
        await AsyncGroup.from_store(root.store_path / "z", zarr_format=zarr_format)  # type: ignore[arg-type]


@FORMATS
async def test_require_groups_and_overwrite(zarr_format: int) -> None:
    _, root = await _hierarchy(zarr_format)
    a, new = await root.require_groups("a", "new")
    assert a.attrs == {"level": 1}
    assert new.path == "new"
    again = await root.require_group("new")
    assert again.path == "new"
    fresh = await root.create_group("a", overwrite=True, attributes={"v": 2})
    assert fresh.attrs == {"v": 2}
    assert await fresh.nmembers() == 0


@FORMATS
async def test_update_attributes_persists(zarr_format: int) -> None:
    store, root = await _hierarchy(zarr_format)
    await root.update_attributes({"extra": "yes"})
    assert (await AsyncGroup.open(store, zarr_format=None)).attrs == {"root": True, "extra": "yes"}


@FORMATS
async def test_delitem(zarr_format: int) -> None:
    _, root = await _hierarchy(zarr_format)
    await root.delitem("a")
    assert [k async for k in root.keys()] == ["z"]  # noqa: SIM118
    # Deleting it again does nothing, as in zarr-python 3.4.
    await root.delitem("a")
    assert [k async for k in root.keys()] == ["z"]  # noqa: SIM118


@FORMATS
async def test_move(zarr_format: int) -> None:
    store, root = await _hierarchy(zarr_format)
    await root.move("a/c", "moved/here")
    assert not await root.contains("a/c")
    moved = await root.getitem("moved/here")
    assert isinstance(moved, AsyncGroup)
    assert [k async for k in moved.keys()] == ["d"]  # noqa: SIM118
    assert await root.contains("moved")  # parent created so listing finds it
    with pytest.raises(KeyError):
        await root.move("a/c", "elsewhere")
    with pytest.raises(ContainsGroupError):
        await root.move("z", "a")
    keys = [k async for k in store.list()]
    assert not any(k.startswith("a/c/") for k in keys)


@FORMATS
async def test_tree(zarr_format: int) -> None:
    _, root = await _hierarchy(zarr_format)
    text = repr(await root.tree())
    assert text == ("/\n├── a\n│   ├── b\n│   └── c\n│       └── d\n└── z\n")
    shallow = repr(await root.tree(level=0))
    assert shallow == "/\n├── a\n└── z\n"


@FORMATS
async def test_info(zarr_format: int) -> None:
    _, root = await _hierarchy(zarr_format)
    assert "No. members" not in repr(root.info)
    complete = repr(await root.info_complete())
    assert "No. members : 5" in complete
    assert "No. groups  : 5" in complete
    assert f"Zarr format : {zarr_format}" in complete
    assert "Store type  : MemoryStore" in complete


@FORMATS
async def test_arrays_in_groups(zarr_format: int) -> None:
    _, root = await _hierarchy(zarr_format)
    arr = await root.create_array("data", shape=(4, 6), dtype="int16", chunks=(2, 3))
    assert tuple(arr.shape) == (4, 6)
    assert [k async for k in root.array_keys()] == ["data"]
    assert [k for k, _ in [x async for x in root.arrays()]] == ["data"]
    got = await root.require_array("data", shape=(4, 6), dtype="int32")
    assert got.store_path.path == "data"
    with pytest.raises(TypeError):
        await root.require_array("data", shape=(4, 6), dtype="int8", exact=True)
    with pytest.raises(TypeError):
        await root.require_array("data", shape=(5, 6), dtype="int16")
    with pytest.raises(IncompatibleMemberError):
        await root.require_group("data")
    with pytest.raises(ContainsArrayError):
        await root.create_group("data")
    with pytest.raises(ContainsArrayError):
        await root.create_group("data/inside")
    assert "└── z" in repr(await root.tree())
    assert "data (4, 6) int16" in repr(await root.tree())
    z = await root.zeros(name="zz", shape=(3,))
    assert (await z.getitem(Ellipsis)).tolist() == [0, 0, 0]
    f = await root.full(name="ff", shape=(2,), fill_value=5, dtype="i4")
    assert (await f.getitem(Ellipsis)).tolist() == [5, 5]
    like = await root.ones_like(name="ol", data=f)
    assert (await like.getitem(Ellipsis)).tolist() == [1, 1]
    await root.setitem("set", [1, 2, 3])
    assert (await (await root.getitem("set")).getitem(Ellipsis)).tolist() == [1, 2, 3]
