"""The ``crc32c`` codec: appends a CRC-32C checksum and verifies it on decode."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import google_crc32c
import numpy as np

from anyzarr.protocol._errors import ChecksumError
from anyzarr.protocol.codecs._base import (
    BytesBytesCodec,
    ChunkSpec,
    RawBytes,
    parse_named_configuration,
)

__all__ = ["Crc32cCodec", "crc32c"]


def crc32c(data: RawBytes) -> int:
    """The CRC-32C (Castagnoli) checksum of ``data``, without copying it.

    google-crc32c reads only objects whose buffer needs no release (it parses
    ``y#``), which rules out memoryviews; a numpy view over the same memory
    passes.
    """
    return int(google_crc32c.value(np.frombuffer(data, dtype=np.uint8)))


@dataclass(frozen=True, eq=False)
class Crc32cCodec(BytesBytesCodec):
    """Four little-endian checksum bytes after the data."""

    codec_name: ClassVar[str] = "crc32c"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        parse_named_configuration(data, cls.codec_name)
        return cls()

    def to_dict(self) -> dict[str, Any]:
        return {"name": "crc32c"}

    def encode(self, data: RawBytes, spec: ChunkSpec) -> RawBytes:
        view = memoryview(data).cast("B")
        out = bytearray(view.nbytes + 4)
        out[:-4] = view
        out[-4:] = int(crc32c(view)).to_bytes(4, "little")
        return out

    def decode(self, data: RawBytes, spec: ChunkSpec, key: str) -> RawBytes:
        view = memoryview(data).cast("B")
        if view.nbytes < 4:
            raise ChecksumError(
                f"codec 'crc32c': {view.nbytes} bytes is too short to hold a checksum", key
            )
        body = view[:-4]
        stored = int(np.frombuffer(view[-4:], dtype="<u4")[0])
        actual = int(crc32c(body))
        if stored != actual:
            raise ChecksumError(
                f"codec 'crc32c': checksum mismatch (stored {stored:#010x}, computed {actual:#010x})",
                key,
            )
        return body

    def compute_encoded_size(self, size: int) -> int:
        return size + 4
