"""Choosing a planner for ``arr[sel]`` and for already-normalised selections."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from anyzarr.protocol._errors import ArrayIndexError
from anyzarr.protocol.indexing._coordinate import plan_coordinate, plan_mask, plan_points
from anyzarr.protocol.indexing._errors import UnsupportedSelectionError
from anyzarr.protocol.indexing._normalize import (
    Chunks,
    as_index_array,
    bind_grid,
    check_int,
    check_int_array,
    is_bool_array,
    is_bool_list,
    is_int_array,
    is_int_list,
    is_integer,
)
from anyzarr.protocol.indexing._orthogonal import plan_basic, plan_orthogonal, plan_per_axis
from anyzarr.protocol.indexing._plan import IndexingPlan
from anyzarr.protocol.metadata._grid_axis import GridAxis

__all__ = ["plan_getitem", "plan_normalized", "pop_fields"]

Fields = str | list[str] | None


def pop_fields(selection: Any) -> tuple[Fields, Any]:
    """Split structured-dtype field names (strings) from a selection.

    Returns ``(fields, rest)``: ``fields`` is None, one name, or a list of
    names; ``rest`` is the selection without them (``()`` for a bare name).
    """
    if isinstance(selection, str):
        return selection, ()
    if not isinstance(selection, tuple):
        return None, selection
    names = [s for s in selection if isinstance(s, str)]
    if not names:
        return None, selection
    rest = tuple(s for s in selection if not isinstance(s, str))
    return (names[0] if len(names) == 1 else names), (rest[0] if len(rest) == 1 else rest)


def _is_index_iterable(x: object) -> bool:
    return is_int_list(x) or is_bool_list(x) or is_int_array(x) or is_bool_array(x)


def _is_pure_fancy(sel: Any, ndim: int) -> bool:
    # zarr-python sends these to vindex: a bool array, a 1-D int/bool list or
    # int array on a 1-D array, or one int/int-array item per axis with at
    # least one array and no slice.
    if is_bool_array(sel):
        return True
    if ndim == 1 and (is_int_list(sel) or is_int_array(sel) or is_bool_list(sel)):
        return True
    return (
        isinstance(sel, tuple)
        and len(sel) == ndim
        and all(is_integer(s) or is_int_list(s) or is_int_array(s) for s in sel)
        and any(is_int_list(s) or is_int_array(s) for s in sel)
    )


def _is_pure_orthogonal(sel: Any, ndim: int) -> bool:
    # zarr-python 3.4's rule, exactly: one index array (or list) per axis, or
    # at most one among Python ints and slices.  An Ellipsis, a numpy integer
    # or an empty list beside an index array makes the selection "basic",
    # which then refuses the array.
    if not ndim:
        return False
    items = sel if isinstance(sel, tuple) else (sel,)
    if len(items) == ndim and all(_is_index_iterable(s) for s in items):
        return True
    return (
        len(items) <= ndim
        and sum(_is_index_iterable(s) for s in items) <= 1
        and all(_is_index_iterable(s) or isinstance(s, int | slice) for s in items)
    )


def _only_ints_and_slices(sel: Any) -> bool:
    items = sel if isinstance(sel, tuple) else (sel,)
    return all(isinstance(s, int | slice | np.integer) or s is Ellipsis for s in items)


def plan_getitem(selection: Any, shape: tuple[int, ...], chunk_shape: Chunks) -> IndexingPlan:
    """Plan ``arr[selection]`` the way zarr-python 3.4's ``Array.__getitem__`` routes it.

    Pure fancy indexing (index arrays and integers only, one per axis, or one
    boolean array) is a coordinate or mask selection; index arrays with
    Python integers and slices are orthogonal; everything else is basic, so
    an index array beside ``...`` or a numpy integer is refused, as
    zarr-python refuses it.  Field names (strings) are stripped and returned
    as ``plan.fields``.
    """
    fields, sel = pop_fields(selection)
    if isinstance(sel, tuple) and len(sel) == 1:
        # zarr-python unwraps a 1-tuple, so ``a[mask,]`` is ``a[mask]``.
        sel = sel[0]
    ndim = len(shape)
    if _only_ints_and_slices(sel):
        # zarr-python may route these through orthogonal indexing; without an
        # index array that plans the same as basic, which is the shorter path.
        plan = plan_basic(sel, shape, chunk_shape)
    elif _is_pure_fancy(sel, ndim):
        plan = plan_coordinate(sel, shape, chunk_shape)
    elif _is_pure_orthogonal(sel, ndim):
        plan = plan_orthogonal(sel, shape, chunk_shape)
    else:
        plan = plan_basic(sel, shape, chunk_shape)
    return plan if fields is None else dataclasses.replace(plan, fields=fields)


def plan_normalized(
    selection: tuple[Any, ...], shape: tuple[int, ...], chunk_shape: Chunks
) -> IndexingPlan:
    """Plan a chunk selection produced by another plan, with numpy's meaning.

    ``selection`` is read exactly as numpy reads it, so the plan's ``shape``
    is ``np.empty(shape)[selection].shape``.  Accepted forms are the ones
    planners emit: integers and slices; integer arrays broadcasting as an
    outer product (``np.ix_``-shaped, or a single 1-D array) with integers
    and slices; one integer array or integer per axis paired point by point;
    a single boolean mask of the full shape.  Use this to split the
    ``chunk_selection`` of a shard into inner chunks.
    """
    shape, grid = bind_grid(shape, chunk_shape)
    sel = selection if isinstance(selection, tuple) else (selection,)
    if len(sel) == 1 and is_bool_array(sel[0]) and sel[0].shape == shape:
        return plan_mask(sel[0], shape, chunk_shape)
    if len(sel) > len(shape):
        raise ArrayIndexError(
            f"too many indices for array: array is {len(shape)}-dimensional, "
            f"but {len(sel)} were indexed"
        )
    sel = sel + (slice(None),) * (len(shape) - len(sel))
    arrays = [k for k, s in enumerate(sel) if isinstance(s, np.ndarray) and s.ndim > 0]
    if not arrays:
        return plan_basic(
            tuple(int(s) if isinstance(s, np.ndarray) else s for s in sel), shape, chunk_shape
        )
    for k in arrays:
        if not is_int_array(sel[k]):
            raise UnsupportedSelectionError(
                f"plan_normalized expects integer index arrays; got dtype {sel[k].dtype} on axis {k}"
            )
    m = len(arrays)
    outer = all(
        sel[k].ndim == m and all(d == 1 for i, d in enumerate(sel[k].shape) if i != j)
        for j, k in enumerate(arrays)
    )
    if outer:
        return _plan_outer(sel, arrays, shape, grid)
    slices = [k for k, s in enumerate(sel) if isinstance(s, slice)]
    if slices:
        raise ArrayIndexError(
            "plan_normalized cannot plan point-wise index arrays mixed with slices"
        )
    try:
        out_shape = np.broadcast_shapes(*(np.shape(s) for s in sel))
    except ValueError as e:
        raise ArrayIndexError(f"index arrays do not broadcast together: {e}") from e
    checked = [
        check_int_array(s, n, axis)
        if isinstance(s, np.ndarray)
        else np.asarray(check_int(s, n, axis), dtype=np.intp)
        for axis, (s, n) in enumerate(zip(sel, shape, strict=True))
    ]
    points = [np.broadcast_to(a, out_shape).reshape(-1) for a in checked]
    return plan_points(points, out_shape, shape, grid)


def _plan_outer(
    sel: tuple[Any, ...], arrays: list[int], shape: tuple[int, ...], grid: tuple[GridAxis, ...]
) -> IndexingPlan:
    advanced = arrays + [
        k for k, s in enumerate(sel) if not isinstance(s, slice) and k not in arrays
    ]
    slices = [k for k, s in enumerate(sel) if isinstance(s, slice)]
    contiguous = max(advanced) - min(advanced) + 1 == len(advanced)
    # numpy moves separated advanced indices to the front; that equals the
    # orthogonal order only when no slice axis precedes an array axis.
    if not contiguous and slices and min(slices) < max(arrays):
        raise ArrayIndexError(
            "plan_normalized cannot plan index arrays separated by slices whose "
            "axes numpy would move to the front"
        )
    items = [as_index_array(s.reshape(-1)) if k in arrays else s for k, s in enumerate(sel)]
    return plan_per_axis(items, shape, grid)
