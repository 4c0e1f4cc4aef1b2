"""The lazy array xarray holds for each variable opened with ``engine="anyzarr"``."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import numpy as np
from xarray.backends.common import BackendArray
from xarray.core import indexing

from anyzarr import Array, AsyncArray

__all__ = ["AnyzarrBackendArray"]

_RawKey = tuple[Any, ...]


def _support_for(key: indexing.ExplicitIndexer) -> indexing.IndexingSupport:
    """How much of ``key`` anyzarr can take directly.

    Orthogonal selections map one to one.  A vectorized key made only of
    integer arrays is a coordinate selection; one that mixes in slices moves
    the sliced axes last (xarray's rule, not numpy's), so it is read as an
    orthogonal selection and xarray finishes it in memory.
    """
    if isinstance(key, indexing.VectorizedIndexer) and all(
        isinstance(k, np.ndarray) for k in key.tuple
    ):
        return indexing.IndexingSupport.VECTORIZED
    return indexing.IndexingSupport.OUTER


def _rebuild(metadata: Any, store_path: Any, config: Any) -> AnyzarrBackendArray:
    return AnyzarrBackendArray(Array(AsyncArray(metadata, store_path, config=config)))


class AnyzarrBackendArray(BackendArray):
    """An anyzarr array seen through xarray's explicit indexing protocol.

    ``__getitem__`` reads through the sync API (which runs local and memory
    reads in the calling thread); ``async_getitem`` awaits the async API on
    the caller's event loop, so ``Dataset.load_async()`` reads many
    variables concurrently.  Pickling carries the metadata, so a dask worker
    reads chunks without first reading the array's metadata again.
    """

    __slots__ = ("_array", "_async_array", "dtype", "shape")

    def __init__(self, array: Array) -> None:
        self._array = array
        self._async_array: AsyncArray[Any] = array.async_array
        self.shape: tuple[int, ...] = tuple(array.shape)
        self.dtype: np.dtype[Any] = array.dtype

    # No ``array`` attribute: xarray treats one as a wrapped array to unwrap.
    def get_array(self) -> Array:
        """The anyzarr array read from (the name xarray's zarr backend uses)."""
        return self._array

    def __reduce__(self) -> tuple[Callable[..., AnyzarrBackendArray], tuple[Any, ...]]:
        inner = self._async_array
        return (_rebuild, (inner.metadata, inner.store_path, inner.config))

    def _read(self, key: _RawKey, kind: type[indexing.ExplicitIndexer]) -> Any:
        if kind is indexing.VectorizedIndexer:
            return self._array.get_coordinate_selection(key)
        if kind is indexing.OuterIndexer:
            return self._array.get_orthogonal_selection(key)
        return self._array.get_basic_selection(key)

    async def _read_async(self, key: _RawKey, kind: type[indexing.ExplicitIndexer]) -> Any:
        inner = self._async_array
        if kind is indexing.VectorizedIndexer:
            return await inner.get_coordinate_selection(key)
        if kind is indexing.OuterIndexer:
            return await inner.get_orthogonal_selection(key)
        return await inner.get_basic_selection(key)

    def __getitem__(self, key: indexing.ExplicitIndexer) -> Any:
        support = _support_for(key)

        def raw(raw_key: _RawKey) -> Any:
            return self._read(raw_key, _raw_kind(raw_key, support))

        return indexing.explicit_indexing_adapter(key, self.shape, support, raw)

    async def async_getitem(self, key: indexing.ExplicitIndexer) -> Any:
        support = _support_for(key)

        def raw(raw_key: _RawKey) -> Coroutine[Any, Any, Any]:
            return self._read_async(raw_key, _raw_kind(raw_key, support))

        return await indexing.async_explicit_indexing_adapter(key, self.shape, support, raw)


def _raw_kind(
    raw_key: _RawKey, support: indexing.IndexingSupport
) -> type[indexing.ExplicitIndexer]:
    """The selection kind of the key xarray's adapter hands to the raw method."""
    if support is indexing.IndexingSupport.VECTORIZED:
        return indexing.VectorizedIndexer
    if any(isinstance(k, np.ndarray) for k in raw_key):
        return indexing.OuterIndexer
    return indexing.BasicIndexer
