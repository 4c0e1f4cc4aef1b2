"""The ``gzip`` codec (``zarr.codecs.gzip``)."""

from __future__ import annotations

from anyzarr.protocol.codecs import GzipCodec

__all__ = ["GzipCodec"]
