"""The ``bytes`` codec: an array's elements in C order with a fixed byte order."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import prod
from typing import Any, ClassVar, Literal, Self

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import ChunkDecodeError, MetadataValidationError
from anyzarr.protocol.codecs._base import (
    ArrayBytesCodec,
    ChunkSpec,
    RawBytes,
    enum_value,
    parse_named_configuration,
)

__all__ = ["BytesCodec", "Endian"]

Endian = Literal["little", "big"]
_NATIVE: Endian = "little" if sys.byteorder == "little" else "big"


def _with_endian(dtype: np.dtype[Any], endian: str | None) -> np.dtype[Any]:
    if endian is None or (dtype.itemsize <= 1 and not dtype.fields):
        return dtype
    return dtype.newbyteorder("<" if endian == "little" else ">")


@dataclass(frozen=True, eq=False)
class BytesCodec(ArrayBytesCodec):
    """Raw element bytes; ``endian`` may be None only for single-byte types."""

    codec_name: ClassVar[str] = "bytes"
    endian: str | None = _NATIVE

    def __post_init__(self) -> None:
        object.__setattr__(self, "endian", enum_value(self.endian, "BytesCodec", "endian"))
        if self.endian not in ("little", "big", None):
            raise MetadataValidationError(
                f"codec 'bytes': endian must be one of ('little', 'big'), got {self.endian!r}"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        config = parse_named_configuration(data, cls.codec_name)
        return cls(endian=config.get("endian"))

    def to_dict(self) -> dict[str, Any]:
        if self.endian is None:
            return {"name": "bytes"}
        return {"name": "bytes", "configuration": {"endian": self.endian}}

    def evolve_from_array_spec(self, spec: ChunkSpec) -> Self:
        if spec.dtype.itemsize == 1 and self.endian is not None and not spec.dtype.fields:
            return type(self)(endian=None)
        return self

    def validate(self, spec: ChunkSpec) -> None:
        if spec.dtype.kind in "OT" or spec.dtype.itemsize == 0:
            raise MetadataValidationError(
                f"codec 'bytes' cannot serialise variable-length dtype {spec.dtype}"
            )
        if (
            self.endian is None
            and spec.dtype.itemsize > 1
            and not spec.dtype.fields
            and spec.dtype.byteorder != "|"  # bytes types have no byte order
        ):
            raise MetadataValidationError(
                f"codec 'bytes': field 'endian' is required for dtype {spec.dtype}"
            )

    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> RawBytes:
        wanted = _with_endian(array.dtype, self.endian)
        if wanted != array.dtype:
            array = array.astype(wanted)
        # C order is what the format stores, whatever the in-memory layout.
        return memoryview(np.ascontiguousarray(array).reshape(-1).view("B"))

    def decode(self, data: RawBytes, spec: ChunkSpec, key: str) -> npt.NDArray[Any]:
        return self.decode_many([data], spec, [key])[0]

    def decode_many(
        self, chunks: Sequence[RawBytes], spec: ChunkSpec, keys: Sequence[str]
    ) -> list[npt.NDArray[Any]]:
        # Everything that depends only on the spec is worked out once per batch,
        # leaving a view per chunk (and a byte swap only when the order differs).
        stored = _with_endian(spec.dtype, self.endian)
        swap = stored != spec.dtype
        shape = spec.shape
        expected = prod(shape) * stored.itemsize
        frombuffer = np.frombuffer
        out: list[npt.NDArray[Any]] = []
        for data, key in zip(chunks, keys, strict=True):
            raw = data if isinstance(data, np.ndarray) else memoryview(data).cast("B")
            if raw.nbytes != expected:
                raise ChunkDecodeError(
                    f"codec 'bytes': expected {expected} bytes for shape {shape} and dtype "
                    f"{spec.dtype}, got {raw.nbytes}",
                    key,
                )
            array = frombuffer(raw, dtype=stored).reshape(shape)
            out.append(array.astype(spec.dtype) if swap else array)
        return out

    def compute_encoded_size(self, spec: ChunkSpec) -> int:
        return prod(spec.shape) * spec.dtype.itemsize

    def max_encoded_size(self, spec: ChunkSpec) -> int:
        return prod(spec.shape) * spec.dtype.itemsize
