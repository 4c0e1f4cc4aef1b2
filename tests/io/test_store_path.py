from __future__ import annotations

from pathlib import Path

import pytest

from anyzarr.errors import ReadOnlyError
from anyzarr.io._store_path import StoreLike, StorePath, make_store_path, normalize_path
from anyzarr.io.stores import LocalStore, MemoryStore, ZipStore
from anyzarr.protocol.buffer import Buffer, cpu


def _b(data: bytes) -> Buffer:
    return cpu.Buffer.from_bytes(data)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", ""), (None, ""), ("/a//b/", "a/b"), ("a\\b", "a/b"), (Path("a/b"), "a/b"), (b"x", "x")],
)
def test_normalize_path(raw: str | bytes | Path | None, expected: str) -> None:
    assert normalize_path(raw) == expected


def test_normalize_path_refuses_dots() -> None:
    with pytest.raises(ValueError, match=r"\.\."):
        normalize_path("a/../b")


@pytest.mark.anyio
async def test_store_path_delegates() -> None:
    store = MemoryStore()
    root = StorePath(store)
    node = root / "g" / "a"
    assert node.path == "g/a"
    key = node / "zarr.json"
    assert not await key.exists()
    await key.set(_b(b"{}"))
    await key.set_if_not_exists(_b(b"ignored"))
    value = await key.get()
    assert value is not None
    assert value.to_bytes() == b"{}"
    assert not await node.is_empty()
    assert await store.exists("g/a/zarr.json")
    await key.delete()
    assert await node.is_empty()
    await (node / "c").set(_b(b"1"))
    await node.delete_dir()
    assert await root.is_empty()
    assert StorePath(store, "/g/") == StorePath(store, "g")
    assert "memory://" in str(node)
    assert str(node).endswith("/g/a")
    assert repr(node).startswith("StorePath(MemoryStore,")


@pytest.mark.anyio
async def test_modes_on_a_writable_store() -> None:
    store = MemoryStore()
    await store.set("g/zarr.json", _b(b"{}"))
    for mode in (None, "r+", "a", "w"):
        sp = await make_store_path(store, path="g", mode=mode)  # type: ignore[arg-type]
        assert sp.store is store
    # Like zarr-python 3.4, "w" does not delete anything by itself.
    assert await store.exists("g/zarr.json")
    reader = await make_store_path(store, path="g", mode="r")
    assert reader.read_only
    assert reader.store is not store
    with pytest.raises(FileExistsError, match="'g'"):
        await make_store_path(store, path="g", mode="w-")
    fresh = await make_store_path(store, path="h", mode="w-")
    assert fresh.path == "h"
    with pytest.raises(ValueError, match="mode"):
        await make_store_path(store, mode="q")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_modes_on_a_read_only_store() -> None:
    store = MemoryStore(read_only=True)
    assert (await make_store_path(store, mode="r")).read_only
    assert (await make_store_path(store)).read_only
    for mode in ("r+", "a", "w", "w-"):
        with pytest.raises(ReadOnlyError, match=repr(mode)):
            await make_store_path(store, mode=mode)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="read-only"):
            await make_store_path(store, mode=mode)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_store_likes(tmp_path: Path) -> None:
    assert isinstance((await make_store_path(None)).store, MemoryStore)
    assert isinstance((await make_store_path("memory://")).store, MemoryStore)
    data: dict[str, Buffer] = {}
    sp = await make_store_path(data, path="x")
    await (sp / "k").set(_b(b"1"))
    assert list(data) == ["x/k"]

    local = await make_store_path(tmp_path / "d", path="p")
    assert isinstance(local.store, LocalStore)
    assert local.path == "p"
    assert (tmp_path / "d").is_dir()
    by_str = await make_store_path(str(tmp_path / "d"))
    assert by_str.store == local.store
    by_url = await make_store_path(f"file://{tmp_path / 'd'}")
    assert by_url.store == local.store
    ro = await make_store_path(tmp_path / "d", mode="r")
    assert ro.read_only
    with pytest.raises(FileNotFoundError):
        await make_store_path(tmp_path / "missing", mode="r")

    zipped = await make_store_path(tmp_path / "a.zip", mode="w")
    assert isinstance(zipped.store, ZipStore)
    await zipped.store.close()

    nested = await make_store_path(StorePath(MemoryStore(), "a"), path="b")
    assert nested.path == "a/b"


@pytest.mark.anyio
async def test_storage_options_only_for_remote_stores(tmp_path: Path) -> None:
    store_likes: list[StoreLike] = [None, {}, tmp_path, str(tmp_path), MemoryStore()]
    for store_like in store_likes:
        with pytest.raises(TypeError, match="storage_options"):
            await make_store_path(store_like, storage_options={"anon": True})
    with pytest.raises(TypeError, match="cannot make a store"):
        await make_store_path(42)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_http_urls_give_an_http_store() -> None:
    from anyzarr.io.stores import _http

    sp = await make_store_path("http://127.0.0.1:1/data.zarr", path="g")
    assert isinstance(sp.store, _http.HTTPStore)
    assert sp.read_only
    with pytest.raises(ReadOnlyError):
        await make_store_path("http://127.0.0.1:1/data.zarr", mode="w")
    await sp.store.close()


@pytest.mark.anyio
async def test_other_urls_give_an_fsspec_store() -> None:
    pytest.importorskip("fsspec")
    from anyzarr.io.stores import FsspecStore

    sp = await make_store_path("memory://anyzarr-test-store-path", path="g")
    assert isinstance(sp.store, FsspecStore)
    await (sp / "k").set(_b(b"1"))
    value = await (sp / "k").get()
    assert value is not None
    assert value.to_bytes() == b"1"
    await sp.store.clear()
