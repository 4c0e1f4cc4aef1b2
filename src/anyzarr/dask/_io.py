"""``from_zarr`` and ``to_zarr``: dask arrays read from and written to anyzarr arrays."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Literal

import dask.array as da
import numpy as np
from dask.base import tokenize

import anyzarr
from anyzarr import Array, AsyncArray, AsyncGroup, Group
from anyzarr.dask._alignment import aligned_chunks
from anyzarr.dask._source import ArraySource
from anyzarr.storage import MemoryStore

__all__ = ["from_zarr", "stored_grid", "to_zarr"]


def stored_grid(array: Array) -> tuple[int, ...]:
    """The shape of one stored object: the shard when sharded, else the chunk.

    The unit a write reads, changes and writes back whole, so the unit that
    two tasks must never share.
    """
    shards = array.shards
    return tuple(array.chunks) if shards is None else tuple(shards)


def _as_array(obj: Any) -> Array | None:
    if isinstance(obj, AsyncArray):
        return Array(obj)
    return obj if isinstance(obj, Array) else None


def from_zarr(
    url: Any,
    component: str | None = None,
    storage_options: dict[str, Any] | None = None,
    chunks: Any = None,
    name: str | None = None,
    inline_array: bool = False,
    **kwargs: Any,
) -> da.Array:
    """A dask array over an anyzarr array, as ``dask.array.from_zarr`` makes one over zarr-python's.

    ``url`` is an anyzarr ``Array``/``AsyncArray``, a ``Group`` (with
    ``component`` naming the array in it), or anything
    ``anyzarr.open_array`` takes (a path, URL, store or ``StorePath``;
    ``component`` is then the array's path and ``kwargs`` go to
    ``open_array``).  ``chunks`` defaults to the stored objects (shards when
    sharded), so each task reads whole objects.  Tasks read through the sync
    API; the graph pickles with the array's metadata, for worker processes.
    """
    array = _as_array(url)
    if array is None:
        if isinstance(url, AsyncGroup):
            url = Group(url)
        if isinstance(url, Group):
            if component is None:
                raise ValueError("from_zarr needs component= to pick an array out of a group")
            node = url[component]
            if not isinstance(node, Array):
                raise TypeError(f"{component!r} in {url.path!r} is a group, not an array")
            array = node
        else:
            if isinstance(url, os.PathLike):
                url = os.fspath(url)
            kwargs.setdefault("mode", "r")
            array = anyzarr.open_array(
                url, path=component or "", storage_options=storage_options, **kwargs
            )
    source = ArraySource(array)
    chunks = stored_grid(array) if chunks is None else chunks
    if name is None:
        name = "from-zarr-" + tokenize(source, chunks)
    meta = np.empty((0,) * source.ndim, dtype=source.dtype)
    result: da.Array = da.from_array(
        source, chunks, name=name, inline_array=inline_array, meta=meta
    )
    return result


def _region_offsets(
    region: Sequence[slice] | None, shape: Sequence[int]
) -> tuple[tuple[slice, ...] | None, tuple[int, ...]]:
    """``region`` as full, step-1 slices, and where it starts along each axis."""
    if region is None:
        return None, (0,) * len(shape)
    region = tuple(region) + (slice(None),) * (len(shape) - len(region))
    slices, offsets = [], []
    for sel, size in zip(region, shape, strict=True):
        if not isinstance(sel, slice):
            raise TypeError(f"region must be slices, got {sel!r}")
        start, stop, step = sel.indices(size)
        if step != 1:
            raise ValueError(f"region slices must have step 1, got {sel!r}")
        slices.append(slice(start, stop))
        offsets.append(start)
    return tuple(slices), tuple(offsets)


def _refuse_memory_store_on_cluster(array: Array) -> None:
    """A worker process would write into its own copy of a memory store, losing the data."""
    if not isinstance(array.store_path.store, MemoryStore):
        return
    try:
        from distributed import default_client

        default_client()
    except (ImportError, ValueError):
        return
    raise RuntimeError(
        f"cannot store into {array!r}: it lives in a MemoryStore, which worker "
        "processes of the distributed scheduler only see copies of"
    )


def to_zarr(
    arr: da.Array,
    url: Any,
    component: str | None = None,
    storage_options: dict[str, Any] | None = None,
    region: Sequence[slice] | None = None,
    compute: bool = True,
    return_stored: bool = False,
    mode: Literal["r+", "a", "w", "w-"] = "a",
    **array_kwargs: Any,
) -> Any:
    """Write a dask array to an anyzarr array; no two tasks ever write the same stored object.

    ``url`` is an existing anyzarr ``Array``/``AsyncArray`` (written in
    place, or its ``region``, a tuple of step-1 slices), or where to create
    one: anything ``anyzarr.create_array`` takes, with ``component`` as the
    array's path, ``mode="w"`` replacing what is there and ``array_kwargs``
    (``chunks``, ``shards``, ``compressors``, ``zarr_format``...) passed
    on.  A new array's chunks default to the dask chunks (their first size
    along each axis).

    Before storing, the dask chunks are moved so that every boundary
    between tasks falls on a boundary of the stored objects (shards when
    sharded) in absolute array coordinates, region offset included.  Each
    stored object is then written by one task only, so the parallel write
    loses nothing under any scheduler, threads or processes, with no lock.
    Returns what ``dask.array.store`` returns for ``compute`` and
    ``return_stored``.
    """
    if any(np.isnan(s) for s in arr.shape):
        raise ValueError("cannot store a dask array of unknown shape; call compute_chunk_sizes()")
    target = _as_array(url)
    if target is None:
        if region is not None:
            raise ValueError("region= needs an existing anyzarr array as url")
        if mode not in ("a", "w", "w-"):
            raise ValueError(f"mode {mode!r} cannot create an array; use 'a', 'w' or 'w-'")
        if isinstance(url, os.PathLike):
            url = os.fspath(url)
        array_kwargs.setdefault("chunks", tuple(max(c[0], 1) if c else 1 for c in arr.chunks))
        target = anyzarr.create_array(
            url,
            name=component,
            shape=arr.shape,
            dtype=array_kwargs.pop("dtype", arr.dtype),
            storage_options=storage_options,
            overwrite=mode == "w",
            **array_kwargs,
        )
    _refuse_memory_store_on_cluster(target)
    regions, offsets = _region_offsets(region, target.shape)
    chunks = aligned_chunks(arr.chunks, stored_grid(target), offsets)
    if chunks != arr.chunks:
        arr = arr.rechunk(chunks)
    return da.store(
        arr,
        target,
        lock=False,
        regions=regions,
        compute=compute,
        return_stored=return_stored,
    )
