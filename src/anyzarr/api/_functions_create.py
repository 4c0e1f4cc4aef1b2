"""The array-creating functions of ``anyzarr.api.asynchronous``.

``create_array`` is the modern entry point; ``create`` accepts zarr-python's
older keywords (``compressor``, ``codecs``, ``chunk_shape``,
``dimension_separator``) and translates them into ``create_array`` options.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from anyzarr.api._functions_common import (
    ArgumentError,
    ArgumentTypeError,
    default_zarr_format,
    resolve,
    zarr_format_of,
)
from anyzarr.api._group_nodes import create_array_at
from anyzarr.protocol._errors import UsageError, ZarrRuntimeWarning, ZarrUserWarning
from anyzarr.protocol.metadata import DEFAULT_FILL_VALUE

if TYPE_CHECKING:
    from anyzarr.api._array import AsyncArray
    from anyzarr.io._store_path import StorePath

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
    store: Any,
    *,
    name: str | None = None,
    shape: Any = None,
    dtype: Any = None,
    data: np.ndarray[Any, Any] | None = None,
    chunks: Any = "auto",
    shards: Any = None,
    filters: Any = "auto",
    compressors: Any = "auto",
    serializer: Any = "auto",
    fill_value: Any = DEFAULT_FILL_VALUE,
    order: Literal["C", "F"] | None = None,
    zarr_format: Literal[2, 3] | None = 3,
    attributes: dict[str, Any] | None = None,
    chunk_key_encoding: Any = None,
    dimension_names: Iterable[str | None] | None = None,
    storage_options: dict[str, Any] | None = None,
    overwrite: bool = False,
    config: Any = None,
    write_data: bool = True,
) -> AsyncArray[Any]:
    """Create an array at ``name`` below ``store`` and, given ``data``, write it.

    Either ``shape`` and ``dtype`` or ``data`` (whose shape and dtype are used)
    must be given.  ``overwrite`` deletes whatever is at the path first;
    otherwise an existing node raises ``ContainsArrayError`` /
    ``ContainsGroupError``.  Missing parent groups are created.
    """
    if data is not None:
        data = np.asanyarray(data)
        if shape is not None and tuple(np.atleast_1d(shape)) != data.shape:
            raise UsageError(f"shape {shape} disagrees with the data's shape {data.shape}")
        if dtype is not None and np.dtype(dtype) != data.dtype:
            raise UsageError(f"dtype {dtype} disagrees with the data's dtype {data.dtype}")
        shape, dtype = data.shape, data.dtype
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


def _legacy_chunks(chunks: Any, chunk_shape: Any, shape: Any) -> Any:
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
    shape: tuple[int, ...] | int,
    *,
    chunks: tuple[int, ...] | int | bool | None = None,
    dtype: Any = None,
    compressor: Any = "auto",
    fill_value: Any = DEFAULT_FILL_VALUE,
    order: Literal["C", "F"] | None = None,
    store: Any = None,
    synchronizer: Any = None,
    overwrite: bool = False,
    path: str | None = None,
    chunk_store: Any = None,
    filters: Iterable[Any] | None = None,
    cache_metadata: bool | None = None,
    cache_attrs: bool | None = None,
    read_only: bool | None = None,
    object_codec: Any = None,
    dimension_separator: Literal[".", "/"] | None = None,
    write_empty_chunks: bool | None = None,
    zarr_version: Literal[2, 3] | None = None,
    zarr_format: Literal[2, 3] | None = None,
    meta_array: Any = None,
    attributes: dict[str, Any] | None = None,
    chunk_shape: tuple[int, ...] | int | None = None,
    chunk_key_encoding: Any = None,
    codecs: Iterable[Any] | None = None,
    dimension_names: Iterable[str | None] | None = None,
    storage_options: dict[str, Any] | None = None,
    config: Any = None,
    data: npt.ArrayLike | None = None,
    **kwargs: Any,
) -> AsyncArray[Any]:
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
    if filters is not None:
        filters = list(filters)
    elif zarr_format == 3:
        filters = "auto"
    if object_codec is not None:
        filters = [*(filters if isinstance(filters, list) else []), object_codec]
    if write_empty_chunks is not None:
        config = {**(dict(config) if config else {}), "write_empty_chunks": write_empty_chunks}
    mode = kwargs.pop("mode", None)
    if kwargs:
        # Python's own wording for a stray keyword, as zarr-python's create gives it.
        raise ArgumentTypeError(
            f"create() got an unexpected keyword argument {sorted(kwargs)[0]!r}"
        )
    store_path = await resolve(store, path=path, mode=mode or "a", storage_options=storage_options)
    legacy: dict[str, Any] = {}
    if codecs is not None:
        legacy["codecs"] = list(codecs)
    if dimension_separator is not None:
        legacy["dimension_separator"] = dimension_separator
    arr = await create_array_at(
        store_path,
        shape=shape,
        dtype="float64" if dtype is None else dtype,
        chunks=_legacy_chunks(chunks, chunk_shape, shape),
        compressor=compressor,
        filters=filters,
        fill_value=fill_value,
        order=order,
        zarr_format=zarr_format,
        attributes=attributes,
        chunk_key_encoding=chunk_key_encoding,
        dimension_names=dimension_names,
        overwrite=overwrite or mode == "w",
        config=config,
        **legacy,
    )
    if data is not None:
        await arr.setitem(Ellipsis, data)
    return arr


def _check_format_keywords(zarr_format: int, **given: Any) -> None:
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


def _has_float(sizes: Any) -> bool:
    if isinstance(sizes, float | np.floating):
        return True
    return isinstance(sizes, tuple | list) and any(
        isinstance(size, float | np.floating) for size in sizes
    )


def _keep(value: Any, source: Any, attribute: str) -> Any:
    if not (isinstance(value, str) and value == "keep"):
        return value
    if source is None:
        return "auto"
    kept = getattr(source, attribute, None)
    return "auto" if kept is None else kept


def _is(value: Any, word: str) -> bool:
    # ``value == "keep"`` on a numpy array of chunk sizes would compare elementwise.
    return isinstance(value, str) and value == word


async def from_array(
    store: Any,
    *,
    data: Any,
    write_data: bool = True,
    name: str | None = None,
    chunks: Any = "keep",
    shards: Any = "keep",
    filters: Any = "keep",
    compressors: Any = "keep",
    serializer: Any = "keep",
    fill_value: Any = DEFAULT_FILL_VALUE,
    order: Literal["C", "F"] | None = None,
    zarr_format: Literal[2, 3] | None = None,
    attributes: dict[str, Any] | None = None,
    chunk_key_encoding: Any = None,
    dimension_names: Iterable[str | None] | None = None,
    storage_options: dict[str, Any] | None = None,
    overwrite: bool = False,
    config: Any = None,
) -> AsyncArray[Any]:
    """Create an array shaped like ``data`` (an anyzarr array or array-like) and copy it.

    ``"keep"`` takes the option from ``data`` when it is an anyzarr array and
    means ``"auto"`` otherwise.
    """
    source = _as_async_array(data)
    meta = source.metadata if source is not None else None
    if source is not None:
        shape, dtype = tuple(source.shape), source.dtype
        same_format = zarr_format in (None, meta.zarr_format)  # type: ignore[union-attr]
        if zarr_format is None:
            zarr_format = meta.zarr_format  # type: ignore[union-attr]
        if _is(chunks, "keep"):
            chunks = tuple(meta.inner_chunk_shape)  # type: ignore[union-attr]
        if _is(shards, "keep"):
            shards = meta.shards  # type: ignore[union-attr]
        if not same_format:
            filters = "auto" if _is(filters, "keep") else filters
            compressors = "auto" if _is(compressors, "keep") else compressors
            serializer = "auto" if _is(serializer, "keep") else serializer
        if fill_value is DEFAULT_FILL_VALUE:
            fill_value = meta.fill_value  # type: ignore[union-attr]
        if attributes is None:
            # A deep copy: the new array's attributes must not alias the source's.
            attributes = copy.deepcopy(dict(meta.attributes))  # type: ignore[union-attr]
        if dimension_names is None and zarr_format == 3:
            dimension_names = meta.dimension_names  # type: ignore[union-attr]
        if chunk_key_encoding is None and same_format:
            chunk_key_encoding = (
                {"name": "v2", "separator": meta.dimension_separator}  # type: ignore[union-attr]
                if zarr_format == 2
                else meta.chunk_key_encoding  # type: ignore[union-attr]
            )
        if order is None and zarr_format == 2:
            order = meta.order  # type: ignore[union-attr]
        elif order is None and meta.zarr_format == 2 and meta.order == "F":  # type: ignore[union-attr]
            warnings.warn(
                "The existing order='F' of the source Zarr format 2 array will be ignored.",
                ZarrUserWarning,
                stacklevel=2,
            )
    else:
        data = np.asanyarray(data)
        shape, dtype = data.shape, data.dtype
        chunks = "auto" if _is(chunks, "keep") else chunks
        shards = None if _is(shards, "keep") else shards
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
        filters=_keep(filters, source, "filters"),
        compressors=_keep(compressors, source, "compressors"),
        serializer="auto" if zarr_format == 2 else _keep(serializer, source, "serializer"),
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
        values = await source.getitem(Ellipsis) if source is not None else data
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


def _share_data(a: Any, b: Any) -> bool:
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


def _as_async_array(obj: Any) -> AsyncArray[Any] | None:
    from anyzarr.api._array import AsyncArray

    if isinstance(obj, AsyncArray):
        return obj
    inner = getattr(obj, "_async_array", None)  # a sync ``Array`` wraps one
    return inner if isinstance(inner, AsyncArray) else None


async def array(data: Any, **kwargs: Any) -> AsyncArray[Any]:
    """Create an array (``create``'s keywords) holding a copy of ``data``."""
    source = _as_async_array(data)
    values = np.asanyarray(await source.getitem(Ellipsis) if source is not None else data)
    if source is not None:
        kwargs.setdefault("chunks", tuple(source.metadata.inner_chunk_shape))
    kwargs.setdefault("dtype", values.dtype)
    kwargs.pop("shape", None)  # the data's shape wins, as in zarr-python
    arr = await create(shape=values.shape, **kwargs)
    await arr.setitem(Ellipsis, values)
    return arr


async def empty(shape: tuple[int, ...] | int, **kwargs: Any) -> AsyncArray[Any]:
    """An array whose contents are unspecified until written (``create``'s keywords)."""
    return await create(shape=shape, **kwargs)


async def zeros(shape: tuple[int, ...] | int, **kwargs: Any) -> AsyncArray[Any]:
    """An array that reads as zeros."""
    return await create(shape=shape, **{**kwargs, "fill_value": 0})


async def ones(shape: tuple[int, ...] | int, **kwargs: Any) -> AsyncArray[Any]:
    """An array that reads as ones."""
    return await create(shape=shape, **{**kwargs, "fill_value": 1})


async def full(shape: tuple[int, ...] | int, fill_value: Any, **kwargs: Any) -> AsyncArray[Any]:
    """An array that reads as ``fill_value``."""
    return await create(shape=shape, fill_value=fill_value, **kwargs)


def like_kwargs(a: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` completed with ``a``'s shape, dtype and chunks, and for a Zarr
    array its fill value and format, as in zarr-python.

    Memory order and codecs belong to a format, so they are copied only when
    the new array has ``a``'s format (v2: ``order``, ``compressor``,
    ``filters``; v3: ``codecs``).
    """
    out = dict(kwargs)
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


async def empty_like(a: Any, **kwargs: Any) -> AsyncArray[Any]:
    """An empty array shaped like ``a``."""
    return await empty(**like_kwargs(a, kwargs))


async def zeros_like(a: Any, **kwargs: Any) -> AsyncArray[Any]:
    """A zero-filled array shaped like ``a``."""
    return await zeros(**like_kwargs(a, kwargs))


async def ones_like(a: Any, **kwargs: Any) -> AsyncArray[Any]:
    """A one-filled array shaped like ``a``."""
    return await ones(**like_kwargs(a, kwargs))


async def full_like(a: Any, **kwargs: Any) -> AsyncArray[Any]:
    """An array shaped like ``a`` filled with ``a``'s fill value (or ``fill_value``)."""
    options = like_kwargs(a, kwargs)
    if "fill_value" not in options:
        source = _as_async_array(a)
        fill = source.metadata.fill_value if source is not None else getattr(a, "fill_value", None)
        options["fill_value"] = fill
    return await create(**options)
