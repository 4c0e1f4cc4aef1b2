"""Buffers in host memory, backed by numpy arrays."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Literal, Self

import numpy as np
import numpy.typing as npt

from anyzarr.protocol.buffer import _core

__all__ = ["Buffer", "NDBuffer", "buffer_prototype"]

#: Transparent huge pages are this large on x86-64 and most arm64 kernels.
_HUGE_PAGE = 2 * 1024 * 1024
#: Arrays from this size on start on a huge-page boundary (see `NDBuffer.empty`).
_HUGE_FROM = 8 * 1024 * 1024


class Buffer(_core.Buffer):
    """Bytes in host memory (a 1-D numpy ``uint8`` array)."""

    __slots__ = ()

    def __init__(self, array_like: Any) -> None:
        super().__init__(array_like)

    @classmethod
    def create_zero_length(cls) -> Self:
        return cls(np.empty(0, dtype="B"))

    @classmethod
    def from_bytes(cls, bytes_like: _core.BytesLike) -> Self:
        # A read-only view of immutable bytes: no copy, and writes fail loudly.
        return cls(np.frombuffer(bytes_like, dtype="B"))

    @classmethod
    def from_buffer(cls, buffer: _core.Buffer) -> Self:
        return cls(buffer.as_numpy_array())

    def as_numpy_array(self) -> npt.NDArray[Any]:
        return np.asanyarray(self._data)

    def as_buffer_like(self) -> _core.BytesLike:
        return memoryview(np.ascontiguousarray(self._data))

    def to_bytes(self) -> bytes:
        return self._data.tobytes()  # type: ignore[no-any-return]


class NDBuffer(_core.NDBuffer):
    """An N-D numpy array in host memory."""

    __slots__ = ()

    @classmethod
    def create(
        cls,
        *,
        shape: Iterable[int],
        dtype: npt.DTypeLike,
        order: Literal["C", "F"] = "C",
        fill_value: Any | None = None,
    ) -> Self:
        shape = tuple(shape)
        wanted = np.dtype(dtype)
        if fill_value is None:
            return cls(_keep_dtype(np.zeros(shape, dtype=wanted, order=order), wanted))
        if wanted.kind in "mM":
            # Fill through the integers: numpy may drop a generic unit's scale.
            out = _keep_dtype(np.zeros(shape, dtype=wanted, order=order), wanted)
            out.view(wanted.byteorder + "i8")[...] = _time_counts(fill_value, wanted)
            return cls(out)
        return cls(np.full(shape, fill_value, dtype=wanted, order=order))

    @classmethod
    def empty(
        cls, shape: tuple[int, ...], dtype: npt.DTypeLike, order: Literal["C", "F"] = "C"
    ) -> Self:
        wanted = np.dtype(dtype)
        nbytes = math.prod(shape) * wanted.itemsize
        if nbytes < _HUGE_FROM or wanted.hasobject or wanted.kind == "T":
            # Objects and numpy strings cannot be views of raw bytes.
            return cls(_keep_dtype(np.empty(shape, dtype=wanted, order=order), wanted))
        # Start large arrays on a huge-page boundary: the kernel can then back
        # all of it with transparent huge pages (malloc's mmap'd blocks start
        # 16 bytes past a 4 KiB page, so the first 2 MiB fault page by page).
        # The slack before the boundary is never touched, so never resident.
        raw = np.empty(nbytes + _HUGE_PAGE, dtype=np.uint8)
        start = -raw.ctypes.data % _HUGE_PAGE
        flat = raw[start : start + nbytes].view(wanted)
        return cls(_keep_dtype(flat.reshape(shape, order=order), wanted))

    @classmethod
    def from_numpy_array(cls, array_like: npt.ArrayLike) -> Self:
        return cls(np.asanyarray(array_like))

    def as_numpy_array(self) -> npt.NDArray[Any]:
        return np.asanyarray(self._data)


def _time_counts(fill_value: Any, dtype: np.dtype[Any]) -> Any:
    # An integer is a count of the unit; numpy refuses to convert one to a
    # datetime of a generic unit, so it is not converted.
    if isinstance(fill_value, int | np.integer) and not isinstance(fill_value, bool):
        return np.int64(fill_value)
    # The value in native byte order, as a count (assignment reorders the bytes).
    return np.asarray(fill_value, dtype=dtype.newbyteorder("=")).view(np.int64)


def _keep_dtype(array: npt.NDArray[Any], dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    # numpy allocates ``m8[2generic]`` as ``m8`` (the scale of a generic unit
    # is dropped); a view of the same width gives the dtype asked for back.
    return array if array.dtype == dtype else array.view(dtype)


buffer_prototype = _core.BufferPrototype(buffer=Buffer, nd_buffer=NDBuffer)
