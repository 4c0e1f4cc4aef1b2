"""Recognising and normalising selection items.

Integers are ``numbers.Integral`` but not ``bool``: numpy and zarr-python
both refuse a bare boolean as an index, and treating ``True`` as ``1`` would
silently read the wrong element.
"""

from __future__ import annotations

import numbers
from typing import Any, TypeGuard

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import ArrayIndexError, BoundsCheckError
from anyzarr.protocol.indexing._errors import ChunkShapeError

__all__ = [
    "as_index_array",
    "check_chunk_shape",
    "check_int",
    "expand_ellipsis",
    "is_bool_array",
    "is_bool_list",
    "is_int_array",
    "is_int_list",
    "is_integer",
]

IntArray = npt.NDArray[np.intp]


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

    An empty list becomes an empty integer array, as it does for numpy.
    """
    if isinstance(x, list):
        if not x:
            return np.empty(0, dtype=np.intp)
        if is_bool_list(x):
            return np.asarray(x, dtype=np.bool_)
        if all(is_integer(i) for i in x):
            return np.asarray(x, dtype=np.intp)
        return None
    if is_int_array(x) or is_bool_array(x):
        return x
    return None


def check_int(index: int, dim_len: int, axis: int) -> int:
    """Wrap a negative index and bounds-check it."""
    i = int(index)
    if i < 0:
        i += dim_len
    if not 0 <= i < dim_len:
        raise BoundsCheckError(
            f"index {int(index)} is out of bounds for axis {axis} with size {dim_len}"
        )
    return i


def check_int_array(arr: np.ndarray[Any, Any], dim_len: int, axis: int) -> IntArray:
    """Wrap negative entries of an integer array and bounds-check all of them."""
    out = arr.astype(np.intp, copy=True) if arr.dtype != np.intp else arr.copy()
    if out.size:
        out[out < 0] += dim_len
        bad = (out < 0) | (out >= dim_len)
        if bad.any():
            first = int(np.asarray(arr).reshape(-1)[int(np.flatnonzero(bad.reshape(-1))[0])])
            raise BoundsCheckError(
                f"index {first} is out of bounds for axis {axis} with size {dim_len}"
            )
    return out


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


def check_chunk_shape(shape: tuple[int, ...], chunk_shape: tuple[int, ...]) -> None:
    if len(shape) != len(chunk_shape):
        raise ChunkShapeError(
            f"chunk shape {tuple(chunk_shape)} has {len(chunk_shape)} dimensions "
            f"but array shape {tuple(shape)} has {len(shape)}"
        )
    if any(int(c) < 1 for c in chunk_shape):
        raise ChunkShapeError(f"chunk shape {tuple(chunk_shape)} must be positive in every axis")
    if any(int(s) < 0 for s in shape):
        raise ChunkShapeError(f"array shape {tuple(shape)} must not be negative")
