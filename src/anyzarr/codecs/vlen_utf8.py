"""The ``vlen-utf8`` and ``vlen-bytes`` codecs (``zarr.codecs.vlen_utf8``)."""

from __future__ import annotations

from anyzarr.protocol.codecs import VLenBytesCodec, VLenUTF8Codec

__all__ = ["VLenBytesCodec", "VLenUTF8Codec"]
