"""The buffer interface (``zarr.abc.buffer``): stored bytes and decoded chunks."""

from __future__ import annotations

from anyzarr.protocol.buffer import ArrayLike, Buffer, BufferPrototype, NDArrayLike, NDBuffer

__all__ = ["ArrayLike", "Buffer", "BufferPrototype", "NDArrayLike", "NDBuffer"]
