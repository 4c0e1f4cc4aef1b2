"""The grid of an array's stored objects: walking a region of it, pruning it on resize."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from anyzarr.io._tasks import task_group

if TYPE_CHECKING:
    from anyzarr.api._array import AsyncArray
    from anyzarr.protocol.metadata import ArrayV2Metadata, ArrayV3Metadata

__all__ = ["delete_outside", "iter_grid"]


def iter_grid(
    grid: tuple[int, ...],
    origin: Sequence[int] | None,
    selection_shape: Sequence[int] | None,
) -> Iterator[tuple[int, ...]]:
    """Coordinates of a region (all of it by default) of a grid of ``grid`` cells, in C order."""
    start = tuple(origin) if origin is not None else (0,) * len(grid)
    extent = (
        tuple(selection_shape)
        if selection_shape is not None
        else tuple(g - s for g, s in zip(grid, start, strict=True))
    )
    ranges = [range(s, min(s + e, g)) for s, e, g in zip(start, extent, grid, strict=True)]
    for idx in np.ndindex(*(len(r) for r in ranges)):
        yield tuple(r[i] for r, i in zip(ranges, idx, strict=True))


async def delete_outside[M: ArrayV2Metadata | ArrayV3Metadata](
    array: AsyncArray[M], shape: tuple[int, ...]
) -> None:
    """Delete the stored objects of ``array`` that lie wholly outside ``shape``.

    Only stored objects are looked at (the store is listed), so shrinking a
    huge sparse array costs O(objects stored), not O(grid).
    """
    meta = array.metadata
    axes = meta.chunk_grid.axes(tuple(meta.shape))
    prefix = f"{array.path}/" if array.path else ""
    doomed = [
        prefix + meta.encode_chunk_key(coords)
        for coords in await array._stored_coords()
        if any(a.offset(c) >= n for a, c, n in zip(axes, coords, shape, strict=True))
    ]
    async with task_group() as tg:
        for key in doomed:
            tg.start_soon(array.store.delete, key)
