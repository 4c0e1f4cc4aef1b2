"""Selections to chunk plans, pure and synchronous.

A planner takes a selection, the array shape and the chunking (a regular
chunk shape, or a chunk grid from `anyzarr.protocol.metadata`, regular or
rectilinear) and returns an `IndexingPlan`: the output shape and, per chunk
touched, a `ChunkProjection` saying which part of the chunk lands where in
the output; `IndexingPlan.chunk_shape_of(coords)` gives each chunk's shape.
For every projection ``out[p.out_selection] = chunk[p.chunk_selection]``
reproduces ``array[selection]``, and ``chunk[p.chunk_selection] =
value[p.out_selection]`` applies a write.  See ``docs/indexing.md``.
"""

from __future__ import annotations

from anyzarr.protocol.indexing._coordinate import plan_coordinate, plan_mask
from anyzarr.protocol.indexing._errors import (
    ChunkShapeError,
    CoordinateBroadcastError,
    UnsupportedSelectionError,
    ZeroStepError,
)
from anyzarr.protocol.indexing._normalize import Chunks
from anyzarr.protocol.indexing._orthogonal import (
    block_slices,
    plan_basic,
    plan_block,
    plan_orthogonal,
)
from anyzarr.protocol.indexing._orthogonal_apply import (
    apply_orthogonal,
    assign_orthogonal,
    to_numpy_selection,
)
from anyzarr.protocol.indexing._plan import ChunkProjection, IndexingPlan, PlanKind
from anyzarr.protocol.indexing._route import plan_getitem, plan_normalized, pop_fields
from anyzarr.protocol.indexing._selections import (
    BasicSelection,
    BasicSelector,
    BlockSelection,
    CoordinateSelection,
    MaskSelection,
    NDArrayLikeOrScalar,
    OrthogonalSelection,
    OutBuffer,
    Selection,
    SelectionWithFields,
    Selector,
)

__all__ = [
    "BasicSelection",
    "BasicSelector",
    "BlockSelection",
    "CoordinateSelection",
    "MaskSelection",
    "NDArrayLikeOrScalar",
    "OrthogonalSelection",
    "OutBuffer",
    "Selection",
    "SelectionWithFields",
    "Selector",
    "ChunkProjection",
    "ChunkShapeError",
    "Chunks",
    "CoordinateBroadcastError",
    "IndexingPlan",
    "PlanKind",
    "UnsupportedSelectionError",
    "ZeroStepError",
    "apply_orthogonal",
    "assign_orthogonal",
    "block_slices",
    "plan_basic",
    "plan_block",
    "plan_coordinate",
    "plan_getitem",
    "plan_mask",
    "plan_normalized",
    "plan_orthogonal",
    "pop_fields",
    "to_numpy_selection",
]
