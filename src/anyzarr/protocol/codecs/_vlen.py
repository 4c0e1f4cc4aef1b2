"""``vlen-utf8`` and ``vlen-bytes``: variable-length strings and byte strings.

The stored layout (item count, then a length-prefixed run per item, all
little-endian ``uint32``) is the one numcodecs' VLen codecs produce, so they
do the work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
from numcodecs.abc import Codec as NumcodecsCodec
from numcodecs.vlen import VLenBytes, VLenUTF8

from anyzarr.protocol._errors import ChunkDecodeError
from anyzarr.protocol.codecs._base import (
    ArrayBytesCodec,
    ChunkSpec,
    RawBytes,
    parse_named_configuration,
)
from anyzarr.protocol.codecs._bounded import bytes_view

__all__ = ["VLenBytesCodec", "VLenUTF8Codec"]


class _VLen(ArrayBytesCodec):
    _impl: ClassVar[NumcodecsCodec]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        parse_named_configuration(data, cls.codec_name)
        return cls()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.codec_name, "configuration": {}}

    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> RawBytes:
        flat = np.ascontiguousarray(array).reshape(-1)
        if flat.dtype != object:
            flat = flat.astype(object)
        elif not flat.flags.writeable:
            # numcodecs' encoders take a writable buffer even though they only read it.
            flat = flat.copy()
        return self._impl.encode(flat)  # type: ignore[no-any-return]

    def decode(self, data: RawBytes, spec: ChunkSpec, key: str) -> npt.NDArray[Any]:
        n = 1
        for s in spec.shape:
            n *= s
        view = bytes_view(data)
        # numcodecs allocates an object array of the stated item count before
        # reading any item: check it against the shape first.
        count = int.from_bytes(view[:4], "little") if view.nbytes >= 4 else -1
        if count != n:
            raise ChunkDecodeError(
                f"codec {self.codec_name!r}: chunk states {count} items (or is too short), "
                f"its shape holds {n}",
                key,
            )
        try:
            flat = self._impl.decode(data)
        except Exception as exc:
            raise ChunkDecodeError(f"codec {self.codec_name!r}: cannot decode: {exc}", key) from exc
        if flat.size != n:
            raise ChunkDecodeError(
                f"codec {self.codec_name!r}: expected {n} items for shape {spec.shape}, "
                f"got {flat.size}",
                key,
            )
        out = flat.reshape(spec.shape)
        if spec.dtype != object:
            out = out.astype(spec.dtype)
        return out  # type: ignore[no-any-return]


@dataclass(frozen=True, eq=False)
class VLenUTF8Codec(_VLen):
    """Variable-length UTF-8 strings."""

    codec_name: ClassVar[str] = "vlen-utf8"
    _impl: ClassVar[NumcodecsCodec] = VLenUTF8()


@dataclass(frozen=True, eq=False)
class VLenBytesCodec(_VLen):
    """Variable-length byte strings."""

    codec_name: ClassVar[str] = "vlen-bytes"
    _impl: ClassVar[NumcodecsCodec] = VLenBytes()
