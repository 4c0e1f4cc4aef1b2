"""Zarr v3 codecs under the name zarr-python uses (``zarr.codecs``).

A package with zarr-python's submodules (``blosc``, ``bytes``, ``gzip``,
``zstd``, ``crc32c_``, ``transpose``, ``vlen_utf8``, ``sharding``,
``numcodecs``, ``cast_value``, ``scale_offset``), each exporting the same
names as zarr's.

``import anyzarr as zarr`` then ``zarr.codecs.BloscCodec(cname="lz4")`` picks
a compressor the way zarr-python 3 scripts do.  The classes are anyzarr's own
(from ``anyzarr.protocol.codecs``); they write the same metadata as
zarr-python's.

The option classes (``BloscCname``, ``BloscShuffle``, ``Endian``,
``ShardingCodecIndexLocation``) are deprecated as in zarr-python 3.4: a
member (``BloscCname.zstd``) is its plain string, given with a
``DeprecationWarning``; pass the strings instead.

``CastValue`` and ``ScaleOffset`` are the ``cast_value`` and
``scale_offset`` array-to-array codecs from the zarr-extensions repository
(``cast_value`` needs the ``cast-value-rs`` package: ``anyzarr[cast-value]``).
``SubchunkWriteOrder`` is the type of zarr-python's sharding option of that
name; anyzarr always writes the inner chunks of a shard in Morton order, as
zarr-python does by default.  The ``numcodecs.*`` classes (``BZ2``,
``Delta``, ...) are reachable as attributes, as in zarr-python.
"""

from __future__ import annotations

from anyzarr.codecs.blosc import BloscCname, BloscCodec, BloscShuffle
from anyzarr.codecs.bytes import BytesCodec, Endian
from anyzarr.codecs.cast_value import CastValue
from anyzarr.codecs.crc32c_ import Crc32cCodec
from anyzarr.codecs.gzip import GzipCodec

# The numcodecs classes are attributes here, as in zarr-python, but not in __all__.
from anyzarr.codecs.numcodecs import (  # noqa: F401
    BZ2,
    CRC32,
    CRC32C,
    LZ4,
    LZMA,
    ZFPY,
    Adler32,
    AsType,
    BitRound,
    Blosc,
    Delta,
    FixedScaleOffset,
    Fletcher32,
    GZip,
    JenkinsLookup3,
    PackBits,
    PCodec,
    Quantize,
    Shuffle,
    Zlib,
    Zstd,
)
from anyzarr.codecs.scale_offset import ScaleOffset
from anyzarr.codecs.sharding import ShardingCodec, ShardingCodecIndexLocation, SubchunkWriteOrder
from anyzarr.codecs.transpose import TransposeCodec
from anyzarr.codecs.vlen_utf8 import VLenBytesCodec, VLenUTF8Codec
from anyzarr.codecs.zstd import ZstdCodec

__all__ = [
    "BloscCname",
    "BloscCodec",
    "BloscShuffle",
    "BytesCodec",
    "CastValue",
    "Crc32cCodec",
    "Endian",
    "GzipCodec",
    "ScaleOffset",
    "ShardingCodec",
    "ShardingCodecIndexLocation",
    "SubchunkWriteOrder",
    "TransposeCodec",
    "VLenBytesCodec",
    "VLenUTF8Codec",
    "ZstdCodec",
]
