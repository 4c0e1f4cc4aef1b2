"""Store surface the seeds document: partial writes and class-level attributes."""

from __future__ import annotations

import logging
import pickle
import uuid
import zipfile
from pathlib import Path

import fsspec
import pytest

from anyzarr.errors import ReadOnlyError, UnsupportedOperationError
from anyzarr.io.stores import FsspecStore, LocalStore, LoggingStore, MemoryStore, ZipStore
from anyzarr.io.stores._common import InvalidByteRangeError, splice
from anyzarr.protocol.buffer import cpu
from anyzarr.testing.buffer import StoreExpectingTestBuffer, TestBuffer


def _buf(data: bytes) -> cpu.Buffer:
    return cpu.Buffer.from_bytes(data)


@pytest.mark.anyio
async def test_memory_store_partial_write_replaces_bytes() -> None:
    store = MemoryStore()
    assert store.supports_partial_writes is True
    await store.set("k", _buf(b"abcdef"))
    await store.set("k", _buf(b"XY"), byte_range=(2, 4))
    value = await store.get("k")
    assert value is not None
    assert value.to_bytes() == b"abXYef"
    # A write that starts at the end extends the value.
    await store.set("k", _buf(b"gh"), byte_range=(6, 8))
    value = await store.get("k")
    assert value is not None
    assert value.to_bytes() == b"abXYefgh"


@pytest.mark.anyio
async def test_memory_store_partial_write_errors_name_the_key() -> None:
    store = MemoryStore()
    with pytest.raises(FileNotFoundError, match="'missing'"):
        await store.set("missing", _buf(b"x"), byte_range=(0, 1))
    await store.set("k", _buf(b"abc"))
    with pytest.raises(InvalidByteRangeError, match=r"'k'.*2 bytes"):
        await store.set("k", _buf(b"x"), byte_range=(0, 2))
    with pytest.raises(InvalidByteRangeError, match="past the end"):
        await store.set("k", _buf(b"x"), byte_range=(5, 6))
    with pytest.raises(InvalidByteRangeError, match="start <= end"):
        await store.set("k", _buf(b""), byte_range=(2, 1))
    value = await store.get("k")
    assert value is not None
    assert value.to_bytes() == b"abc"
    with pytest.raises(ReadOnlyError, match="'k'"):
        await store.with_read_only(True).set("k", _buf(b"z"), byte_range=(0, 1))


def test_splice_is_pure() -> None:
    assert splice("k", b"0123", b"ab", (1, 3)) == b"0ab3"
    with pytest.raises(InvalidByteRangeError, match="pair"):
        splice("k", b"0123", b"ab", (1,))  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_fsspec_store_refuses_partial_writes() -> None:
    store = FsspecStore(fsspec.filesystem("memory"), path=f"/p-{uuid.uuid4().hex}")
    assert store.supports_partial_writes is False
    await store.set("k", _buf(b"abc"))
    with pytest.raises(UnsupportedOperationError, match=r"FsspecStore.*'k'"):
        await store.set("k", _buf(b"x"), byte_range=(0, 1))
    value = await store.get("k")
    assert value is not None
    assert value.to_bytes() == b"abc"


@pytest.mark.anyio
async def test_store_expecting_test_buffer_forwards_byte_range() -> None:
    store = StoreExpectingTestBuffer()
    await store.set("c/0", TestBuffer.from_bytes(b"abcd"))
    await store.set("c/0", TestBuffer.from_bytes(b"ZZ"), byte_range=(1, 3))
    with pytest.raises(TypeError, match="TestBuffer"):
        await store.set("c/0", cpu.Buffer.from_bytes(b"q"), byte_range=(0, 1))
    assert store._store_dict["c/0"].to_bytes() == b"aZZd"


def test_documented_attributes_are_visible_on_classes(tmp_path: Path) -> None:
    for cls, names in (
        (LocalStore, ["root"]),
        (FsspecStore, ["fs", "path", "allowed_exceptions"]),
        (LoggingStore, ["log_level", "log_handler", "counter"]),
        (ZipStore, ["path", "compression", "allowZip64"]),
    ):
        for name in names:
            assert hasattr(cls, name), f"{cls.__name__}.{name}"
            assert getattr(cls, name).__doc__
    local = LocalStore(tmp_path)
    assert local.root == tmp_path
    assert pickle.loads(pickle.dumps(local)).root == tmp_path
    zipped = ZipStore(tmp_path / "a.zip", mode="w", compression=zipfile.ZIP_DEFLATED)
    assert (zipped.path, zipped.compression, zipped.allowZip64) == (
        tmp_path / "a.zip",
        zipfile.ZIP_DEFLATED,
        True,
    )
    handler = logging.NullHandler()
    logged = LoggingStore(MemoryStore(), log_level="INFO", log_handler=handler)
    assert (logged.log_level, logged.log_handler, dict(logged.counter)) == ("INFO", handler, {})


def test_object_store_attribute_is_visible() -> None:
    pytest.importorskip("obstore")
    from obstore.store import MemoryStore as ObMemory

    from anyzarr.io.stores import ObjectStore

    assert hasattr(ObjectStore, "store")
    inner = ObMemory()
    assert ObjectStore(inner).store is inner


def test_unset_attribute_raises_attribute_error() -> None:
    bare = LocalStore.__new__(LocalStore)
    with pytest.raises(AttributeError, match="'root'"):
        _ = bare.root
