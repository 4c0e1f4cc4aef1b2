"""Zarr v3 codecs under the name zarr-python uses (``zarr.codecs``).

``import anyzarr as zarr`` then ``zarr.codecs.BloscCodec(cname="lz4")`` picks
a compressor the way zarr-python 3 scripts do.  The classes are anyzarr's own
(from ``anyzarr.protocol.codecs``); they write the same metadata as
zarr-python's.

The option enums (``BloscCname``, ``BloscShuffle``, ``Endian``,
``ShardingCodecIndexLocation``) are string enums: every member equals its
string, and the codecs store the plain string, so an enum argument and the
string give the same metadata.  zarr-python 3.4 deprecates these enums in
favour of plain strings; anyzarr accepts both without a warning.

Left out, because anyzarr does not implement them: ``CastValue`` and
``ScaleOffset`` (the ``cast_value`` and ``scale_offset`` array-to-array
codecs from the zarr-extensions repository) and ``SubchunkWriteOrder`` (the
type of the sharding codec's ``subchunk_write_order`` argument; anyzarr always
writes the inner chunks of a shard in Morton order, as zarr-python does by
default).
"""

from __future__ import annotations

from enum import StrEnum

from anyzarr.protocol.codecs import (
    BloscCodec,
    BytesCodec,
    Crc32cCodec,
    GzipCodec,
    ShardingCodec,
    TransposeCodec,
    VLenBytesCodec,
    VLenUTF8Codec,
    ZstdCodec,
)


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


class Endian(StrEnum):
    """Byte order of the ``bytes`` codec (``BytesCodec(endian=...)``)."""

    little = "little"
    big = "big"


class ShardingCodecIndexLocation(StrEnum):
    """Where a shard keeps its index (``ShardingCodec(index_location=...)``)."""

    start = "start"
    end = "end"


__all__ = [
    "BloscCname",
    "BloscCodec",
    "BloscShuffle",
    "BytesCodec",
    "Crc32cCodec",
    "Endian",
    "GzipCodec",
    "ShardingCodec",
    "ShardingCodecIndexLocation",
    "TransposeCodec",
    "VLenBytesCodec",
    "VLenUTF8Codec",
    "ZstdCodec",
]
