"""The object a dask graph reads from: an anyzarr array that pickles cheaply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from anyzarr import Array, AsyncArray

__all__ = ["ArraySource"]


def _rebuild(metadata: Any, store_path: Any, config: Any) -> ArraySource:
    return ArraySource(Array(AsyncArray(metadata, store_path, config=config)))


class ArraySource:
    """An anyzarr ``Array`` as ``dask.array.from_array`` wants it.

    Reads go through the sync API (local and memory stores read in the
    worker's own thread).  Pickling carries the metadata, not just the
    location, so each worker process opens it without a metadata read; the
    token names the location and the metadata, so the same array read twice
    gives the same dask keys.
    """

    __slots__ = ("array", "dtype", "ndim", "shape")

    def __init__(self, array: Array) -> None:
        self.array = array
        self.shape: tuple[int, ...] = tuple(array.shape)
        self.dtype: np.dtype[Any] = array.dtype
        self.ndim = len(self.shape)

    def __getitem__(self, selection: Any) -> Any:
        return self.array.get_basic_selection(selection)

    def __reduce__(self) -> tuple[Callable[..., ArraySource], tuple[Any, ...]]:
        inner = self.array.async_array
        return (_rebuild, (inner.metadata, inner.store_path, inner.config))

    def __dask_tokenize__(self) -> tuple[str, str, str]:
        inner = self.array.async_array
        return ("anyzarr.ArraySource", str(inner.store_path), repr(inner.metadata))
