"""Decompressing a chunk straight into caller-provided memory.

When a chain is only ``bytes`` (native byte order) followed by one blosc or
zstd compressor, the decompressed bytes *are* the chunk in C order.  The
engine can then hand the compressor a buffer it already owns (a reused
scratch area, or the output array itself when the chunk lands there
contiguously) instead of letting every chunk allocate a fresh one.

Both formats state the decompressed size in their header; a chunk whose
header disagrees with the expected size, or that fails to decode this way,
is reported as not handled so that the caller falls back to the general
decode, which raises the precise error.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Any

import numpy as np
import numpy.typing as npt

from anyzarr.protocol.codecs._base import ChunkSpec, RawBytes
from anyzarr.protocol.codecs._bytes import BytesCodec, _with_endian
from anyzarr.protocol.codecs._chain import CodecChain
from anyzarr.protocol.codecs._compressors import BloscCodec, ZstdCodec
from anyzarr.protocol.codecs._plans import to_raw

__all__ = ["DirectDecoder", "direct_decoder", "stated_size"]

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_DID_SIZES = (0, 1, 2, 4)
_FCS_SIZES = (0, 2, 4, 8)


def _zstd_content_size(data: memoryview) -> int | None:
    """The frame content size of a zstd frame header, or None when absent."""
    if data.nbytes < 6 or data[:4] != _ZSTD_MAGIC:
        return None
    descriptor = data[4]
    single_segment = bool(descriptor & 0x20)
    pos = 5 + (0 if single_segment else 1) + _DID_SIZES[descriptor & 0x03]
    flag = descriptor >> 6
    size = _FCS_SIZES[flag] or (1 if single_segment else 0)
    if size == 0 or data.nbytes < pos + size:
        return None
    value = int.from_bytes(data[pos : pos + size], "little")
    return value + 256 if size == 2 else value


def _blosc_size(data: memoryview) -> int | None:
    """The uncompressed size a blosc (v1) header states."""
    if data.nbytes < 16:
        return None
    return int.from_bytes(data[4:8], "little")


def stated_size(codec: Any, data: RawBytes) -> int | None:
    """Decompressed size that ``data``'s header states for ``codec`` (None: unknown)."""
    view = memoryview(data).cast("B") if not isinstance(data, memoryview) else data
    if view.ndim != 1 or view.format != "B":
        view = view.cast("B")
    if isinstance(codec, ZstdCodec):
        return _zstd_content_size(view)
    if isinstance(codec, BloscCodec):
        return _blosc_size(view)
    return None


@dataclass(frozen=True, eq=False)
class DirectDecoder:
    """Decompresses chunks of one spec into given byte buffers."""

    compressor: BloscCodec | ZstdCodec
    spec: ChunkSpec
    nbytes: int

    def decode_into(self, data: Any, target: npt.NDArray[np.uint8]) -> bool:
        """Fill ``target`` (1-D, contiguous, ``nbytes`` long) from ``data``.

        Returns False, with ``target`` in an unspecified state, when the
        chunk cannot be decoded this way; the caller then decodes it the
        general way (which reports corrupt data properly).
        """
        data = to_raw(data)  # stores may hand over Buffers
        if target.nbytes != self.nbytes or stated_size(self.compressor, data) != self.nbytes:
            return False
        try:
            self.compressor._impl.decode(data, out=target)
        except Exception:  # any failure: let the general path explain it
            return False
        return True

    def decode(self, data: Any) -> npt.NDArray[Any] | None:
        """``data`` decompressed into a new chunk, or None when it cannot be done here.

        For small chunks, where a fresh buffer costs nothing worth saving:
        one decompress call and a view, without the batch machinery.
        """
        decompress = self.compressor._decompress
        if decompress is None:
            return None
        try:
            raw = decompress(to_raw(data))
        except Exception:  # the general path reports it properly
            return None
        if len(raw) != self.nbytes:
            return None
        return np.frombuffer(raw, dtype=self.spec.dtype).reshape(self.spec.shape)

    def as_chunk(self, target: npt.NDArray[np.uint8]) -> npt.NDArray[Any]:
        """``target`` viewed as the decoded chunk (shape and dtype of the spec)."""
        return target.view(self.spec.dtype).reshape(self.spec.shape)


def direct_decoder(chain: Any, spec: ChunkSpec) -> DirectDecoder | None:
    """A decoder for ``chain`` chunks of ``spec``, or None when the chain needs more.

    Applies to ``bytes`` in native order plus one blosc or zstd compressor,
    for fixed-size dtypes.
    """
    if not isinstance(chain, CodecChain) or chain.array_array:
        return None
    codec = chain.array_bytes
    if type(codec) is not BytesCodec or spec.dtype.kind in "OTV" or spec.dtype.itemsize == 0:
        return None
    if _with_endian(spec.dtype, codec.endian) != spec.dtype or not spec.dtype.isnative:
        return None
    if len(chain.bytes_bytes) != 1:
        return None
    compressor = chain.bytes_bytes[0]
    if type(compressor) not in (BloscCodec, ZstdCodec):
        return None
    return DirectDecoder(compressor, spec, prod(spec.shape) * spec.dtype.itemsize)  # type: ignore[arg-type]
