"""Planning a selection of an array over the grid of its stored objects.

Plans are made over the grid of *stored* objects (shards when the array is
sharded, regular or rectilinear), since a stored object is the unit that is
fetched and written; block selections name inner chunks.
"""

from __future__ import annotations

from typing import Any, Literal

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

__all__ = ["SelectionKind", "plan_selection"]

#: How a selection is read: as ``array[selection]`` (``"getitem"``) or as one
#: of zarr-python's explicit selection kinds.
SelectionKind = Literal["getitem", "basic", "orthogonal", "coordinate", "mask", "block"]


def plan_selection(metadata: ArrayMetadata, kind: SelectionKind, selection: Any) -> IndexingPlan:
    """The indexing plan of ``selection`` (of ``kind``) over the array's stored objects."""
    shape = tuple(metadata.shape)
    grid = metadata.chunk_grid
    if kind == "block":
        # Blocks are (inner) chunks; the plan runs over the stored objects.
        inner = metadata.inner_chunk_shape if metadata.shards is not None else None
        return plan_block(selection, shape, grid, blocks=inner)
    if kind == "getitem":
        return plan_getitem(selection, shape, grid)
    if kind == "basic":
        return plan_basic(selection, shape, grid)
    if kind == "orthogonal":
        return plan_orthogonal(selection, shape, grid)
    if kind == "coordinate":
        return plan_coordinate(selection, shape, grid)
    return plan_mask(selection, shape, grid)
