"""The fill value of chunks: what unwritten elements read as, and spotting chunks of nothing else.

One implementation for every place that asks, so that reads, writes and
sharding agree.  A fill value of ``None`` (Zarr v2 ``"fill_value": null``)
means the data type's default, as in zarr-python 3: zero (or ``False``, or
empty strings) for most types and NaT for dates and time spans.  Object
arrays with ``None`` read missing chunks as ``0`` and never count as "only
fill", so their chunks are always stored.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from anyzarr.protocol.buffer._core import array_all_equal

__all__ = ["fill_scalar", "holds_only_fill", "new_chunk"]


def fill_scalar(dtype: np.dtype[Any], fill_value: Any) -> npt.NDArray[Any]:
    """The value unwritten elements of ``dtype`` read as, as a 0-d array."""
    out = np.empty((), dtype=dtype)
    if fill_value is None:
        if dtype.kind in "mM":
            out[()] = np.array("NaT", dtype=dtype)
        else:
            out[()] = 0 if dtype.kind == "O" else np.zeros((), dtype=dtype)
    else:
        out[()] = fill_value
    return out


def new_chunk(
    shape: tuple[int, ...], dtype: np.dtype[Any], fill_value: Any, order: str = "C"
) -> npt.NDArray[Any]:
    """A new, writable chunk holding only the fill value."""
    chunk = np.empty(shape, dtype=dtype, order="F" if order == "F" else "C")
    chunk[...] = fill_scalar(dtype, fill_value)
    return chunk


def holds_only_fill(chunk: npt.NDArray[Any], fill_value: Any) -> bool:
    """Whether every element of ``chunk`` equals the fill value (NaN equals NaN).

    Chunks that do are not stored when empty chunks are not written.  The
    comparison looks at the first element before the whole chunk, so the
    common answer ("no") is cheap.
    """
    if fill_value is None:
        if chunk.dtype.kind == "O":
            return False
        return array_all_equal(chunk, fill_scalar(chunk.dtype, None)[()], True)
    if chunk.dtype.kind == "O":
        return all(item == fill_value for item in chunk.ravel().tolist())
    return array_all_equal(chunk, fill_value, True)
