"""A reusable pytest suite that checks a :class:`~anyzarr.storage.Store` driver.

Subclass :class:`StoreTests` in a test module, set ``store_cls`` (and
``buffer_cls``, the buffer class values are made with; host memory by
default), and provide a ``store_kwargs`` fixture (the constructor arguments
of a fresh, empty, writable store)::

    class TestMyStore(StoreTests[MyStore, cpu.Buffer]):
        store_cls = MyStore
        buffer_cls = cpu.Buffer

        @pytest.fixture
        def store_kwargs(self, tmp_path):
            return {"root": tmp_path}

This is zarr-python's ``zarr.testing.store.StoreTests`` form (two type
parameters; the second may be left out here), so a store test module written
for zarr-python runs against anyzarr unchanged.  Every test here is an anyio
test, so it runs under each backend the ``anyio_backend`` fixture names
(asyncio and trio in anyzarr's own suite).  Override :meth:`StoreTests.get`
and :meth:`StoreTests.set` to read and write the backend directly
(bypassing the store) for the strongest checks; the defaults go through the
store itself.  ``open_kwargs`` (a fixture, by default ``store_kwargs``) are
what :meth:`StoreTests.open_store` opens.  Set ``supports_pickle = False``
for stores that cannot be pickled.
"""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Generic

import anyio
import numpy as np
import pytest
from typing_extensions import TypeVar

from anyzarr.io._store import Store, close_store
from anyzarr.protocol._byte_request import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
    slice_for,
)
from anyzarr.protocol._errors import ReadOnlyError, UnsupportedOperationError, UsageError
from anyzarr.protocol.buffer import Buffer, cpu, default_buffer_prototype
from anyzarr.testing.latency import LatencyStore

__all__ = ["LatencyStore", "StoreTests"]

S = TypeVar("S", bound=Store)
B = TypeVar("B", bound=Buffer, default=cpu.Buffer)

BYTE_REQUESTS: list[ByteRequest | None] = [
    None,
    RangeByteRequest(0, 0),
    RangeByteRequest(0, 3),
    RangeByteRequest(2, 7),
    RangeByteRequest(5, 100),
    RangeByteRequest(50, 60),
    OffsetByteRequest(0),
    OffsetByteRequest(4),
    OffsetByteRequest(10),
    OffsetByteRequest(99),
    SuffixByteRequest(0),
    SuffixByteRequest(3),
    SuffixByteRequest(10),
    SuffixByteRequest(99),
]

DATA = b"0123456789"
P = default_buffer_prototype()


def _buf(data: bytes) -> Buffer:
    return cpu.Buffer.from_bytes(data)


def _bytes(value: Buffer | None) -> bytes | None:
    return None if value is None else value.to_bytes()


class StoreTests(Generic[S, B]):
    """The behaviour every store must show; see the module docstring."""

    store_cls: ClassVar[type[Store]]
    buffer_cls: ClassVar[type[Buffer]] = cpu.Buffer
    supports_pickle: ClassVar[bool] = True
    # Large enough that a write usually takes longer than the cancel delay.
    cancel_payload_size: ClassVar[int] = 32 * 1024 * 1024

    # -- hooks -------------------------------------------------------------

    @pytest.fixture
    def store_kwargs(self) -> dict[str, Any]:
        """Constructor arguments of a fresh, empty, writable store."""
        return {}

    async def open_store(self, store_kwargs: dict[str, Any], *, read_only: bool = False) -> S:
        """A new store from ``store_kwargs`` (hook: override for odd constructors)."""
        kwargs = dict(store_kwargs)
        if read_only or "read_only" not in kwargs:
            kwargs["read_only"] = read_only
        store = await self.store_cls.open(**kwargs)
        return store  # type: ignore[return-value]

    async def read_only_store(self, store: S, store_kwargs: dict[str, Any]) -> Store:
        """A read-only store over the same data as ``store``."""
        try:
            return store.with_read_only(True)
        except UnsupportedOperationError:
            await close_store(store)
            return await self.open_store(store_kwargs, read_only=True)

    async def get(self, store: S, key: str) -> Buffer | None:
        """The value stored at ``key`` (hook: read the backend directly)."""
        return await store.get(key, default_buffer_prototype())

    async def set(self, store: S, key: str, value: Buffer) -> None:
        """Put ``value`` at ``key`` (hook: write the backend directly)."""
        await store.set(key, value)

    async def _put(self, store: S, key: str, data: bytes) -> None:
        await self.set(store, key, self.buffer_cls.from_bytes(data))

    async def _read(self, store: S, key: str) -> bytes | None:
        return _bytes(await self.get(store, key))

    @pytest.fixture
    def open_kwargs(self, store_kwargs: dict[str, Any]) -> dict[str, Any]:
        """What :meth:`open_store` opens (by default ``store_kwargs``)."""
        return store_kwargs

    @pytest.fixture
    async def store(self, open_kwargs: dict[str, Any]) -> Any:
        store = await self.open_store(open_kwargs)
        yield store
        await close_store(store)

    @pytest.fixture
    def store_not_open(self, store_kwargs: dict[str, Any]) -> Any:
        """A store made but not opened yet."""
        return self.store_cls(**store_kwargs)

    # -- properties --------------------------------------------------------

    @pytest.mark.anyio
    async def test_is_a_store_with_flags(self, store: S) -> None:
        assert isinstance(store, Store)
        assert store.read_only is False
        for flag in (
            "supports_writes",
            "supports_deletes",
            "supports_listing",
            "supports_partial_writes",
            "supports_consolidated_metadata",
        ):
            assert isinstance(getattr(store, flag), bool), flag

    @pytest.mark.anyio
    async def test_limiter_is_one_per_store(self, store: S) -> None:
        limiter = store.limiter
        assert limiter is store.limiter
        assert limiter.total_tokens == store.concurrency >= 1

    # -- get and set -------------------------------------------------------

    @pytest.mark.anyio
    @pytest.mark.parametrize("key", ["c/0", "a/b/c/zarr.json", "zarr.json", ".zattrs", "x-y_z"])
    @pytest.mark.parametrize("data", [b"", b"\x00\xff" * 7, DATA])
    async def test_set_then_get(self, store: S, key: str, data: bytes) -> None:
        await store.set(key, _buf(data))
        assert await self._read(store, key) == data
        value = await store.get(key, default_buffer_prototype())
        assert isinstance(value, Buffer)
        assert value.to_bytes() == data

    @pytest.mark.anyio
    async def test_get_without_prototype(self, store: S) -> None:
        if inspect.signature(store.get).parameters["prototype"].default is inspect.Parameter.empty:
            pytest.skip("prototype is required, as in zarr-python's store interface")
        await self._put(store, "k", DATA)
        value = await store.get("k")
        assert value is not None
        assert value.to_bytes() == DATA

    @pytest.mark.anyio
    async def test_missing_key_is_none(self, store: S) -> None:
        assert await store.get("nothing/here", P) is None
        assert await store.get("nothing", P, byte_range=RangeByteRequest(0, 2)) is None
        assert await store.exists("nothing") is False

    @pytest.mark.anyio
    @pytest.mark.parametrize("request_", BYTE_REQUESTS)
    async def test_byte_ranges(self, store: S, request_: ByteRequest | None) -> None:
        await self._put(store, "k", DATA)
        value = await store.get("k", default_buffer_prototype(), request_)
        assert _bytes(value) == DATA[slice_for(request_, len(DATA))]

    @pytest.mark.anyio
    async def test_get_partial_values(self, store: S) -> None:
        await self._put(store, "a", DATA)
        await self._put(store, "b/c", DATA[::-1])
        requests: list[tuple[str, ByteRequest | None]] = [
            ("a", None),
            ("b/c", RangeByteRequest(1, 3)),
            ("missing", None),
            ("a", SuffixByteRequest(2)),
            ("b/c", OffsetByteRequest(8)),
        ]
        got = await store.get_partial_values(default_buffer_prototype(), requests)
        assert [_bytes(v) for v in got] == [DATA, b"87", None, b"89", b"10"]
        assert await store.get_partial_values(default_buffer_prototype(), []) == []

    @pytest.mark.anyio
    async def test_set_replaces(self, store: S) -> None:
        await store.set("k", _buf(b"old value"))
        await store.set("k", _buf(b"new"))
        assert await self._read(store, "k") == b"new"
        assert await store.getsize("k") == 3

    @pytest.mark.anyio
    async def test_stored_value_is_independent_of_the_callers_buffer(self, store: S) -> None:
        source = np.frombuffer(bytearray(DATA), dtype="B")
        await store.set("k", cpu.Buffer.from_array_like(source))
        source[:] = 0
        assert await self._read(store, "k") == DATA

    @pytest.mark.anyio
    async def test_set_rejects_non_buffers(self, store: S) -> None:
        with pytest.raises(TypeError, match="'k'"):
            await store.set("k", b"bytes are not buffers")  # type: ignore[arg-type]

    @pytest.mark.anyio
    async def test_set_if_not_exists(self, store: S) -> None:
        await store.set_if_not_exists("k", _buf(b"first"))
        await store.set_if_not_exists("k", _buf(b"second"))
        assert await self._read(store, "k") == b"first"

    @pytest.mark.anyio
    async def test_exists(self, store: S) -> None:
        await self._put(store, "a/b", DATA)
        assert await store.exists("a/b")
        assert not await store.exists("a/c")

    # -- deleting ----------------------------------------------------------

    @pytest.mark.anyio
    async def test_delete(self, store: S) -> None:
        await self._put(store, "a/b", DATA)
        if not store.supports_deletes:
            with pytest.raises(UnsupportedOperationError, match="a/b"):
                await store.delete("a/b")
            return
        await store.delete("a/b")
        assert await store.get("a/b", P) is None
        await store.delete("a/b")  # deleting again is not an error

    @pytest.mark.anyio
    async def test_delete_dir(self, store: S) -> None:
        for key in ("g/a", "g/s/b", "gg", "h"):
            await self._put(store, key, DATA)
        if not store.supports_deletes:
            with pytest.raises(UnsupportedOperationError):
                await store.delete_dir("g")
            return
        await store.delete_dir("g")
        assert sorted([k async for k in store.list()]) == ["gg", "h"]
        await store.delete_dir("nothing")

    @pytest.mark.anyio
    async def test_clear(self, store: S) -> None:
        await self._put(store, "a/b", DATA)
        await self._put(store, "c", DATA)
        await store.clear()
        assert [k async for k in store.list()] == []
        assert await store.is_empty("")
        await store.set("after", _buf(DATA))
        assert await self._read(store, "after") == DATA

    # -- listing and sizes -------------------------------------------------

    @pytest.mark.anyio
    async def test_listing(self, store: S) -> None:
        keys = ["zarr.json", "a/zarr.json", "a/c/0/0", "a/c/0/1", "ab/x", "b"]
        for key in keys:
            await self._put(store, key, DATA)
        assert sorted([k async for k in store.list()]) == sorted(keys)
        assert sorted([k async for k in store.list_prefix("a/")]) == [
            "a/c/0/0",
            "a/c/0/1",
            "a/zarr.json",
        ]
        assert sorted([k async for k in store.list_prefix("a")]) == [
            "a/c/0/0",
            "a/c/0/1",
            "a/zarr.json",
            "ab/x",
        ]
        assert sorted([k async for k in store.list_prefix("")]) == sorted(keys)
        assert sorted([k async for k in store.list_dir("")]) == ["a", "ab", "b", "zarr.json"]
        assert sorted([k async for k in store.list_dir("a")]) == ["c", "zarr.json"]
        assert sorted([k async for k in store.list_dir("a/")]) == ["c", "zarr.json"]
        assert sorted([k async for k in store.list_dir("a/c/0")]) == ["0", "1"]
        assert [k async for k in store.list_dir("missing")] == []

    @pytest.mark.anyio
    async def test_is_empty(self, store: S) -> None:
        assert await store.is_empty("")
        await self._put(store, "a/b/c", DATA)
        assert not await store.is_empty("")
        assert not await store.is_empty("a")
        assert not await store.is_empty("a/b/")
        assert await store.is_empty("a/b/c/d")
        assert await store.is_empty("b")

    @pytest.mark.anyio
    async def test_getsize(self, store: S) -> None:
        await self._put(store, "a/x", DATA)
        await self._put(store, "a/y/z", b"abc")
        await self._put(store, "b", b"12345")
        assert await store.getsize("a/x") == len(DATA)
        assert await store.getsize_prefix("a/") == len(DATA) + 3
        assert await store.getsize_prefix("") == len(DATA) + 8
        with pytest.raises(FileNotFoundError):
            await store.getsize("missing")

    # -- read-only ---------------------------------------------------------

    @pytest.mark.anyio
    async def test_read_only_store_refuses_writes(
        self, store: S, store_kwargs: dict[str, Any]
    ) -> None:
        await self._put(store, "a/k", DATA)
        reader = await self.read_only_store(store, store_kwargs)
        assert reader.read_only
        assert await reader.get("a/k", P) is not None
        attempts: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("a/k", lambda: reader.set("a/k", _buf(b"x"))),
            ("a/new", lambda: reader.set_if_not_exists("a/new", _buf(b"x"))),
            ("a/k", lambda: reader.delete("a/k")),
            ("a", lambda: reader.delete_dir("a")),
        ]
        for key, attempt in attempts:
            # ReadOnlyError (anyzarr's, naming the key) or the ValueError of
            # zarr-python's _check_writable.
            with pytest.raises(ValueError, match="read-only") as info:
                await attempt()
            if isinstance(info.value, ReadOnlyError) and "the store" not in str(info.value):
                assert key in str(info.value)
        with pytest.raises(ValueError, match="read-only"):
            await reader.clear()
        assert _bytes(await reader.get("a/k", P)) == DATA
        assert not await reader.exists("a/new")
        await close_store(reader)

    @pytest.mark.anyio
    async def test_with_read_only_shares_data(self, store: S) -> None:
        try:
            reader = store.with_read_only(True)
        except UnsupportedOperationError:
            pytest.skip(f"{type(store).__name__} has no with_read_only")
        await store.set("k", _buf(DATA))
        assert _bytes(await reader.get("k", P)) == DATA
        writer = reader.with_read_only(False)
        assert not writer.read_only

    # -- concurrency and cancellation --------------------------------------

    @pytest.mark.anyio
    async def test_many_concurrent_sets_and_gets(self, store: S) -> None:
        count = 100
        async with anyio.create_task_group() as tg:
            for i in range(count):
                tg.start_soon(store.set, f"c/{i}", _buf(str(i).encode() * 3))
        results: dict[int, bytes | None] = {}

        async def read(i: int) -> None:
            results[i] = _bytes(await store.get(f"c/{i}", P))

        async with anyio.create_task_group() as tg:
            for i in range(count):
                tg.start_soon(read, i)
        assert results == {i: str(i).encode() * 3 for i in range(count)}
        assert len([k async for k in store.list_prefix("c/")]) == count

    @pytest.mark.anyio
    async def test_cancelled_set_leaves_old_or_new(self, store: S) -> None:
        old = b"old"
        new = np.full(self.cancel_payload_size, 7, dtype="B")
        await store.set("k", _buf(old))
        with anyio.move_on_after(0.001):
            await store.set("k", cpu.Buffer.from_array_like(new))
        value = await self._read(store, "k")
        assert value == old or value == new.tobytes()
        assert sorted([k async for k in store.list()]) == ["k"]

    # -- identity ----------------------------------------------------------

    @pytest.mark.anyio
    async def test_equality(self, store: S, store_kwargs: dict[str, Any]) -> None:
        assert store == store
        assert store != object()
        twin = self.store_cls(**store_kwargs)
        assert twin == store

    @pytest.mark.anyio
    async def test_store_type(self, store: S) -> None:
        assert isinstance(store, Store)
        assert isinstance(store, self.store_cls)

    @pytest.mark.anyio
    async def test_read_only_is_not_assignable(self, store: S) -> None:
        with pytest.raises(AttributeError):
            store.read_only = True  # type: ignore[misc]

    @pytest.mark.anyio
    @pytest.mark.parametrize("read_only", [True, False])
    async def test_store_open_read_only(self, open_kwargs: dict[str, Any], read_only: bool) -> None:
        if read_only:
            # Some stores need their data to exist before a read-only open.
            setup = await self.open_store(open_kwargs)
            await close_store(setup)
        store = await self.open_store(open_kwargs, read_only=read_only)
        # A store that cannot write at all (HTTP) is read-only either way.
        assert store.read_only == (read_only or not store.supports_writes)
        await close_store(store)

    @pytest.mark.anyio
    async def test_sync_context_manager_closes(self, open_kwargs: dict[str, Any]) -> None:
        store = await self.open_store(open_kwargs)
        try:
            with store:
                pass
        except UsageError:
            # A close that must wait refuses to block a running loop.
            await close_store(store)
            return
        assert not store._is_open

    @pytest.mark.anyio
    async def test_context_manager(self, store_kwargs: dict[str, Any]) -> None:
        async with self.store_cls(**store_kwargs) as store:
            await store.set("k", _buf(DATA))
            assert _bytes(await store.get("k", P)) == DATA

    @pytest.mark.anyio
    async def test_pickle(self, store: S) -> None:
        if not self.supports_pickle:
            pytest.skip(f"{type(store).__name__} is not picklable")
        await store.set("k", _buf(DATA))
        _ = store.limiter  # a limiter must not stop pickling
        clone = pickle.loads(pickle.dumps(store))
        assert type(clone) is type(store)
        assert clone.read_only == store.read_only
        assert _bytes(await clone.get("k", P)) == DATA
