"""The ``zstd`` codec (``zarr.codecs.zstd``)."""

from __future__ import annotations

from anyzarr.protocol.codecs import ZstdCodec

__all__ = ["ZstdCodec"]
