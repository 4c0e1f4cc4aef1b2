"""Per-axis projections: one axis selection split over that axis's chunks.

Each function returns ``(nitems, parts)``: the number of output elements along
the axis (``None`` when an integer drops the axis) and one part per chunk
touched, ``(chunk index, chunk selector, out selector, complete)``.  Work is
O(chunks touched) Python plus vectorised numpy over the index values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anyzarr.protocol._errors import ArrayIndexError, NegativeStepError
from anyzarr.protocol.indexing._errors import ZeroStepError
from anyzarr.protocol.indexing._normalize import check_int, check_int_array
from anyzarr.protocol.indexing._plan import AxisPart

__all__ = ["axis_bool_array", "axis_int", "axis_int_array", "axis_slice", "chunk_extent"]


def chunk_extent(ix: int, dim_len: int, chunk_len: int) -> int:
    """Number of elements of chunk ``ix`` that lie inside the array."""
    return min(chunk_len, dim_len - ix * chunk_len)


def axis_int(index: int, dim_len: int, chunk_len: int, axis: int) -> tuple[None, list[AxisPart]]:
    i = check_int(index, dim_len, axis)
    ix = i // chunk_len
    return None, [(ix, i - ix * chunk_len, None, chunk_extent(ix, dim_len, chunk_len) == 1)]


def slice_bounds(sel: slice, dim_len: int, axis: int) -> tuple[int, int, int]:
    """``(start, step, count)`` of a slice with positive step."""
    if sel.step is not None and int(sel.step) == 0:
        raise ZeroStepError(f"slice step cannot be zero (axis {axis})")
    if sel.step is not None and int(sel.step) < 0:
        raise NegativeStepError(
            f"only slices with step >= 1 are supported; got step {sel.step} for axis {axis}"
        )
    start, stop, step = sel.indices(dim_len)
    return start, step, len(range(start, stop, step))


def axis_slice(sel: slice, dim_len: int, chunk_len: int, axis: int) -> tuple[int, list[AxisPart]]:
    start, step, count = slice_bounds(sel, dim_len, axis)
    parts: list[AxisPart] = []
    if count == 0:
        return 0, parts
    last = start + (count - 1) * step
    for ix in range(start // chunk_len, last // chunk_len + 1):
        off = ix * chunk_len
        end = min(off + chunk_len, dim_len)
        first = start if off <= start else start + -(-(off - start) // step) * step
        if first >= end:
            continue  # a large step jumps over this chunk
        stop_el = min(last, end - 1)
        n = (stop_el - first) // step + 1
        o = (first - start) // step
        lo = first - off
        csel = slice(lo, lo + (n - 1) * step + 1, step if step != 1 else None)
        parts.append((ix, csel, slice(o, o + n), n == end - off))
    return count, parts


def axis_int_array(
    arr: np.ndarray[Any, Any], dim_len: int, chunk_len: int, axis: int
) -> tuple[int, list[AxisPart]]:
    if arr.ndim != 1:
        raise ArrayIndexError(
            f"integer arrays in an orthogonal selection must be 1-dimensional; "
            f"got shape {arr.shape} for axis {axis}"
        )
    values = check_int_array(arr, dim_len, axis)
    return len(values), _split_sorted(values, dim_len, chunk_len, known_sorted=False)


def axis_bool_array(
    arr: np.ndarray[Any, Any], dim_len: int, chunk_len: int, axis: int
) -> tuple[int, list[AxisPart]]:
    if arr.ndim != 1 or arr.shape[0] != dim_len:
        raise ArrayIndexError(
            f"boolean array has the wrong length for axis {axis}; "
            f"expected {dim_len}, got {arr.shape[0] if arr.ndim == 1 else arr.shape}"
        )
    values = np.flatnonzero(arr).astype(np.intp, copy=False)
    return len(values), _split_sorted(values, dim_len, chunk_len, known_sorted=True)


def _split_sorted(
    values: np.ndarray[Any, Any], dim_len: int, chunk_len: int, *, known_sorted: bool
) -> list[AxisPart]:
    parts: list[AxisPart] = []
    if values.size == 0:
        return parts
    order: np.ndarray[Any, Any] | None = None
    if not known_sorted and values.size > 1 and bool(np.any(values[1:] < values[:-1])):
        # Stable, so repeated indices keep their order and a write's last value wins
        # exactly as it does in numpy.
        order = np.argsort(values, kind="stable")
        values = values[order]
    chunk_of = values // chunk_len
    starts = np.flatnonzero(np.diff(chunk_of)) + 1
    bounds = np.concatenate(([0], starts, [values.size])).tolist()
    new_value = np.empty(values.size, dtype=np.intp)
    new_value[0] = 1
    np.not_equal(values[1:], values[:-1], out=new_value[1:])
    distinct = np.add.reduceat(new_value, bounds[:-1]).tolist()
    for k in range(len(bounds) - 1):
        a, b = bounds[k], bounds[k + 1]
        ix = int(chunk_of[a])
        off = ix * chunk_len
        n = b - a
        first = int(values[a])
        last = int(values[b - 1])
        if distinct[k] == n and last - first == n - 1:
            csel: Any = slice(first - off, last - off + 1)
        else:
            csel = values[a:b] - off
        osel: Any = slice(a, b) if order is None else order[a:b]
        complete = distinct[k] == n == chunk_extent(ix, dim_len, chunk_len)
        parts.append((ix, csel, osel, complete))
    return parts
