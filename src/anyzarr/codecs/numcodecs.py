"""numcodecs codecs as Zarr v3 codecs (``zarr.codecs.numcodecs``).

Each class stores its numcodecs configuration under the v3 name
``numcodecs.<id>``, as zarr-python writes it: ``Delta(dtype="<i4")`` in a
v3 array's ``filters``, ``BZ2(level=5)`` in its ``compressors``.  These
names are not part of the Zarr v3 specification; other implementations may
not read them.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np

from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.codecs import ChunkSpec, register_codec
from anyzarr.protocol.codecs._numcodecs import (
    NumcodecsArrayArrayCodec,
    NumcodecsArrayBytesCodec,
    NumcodecsBytesBytesCodec,
)

__all__ = [
    "Adler32",
    "AsType",
    "BZ2",
    "BitRound",
    "Blosc",
    "CRC32",
    "CRC32C",
    "Delta",
    "FixedScaleOffset",
    "Fletcher32",
    "GZip",
    "JenkinsLookup3",
    "LZ4",
    "LZMA",
    "PCodec",
    "PackBits",
    "Quantize",
    "Shuffle",
    "ZFPY",
    "Zlib",
    "Zstd",
]


class _Named:
    """What every named class adds: its numcodecs config as zarr-python exposes it."""

    codec_id: ClassVar[str]
    configuration: dict[str, Any]

    @property
    def codec_config(self) -> dict[str, Any]:
        """``{"id": ..., **configuration}``: the numcodecs document."""
        return {"id": self.codec_id, **self.configuration}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(codec_name={self.codec_name!r}, "  # type: ignore[attr-defined]
            f"codec_config={self.configuration!r})"
        )


class _TakesArrayDtype(_Named):
    """A filter whose numcodecs configuration needs the array's data type under
    ``dtype_key``: taken from the array when not given, as zarr-python does."""

    dtype_key: ClassVar[str] = "dtype"

    def evolve_from_array_spec(self, spec: ChunkSpec) -> Self:
        if self.configuration.get(self.dtype_key) is not None:
            return self
        return type(self)(**{**self.configuration, self.dtype_key: str(spec.dtype)})


class Blosc(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``blosc`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.blosc"
    codec_id: ClassVar[str] = "blosc"


class LZ4(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``lz4`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.lz4"
    codec_id: ClassVar[str] = "lz4"


class Zstd(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``zstd`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.zstd"
    codec_id: ClassVar[str] = "zstd"


class Zlib(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``zlib`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.zlib"
    codec_id: ClassVar[str] = "zlib"


class GZip(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``gzip`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.gzip"
    codec_id: ClassVar[str] = "gzip"


class BZ2(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``bz2`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.bz2"
    codec_id: ClassVar[str] = "bz2"


class LZMA(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``lzma`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.lzma"
    codec_id: ClassVar[str] = "lzma"


class Shuffle(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``shuffle`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.shuffle"
    codec_id: ClassVar[str] = "shuffle"


class CRC32(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``crc32`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.crc32"
    codec_id: ClassVar[str] = "crc32"


class CRC32C(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``crc32c`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.crc32c"
    codec_id: ClassVar[str] = "crc32c"


class Adler32(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``adler32`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.adler32"
    codec_id: ClassVar[str] = "adler32"


class Fletcher32(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``fletcher32`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.fletcher32"
    codec_id: ClassVar[str] = "fletcher32"


class JenkinsLookup3(_Named, NumcodecsBytesBytesCodec):
    """numcodecs ``jenkins_lookup3`` (bytes to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.jenkins_lookup3"
    codec_id: ClassVar[str] = "jenkins_lookup3"


class Delta(_Named, NumcodecsArrayArrayCodec):
    """numcodecs ``delta`` (array to array)."""

    codec_name: ClassVar[str] = "numcodecs.delta"
    codec_id: ClassVar[str] = "delta"


class BitRound(_Named, NumcodecsArrayArrayCodec):
    """numcodecs ``bitround`` (array to array)."""

    codec_name: ClassVar[str] = "numcodecs.bitround"
    codec_id: ClassVar[str] = "bitround"


class FixedScaleOffset(_TakesArrayDtype, NumcodecsArrayArrayCodec):
    """numcodecs ``fixedscaleoffset`` (array to array)."""

    codec_name: ClassVar[str] = "numcodecs.fixedscaleoffset"
    codec_id: ClassVar[str] = "fixedscaleoffset"


class Quantize(_TakesArrayDtype, NumcodecsArrayArrayCodec):
    """numcodecs ``quantize`` (array to array)."""

    codec_name: ClassVar[str] = "numcodecs.quantize"
    codec_id: ClassVar[str] = "quantize"


class PackBits(_Named, NumcodecsArrayArrayCodec):
    """numcodecs ``packbits`` (array to array); for boolean arrays only."""

    def evolve_from_array_spec(self, spec: ChunkSpec) -> Self:
        # Checked here, where every array's codecs pass when its metadata is built.
        if spec.dtype != np.dtype(bool):
            raise MetadataValidationError(
                f"codec {self.codec_name!r}: Packbits filter requires bool dtype. Got {spec.dtype}."
            )
        return self

    codec_name: ClassVar[str] = "numcodecs.packbits"
    codec_id: ClassVar[str] = "packbits"


class AsType(_TakesArrayDtype, NumcodecsArrayArrayCodec):
    """numcodecs ``astype`` (array to array)."""

    dtype_key: ClassVar[str] = "decode_dtype"

    codec_name: ClassVar[str] = "numcodecs.astype"
    codec_id: ClassVar[str] = "astype"


class PCodec(_Named, NumcodecsArrayBytesCodec):
    """numcodecs ``pcodec`` (array to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.pcodec"
    codec_id: ClassVar[str] = "pcodec"


class ZFPY(_Named, NumcodecsArrayBytesCodec):
    """numcodecs ``zfpy`` (array to bytes)."""

    codec_name: ClassVar[str] = "numcodecs.zfpy"
    codec_id: ClassVar[str] = "zfpy"


for _cls in (
    Adler32,
    AsType,
    BZ2,
    BitRound,
    Blosc,
    CRC32,
    CRC32C,
    Delta,
    FixedScaleOffset,
    Fletcher32,
    GZip,
    JenkinsLookup3,
    LZ4,
    LZMA,
    PCodec,
    PackBits,
    Quantize,
    Shuffle,
    ZFPY,
    Zlib,
    Zstd,
):
    register_codec(_cls.codec_name, _cls)
del _cls
