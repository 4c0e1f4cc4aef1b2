from __future__ import annotations

import logging
from typing import Any

import pytest

from anyzarr.io.stores import LoggingStore, MemoryStore, WrapperStore
from anyzarr.protocol.buffer import cpu
from anyzarr.testing.store import StoreTests


class TestWrapperStore(StoreTests[WrapperStore[MemoryStore]]):
    store_cls = WrapperStore

    @pytest.fixture
    def store_kwargs(self) -> dict[str, Any]:
        return {"store": MemoryStore()}

    async def open_store(
        self, store_kwargs: dict[str, Any], *, read_only: bool = False
    ) -> WrapperStore[MemoryStore]:
        return WrapperStore(store_kwargs["store"].with_read_only(read_only))


class TestLoggingStore(StoreTests[LoggingStore[MemoryStore]]):
    store_cls = LoggingStore

    @pytest.fixture
    def store_kwargs(self) -> dict[str, Any]:
        return {"store": MemoryStore()}

    async def open_store(
        self, store_kwargs: dict[str, Any], *, read_only: bool = False
    ) -> LoggingStore[MemoryStore]:
        return LoggingStore(store_kwargs["store"].with_read_only(read_only))


@pytest.mark.anyio
async def test_logging_store_counts_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    store = LoggingStore(MemoryStore(), log_level="INFO")
    with caplog.at_level(logging.INFO, logger="anyzarr.storage.LoggingStore"):
        await store.set("a/b", cpu.Buffer.from_bytes(b"1"))
        await store.get("a/b")
        await store.get("missing")
        assert [k async for k in store.list_dir("a")] == ["b"]
        await store.exists("a/b")
    assert store.counter["set"] == 1
    assert store.counter["get"] == 2
    assert store.counter["list_dir"] == 1
    assert store.counter["exists"] == 1
    assert any("Calling MemoryStore.set(a/b)" in r.getMessage() for r in caplog.records)
    assert any("Finished MemoryStore.get(missing)" in r.getMessage() for r in caplog.records)


def test_logging_store_custom_handler_and_log_hook() -> None:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect()
    store = LoggingStore(MemoryStore(), log_level="WARNING", log_handler=handler)
    try:

        def custom_operation() -> None:
            with store.log("hint"):
                pass

        custom_operation()
        assert store.counter["custom_operation"] == 1
        assert records
        assert "custom_operation(hint)" in records[0].getMessage()
        assert store.with_read_only(True).log_handler is handler
    finally:
        store.logger.removeHandler(handler)


@pytest.mark.anyio
async def test_wrapper_shares_limiter_and_flags() -> None:
    inner = MemoryStore(concurrency=4)
    outer = WrapperStore(inner)
    assert outer.limiter is inner.limiter
    assert outer.store is inner
    assert outer.supports_writes
    assert outer.supports_deletes
    assert outer.supports_listing
    assert outer.with_read_only(True).read_only
    assert outer == WrapperStore(inner)
    with pytest.raises(TypeError, match="Store"):
        WrapperStore({})  # type: ignore[type-var]


@pytest.mark.anyio
async def test_wrapper_open_constructs_inner() -> None:
    store = await WrapperStore.open(MemoryStore, read_only=True)
    assert isinstance(store.store, MemoryStore)
    assert store.read_only
