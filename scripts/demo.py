"""A tour of the main job: write a chunked, compressed array, read it back.

Runs the sync API on the in-memory store and on a local directory, then the
async API under asyncio and under trio, and checks every result with numpy.
"""

from __future__ import annotations

import tempfile
import time

import anyio
import numpy as np

import anyzarr as zarr
import anyzarr.api.asynchronous as azarr


def sync_demo(store: object, label: str) -> None:
    data = np.arange(1_000_000, dtype="float32").reshape(1000, 1000)
    t0 = time.perf_counter()
    arr = zarr.create_array(
        store,
        name="temperature",
        shape=data.shape,
        dtype=data.dtype,
        chunks=(250, 250),
        attributes={"units": "K"},
    )
    arr[:] = data
    t1 = time.perf_counter()
    back = arr[:]
    t2 = time.perf_counter()
    assert np.array_equal(back, data)
    assert np.array_equal(arr[10:20:3, ::100], data[10:20:3, ::100])
    assert np.array_equal(arr.oindex[[1, 5], [2, 999]], data[np.ix_([1, 5], [2, 999])])
    assert np.array_equal(arr.vindex[[1, 5], [2, 999]], data[[1, 5], [2, 999]])
    root = zarr.open_group(store, mode="r")
    print(
        f"[{label}] {arr.shape} {arr.dtype} in {arr.nchunks} chunks of {arr.chunks}: "
        f"write {1e3 * (t1 - t0):.1f} ms, read {1e3 * (t2 - t1):.1f} ms; "
        f"members: {sorted(root.array_keys())}, attrs: {dict(arr.attrs)}"
    )


async def async_demo(backend: str) -> None:
    data = np.random.default_rng(0).integers(0, 100, size=(64, 64), dtype="int32")
    arr = await azarr.create_array(
        {}, shape=data.shape, dtype=data.dtype, chunks=(16, 16), shards=(32, 32), zarr_format=3
    )
    await arr.setitem(slice(None), data)
    back = await arr.getitem((slice(None), slice(None)))
    assert np.array_equal(back, data)
    print(
        f"[async/{backend}] sharded {arr.shape} array: shards {arr.shards}, "
        f"inner chunks {arr.chunks}, sum {int(back.sum())} == {int(data.sum())}"
    )


def main() -> None:
    sync_demo(zarr.storage.MemoryStore(), "memory")
    with tempfile.TemporaryDirectory() as tmp:
        sync_demo(f"{tmp}/demo.zarr", "local")
    for backend in ("asyncio", "trio"):
        anyio.run(async_demo, backend, backend=backend)
    print("demo ok")


if __name__ == "__main__":
    main()
