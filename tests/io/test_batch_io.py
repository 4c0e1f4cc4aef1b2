"""Batch IO as a store offers it: the opt-in rule, versions, conditional writes, the limit."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from _probe_store import ProbeStore

from anyzarr.io._batch_io import BatchIO, follows_own_io
from anyzarr.io._key_locks import KeyLocks, shared_key_locks
from anyzarr.io.stores import LocalStore, LoggingStore, MemoryStore, WrapperStore
from anyzarr.protocol.buffer import Buffer, cpu
from anyzarr.protocol.codecs import GetRequest


def _buf(data: bytes) -> Buffer:
    return cpu.Buffer.from_bytes(data)


def _bytes(value: Any) -> bytes:
    return value.to_bytes() if isinstance(value, Buffer) else bytes(value)


def _io(store: Any) -> BatchIO:
    io = store.batch_io()
    assert io is not None
    return io


class _Instrumented(LocalStore):
    async def get(self, key: str, prototype: Any = None, byte_range: Any = None) -> Any:
        return await super().get(key, prototype, byte_range)


class _InstrumentedWithOwnBatchIO(_Instrumented):
    def batch_io(self) -> BatchIO | None:
        return LocalStore.batch_io(self) if follows_own_io(self, "batch_io") else None


class _Plain(MemoryStore):
    """A subclass that changes nothing about IO keeps batch IO."""

    flavour = "plain"


def test_batch_io_follows_the_store_s_own_methods(tmp_path: Path) -> None:
    assert LocalStore(tmp_path).batch_io() is not None
    assert MemoryStore().batch_io() is not None
    assert _Plain().batch_io() is not None
    # Redefining get (or set, delete, get_partial_values) turns batch IO off ...
    assert _Instrumented(tmp_path).batch_io() is None
    assert ProbeStore().batch_io() is None
    # ... unless the subclass redefines batch_io as well, below its get.
    assert _InstrumentedWithOwnBatchIO(tmp_path).batch_io() is not None
    # Wrappers are driven through their methods.
    assert WrapperStore(MemoryStore()).batch_io() is None
    assert LoggingStore(LocalStore(tmp_path)).batch_io() is None


def test_conditional_writes_follow_the_store_s_own_methods(tmp_path: Path) -> None:
    assert LocalStore(tmp_path).supports_conditional_writes
    assert MemoryStore().supports_conditional_writes
    assert not _Instrumented(tmp_path).supports_conditional_writes
    assert not ProbeStore().supports_conditional_writes


def test_local_reads_with_scratch_and_versions(tmp_path: Path) -> None:
    io = _io(LocalStore(tmp_path))
    (tmp_path / "a").write_bytes(b"hello")
    (tmp_path / "b").write_bytes(b"world!")
    got = io.read([GetRequest("a"), GetRequest("missing"), GetRequest("b")], scratch=True)
    assert [None if g is None else bytes(g) for g in got] == [b"hello", None, b"world!"]
    assert [bytes(g) for g in io.read([GetRequest("a")]) if g is not None] == [b"hello"]
    before = io.version("a")
    assert before is not None
    io.write([("a", _buf(b"HELLO")), ("b", None)])
    assert io.version("a") != before
    assert io.version("b") is None
    assert (tmp_path / "a").read_bytes() == b"HELLO"


def test_local_version_changes_when_a_same_size_file_replaces_it(tmp_path: Path) -> None:
    io = _io(LocalStore(tmp_path))
    io.write([("s", _buf(b"aaaa"))])
    first = io.version("s")
    io.write([("s", _buf(b"bbbb"))])
    assert io.version("s") != first


def test_local_writes_create_directories_and_leave_no_stray_files(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    io = _io(store)
    io.write([("x/y/z/0", _buf(b"abc")), ("x/y/z/1", _buf(b""))])
    io.write([("x/y/z/0", _buf(b"new"))])
    [(_data, version)] = io.read_versioned(["x/y/z/0"])
    assert io.write_if_unchanged([("x/y/z/0", _buf(b"newer"), version)]) == [True]
    assert (tmp_path / "x/y/z/0").read_bytes() == b"newer"
    assert (tmp_path / "x/y/z/1").read_bytes() == b""
    # Conditional writes leave no lock file behind.
    assert sorted(os.listdir(tmp_path / "x/y/z")) == ["0", "1"]

    async def keys() -> list[str]:
        return sorted([k async for k in store.list()])

    assert anyio.run(keys) == ["x/y/z/0", "x/y/z/1"]
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "x/y/z/0").stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("kind", ["local", "memory"])
def test_conditional_writes_refuse_a_changed_value(tmp_path: Path, kind: str) -> None:
    store = LocalStore(tmp_path) if kind == "local" else MemoryStore()
    io = _io(store)
    assert io.supports_conditional_writes
    [(data, absent)] = io.read_versioned(["k"])
    assert (data, absent) == (None, None)
    assert io.write_if_unchanged([("k", _buf(b"one"), absent)]) == [True]
    assert io.write_if_unchanged([("k", _buf(b"two"), absent)]) == [False]  # no longer absent
    [(data, version)] = io.read_versioned(["k"])
    assert data is not None
    assert _bytes(data) == b"one"
    io.write([("k", _buf(b"one"))])  # the same bytes, but a new value all the same
    assert io.write_if_unchanged([("k", _buf(b"three"), version)]) == [False]
    [(_, version)] = io.read_versioned(["k"])
    assert io.write_if_unchanged([("k", None, version)]) == [True]  # a conditional delete
    assert io.read([GetRequest("k")]) == [None]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["local", "memory"])
async def test_async_conditional_writes(tmp_path: Path, kind: str) -> None:
    store = LocalStore(tmp_path) if kind == "local" else MemoryStore()
    value, version = await store.get_versioned("a/b")
    assert (value, version) == (None, None)
    assert await store.set_if_unchanged("a/b", _buf(b"x"), None)
    value, version = await store.get_versioned("a/b")
    assert value is not None
    assert value.to_bytes() == b"x"
    await store.set("a/b", _buf(b"y"))
    assert not await store.set_if_unchanged("a/b", _buf(b"z"), version)
    _, version = await store.get_versioned("a/b")
    assert await store.set_if_unchanged("a/b", _buf(b"z"), version)
    got = await store.get("a/b")
    assert got is not None
    assert got.to_bytes() == b"z"


@pytest.mark.parametrize("kind", ["local", "memory"])
def test_concurrency_bounds_batch_io_from_every_thread(tmp_path: Path, kind: str) -> None:
    store = LocalStore(tmp_path, concurrency=2) if kind == "local" else MemoryStore(concurrency=2)
    io = _io(store)
    io.write([("k", _buf(b"v"))])
    inside = 0
    peak = 0
    lock = threading.Lock()
    real = type(io)._read

    def slow_read(self: BatchIO, requests: Any, scratch: bool) -> Any:
        nonlocal inside, peak
        with lock:
            inside += 1
            peak = max(peak, inside)
        time.sleep(0.01)
        with lock:
            inside -= 1
        return real(self, requests, scratch)

    type(io)._read = slow_read  # type: ignore[method-assign]
    try:
        threads = [
            threading.Thread(target=lambda: [io.read([GetRequest("k")]) for _ in range(5)])
            for _ in range(6)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        type(io)._read = real  # type: ignore[method-assign]
    assert peak == 2


def test_key_locks_exclude_per_key_only() -> None:
    locks = KeyLocks()
    order: list[str] = []
    with locks.hold(["b", "a"]):
        other = threading.Thread(target=lambda: _hold(locks, ["a"], order, "second"))
        free = threading.Thread(target=lambda: _hold(locks, ["c"], order, "free"))
        other.start()
        free.start()
        free.join(5)
        assert order == ["free"]  # another key does not wait
        time.sleep(0.02)
        assert order == ["free"]  # the same key does
        order.append("first")
    other.join(5)
    assert order == ["free", "first", "second"]
    assert len(locks) == 0  # nothing kept once released


def _hold(locks: KeyLocks, keys: list[str], order: list[str], name: str) -> None:
    with locks.hold(keys):
        order.append(name)


@pytest.mark.anyio
async def test_key_locks_wait_in_tasks_without_blocking_the_loop() -> None:
    locks = KeyLocks()
    order: list[str] = []
    release = anyio.Event()

    async def first() -> None:
        async with locks.hold_async(["k", "j"]):
            order.append("a in")
            await release.wait()
            order.append("a out")

    async def second() -> None:
        async with locks.hold_async(["j"]):
            order.append("b in")

    async with anyio.create_task_group() as tg:
        tg.start_soon(first)
        while not order:
            await anyio.sleep(0.001)
        tg.start_soon(second)
        await anyio.sleep(0.02)
        order.append("loop free")  # b waits, and the loop still runs
        release.set()
    assert order == ["a in", "loop free", "a out", "b in"]
    # Waiting is cancellable and leaves nothing held.
    async with locks.hold_async(["k"]):
        with anyio.move_on_after(0.02):
            async with locks.hold_async(["k"]):
                pytest.fail("the key is held")
    assert len(locks) == 0


def test_stores_over_the_same_data_share_key_locks(tmp_path: Path) -> None:
    assert LocalStore(tmp_path)._write_locks is LocalStore(str(tmp_path))._write_locks
    shared: dict[str, Buffer] = {}
    assert MemoryStore(shared)._write_locks is MemoryStore(shared)._write_locks
    assert MemoryStore()._write_locks is not MemoryStore()._write_locks
    inner = MemoryStore()
    assert WrapperStore(inner)._write_locks is inner._write_locks
    assert shared_key_locks(("x", 1)) is shared_key_locks(("x", 1))
