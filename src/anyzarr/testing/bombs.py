"""Decompression bombs: small inputs that decode to a great many bytes.

For testing that a reader stops at the size it expects (anyzarr's codecs do;
see ``docs/reliability.md``).  Each builder streams its output, so building
a bomb that expands to gigabytes costs only the compressed size, except
``blosc_bomb``, which compresses a real buffer of ``nbytes`` zeros (blosc
cannot be built in pieces; keep its ``nbytes`` modest).

    >>> from anyzarr.testing.bombs import gzip_bomb
    >>> len(gzip_bomb(1 << 20)) < 2048
    True
"""

from __future__ import annotations

import zlib

import numpy as np
from numcodecs import blosc

__all__ = ["blosc_bomb", "gzip_bomb", "zstd_bomb"]

_PIECE = 1 << 20
_ZSTD_BLOCK = 128 * 1024


def gzip_bomb(nbytes: int) -> bytes:
    """A gzip member that decompresses to ``nbytes`` zero bytes (about 1000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(min(nbytes, _PIECE))
    parts = []
    left = nbytes
    while left:
        step = min(left, len(zeros))
        parts.append(compressor.compress(zeros[:step] if step < len(zeros) else zeros))
        left -= step
    parts.append(compressor.flush())
    return b"".join(parts)


def zstd_bomb(nbytes: int, *, content_size: bool = False) -> bytes:
    """A zstd frame of RLE blocks that decompresses to ``nbytes`` zero bytes.

    Each 128 KiB block takes four bytes (about 32000:1).  Without
    ``content_size`` the frame header does not state the decoded size, so
    a decoder cannot check it before it starts.
    """
    if content_size:
        header = b"\x28\xb5\x2f\xfd" + bytes([0xE0]) + nbytes.to_bytes(8, "little")
    else:
        # No content size, not single-segment: a window of 128 KiB (exponent 7).
        header = b"\x28\xb5\x2f\xfd" + bytes([0x00, 7 << 3])
    blocks = bytearray()
    left = nbytes
    while True:
        size = min(left, _ZSTD_BLOCK)
        left -= size
        last = 1 if left == 0 else 0
        blocks += (last | (1 << 1) | (size << 3)).to_bytes(3, "little") + b"\x00"
        if last:
            break
    return header + bytes(blocks)


def blosc_bomb(nbytes: int, cname: str = "zstd") -> bytes:
    """A blosc buffer holding ``nbytes`` zero bytes, compressed as far as blosc goes."""
    zeros = np.zeros(nbytes, dtype=np.uint8)
    return bytes(blosc.compress(zeros, cname.encode(), 9, blosc.NOSHUFFLE))
