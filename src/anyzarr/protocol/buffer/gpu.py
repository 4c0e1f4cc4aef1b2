"""Buffers in CUDA device memory, backed by cupy arrays.

cupy is imported only when a GPU buffer is first made, so this module imports
on machines without cupy; making a buffer there raises ``GpuUnavailableError``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any, Literal, Self

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import UsageError
from anyzarr.protocol.buffer import _core

__all__ = ["Buffer", "GpuUnavailableError", "NDBuffer", "buffer_prototype", "cupy_available"]


class GpuUnavailableError(UsageError, ImportError):
    """A GPU buffer was requested but cupy (or a CUDA device) is not available."""


_cupy: ModuleType | None = None


def _cp() -> ModuleType:
    global _cupy
    if _cupy is None:
        try:
            _cupy = importlib.import_module("cupy")
        except ImportError as exc:
            raise GpuUnavailableError(
                "GPU buffers need cupy; install anyzarr[gpu] (cupy-cuda12x)"
            ) from exc
    return _cupy


def cupy_available() -> bool:
    """Whether cupy imports and sees at least one CUDA device."""
    try:
        cp = _cp()
        return bool(cp.cuda.runtime.getDeviceCount() > 0)
    except Exception:
        return False


class Buffer(_core.Buffer):
    """Bytes in device memory (a 1-D cupy ``uint8`` array)."""

    __slots__ = ()

    def __init__(self, array_like: Any) -> None:
        cp = _cp()
        if not isinstance(array_like, cp.ndarray):
            array_like = cp.asarray(array_like)
        super().__init__(array_like)

    @classmethod
    def create_zero_length(cls) -> Self:
        return cls(_cp().empty(0, dtype="B"))

    @classmethod
    def from_bytes(cls, bytes_like: _core.BytesLike) -> Self:
        return cls(_cp().asarray(np.frombuffer(bytes_like, dtype="B")))

    def as_numpy_array(self) -> npt.NDArray[Any]:
        return _cp().asnumpy(self._data)  # type: ignore[no-any-return]

    def _concatenate(self, parts: Sequence[Any]) -> Any:
        cp = _cp()
        return cp.concatenate([cp.asarray(p) for p in parts])


class NDBuffer(_core.NDBuffer):
    """An N-D cupy array in device memory."""

    __slots__ = ()

    def __init__(self, array: Any) -> None:
        cp = _cp()
        if not isinstance(array, cp.ndarray):
            array = cp.asarray(array)
        super().__init__(array)

    @classmethod
    def create(
        cls,
        *,
        shape: Iterable[int],
        dtype: npt.DTypeLike,
        order: Literal["C", "F"] = "C",
        fill_value: Any | None = None,
    ) -> Self:
        cp = _cp()
        shape = tuple(shape)
        if fill_value is None:
            return cls(cp.zeros(shape, dtype=dtype, order=order))
        return cls(cp.full(shape, fill_value, dtype=dtype, order=order))

    @classmethod
    def empty(
        cls, shape: tuple[int, ...], dtype: npt.DTypeLike, order: Literal["C", "F"] = "C"
    ) -> Self:
        return cls(_cp().empty(shape, dtype=dtype, order=order))

    @classmethod
    def from_numpy_array(cls, array_like: npt.ArrayLike) -> Self:
        return cls(_cp().asarray(array_like))

    def as_numpy_array(self) -> npt.NDArray[Any]:
        return _cp().asnumpy(self._data)  # type: ignore[no-any-return]

    def all_equal(self, other: Any, equal_nan: bool = True) -> bool:
        cp = _cp()
        if isinstance(other, _core.NDBuffer):
            other = other.as_ndarray_like()
        if other is None:
            return False
        data = self._data
        if data.dtype.kind in "fc" and equal_nan:
            other_arr = cp.asarray(other, dtype=data.dtype)
            same = (data == other_arr) | (cp.isnan(data) & cp.isnan(other_arr))
            return bool(same.all())
        return bool((data == cp.asarray(other, dtype=data.dtype)).all())

    def __getitem__(self, key: Any) -> Self:
        return self.__class__(self._data.__getitem__(key))


buffer_prototype = _core.BufferPrototype(buffer=Buffer, nd_buffer=NDBuffer)
