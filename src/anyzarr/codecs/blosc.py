"""The ``blosc`` codec (``zarr.codecs.blosc``)."""

from __future__ import annotations

from typing import ClassVar, Literal

from anyzarr.codecs._deprecated_enum import DeprecatedOptions
from anyzarr.protocol.codecs import BloscCodec

__all__ = ["BloscCname", "BloscCnameLiteral", "BloscCodec", "BloscShuffle", "BloscShuffleLiteral"]

BloscShuffleLiteral = Literal["noshuffle", "shuffle", "bitshuffle"]
BloscCnameLiteral = Literal["lz4", "lz4hc", "blosclz", "snappy", "zlib", "zstd"]


class BloscCname(DeprecatedOptions):
    """Deprecated (as in zarr-python 3.4): pass ``BloscCodec(cname=...)`` a string."""

    _members: ClassVar[dict[str, str]] = {
        name: name for name in ("lz4", "lz4hc", "blosclz", "snappy", "zstd", "zlib")
    }


class BloscShuffle(DeprecatedOptions):
    """Deprecated (as in zarr-python 3.4): pass ``BloscCodec(shuffle=...)`` a string."""

    _members: ClassVar[dict[str, str]] = {
        name: name for name in ("noshuffle", "shuffle", "bitshuffle")
    }

    @staticmethod
    def from_int(num: int) -> BloscShuffleLiteral:
        """The shuffle name for numcodecs' shuffle number (0, 1 or 2)."""
        names: tuple[BloscShuffleLiteral, ...] = ("noshuffle", "shuffle", "bitshuffle")
        if not (isinstance(num, int) and 0 <= num < len(names)):
            raise ValueError(f"Value must be between 0 and 2. Got {num}.")
        return names[num]
