"""Decoding some blocks of a blosc frame: a few elements of a large chunk.

A blosc frame (c-blosc 1.x's format, header version 2) compresses its data in independent blocks
of ``blocksize`` bytes (the last one shorter); after the 16-byte header, a
table gives where each block starts.  A block is one stream, or one stream
per byte of the item (``typesize`` "splits") unless the header's
"don't split" flag is set (the last, short block is never split); a stream
whose compressed size equals its decoded size is stored as is.  With byte
shuffle, a block holds byte 0 of every item, then byte 1, and so on (the
bytes after the last whole item stay where they are).

Reading one element of a 1 MiB chunk then decodes one block instead of the
whole frame.  Frames this module does not decode block by block (bit
shuffle, the blosclz and snappy compressors, which have no Python decoder
here) give None from `BloscFrame.parse`, and the caller decodes them whole.

Every stream is decoded into exactly its own size: a stream that decodes to
more or less than its place in the block is a `ChunkDecodeError` naming the
key, and nothing is allocated beyond the block.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import ChunkDecodeError
from anyzarr.protocol.codecs._base import RawBytes
from anyzarr.protocol.codecs._bounded import (
    blosc_check,
    bytes_view,
    zlib_decompress,
    zstd_decompress,
)

__all__ = ["BloscFrame", "touched_blocks"]

_HEADER = struct.Struct("<BBBBiii")
_HEADER_SIZE = 16
_INT32 = struct.Struct("<i")
_LE32 = struct.Struct("<I")

#: The frame format this module knows: c-blosc 1.x's (what numcodecs writes).
_FORMAT_VERSION = 2
_DOSHUFFLE = 0x1
_MEMCPYED = 0x2
_DOBITSHUFFLE = 0x4
_DONT_SPLIT = 0x10

_LZ4 = 1
_ZLIB = 3
_ZSTD = 4
_DECODABLE = (_LZ4, _ZLIB, _ZSTD)


def _lz4(source: memoryview, size: int, key: str, into: npt.NDArray[np.uint8]) -> None:
    from numcodecs import lz4

    # numcodecs' LZ4 frames are the raw block after its little-endian size;
    # it raises unless the block decodes to exactly that size.
    lz4.decompress(_LE32.pack(size) + source.tobytes(), dest=into)


def _zlib(source: memoryview, size: int, key: str, into: npt.NDArray[np.uint8]) -> None:
    _place(zlib_decompress(source, size, key), size, into)


def _zstd(source: memoryview, size: int, key: str, into: npt.NDArray[np.uint8]) -> None:
    _place(zstd_decompress(source, size, key), size, into)


def _place(decoded: RawBytes, size: int, into: npt.NDArray[np.uint8]) -> None:
    got = memoryview(decoded).nbytes
    if got != size:
        raise ValueError(f"decodes to {got} bytes, not {size}")
    into[:] = np.frombuffer(decoded, np.uint8)


@functools.cache
def _unshuffle(typesize: int) -> Any:
    from numcodecs import Shuffle

    return Shuffle(elementsize=typesize)


_DECOMPRESS = {_LZ4: _lz4, _ZLIB: _zlib, _ZSTD: _zstd}
_NAMES = {_LZ4: "lz4", _ZLIB: "zlib", _ZSTD: "zstd"}


@dataclass(frozen=True)
class BloscFrame:
    """The layout of one blosc frame, for decoding some of its blocks."""

    data: memoryview
    key: str
    nbytes: int
    blocksize: int
    typesize: int
    flags: int
    starts: tuple[int, ...]

    @classmethod
    def parse(cls, data: RawBytes, max_nbytes: int, key: str) -> BloscFrame | None:
        """The frame's layout; None when it is not decodable block by block here.

        Raises `ChunkDecodeError` (naming ``key``) for a frame whose header
        or block table does not fit its bytes, or that decodes to more than
        ``max_nbytes``.
        """
        view = bytes_view(data)
        blosc_check(view, max_nbytes, key)
        version, _, flags, typesize, nbytes, blocksize, cbytes = _HEADER.unpack_from(view)
        if version != _FORMAT_VERSION:
            return None  # another layout (c-blosc2 writes version 3 and up)
        if flags & _MEMCPYED or flags & _DOBITSHUFFLE or (flags >> 5) not in _DECODABLE:
            return None
        if nbytes == 0 or typesize == 0:
            return None
        nblocks = -(-nbytes // blocksize)
        table_end = _HEADER_SIZE + 4 * nblocks
        starts = struct.unpack_from(f"<{nblocks}i", view, _HEADER_SIZE)
        if any(not table_end <= s < cbytes for s in starts):
            raise ChunkDecodeError("codec 'blosc': a block starts outside the frame", key)
        return cls(view, key, nbytes, blocksize, typesize, flags, starts)

    @property
    def nblocks(self) -> int:
        return len(self.starts)

    def decode_blocks(self, blocks: Sequence[int], out: npt.NDArray[np.uint8]) -> None:
        """Decode ``blocks`` (indexes) into their places in ``out`` (``nbytes`` long).

        The rest of ``out`` is left as it was.
        """
        if out.nbytes != self.nbytes:
            raise ValueError(f"out holds {out.nbytes} bytes, the frame {self.nbytes}")
        for block in blocks:
            self._decode_block(block, out)

    def _decode_block(self, block: int, out: npt.NDArray[np.uint8]) -> None:
        data, key = self.data, self.key
        begin = block * self.blocksize
        size = min(self.blocksize, self.nbytes - begin)
        leftover = size < self.blocksize
        typesize = self.typesize
        shuffled = bool(self.flags & _DOSHUFFLE) and typesize > 1
        splits = typesize if not (self.flags & _DONT_SPLIT) and not leftover else 1
        if size % splits:
            raise ChunkDecodeError("codec 'blosc': block size is not a multiple of its splits", key)
        part = size // splits
        compressor = self.flags >> 5
        decompress = _DECOMPRESS[compressor]
        target = np.empty(size, np.uint8) if shuffled else out[begin : begin + size]
        pos = self.starts[block]
        end = data.nbytes
        for j in range(splits):
            if pos + 4 > end:
                raise ChunkDecodeError("codec 'blosc': block runs past the frame", key)
            (csize,) = _INT32.unpack_from(data, pos)
            pos += 4
            if csize <= 0 or pos + csize > end:
                raise ChunkDecodeError("codec 'blosc': block runs past the frame", key)
            source = data[pos : pos + csize]
            pos += csize
            into = target[j * part : (j + 1) * part]
            if csize == part:
                into[:] = np.frombuffer(source, np.uint8)
                continue
            try:
                decompress(source, part, key, into)
            except ChunkDecodeError:
                raise
            except Exception as exc:
                raise ChunkDecodeError(
                    f"codec 'blosc': cannot decode block {block} ({_NAMES[compressor]}): {exc}",
                    key,
                ) from exc
        if shuffled:
            items = size // typesize
            whole = items * typesize
            dest = out[begin : begin + size]
            # numcodecs' Shuffle has blosc's byte layout for whole items, and
            # is about 3x faster than a numpy transpose.
            _unshuffle(typesize).decode(target[:whole], dest[:whole])
            dest[whole:] = target[whole:]


def touched_blocks(
    selection: tuple[Any, ...],
    shape: tuple[int, ...],
    itemsize: int,
    blocksize: int,
    max_elements: int,
) -> list[int] | None:
    """The blocks of ``blocksize`` bytes that ``chunk[selection]`` reads, in order.

    ``selection`` is what numpy indexing takes (ints, slices, integer
    arrays broadcast together); None when it selects more than
    ``max_elements`` elements or holds anything else (booleans, ellipsis).
    """
    if len(selection) != len(shape):
        return None
    strides = [itemsize] * len(shape)
    for axis in range(len(shape) - 2, -1, -1):
        strides[axis] = strides[axis + 1] * shape[axis + 1]
    paired: Any = 0  # byte offsets of the integer and array indexes, broadcast together
    spans: list[npt.NDArray[np.int64]] = []
    count = 1
    for item, n, stride in zip(selection, shape, strides, strict=True):
        if isinstance(item, slice):
            offsets = np.arange(*item.indices(n), dtype=np.int64) * stride
            spans.append(offsets)
            count *= offsets.size
        elif isinstance(item, int | np.integer) and not isinstance(item, bool | np.bool_):
            paired = paired + int(item) * stride
        elif isinstance(item, np.ndarray) and item.dtype.kind in "iu":
            paired = paired + item.astype(np.int64) * stride
        else:
            return None
        if count > max_elements:
            return None
    offsets = np.asarray(paired, dtype=np.int64).reshape(-1)
    if offsets.size * count > max_elements:
        return None
    for span in spans:
        offsets = np.add.outer(offsets, span).reshape(-1)
    first = offsets // blocksize
    last = (offsets + (itemsize - 1)) // blocksize
    return [int(b) for b in np.union1d(first, last)]
