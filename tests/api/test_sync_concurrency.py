"""A sync read keeps the async engine's concurrency.

The issue asks that a sync read of 64 chunks from a store with 50 ms latency
take about as long as the async read, not 64 x 50 ms.  Timing is for bench/;
here the structural fact behind it is checked: while one sync ``arr[...]``
runs, many chunk requests are in flight at once.
"""

from __future__ import annotations

from typing import Any

import anyio
import numpy as np

import anyzarr as zarr
from anyzarr.storage import MemoryStore, WrapperStore


class SlowStore(WrapperStore[MemoryStore]):
    """Adds latency to every chunk read and records the peak number in flight."""

    def __init__(self, store: MemoryStore, latency: float, stats: dict[str, int] | None = None):
        super().__init__(store)
        self.latency = latency
        # Shared with the read-only copy that opening with mode="r" makes.
        self.stats = stats if stats is not None else {"in_flight": 0, "peak": 0, "gets": 0}

    def _with_store(self, store: MemoryStore) -> SlowStore:
        return SlowStore(store, self.latency, self.stats)

    async def get(self, key: str, *args: Any, **kwargs: Any) -> Any:
        if "/c/" not in f"/{key}":
            return await super().get(key, *args, **kwargs)
        stats = self.stats
        stats["gets"] += 1
        stats["in_flight"] += 1
        stats["peak"] = max(stats["peak"], stats["in_flight"])
        try:
            await anyio.sleep(self.latency)
            return await super().get(key, *args, **kwargs)
        finally:
            stats["in_flight"] -= 1


def test_sync_read_of_64_chunks_overlaps_requests() -> None:
    inner = MemoryStore()
    data = np.arange(64 * 16, dtype="int32").reshape(64, 16)
    arr = zarr.create_array(inner, shape=data.shape, chunks=(1, 16), dtype="int32")
    arr[...] = data
    slow = SlowStore(inner, latency=0.05)
    back = zarr.open_array(slow, mode="r")[...]
    np.testing.assert_array_equal(back, data)
    assert slow.stats["gets"] == 64
    # The store's own capacity limit (async.concurrency, 10 by default) is the
    # only bound: requests overlap up to it instead of running one by one.
    assert slow.stats["peak"] >= min(8, slow.concurrency)
