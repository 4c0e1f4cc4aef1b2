"""Planning a selection of an array over the grid of its stored objects.

Plans are made over the *stored* chunk shape (the shard shape when the array
is sharded), since a stored object is the unit that is fetched and written;
block selections name inner chunks, so on a sharded array they are first
turned into element slices.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from anyzarr.protocol._errors import BoundsCheckError, UsageError
from anyzarr.protocol.indexing import (
    IndexingPlan,
    plan_basic,
    plan_block,
    plan_coordinate,
    plan_getitem,
    plan_mask,
    plan_orthogonal,
)
from anyzarr.protocol.metadata import ArrayMetadata

__all__ = ["SelectionKind", "block_to_basic", "plan_selection"]

#: How a selection is read: as ``array[selection]`` (``"getitem"``) or as one
#: of zarr-python's explicit selection kinds.
SelectionKind = Literal["getitem", "basic", "orthogonal", "coordinate", "mask", "block"]


def block_to_basic(
    selection: Any, shape: tuple[int, ...], chunks: tuple[int, ...]
) -> tuple[slice, ...]:
    """Turn a selection of blocks (chunk indices) into one of elements.

    An integer picks one whole block and keeps its axis, as zarr does.
    """
    if not isinstance(selection, tuple):
        selection = (selection,)
    if any(s is Ellipsis for s in selection):
        at = next(i for i, s in enumerate(selection) if s is Ellipsis)
        fill = (slice(None),) * (len(shape) - len(selection) + 1)
        selection = selection[:at] + fill + selection[at + 1 :]
    if len(selection) > len(shape):
        raise BoundsCheckError(
            f"too many indices for block selection: {len(selection)} given, array has {len(shape)} dimensions"
        )
    selection = selection + (slice(None),) * (len(shape) - len(selection))
    out: list[slice] = []
    for axis, (sel, n, c) in enumerate(zip(selection, shape, chunks, strict=True)):
        nblocks = -(-n // c) if c else 0
        if isinstance(sel, (int, np.integer)) and not isinstance(sel, bool):
            b = int(sel)
            if b < 0:
                b += nblocks
            if not 0 <= b < nblocks:
                raise BoundsCheckError(
                    f"block index {int(sel)} is out of bounds for axis {axis} with {nblocks} blocks"
                )
            out.append(slice(b * c, min((b + 1) * c, n)))
        elif isinstance(sel, slice):
            start, stop, step = sel.indices(nblocks)
            if step != 1:
                raise UsageError(f"block selection slices must have step 1 (axis {axis})")
            stop = max(stop, start)
            out.append(slice(min(start * c, n), min(stop * c, n)))
        else:
            raise TypeError(
                f"block selection supports integers and slices only, got {type(sel).__name__} on axis {axis}"
            )
    return tuple(out)


def plan_selection(metadata: ArrayMetadata, kind: SelectionKind, selection: Any) -> IndexingPlan:
    """The indexing plan of ``selection`` (of ``kind``) over the array's stored objects."""
    shape = tuple(metadata.shape)
    chunk_shape = tuple(metadata.chunk_shape)
    if kind == "block":
        if metadata.shards is None:
            return plan_block(selection, shape, chunk_shape)
        # Blocks are inner chunks, but plans run over shards: go via element slices.
        return plan_basic(
            block_to_basic(selection, shape, metadata.inner_chunk_shape), shape, chunk_shape
        )
    if kind == "getitem":
        return plan_getitem(selection, shape, chunk_shape)
    if kind == "basic":
        return plan_basic(selection, shape, chunk_shape)
    if kind == "orthogonal":
        return plan_orthogonal(selection, shape, chunk_shape)
    if kind == "coordinate":
        return plan_coordinate(selection, shape, chunk_shape)
    return plan_mask(selection, shape, chunk_shape)
