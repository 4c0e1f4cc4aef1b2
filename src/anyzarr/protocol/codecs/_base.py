"""Codec base classes and the chunk description they work from.

Codecs are plain synchronous transforms.  There are three kinds, as in the
Zarr v3 specification: array->array (``ArrayArrayCodec``), array->bytes
(``ArrayBytesCodec``, exactly one per pipeline) and bytes->bytes
(``BytesBytesCodec``).  Arrays are numpy arrays; bytes are any object with
the buffer protocol (``bytes``, ``memoryview``, a 1-D ``uint8`` array), so
codecs can hand views along instead of copying.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Buffer as RawBytes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, ClassVar, Literal, Self

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import ChunkDecodeError, MetadataValidationError
from anyzarr.protocol.buffer import BufferPrototype, default_buffer_prototype
from anyzarr.protocol.codecs._zarr_methods import (
    ArrayArrayMethods,
    ArrayBytesMethods,
    BytesBytesMethods,
)

__all__ = [
    "ArrayArrayCodec",
    "ArrayBytesCodec",
    "BytesBytesCodec",
    "ChunkSpec",
    "Codec",
    "CodecKind",
    "RawBytes",
    "enum_value",
    "parse_named_configuration",
]

CodecKind = Literal["array_to_array", "array_to_bytes", "bytes_to_bytes"]


@dataclass(frozen=True)
class ChunkSpec:
    """What one chunk looks like once decoded.

    ``shape`` is the full chunk shape (edge chunks are stored full size),
    ``fill_value`` a numpy scalar of ``dtype``, ``order`` the memory layout
    wanted for decoded arrays (it changes stored bytes only for Zarr v2).
    ``write_empty_chunks`` false lets sharding omit inner chunks that hold
    only the fill value.
    """

    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    fill_value: Any
    order: Literal["C", "F"] = "C"
    prototype: BufferPrototype = field(default_factory=default_buffer_prototype)
    write_empty_chunks: bool = False

    def with_shape(self, shape: tuple[int, ...]) -> ChunkSpec:
        return replace(self, shape=shape)

    def with_dtype(self, dtype: npt.DTypeLike) -> ChunkSpec:
        new = np.dtype(dtype)
        fill = self.fill_value
        try:
            fill = np.asarray(fill).astype(new)[()]
        except (TypeError, ValueError):
            fill = new.type(0) if new.kind not in "OTUS" else fill
        return replace(self, dtype=new, fill_value=fill)

    def fill_array(self) -> npt.NDArray[Any]:
        """A new chunk holding only the fill value."""
        return np.full(self.shape, self.fill_value, dtype=self.dtype, order=self.order)


def enum_value(value: Any, codec: str = "the codec", param: str = "...") -> Any:
    """``value.value`` for an enum member (with zarr-python 3.4's
    ``DeprecationWarning``), else ``value``.

    Codecs keep the plain JSON value, so that their documents and reprs are
    the same either way; ``codec`` and ``param`` name the argument in the
    warning.
    """
    if not isinstance(value, Enum):
        return value
    warnings.warn(
        f"Passing an enum to {codec}(..., {param}=...) is deprecated; pass the equivalent "
        "literal string instead.",
        DeprecationWarning,
        stacklevel=4,
    )
    return value.value


def parse_named_configuration(
    data: Mapping[str, Any], name: str, *, configuration_required: bool = False
) -> dict[str, Any]:
    """The ``configuration`` of a ``{"name": ..., "configuration": ...}`` codec document."""
    if not isinstance(data, Mapping):
        raise MetadataValidationError(f"codec {name!r}: expected an object, got {data!r}")
    if data.get("name") != name:
        raise MetadataValidationError(f"codec: expected name {name!r}, got {data.get('name')!r}")
    config = data.get("configuration")
    if config is None:
        if configuration_required:
            raise MetadataValidationError(f"codec {name!r}: field 'configuration' is required")
        return {}
    if not isinstance(config, Mapping):
        raise MetadataValidationError(f"codec {name!r}: 'configuration' must be an object")
    return dict(config)


class Codec(ABC):
    """One step of a codec pipeline, identified in metadata by ``codec_name``."""

    codec_name: ClassVar[str]
    kind: ClassVar[CodecKind]

    @classmethod
    @abstractmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build the codec from its metadata document."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The metadata document, as zarr-python writes it."""

    def evolve_from_array_spec(self, spec: ChunkSpec) -> Self:
        """This codec with settings left open filled in for ``spec`` (default: unchanged)."""
        return self

    def validate(self, spec: ChunkSpec) -> None:  # noqa: B027  # most codecs accept any spec
        """Raise ``MetadataValidationError`` if the codec cannot handle ``spec``."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self.to_dict()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict()!r})"


class ArrayArrayCodec(ArrayArrayMethods, Codec):
    """Transforms an array into another array (for example ``transpose``)."""

    kind: ClassVar[CodecKind] = "array_to_array"

    def resolve_spec(self, spec: ChunkSpec) -> ChunkSpec:
        """The spec of the encoded array given the spec of the decoded one."""
        return spec

    @abstractmethod
    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        """Encode ``array`` (shaped like ``spec``)."""

    @abstractmethod
    def decode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        """Decode ``array`` back to the shape and dtype of ``spec``."""


class ArrayBytesCodec(ArrayBytesMethods, Codec):
    """Serialises an array to bytes; every pipeline has exactly one."""

    kind: ClassVar[CodecKind] = "array_to_bytes"

    @abstractmethod
    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> RawBytes | None:
        """Serialise ``array``; ``None`` means nothing needs storing."""

    @abstractmethod
    def decode(self, data: RawBytes, spec: ChunkSpec, key: str) -> npt.NDArray[Any]:
        """Deserialise ``data`` (stored under ``key``) into an array shaped like ``spec``."""

    def decode_many(
        self, chunks: Sequence[RawBytes], spec: ChunkSpec, keys: Sequence[str]
    ) -> list[npt.NDArray[Any]]:
        """Decode several chunks of one spec; codecs override this to hoist per-spec work."""
        return [self.decode(c, spec, k) for c, k in zip(chunks, keys, strict=True)]

    def compute_encoded_size(self, spec: ChunkSpec) -> int:
        """Size in bytes of an encoded chunk, for codecs whose output size is fixed."""
        raise MetadataValidationError(
            f"codec {self.codec_name!r} has no fixed encoded size (needed for a shard index)"
        )

    def max_encoded_size(self, spec: ChunkSpec) -> int | None:
        """The most bytes an encoded chunk of ``spec`` can take; None when not bounded.

        Compressors after this codec decode to at most this many bytes (see
        ``anyzarr.protocol.codecs.decode_bounded``); None (variable-length
        data) bounds them by ``VARIABLE_CHUNK_LIMIT`` instead.
        """
        return None


class BytesBytesCodec(BytesBytesMethods, Codec):
    """Transforms bytes into bytes (compression, checksums)."""

    kind: ClassVar[CodecKind] = "bytes_to_bytes"

    @abstractmethod
    def encode(self, data: RawBytes, spec: ChunkSpec) -> RawBytes:
        """Encode ``data``."""

    @abstractmethod
    def decode(self, data: RawBytes, spec: ChunkSpec, key: str) -> RawBytes:
        """Decode ``data`` stored under ``key``."""

    def decode_bounded(
        self, data: RawBytes, spec: ChunkSpec, key: str, max_nbytes: int
    ) -> RawBytes:
        """Decode ``data``, raising ``ChunkDecodeError`` if it exceeds ``max_nbytes`` bytes.

        anyzarr's compressors stop before producing (or allocating) more than
        ``max_nbytes``; this default, for codecs that do not override it,
        decodes first and checks the size afterwards.
        """
        out = self.decode(data, spec, key)
        size = memoryview(out).nbytes
        if size > max_nbytes:
            raise ChunkDecodeError(
                f"codec {self.codec_name!r}: chunk decodes to {size} bytes, more than the "
                f"{max_nbytes} it can hold",
                key,
            )
        return out

    def max_encoded_size(self, size: int) -> int | None:
        """The most bytes encoding ``size`` bytes can produce; None when unknown."""
        return None

    def compute_encoded_size(self, size: int) -> int:
        """Encoded size for an input of ``size`` bytes, for codecs where it is fixed."""
        raise MetadataValidationError(
            f"codec {self.codec_name!r} changes sizes unpredictably (not allowed in a shard index)"
        )
