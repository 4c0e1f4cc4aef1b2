"""copy, copy_all and copy_store: counts, if_exists, formats and stores."""

from __future__ import annotations

import numpy as np
import pytest

from anyzarr.api import asynchronous as az
from anyzarr.api._group import AsyncGroup
from anyzarr.io.stores import MemoryStore

pytestmark = pytest.mark.anyio


async def _source(zarr_format: int) -> tuple[MemoryStore, AsyncGroup]:
    store = MemoryStore()
    root = await az.group(store=store, zarr_format=zarr_format, attributes={"root": 1})  # type: ignore[arg-type]
    sub = await root.create_group("sub", attributes={"s": "x"})
    await sub.create_array("a", data=np.arange(10, dtype="i4"), chunks=(3,))
    await (await sub.create_group("inner")).create_array(
        "b", data=np.ones((2, 2), dtype="f8"), chunks=(1, 2)
    )
    await root.create_array("top", data=np.arange(4, dtype="u1"), chunks=(4,))
    return store, root


@pytest.mark.parametrize(("src_format", "dst_format"), [(3, 3), (2, 3), (3, 2)])
async def test_copy_group_across_formats(src_format: int, dst_format: int) -> None:
    _, root = await _source(src_format)
    dest = await az.group(store=MemoryStore(), zarr_format=dst_format)  # type: ignore[arg-type]
    sub = await root.getitem("sub")
    counts = await az.copy(sub, dest)
    # groups sub and sub/inner, arrays sub/a and sub/inner/b; bytes are the data's
    assert counts == (4, 0, 10 * 4 + 4 * 8)
    copied = await dest.getitem("sub")
    assert isinstance(copied, AsyncGroup)
    assert copied.zarr_format == dst_format
    assert copied.attrs == {"s": "x"}
    b = await dest.getitem("sub/inner/b")
    assert b.metadata.zarr_format == dst_format
    assert (await b.getitem(Ellipsis)).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert (await (await dest.getitem("sub/a")).getitem(Ellipsis)).tolist() == list(range(10))


async def test_copy_if_exists_and_options() -> None:
    _, root = await _source(3)
    dest = await az.group(store=MemoryStore())
    top = await root.getitem("top")
    assert await az.copy(top, dest) == (1, 0, 4)
    with pytest.raises(az.CopyError, match="top"):
        await az.copy(top, dest)
    assert await az.copy(top, dest, if_exists="skip") == (0, 1, 0)
    assert await az.copy(top, dest, if_exists="replace") == (1, 0, 4)
    assert await az.copy(top, dest, name="renamed", without_attrs=True) == (1, 0, 4)
    assert await dest.contains("renamed")
    logged: list[str] = []
    assert await az.copy(top, dest, name="dry", dry_run=True, log=logged.append) == (1, 0, 0)
    assert not await dest.contains("dry")
    assert logged
    with pytest.raises(ValueError, match="if_exists"):
        await az.copy(top, dest, if_exists="bogus")  # type: ignore[arg-type]


async def test_copy_shallow() -> None:
    _, root = await _source(3)
    dest = await az.group(store=MemoryStore())
    counts = await az.copy(await root.getitem("sub"), dest, shallow=True)
    assert counts[:2] == (3, 0)  # sub, sub/a and the (empty) group sub/inner
    assert await (await dest.getitem("sub/inner")).nmembers() == 0


async def test_copy_all() -> None:
    _, root = await _source(2)
    dest = await az.group(store=MemoryStore(), zarr_format=2)
    counts = await az.copy_all(root, dest)
    assert counts == (5, 0, 10 * 4 + 4 * 8 + 4)
    assert dest.attrs == {"root": 1}
    assert sorted([p async for p, _ in dest.members(max_depth=None)]) == [
        "sub",
        "sub/a",
        "sub/inner",
        "sub/inner/b",
        "top",
    ]
    assert (await az.copy_all(root, dest, if_exists="skip"))[:2] == (2, 3)  # groups merge


async def test_copy_store() -> None:
    source, _ = await _source(3)
    keys = sorted([k async for k in source.list()])
    total = 0
    for key in keys:
        value = await source.get(key)
        assert value is not None
        total += len(value)
    dest = MemoryStore()
    assert await az.copy_store(source, dest) == (len(keys), 0, total)
    assert sorted([k async for k in dest.list()]) == keys
    with pytest.raises(az.CopyError):
        await az.copy_store(source, dest)
    assert (await az.copy_store(source, dest, if_exists="skip"))[:2] == (0, len(keys))

    part = MemoryStore()
    n, _, _ = await az.copy_store(
        source, part, source_path="sub", dest_path="moved", excludes=["inner"]
    )
    copied = sorted([k async for k in part.list()])
    assert n == len(copied)
    assert all(k.startswith("moved/") for k in copied)
    assert not any("inner" in k for k in copied)
    group = await az.open_group(part, path="moved", mode="r")
    assert group.attrs == {"s": "x"}
    dry = MemoryStore()
    assert (await az.copy_store(source, dry, dry_run=True))[0] == len(keys)
    assert [k async for k in dry.list()] == []


@pytest.mark.anyio
async def test_copy_names_a_source_that_is_no_node() -> None:
    from anyzarr.errors import UsageError

    dest = await az.group(store=MemoryStore())
    with pytest.raises(UsageError, match="source must be an array or a group, not int"):
        await az.copy(5, dest, "x")
