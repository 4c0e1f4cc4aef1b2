"""Synchronous helpers of the engine that run inside worker threads.

Everything here is plain numpy work on decoded chunks: applying a chunk
selection, building the new content of a chunk for a write, and deciding
whether a chunk holds nothing but the fill value.  Keeping it apart from the
async code makes the thread boundary obvious: these functions never touch a
store or the event loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "batch_sizes",
    "covers_whole_chunk",
    "fresh_chunk",
    "is_all_fill",
    "inner_chunks_touched",
    "writable",
]

#: Decoded bytes handed to one worker-thread hop.  Big enough that the hop
#: costs little next to the codec work, small enough that both cores get work
#: and results stream into the output while later chunks are still in flight.
DEFAULT_BATCH_BYTES = 8 * 1024 * 1024
#: Upper bound on chunks per hop, so tiny chunks still pipeline.
MAX_BATCH_CHUNKS = 512


def batch_sizes(
    n_items: int, item_bytes: int, batch_bytes: int = DEFAULT_BATCH_BYTES
) -> list[range]:
    """Split ``n_items`` items of about ``item_bytes`` each into consecutive batches.

    At least two batches are made when there are at least two items, so two
    worker threads can decode at the same time.
    """
    if n_items <= 0:
        return []
    per = max(1, batch_bytes // max(1, item_bytes))
    per = min(per, MAX_BATCH_CHUNKS, max(1, math.ceil(n_items / 2)))
    return [range(i, min(i + per, n_items)) for i in range(0, n_items, per)]


def chunk_nbytes(shape: Sequence[int], dtype: np.dtype[Any]) -> int:
    """Decoded size of one chunk; variable-size items count as a pointer each."""
    return math.prod(shape) * max(1, dtype.itemsize)


def fresh_chunk(shape: tuple[int, ...], dtype: np.dtype[Any], fill_value: Any) -> npt.NDArray[Any]:
    """A new chunk holding only the fill value."""
    chunk = np.empty(shape, dtype=dtype)
    if fill_value is None:
        chunk[...] = np.zeros((), dtype=dtype) if dtype.kind != "O" else 0
    else:
        chunk[...] = fill_value
    return chunk


def writable(chunk: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``chunk`` itself if it may be modified in place, else a copy.

    Decoded chunks are often read-only views of the fetched bytes.
    """
    if chunk.flags.writeable and chunk.base is None:
        return chunk
    return np.array(chunk, copy=True)


def covers_whole_chunk(chunk_selection: Any, chunk_shape: tuple[int, ...]) -> bool:
    """True when ``chunk_selection`` is the identity selection of the chunk.

    Then the value to write *is* the new chunk and needs no fill-value canvas.
    """
    if not isinstance(chunk_selection, tuple) or len(chunk_selection) != len(chunk_shape):
        return False
    for sel, size in zip(chunk_selection, chunk_shape, strict=True):
        if not isinstance(sel, slice) or sel.indices(size) != (0, size, 1):
            return False
        start = 0 if sel.start is None else sel.start
        stop = size if sel.stop is None else sel.stop
        if start != 0 or stop < size:
            return False
    return True


def is_all_fill(chunk: npt.NDArray[Any], fill_value: Any) -> bool:
    """Whether every element of ``chunk`` equals the fill value (NaN equals NaN)."""
    if fill_value is None:
        if chunk.dtype.kind == "O":
            return False
        fill_value = np.zeros((), dtype=chunk.dtype)
    if chunk.dtype.kind == "O":
        return all(item == fill_value for item in chunk.ravel().tolist())
    try:
        fill = np.asarray(fill_value, dtype=chunk.dtype)
    except (TypeError, ValueError):
        return False
    if chunk.dtype.kind in "fc":
        return bool(np.array_equal(chunk, np.broadcast_to(fill, chunk.shape), equal_nan=True))
    if chunk.dtype.kind in "mM" and np.isnat(fill):
        return bool(np.all(np.isnat(chunk)))
    return bool(np.all(chunk == fill))


def inner_chunks_touched(
    selection: Sequence[Any], shard_shape: Sequence[int], inner_shape: Sequence[int]
) -> int:
    """How many inner chunks of a shard a per-axis selection reaches.

    ``selection`` holds one slice, integer or 1-D integer array per axis (the
    form sharded read plans take).  The count bounds the decode work of a
    partial shard read, which the output size does not: a thin strided
    selection can touch every inner chunk and keep one element of each.
    """
    count = 1
    for sel, length, size in zip(selection, shard_shape, inner_shape, strict=True):
        if isinstance(sel, slice):
            points = range(*sel.indices(length))
            if not points:
                return 0
            first, last = points[0], points[-1]
            count *= len(points) if points.step >= size else last // size - first // size + 1
        elif not isinstance(sel, (int, np.integer)):
            indices = np.asarray(sel)
            count *= int(np.unique(indices // size).size)
    return count
