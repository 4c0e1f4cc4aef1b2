"""The array-creating functions of ``anyzarr.api.asynchronous``.

``create_array`` is the modern entry point; ``create`` accepts zarr-python's
older keywords (``compressor``, ``codecs``, ``chunk_shape``,
``dimension_separator``) and translates them into ``create_array`` options.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal, Unpack

import numpy as np
import numpy.typing as npt
from typing_extensions import TypeIs

from anyzarr.api._array_config import ArrayConfig
from anyzarr.api._functions_common import (
    ArgumentError,
    ArgumentTypeError,
    default_zarr_format,
    resolve,
    zarr_format_of,
)
from anyzarr.api._group_nodes import create_array_at
from anyzarr.protocol._errors import UsageError, ZarrRuntimeWarning, ZarrUserWarning
from anyzarr.protocol.metadata import DEFAULT_FILL_VALUE, ArrayV2Metadata

if TYPE_CHECKING:
    from anyzarr.api._array import AsyncArray
    from anyzarr.api._array_config import ArrayConfigLike
    from anyzarr.api._array_options import (
        ArrayLikeOptions,
        ArrayOptions,
        ChunkKeyEncodingLike,
        ChunkKeyEncodingPair,
        ChunksLike,
        CodecLike,
        CompressorsLike,
        CreateOptions,
        DimensionNames,
        DTypeLike,
        FilterLike,
        FiltersLike,
        FullOptions,
        MemoryOrder,
        ModeOption,
        SerializerLike,
        ShapeLike,
        ShardsLike,
    )
    from anyzarr.io._json import JSON
    from anyzarr.io._store import Store
    from anyzarr.io._store_path import StorageOptions, StoreLike, StorePath
    from anyzarr.protocol.metadata import ArrayMetadata

__all__ = [
    "array",
    "create",
    "create_array",
    "empty",
    "empty_like",
    "from_array",
    "full",
    "full_like",
    "like_kwargs",
    "ones",
    "ones_like",
    "zeros",
    "zeros_like",
]


async def create_array(
    store: StoreLike,
    *,
    name: str | None = None,
    shape: ShapeLike | None = None,
    dtype: DTypeLike | None = None,
    data: npt.ArrayLike | None = None,
    chunks: ChunksLike = "auto",
    shards: ShardsLike | None = None,
    filters: FiltersLike = "auto",
    compressors: CompressorsLike = "auto",
    serializer: SerializerLike = "auto",
    fill_value: object = DEFAULT_FILL_VALUE,
    order: MemoryOrder | None = None,
    zarr_format: Literal[2, 3] | None = 3,
    attributes: Mapping[str, JSON] | None = None,
    chunk_key_encoding: ChunkKeyEncodingLike | None = None,
    dimension_names: DimensionNames = None,
    storage_options: StorageOptions | None = None,
    overwrite: bool = False,
    config: ArrayConfigLike | None = None,
    write_data: bool = True,
) -> AsyncArray[ArrayMetadata]:
    """Create an array at ``name`` below ``store`` and, given ``data``, write it.

    Either ``shape`` and ``dtype`` or ``data`` (whose shape and dtype are used)
    must be given.  ``overwrite`` deletes whatever is at the path first;
    otherwise an existing node raises ``ContainsArrayError`` /
    ``ContainsGroupError``.  Missing parent groups are created.
    """
    if data is not None:
        data = values = np.asanyarray(data)
        if shape is not None and tuple(np.atleast_1d(shape)) != values.shape:
            raise UsageError(f"shape {shape} disagrees with the data's shape {values.shape}")
        if dtype is not None and np.dtype(dtype) != values.dtype:
            raise UsageError(f"dtype {dtype} disagrees with the data's dtype {values.dtype}")
        shape, dtype = values.shape, values.dtype
    if shape is None:
        raise UsageError("create_array needs shape (or data)")
    store_path = await resolve(store, path=name, storage_options=storage_options)
    return await create_array_at(
        store_path,
        shape=shape,
        dtype=dtype,
        data=data,
        chunks=chunks,
        shards=shards,
        filters=filters,
        compressors=compressors,
        serializer=serializer,
        fill_value=fill_value,
        order=order,
        zarr_format=zarr_format if zarr_format is not None else default_zarr_format(),
        attributes=attributes,
        chunk_key_encoding=chunk_key_encoding,
        dimension_names=dimension_names,
        overwrite=overwrite,
        config=config,
        write_data=write_data,
    )


def _legacy_chunks(
    chunks: ShapeLike | bool | None, chunk_shape: ShapeLike | None, shape: ShapeLike
) -> ChunksLike:
    if chunks is not None and chunk_shape is not None:
        raise UsageError("pass chunks or chunk_shape, not both")
    value = chunks if chunks is not None else chunk_shape
    if value is None or value is True:
        return "auto"
    if value is False:
        return tuple(np.atleast_1d(shape).tolist())
    if isinstance(value, int):
        return (value,) * len(np.atleast_1d(shape))
    return tuple(value)


async def create(
    shape: ShapeLike,
    *,
    chunks: ShapeLike | bool | None = None,
    dtype: DTypeLike | None = None,
    compressor: CompressorsLike = "auto",
    fill_value: object = DEFAULT_FILL_VALUE,
    order: MemoryOrder | None = None,
    store: StoreLike = None,
    synchronizer: object = None,
    overwrite: bool = False,
    path: str | None = None,
    chunk_store: StoreLike = None,
    filters: Iterable[FilterLike] | None = None,
    cache_metadata: bool | None = None,
    cache_attrs: bool | None = None,
    read_only: bool | None = None,
    object_codec: FilterLike | None = None,
    dimension_separator: Literal[".", "/"] | None = None,
    write_empty_chunks: bool | None = None,
    zarr_version: Literal[2, 3] | None = None,
    zarr_format: Literal[2, 3] | None = None,
    meta_array: object = None,
    attributes: Mapping[str, JSON] | None = None,
    chunk_shape: ShapeLike | None = None,
    chunk_key_encoding: ChunkKeyEncodingLike | ChunkKeyEncodingPair | None = None,
    codecs: Iterable[CodecLike] | None = None,
    dimension_names: DimensionNames = None,
    storage_options: StorageOptions | None = None,
    config: ArrayConfigLike | None = None,
    data: npt.ArrayLike | None = None,
    **kwargs: Unpack[ModeOption],
) -> AsyncArray[ArrayMetadata]:
    """Create an array with zarr-python's long-standing keywords.

    ``store=None`` means a new in-memory store.  ``compressor`` (one codec, or
    ``None``) and ``codecs`` (a complete v3 codec list) are translated to
    ``create_array``'s ``filters`` / ``serializer`` / ``compressors``;
    ``dimension_separator`` picks the chunk key encoding.  ``data``, when
    given, is written into the new array (it does not set its shape or data
    type, unlike ``create_array``'s).
    """
    zarr_format = zarr_format_of(zarr_format, zarr_version) or default_zarr_format()
    # zarr-python's TypeErrors for fractional sizes.
    if _has_float(shape):
        raise ArgumentTypeError(f"Expected an iterable of integers as the shape, got {shape!r}")
    if _has_float(chunks) or _has_float(chunk_shape):
        raise ArgumentTypeError(
            "Chunk specification must be an integer or an iterable of integers, got "
            f"{chunks if chunk_shape is None else chunk_shape!r}"
        )
    # Accepted and ignored, with zarr-python's warning for each one given.
    for name, value in (
        ("synchronizer", synchronizer),
        ("chunk_store", chunk_store),
        ("cache_metadata", cache_metadata),
        ("cache_attrs", cache_attrs),
        ("read_only", read_only),
        ("meta_array", meta_array),
    ):
        if value is not None:
            warnings.warn(f"{name} is not yet implemented", ZarrRuntimeWarning, stacklevel=2)
    if write_empty_chunks is not None:
        warnings.warn(
            "The `write_empty_chunks` keyword argument is deprecated and will be removed in "
            "future versions. To control whether empty chunks are written to storage, either "
            "use the `config` keyword argument, as in `config={'write_empty_chunks': True}`,"
            "or change the global 'array.write_empty_chunks' configuration variable.",
            ZarrRuntimeWarning,
            stacklevel=2,
        )
        if config is not None:
            warnings.warn(
                "Both write_empty_chunks and config keyword arguments are set. This is "
                "redundant. When both are set, write_empty_chunks will be used instead of the "
                "value in config.",
                ZarrUserWarning,
                stacklevel=2,
            )
    _check_format_keywords(
        zarr_format,
        chunks=chunks,
        chunk_shape=chunk_shape,
        dimension_separator=dimension_separator,
        filters=filters,
        compressor=compressor,
        codecs=codecs,
        chunk_key_encoding=chunk_key_encoding,
        dimension_names=dimension_names,
    )
    if isinstance(chunk_key_encoding, tuple) and len(chunk_key_encoding) == 2:
        # zarr-python's create also takes ``(name, separator)``.
        name, separator = chunk_key_encoding
        chunk_key_encoding = {"name": name, "separator": separator}
    array_filters: FiltersLike = None
    if filters is not None:
        array_filters = list(filters)
    elif zarr_format == 3:
        array_filters = "auto"
    if object_codec is not None:
        array_filters = [
            *(array_filters if isinstance(array_filters, list) else []),
            object_codec,
        ]
    if write_empty_chunks is not None:
        given = config.to_dict() if isinstance(config, ArrayConfig) else config
        config = {**(dict(given) if given else {}), "write_empty_chunks": write_empty_chunks}
    mode = kwargs.pop("mode", None)
    if kwargs:
        # Python's own wording for a stray keyword, as zarr-python's create gives it.
        raise ArgumentTypeError(
            f"create() got an unexpected keyword argument {sorted(kwargs)[0]!r}"
        )
    store_path = await resolve(store, path=path, mode=mode or "a", storage_options=storage_options)
    arr = await create_array_at(
        store_path,
        shape=shape,
        dtype="float64" if dtype is None else dtype,
        chunks=_legacy_chunks(chunks, chunk_shape, shape),
        compressor=compressor,
        filters=array_filters,
        fill_value=fill_value,
        order=order,
        zarr_format=zarr_format,
        attributes=attributes,
        chunk_key_encoding=chunk_key_encoding,
        dimension_names=dimension_names,
        overwrite=overwrite or mode == "w",
        config=config,
        codecs=None if codecs is None else list(codecs),
        dimension_separator=dimension_separator,
    )
    if data is not None:
        await arr.setitem(Ellipsis, data)
    return arr


def _check_format_keywords(zarr_format: int, **given: object) -> None:
    """zarr-python's ValueErrors for ``create`` keywords of the other format."""
    if given["chunks"] is not None and given["chunk_shape"] is not None:
        raise ArgumentError("Only one of chunk_shape or chunks can be provided.")
    if zarr_format == 3:
        wrong = [
            ("dimension_separator", given["dimension_separator"] is not None, "chunk_key_encoding"),
            ("filters", given["filters"] is not None, "array-to-array codecs"),
            ("compressor", not _is(given["compressor"], "auto"), "bytes-to-bytes codecs"),
        ]
    else:
        wrong = [
            ("codecs", given["codecs"] is not None, "filters and compressor"),
            ("chunk_key_encoding", given["chunk_key_encoding"] is not None, "dimension_separator"),
            ("dimension_names", given["dimension_names"] is not None, ""),
        ]
    for name, present, instead in wrong:
        if present:
            use = f" Use {instead} instead." if instead else ""
            raise ArgumentError(
                f"{name} cannot be used for arrays with zarr_format {zarr_format}.{use}"
            )


def _has_float(sizes: object) -> bool:
    if isinstance(sizes, float | np.floating):
        return True
    return isinstance(sizes, tuple | list) and any(
        isinstance(size, float | np.floating) for size in sizes
    )


def _is_keep(value: object) -> TypeIs[Literal["keep"]]:
    return _is(value, "keep")


def _keep[V](value: V | Literal["keep"], kept: V | None) -> V | Literal["auto"]:
    """``value``, or for ``"keep"`` the source array's setting ``kept`` (``"auto"`` without)."""
    if not _is_keep(value):
        return value
    return "auto" if kept is None else kept


def _is(value: object, word: str) -> bool:
    # ``value == "keep"`` on a numpy array of chunk sizes would compare elementwise.
    return isinstance(value, str) and value == word


async def from_array(
    store: StoreLike,
    *,
    data: AsyncArray[ArrayMetadata] | npt.ArrayLike,
    write_data: bool = True,
    name: str | None = None,
    chunks: ChunksLike | Literal["keep"] = "keep",
    shards: ShardsLike | Literal["keep"] | None = "keep",
    filters: FiltersLike | Literal["keep"] = "keep",
    compressors: CompressorsLike | Literal["keep"] = "keep",
    serializer: SerializerLike | Literal["keep"] = "keep",
    fill_value: object = DEFAULT_FILL_VALUE,
    order: MemoryOrder | None = None,
    zarr_format: Literal[2, 3] | None = None,
    attributes: Mapping[str, JSON] | None = None,
    chunk_key_encoding: ChunkKeyEncodingLike | None = None,
    dimension_names: DimensionNames = None,
    storage_options: StorageOptions | None = None,
    overwrite: bool = False,
    config: ArrayConfigLike | None = None,
) -> AsyncArray[ArrayMetadata]:
    """Create an array shaped like ``data`` (an anyzarr array or array-like) and copy it.

    ``"keep"`` takes the option from ``data`` when it is an anyzarr array and
    means ``"auto"`` otherwise.
    """
    source = _as_async_array(data)
    values: npt.NDArray[np.generic] | None = None
    if source is not None:
        meta = source.metadata
        shape, dtype = tuple(source.shape), source.dtype
        same_format = zarr_format in (None, meta.zarr_format)
        if zarr_format is None:
            zarr_format = meta.zarr_format
        if _is_keep(chunks):
            chunks = tuple(meta.inner_chunk_shape)
        if _is_keep(shards):
            shards = meta.shards
        if not same_format:
            filters = "auto" if _is(filters, "keep") else filters
            compressors = "auto" if _is(compressors, "keep") else compressors
            serializer = "auto" if _is(serializer, "keep") else serializer
        if fill_value is DEFAULT_FILL_VALUE:
            fill_value = meta.fill_value
        if attributes is None:
            # A deep copy: the new array's attributes must not alias the source's.
            attributes = copy.deepcopy(dict(meta.attributes))
        if dimension_names is None and zarr_format == 3:
            dimension_names = meta.dimension_names
        if chunk_key_encoding is None and same_format:
            # The same format: ``zarr_format == 2`` means a format 2 source.
            chunk_key_encoding = (
                {"name": "v2", "separator": meta.dimension_separator}
                if isinstance(meta, ArrayV2Metadata)
                else meta.chunk_key_encoding
            )
        if order is None and zarr_format == 2:
            order = meta.order
        elif order is None and meta.zarr_format == 2 and meta.order == "F":
            warnings.warn(
                "The existing order='F' of the source Zarr format 2 array will be ignored.",
                ZarrUserWarning,
                stacklevel=2,
            )
    else:
        values = np.asanyarray(data)
        shape, dtype = values.shape, values.dtype
        chunks = "auto" if _is_keep(chunks) else chunks
        shards = None if _is_keep(shards) else shards
    if source is not None and write_data and overwrite:
        store = await resolve(store, path=name, storage_options=storage_options)
        name, storage_options = None, None
        _refuse_overlap(source.store_path, store)
    arr = await create_array(
        store,
        name=name,
        shape=shape,
        dtype=dtype,
        chunks=chunks,
        shards=shards,
        filters=_keep(filters, None if source is None else source.filters),
        compressors=_keep(compressors, None if source is None else source.compressors),
        serializer=(
            "auto"
            if zarr_format == 2
            else _keep(serializer, None if source is None else source.serializer)
        ),
        fill_value=fill_value,
        order=order,
        zarr_format=zarr_format or default_zarr_format(),
        attributes=attributes,
        chunk_key_encoding=chunk_key_encoding,
        dimension_names=dimension_names,
        storage_options=storage_options,
        overwrite=overwrite,
        config=config,
    )
    if write_data:
        if source is not None:
            await arr.setitem(Ellipsis, await source.getitem(Ellipsis))
        elif values is not None:
            await arr.setitem(Ellipsis, values)
    return arr


def _refuse_overlap(source: StorePath, target: StorePath) -> None:
    """Overwriting ``target`` deletes it first: a source inside it (or around it) would
    be gone before its data is copied."""
    if not _share_data(source.store, target.store):
        return
    src = f"{source.path}/" if source.path else ""
    dest = f"{target.path}/" if target.path else ""
    if src.startswith(dest) or dest.startswith(src):
        raise ArgumentError(
            f"Cannot overwrite {target.path!r} with the array at {source.path!r} because "
            "the paths overlap. Write to a different path, or copy the source elsewhere first."
        )


def _share_data(a: Store, b: Store) -> bool:
    # Equality is not enough: stores compare read_only, and memory stores with
    # equal contents compare equal.
    own_dict = getattr(a, "_store_dict", None)
    if own_dict is not None and type(a) is type(b):
        return own_dict is getattr(b, "_store_dict", None)
    try:
        a = a.with_read_only(b.read_only)
    except (NotImplementedError, UsageError):
        pass
    return bool(a == b)


def _as_async_array(obj: object) -> AsyncArray[ArrayMetadata] | None:
    from anyzarr.api._array import AsyncArray

    if isinstance(obj, AsyncArray):
        return obj
    inner = getattr(obj, "_async_array", None)  # a sync ``Array`` wraps one
    return inner if isinstance(inner, AsyncArray) else None


async def array(
    data: AsyncArray[ArrayMetadata] | npt.ArrayLike, **kwargs: Unpack[ArrayOptions]
) -> AsyncArray[ArrayMetadata]:
    """Create an array (``create``'s keywords) holding a copy of ``data``."""
    source = _as_async_array(data)
    values = np.asanyarray(await source.getitem(Ellipsis) if source is not None else data)
    if source is not None:
        kwargs.setdefault("chunks", tuple(source.metadata.inner_chunk_shape))
    kwargs.setdefault("dtype", values.dtype)
    kwargs["shape"] = values.shape  # the data's shape wins, as in zarr-python
    arr = await create(**kwargs)
    await arr.setitem(Ellipsis, values)
    return arr


async def empty(shape: ShapeLike, **kwargs: Unpack[CreateOptions]) -> AsyncArray[ArrayMetadata]:
    """An array whose contents are unspecified until written (``create``'s keywords)."""
    return await create(shape=shape, **kwargs)


async def zeros(shape: ShapeLike, **kwargs: Unpack[CreateOptions]) -> AsyncArray[ArrayMetadata]:
    """An array that reads as zeros."""
    options: CreateOptions = {**kwargs, "fill_value": 0}
    return await create(shape=shape, **options)


async def ones(shape: ShapeLike, **kwargs: Unpack[CreateOptions]) -> AsyncArray[ArrayMetadata]:
    """An array that reads as ones."""
    options: CreateOptions = {**kwargs, "fill_value": 1}
    return await create(shape=shape, **options)


async def full(
    shape: ShapeLike, fill_value: object, **kwargs: Unpack[FullOptions]
) -> AsyncArray[ArrayMetadata]:
    """An array that reads as ``fill_value``."""
    return await create(shape=shape, fill_value=fill_value, **kwargs)


def like_kwargs(a: object, kwargs: ArrayLikeOptions) -> ArrayLikeOptions:
    """``kwargs`` completed with ``a``'s shape, dtype and chunks, and for a Zarr
    array its fill value and format, as in zarr-python.

    Memory order and codecs belong to a format, so they are copied only when
    the new array has ``a``'s format (v2: ``order``, ``compressor``,
    ``filters``; v3: ``codecs``).
    """
    out = kwargs.copy()
    source = _as_async_array(a)
    if source is not None:
        meta = source.metadata
        out.setdefault("shape", tuple(source.shape))
        out.setdefault("dtype", source.dtype)
        out.setdefault("chunks", tuple(meta.inner_chunk_shape))
        out.setdefault("fill_value", source.fill_value)
        if out.get("zarr_format") is None:
            out["zarr_format"] = meta.zarr_format
        if out["zarr_format"] == meta.zarr_format:
            if meta.zarr_format == 2:
                out.setdefault("order", meta.order)
                out.setdefault("compressor", meta.compressor)
                out.setdefault("filters", meta.filters)
            else:
                out.setdefault("codecs", meta.codecs)
        return out
    if hasattr(a, "shape"):
        out.setdefault("shape", tuple(a.shape))
    if hasattr(a, "dtype"):
        out.setdefault("dtype", a.dtype)
    chunks = getattr(a, "chunks", None)
    if isinstance(chunks, tuple) and all(isinstance(c, int) for c in chunks):
        out.setdefault("chunks", chunks)
    return out


async def empty_like(a: object, **kwargs: Unpack[ArrayLikeOptions]) -> AsyncArray[ArrayMetadata]:
    """An empty array shaped like ``a``."""
    return await empty(**like_kwargs(a, kwargs))


async def zeros_like(a: object, **kwargs: Unpack[ArrayLikeOptions]) -> AsyncArray[ArrayMetadata]:
    """A zero-filled array shaped like ``a``."""
    return await zeros(**like_kwargs(a, kwargs))


async def ones_like(a: object, **kwargs: Unpack[ArrayLikeOptions]) -> AsyncArray[ArrayMetadata]:
    """A one-filled array shaped like ``a``."""
    return await ones(**like_kwargs(a, kwargs))


async def full_like(a: object, **kwargs: Unpack[ArrayLikeOptions]) -> AsyncArray[ArrayMetadata]:
    """An array shaped like ``a`` filled with ``a``'s fill value (or ``fill_value``)."""
    options = like_kwargs(a, kwargs)
    if "fill_value" not in options:
        source = _as_async_array(a)
        fill = source.metadata.fill_value if source is not None else getattr(a, "fill_value", None)
        options["fill_value"] = fill
    return await create(**options)
