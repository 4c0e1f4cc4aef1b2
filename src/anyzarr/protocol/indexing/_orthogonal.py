"""Planners whose selections combine axis by axis: basic, orthogonal, block."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from anyzarr.protocol._errors import ArrayIndexError, BoundsCheckError
from anyzarr.protocol.indexing._axes import (
    axis_bool_array,
    axis_int,
    axis_int_array,
    axis_slice,
)
from anyzarr.protocol.indexing._errors import UnsupportedSelectionError
from anyzarr.protocol.indexing._normalize import (
    Chunks,
    as_index_array,
    bind_grid,
    expand_ellipsis,
    is_integer,
)
from anyzarr.protocol.indexing._orthogonal_apply import to_numpy_selection
from anyzarr.protocol.indexing._plan import (
    AxisPart,
    ChunkProjection,
    IndexingPlan,
    PlanKind,
    ProductProjections,
)
from anyzarr.protocol.metadata._grid_axis import GridAxis

__all__ = ["block_slices", "plan_basic", "plan_block", "plan_orthogonal", "plan_per_axis"]


def _combine_basic(parts: tuple[AxisPart, ...]) -> ChunkProjection:
    # Runs once per chunk of a read: one transpose instead of four passes.
    if not parts:  # a 0-d array has one chunk and no axes
        return ChunkProjection((), (), (), True)
    coords, chunk_sel, out_sel, complete = zip(*parts, strict=True)
    if None in out_sel:  # integer axes drop out of the result
        out_sel = tuple(s for s in out_sel if s is not None)
    return ChunkProjection(coords, chunk_sel, out_sel, all(complete))


def _combine_orthogonal(parts: tuple[AxisPart, ...]) -> ChunkProjection:
    return ChunkProjection(
        tuple(p[0] for p in parts),
        to_numpy_selection(tuple(p[1] for p in parts)),
        to_numpy_selection(tuple(p[2] for p in parts if p[2] is not None)),
        all(p[3] for p in parts),
    )


def plan_per_axis(
    items: Sequence[Any], shape: tuple[int, ...], grid: tuple[GridAxis, ...]
) -> IndexingPlan:
    """Plan ``ndim`` normalised items (int, slice, 1-D int or bool array) over ``grid``."""
    axes: list[Sequence[AxisPart]] = []
    out_shape: list[int] = []
    has_array = False
    for axis, (item, g) in enumerate(zip(items, grid, strict=True)):
        n: int | None
        parts: Sequence[AxisPart]
        if isinstance(item, slice):
            n, parts = axis_slice(item, g, axis)
        elif is_integer(item) or (
            isinstance(item, np.ndarray) and item.ndim == 0 and item.dtype.kind in "iu"
        ):
            n, parts = axis_int(int(item), g, axis)
        elif isinstance(item, np.ndarray) and item.dtype == np.bool_:
            has_array = True
            n, parts = axis_bool_array(item, g, axis)
        elif isinstance(item, np.ndarray) and item.dtype.kind in "iu":
            has_array = True
            n, parts = axis_int_array(item, g, axis)
        else:
            raise UnsupportedSelectionError(
                f"unsupported selection item for axis {axis}: expected an integer, a slice, "
                f"or an integer or boolean array; got {type(item).__name__}"
            )
        axes.append(parts)
        if n is not None:
            out_shape.append(n)
    kind: PlanKind = "orthogonal" if has_array else "basic"
    combine = _combine_orthogonal if has_array else _combine_basic
    return IndexingPlan(tuple(out_shape), ProductProjections(axes, combine), kind, grid=tuple(grid))


def plan_basic(selection: Any, shape: tuple[int, ...], chunk_shape: Chunks) -> IndexingPlan:
    """Plan a basic selection: integers, slices with positive step, ``...``.

    Raises `BoundsCheckError` for an integer out of bounds, `ArrayIndexError`
    for too many indices, `NegativeStepError` for a negative step and
    `UnsupportedSelectionError` (an ``IndexError`` and ``TypeError``) for
    anything else.
    """
    shape, grid = bind_grid(shape, chunk_shape)
    items = expand_ellipsis(selection, len(shape))
    for axis, item in enumerate(items):
        if not (is_integer(item) or isinstance(item, slice)):
            raise UnsupportedSelectionError(
                f"unsupported selection item for basic indexing on axis {axis}: "
                f"expected an integer or a slice, got {type(item).__name__}"
            )
    return plan_per_axis(items, shape, grid)


def plan_orthogonal(selection: Any, shape: tuple[int, ...], chunk_shape: Chunks) -> IndexingPlan:
    """Plan an orthogonal selection (``oindex``): each axis is selected on its own.

    Items are integers, slices, 1-D integer arrays or lists (negative,
    unsorted and repeated values allowed) and 1-D boolean masks of the
    axis length.  Index arrays combine as an outer product; the projections
    express that in a form numpy applies directly (see `to_numpy_selection`).
    """
    shape, grid = bind_grid(shape, chunk_shape)
    items = list(expand_ellipsis(selection, len(shape)))
    for axis, item in enumerate(items):
        if is_integer(item) or isinstance(item, slice):
            continue
        arr = as_index_array(item)
        if arr is None:
            raise UnsupportedSelectionError(
                f"unsupported selection item for orthogonal indexing on axis {axis}: expected "
                f"an integer, a slice, or an integer or boolean array; got {type(item).__name__}"
            )
        if arr.ndim != 1:
            # zarr-python refuses 0-d index arrays here too, though numpy reads them as ints.
            raise ArrayIndexError(
                f"index arrays in an orthogonal selection must be 1-dimensional; "
                f"got shape {arr.shape} for axis {axis}"
            )
        items[axis] = arr
    return plan_per_axis(items, shape, grid)


def block_slices(selection: Any, shape: tuple[int, ...], blocks: Chunks) -> tuple[slice, ...]:
    """The element slices a block selection covers, with zarr-python 3.4's rules.

    ``blocks`` is the grid whose chunks are the blocks (a chunk shape or a
    grid).  Per axis an integer selects one block (negative counts from the
    end) and keeps its axis; a slice with step 1 selects a run of blocks.  As
    in zarr-python, a slice whose start is not a block of the axis (past the
    last block, or before the first after counting from the end) raises
    `BoundsCheckError`, even where the slice would be empty; its stop is
    clipped as Python clips it.
    """
    shape, grid = bind_grid(shape, blocks)
    items = expand_ellipsis(selection, len(shape))
    out: list[slice] = []
    for axis, (item, g) in enumerate(zip(items, grid, strict=True)):
        nblocks = g.nchunks
        if is_integer(item):
            b = int(item)
            if b < 0:
                b += nblocks
            if not 0 <= b < nblocks:
                raise BoundsCheckError(
                    f"block index {int(item)} is out of bounds for axis {axis} "
                    f"with {nblocks} block(s)"
                )
            out.append(slice(*g.bounds(b)))
        elif isinstance(item, slice):
            if item.step is not None and _index(item.step, axis) != 1:
                raise ArrayIndexError(
                    f"block selections support slices with step 1 only; "
                    f"got step {item.step} for axis {axis}"
                )
            start = 0 if item.start is None else _index(item.start, axis)
            if start < 0:
                start += nblocks
            if not 0 <= start < nblocks:
                raise BoundsCheckError(
                    f"block slice {item!r} starts outside axis {axis} with {nblocks} block(s)"
                )
            stop = nblocks
            if item.stop is not None:
                stop = range(nblocks)[: _index(item.stop, axis)].stop
            begin = g.offset(start)
            end = g.offset(stop) if stop < nblocks else g.extent
            out.append(slice(begin, max(begin, end)))
        else:
            raise UnsupportedSelectionError(
                f"unsupported selection item for block indexing on axis {axis}: "
                f"expected an integer or a slice, got {type(item).__name__}"
            )
    return tuple(out)


def _index(value: Any, axis: int) -> int:
    try:
        return operator.index(value)
    except TypeError as e:
        raise UnsupportedSelectionError(
            f"block slice bounds must be integers or None; got {value!r} for axis {axis}"
        ) from e


def plan_block(
    selection: Any,
    shape: tuple[int, ...],
    chunk_shape: Chunks,
    *,
    blocks: Chunks | None = None,
) -> IndexingPlan:
    """Plan a block selection (``blocks[...]``): integers and slices of block indices.

    Blocks are the chunks of ``blocks`` (default: the chunks the plan runs
    over, ``chunk_shape``); for a sharded array pass the inner chunk shape as
    ``blocks`` and the shard grid as ``chunk_shape``.  The rules are
    `block_slices`'; edge blocks are clipped to the array.
    """
    shape, grid = bind_grid(shape, chunk_shape)
    element_sel = block_slices(selection, shape, chunk_shape if blocks is None else blocks)
    return plan_per_axis(element_sel, shape, grid)
