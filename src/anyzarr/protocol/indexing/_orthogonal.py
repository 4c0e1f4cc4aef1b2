"""Planners whose selections combine axis by axis: basic, orthogonal, block."""

from __future__ import annotations

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
    as_index_array,
    check_chunk_shape,
    expand_ellipsis,
    is_integer,
)
from anyzarr.protocol.indexing._orthogonal_apply import to_numpy_selection
from anyzarr.protocol.indexing._plan import (
    AxisPart,
    ChunkProjection,
    IndexingPlan,
    ProductProjections,
)

__all__ = ["plan_basic", "plan_block", "plan_orthogonal", "plan_per_axis"]


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
    items: Sequence[Any], shape: tuple[int, ...], chunk_shape: tuple[int, ...]
) -> IndexingPlan:
    """Plan ``ndim`` normalised items (int, slice, 1-D int or bool array)."""
    axes: list[list[AxisPart]] = []
    out_shape: list[int] = []
    has_array = False
    for axis, (item, dim_len, chunk_len) in enumerate(zip(items, shape, chunk_shape, strict=True)):
        n: int | None
        if isinstance(item, slice):
            n, parts = axis_slice(item, dim_len, chunk_len, axis)
        elif is_integer(item) or (
            isinstance(item, np.ndarray) and item.ndim == 0 and item.dtype.kind in "iu"
        ):
            n, parts = axis_int(int(item), dim_len, chunk_len, axis)
        elif isinstance(item, np.ndarray) and item.dtype == np.bool_:
            has_array = True
            n, parts = axis_bool_array(item, dim_len, chunk_len, axis)
        elif isinstance(item, np.ndarray) and item.dtype.kind in "iu":
            has_array = True
            n, parts = axis_int_array(item, dim_len, chunk_len, axis)
        else:
            raise UnsupportedSelectionError(
                f"unsupported selection item for axis {axis}: expected an integer, a slice, "
                f"or an integer or boolean array; got {type(item).__name__}"
            )
        axes.append(parts)
        if n is not None:
            out_shape.append(n)
    if not has_array:
        return IndexingPlan(tuple(out_shape), ProductProjections(axes, _combine_basic), "basic")
    return IndexingPlan(
        tuple(out_shape), ProductProjections(axes, _combine_orthogonal), "orthogonal"
    )


def plan_basic(
    selection: Any, shape: tuple[int, ...], chunk_shape: tuple[int, ...]
) -> IndexingPlan:
    """Plan a basic selection: integers, slices with positive step, ``...``.

    Raises `BoundsCheckError` for an integer out of bounds, `ArrayIndexError`
    for too many indices, `NegativeStepError` for a negative step and
    `UnsupportedSelectionError` (an ``IndexError`` and ``TypeError``) for
    anything else.
    """
    shape, chunk_shape = tuple(shape), tuple(chunk_shape)
    check_chunk_shape(shape, chunk_shape)
    items = expand_ellipsis(selection, len(shape))
    for axis, item in enumerate(items):
        if not (is_integer(item) or isinstance(item, slice)):
            raise UnsupportedSelectionError(
                f"unsupported selection item for basic indexing on axis {axis}: "
                f"expected an integer or a slice, got {type(item).__name__}"
            )
    return plan_per_axis(items, shape, chunk_shape)


def plan_orthogonal(
    selection: Any, shape: tuple[int, ...], chunk_shape: tuple[int, ...]
) -> IndexingPlan:
    """Plan an orthogonal selection (``oindex``): each axis is selected on its own.

    Items are integers, slices, 1-D integer arrays or lists (negative,
    unsorted and repeated values allowed) and 1-D boolean masks of the
    axis length.  Index arrays combine as an outer product; the projections
    express that in a form numpy applies directly (see `to_numpy_selection`).
    """
    shape, chunk_shape = tuple(shape), tuple(chunk_shape)
    check_chunk_shape(shape, chunk_shape)
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
        items[axis] = arr
    return plan_per_axis(items, shape, chunk_shape)


def plan_block(
    selection: Any, shape: tuple[int, ...], chunk_shape: tuple[int, ...]
) -> IndexingPlan:
    """Plan a block selection (``blocks[...]``): integers and slices of chunk indices.

    An integer selects one whole chunk and keeps its axis; a slice (step 1)
    selects a run of chunks.  Edge chunks are clipped to the array.
    """
    shape, chunk_shape = tuple(shape), tuple(chunk_shape)
    check_chunk_shape(shape, chunk_shape)
    items = expand_ellipsis(selection, len(shape))
    element_sel: list[slice] = []
    for axis, (item, dim_len, chunk_len) in enumerate(zip(items, shape, chunk_shape, strict=True)):
        nblocks = -(-dim_len // chunk_len)
        if is_integer(item):
            b = int(item)
            if b < 0:
                b += nblocks
            if not 0 <= b < nblocks:
                raise BoundsCheckError(
                    f"block index {int(item)} is out of bounds for axis {axis} "
                    f"with {nblocks} chunk(s)"
                )
            element_sel.append(slice(b * chunk_len, min((b + 1) * chunk_len, dim_len)))
        elif isinstance(item, slice):
            if item.step is not None and int(item.step) != 1:
                raise ArrayIndexError(
                    f"block selections support slices with step 1 only; "
                    f"got step {item.step} for axis {axis}"
                )
            start, stop, _ = item.indices(nblocks)
            stop = max(start, stop)
            element_sel.append(
                slice(min(start * chunk_len, dim_len), min(stop * chunk_len, dim_len))
            )
        else:
            raise UnsupportedSelectionError(
                f"unsupported selection item for block indexing on axis {axis}: "
                f"expected an integer or a slice, got {type(item).__name__}"
            )
    return plan_per_axis(element_sel, shape, chunk_shape)
