"""The ``blosc`` codec (``zarr.codecs.blosc``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from anyzarr.protocol.codecs import BloscCodec

__all__ = ["BloscCname", "BloscCnameLiteral", "BloscCodec", "BloscShuffle", "BloscShuffleLiteral"]

BloscShuffleLiteral = Literal["noshuffle", "shuffle", "bitshuffle"]
BloscCnameLiteral = Literal["lz4", "lz4hc", "blosclz", "snappy", "zlib", "zstd"]


class BloscCname(StrEnum):
    """The compressors inside blosc (``BloscCodec(cname=...)``)."""

    lz4 = "lz4"
    lz4hc = "lz4hc"
    blosclz = "blosclz"
    snappy = "snappy"
    zstd = "zstd"
    zlib = "zlib"


class BloscShuffle(StrEnum):
    """How blosc rearranges bytes before compressing (``BloscCodec(shuffle=...)``)."""

    noshuffle = "noshuffle"
    shuffle = "shuffle"
    bitshuffle = "bitshuffle"

    @classmethod
    def from_int(cls, num: int) -> BloscShuffle:
        """The member for numcodecs' shuffle number (0, 1 or 2)."""
        members = list(cls)
        if not (isinstance(num, int) and 0 <= num < len(members)):
            raise ValueError(f"blosc shuffle number must be 0, 1 or 2, got {num!r}")
        return members[num]
