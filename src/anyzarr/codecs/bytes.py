"""The ``bytes`` codec (``zarr.codecs.bytes``)."""

from __future__ import annotations

from typing import ClassVar, Literal

from anyzarr.codecs._deprecated_enum import DeprecatedOptions
from anyzarr.protocol.codecs import BytesCodec

__all__ = ["BytesCodec", "Endian", "EndianLiteral"]

EndianLiteral = Literal["little", "big"]


class Endian(DeprecatedOptions):
    """Deprecated (as in zarr-python 3.4): pass ``BytesCodec(endian=...)`` a string."""

    _members: ClassVar[dict[str, str]] = {"little": "little", "big": "big"}
