"""Concurrent writers lose nothing: threads, tasks and processes sharing chunks and shards.

Each writer owns some rows of an array whose chunks (and shards) every
writer touches, so each row write is a read-modify-write of a shared object.
Without per-key serialisation such writes lose each other's rows.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest

import anyzarr as zarr
import anyzarr.api.asynchronous as az
from anyzarr.io._batch_io import BatchIO
from anyzarr.protocol._byte_request import ByteRequest
from anyzarr.protocol.buffer import Buffer, BufferPrototype
from anyzarr.storage import LocalStore, MemoryStore

RUNS = 20
WRITERS = 8
SHAPE = (32, 24)
CHUNKS = (4, 6)  # every chunk spans rows of four writers


class _Subclass(MemoryStore):
    """Redefines get/set, so the engine drives it through the async API."""

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        await anyio.sleep(0)
        return await super().get(key, prototype, byte_range)

    async def set(self, key: str, value: Buffer, byte_range: tuple[int, int] | None = None) -> None:
        await anyio.sleep(0)
        await super().set(key, value, byte_range)


def _store(kind: str, path: Path) -> Any:
    return {"local": lambda: LocalStore(path), "memory": MemoryStore, "subclass": _Subclass}[kind]()


def _expected() -> np.ndarray[Any, Any]:
    return np.arange(SHAPE[0] * SHAPE[1], dtype="i4").reshape(SHAPE) + 1


def _shards(sharded: bool) -> Any:
    return (8, 12) if sharded else None


@pytest.mark.parametrize("sharded", [False, True], ids=["chunks", "shards"])
@pytest.mark.parametrize("kind", ["local", "memory", "subclass"])
def test_threads_lose_no_row(kind: str, sharded: bool, tmp_path: Path) -> None:
    expected = _expected()
    for run in range(RUNS):
        store = _store(kind, tmp_path / str(run))
        a = zarr.create_array(
            store, shape=SHAPE, chunks=CHUNKS, shards=_shards(sharded), dtype="i4"
        )
        start = threading.Barrier(WRITERS)

        def writer(w: int, a: Any = a, start: threading.Barrier = start) -> None:
            start.wait()
            for row in range(w, SHAPE[0], WRITERS):
                a[row, :] = expected[row]

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        np.testing.assert_array_equal(a[...], expected, err_msg=f"run {run}")


@pytest.mark.anyio
@pytest.mark.parametrize("sharded", [False, True], ids=["chunks", "shards"])
@pytest.mark.parametrize("kind", ["local", "memory", "subclass"])
async def test_tasks_lose_no_row(kind: str, sharded: bool, tmp_path: Path) -> None:
    expected = _expected()
    for run in range(RUNS):
        store = _store(kind, tmp_path / str(run))
        a = await az.create_array(
            store, shape=SHAPE, chunks=CHUNKS, shards=_shards(sharded), dtype="i4"
        )

        async def writer(w: int, a: Any = a) -> None:
            for row in range(w, SHAPE[0], WRITERS):
                await a.setitem((row, slice(None)), expected[row])

        async with anyio.create_task_group() as tg:
            for w in range(WRITERS):
                tg.start_soon(writer, w)
        np.testing.assert_array_equal(await a.getitem(...), expected, err_msg=f"run {run}")


def _process_writer(root: str, sharded: bool, who: int, start: Any, done: Any) -> None:
    expected = _expected()
    for run in range(RUNS):
        # A store object of its own, as a separate process has.
        a = zarr.open_array(LocalStore(f"{root}/{run}"), mode="r+")
        start.wait(timeout=60)
        for row in range(who, SHAPE[0], 2):
            a[row, :] = expected[row]
        done.wait(timeout=60)


@pytest.mark.parametrize("sharded", [False, True], ids=["chunks", "shards"])
def test_two_processes_lose_no_row(sharded: bool, tmp_path: Path) -> None:
    for run in range(RUNS):
        zarr.create_array(
            LocalStore(tmp_path / str(run)),
            shape=SHAPE,
            chunks=CHUNKS,
            shards=_shards(sharded),
            dtype="i4",
        )
    ctx = multiprocessing.get_context("spawn")
    start, done = ctx.Barrier(3), ctx.Barrier(3)
    procs = [
        ctx.Process(target=_process_writer, args=(str(tmp_path), sharded, who, start, done))
        for who in range(2)
    ]
    for p in procs:
        p.start()
    try:
        for run in range(RUNS):
            start.wait(timeout=60)
            done.wait(timeout=60)
            a = zarr.open_array(LocalStore(tmp_path / str(run)), mode="r")
            np.testing.assert_array_equal(a[...], _expected(), err_msg=f"run {run}")
    except BaseException:
        start.abort()  # release the writers now rather than at their timeouts
        done.abort()
        raise
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
    assert [p.exitcode for p in procs] == [0, 0]


def test_the_store_limit_holds_across_threads_and_tasks(tmp_path: Path) -> None:
    store = MemoryStore(concurrency=1)
    a = zarr.create_array(store, shape=(400,), chunks=(10,), dtype="i4")
    a[:] = 1
    io = store.batch_io()
    assert io is not None
    inside = 0
    peak = 0
    lock = threading.Lock()
    real = type(io)._read

    def slow_read(self: BatchIO, requests: Any, scratch: bool) -> Any:
        nonlocal inside, peak
        with lock:
            inside += 1
            peak = max(peak, inside)
        time.sleep(0.001)
        with lock:
            inside -= 1
        return real(self, requests, scratch)

    async def from_tasks() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(a.async_array.getitem, slice(None))

    type(io)._read = slow_read  # type: ignore[method-assign]
    try:
        threads = [threading.Thread(target=lambda: a[:]) for _ in range(4)]
        threads.append(threading.Thread(target=anyio.run, args=(from_tasks,)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        type(io)._read = real  # type: ignore[method-assign]
    assert peak == 1
