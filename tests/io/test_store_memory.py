from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from anyzarr.io.stores import MemoryStore
from anyzarr.protocol.buffer import Buffer, cpu
from anyzarr.testing.store import StoreTests


class TestMemoryStore(StoreTests[MemoryStore]):
    store_cls = MemoryStore

    @pytest.fixture
    def store_kwargs(self) -> dict[str, Any]:
        return {"store_dict": {}}

    async def get(self, store: MemoryStore, key: str) -> Buffer | None:
        return store._store_dict.get(key)

    async def set(self, store: MemoryStore, key: str, value: Buffer) -> None:
        store._store_dict[key] = cpu.Buffer.from_bytes(value.to_bytes())


@pytest.mark.anyio
async def test_store_dict_is_shared() -> None:
    data: dict[str, Buffer] = {}
    store = MemoryStore(data)
    await store.set("a", cpu.Buffer.from_bytes(b"1"))
    assert list(data) == ["a"]
    assert MemoryStore.from_dict(data) == store


@pytest.mark.anyio
async def test_returned_values_cannot_change_the_stored_value() -> None:
    store = MemoryStore()
    await store.set("a", cpu.Buffer.from_bytes(b"123"))
    value = await store.get("a")
    assert value is not None
    with pytest.raises(ValueError, match="read-only"):
        value.as_numpy_array()[:] = 0
    again = await store.get("a")
    assert again is not None
    assert again.to_bytes() == b"123"


def test_repr_and_read_only_flag_in_equality() -> None:
    store = MemoryStore()
    assert "memory://" in repr(store)
    assert store != store.with_read_only(True)
    assert store.with_read_only(True).read_only


@pytest.mark.anyio
async def test_concurrency_argument_sizes_the_limiter() -> None:
    store = MemoryStore(concurrency=3)
    assert store.limiter.total_tokens == 3
    with pytest.raises(ValueError, match="concurrency"):
        MemoryStore(concurrency=0)


@pytest.mark.anyio
async def test_values_keep_their_bytes_through_numpy() -> None:
    store = MemoryStore()
    arr = np.arange(256, dtype="B")
    await store.set("a", cpu.Buffer.from_array_like(arr))
    value = await store.get("a")
    assert value is not None
    np.testing.assert_array_equal(value.as_numpy_array(), arr)
