"""Device-memory buffers, backed by cupy (``zarr.buffer.gpu``).

cupy is imported when a GPU buffer is first made; without it that raises
``GpuUnavailableError`` (an ``ImportError``).
"""

from __future__ import annotations

from anyzarr.protocol.buffer.gpu import Buffer, NDBuffer, buffer_prototype

__all__ = ["Buffer", "NDBuffer", "buffer_prototype"]
