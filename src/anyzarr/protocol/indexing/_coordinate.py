"""Planners whose index arrays pair up point by point: coordinate and mask.

Points are grouped by chunk with one stable lexsort (chunk, then position in
the chunk), so the Python work is one step per chunk touched, and repeated
points keep their order: a write's last value wins, as in numpy.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from anyzarr.protocol._errors import VindexInvalidSelectionError
from anyzarr.protocol.indexing._errors import CoordinateBroadcastError
from anyzarr.protocol.indexing._normalize import (
    Chunks,
    as_index_array,
    bind_grid,
    check_int_array,
    is_integer,
)
from anyzarr.protocol.indexing._orthogonal import plan_per_axis
from anyzarr.protocol.indexing._plan import ChunkProjection, IndexingPlan, RunProjections
from anyzarr.protocol.metadata._grid_axis import GridAxis

__all__ = ["plan_coordinate", "plan_mask", "plan_points"]


def _invalid(selection: object) -> VindexInvalidSelectionError:
    return VindexInvalidSelectionError(
        "unsupported selection for vectorized indexing; only a coordinate selection "
        "(a tuple of one integer array or integer per axis) or a mask selection "
        f"(one boolean array of the array's shape) is supported; got {selection!r}"
    )


def plan_coordinate(selection: Any, shape: tuple[int, ...], chunk_shape: Chunks) -> IndexingPlan:
    """Plan a coordinate selection (``vindex``): one integer array per axis.

    The arrays (and integers) broadcast together; the output has their
    broadcast shape, element ``i`` being the array element at the ``i``-th
    coordinates.  A single boolean array of the array's shape is planned as a
    mask selection.
    """
    shape, grid = bind_grid(shape, chunk_shape)
    sel = selection if isinstance(selection, tuple) else (selection,)
    if len(sel) == 1:
        mask = as_index_array(sel[0])
        if mask is not None and mask.dtype == np.bool_:
            return _plan_mask(mask, shape, grid)
    if len(sel) != len(shape):
        raise _invalid(selection)
    arrays: list[np.ndarray[Any, Any]] = []
    for item in sel:
        # A bare integer counts as a one-element coordinate list, so an
        # all-integer selection gives shape (1,) as in zarr-python.
        arr = as_index_array([item] if is_integer(item) else item)
        if arr is None or arr.dtype == np.bool_:
            raise _invalid(selection)
        arrays.append(arr)
    try:
        out_shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError as e:
        raise CoordinateBroadcastError(
            f"coordinate arrays cannot be broadcast together: shapes {[a.shape for a in arrays]}"
        ) from e
    if not shape:
        return plan_per_axis((), shape, grid)
    # Checked before broadcasting, as numpy checks them: an index that
    # broadcasting leaves no room for (against an empty array) is still refused.
    checked = [
        check_int_array(a, n, axis) for axis, (a, n) in enumerate(zip(arrays, shape, strict=True))
    ]
    points = [np.broadcast_to(a, out_shape).reshape(-1) for a in checked]
    return plan_points(points, out_shape, shape, grid)


def plan_mask(mask: Any, shape: tuple[int, ...], chunk_shape: Chunks) -> IndexingPlan:
    """Plan a mask selection: the elements where a boolean array of the array's shape is true.

    The output is 1-D, in C order of the selected elements.
    """
    shape, grid = bind_grid(shape, chunk_shape)
    return _plan_mask(mask, shape, grid)


def _plan_mask(mask: Any, shape: tuple[int, ...], grid: tuple[GridAxis, ...]) -> IndexingPlan:
    if isinstance(mask, tuple) and len(mask) == 1:
        mask = mask[0]
    arr = as_index_array(mask)
    if arr is None or arr.dtype != np.bool_ or arr.shape != shape:
        raise _invalid(mask)
    if not shape:
        return _plan_scalar_mask(arr)
    points = [p.astype(np.intp, copy=False) for p in np.nonzero(arr)]
    return plan_points(points, (len(points[0]),), shape, grid)


def _plan_scalar_mask(mask: np.ndarray[Any, Any]) -> IndexingPlan:
    # np.nonzero refuses 0-d input; a 0-d mask selects the single element or nothing.
    if not bool(mask):
        return IndexingPlan((0,), RunProjections(0, _no_projection), "coordinate")
    proj = ChunkProjection((), (np.array(True),), (slice(0, 1),), True)
    return IndexingPlan((1,), RunProjections(1, lambda _: proj), "coordinate")


def _no_projection(i: int) -> ChunkProjection:
    raise IndexError(i)


#: Mixed-radix keys above this are sorted axis by axis instead (int64 would overflow).
_LINEAR_MAX = 2**62


def _linear_or_none(
    coords: list[np.ndarray[Any, Any]], dims: tuple[int, ...]
) -> np.ndarray[Any, Any] | None:
    """``coords`` as one C-order number each, or None when ``dims`` is too big for int64."""
    if math.prod(dims) > _LINEAR_MAX:
        return None
    return np.ravel_multi_index(tuple(coords), dims)


def plan_points(
    points: list[np.ndarray[Any, Any]],
    out_shape: tuple[int, ...],
    shape: tuple[int, ...],
    grid: tuple[GridAxis, ...],
) -> IndexingPlan:
    """Plan flat, bounds-checked, non-negative coordinates laid out in ``out_shape``."""
    npoints = len(points[0])
    if npoints == 0:
        return IndexingPlan(out_shape, RunProjections(0, _no_projection), "coordinate", grid=grid)
    chunk_ix = [g.chunks_of(p) for g, p in zip(grid, points, strict=True)]
    local = [p - g.offsets_of(ix) for g, p, ix in zip(grid, points, chunk_ix, strict=True)]
    grid_shape = tuple(max(g.nchunks, 1) for g in grid)
    # Any bound above each local coordinate orders points within a chunk in C order.
    local_dims = tuple(int(a.max()) + 1 for a in local)
    chunk_lin = _linear_or_none(chunk_ix, grid_shape)
    local_lin = _linear_or_none(local, local_dims)
    if chunk_lin is not None and local_lin is not None:
        order = np.lexsort((local_lin, chunk_lin))
    else:  # huge grids: sort by every axis, last key first
        order = np.lexsort((*reversed(local), *reversed(chunk_ix)))
    chunk_ix = [a[order] for a in chunk_ix]
    local = [a[order] for a in local]
    same_chunk = np.ones(npoints - 1, dtype=np.bool_)
    for a in chunk_ix:
        same_chunk &= a[1:] == a[:-1]
    same_point = same_chunk.copy()
    for a in local:
        same_point &= a[1:] == a[:-1]
    bounds = np.concatenate(([0], np.flatnonzero(~same_chunk) + 1, [npoints]))
    new_point = np.empty(npoints, dtype=np.intp)
    new_point[0] = 1
    new_point[1:] = ~same_point
    distinct = np.add.reduceat(new_point, bounds[:-1])
    starts = bounds[:-1]
    run_coords = [a[starts] for a in chunk_ix]
    # Elements of each chunk inside the array (edge chunks are clipped), in
    # floating point: exact wherever it could equal a count of points.
    extents = np.ones(len(starts), dtype=np.float64)
    for g, c in zip(grid, run_coords, strict=True):
        extents *= g.data_sizes_of(c)
    complete = (distinct == np.diff(bounds)) & (distinct == extents)
    bounds_l = bounds.tolist()
    coords_l = [tuple(c) for c in np.stack(run_coords, axis=1).tolist()]
    complete_l = complete.tolist()
    sorted_already = bool(np.all(order[1:] > order[:-1]))
    one_d = len(out_shape) == 1

    def make(k: int) -> ChunkProjection:
        a, b = bounds_l[k], bounds_l[k + 1]
        csel = tuple(x[a:b] for x in local)
        osel: tuple[Any, ...]
        if sorted_already and one_d:
            osel = (slice(a, b),)
        elif one_d:
            osel = (order[a:b],)
        else:
            osel = np.unravel_index(order[a:b], out_shape)
        return ChunkProjection(coords_l[k], csel, osel, complete_l[k])

    return IndexingPlan(out_shape, RunProjections(len(bounds_l) - 1, make), "coordinate", grid=grid)
