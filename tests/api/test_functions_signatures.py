"""Signatures the seeds document: copy*(*args, **kwargs), positional stores."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest

import anyzarr
from anyzarr.api import asynchronous as az
from anyzarr.io.stores import MemoryStore


@pytest.mark.parametrize("name", ["copy", "copy_all", "copy_store"])
def test_copy_functions_take_args_and_kwargs(name: str) -> None:
    for module in (az, anyzarr):
        params = inspect.signature(getattr(module, name)).parameters
        assert [p.kind for p in params.values()] == [
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        ]


@pytest.mark.anyio
async def test_copy_forwards_positional_and_keyword_arguments() -> None:
    source = await az.group(store=MemoryStore())
    await source.create_array("a", data=np.arange(4, dtype="i2"), chunks=(2,))
    dest = await az.group(store=MemoryStore())
    array = await source.getitem("a")
    # source, dest, name, shallow, without_attrs positionally; the rest by keyword
    assert await az.copy(array, dest, "b", False, False, if_exists="raise") == (1, 0, 8)
    assert await az.copy_all(source, dest, False, False, None, "raise") == (1, 0, 8)
    assert await az.copy_all(source, dest, False, False, None, "skip") == (0, 1, 0)
    copied, skipped, nbytes = await az.copy_store(source.store, dest.store, "a", "c")
    assert (copied, skipped) == (3, 0)  # zarr.json and two chunks
    assert nbytes > 0
    assert await dest.store.exists("c/zarr.json")
    with pytest.raises(TypeError, match=r"copy\(\).*'dest'"):
        await az.copy(array)
    with pytest.raises(TypeError, match=r"copy\(\).*positional"):
        await az.copy(array, dest, "b", False, False, None, "raise", False, "one too many")
    with pytest.raises(TypeError, match=r"copy_store\(\)"):
        await az.copy_store()
    with pytest.raises(TypeError, match=r"copy_all\(\)"):
        await az.copy_all(source)


def test_sync_copy_accepts_sync_nodes() -> None:
    source = anyzarr.group(store=MemoryStore())
    source.create_array("a", data=np.arange(3, dtype="u1"), chunks=(3,))
    dest = anyzarr.group(store=MemoryStore())
    assert anyzarr.copy(source["a"], dest, name="b") == (1, 0, 3)
    copied = dest["b"]
    assert isinstance(copied, anyzarr.Array)
    assert np.array_equal(copied[...], np.arange(3))


def test_open_functions_take_the_store_positionally(tmp_path: Path) -> None:
    path = str(tmp_path / "data.zarr")
    anyzarr.create_array(path, shape=(3,), dtype="i4", fill_value=7)
    opened = anyzarr.open_array(path, mode="r")
    assert opened.shape == (3,)
    node = anyzarr.open(path, mode="r")
    assert isinstance(node, anyzarr.Array)
    assert np.array_equal(anyzarr.load(path), np.full(3, 7, dtype="i4"))
    for name in ("open", "open_array", "group", "create_group", "load"):
        first = next(iter(inspect.signature(getattr(az, name)).parameters.values()))
        assert first.name == "store"
        assert first.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    group_path = str(tmp_path / "g.zarr")
    anyzarr.create_group(group_path, attributes={"k": 1})
    assert anyzarr.group(group_path).attrs.asdict() == {"k": 1}
