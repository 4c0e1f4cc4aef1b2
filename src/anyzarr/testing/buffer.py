"""Custom buffer classes for testing that code honours a caller's buffer prototype.

``TestNDArrayLike`` is an ndarray subclass standing in for a foreign array
library; ``TestBuffer`` and ``NDBufferUsingTestNDArrayLike`` are buffer classes
built on it; ``StoreExpectingTestBuffer`` is a memory store that refuses chunk
data (every key but the metadata documents) passed as any other buffer class, so a
test fails if some layer drops the prototype on the way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, Self

import numpy as np
import numpy.typing as npt

from anyzarr.io.stores._memory import MemoryStore
from anyzarr.protocol._byte_request import ByteRequest
from anyzarr.protocol.buffer import Buffer, BufferPrototype, cpu

__all__ = [
    "NDBufferUsingTestNDArrayLike",
    "StoreExpectingTestBuffer",
    "TestBuffer",
    "TestNDArrayLike",
]


class TestNDArrayLike(np.ndarray):
    """An ndarray subclass playing the part of another library's array type."""

    __test__ = False  # not a pytest test class despite the name


class TestBuffer(cpu.Buffer):
    """A host ``Buffer`` whose type the test store checks for."""

    __test__ = False
    __slots__ = ()


class NDBufferUsingTestNDArrayLike(cpu.NDBuffer):
    """A host ``NDBuffer`` whose new arrays are ``TestNDArrayLike`` views."""

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
        if fill_value is None:
            array = np.zeros(shape, dtype=dtype, order=order)
        else:
            array = np.full(shape, fill_value, dtype=dtype, order=order)
        return cls(array.view(TestNDArrayLike))

    @classmethod
    def empty(
        cls, shape: tuple[int, ...], dtype: npt.DTypeLike, order: Literal["C", "F"] = "C"
    ) -> Self:
        return cls(np.empty(shape, dtype=dtype, order=order).view(TestNDArrayLike))

    @classmethod
    def from_numpy_array(cls, array_like: npt.ArrayLike) -> Self:
        return cls(np.asanyarray(array_like).view(TestNDArrayLike))


_METADATA_NAMES = frozenset({"zarr.json", ".zarray", ".zgroup", ".zattrs", ".zmetadata"})


def _is_metadata(key: str) -> bool:
    # Metadata documents of either format (anyzarr looks for both when it
    # checks a path), and any other JSON key.
    return key.rpartition("/")[2] in _METADATA_NAMES or "json" in key


class StoreExpectingTestBuffer(MemoryStore):
    """A ``MemoryStore`` that insists chunk data arrive and leave as ``TestBuffer``."""

    async def set(self, key: str, value: Buffer, byte_range: tuple[int, int] | None = None) -> None:
        if not _is_metadata(key) and not isinstance(value, TestBuffer):
            raise TypeError(f"key {key!r}: expected a TestBuffer, got {type(value).__name__}")
        await super().set(key, value, byte_range)

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        if not _is_metadata(key) and (prototype is None or prototype.buffer is not TestBuffer):
            raise TypeError(f"key {key!r}: expected a prototype whose buffer is TestBuffer")
        value = await super().get(key, prototype, byte_range)
        if value is not None and prototype is not None and not isinstance(value, prototype.buffer):
            raise TypeError(f"key {key!r}: store returned {type(value).__name__}")
        return value
