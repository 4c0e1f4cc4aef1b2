"""Opening, saving and loading nodes: ``open*``, ``group``, ``save*``, ``load``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from typing_extensions import TypeIs, deprecated

from anyzarr.api._functions_common import (
    CREATE_MODES,
    READ_MODES,
    ArgumentError,
    ArgumentTypeError,
    default_zarr_format,
    join_path,
    resolve,
    zarr_format_of,
)
from anyzarr.api._functions_create import create, like_kwargs
from anyzarr.api._group import AsyncGroup
from anyzarr.api._group_nodes import open_array_at
from anyzarr.api._group_store import ensure_no_node
from anyzarr.api._group_tree import TreeRepr
from anyzarr.api._sync_runtime import NOT_HERE, NotHere, off_loop_thread, runs_here
from anyzarr.io._metadata_io import read_node_metadata, task_group
from anyzarr.protocol._errors import (
    ArrayNotFoundError,
    ContainsArrayError,
    GroupNotFoundError,
    NodeNotFoundError,
    NodeTypeValidationError,
    UsageError,
    ZarrDeprecationWarning,
)
from anyzarr.protocol.dtypes import data_type_from_numpy

if TYPE_CHECKING:
    from anyzarr.api._array import AsyncArray
    from anyzarr.io._json import JSON
    from anyzarr.io._store_path import AccessModeLiteral, StorageOptions, StoreLike, StorePath
    from anyzarr.protocol.indexing import NDArrayLikeOrScalar
    from anyzarr.protocol.metadata import ArrayMetadata

__all__ = [
    "SavableArray",
    "ShapeRequiredError",
    "create_group",
    "group",
    "is_savable_array",
    "load",
    "open",
    "open_array",
    "open_consolidated",
    "open_group",
    "open_like",
    "save",
    "save_array",
    "save_group",
    "tree",
]


class ShapeRequiredError(UsageError, TypeError):
    """An array would be created but no ``shape`` was given (a ``TypeError``,
    as zarr-python raises for the missing argument)."""


class SavableArray(Protocol):
    """What ``save`` writes: an array with a shape and a data type that numpy can read."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    @property
    def dtype(self) -> np.dtype[np.generic]: ...

    def __array__(self) -> npt.NDArray[np.generic]: ...


def _default_mode(store_path: StorePath) -> AccessModeLiteral:
    return "r" if store_path.store.read_only else "a"


async def _node_kind(
    store_path: StorePath, zarr_format: Literal[2, 3] | None
) -> Literal["array", "group"] | None:
    """``"array"``, ``"group"`` or ``None``: what is stored at ``store_path``.

    Only called on failure paths, to pick the error zarr-python raises.
    """
    try:
        meta = await read_node_metadata(store_path, zarr_format, use_consolidated=False)
    except NodeNotFoundError:
        return None
    return meta.node_type


def _where(store_path: StorePath) -> str:
    return f"path {store_path.path!r} in {store_path.store!r}"


async def _new_group(
    store_path: StorePath,
    zarr_format: Literal[2, 3] | None,
    overwrite: bool,
    attributes: Mapping[str, JSON] | None,
) -> AsyncGroup:
    """Write a new group at ``store_path``, in the configured default format if none is given."""
    return await AsyncGroup.from_store(
        store_path,
        zarr_format=zarr_format or default_zarr_format(),
        overwrite=overwrite,
        attributes=attributes,
    )


@runs_here
async def open(
    store: StoreLike = None,
    *,
    mode: AccessModeLiteral | None = None,
    zarr_version: Literal[2, 3] | None = None,
    zarr_format: Literal[2, 3] | None = None,
    path: str | None = None,
    storage_options: StorageOptions | None = None,
    **kwargs: Any,
) -> AsyncArray[ArrayMetadata] | AsyncGroup:
    """Open the array or group at ``store``/``path``, or create one.

    With ``shape`` in ``kwargs`` this is ``open_array``.  Without it, modes
    ``r``/``r+``/``a`` return an existing array and otherwise open (``a``:
    or create) a group; ``w`` replaces whatever is there with a new empty
    group; ``w-`` fails (``FileExistsError`` if a node exists, else
    ``TypeError`` for the missing shape), all as zarr-python 3.4 does.
    ``store`` may be passed positionally, as zarr-python's sync ``open`` allows.
    """
    return await _open(
        store,
        mode=mode,
        zarr_version=zarr_version,
        zarr_format=zarr_format,
        path=path,
        storage_options=storage_options,
        **kwargs,
    )


async def _open(
    store: StoreLike,
    *,
    mode: AccessModeLiteral | None,
    zarr_version: Literal[2, 3] | None,
    zarr_format: Literal[2, 3] | None,
    path: str | None,
    storage_options: StorageOptions | None,
    **kwargs: Any,
) -> AsyncArray[ArrayMetadata] | AsyncGroup:
    zarr_format = zarr_format_of(zarr_format, zarr_version)
    store_path = await resolve(store, path=path, mode=mode, storage_options=storage_options)
    mode = mode or _default_mode(store_path)
    if "shape" in kwargs or mode == "w-":
        return await open_array(store=store_path, zarr_format=zarr_format, mode=mode, **kwargs)
    config = kwargs.pop("config", None)
    if mode in READ_MODES:
        try:
            meta = await read_node_metadata(store_path, zarr_format, node_type="array")
        except NodeNotFoundError:
            pass
        else:
            from anyzarr.api._group_nodes import array_from_metadata

            return array_from_metadata(store_path, meta, config)
    if config is not None:
        raise ArgumentTypeError(
            f"config is the runtime configuration of an array, but {store_path} resolves "
            "to a group. Groups have no runtime configuration."
        )
    return await open_group(
        store=store_path,
        zarr_format=zarr_format,
        mode=mode,
        **kwargs,
    )


@runs_here
async def open_array(
    store: StoreLike = None,
    *,
    zarr_version: Literal[2, 3] | None = None,
    zarr_format: Literal[2, 3] | None = None,
    path: str = "",
    storage_options: StorageOptions | None = None,
    **kwargs: Any,
) -> AsyncArray[ArrayMetadata]:
    """Open the array at ``store``/``path``, or create it with ``create``'s keywords.

    Modes follow zarr-python 3.4: ``r``/``r+`` need an existing array; ``a``
    opens one or creates it; ``w`` always creates, replacing any node; ``w-``
    creates and fails if any node is there.  Without ``mode`` an existing
    array is opened, and a missing one is an ``ArrayNotFoundError``.  A group where an array is
    expected is a ``NodeTypeValidationError``; creating without ``shape`` is a
    ``ShapeRequiredError`` (a ``TypeError``).  ``config`` applies to opened and
    created arrays alike.  ``store`` may be passed positionally.
    """
    return await _open_array(
        store,
        zarr_version=zarr_version,
        zarr_format=zarr_format,
        path=path,
        storage_options=storage_options,
        **kwargs,
    )


async def _open_array(
    store: StoreLike,
    *,
    zarr_version: Literal[2, 3] | None,
    zarr_format: Literal[2, 3] | None,
    path: str,
    storage_options: StorageOptions | None,
    **kwargs: Any,
) -> AsyncArray[ArrayMetadata]:
    zarr_format = zarr_format_of(zarr_format, zarr_version)
    given_mode = kwargs.pop("mode", None)
    store_path = await resolve(store, path=path, mode=given_mode, storage_options=storage_options)
    mode = given_mode or _default_mode(store_path)
    if mode in READ_MODES:
        try:
            return await open_array_at(store_path, zarr_format, kwargs.get("config"))
        except NodeNotFoundError as exc:
            if await _node_kind(store_path, zarr_format) == "group":
                raise NodeTypeValidationError(
                    f"expected an array but found a group at {_where(store_path)}"
                ) from exc
            # Without an explicit mode only an existing array is opened, as in
            # zarr-python: code that catches ArrayNotFoundError relies on it.
            if store_path.store.read_only or given_mode != "a":
                raise ArrayNotFoundError(f"no array at {_where(store_path)}") from exc
    elif mode not in CREATE_MODES:
        raise UsageError(f"invalid mode {mode!r} for open_array")
    if "shape" not in kwargs:
        if mode == "w-":
            await ensure_no_node(store_path, zarr_format)
        raise ShapeRequiredError(
            f"creating an array at {_where(store_path)} (mode {mode!r}) needs shape="
        )
    return await create(
        store=store_path,
        zarr_format=zarr_format or default_zarr_format(),
        overwrite=mode == "w",
        **kwargs,
    )


def _open_here(
    store: StoreLike,
    *,
    mode: AccessModeLiteral | None,
    zarr_version: Literal[2, 3] | None,
    zarr_format: Literal[2, 3] | None,
    path: str | None,
    storage_options: StorageOptions | None,
    **kwargs: Any,
) -> AsyncArray[ArrayMetadata] | AsyncGroup | NotHere:
    """`open` without the event loop, for an existing array (see `_array_here`)."""
    if zarr_version is not None or storage_options:
        return NOT_HERE
    # A ``shape`` (or any option but ``config``) sends it to the loop in `_array_here`.
    return _array_here(store, path or "", mode, zarr_format, kwargs)


def _open_array_here(
    store: StoreLike,
    *,
    zarr_version: Literal[2, 3] | None,
    zarr_format: Literal[2, 3] | None,
    path: str,
    storage_options: StorageOptions | None,
    **kwargs: Any,
) -> AsyncArray[ArrayMetadata] | NotHere:
    """`open_array` without the event loop, for an existing array (see `_array_here`)."""
    if zarr_version is not None or storage_options:
        return NOT_HERE
    options = dict(kwargs)
    mode = options.pop("mode", None)
    return _array_here(store, path, mode, zarr_format, options)


def _array_here(
    store: StoreLike,
    path: str,
    mode: AccessModeLiteral | None,
    zarr_format: Literal[2, 3] | None,
    options: dict[str, Any],
) -> AsyncArray[ArrayMetadata] | NotHere:
    """The existing array at ``store``/``path``, opened in the calling thread, or `NOT_HERE`.

    The sync API's first call in a process would otherwise start the event
    loop's thread (and import its backend) only to read one or two small
    documents.  This covers an array that exists, in a local directory or a
    store with batch IO (see `store_path_here`), opened with no options but
    ``config``; anything else (another mode, a group, nothing there, any
    creation option) is `NOT_HERE` and runs on the loop, which gives every
    error.  The result is the same `AsyncArray` the loop would return.
    """
    from anyzarr.api._group_nodes import array_from_metadata
    from anyzarr.io._metadata_io import read_node_metadata_here
    from anyzarr.io._store_path import store_path_here

    if options.keys() - {"config"} or not off_loop_thread():
        return NOT_HERE
    store_path = store_path_here(store, path=path, mode=mode)
    if store_path is None:
        return NOT_HERE
    try:
        meta = read_node_metadata_here(store_path, zarr_format, node_type="array")
    except NodeNotFoundError:
        return NOT_HERE
    if meta is None:
        return NOT_HERE
    return array_from_metadata(store_path, meta, options.get("config"))


async def open_group(
    store: StoreLike = None,
    *,
    mode: AccessModeLiteral = "a",
    cache_attrs: bool | None = None,
    synchronizer: object = None,
    path: str | None = None,
    chunk_store: StoreLike = None,
    storage_options: StorageOptions | None = None,
    zarr_version: Literal[2, 3] | None = None,
    zarr_format: Literal[2, 3] | None = None,
    meta_array: object = None,
    attributes: Mapping[str, JSON] | None = None,
    use_consolidated: bool | str | None = None,
) -> AsyncGroup:
    """Open the group at ``store``/``path``, creating it when ``mode`` allows.

    ``r``/``r+``: must exist; ``a``: open or create; ``w``: replace; ``w-``:
    create, failing if anything is there.  An array where the group is
    expected is a ``ContainsArrayError`` in every mode but ``w``.
    """
    zarr_format = zarr_format_of(zarr_format, zarr_version)
    store_path = await resolve(store, path=path, mode=mode, storage_options=storage_options)
    if mode in READ_MODES:
        try:
            return await AsyncGroup.open(
                store_path, zarr_format=zarr_format, use_consolidated=use_consolidated
            )
        except GroupNotFoundError:
            if mode != "a":
                if await _node_kind(store_path, zarr_format) == "array":
                    raise ContainsArrayError(
                        f"expected a group but found an array at {_where(store_path)}"
                    ) from None
                raise
    if mode not in CREATE_MODES:
        raise UsageError(f"invalid mode {mode!r} for open_group")
    return await _new_group(store_path, zarr_format, mode == "w", attributes)


async def open_consolidated(
    *args: Any, use_consolidated: Literal[True] = True, **kwargs: Any
) -> AsyncGroup:
    """``open_group`` that requires consolidated metadata.

    Any ``use_consolidated`` other than ``True`` is a ``TypeError``, as in
    zarr-python.
    """
    if use_consolidated is not True:
        raise ArgumentTypeError(
            "open_consolidated requires use_consolidated=True; "
            f"got use_consolidated={use_consolidated!r} (use open_group instead)"
        )
    return await open_group(*args, use_consolidated=use_consolidated, **kwargs)


async def open_like(
    a: object, path: str, *, zarr_format: Literal[2, 3] | None = None, **kwargs: Any
) -> AsyncArray[ArrayMetadata]:
    """``open_array`` at ``path`` with ``a``'s shape, dtype and chunks as defaults.

    Without ``mode`` it is ``"a"``: an existing array is opened and a missing
    one created, as in zarr-python.  ``a``'s format is not inherited: without
    ``zarr_format`` an existing array of either format is opened and a missing
    one created in the default format (``a``'s codecs are copied only when
    that is ``a``'s format).
    """
    # ``open_array``'s keywords: ``create``'s and more, as the caller's are.
    options: dict[str, Any] = dict(
        like_kwargs(a, {"zarr_format": zarr_format or default_zarr_format()})
    )
    options.pop("zarr_format")
    options |= kwargs
    if options.get("mode") is None:
        options["mode"] = "a"
    return await open_array(path=path, zarr_format=zarr_format, **options)


async def group(
    store: StoreLike = None,
    *,
    overwrite: bool = False,
    chunk_store: StoreLike = None,
    cache_attrs: bool | None = None,
    synchronizer: object = None,
    path: str | None = None,
    zarr_version: Literal[2, 3] | None = None,
    zarr_format: Literal[2, 3] | None = None,
    meta_array: object = None,
    attributes: Mapping[str, JSON] | None = None,
    storage_options: StorageOptions | None = None,
) -> AsyncGroup:
    """Open the group at ``store``/``path``, or create it (replacing with ``overwrite``)."""
    zarr_format = zarr_format_of(zarr_format, zarr_version)
    store_path = await resolve(store, path=path, storage_options=storage_options)
    if not overwrite:
        try:
            return await AsyncGroup.open(store_path, zarr_format=zarr_format)
        except GroupNotFoundError:
            pass
    return await _new_group(store_path, zarr_format, overwrite, attributes)


async def create_group(
    store: StoreLike,
    *,
    path: str | None = None,
    overwrite: bool = False,
    zarr_format: Literal[2, 3] | None = None,
    attributes: Mapping[str, JSON] | None = None,
    storage_options: StorageOptions | None = None,
) -> AsyncGroup:
    """Create a new group; ``ContainsGroupError``/``ContainsArrayError`` if taken."""
    store_path = await resolve(store, path=path, storage_options=storage_options)
    return await _new_group(store_path, zarr_format, overwrite, attributes)


async def save_array(
    store: StoreLike,
    arr: SavableArray | np.generic | complex | str | bytes,
    *,
    zarr_version: Literal[2, 3] | None = None,
    zarr_format: Literal[2, 3] | None = None,
    path: str | None = None,
    storage_options: StorageOptions | None = None,
    **kwargs: Any,
) -> None:
    """Write the array-like ``arr`` as one array (one chunk unless ``chunks`` is given)."""
    zarr_format = zarr_format_of(zarr_format, zarr_version) or default_zarr_format()
    if not is_savable_array(arr):
        if np.isscalar(arr):
            arr = np.asarray(arr)
        else:
            raise TypeError(
                f"arr argument must be numpy or other NDArrayLike array, not {type(arr).__name__}"
            )
    mode = kwargs.pop("mode", "a")
    store_path = await resolve(store, path=path, mode=mode, storage_options=storage_options)
    kwargs.setdefault("chunks", getattr(arr, "chunks", None) or tuple(arr.shape) or None)
    overwrite = bool(kwargs.pop("overwrite", None)) or mode in ("a", "w")
    new = await create(
        shape=arr.shape,
        dtype=arr.dtype,
        store=store_path,
        zarr_format=zarr_format,
        overwrite=overwrite,
        **kwargs,
    )
    from anyzarr.api._array import AsyncArray  # the array module imports this one

    # Another anyzarr array is read first: its chunks are not a numpy array.
    values = await arr.getitem(Ellipsis) if isinstance(arr, AsyncArray) else arr
    await new.setitem(Ellipsis, values)


async def save_group(
    store: StoreLike,
    *args: SavableArray,
    zarr_version: Literal[2, 3] | None = None,
    zarr_format: Literal[2, 3] | None = None,
    path: str | None = None,
    storage_options: StorageOptions | None = None,
    **kwargs: SavableArray,
) -> None:
    """Write a group holding positional arrays as ``arr_0``, ``arr_1``, ... and
    keyword arrays under their names; the arrays are written concurrently.

    The group replaces whatever is at ``path`` (mode ``"w"``), but only once
    every argument is known to be an array of a storable data type: a bad
    argument raises with the store untouched.
    """
    for arg in args:
        if not is_savable_array(arg):
            raise TypeError(
                "All arguments must be numpy or other NDArrayLike arrays (except store, "
                "path, storage_options, and zarr_format)"
            )
    for name, value in kwargs.items():
        if not is_savable_array(value):
            raise TypeError(f"Keyword argument {name!r} must be a numpy or other NDArrayLike array")
    if not args and not kwargs:
        raise ArgumentError("at least one array must be provided")
    for value in (*args, *kwargs.values()):
        data_type_from_numpy(value.dtype)
    zarr_format = zarr_format_of(zarr_format, zarr_version) or default_zarr_format()
    store_path = await resolve(store, mode="w", storage_options=storage_options)
    await AsyncGroup.from_store(
        store_path / path if path else store_path, zarr_format=zarr_format, overwrite=True
    )
    named = {f"arr_{i}": value for i, value in enumerate(args)} | kwargs
    async with task_group() as tg:
        for name, value in named.items():
            tg.start_soon(_save_member, store_path, join_path(path, name), value, zarr_format)


async def _save_member(
    store_path: StorePath, path: str, value: SavableArray, zarr_format: Literal[2, 3]
) -> None:
    await save_array(store_path, value, zarr_format=zarr_format, path=path)


async def save(
    store: StoreLike,
    *args: SavableArray,
    zarr_version: Literal[2, 3] | None = None,
    zarr_format: Literal[2, 3] | None = None,
    path: str | None = None,
    storage_options: StorageOptions | None = None,
    **kwargs: SavableArray,
) -> None:
    """``save_array`` for a single positional array, ``save_group`` otherwise."""
    if not args and not kwargs:
        raise ArgumentError("at least one array must be provided")
    if len(args) == 1 and not kwargs:
        await save_array(
            store,
            args[0],
            zarr_version=zarr_version,
            zarr_format=zarr_format,
            path=path,
            storage_options=storage_options,
        )
    else:
        await save_group(
            store,
            *args,
            zarr_version=zarr_version,
            zarr_format=zarr_format,
            path=path,
            storage_options=storage_options,
            **kwargs,
        )


def is_savable_array(value: object) -> TypeIs[SavableArray]:
    """Whether ``save`` takes ``value`` as it is: it has a shape and a data type."""
    return hasattr(value, "shape") and hasattr(value, "dtype")


async def load(
    store: StoreLike,
    path: str | None = None,
    zarr_format: Literal[2, 3] | None = None,
    zarr_version: Literal[2, 3] | None = None,
) -> NDArrayLikeOrScalar | dict[str, NDArrayLikeOrScalar]:
    """Read an array into memory, or every array directly in a group into a dict."""
    zarr_format = zarr_format_of(zarr_format, zarr_version)
    store_path = await resolve(store, path=path, mode="r")
    node = await open(store=store_path, zarr_format=zarr_format, mode="r")
    if not isinstance(node, AsyncGroup):
        return await node.getitem(Ellipsis)
    arrays = [(name, arr) async for name, arr in node.arrays()]
    loaded: dict[str, NDArrayLikeOrScalar] = {}

    async def read(name: str, arr: AsyncArray[ArrayMetadata]) -> None:
        loaded[name] = await arr.getitem(Ellipsis)

    async with task_group() as tg:
        for name, arr in arrays:
            tg.start_soon(read, name, arr)
    return {name: loaded[name] for name, _ in arrays}


@deprecated("Use AsyncGroup.tree instead.", category=ZarrDeprecationWarning)
async def tree(grp: AsyncGroup, expand: bool | None = None, level: int | None = None) -> TreeRepr:
    """``grp.tree(expand, level)``."""
    return await grp.tree(expand=expand, level=level)
