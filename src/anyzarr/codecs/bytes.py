"""The ``bytes`` codec (``zarr.codecs.bytes``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from anyzarr.protocol.codecs import BytesCodec

__all__ = ["BytesCodec", "Endian", "EndianLiteral"]

EndianLiteral = Literal["little", "big"]


class Endian(StrEnum):
    """Byte order of the ``bytes`` codec (``BytesCodec(endian=...)``)."""

    little = "little"
    big = "big"
