"""Splitting a selection within one chunk (or shard) over a grid of smaller chunks.

A selection is a tuple with one entry per dimension: an ``int``, a ``slice``
(positive step) or a 1-D integer array; arrays select orthogonally (numpy
``ix_`` semantics).  Outputs are first built with integer dimensions kept as
length 1 and squeezed at the end, so every piece can be placed with the same
kind of index.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import product
from typing import Any

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import BoundsCheckError

__all__ = ["Piece", "SelectionSplit", "ix", "normalize", "select"]

DimIndex = slice | npt.NDArray[np.intp]
# (chunk coordinate, selection inside that chunk, positions in the output) per dimension.
DimPiece = tuple[int, DimIndex, DimIndex]
Piece = tuple[tuple[int, ...], tuple[DimIndex, ...], tuple[DimIndex, ...]]


def _dim_indices(sel: Any, size: int, dim: int) -> tuple[npt.NDArray[np.intp] | slice, bool]:
    """Indices along one dimension, and whether the dimension is dropped (an int)."""
    if isinstance(sel, slice):
        start, stop, step = sel.indices(size)
        return slice(start, stop, step), False
    if isinstance(sel, int | np.integer):
        i = int(sel)
        if not -size <= i < size:
            raise BoundsCheckError(f"index {i} is out of bounds for dimension {dim} of size {size}")
        i = i + size if i < 0 else i
        return slice(i, i + 1, 1), True
    arr = np.asarray(sel)
    if arr.dtype == bool:
        arr = np.flatnonzero(arr)
    arr = arr.astype(np.intp, copy=False).reshape(-1)
    if arr.size and (arr.min() < -size or arr.max() >= size):
        raise BoundsCheckError(f"an index in dimension {dim} is out of bounds for size {size}")
    return np.where(arr < 0, arr + size, arr), False


def normalize(
    selection: Sequence[Any], shape: Sequence[int]
) -> tuple[list[npt.NDArray[np.intp] | slice], tuple[int, ...], tuple[int, ...]]:
    """Per-dimension indices, the output shape with int dims kept, and the int dims."""
    if len(selection) != len(shape):
        raise BoundsCheckError(
            f"a selection with {len(selection)} entries does not fit shape {tuple(shape)}"
        )
    dims: list[npt.NDArray[np.intp] | slice] = []
    kept: list[int] = []
    dropped: list[int] = []
    for d, (sel, size) in enumerate(zip(selection, shape, strict=True)):
        idx, drop = _dim_indices(sel, size, d)
        dims.append(idx)
        if isinstance(idx, slice):
            kept.append(len(range(idx.start, idx.stop, idx.step)))
        else:
            kept.append(int(idx.size))
        if drop:
            dropped.append(d)
    return dims, tuple(kept), tuple(dropped)


def _as_slice(arr: npt.NDArray[np.intp]) -> DimIndex:
    """A slice equal to ``arr`` when it is an arithmetic run, else ``arr`` itself."""
    if arr.size == 1:
        return slice(int(arr[0]), int(arr[0]) + 1, 1)
    if arr.size > 1:
        step = int(arr[1] - arr[0])
        if step > 0 and bool((np.diff(arr) == step).all()):
            return slice(int(arr[0]), int(arr[-1]) + 1, step)
    return arr


def _split_dim(idx: npt.NDArray[np.intp] | slice, chunk: int) -> list[DimPiece]:
    pieces: list[DimPiece] = []
    if isinstance(idx, slice):
        start, stop, step = idx.start, idx.stop, idx.step
        if start >= stop:
            return pieces
        out = 0
        pos = start
        while pos < stop:
            cid = pos // chunk
            end = min(stop, (cid + 1) * chunk)
            count = len(range(pos, end, step))
            pieces.append(
                (
                    cid,
                    slice(pos - cid * chunk, pos - cid * chunk + (count - 1) * step + 1, step),
                    slice(out, out + count, 1),
                )
            )
            out += count
            pos += count * step
        return pieces
    if idx.size == 0:
        return pieces
    cids = idx // chunk
    order = np.argsort(cids, kind="stable")
    sorted_cids = cids[order]
    bounds = np.flatnonzero(np.diff(sorted_cids)) + 1
    for group in np.split(order, bounds):
        cid = int(cids[group[0]])
        pieces.append((cid, _as_slice(idx[group] - cid * chunk), _as_slice(group.astype(np.intp))))
    return pieces


class SelectionSplit:
    """A selection inside an array of ``shape`` split over chunks of ``chunk_shape``."""

    def __init__(
        self, selection: Sequence[Any], shape: Sequence[int], chunk_shape: Sequence[int]
    ) -> None:
        dims, self.kept_shape, self.dropped = normalize(selection, shape)
        self._per_dim = [_split_dim(idx, c) for idx, c in zip(dims, chunk_shape, strict=True)]

    @property
    def out_shape(self) -> tuple[int, ...]:
        """Shape of the selection result (int dimensions removed)."""
        return tuple(n for d, n in enumerate(self.kept_shape) if d not in self.dropped)

    def chunk_coords(self) -> Iterator[tuple[int, ...]]:
        """Coordinates of every chunk the selection touches."""
        for combo in product(*self._per_dim):
            yield tuple(p[0] for p in combo)

    def pieces(self) -> Iterator[Piece]:
        """(chunk coords, selection in chunk, selection in kept-dims output) per chunk."""
        for combo in product(*self._per_dim):
            yield (
                tuple(p[0] for p in combo),
                tuple(p[1] for p in combo),
                tuple(p[2] for p in combo),
            )

    def finish(self, out: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Drop the int dimensions from a kept-dims output."""
        return out.reshape(self.out_shape) if self.dropped else out


def ix(index: tuple[DimIndex, ...]) -> tuple[Any, ...]:
    """An index usable with numpy for a tuple of slices and arrays (orthogonally)."""
    if all(isinstance(i, slice) for i in index):
        return index
    arrays = [
        np.arange(i.start, i.stop, i.step, dtype=np.intp) if isinstance(i, slice) else i
        for i in index
    ]
    return np.ix_(*arrays)


def select(array: npt.NDArray[Any], selection: Sequence[Any]) -> npt.NDArray[Any]:
    """``array`` indexed orthogonally by ``selection`` (ints drop their dimension)."""
    dims, _, dropped = normalize(selection, array.shape)
    index = tuple(dims)
    if all(isinstance(i, slice) for i in index):
        result = array[index]
    else:
        result = array[ix(tuple(_as_slice(i) if not isinstance(i, slice) else i for i in index))]
    if dropped:
        result = result.reshape(tuple(n for d, n in enumerate(result.shape) if d not in dropped))
    return result
