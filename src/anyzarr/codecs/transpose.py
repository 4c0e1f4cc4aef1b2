"""The ``transpose`` codec (``zarr.codecs.transpose``)."""

from __future__ import annotations

from anyzarr.protocol.codecs import TransposeCodec

__all__ = ["TransposeCodec"]
