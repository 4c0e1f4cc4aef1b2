"""FsspecStore over fsspec's memory and local file systems and a native async one."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

import anyio
import fsspec
import pytest
from fsspec.asyn import AsyncFileSystem
from fsspec.implementations.asyn_wrapper import AsyncFileSystemWrapper
from fsspec.implementations.memory import MemoryFileSystem

from anyzarr.errors import ReadOnlyError, UnsafeKeyError
from anyzarr.io.stores._fsspec import FsspecStore
from anyzarr.io.stores._retry import RemoteStoreError
from anyzarr.protocol._byte_request import RangeByteRequest, SuffixByteRequest
from anyzarr.protocol.buffer import Buffer, cpu
from anyzarr.storage import FsspecStore as PublicFsspecStore
from anyzarr.testing.store import StoreTests


class DictAsyncFileSystem(AsyncFileSystem):  # type: ignore[misc]
    """A minimal native async file system whose coroutines insist on asyncio.

    Under trio the store must never await these directly; it has to go
    through fsspec's own loop thread.
    """

    protocol = "dictasync"
    root_marker = ""
    files: ClassVar[dict[str, bytes]] = {}

    async def _check_loop(self) -> None:
        asyncio.get_running_loop()  # raises unless on an asyncio loop
        await asyncio.sleep(0)

    async def _info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        await self._check_loop()
        path = self._strip_protocol(path).rstrip("/")
        if path in self.files:
            return {"name": path, "size": len(self.files[path]), "type": "file"}
        if any(p.startswith(path + "/") for p in self.files):
            return {"name": path, "size": 0, "type": "directory"}
        raise FileNotFoundError(path)

    async def _ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        await self._check_loop()
        path = self._strip_protocol(path).rstrip("/")
        start = f"{path}/" if path else ""
        entries: dict[str, dict[str, Any]] = {}
        for name, data in self.files.items():
            if name.startswith(start):
                child = name[len(start) :].split("/", 1)
                full = start + child[0]
                kind = "file" if len(child) == 1 else "directory"
                entries[full] = {"name": full, "size": len(data), "type": kind}
        if not entries:
            if path in self.files:
                return [await self._info(path)] if detail else [path]
            raise FileNotFoundError(path)
        return list(entries.values()) if detail else list(entries)

    async def _cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        await self._check_loop()
        path = self._strip_protocol(path)
        if path not in self.files:
            raise FileNotFoundError(path)
        data = self.files[path]
        if start is not None and start < 0:
            start = max(len(data) + start, 0)
        return data[start:end]

    async def _pipe_file(self, path: str, value: bytes, **kwargs: Any) -> None:
        await self._check_loop()
        self.files[self._strip_protocol(path)] = bytes(value)

    async def _rm_file(self, path: str, **kwargs: Any) -> None:
        await self._check_loop()
        path = self._strip_protocol(path)
        if path not in self.files:
            raise FileNotFoundError(path)
        del self.files[path]


class TestFsspecMemory(StoreTests[FsspecStore]):
    store_cls = FsspecStore

    @pytest.fixture
    def store_kwargs(self) -> dict[str, Any]:
        return {"fs": fsspec.filesystem("memory"), "path": f"/t-{uuid.uuid4().hex}"}


class TestFsspecLocal(StoreTests[FsspecStore]):
    store_cls = FsspecStore

    @pytest.fixture
    def store_kwargs(self, tmp_path: Path) -> dict[str, Any]:
        return {"fs": fsspec.filesystem("file", auto_mkdir=True), "path": str(tmp_path)}

    async def get(self, store: FsspecStore, key: str) -> Buffer | None:
        path = Path(store.path) / key
        return cpu.Buffer.from_bytes(path.read_bytes()) if path.is_file() else None


class TestFsspecAsyncWrapper(StoreTests[FsspecStore]):
    store_cls = FsspecStore
    cancel_payload_size: ClassVar[int] = 4 * 1024 * 1024

    @pytest.fixture
    def store_kwargs(self) -> dict[str, Any]:
        fs = AsyncFileSystemWrapper(MemoryFileSystem(), asynchronous=True)
        return {"fs": fs, "path": f"/w-{uuid.uuid4().hex}"}


class TestFsspecNativeAsync(StoreTests[FsspecStore]):
    store_cls = FsspecStore
    cancel_payload_size: ClassVar[int] = 4 * 1024 * 1024

    @pytest.fixture
    def store_kwargs(self) -> dict[str, Any]:
        DictAsyncFileSystem.files.clear()
        return {"fs": DictAsyncFileSystem(asynchronous=True), "path": f"n-{uuid.uuid4().hex}"}


@pytest.mark.anyio
async def test_from_url_memory_and_local(tmp_path: Path) -> None:
    memory = FsspecStore.from_url(f"memory://u-{uuid.uuid4().hex}/data")
    await memory.set("a/b", cpu.Buffer.from_bytes(b"xyz"))
    assert [k async for k in memory.list()] == ["a/b"]
    local = FsspecStore.from_url(str(tmp_path / "root"))
    await local.set("g/zarr.json", cpu.Buffer.from_bytes(b"{}"))
    assert (tmp_path / "root" / "g" / "zarr.json").read_bytes() == b"{}"
    file_url = FsspecStore.from_url(f"file://{tmp_path}/root", read_only=True)
    value = await file_url.get("g/zarr.json")
    assert value is not None
    assert value.to_bytes() == b"{}"
    with pytest.raises(ReadOnlyError, match="g/zarr"):
        await file_url.set("g/zarr.json", cpu.Buffer.from_bytes(b"[]"))


@pytest.mark.anyio
async def test_from_mapper_shares_root() -> None:
    root = f"/m-{uuid.uuid4().hex}"
    mapper = fsspec.get_mapper(f"memory://{root}")
    mapper["k/v"] = b"mapped"
    store = FsspecStore.from_mapper(mapper)
    value = await store.get("k/v", byte_range=RangeByteRequest(1, 3))
    assert value is not None
    assert value.to_bytes() == b"ap"


def test_from_upath_uses_fs_and_path() -> None:
    class FakeUPath:
        fs = fsspec.filesystem("memory")
        path = "/some/where/"

    store = FsspecStore.from_upath(FakeUPath())
    assert store.fs is FakeUPath.fs
    assert store.path == "/some/where"


def test_path_with_protocol_is_refused() -> None:
    with pytest.raises(ValueError, match="protocol"):
        FsspecStore(fsspec.filesystem("memory"), path="memory://x")
    assert PublicFsspecStore is FsspecStore


@pytest.mark.anyio
async def test_allowed_exceptions_decide_what_is_missing() -> None:
    class Flaky(MemoryFileSystem):  # type: ignore[misc]
        def cat_file(self, path: str, start: Any = None, end: Any = None, **kw: Any) -> bytes:
            raise ConnectionError(f"backend down for {path}")

    fs = Flaky()
    store = FsspecStore(fs, path=f"/f-{uuid.uuid4().hex}")
    with pytest.raises(RemoteStoreError, match="backend down") as info:
        await store.get("k")
    assert isinstance(info.value.__cause__, ConnectionError)
    lenient = FsspecStore(fs, path=store.path, allowed_exceptions=(ConnectionError,))
    assert await lenient.get("k") is None


@pytest.mark.anyio
async def test_unsafe_keys_are_refused() -> None:
    store = FsspecStore(fsspec.filesystem("memory"), path=f"/s-{uuid.uuid4().hex}")
    for key in ["../escape", "/abs", "a//b"]:
        with pytest.raises(UnsafeKeyError):
            await store.get(key)
        with pytest.raises(UnsafeKeyError):
            await store.set(key, cpu.Buffer.from_bytes(b"x"))


@pytest.mark.anyio
async def test_native_async_fs_suffix_and_missing() -> None:
    DictAsyncFileSystem.files.clear()
    store = FsspecStore(DictAsyncFileSystem(asynchronous=True), path="r")
    await store.set("x", cpu.Buffer.from_bytes(b"0123456789"))
    value = await store.get("x", byte_range=SuffixByteRequest(3))
    assert value is not None
    assert value.to_bytes() == b"789"
    assert await store.get("y") is None
    assert DictAsyncFileSystem.files == {"r/x": b"0123456789"}


def test_repr_and_with_read_only() -> None:
    store = FsspecStore(fsspec.filesystem("memory"), path="/repr")
    assert repr(store) == "FsspecStore(memory:///repr)"
    reader = store.with_read_only(True)
    assert reader.read_only
    assert reader.fs is store.fs
    assert reader != store
    assert reader.with_read_only(False) == store


class SlowMemory(MemoryFileSystem):  # type: ignore[misc]
    """A memory file system whose writes take a while and are recorded."""

    started: ClassVar[list[str]] = []

    def pipe_file(self, path: str, value: bytes, **kwargs: Any) -> None:
        self.started.append(path)
        time.sleep(0.2)
        super().pipe_file(path, value, **kwargs)


@pytest.mark.anyio
@pytest.mark.parametrize("asynchronous", [True, False])
async def test_cancelled_sets_stop_queued_writes(asynchronous: bool) -> None:
    SlowMemory.started.clear()
    inner = SlowMemory()
    fs = AsyncFileSystemWrapper(inner, asynchronous=True) if asynchronous else inner
    root = f"/c-{uuid.uuid4().hex}"
    store = FsspecStore(fs, path=root, concurrency=1)
    with anyio.move_on_after(0.1):
        async with anyio.create_task_group() as tg:
            for i in range(10):
                tg.start_soon(store.set, f"k{i}", cpu.Buffer.from_bytes(b"v"))
    # The one write in flight finished whole; the queued ones never started.
    assert len(SlowMemory.started) == 1
    assert inner.find(root) == [p.rstrip("/") for p in SlowMemory.started]
    await anyio.sleep(0.3)  # nothing left running writes anything later
    assert len(SlowMemory.started) == 1
    assert store.limiter.borrowed_tokens == 0
