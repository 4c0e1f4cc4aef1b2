"""Dask chunks that never split a stored object between two tasks.

Two tasks writing parts of the same stored chunk (or shard) each read it,
change their part and write it back; run in parallel, the last one to
write wins and the other's part is lost.  When every boundary between dask
chunks falls on a boundary of the stored grid, each stored object belongs
to exactly one task and the writes cannot interfere.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

__all__ = ["aligned_chunks", "is_aligned"]

Chunks = tuple[tuple[int, ...], ...]


def _axis_bounds(sizes: Sequence[int], offset: int) -> list[int]:
    """Absolute positions of the boundaries between the chunks of one axis."""
    bounds, position = [], offset
    for size in sizes[:-1]:
        position += size
        bounds.append(position)
    return bounds


def is_aligned(chunks: Chunks, grid: Sequence[int], offsets: Sequence[int]) -> bool:
    """Whether every boundary between ``chunks`` (placed at ``offsets``) is a ``grid`` boundary."""
    return all(
        bound % step == 0
        for sizes, step, offset in zip(chunks, grid, offsets, strict=True)
        for bound in _axis_bounds(sizes, offset)
    )


def aligned_chunks(chunks: Chunks, grid: Sequence[int], offsets: Sequence[int]) -> Chunks:
    """``chunks`` with each inner boundary moved to the nearest ``grid`` boundary.

    ``offsets`` is where the chunks start in the stored array (a region
    write starts inside it).  Chunks keep about their size where they are
    at least a grid step long; smaller ones merge into one step.  Chunks that
    are already aligned come back unchanged, so rechunking to the result is
    free for them.
    """
    out: list[tuple[int, ...]] = []
    for sizes, step, offset in zip(chunks, grid, offsets, strict=True):
        end = offset + sum(sizes)
        cuts: list[int] = []
        for bound in _axis_bounds(sizes, offset):
            moved = (bound + step // 2) // step * step
            if offset < moved < end and (not cuts or moved > cuts[-1]):
                cuts.append(moved)
        edges = [offset, *cuts, end]
        out.append(tuple(b - a for a, b in pairwise(edges)) or (0,))
    return tuple(out)
