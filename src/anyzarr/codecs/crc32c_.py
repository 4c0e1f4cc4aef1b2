"""The ``crc32c`` codec (``zarr.codecs.crc32c_``)."""

from __future__ import annotations

from anyzarr.protocol.codecs import Crc32cCodec

__all__ = ["Crc32cCodec"]
