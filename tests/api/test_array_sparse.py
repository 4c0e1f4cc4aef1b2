"""Huge, sparsely written arrays: costs follow what is stored, not the grid.

issue 13: ``a[::2**60]`` on an array of shape ``(2**62,)`` did not return
within 30 s and ``a.nchunks_initialized`` raised ``MemoryError``: both
walked every chunk of the grid.  Each check below could not finish that way,
and the per-test timeout turns a regression into a failure.
"""

from __future__ import annotations

import numpy as np
import pytest

import anyzarr
from anyzarr.api.asynchronous import create_array
from anyzarr.storage import MemoryStore

HUGE = 2**62


@pytest.mark.anyio
async def test_strided_read_write_and_counts() -> None:
    store = MemoryStore()
    arr = await create_array(
        store, name="a", shape=(HUGE,), chunks=(1000,), dtype="i1", fill_value=3
    )
    np.testing.assert_array_equal(await arr.getitem(slice(None, None, 2**60)), [3, 3, 3, 3])
    await arr.setitem(slice(None, None, 2**60), np.array([1, 2, 5, 7], dtype="i1"))
    np.testing.assert_array_equal(await arr.getitem(slice(None, None, 2**60)), [1, 2, 5, 7])
    # Keys under the array that are not chunks of its grid do not count.
    buffer = type(await store.get("a/zarr.json"))
    await store.set("a/c/notachunk", buffer.from_bytes(b"x"))
    await store.set(f"a/c/{HUGE}", buffer.from_bytes(b"x"))
    assert await arr.nchunks_initialized() == 4
    assert await arr._nshards_initialized() == 4
    info = await arr.info_complete()
    assert "Chunks Initialized : 4" in repr(info)
    await arr.resize((2**61,))
    assert arr.shape == (2**61,)
    assert await arr.nchunks_initialized() == 3  # the chunk holding element 2**61 begins inside
    await arr.resize((2**60 + 1,))
    assert await arr.nchunks_initialized() == 2


@pytest.mark.anyio
async def test_sharded_counts_follow_stored_shards() -> None:
    arr = await create_array(
        MemoryStore(), shape=(HUGE, 8), chunks=(10, 4), shards=(100, 8), dtype="i2"
    )
    await arr.setitem((slice(None, None, 2**61), slice(None)), 1)
    assert await arr._nshards_initialized() == 2
    assert await arr.nchunks_initialized() == 2 * 10 * 2


def test_sync_property_on_a_huge_array() -> None:
    arr = anyzarr.create_array(MemoryStore(), shape=(HUGE, HUGE), chunks=(1, 1), dtype="u1")
    arr[HUGE - 1, 0] = 9
    arr.vindex[np.array([0, HUGE - 1]), np.array([HUGE - 1, HUGE - 1])] = 4
    assert arr.nchunks_initialized == 3
    np.testing.assert_array_equal(
        arr.vindex[np.array([HUGE - 1, 0, HUGE - 1]), np.array([0, HUGE - 1, 5])], [9, 4, 0]
    )
