"""Buffers: stored bytes (``Buffer``) and decoded chunk data (``NDBuffer``).

``cpu`` holds the numpy-backed classes and ``gpu`` the cupy-backed ones (cupy
imported lazily).  ``default_buffer_prototype()`` says which pair to use when a
caller does not choose; the API layer's configuration can change it with
``set_default_buffer_prototype``.
"""

from __future__ import annotations

from anyzarr.protocol.buffer import cpu, gpu
from anyzarr.protocol.buffer._core import (
    ArrayLike,
    Buffer,
    BufferPrototype,
    BytesLike,
    NDArrayLike,
    NDBuffer,
    detached,
)

__all__ = [
    "ArrayLike",
    "Buffer",
    "BufferPrototype",
    "BytesLike",
    "NDArrayLike",
    "NDBuffer",
    "cpu",
    "default_buffer_prototype",
    "detached",
    "gpu",
    "set_default_buffer_prototype",
]

_default: BufferPrototype = cpu.buffer_prototype


def default_buffer_prototype() -> BufferPrototype:
    """The buffer classes used when a caller passes no prototype (host memory by default)."""
    return _default


def set_default_buffer_prototype(prototype: BufferPrototype | None) -> BufferPrototype:
    """Make ``prototype`` the default (``None`` restores host memory); returns the previous one."""
    global _default
    previous = _default
    _default = cpu.buffer_prototype if prototype is None else prototype
    return previous
