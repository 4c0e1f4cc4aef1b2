"""A store written against ``zarr.abc.store`` exactly as zarr-python's docs show.

``DictStore`` below uses only zarr-python's store interface (the signatures of
``zarr.abc.store.Store``: a required ``prototype``, a plain ``close``, sync
``__eq__``, async-generator listing), imported the way user code does it with
``import anyzarr as zarr``.  anyzarr must run it unchanged: arrays and groups
on it, and the reusable ``StoreTests`` suite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import numpy as np
import pytest

import anyzarr as zarr
from anyzarr.abc.store import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    SuffixByteRequest,
)
from anyzarr.buffer import cpu
from anyzarr.testing.store import StoreTests


class DictStore(Store):
    """A minimal in-memory store, as a third party would write one for zarr-python."""

    supports_writes = True
    supports_deletes = True
    supports_listing = True

    def __init__(self, data: dict[str, bytes] | None = None, *, read_only: bool = False) -> None:
        super().__init__(read_only=read_only)
        self.data = {} if data is None else data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DictStore) and self.data is other.data

    def with_read_only(self, read_only: bool = False) -> DictStore:
        return DictStore(self.data, read_only=read_only)

    async def get(self, key: str, prototype: Any, byte_range: ByteRequest | None = None) -> Any:
        if key not in self.data:
            return None
        value = self.data[key]
        if isinstance(byte_range, RangeByteRequest):
            value = value[byte_range.start : byte_range.end]
        elif isinstance(byte_range, OffsetByteRequest):
            value = value[byte_range.offset :]
        elif isinstance(byte_range, SuffixByteRequest):
            value = value[-byte_range.suffix :] if byte_range.suffix else b""
        return prototype.buffer.from_bytes(value)

    async def get_partial_values(
        self, prototype: Any, key_ranges: Iterable[tuple[str, ByteRequest | None]]
    ) -> list[Any]:
        return [await self.get(key, prototype, byte_range) for key, byte_range in key_ranges]

    async def exists(self, key: str) -> bool:
        return key in self.data

    async def set(self, key: str, value: Any) -> None:
        self._check_writable()
        if not isinstance(value, cpu.Buffer.__mro__[1]):
            raise TypeError(f"expected a Buffer for {key!r}, got {type(value).__name__}")
        self.data[key] = value.to_bytes()

    async def delete(self, key: str) -> None:
        self._check_writable()
        self.data.pop(key, None)

    async def list(self) -> AsyncIterator[str]:
        for key in list(self.data):
            yield key

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        for key in list(self.data):
            if key.startswith(prefix):
                yield key

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        prefix = prefix.rstrip("/")
        start = f"{prefix}/" if prefix else ""
        seen: set[str] = set()
        for key in list(self.data):
            if key.startswith(start):
                name = key[len(start) :].split("/", 1)[0]
                if name not in seen:
                    seen.add(name)
                    yield name

    def close(self) -> None:
        # zarr-python's close is a plain method.
        self._is_open = False


def test_arrays_and_groups_on_a_third_party_store() -> None:
    store = DictStore()
    root = zarr.group(store=store, attributes={"k": 1})
    arr = root.create_array("a", shape=(10, 10), chunks=(4, 4), dtype="int32", fill_value=-1)
    arr[2:9, 1:7] = np.arange(42).reshape(7, 6)
    expected = np.full((10, 10), -1, dtype="int32")
    expected[2:9, 1:7] = np.arange(42).reshape(7, 6)
    np.testing.assert_array_equal(zarr.open_array(store, path="a")[:], expected)
    assert "a/c/0/0" in store.data
    assert zarr.open_group(store, mode="r").attrs["k"] == 1
    zarr.consolidate_metadata(store)
    reopened = zarr.open_consolidated(store)
    assert [name for name, _ in reopened.members()] == ["a"]
    assert "data" not in vars(root)  # nothing of anyzarr's leaked onto the store


def test_sharded_partial_reads_go_through_get_with_a_prototype() -> None:
    store = DictStore()
    arr = zarr.create_array(store, shape=(64,), chunks=(8,), shards=(32,), dtype="uint16")
    arr[:] = np.arange(64)
    np.testing.assert_array_equal(arr[10:20], np.arange(10, 20))


@pytest.mark.anyio
async def test_async_api_on_a_third_party_store() -> None:
    store = DictStore()
    arr = await zarr.api.asynchronous.create_array(store, shape=(6,), dtype="f8", chunks=(2,))
    await arr.setitem(slice(None), np.linspace(0, 1, 6))
    np.testing.assert_allclose(await arr.getitem(slice(1, 4)), np.linspace(0, 1, 6)[1:4])
    async with store:
        pass  # the plain close is accepted where anyzarr awaits close()
    assert not store._is_open


class TestDictStore(StoreTests[DictStore, cpu.Buffer]):
    """The shared store suite, run on the third-party store through zarr's hooks."""

    store_cls = DictStore
    buffer_cls = cpu.Buffer
    supports_pickle = True
    cancel_payload_size = 1024

    @pytest.fixture
    def store_kwargs(self) -> dict[str, Any]:
        return {"data": {}}

    async def get(self, store: DictStore, key: str) -> Any:
        value = store.data.get(key)
        return None if value is None else cpu.Buffer.from_bytes(value)

    async def set(self, store: DictStore, key: str, value: Any) -> None:
        store.data[key] = value.to_bytes()
