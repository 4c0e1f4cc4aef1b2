"""Recognising and normalising selection items.

Integers are ``numbers.Integral`` but not ``bool``: numpy and zarr-python
both refuse a bare boolean as an index, and treating ``True`` as ``1`` would
silently read the wrong element.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence
from typing import Any, TypeGuard

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import ArrayIndexError, BoundsCheckError, MetadataValidationError
from anyzarr.protocol.indexing._errors import ChunkShapeError
from anyzarr.protocol.metadata._chunk_grid import ChunkGrid, RectilinearChunkGrid, RegularChunkGrid
from anyzarr.protocol.metadata._grid_axis import GridAxis, RegularAxis

__all__ = [
    "Chunks",
    "as_index_array",
    "bind_grid",
    "check_int",
    "check_int_array",
    "expand_ellipsis",
    "is_bool_array",
    "is_bool_list",
    "is_int_array",
    "is_int_list",
    "is_integer",
]

IntArray = npt.NDArray[np.intp]
#: What planners accept as the chunking: a regular chunk shape or a chunk grid.
Chunks = Sequence[int] | ChunkGrid
INTP_MIN = int(np.iinfo(np.intp).min)
INTP_MAX = int(np.iinfo(np.intp).max)


def is_integer(x: object) -> TypeGuard[int]:
    """True for Python and numpy integers, false for booleans."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool | np.bool_)


def is_int_array(x: object) -> TypeGuard[npt.NDArray[np.integer[Any]]]:
    """True for numpy integer arrays of any rank (0-d included)."""
    return isinstance(x, np.ndarray) and x.dtype.kind in "iu"


def is_bool_array(x: object) -> TypeGuard[npt.NDArray[np.bool_]]:
    return isinstance(x, np.ndarray) and x.dtype == np.bool_


def is_int_list(x: object) -> bool:
    return isinstance(x, list) and len(x) > 0 and all(is_integer(i) for i in x)


def is_bool_list(x: object) -> bool:
    return isinstance(x, list) and len(x) > 0 and all(isinstance(i, bool | np.bool_) for i in x)


def as_index_array(x: object) -> np.ndarray[Any, Any] | None:
    """Turn a list or array of ints or bools into an ndarray; None otherwise.

    An empty list becomes an empty integer array, as it does for numpy.  A
    list holding an integer that no 64-bit integer can hold raises
    `BoundsCheckError`: it is out of bounds for any array, and converting it
    would either overflow or (mixed with numpy unsigned integers) go through
    floating point and land on the wrong element.
    """
    if isinstance(x, list):
        if not x:
            return np.empty(0, dtype=np.intp)
        if is_bool_list(x):
            return np.asarray(x, dtype=np.bool_)
        if all(is_integer(i) for i in x):
            try:
                # numpy raises OverflowError here rather than wrap (checked by a test).
                return np.asarray(x, dtype=np.intp)
            except OverflowError:
                v = next(int(i) for i in x if not INTP_MIN <= int(i) <= INTP_MAX)
                raise BoundsCheckError(
                    f"index {v} is out of bounds: it does not fit a 64-bit integer"
                ) from None
        return None
    if is_int_array(x) or is_bool_array(x):
        return x
    return None


def check_int(index: int, dim_len: int, axis: int) -> int:
    """Wrap a negative index and bounds-check it (any integer type, any size)."""
    i = int(index)
    if i < 0:
        i += dim_len
    if not 0 <= i < dim_len:
        raise BoundsCheckError(
            f"index {int(index)} is out of bounds for axis {axis} with size {dim_len}"
        )
    return i


def check_int_array(arr: np.ndarray[Any, Any], dim_len: int, axis: int) -> IntArray:
    """Wrap negative entries of an integer array and bounds-check all of them.

    Checked in the array's own integer type before any conversion: an
    unsigned value above the signed range would otherwise wrap round to a
    negative index and select a wrong element instead of raising.
    """
    if arr.dtype.kind == "u":
        # Comparing with a Python int is exact in numpy >= 2 (NEP 50).
        bad = arr >= dim_len
        if arr.size and bad.any():
            raise _out_of_bounds(arr, bad, dim_len, axis)
        return arr.astype(np.intp, copy=True)
    out = arr.astype(np.intp, copy=True)
    if out.size:
        out[out < 0] += dim_len
        bad = (out < 0) | (out >= dim_len)
        if bad.any():
            raise _out_of_bounds(arr, bad, dim_len, axis)
    return out


def _out_of_bounds(
    arr: np.ndarray[Any, Any], bad: np.ndarray[Any, Any], dim_len: int, axis: int
) -> BoundsCheckError:
    first = int(arr.reshape(-1)[int(np.flatnonzero(bad.reshape(-1))[0])])
    return BoundsCheckError(f"index {first} is out of bounds for axis {axis} with size {dim_len}")


def expand_ellipsis(selection: object, ndim: int) -> tuple[Any, ...]:
    """Make ``selection`` a tuple of exactly ``ndim`` items, expanding ``...``.

    Missing trailing items become full slices.
    """
    sel = selection if isinstance(selection, tuple) else (selection,)
    n_ell = sum(1 for s in sel if s is Ellipsis)
    if n_ell > 1:
        raise ArrayIndexError("an index can only have a single ellipsis ('...')")
    if n_ell == 1:
        at = next(i for i, s in enumerate(sel) if s is Ellipsis)
        fill = max(ndim - (len(sel) - 1), 0)
        sel = sel[:at] + (slice(None),) * fill + sel[at + 1 :]
    if len(sel) > ndim:
        raise ArrayIndexError(
            f"too many indices for array: array is {ndim}-dimensional, but {len(sel)} were indexed"
        )
    return sel + (slice(None),) * (ndim - len(sel))


def bind_grid(shape: Sequence[int], chunks: Chunks) -> tuple[tuple[int, ...], tuple[GridAxis, ...]]:
    """The array shape as a tuple and one `GridAxis` per dimension.

    ``chunks`` is a regular chunk shape or a chunk grid object.  Raises
    `ChunkShapeError` when they do not fit the array.
    """
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ChunkShapeError(f"array shape {shape} must not be negative")
    if isinstance(chunks, RegularChunkGrid | RectilinearChunkGrid):
        if chunks.ndim != len(shape):
            raise ChunkShapeError(
                f"the chunk grid has {chunks.ndim} dimensions but array shape {shape} "
                f"has {len(shape)}"
            )
        try:
            return shape, chunks.axes(shape)
        except MetadataValidationError as e:
            raise ChunkShapeError(str(e)) from e
    return shape, _regular_axes(shape, tuple(int(c) for c in chunks))


@functools.lru_cache(maxsize=256)
def _regular_axes(shape: tuple[int, ...], chunk_shape: tuple[int, ...]) -> tuple[GridAxis, ...]:
    # Cached: an array is planned over and over with the same shapes, and the
    # axes are immutable.
    if len(shape) != len(chunk_shape):
        raise ChunkShapeError(
            f"chunk shape {chunk_shape} has {len(chunk_shape)} dimensions "
            f"but array shape {shape} has {len(shape)}"
        )
    if any(c < 1 for c in chunk_shape):
        raise ChunkShapeError(f"chunk shape {chunk_shape} must be positive in every axis")
    return tuple(RegularAxis(c, n) for c, n in zip(chunk_shape, shape, strict=True))
