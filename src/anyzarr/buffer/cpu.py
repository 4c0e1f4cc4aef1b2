"""Host-memory buffers, backed by numpy (``zarr.buffer.cpu``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy.typing as npt

from anyzarr.protocol.buffer import Buffer as _Buffer
from anyzarr.protocol.buffer import BufferPrototype
from anyzarr.protocol.buffer.cpu import Buffer, NDBuffer, buffer_prototype

__all__ = [
    "Buffer",
    "NDBuffer",
    "as_numpy_array_wrapper",
    "buffer_prototype",
    "numpy_buffer_prototype",
]


def as_numpy_array_wrapper(
    func: Callable[[npt.NDArray[Any]], bytes], buf: _Buffer, prototype: BufferPrototype
) -> _Buffer:
    """``func`` applied to ``buf`` as a numpy array, its bytes returned as a ``prototype`` buffer.

    For functions that only work on host memory (numcodecs' ``decode``).
    """
    return prototype.buffer.from_bytes(func(buf.as_numpy_array()))


def numpy_buffer_prototype() -> BufferPrototype:
    """The host-memory (numpy) buffer classes."""
    return BufferPrototype(buffer=Buffer, nd_buffer=NDBuffer)
