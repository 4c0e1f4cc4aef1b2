"""Splitting an array copy into slabs: large regions aligned to both chunk grids.

A slab is read with one engine call and written with one, so the engine
batches its chunks and the stores' own limiters bound the IO.  Slabs are
aligned to the source's chunks (each stored chunk is fetched once) and to the
target's (no target chunk is read back and rewritten).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

__all__ = ["SLAB_BYTES", "iter_slabs", "slab_shape"]

#: Target size of one slab; between 8 and 64 MiB keeps engine batches full
#: while bounding the memory a copy holds.
SLAB_BYTES = 32 * 2**20


def slab_shape(
    shape: tuple[int, ...],
    source_chunks: tuple[int, ...],
    target_chunks: tuple[int, ...],
    itemsize: int,
    slab_bytes: int = SLAB_BYTES,
) -> tuple[int, ...]:
    """The shape of one slab for an array of ``shape``.

    The unit on each axis is the least common multiple of both chunk edges
    (capped at the axis length), or the target chunk edge when that unit
    would exceed ``slab_bytes``; slabs grow from the last axis outwards, in
    whole units, up to ``slab_bytes``.  A single unit larger than the budget is
    still one slab (one target chunk or shard is the least a write can take).
    """
    budget = max(slab_bytes // max(itemsize, 1), 1)
    unit = [
        min(math.lcm(max(a, 1), max(b, 1)), max(n, 1))
        for a, b, n in zip(source_chunks, target_chunks, shape, strict=True)
    ]
    if math.prod(unit) > budget:
        # Grids that meet rarely (chunks of 1000 and 1001) would make one
        # unit huge; aligning to the target alone keeps memory bounded by a
        # target chunk, at the price of decoding some source chunks twice.
        target_unit = [min(max(b, 1), max(n, 1)) for b, n in zip(target_chunks, shape, strict=True)]
        if math.prod(target_unit) < math.prod(unit):
            unit = target_unit
    slab = list(unit)
    for axis in reversed(range(len(shape))):
        rest = math.prod(slab) // slab[axis]
        units = max(budget // (rest * unit[axis]), 1)
        slab[axis] = min(units * unit[axis], max(shape[axis], 1))
        if slab[axis] < shape[axis]:
            break
    return tuple(slab)


def iter_slabs(shape: tuple[int, ...], slab: tuple[int, ...]) -> Iterator[tuple[slice, ...]]:
    """Selections covering ``shape`` once, in C order, each at most ``slab`` big."""
    ranges = [range(0, n, s) for n, s in zip(shape, slab, strict=True)]
    for origin in itertools.product(*ranges):
        yield tuple(slice(o, min(o + s, n)) for o, s, n in zip(origin, slab, shape, strict=True))
