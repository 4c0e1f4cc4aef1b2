"""Keys no store can hold (NUL bytes, lone surrogates) are refused by every store and the API."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fsspec
import numpy as np
import obstore.store
import pytest

import anyzarr as zarr
from anyzarr.errors import UnsafeKeyError
from anyzarr.io.stores import (
    FsspecStore,
    LocalStore,
    LoggingStore,
    MemoryStore,
    ObjectStore,
    WrapperStore,
    ZipStore,
)
from anyzarr.protocol.buffer import cpu

BAD_KEYS = ["zarr.json\x00x", "a/\x00/b", "c/\ud800"]

STORES: dict[str, Callable[[Path], Any]] = {
    "memory": lambda tmp: MemoryStore(),
    "local": lambda tmp: LocalStore(tmp / "local"),
    "zip": lambda tmp: ZipStore(tmp / "a.zip", mode="w"),
    "fsspec": lambda tmp: FsspecStore(fsspec.filesystem("memory"), path=f"/{uuid.uuid4().hex}"),
    "object": lambda tmp: ObjectStore(obstore.store.MemoryStore()),
    "logging": lambda tmp: LoggingStore(MemoryStore()),
    "wrapper": lambda tmp: WrapperStore(MemoryStore()),
}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", list(STORES))
@pytest.mark.parametrize("key", BAD_KEYS, ids=["nul-root", "nul-segment", "surrogate"])
async def test_every_store_refuses_unholdable_keys(tmp_path: Path, kind: str, key: str) -> None:
    store = STORES[kind](tmp_path)
    value = cpu.Buffer.from_bytes(b"x")
    with pytest.raises(UnsafeKeyError):
        await store.set(key, value)
    with pytest.raises(UnsafeKeyError):
        await store.set_if_not_exists(key, value)
    if kind != "zip":  # reading a zip's key is a lookup by name; a write is what truncates
        with pytest.raises(UnsafeKeyError):
            await store.get(key)
    assert [k async for k in store.list()] == []
    await store.close()


@pytest.mark.parametrize("kind", ["memory", "local", "zip"])
def test_group_member_with_nul_is_refused_and_the_root_survives(tmp_path: Path, kind: str) -> None:
    store = STORES[kind](tmp_path)
    group = zarr.open_group(store, mode="w")
    group.attrs["kept"] = True
    with pytest.raises(UnsafeKeyError):
        group.create_array("zarr.json\x00x", shape=(2,), dtype="i1")
    with pytest.raises(UnsafeKeyError):
        group.create_group("sub\x00")
    with pytest.raises(UnsafeKeyError):
        zarr.create_array(store, name="a\x00", shape=(2,), dtype="i1")
    array = group.create_array("fine", shape=(2,), dtype="i1")
    array[:] = np.array([1, 2], dtype="i1")
    reopened = zarr.open_group(store, mode="r" if kind != "zip" else "a")
    assert reopened.attrs["kept"] is True
    assert list(reopened.array_keys()) == ["fine"]


def test_consolidated_member_with_nul_is_invalid_metadata() -> None:
    from anyzarr.api._group_names import check_consolidated_member
    from anyzarr.errors import MetadataValidationError

    with pytest.raises(MetadataValidationError, match="NUL"):
        check_consolidated_member("a\x00", "")
