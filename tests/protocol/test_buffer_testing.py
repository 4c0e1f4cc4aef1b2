from __future__ import annotations

import numpy as np
import pytest

from anyzarr.protocol.buffer import BufferPrototype, cpu
from anyzarr.testing.buffer import (
    NDBufferUsingTestNDArrayLike,
    StoreExpectingTestBuffer,
    TestBuffer,
    TestNDArrayLike,
)

PROTO = BufferPrototype(buffer=TestBuffer, nd_buffer=NDBufferUsingTestNDArrayLike)


def test_nd_buffer_creates_test_arrays() -> None:
    nd = NDBufferUsingTestNDArrayLike.create(shape=(2, 2), dtype="i4", fill_value=3)
    assert isinstance(nd.as_ndarray_like(), TestNDArrayLike)
    assert nd.all_equal(3)
    assert isinstance(
        NDBufferUsingTestNDArrayLike.empty((2,), "f4").as_ndarray_like(), TestNDArrayLike
    )
    assert isinstance(
        NDBufferUsingTestNDArrayLike.from_numpy_array(np.zeros(2)).as_ndarray_like(),
        TestNDArrayLike,
    )


@pytest.mark.anyio
async def test_store_insists_on_test_buffer() -> None:
    store = StoreExpectingTestBuffer()
    await store.set("zarr.json", cpu.Buffer.from_bytes(b"{}"))
    with pytest.raises(TypeError, match="c/0"):
        await store.set("c/0", cpu.Buffer.from_bytes(b"data"))
    await store.set("c/0", TestBuffer.from_bytes(b"data"))
    with pytest.raises(TypeError, match="c/0"):
        await store.get("c/0", cpu.buffer_prototype)
    value = await store.get("c/0", PROTO)
    assert isinstance(value, TestBuffer)
    assert value.to_bytes() == b"data"
    assert (await store.get("zarr.json", cpu.buffer_prototype)) == b"{}"
