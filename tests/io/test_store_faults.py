"""The fault-injecting store wrapper, and what anyzarr does with the faults it injects."""

from __future__ import annotations

from typing import Any

import anyio
import numpy as np
import pytest

import anyzarr as zarr
from anyzarr.errors import ChunkDecodeError
from anyzarr.io.stores import MemoryStore
from anyzarr.protocol.buffer import cpu
from anyzarr.testing.faults import FaultyStore, InjectedCrash, InjectedError
from anyzarr.testing.store import StoreTests


class TestFaultyStoreIsAStore(StoreTests[FaultyStore]):
    """With no fault injected the wrapper behaves exactly like the store it wraps."""

    store_cls = FaultyStore

    @pytest.fixture
    def store_kwargs(self) -> dict[str, Any]:
        return {"store": MemoryStore()}

    async def open_store(self, store_kwargs: dict[str, Any], *, read_only: bool = False) -> Any:
        return FaultyStore(store_kwargs["store"].with_read_only(read_only))


def buf(data: bytes) -> cpu.Buffer:
    return cpu.Buffer.from_bytes(data)


@pytest.mark.anyio
async def test_errors_truncation_and_key_filters() -> None:
    store = FaultyStore(MemoryStore())
    await store.set("a/c/0", buf(b"0123456789"))
    store.fail_next(1, methods={"get"}, keys=lambda k: k.endswith("c/0"))
    await store.set("b", buf(b"x"))  # not a get: the fault waits
    with pytest.raises(InjectedError):
        await store.get("a/c/0")
    store.truncate_next(1, keep=3)
    value = await store.get("a/c/0")
    assert value is not None
    assert value.to_bytes() == b"012"
    store.fail_next(1, error=TimeoutError("slow disk"))
    with pytest.raises(TimeoutError, match="slow disk"):
        await store.exists("b")
    assert store.pending_faults == 0
    assert ("get", "a/c/0") in store.calls


@pytest.mark.anyio
async def test_crash_point_stops_every_later_write() -> None:
    store = FaultyStore(MemoryStore())
    store.crash_after(2)
    await store.set("k0", buf(b"0"))
    await store.delete("k0")
    for key in ("k1", "k2"):
        with pytest.raises(InjectedCrash):
            await store.set(key, buf(b"1"))
    assert await store.get("k1") is None  # reads still work
    store.revive()
    await store.set("k1", buf(b"1"))


@pytest.mark.anyio
async def test_jitter_reorders_concurrent_completions() -> None:
    store = FaultyStore(MemoryStore(), seed=3)
    store.jitter = 0.02
    finished: list[int] = []

    async def one(i: int) -> None:
        await store.set(f"k{i}", buf(bytes([i])))
        finished.append(i)

    async with anyio.create_task_group() as tg:
        for i in range(20):
            tg.start_soon(one, i)
    assert sorted(finished) == list(range(20))
    assert finished != list(range(20))


@pytest.mark.anyio
async def test_array_reads_with_truncated_chunks_name_the_key() -> None:
    store = FaultyStore(MemoryStore())
    array = await zarr.api.asynchronous.create_array(
        store, shape=(100,), chunks=(10,), dtype="i4", compressors=[{"name": "zstd"}]
    )
    await array.setitem(slice(None), np.arange(100, dtype="i4"))
    store.truncate_next(1, keep=5, keys=lambda k: k == "c/3")
    with pytest.raises(ChunkDecodeError, match="c/3"):
        await array.getitem(slice(None))


@pytest.mark.anyio
async def test_array_write_interrupted_by_a_crash_leaves_chunks_old_or_new() -> None:
    store = FaultyStore(MemoryStore(), seed=1)
    array = await zarr.api.asynchronous.create_array(
        store, shape=(100,), chunks=(10,), dtype="i4", fill_value=-1
    )
    old = np.arange(100, dtype="i4")
    await array.setitem(slice(None), old)
    store.jitter = 0.002
    store.crash_after(4, methods={"set"})
    with pytest.raises(InjectedCrash):
        await array.setitem(slice(None), old + 1000)
    store.revive()
    data = await array.getitem(slice(None))
    for i in range(0, 100, 10):
        chunk = data[i : i + 10]
        assert np.array_equal(chunk, old[i : i + 10]) or np.array_equal(
            chunk, old[i : i + 10] + 1000
        )
    assert (
        sum(not np.array_equal(data[i : i + 10], old[i : i + 10]) for i in range(0, 100, 10)) == 4
    )
