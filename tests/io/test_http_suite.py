"""HTTPStore through the shared StoreTests suite: its read-only subset.

The suite's ``set`` hook writes into the directory the loopback server
serves, so every reading test runs unchanged.  Tests that write, delete or
list through the store are overridden to check the read-only behaviour
instead (ReadOnlyError, UnsupportedOperationError, nothing changed).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import anyio
import pytest

from anyzarr.errors import ReadOnlyError, UnsupportedOperationError
from anyzarr.io._store import Store
from anyzarr.io.stores._http import HTTPStore
from anyzarr.protocol.buffer import Buffer, cpu
from anyzarr.testing.servers import HTTPTestServer, serve_directory
from anyzarr.testing.store import StoreTests

DATA = b"0123456789"


def _buf(data: bytes) -> cpu.Buffer:
    return cpu.Buffer.from_bytes(data)


class TestHTTPStoreReadOnlySubset(StoreTests[HTTPStore]):
    store_cls = HTTPStore
    roots: ClassVar[dict[str, Path]] = {}

    @pytest.fixture
    def server(self, tmp_path: Path) -> Iterator[HTTPTestServer]:
        with serve_directory(tmp_path) as srv:
            self.roots[srv.url] = tmp_path
            yield srv
            del self.roots[srv.url]

    @pytest.fixture
    def store_kwargs(self, server: HTTPTestServer) -> dict[str, Any]:
        return {"url": server.url}

    async def open_store(self, store_kwargs: dict[str, Any], *, read_only: bool = False) -> Any:
        return await HTTPStore.open(**store_kwargs)

    async def set(self, store: HTTPStore, key: str, value: Buffer) -> None:
        path = self.roots[store.url] / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(value.to_bytes())

    async def _refuses_writes(self, store: HTTPStore, key: str) -> None:
        with pytest.raises(ReadOnlyError, match=key):
            await store.set(key, _buf(DATA))
        with pytest.raises(ReadOnlyError, match=key):
            await store.set_if_not_exists(key, _buf(DATA))

    # -- overridden: HTTP is read-only and cannot list --------------------

    @pytest.mark.anyio
    async def test_is_a_store_with_flags(self, store: HTTPStore) -> None:
        assert isinstance(store, Store)
        assert store.read_only is True
        assert (store.supports_writes, store.supports_deletes, store.supports_listing) == (
            False,
            False,
            False,
        )
        assert store.supports_partial_writes is False

    @pytest.mark.anyio
    @pytest.mark.parametrize("key", ["c/0", "a/b/c/zarr.json", "zarr.json", ".zattrs", "x-y_z"])
    @pytest.mark.parametrize("data", [b"", DATA])
    async def test_set_then_get(self, store: HTTPStore, key: str, data: bytes) -> None:
        await self._put(store, key, data)
        assert await self.get(store, key) == data
        await self._refuses_writes(store, key)
        assert await self.get(store, key) == data

    @pytest.mark.anyio
    async def test_set_replaces(self, store: HTTPStore) -> None:
        await self._put(store, "k", b"old value")
        await self._put(store, "k", b"new")
        assert await self.get(store, "k") == b"new"
        assert await store.getsize("k") == 3

    @pytest.mark.anyio
    async def test_stored_value_is_independent_of_the_callers_buffer(
        self, store: HTTPStore
    ) -> None:
        await self._put(store, "k", DATA)
        first = await store.get("k")
        second = await store.get("k")
        assert first is not None
        assert second is not None
        assert first.as_numpy_array() is not second.as_numpy_array()

    @pytest.mark.anyio
    async def test_set_rejects_non_buffers(self, store: HTTPStore) -> None:
        with pytest.raises(ReadOnlyError, match="'k'"):
            await store.set("k", b"bytes are not buffers")  # type: ignore[arg-type]

    @pytest.mark.anyio
    async def test_set_if_not_exists(self, store: HTTPStore) -> None:
        await self._put(store, "k", b"first")
        await self._refuses_writes(store, "k")
        assert await self.get(store, "k") == b"first"

    @pytest.mark.anyio
    async def test_delete(self, store: HTTPStore) -> None:
        await self._put(store, "a/b", DATA)
        with pytest.raises(ReadOnlyError, match="a/b"):
            await store.delete("a/b")
        assert await self.get(store, "a/b") == DATA

    @pytest.mark.anyio
    async def test_delete_dir(self, store: HTTPStore) -> None:
        await self._put(store, "g/a", DATA)
        with pytest.raises(ReadOnlyError, match="g"):
            await store.delete_dir("g")
        assert await store.exists("g/a")

    @pytest.mark.anyio
    async def test_clear(self, store: HTTPStore) -> None:
        await self._put(store, "c", DATA)
        with pytest.raises(ReadOnlyError):
            await store.clear()
        assert await store.exists("c")

    @pytest.mark.anyio
    async def test_listing(self, store: HTTPStore) -> None:
        await self._put(store, "a/zarr.json", DATA)
        for listing in (store.list(), store.list_prefix("a"), store.list_dir("a")):
            with pytest.raises(UnsupportedOperationError, match="list"):
                _ = [k async for k in listing]

    @pytest.mark.anyio
    async def test_is_empty(self, store: HTTPStore) -> None:
        with pytest.raises(UnsupportedOperationError):
            await store.is_empty("")

    @pytest.mark.anyio
    async def test_getsize(self, store: HTTPStore) -> None:
        await self._put(store, "a/x", DATA)
        assert await store.getsize("a/x") == len(DATA)
        with pytest.raises(FileNotFoundError):
            await store.getsize("missing")
        with pytest.raises(UnsupportedOperationError):
            await store.getsize_prefix("a/")

    @pytest.mark.anyio
    async def test_with_read_only_shares_data(self, store: HTTPStore) -> None:
        assert store.with_read_only(True) is store
        with pytest.raises(ReadOnlyError):
            store.with_read_only(False)

    @pytest.mark.anyio
    async def test_many_concurrent_sets_and_gets(self, store: HTTPStore) -> None:
        count = 50
        for i in range(count):
            await self._put(store, f"c/{i}", str(i).encode() * 3)
        results: dict[int, bytes | None] = {}

        async def read(i: int) -> None:
            value = await store.get(f"c/{i}")
            results[i] = None if value is None else value.to_bytes()

        async with anyio.create_task_group() as tg:
            for i in range(count):
                tg.start_soon(read, i)
        assert results == {i: str(i).encode() * 3 for i in range(count)}

    @pytest.mark.anyio
    async def test_cancelled_set_leaves_old_or_new(self, store: HTTPStore) -> None:
        # No writes: check a cancelled read instead leaves the store usable.
        await self._put(store, "k", DATA)
        with anyio.move_on_after(0.0):
            await store.get("k")
        assert await self.get(store, "k") == DATA

    @pytest.mark.anyio
    async def test_context_manager(self, store_kwargs: dict[str, Any]) -> None:
        async with HTTPStore(**store_kwargs) as store:
            await self._put(store, "k", DATA)
            assert await self.get(store, "k") == DATA

    @pytest.mark.anyio
    async def test_pickle(self, store: HTTPStore) -> None:
        await self._put(store, "k", DATA)
        _ = store.limiter
        clone = pickle.loads(pickle.dumps(store))
        assert type(clone) is HTTPStore
        assert clone.read_only
        assert await self.get(clone, "k") == DATA
        await clone.close()
