from __future__ import annotations

import pickle
import threading
import zipfile
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import pytest

from anyzarr.errors import ReadOnlyError, UnsupportedOperationError, ZipFileError
from anyzarr.io._store import Store
from anyzarr.io.stores import ZipStore
from anyzarr.protocol.buffer import cpu
from anyzarr.testing.store import StoreTests


class TestZipStore(StoreTests[ZipStore]):
    store_cls = ZipStore

    @pytest.fixture
    def store_kwargs(self, tmp_path: Path) -> dict[str, Any]:
        return {"path": tmp_path / "store.zip", "mode": "w"}

    async def open_store(
        self, store_kwargs: dict[str, Any], *, read_only: bool = False
    ) -> ZipStore:
        if read_only:
            return await ZipStore.open(store_kwargs["path"], mode="r")
        return await ZipStore.open(**store_kwargs)

    async def read_only_store(self, store: ZipStore, store_kwargs: dict[str, Any]) -> Store:
        await store.close()  # writes the archive's directory
        return await self.open_store(store_kwargs, read_only=True)

    @pytest.mark.anyio
    async def test_with_read_only_shares_data(self, store: ZipStore) -> None:
        # Another handle on the archive sees members once the writer closed it.
        await store.set("k", cpu.Buffer.from_bytes(b"v"))
        await store.close()
        reader = store.with_read_only(True)
        assert reader.read_only
        value = await reader.get("k")
        assert value is not None
        assert value.to_bytes() == b"v"
        await reader.close()
        writer = reader.with_read_only(False)
        assert not writer.read_only
        await writer.set("k2", cpu.Buffer.from_bytes(b"w"))
        await writer.close()
        again = await ZipStore.open(store.path, mode="r")
        assert sorted([k async for k in again.list()]) == ["k", "k2"]
        await again.close()

    @pytest.mark.anyio
    async def test_pickle(self, store: ZipStore) -> None:
        await store.set("k", cpu.Buffer.from_bytes(b"v"))
        await store.close()
        clone = pickle.loads(pickle.dumps(store))
        value = await clone.get("k")
        assert value is not None
        assert value.to_bytes() == b"v"
        await clone.close()


def _b(data: bytes) -> cpu.Buffer:
    return cpu.Buffer.from_bytes(data)


@pytest.mark.anyio
async def test_archive_is_readable_by_zipfile(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    async with await ZipStore.open(path, mode="w", compression=zipfile.ZIP_DEFLATED) as store:
        await store.set("g/zarr.json", _b(b"{}" * 100))
        await store.set("g/zarr.json", _b(b"{}"))
    with zipfile.ZipFile(path) as zf:
        assert zf.read("g/zarr.json") == b"{}"
        assert zf.getinfo("g/zarr.json").compress_type == zipfile.ZIP_DEFLATED


@pytest.mark.anyio
async def test_modes(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    async with await ZipStore.open(path, mode="x") as store:
        await store.set("a", _b(b"1"))
    with pytest.raises(FileExistsError):
        await ZipStore.open(path, mode="x")
    async with await ZipStore.open(path, mode="a") as store:
        await store.set("b", _b(b"2"))
    reader = await ZipStore.open(path, mode="r")
    assert reader.read_only
    assert sorted([k async for k in reader.list()]) == ["a", "b"]
    with pytest.raises(ReadOnlyError, match="'c'"):
        await reader.set("c", _b(b"3"))
    await reader.close()
    async with await ZipStore.open(path, mode="w") as store:
        assert [k async for k in store.list()] == []
    with pytest.raises(ValueError, match="mode"):
        ZipStore(path, mode="q")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_delete_names_the_key(tmp_path: Path) -> None:
    store = await ZipStore.open(tmp_path / "a.zip", mode="w")
    await store.set("a/b", _b(b"1"))
    with pytest.raises(UnsupportedOperationError, match="'a/b'"):
        await store.delete("a/b")
    with pytest.raises(NotImplementedError):
        await store.delete_dir("a")
    assert not store.supports_deletes
    await store.close()


@pytest.mark.anyio
async def test_safe_from_threads_and_tasks(tmp_path: Path) -> None:
    store = await ZipStore.open(tmp_path / "a.zip", mode="w")

    def from_thread(n: int) -> None:
        for i in range(10):
            anyio.from_thread.run(store.set, f"t{n}/{i}", _b(bytes([i])))

    async with anyio.create_task_group() as tg:
        for n in range(4):
            tg.start_soon(anyio.to_thread.run_sync, from_thread, n)
        for i in range(20):
            tg.start_soon(store.set, f"task/{i}", _b(bytes([i])))
    keys = [k async for k in store.list()]
    assert len(keys) == 60
    await store.close()
    assert threading.active_count() >= 1
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert zf.testzip() is None
        assert len(zf.namelist()) == 60


@pytest.mark.anyio
async def test_move(tmp_path: Path) -> None:
    store = await ZipStore.open(tmp_path / "a.zip", mode="w")
    await store.set("k", _b(b"1"))
    await store.move(tmp_path / "sub" / "b.zip")
    assert not (tmp_path / "a.zip").exists()
    value = await store.get("k")
    assert value is not None
    assert value.to_bytes() == b"1"
    await store.close()


@pytest.mark.anyio
async def test_unreadable_archive_is_a_typed_error(tmp_path: Path) -> None:
    """A file that is not (yet) a zip archive raises ZipFileError naming it."""
    not_zip = tmp_path / "plain.zip"
    not_zip.write_bytes(b"not a zip archive at all")
    with pytest.raises(ZipFileError, match=r"plain\.zip"):
        await ZipStore.open(not_zip, mode="r")

    writer = await ZipStore.open(tmp_path / "open.zip", mode="w")
    await writer.set("k", cpu.Buffer.from_bytes(b"v"))
    # Written but not closed: the archive has no central directory yet.
    reader = writer.with_read_only(True)
    with pytest.raises(ZipFileError, match=r"open\.zip"):
        await reader.get("k", cpu.buffer_prototype)
    writer.close()
    value = await reader.get("k", cpu.buffer_prototype)
    assert value is not None
    assert value.to_bytes() == b"v"
    reader.close()
