"""Creating arrays: resolve the options to metadata, check the target, write.

`create_array_node` is what ``AsyncArray._create`` (and through it
``anyzarr.api.asynchronous.create_array`` and the group methods) runs.  It
takes both the ``create_array`` vocabulary (``chunks``, ``shards``,
``filters``, ``compressors``, ``serializer``) and the older ``create`` one
(``chunk_shape``, ``codecs``, ``compressor``, ``dimension_separator``) and
maps the latter onto the former.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np

from anyzarr.api._group_store import ensure_parents
from anyzarr.protocol._errors import (
    ContainsArrayError,
    ContainsGroupError,
    NodeNotFoundError,
    ReadOnlyError,
    UsageError,
    ZarrRuntimeWarning,
    ZarrUserWarning,
)
from anyzarr.protocol.metadata import DEFAULT_FILL_VALUE, ArrayV3Metadata, GroupMetadata

if TYPE_CHECKING:
    import numpy.typing as npt

    from anyzarr.api._array import AsyncArray
    from anyzarr.api._array_config import ArrayConfigLike
    from anyzarr.api._array_options import (
        ChunkKeyEncodingLike,
        ChunksLike,
        CodecLike,
        CompressorsLike,
        DimensionNames,
        DTypeLike,
        FiltersLike,
        MemoryOrder,
        SerializerLike,
        ShapeLike,
        ShardsLike,
    )
    from anyzarr.io._json import JSON
    from anyzarr.io._store_path import AccessModeLiteral, StoreLike, StorePath
    from anyzarr.protocol.codecs import ArrayArrayCodec, ArrayBytesCodec, Codec
    from anyzarr.protocol.metadata import ArrayMetadata

__all__ = [
    "RectilinearChunksDisabledError",
    "create_array_node",
    "resolve_store_path",
    "split_codecs",
]


class RectilinearChunksDisabledError(UsageError, ValueError):
    """A rectilinear chunk grid was asked for while ``array.rectilinear_chunks`` is off.

    zarr-python 3.4 treats these grids as experimental and raises a
    ``ValueError`` unless the config key is set; anyzarr asks the same to
    create one (reading and resizing existing ones need no flag).
    """


async def resolve_store_path(
    store: StoreLike, *, mode: AccessModeLiteral | None = None, path: str = ""
) -> StorePath:
    """A ``StorePath`` for any store-like value (``StorePath`` passes through)."""
    from anyzarr.io._store_path import StorePath, make_store_path

    if isinstance(store, StorePath) and not path and mode is None:
        return store
    return await make_store_path(store, path=path, mode=mode)


def split_codecs(
    codecs: Iterable[CodecLike],
) -> tuple[list[ArrayArrayCodec], ArrayBytesCodec | None, list[Codec]]:
    """Split a v3 codec list into (filters, serializer, compressors)."""
    from anyzarr.protocol.codecs import ArrayArrayCodec, ArrayBytesCodec, parse_codecs

    parsed = parse_codecs(list(codecs))
    filters: list[ArrayArrayCodec] = []
    serializer: ArrayBytesCodec | None = None
    compressors: list[Codec] = []
    for codec in parsed:
        if isinstance(codec, ArrayArrayCodec):
            filters.append(codec)
        elif isinstance(codec, ArrayBytesCodec):
            serializer = codec
        else:
            compressors.append(codec)
    return filters, serializer, compressors


async def _check_target(store_path: StorePath, overwrite: bool) -> None:
    """Refuse read-only stores; clear or refuse an existing node at the path."""
    from anyzarr.io._metadata_io import read_node_metadata

    store = store_path.store
    if store.read_only:
        raise ReadOnlyError(
            f"cannot create an array at path {store_path.path!r}: the store is read-only"
        )
    if overwrite:
        if store.supports_deletes:
            await store_path.delete_dir()
        return
    try:
        existing = await read_node_metadata(store_path, None)
    except NodeNotFoundError:
        return
    path = store_path.path or "/"
    if isinstance(existing, GroupMetadata):
        raise ContainsGroupError(f"a group already exists at path {path!r}")
    raise ContainsArrayError(f"an array already exists at path {path!r}")


def warn_order_ignored() -> None:
    """zarr-python's warning for ``order=`` on a format 3 array (the config decides)."""
    warnings.warn(
        "The `order` keyword argument has no effect for Zarr format 3 arrays. "
        "To control the memory layout of the array, either use the `config` keyword "
        "argument, as in `config={'order': 'C'}`,"
        "or change the global 'array.order' configuration variable.",
        ZarrRuntimeWarning,
        stacklevel=3,
    )


async def create_array_node(
    store: StoreLike,
    *,
    shape: ShapeLike,
    dtype: DTypeLike | None = None,
    data: npt.ArrayLike | None = None,
    chunks: ChunksLike = "auto",
    shards: ShardsLike | None = None,
    filters: FiltersLike = "auto",
    compressors: CompressorsLike = "auto",
    compressor: CompressorsLike = "auto",
    serializer: SerializerLike = "auto",
    fill_value: object = DEFAULT_FILL_VALUE,
    order: MemoryOrder | None = None,
    zarr_format: Literal[2, 3] | None = 3,
    attributes: Mapping[str, JSON] | None = None,
    chunk_key_encoding: ChunkKeyEncodingLike | None = None,
    dimension_names: DimensionNames = None,
    chunk_shape: ShapeLike | None = None,
    codecs: Iterable[CodecLike] | None = None,
    dimension_separator: Literal[".", "/"] | None = None,
    overwrite: bool = False,
    config: ArrayConfigLike | None = None,
    write_data: bool = True,
) -> AsyncArray[ArrayMetadata]:
    """Create an array at ``store`` and return it; see ``anyzarr.api.asynchronous.create_array``."""
    from anyzarr.api._array import AsyncArray
    from anyzarr.api._array_config import parse_array_config
    from anyzarr.io._metadata_io import write_node_metadata
    from anyzarr.protocol.metadata import create_array_metadata

    if zarr_format is None:
        from anyzarr.io._config import config as global_config

        zarr_format = global_config.get("default_zarr_format", 3)
    if zarr_format not in (2, 3):
        raise UsageError(f"zarr_format must be 2 or 3, not {zarr_format!r}")
    store_path = await resolve_store_path(store)
    array_config = parse_array_config(config)
    if data is not None and dtype is None:
        dtype = np.asarray(data).dtype
    if dtype is None:
        raise UsageError("dtype is required to create an array")
    if chunk_shape is not None:
        if chunks not in (None, "auto"):
            raise UsageError("give only one of 'chunks' and 'chunk_shape'")
        chunks = chunk_shape
    if chunks is None:
        chunks = "auto"
    if compressor != "auto":
        if compressors != "auto":
            raise UsageError("give only one of 'compressor' and 'compressors'")
        compressors = compressor
    if codecs is not None:
        if zarr_format == 2:
            raise UsageError("'codecs' is for Zarr format 3; use 'filters' and 'compressor'")
        filters, found_serializer, compressors = split_codecs(codecs)
        serializer = "auto" if found_serializer is None else found_serializer
    if dimension_separator is not None:
        if chunk_key_encoding is not None:
            raise UsageError("give only one of 'dimension_separator' and 'chunk_key_encoding'")
        kind: Literal["v2", "default"] = "v2" if zarr_format == 2 else "default"
        chunk_key_encoding = {"name": kind, "separator": dimension_separator}
    if order is None and zarr_format == 2:
        order = array_config.order
    if zarr_format == 3 and order is not None:
        # zarr-python: the memory order of a v3 array comes from its config.
        warn_order_ignored()
        order = None

    if isinstance(shards, str) and shards == "auto":
        warnings.warn(
            "Automatic shard shape inference is experimental and may change without notice.",
            ZarrUserWarning,
            stacklevel=3,
        )

    metadata = create_array_metadata(
        shape=shape,
        dtype=dtype,
        chunks=chunks,
        shards=shards,
        filters=filters,
        compressors=compressors,
        serializer=serializer,
        fill_value=fill_value,
        order=order,
        zarr_format=zarr_format,
        attributes=dict(attributes) if attributes else None,
        chunk_key_encoding=chunk_key_encoding,
        dimension_names=dimension_names,
    )
    if isinstance(metadata, ArrayV3Metadata) and not metadata.chunk_grid.is_regular:
        from anyzarr.io._config import config as global_config

        if not global_config.get("array.rectilinear_chunks", False):
            raise RectilinearChunksDisabledError(
                "rectilinear chunk grids are experimental and off by default: enable them "
                "with anyzarr.config.set({'array.rectilinear_chunks': True})"
            )
    await _check_target(store_path, overwrite)
    # Parents first: an array among them refuses the new node before anything is written.
    await ensure_parents(store_path, zarr_format)
    await write_node_metadata(store_path, metadata)
    array: AsyncArray[ArrayMetadata] = AsyncArray(metadata, store_path, config=array_config)
    if data is not None and write_data:
        await array.setitem(Ellipsis, data)
    return array
