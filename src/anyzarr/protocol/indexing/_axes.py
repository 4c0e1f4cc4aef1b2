"""Per-axis projections: one axis selection split over that axis's chunks.

Each function returns ``(nitems, parts)``: the number of output elements along
the axis (``None`` when an integer drops the axis) and one part per chunk
touched, ``(chunk index, chunk selector, out selector, complete)``.  The
chunks come from a `GridAxis`, regular or varying.

Cost is O(chunks touched) Python plus vectorised numpy over the index
values.  A slice never walks the chunks it jumps over: ``a[::2**60]`` on an
axis of 2**62 elements has four parts, computed on demand.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

from anyzarr.protocol._errors import ArrayIndexError, NegativeStepError
from anyzarr.protocol.indexing._errors import UnsupportedSelectionError, ZeroStepError
from anyzarr.protocol.indexing._normalize import check_int, check_int_array
from anyzarr.protocol.indexing._plan import AxisPart
from anyzarr.protocol.metadata._grid_axis import GridAxis

__all__ = ["axis_bool_array", "axis_int", "axis_int_array", "axis_slice", "slice_bounds"]


def axis_int(index: int, grid: GridAxis, axis: int) -> tuple[None, list[AxisPart]]:
    i = check_int(index, grid.extent, axis)
    ix = grid.chunk_of(i)
    return None, [(ix, i - grid.offset(ix), None, grid.data_size(ix) == 1)]


def slice_bounds(sel: slice, dim_len: int, axis: int) -> tuple[int, int, int]:
    """``(start, step, count)`` of a slice with positive step."""
    try:
        start, stop, step = sel.indices(dim_len)
    except TypeError as e:
        raise UnsupportedSelectionError(
            f"slice bounds must be integers or None; got {sel!r} for axis {axis}"
        ) from e
    except ValueError as e:  # step 0
        raise ZeroStepError(f"slice step cannot be zero (axis {axis})") from e
    if step < 0:
        raise NegativeStepError(
            f"only slices with step >= 1 are supported; got step {sel.step} for axis {axis}"
        )
    return start, step, len(range(start, stop, step))


class _StridedChunks(Sequence[int]):
    """Chunk ``i`` of a regular axis holding element ``start + i * step`` (step >= chunk)."""

    __slots__ = ("_count", "_size", "_start", "_step")

    def __init__(self, start: int, step: int, count: int, size: int) -> None:
        self._start, self._step, self._count, self._size = start, step, count, size

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[int]: ...
    def __getitem__(self, i: int | slice) -> int | Sequence[int]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._count))]
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError(f"chunk {i} out of range for {self._count} chunks")
        return (self._start + i * self._step) // self._size

    def __iter__(self) -> Iterator[int]:
        start, step, size = self._start, self._step, self._size
        for k in range(self._count):
            yield (start + k * step) // size


class SliceParts(Sequence[AxisPart]):
    """The parts of a slice over one axis, one per chunk touched, built on demand."""

    __slots__ = ("_chunks", "_extent", "_grid", "_last", "_size", "_start", "_step")

    def __init__(
        self, grid: GridAxis, start: int, step: int, count: int, chunks: Sequence[int]
    ) -> None:
        self._grid = grid
        self._size = grid.regular_size
        self._extent = grid.extent
        self._start = start
        self._step = step
        self._last = start + (count - 1) * step
        self._chunks = chunks

    def __len__(self) -> int:
        return len(self._chunks)

    def __iter__(self) -> Iterator[AxisPart]:
        part = self._part
        for ix in self._chunks:  # plain ints: a range, a list or _StridedChunks
            yield part(ix)

    @overload
    def __getitem__(self, i: int) -> AxisPart: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[AxisPart]: ...
    def __getitem__(self, i: int | slice) -> AxisPart | Sequence[AxisPart]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self._chunks)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"part {i} out of range for {n} parts")
        return self._part(int(self._chunks[i]))

    def _part(self, ix: int) -> AxisPart:
        start, step, size = self._start, self._step, self._size
        if size is not None:  # the common case, inline: this runs once per chunk
            off = ix * size
            end = min(off + size, self._extent)
        else:
            off, end = self._grid.bounds(ix)
        first = start if off <= start else start + -(-(off - start) // step) * step
        n = (min(self._last, end - 1) - first) // step + 1
        o = (first - start) // step
        lo = first - off
        csel = slice(lo, lo + (n - 1) * step + 1, step if step != 1 and n > 1 else None)
        return (ix, csel, slice(o, o + n), n == end - off)

    def __repr__(self) -> str:
        return f"<{len(self)} slice parts>"


def axis_slice(sel: slice, grid: GridAxis, axis: int) -> tuple[int, Sequence[AxisPart]]:
    start, step, count = slice_bounds(sel, grid.extent, axis)
    if count == 0:
        return 0, []
    last = start + (count - 1) * step
    size = grid.regular_size
    chunks: Sequence[int]
    if size is not None:
        if step >= size:
            # Every element lies in its own chunk: the elements name the chunks.
            chunks = _StridedChunks(start, step, count, size)
        else:
            # Consecutive elements are closer than a chunk: every chunk between is touched.
            chunks = range(start // size, last // size + 1)
    else:
        chunks = _varying_chunks_touched(grid, start, step, count, last)
    return count, SliceParts(grid, start, step, count, chunks)


def _varying_chunks_touched(
    grid: GridAxis, start: int, step: int, count: int, last: int
) -> Sequence[int]:
    """The chunks of a varying axis that hold an element of the slice, in order.

    Vectorised over whichever is fewer, the elements or the chunks between
    the first and last element, so the cost stays near the chunks touched.
    """
    c0, c1 = grid.chunk_of(start), grid.chunk_of(last)
    if c1 - c0 + 1 <= count:
        ixs = np.arange(c0, c1 + 1, dtype=np.intp)
        offs = grid.offsets_of(ixs)
        ends = offs + grid.data_sizes_of(ixs)
        # Number of slice elements before each chunk's start and before its end.
        k_first = np.maximum(-((start - offs) // step), 0)
        k_end = np.minimum(-((start - ends) // step), count)
        touched: list[int] = ixs[k_end > k_first].tolist()
        return touched
    elements = start + np.arange(count, dtype=np.intp) * step
    ixs = grid.chunks_of(elements)
    keep = np.empty(ixs.size, dtype=np.bool_)
    keep[0] = True
    np.not_equal(ixs[1:], ixs[:-1], out=keep[1:])
    firsts: list[int] = ixs[keep].tolist()
    return firsts


def axis_int_array(
    arr: np.ndarray[Any, Any], grid: GridAxis, axis: int
) -> tuple[int, list[AxisPart]]:
    if arr.ndim != 1:
        raise ArrayIndexError(
            f"integer arrays in an orthogonal selection must be 1-dimensional; "
            f"got shape {arr.shape} for axis {axis}"
        )
    values = check_int_array(arr, grid.extent, axis)
    return len(values), _split_sorted(values, grid, known_sorted=False)


def axis_bool_array(
    arr: np.ndarray[Any, Any], grid: GridAxis, axis: int
) -> tuple[int, list[AxisPart]]:
    if arr.ndim != 1 or arr.shape[0] != grid.extent:
        raise ArrayIndexError(
            f"boolean array has the wrong length for axis {axis}; "
            f"expected {grid.extent}, got {arr.shape[0] if arr.ndim == 1 else arr.shape}"
        )
    values = np.flatnonzero(arr).astype(np.intp, copy=False)
    return len(values), _split_sorted(values, grid, known_sorted=True)


def _split_sorted(
    values: np.ndarray[Any, Any], grid: GridAxis, *, known_sorted: bool
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
    chunk_of = grid.chunks_of(values)
    starts = np.flatnonzero(np.diff(chunk_of)) + 1
    bounds = np.concatenate(([0], starts, [values.size])).tolist()
    new_value = np.empty(values.size, dtype=np.intp)
    new_value[0] = 1
    np.not_equal(values[1:], values[:-1], out=new_value[1:])
    distinct = np.add.reduceat(new_value, bounds[:-1]).tolist()
    for k in range(len(bounds) - 1):
        a, b = bounds[k], bounds[k + 1]
        ix = int(chunk_of[a])
        off = grid.offset(ix)
        n = b - a
        first = int(values[a])
        last = int(values[b - 1])
        if distinct[k] == n and last - first == n - 1:
            csel: Any = slice(first - off, last - off + 1)
        else:
            csel = values[a:b] - off
        osel: Any = slice(a, b) if order is None else order[a:b]
        complete = distinct[k] == n == grid.data_size(ix)
        parts.append((ix, csel, osel, complete))
    return parts
