from __future__ import annotations

import pickle
from typing import Any, Literal

import numpy as np
import pytest

from anyzarr.protocol.buffer import (
    Buffer,
    BufferPrototype,
    NDBuffer,
    cpu,
    default_buffer_prototype,
    gpu,
    set_default_buffer_prototype,
)


def test_default_prototype_is_host_memory() -> None:
    proto = default_buffer_prototype()
    assert proto.buffer is cpu.Buffer
    assert proto.nd_buffer is cpu.NDBuffer
    assert pickle.loads(pickle.dumps(proto)) == proto


def test_set_default_prototype_swaps_and_restores() -> None:
    custom = BufferPrototype(buffer=cpu.Buffer, nd_buffer=cpu.NDBuffer)
    previous = set_default_buffer_prototype(custom)
    try:
        assert default_buffer_prototype() is custom
    finally:
        set_default_buffer_prototype(None)
    assert previous is cpu.buffer_prototype
    assert default_buffer_prototype() is cpu.buffer_prototype


def test_buffer_bytes_round_trip_and_views() -> None:
    buf = cpu.Buffer.from_bytes(b"hello world")
    assert isinstance(buf, Buffer)
    assert len(buf) == 11
    assert buf.to_bytes() == b"hello world"
    assert bytes(buf.as_buffer_like()) == b"hello world"
    assert buf.as_numpy_array().dtype == np.uint8
    assert buf.as_array_like() is buf.as_array_like()
    assert buf[6:].to_bytes() == b"world"
    assert (buf[:5] + buf[5:]).to_bytes() == b"hello world"
    assert buf.combine([buf]).to_bytes() == b"hello worldhello world"
    assert buf == cpu.Buffer.from_bytes(b"hello world")
    assert buf == b"hello world"
    assert buf != cpu.Buffer.from_bytes(b"hello")
    assert buf != 3


def test_buffer_from_bytes_is_read_only_view() -> None:
    buf = cpu.Buffer.from_bytes(b"abc")
    with pytest.raises(ValueError, match="read-only"):
        buf[0:1] = 1


def test_buffer_construction_checks() -> None:
    assert len(cpu.Buffer.create_zero_length()) == 0
    arr = np.arange(4, dtype="B")
    buf = cpu.Buffer.from_array_like(arr)
    assert buf.as_array_like() is arr
    buf[0:1] = 9
    assert arr[0] == 9
    with pytest.raises(ValueError, match="1-D"):
        cpu.Buffer(np.zeros((2, 2), dtype="B"))
    with pytest.raises(ValueError, match="uint8"):
        cpu.Buffer(np.zeros(2, dtype="i4"))
    with pytest.raises(TypeError, match="contiguous"):
        buf[::2]
    assert cpu.Buffer.from_buffer(buf).to_bytes() == arr.tobytes()


def test_ndbuffer_create_and_properties() -> None:
    nd = cpu.NDBuffer.create(shape=(2, 3), dtype="<f4", fill_value=1.5)
    assert isinstance(nd, NDBuffer)
    assert nd.shape == (2, 3)
    assert nd.dtype == np.dtype("<f4")
    assert nd.byteorder == "little"
    assert len(nd) == 2
    assert nd.all_equal(1.5)
    assert not nd.all_equal(2.0)
    assert cpu.NDBuffer.create(shape=(2,), dtype="i2").all_equal(0)
    assert cpu.NDBuffer.create(shape=(2,), dtype=">i2").byteorder == "big"
    f = cpu.NDBuffer.create(shape=(2, 3), dtype="i4", order="F")
    assert f.as_numpy_array().flags.f_contiguous
    assert cpu.NDBuffer.empty((3,), "u1").shape == (3,)


def test_ndbuffer_transforms() -> None:
    data = np.arange(6, dtype="i4").reshape(2, 3)
    nd = cpu.NDBuffer.from_numpy_array(data)
    assert nd.as_ndarray_like() is data
    assert nd.reshape((3, 2)).shape == (3, 2)
    assert nd.reshape(-1).shape == (6,)
    assert nd.transpose((1, 0)).shape == (3, 2)
    assert nd.transpose(None).shape == (3, 2)
    assert nd.astype("f8").dtype == np.dtype("f8")
    assert cpu.NDBuffer.from_numpy_array(np.zeros((1, 3))).squeeze((0,)).shape == (3,)
    copy = nd.copy()
    copy[0, 0] = 100
    assert data[0, 0] == 0
    assert nd[1].as_numpy_array().tolist() == [3, 4, 5]
    assert nd[1, 2].as_scalar() == 5
    nd[0] = cpu.NDBuffer.from_numpy_array(np.array([7, 8, 9], dtype="i4"))
    assert data[0].tolist() == [7, 8, 9]
    nd.fill(4)
    assert nd.all_equal(4)
    assert nd.all_equal(cpu.NDBuffer.from_numpy_array(np.full((2, 3), 4, dtype="i4")))
    assert "shape=(2, 3)" in repr(nd)
    assert cpu.NDBuffer.from_ndarray_like(data).as_ndarray_like() is data


@pytest.mark.parametrize(
    ("dtype", "fill", "equal_nan", "expected"),
    [
        ("f8", np.nan, True, True),
        ("f8", np.nan, False, False),
        ("c16", complex(np.nan, 0), True, True),
        ("f4", 0.0, True, True),
        ("U3", "", True, True),
        ("O", "a", True, False),
        ("M8[s]", np.datetime64("NaT", "s"), True, True),
    ],
)
def test_all_equal_edge_cases(dtype: str, fill: object, equal_nan: bool, expected: bool) -> None:
    arr = np.full((3,), fill, dtype=dtype)
    if dtype == "O":
        arr[1] = "b"
    assert cpu.NDBuffer.from_numpy_array(arr).all_equal(fill, equal_nan=equal_nan) is expected


def test_all_equal_structured_and_none() -> None:
    dt = np.dtype([("a", "i4"), ("b", "f4")])
    arr = np.zeros(3, dtype=dt)
    nd = cpu.NDBuffer.from_numpy_array(arr)
    assert nd.all_equal(np.zeros((), dtype=dt)[()])
    assert not nd.all_equal(None)


def test_gpu_module_imports_and_refuses_without_cupy() -> None:
    assert gpu.buffer_prototype.buffer is gpu.Buffer
    if gpu.cupy_available():
        pytest.skip("cupy and a GPU are present; tests/test_gpu.py covers them")
    with pytest.raises(ImportError, match="cupy"):
        gpu.Buffer.from_bytes(b"abc")
    with pytest.raises(gpu.GpuUnavailableError):
        gpu.NDBuffer.create(shape=(2,), dtype="i4")


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", ["f4", ">i2", "m8[2generic]", [("a", "i4"), ("b", "f8")], "O"])
def test_large_empty_arrays_start_on_a_huge_page(dtype: Any, order: Literal["C", "F"]) -> None:
    """Big outputs start on a 2 MiB boundary (transparent huge pages), keeping dtype and order."""
    wanted = np.dtype(dtype)
    shape = (1024, (16 * 1024 * 1024) // (1024 * wanted.itemsize))
    array = np.asanyarray(cpu.NDBuffer.empty(shape, wanted, order).as_ndarray_like())
    assert array.shape == shape
    assert array.dtype == wanted
    if wanted.kind == "m":
        assert np.datetime_data(array.dtype) == np.datetime_data(wanted)
    assert array.flags.c_contiguous if order == "C" else array.flags.f_contiguous
    assert array.flags.writeable
    if not wanted.hasobject:
        assert array.ctypes.data % (2 * 1024 * 1024) == 0
    array[-1, -1] = np.zeros((), dtype=wanted)[()]
    small = np.asanyarray(cpu.NDBuffer.empty((3, 4), wanted, order).as_ndarray_like())
    assert small.shape == (3, 4)


def test_detached_keeps_arrays_over_bytes_and_copies_reused_memory() -> None:
    from anyzarr.protocol.buffer._core import detached

    # A decompressor's bytes, seen through memoryviews as codecs see them:
    # they never change, so the array is kept as it is (no copy).
    decoded = np.arange(8, dtype="<i4").tobytes()
    over_bytes = np.frombuffer(memoryview(memoryview(decoded).cast("B")), dtype="<i4")
    assert detached(over_bytes) is over_bytes
    reshaped = over_bytes.reshape(2, 4)
    assert detached(reshaped) is reshaped
    # Memory a driver reuses (a scratch area), however it is wrapped: copied.
    scratch = np.arange(32, dtype=np.uint8)
    for view in (
        np.frombuffer(memoryview(scratch), dtype="<i4"),
        scratch.view("<i4"),
        np.frombuffer(memoryview(bytearray(scratch.tobytes())), dtype="<i4"),
    ):
        kept = detached(view)
        assert kept is not view
        assert not np.shares_memory(kept, view)
        assert kept.tobytes() == scratch.tobytes()


@pytest.mark.parametrize("dtype", ["<f2", "<f4", ">f8", "<c8", "<c16"])
def test_zero_fill_checks_compare_bits(dtype: str) -> None:
    from anyzarr.protocol.buffer._core import array_all_equal

    zeros = np.zeros((6, 8), dtype=dtype)
    negative = -zeros  # -0.0 == 0.0, but a chunk of -0.0 is not the fill 0.0
    zero, minus = np.zeros((), dtype)[()], (-np.zeros((), dtype))[()]
    assert array_all_equal(zeros, zero, True)
    assert not array_all_equal(negative, zero, True)
    assert array_all_equal(negative, minus, True)
    assert array_all_equal(zeros[:, ::2], zero, True)  # not contiguous
    assert array_all_equal(np.asfortranarray(zeros), zero, True)
    one_off = zeros.copy()
    one_off[-1, -1] = 1
    assert not array_all_equal(one_off, zero, True)
