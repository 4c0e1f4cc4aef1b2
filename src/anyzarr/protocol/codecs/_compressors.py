"""The v3 compressors ``blosc``, ``zstd`` and ``gzip`` (backed by numcodecs)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, ClassVar, Self

from numcodecs import GZip, Zstd
from numcodecs import blosc as _blosc
from numcodecs import zstd as _zstd
from numcodecs.abc import Codec as NumcodecsCodec
from numcodecs.blosc import Blosc

from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.codecs._base import (
    BytesBytesCodec,
    ChunkSpec,
    RawBytes,
    enum_value,
    parse_named_configuration,
)
from anyzarr.protocol.codecs._bounded import (
    VARIABLE_CHUNK_LIMIT,
    blosc_check,
    blosc_decompress,
    compressed_bound,
    gzip_decompress,
    zstd_decompress,
    zstd_stated_size,
)
from anyzarr.protocol.codecs._zstd_contexts import zstd_compress_pooled, zstd_decompress_pooled

__all__ = ["BloscCodec", "GzipCodec", "ZstdCodec"]

_SHUFFLE_NUMBER: dict[str, int] = {"noshuffle": 0, "shuffle": 1, "bitshuffle": 2}
_CNAMES = ("lz4", "lz4hc", "blosclz", "zstd", "snappy", "zlib")


#: The small-chunk fast path (``_decompress``) decodes frames of at most this
#: many bytes; anything larger, or of unstated size, goes through
#: ``decode_bounded`` with the chunk's real size.
SMALL_FRAME_MAX = 64 * 1024


def _small_blosc(source: Any) -> bytes:
    blosc_check(source, SMALL_FRAME_MAX, "")
    return _blosc.decompress(source)  # type: ignore[no-any-return]


def _small_zstd(source: Any) -> bytes:
    stated = zstd_stated_size(source)
    if stated is None or stated > SMALL_FRAME_MAX:
        raise ValueError("not a small zstd frame of stated size")
    # Data after the frame makes this raise (numcodecs decodes further
    # frames), so the general path decides what such a chunk means.
    pooled = zstd_decompress_pooled(source)
    if pooled is None:  # without python-zstandard
        return _zstd.decompress(source)  # type: ignore[no-any-return]
    return pooled


class _CheckedBlosc(Blosc):  # type: ignore[misc]
    """numcodecs' Blosc with its header checked against the buffer first.

    numcodecs reads as many bytes as the header states, past the end of a
    short buffer; every decode through the codec object (including the
    direct decode into caller memory) is checked here.
    """

    def decode(self, buf: Any, out: Any = None) -> Any:
        limit = memoryview(out).nbytes if out is not None else VARIABLE_CHUNK_LIMIT
        if not memoryview(buf).c_contiguous:
            buf = memoryview(buf).tobytes()
        blosc_check(buf, limit, "")
        return super().decode(buf, out)


class _NumcodecsBacked(BytesBytesCodec):
    """Shared encode/decode over a numcodecs compressor built on first use."""

    #: A fast decompress of a small frame whose header states its size (at
    #: most ``SMALL_FRAME_MAX``; anything else raises): calling numcodecs'
    #: module-level function directly skips the codec object's input
    #: normalisation, which costs as much as decompressing a 4 KiB chunk.
    _decompress: ClassVar[staticmethod[[Any], bytes] | None] = None

    @cached_property
    def _impl(self) -> NumcodecsCodec:
        return self._make()

    @abstractmethod
    def _make(self) -> NumcodecsCodec:
        """The numcodecs object doing the work."""

    @abstractmethod
    def _bounded(self, data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
        """Decompress at most ``max_nbytes`` bytes (see ``_bounded.py``)."""

    def encode(self, data: RawBytes, spec: ChunkSpec) -> RawBytes:
        return self._impl.encode(data)  # type: ignore[no-any-return]

    def decode(self, data: RawBytes, spec: ChunkSpec, key: str) -> RawBytes:
        return self._bounded(data, VARIABLE_CHUNK_LIMIT, key)

    def decode_bounded(
        self, data: RawBytes, spec: ChunkSpec, key: str, max_nbytes: int
    ) -> RawBytes:
        return self._bounded(data, max_nbytes, key)

    def max_encoded_size(self, size: int) -> int:
        return compressed_bound(size)


@dataclass(frozen=True, eq=False)
class BloscCodec(_NumcodecsBacked):
    """Blosc meta-compressor; ``typesize``/``shuffle`` left None are set from the dtype."""

    codec_name: ClassVar[str] = "blosc"
    _decompress = staticmethod(_small_blosc)
    typesize: int | None = None
    cname: str = "zstd"
    clevel: int = 5
    shuffle: str | None = None
    blocksize: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "cname", enum_value(self.cname, "BloscCodec", "cname"))
        object.__setattr__(self, "shuffle", enum_value(self.shuffle, "BloscCodec", "shuffle"))
        if self.cname not in _CNAMES:
            raise MetadataValidationError(
                f"codec 'blosc': cname must be one of {_CNAMES}, got {self.cname!r}"
            )
        if self.shuffle is not None and self.shuffle not in _SHUFFLE_NUMBER:
            raise MetadataValidationError(
                f"codec 'blosc': shuffle must be one of {tuple(_SHUFFLE_NUMBER)}, "
                f"got {self.shuffle!r}"
            )
        if not (isinstance(self.clevel, int) and 0 <= self.clevel <= 9):
            raise MetadataValidationError(
                f"codec 'blosc': field 'clevel' must be 0..9, got {self.clevel!r}"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        config = parse_named_configuration(data, cls.codec_name)
        known = {"typesize", "cname", "clevel", "shuffle", "blocksize"}
        return cls(**{k: v for k, v in config.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": "blosc",
            "configuration": {
                "typesize": 1 if self.typesize is None else self.typesize,
                "cname": self.cname,
                "clevel": self.clevel,
                "shuffle": "bitshuffle" if self.shuffle is None else self.shuffle,
                "blocksize": self.blocksize,
            },
        }

    def evolve_from_array_spec(self, spec: ChunkSpec) -> Self:
        size = spec.dtype.itemsize if spec.dtype.kind not in "OT" else 1
        changes: dict[str, Any] = {}
        if self.typesize is None:
            changes["typesize"] = size
        if self.shuffle is None:
            changes["shuffle"] = "bitshuffle" if size == 1 else "shuffle"
        return replace(self, **changes) if changes else self

    def _bounded(self, data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
        return blosc_decompress(data, max_nbytes, key)

    def _make(self) -> NumcodecsCodec:
        return _CheckedBlosc(
            cname=self.cname,
            clevel=self.clevel,
            shuffle=_SHUFFLE_NUMBER["bitshuffle" if self.shuffle is None else self.shuffle],
            blocksize=self.blocksize,
            typesize=self.typesize or 1,
        )


@dataclass(frozen=True, eq=False)
class ZstdCodec(_NumcodecsBacked):
    """Zstandard; ``checksum`` adds zstd's own frame checksum."""

    codec_name: ClassVar[str] = "zstd"
    _decompress = staticmethod(_small_zstd)
    level: int = 0
    checksum: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        config = parse_named_configuration(data, cls.codec_name)
        level, checksum = config.get("level", 0), config.get("checksum", False)
        if not isinstance(level, int) or isinstance(level, bool):
            raise MetadataValidationError(
                f"codec 'zstd': field 'level' must be an integer, got {level!r}"
            )
        if not isinstance(checksum, bool):
            raise MetadataValidationError(
                f"codec 'zstd': field 'checksum' must be a boolean, got {checksum!r}"
            )
        return cls(level=level, checksum=checksum)

    def to_dict(self) -> dict[str, Any]:
        return {"name": "zstd", "configuration": {"level": self.level, "checksum": self.checksum}}

    def encode(self, data: RawBytes, spec: ChunkSpec) -> RawBytes:
        pooled = zstd_compress_pooled(data, self.level, self.checksum)
        if pooled is not None:
            return pooled
        try:
            return _zstd.compress(data, self.level, self.checksum)  # type: ignore[no-any-return]
        except BufferError:  # not contiguous: numcodecs copies it first
            return self._impl.encode(data)  # type: ignore[no-any-return]

    def _bounded(self, data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
        return zstd_decompress(data, max_nbytes, key)

    def _make(self) -> NumcodecsCodec:
        return Zstd(level=self.level, checksum=self.checksum)


@dataclass(frozen=True, eq=False)
class GzipCodec(_NumcodecsBacked):
    """gzip (deflate with a gzip header), levels 0..9."""

    codec_name: ClassVar[str] = "gzip"
    level: int = 5

    def __post_init__(self) -> None:
        if not (isinstance(self.level, int) and 0 <= self.level <= 9):
            raise MetadataValidationError(
                f"codec 'gzip': field 'level' must be 0..9, got {self.level!r}"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        config = parse_named_configuration(data, cls.codec_name)
        return cls(level=config.get("level", 5))

    def to_dict(self) -> dict[str, Any]:
        return {"name": "gzip", "configuration": {"level": self.level}}

    def _bounded(self, data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
        return gzip_decompress(data, max_nbytes, key)

    def _make(self) -> NumcodecsCodec:
        return GZip(level=self.level)
