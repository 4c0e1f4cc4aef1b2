"""ObjectStore over obstore's memory, local and S3 (moto on 127.0.0.1) backends."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar, cast

import pytest
from obstore.store import LocalStore, MemoryStore, S3Store

from anyzarr.errors import ReadOnlyError, UnsafeKeyError
from anyzarr.io.stores._object import ObjectStore
from anyzarr.io.stores._retry import RemoteStoreError
from anyzarr.protocol._byte_request import ByteRequest, OffsetByteRequest, RangeByteRequest
from anyzarr.protocol.buffer import Buffer, cpu
from anyzarr.storage import ObjectStore as PublicObjectStore
from anyzarr.testing.servers import S3TestServer, moto_s3_server
from anyzarr.testing.store import StoreTests


@pytest.fixture(scope="module")
def s3() -> Iterator[S3TestServer]:
    with moto_s3_server() as server:
        yield server


class TestObjectStoreMemory(StoreTests[ObjectStore]):
    store_cls = ObjectStore
    supports_pickle = False  # obstore's MemoryStore lives in this process only

    @pytest.fixture
    def store_kwargs(self) -> dict[str, Any]:
        return {"store": MemoryStore()}


class TestObjectStoreLocal(StoreTests[ObjectStore]):
    store_cls = ObjectStore

    @pytest.fixture
    def store_kwargs(self, tmp_path: Path) -> dict[str, Any]:
        return {"store": LocalStore(str(tmp_path), mkdir=True)}

    async def get(self, store: ObjectStore, key: str) -> Buffer | None:
        path = Path(str(cast(LocalStore, store.store).prefix)) / key
        return cpu.Buffer.from_bytes(path.read_bytes()) if path.is_file() else None

    async def set(self, store: ObjectStore, key: str, value: Buffer) -> None:
        path = Path(str(cast(LocalStore, store.store).prefix)) / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(value.to_bytes())


class TestObjectStoreS3(StoreTests[ObjectStore]):
    store_cls = ObjectStore
    cancel_payload_size: ClassVar[int] = 1024 * 1024  # moto is slow with big bodies

    @pytest.fixture
    def store_kwargs(self, s3: S3TestServer) -> dict[str, Any]:
        # A fresh prefix gives each test an empty store in the shared bucket.
        return {"store": S3Store(prefix=uuid.uuid4().hex, **s3.obstore_options())}


@pytest.mark.anyio
async def test_s3_objects_land_under_the_prefix(s3: S3TestServer) -> None:
    prefix = uuid.uuid4().hex
    store = ObjectStore(S3Store(prefix=prefix, **s3.obstore_options()))
    await store.set("g/zarr.json", cpu.Buffer.from_bytes(b"{}"))
    whole_bucket = ObjectStore(S3Store(**s3.obstore_options()))
    assert [k async for k in whole_bucket.list_prefix(prefix)] == [f"{prefix}/g/zarr.json"]
    await store.delete_dir("g")
    assert [k async for k in whole_bucket.list_prefix(prefix)] == []


@pytest.mark.anyio
async def test_s3_conditional_put_is_atomic_create(s3: S3TestServer) -> None:
    store = ObjectStore(S3Store(prefix=uuid.uuid4().hex, **s3.obstore_options()))
    await store.set_if_not_exists("k", cpu.Buffer.from_bytes(b"first"))
    await store.set_if_not_exists("k", cpu.Buffer.from_bytes(b"second"))
    value = await store.get("k")
    assert value is not None
    assert value.to_bytes() == b"first"


@pytest.mark.anyio
async def test_s3_ranges_past_the_end_are_clipped(s3: S3TestServer) -> None:
    store = ObjectStore(S3Store(prefix=uuid.uuid4().hex, **s3.obstore_options()))
    await store.set("k", cpu.Buffer.from_bytes(b"0123456789"))
    cases: list[tuple[ByteRequest, bytes]] = [
        (RangeByteRequest(8, 20), b"89"),
        (RangeByteRequest(20, 30), b""),
        (OffsetByteRequest(10), b""),
    ]
    for byte_range, expected in cases:
        value = await store.get("k", byte_range=byte_range)
        assert value is not None
        assert value.to_bytes() == expected


@pytest.mark.anyio
async def test_unreachable_s3_raises_remote_store_error() -> None:
    raw = S3Store(
        "bucket",
        endpoint="http://127.0.0.1:9",
        region="us-east-1",
        access_key_id="x",
        secret_access_key="x",
        client_options={"allow_http": True, "timeout": "2s", "connect_timeout": "1s"},
        retry_config={"max_retries": 0, "retry_timeout": timedelta(seconds=1)},
    )
    store = ObjectStore(raw)
    with pytest.raises(RemoteStoreError, match="'k'") as info:
        await store.get("k")
    assert "Debug source" not in str(info.value)  # the message stays readable
    assert not type(info.value).__module__.startswith("obstore")


@pytest.mark.anyio
async def test_unsafe_keys_are_refused() -> None:
    store = ObjectStore(MemoryStore())
    for key in ["../x", "/abs", "a//b", ""]:
        with pytest.raises(UnsafeKeyError):
            await store.get(key)
        with pytest.raises(UnsafeKeyError):
            await store.set(key, cpu.Buffer.from_bytes(b"x"))


@pytest.mark.anyio
async def test_read_only_store_changes_nothing() -> None:
    raw = MemoryStore()
    writer = ObjectStore(raw)
    await writer.set("a", cpu.Buffer.from_bytes(b"1"))
    reader = ObjectStore(raw, read_only=True)
    with pytest.raises(ReadOnlyError, match="'a'"):
        await reader.set("a", cpu.Buffer.from_bytes(b"2"))
    with pytest.raises(ReadOnlyError):
        await reader.delete("a")
    value = await reader.get("a")
    assert value is not None
    assert value.to_bytes() == b"1"


def test_constructor_checks_the_backend_and_public_name() -> None:
    assert PublicObjectStore is ObjectStore
    with pytest.raises(TypeError, match="obstore"):
        ObjectStore({})  # type: ignore[arg-type]
    store = ObjectStore(MemoryStore())
    assert "MemoryStore" in repr(store)
    assert store.with_read_only(True).store is store.store


@pytest.mark.anyio
async def test_moto_latency_delays_without_serialising() -> None:
    import time

    import anyio

    with moto_s3_server(latency=0.2) as server:
        store = ObjectStore(S3Store(**server.obstore_options()))
        await store.set("k", cpu.Buffer.from_bytes(b"x" * 1000))
        start = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(store.get, "k")
        elapsed = time.perf_counter() - start
    # Eight requests of 0.2 s each overlap: far less than 8 x 0.2 s.
    assert 0.2 <= elapsed < 1.0, elapsed


@pytest.mark.anyio
async def test_cancelled_sets_stop_queued_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import anyio
    import obstore

    real_put, real_put_async = obstore.put, obstore.put_async
    started: list[str] = []

    async def slow_put_async(store: Any, key: str, data: Any, **kw: Any) -> Any:
        started.append(key)
        await anyio.sleep(0.2)
        return await real_put_async(store, key, data, **kw)

    def slow_put(store: Any, key: str, data: Any, **kw: Any) -> Any:
        started.append(key)
        time.sleep(0.2)
        return real_put(store, key, data, **kw)

    monkeypatch.setattr(obstore, "put_async", slow_put_async)
    monkeypatch.setattr(obstore, "put", slow_put)
    raw = MemoryStore()
    store = ObjectStore(raw, concurrency=1)
    with anyio.move_on_after(0.1):
        async with anyio.create_task_group() as tg:
            for i in range(10):
                tg.start_soon(store.set, f"k{i}", cpu.Buffer.from_bytes(b"v"))
    # The one put in flight finished whole; the queued ones never started.
    assert len(started) == 1
    assert [m["path"] for m in obstore.list(raw).collect()] == started
    await anyio.sleep(0.3)  # nothing left running writes anything later
    assert len(started) == 1
    assert store.limiter.borrowed_tokens == 0


@pytest.mark.anyio
async def test_conditional_writes_on_s3(s3: S3TestServer) -> None:
    store = ObjectStore(S3Store(**s3.obstore_options()))
    assert store.supports_conditional_writes
    key = f"cas/{uuid.uuid4().hex}"
    assert await store.get_versioned(key) == (None, None)
    assert await store.set_if_unchanged(key, cpu.Buffer.from_bytes(b"one"), None)
    assert not await store.set_if_unchanged(key, cpu.Buffer.from_bytes(b"two"), None)
    value, version = await store.get_versioned(key)
    assert value is not None
    assert value.to_bytes() == b"one"
    await store.set(key, cpu.Buffer.from_bytes(b"other"))
    assert not await store.set_if_unchanged(key, cpu.Buffer.from_bytes(b"three"), version)
    _, version = await store.get_versioned(key)
    assert await store.set_if_unchanged(key, cpu.Buffer.from_bytes(b"three"), version)
    got = await store.get(key)
    assert got is not None
    assert got.to_bytes() == b"three"
    assert not ObjectStore(LocalStore()).supports_conditional_writes
