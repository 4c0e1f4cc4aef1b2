"""``anyzarr.xarray.to_zarr``: ``Dataset.to_zarr`` / ``DataTree.to_zarr`` with anyzarr underneath."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import xarray as xr
from xarray.backends.api import DATAARRAY_NAME, DATAARRAY_VARIABLE, delayed_close_after_writes
from xarray.backends.common import ArrayWriter
from xarray.backends.writers import _validate_dataset_names, dump_to_store
from xarray.backends.zarr import _choose_default_mode

from anyzarr.xarray._datastore import AnyzarrStore

if TYPE_CHECKING:
    from dask.delayed import Delayed

__all__ = ["to_zarr"]

Region = Mapping[str, slice | Literal["auto"]] | Literal["auto"] | None


def _open_for_writing(
    store: Any,
    *,
    mode: Literal["w", "w-", "a", "a-", "r+"] | None,
    group: str | None,
    consolidated: bool | None,
    append_dim: Hashable | None,
    region: Region,
    safe_chunks: bool,
    align_chunks: bool,
    storage_options: dict[str, Any] | None,
    zarr_format: Literal[2, 3] | None,
    write_empty_chunks: bool | None,
) -> AnyzarrStore:
    """The data store to write to, with xarray's rules for the default mode and consolidation."""
    chosen = _choose_default_mode(mode=mode, append_dim=append_dim, region=region)
    if chosen == "r+":
        # A region write changes no metadata: read what is consolidated, keep it.
        already_consolidated, consolidate_on_close = consolidated, False
    else:
        already_consolidated, consolidate_on_close = False, consolidated in (None, True)
    return AnyzarrStore.open_group(
        store,
        mode=chosen,
        group=group,
        consolidated=already_consolidated,
        consolidate_on_close=consolidate_on_close,
        storage_options=storage_options,
        append_dim=append_dim,
        write_region=region,
        safe_chunks=safe_chunks,
        align_chunks=align_chunks,
        zarr_format=zarr_format,
        write_empty=write_empty_chunks,
    )


def _as_dataset(array: xr.DataArray) -> xr.Dataset:
    """The dataset ``DataArray.to_zarr`` writes: unnamed arrays get xarray's placeholder name."""
    if array.name is None:
        return array.to_dataset(name=DATAARRAY_VARIABLE)
    if array.name in array.coords or array.name in array.dims:
        dataset = array.to_dataset(name=DATAARRAY_VARIABLE)
        dataset.attrs[DATAARRAY_NAME] = array.name
        return dataset
    return array.to_dataset()


def to_zarr(
    obj: xr.Dataset | xr.DataArray | xr.DataTree,
    store: Any = None,
    mode: Literal["w", "w-", "a", "a-", "r+"] | None = None,
    group: str | None = None,
    encoding: Mapping[Any, Any] | None = None,
    *,
    compute: bool = True,
    consolidated: bool | None = None,
    append_dim: Hashable | None = None,
    region: Region = None,
    safe_chunks: bool = True,
    align_chunks: bool = False,
    storage_options: dict[str, Any] | None = None,
    zarr_format: Literal[2, 3] | None = None,
    write_empty_chunks: bool | None = None,
    chunkmanager_store_kwargs: dict[str, Any] | None = None,
    write_inherited_coords: bool = False,
) -> AnyzarrStore | Delayed:
    """Write ``obj`` to a Zarr store with anyzarr, as ``obj.to_zarr(...)`` does with zarr-python.

    The arguments are those of ``Dataset.to_zarr`` (``DataTree.to_zarr`` for a
    tree, which adds ``write_inherited_coords``); ``store`` is anything
    ``anyzarr.open_group`` accepts, or an anyzarr ``Group``.  Variables are
    encoded by xarray's own CF coders and written as xarray writes them with
    zarr-python: dimension names (``_ARRAY_DIMENSIONS`` for format 2,
    ``dimension_names`` for format 3), fill values, and consolidated
    metadata unless ``consolidated=False``.

    ``mode`` defaults as in xarray: ``"a"`` with ``append_dim``, ``"r+"``
    with ``region``, else ``"w-"``.  dask-backed variables must have chunks
    that do not split a stored chunk (shard when sharded) unless
    ``safe_chunks=False``; ``align_chunks=True`` rechunks them so they do.

    Returns the data store, or with ``compute=False`` a dask ``Delayed``
    that writes the data when computed (metadata is written at once).
    """
    if isinstance(obj, xr.DataTree):
        return _tree_to_zarr(
            obj,
            store,
            mode="w-" if mode is None else mode,
            group=group,
            encoding=encoding,
            compute=compute,
            consolidated=consolidated,
            append_dim=append_dim,
            region=region,
            safe_chunks=safe_chunks,
            align_chunks=align_chunks,
            storage_options=storage_options,
            zarr_format=zarr_format,
            write_empty_chunks=write_empty_chunks,
            chunkmanager_store_kwargs=chunkmanager_store_kwargs,
            write_inherited_coords=write_inherited_coords,
        )
    dataset = _as_dataset(obj) if isinstance(obj, xr.DataArray) else obj
    _validate_dataset_names(dataset)
    for variable in dataset.variables.values():
        # Zero-size dask arrays cannot be stored chunk by chunk.
        if variable.size == 0:
            variable.load()
    data_store = _open_for_writing(
        store,
        mode=mode,
        group=group,
        consolidated=consolidated,
        append_dim=append_dim,
        region=region,
        safe_chunks=safe_chunks,
        align_chunks=align_chunks,
        storage_options=storage_options,
        zarr_format=zarr_format,
        write_empty_chunks=write_empty_chunks,
    )
    dataset = data_store._validate_and_autodetect_region(dataset)
    data_store._validate_encoding(encoding or {})
    writer = ArrayWriter()
    try:
        dump_to_store(dataset, data_store, writer, encoding=encoding or {})
        writes = writer.sync(compute=compute, chunkmanager_store_kwargs=chunkmanager_store_kwargs)
    finally:
        if compute:
            data_store.close()
    if not compute:
        return delayed_close_after_writes(writes, data_store)  # type: ignore[no-any-return]
    return data_store


def _tree_to_zarr(
    tree: xr.DataTree,
    store: Any,
    *,
    mode: Literal["w", "w-", "a", "a-", "r+"],
    group: str | None,
    encoding: Mapping[Any, Any] | None,
    compute: bool,
    consolidated: bool | None,
    append_dim: Hashable | None,
    region: Region,
    safe_chunks: bool,
    align_chunks: bool,
    storage_options: dict[str, Any] | None,
    zarr_format: Literal[2, 3] | None,
    write_empty_chunks: bool | None,
    chunkmanager_store_kwargs: dict[str, Any] | None,
    write_inherited_coords: bool,
) -> AnyzarrStore | Delayed:
    """``DataTree.to_zarr``: each node a group, written with the root's store."""
    if group is not None:
        raise NotImplementedError("specifying a root group for the tree is not supported")
    if append_dim is not None:
        raise NotImplementedError("specifying ``append_dim`` with a DataTree is not supported")
    encoding = dict(encoding or {})
    if unknown := set(encoding) - set(tree.groups):
        raise ValueError(f"unexpected encoding group name(s) provided: {unknown}")
    root_store = _open_for_writing(
        store,
        mode=mode,
        group=group,
        consolidated=consolidated,
        append_dim=append_dim,
        region=region,
        safe_chunks=safe_chunks,
        align_chunks=align_chunks,
        storage_options=storage_options,
        zarr_format=zarr_format,
        write_empty_chunks=write_empty_chunks,
    )
    writer = ArrayWriter()
    try:
        for relpath, node in tree.subtree_with_keys:
            at_root = node is tree
            dataset = node.to_dataset(inherit=write_inherited_coords or at_root)
            node_store = root_store if at_root else root_store.get_child_store(relpath)
            dataset = node_store._validate_and_autodetect_region(dataset)
            node_store._validate_encoding(encoding)
            dump_to_store(dataset, node_store, writer, encoding=encoding.get(node.path))
        writes = writer.sync(compute=compute, chunkmanager_store_kwargs=chunkmanager_store_kwargs)
    finally:
        if compute:
            root_store.close()
    if not compute:
        return delayed_close_after_writes(writes, root_store)  # type: ignore[no-any-return]
    return root_store
