"""Reused zstd contexts (python-zstandard, the ``zstd`` extra), for both directions.

numcodecs' zstd builds and frees a context for every frame.  Decoding a
4 KiB chunk that way costs as much again as the decoding itself (15% of a
64 KiB one), and encoding one costs a third more (31 against 23 µs at
level 3).  Frames whose header states their size are therefore decoded
with contexts kept here, and sources of at most `POOLED_MAX_BYTES` encoded
with them.  Larger sources keep numcodecs: there the setup is a small
share, and python-zstandard's bundled zstd (1.5.7, where numcodecs bundles
1.5.6) encodes them more slowly at level 3 (the same at 64 KiB in one
thread, 5% slower in a sharded write's threads, 3-7% beyond).

A context serves one call at a time: each call takes one (or makes one) and
puts it back, and deque's pop and append are atomic, so threads share a
pool without a lock.  A pool holds at most as many contexts as calls ever
ran at once.  Without python-zstandard every function returns None and
the caller uses numcodecs; the decoded bytes never depend on which one ran.
"""

from __future__ import annotations

import functools
import importlib
from collections import deque
from types import ModuleType
from typing import Any

from anyzarr.protocol.codecs._base import RawBytes

__all__ = ["POOLED_LEVELS", "POOLED_MAX_BYTES", "zstd_compress_pooled", "zstd_decompress_pooled"]

#: The largest source `zstd_compress_pooled` encodes (see above).
POOLED_MAX_BYTES = 16 * 1024

#: Compression levels encoded with kept contexts.  Above these, compressing
#: is slow enough that a context per frame costs little, and a kept context
#: holds larger tables; those levels (and any python-zstandard would refuse)
#: keep numcodecs' per-frame contexts.
POOLED_LEVELS = range(-7, 10)


@functools.cache
def _zstandard() -> ModuleType | None:
    """python-zstandard (the ``zstd`` extra), or None when it is not installed."""
    try:
        return importlib.import_module("zstandard")
    except ImportError:
        return None


_DECOMPRESSORS: deque[Any] = deque()
_COMPRESSORS: dict[tuple[int, bool], deque[Any]] = {}


def zstd_decompress_pooled(source: RawBytes) -> bytes | None:
    """One zstd frame decoded with a kept context; None without python-zstandard.

    Raises (any exception) for data after the frame, which numcodecs would
    decode as a further frame: the caller then decodes with numcodecs, so
    the result never depends on whether the extra is installed.  Call it
    only for frames whose stated size was checked: python-zstandard
    allocates that size.
    """
    zstandard = _zstandard()
    if zstandard is None:
        return None
    try:
        context = _DECOMPRESSORS.pop()
    except IndexError:
        context = zstandard.ZstdDecompressor()
    try:
        return context.decompress(source, allow_extra_data=False)  # type: ignore[no-any-return]
    finally:
        _DECOMPRESSORS.append(context)


def zstd_compress_pooled(source: RawBytes, level: int, checksum: bool) -> bytes | None:
    """One zstd frame (stating its content size) made with a kept context.

    None without python-zstandard, for a level outside `POOLED_LEVELS`, a
    source above `POOLED_MAX_BYTES` or one python-zstandard cannot read (not
    contiguous): the caller then compresses with numcodecs.
    """
    zstandard = _zstandard()
    if zstandard is None or level not in POOLED_LEVELS:
        return None
    try:
        if memoryview(source).nbytes > POOLED_MAX_BYTES:
            return None
    except (TypeError, ValueError):  # not a plain buffer (datetimes): numcodecs copes
        return None
    pool = _COMPRESSORS.get((level, checksum))
    if pool is None:
        pool = _COMPRESSORS.setdefault((level, checksum), deque())
    try:
        context = pool.pop()
    except IndexError:
        context = zstandard.ZstdCompressor(level=level, write_checksum=checksum)
    try:
        return context.compress(source)  # type: ignore[no-any-return]
    except (BufferError, TypeError, ValueError):
        return None
    finally:
        pool.append(context)
