"""Hand-written parts of the sync API, in one place.

The generated ``Array`` and ``Group`` (``anyzarr.api.synchronous``) inherit
two mixins each:

- ``ArrayMixin`` / ``GroupMixin``: sync-only conveniences with no async
  twin (item access, indexers, ``__array__``, ``__iter__``, ``__len__``,
  ``__repr__``, mapping access, context management, pickling).  The generator
  skips every name defined here, so these always win.
- ``ArrayFallbacks`` / ``GroupFallbacks``: deprecated zarr-python names that
  the async classes may not define.  They sit below the generated class, so a
  generated method of the same name replaces them.

It also keeps the registry that turns ``AsyncArray``/``AsyncGroup`` results
into ``Array``/``Group`` (``wrap``) and back (``unwrap``); the generated
modules register their classes when imported.
"""

from __future__ import annotations

import warnings
from abc import abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, MutableMapping
from types import GenericAlias, TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, Unpack, cast, overload

import numpy as np

from anyzarr.api._sync_indexers import BlockIndex, OIndex, VIndex, read_index_arrays
from anyzarr.api._sync_runtime import sync, sync_iter
from anyzarr.protocol.metadata import DEFAULT_FILL_VALUE

if TYPE_CHECKING:
    import numpy.typing as npt
    from _typeshed import SupportsKeysAndGetItem

    from anyzarr.api._array import AsyncArray
    from anyzarr.api._array_config import ArrayConfigLike
    from anyzarr.api._array_options import (
        ChunkKeyEncodingLike,
        ChunksLike,
        CompressorsLike,
        CreateArrayFunctionOptions,
        DatasetOptions,
        FiltersLike,
        RequireDatasetOptions,
        SerializerLike,
        ShapeLike,
        ShardsLike,
    )
    from anyzarr.api._group import AsyncGroup, CreateGroupOptions, RequireGroupOptions
    from anyzarr.api.synchronous import Array, Group
    from anyzarr.io._json import JSON
    from anyzarr.io._store import Store
    from anyzarr.io._store_path import StorageOptions, StoreLike
    from anyzarr.protocol.buffer import BufferPrototype
    from anyzarr.protocol.indexing import NDArrayLikeOrScalar, SelectionWithFields
    from anyzarr.protocol.metadata import ArrayMetadata, NodeMetadata

    type AsyncNode = AsyncArray[ArrayMetadata] | AsyncGroup

__all__ = [
    "ArrayMixin",
    "Attributes",
    "ArrayFallbacks",
    "BlockIndex",
    "GroupMixin",
    "GroupFallbacks",
    "OIndex",
    "VIndex",
    "register_wrapper",
    "unwrap",
    "wrap",
    "wrap_node",
]

_WRAPPERS: dict[type, Callable[[Any], object]] = {}


def register_wrapper[N](async_cls: type[N], sync_cls: Callable[[N], object]) -> None:
    """Make ``wrap`` turn instances of ``async_cls`` into ``sync_cls(instance)``."""
    _WRAPPERS[async_cls] = sync_cls


def _wrapper_for(obj: object) -> Callable[[Any], object] | None:
    found = _WRAPPERS.get(type(obj))
    if found is None:
        for async_cls, sync_cls in _WRAPPERS.items():
            if isinstance(obj, async_cls):
                return sync_cls
    return found


def wrap(obj: Any) -> Any:
    """Turn async nodes (also inside tuples, lists and dict values) into sync ones.

    What comes back depends on the registered classes, so it is not typed (the
    generated code casts it); ``wrap_node`` is the typed form for one node.
    """
    if isinstance(obj, tuple):
        return tuple(wrap(item) for item in obj)
    if isinstance(obj, list):
        return [wrap(item) for item in obj]
    if isinstance(obj, dict):
        return {key: wrap(value) for key, value in obj.items()}
    sync_cls = _wrapper_for(obj)
    return obj if sync_cls is None else sync_cls(obj)


@overload
def wrap_node(node: AsyncArray[ArrayMetadata]) -> Array: ...
@overload
def wrap_node(node: AsyncGroup) -> Group: ...
@overload
def wrap_node(node: AsyncNode) -> Array | Group: ...
def wrap_node(node: AsyncNode) -> Array | Group:
    """The sync ``Array`` or ``Group`` for one async node."""
    # The generated modules register Array and Group for AsyncArray and
    # AsyncGroup (a generated test package registers its own look-alikes).
    return cast("Array | Group", wrap(node))


@overload
def unwrap(obj: ArrayMixin) -> AsyncArray[ArrayMetadata]: ...
@overload
def unwrap(obj: GroupMixin) -> AsyncGroup: ...
@overload
def unwrap[T](obj: T) -> T: ...
def unwrap(obj: object) -> object:
    """The async node behind a sync ``Array``/``Group``; anything else unchanged."""
    if isinstance(obj, ArrayMixin):
        return obj._async_array
    if isinstance(obj, GroupMixin):
        return obj._async_group
    return obj


def _reopen_array(store: Store, path: str) -> Array:
    from anyzarr.api._array import AsyncArray
    from anyzarr.io._store_path import StorePath

    return wrap_node(sync(AsyncArray.open, StorePath(store, path), None))


def _reopen_group(store: Store, path: str) -> Group:
    from anyzarr.api._group import AsyncGroup
    from anyzarr.io._store_path import StorePath

    return wrap_node(sync(AsyncGroup.open, StorePath(store, path), None))


# -- attributes -----------------------------------------------------------------


async def _replace_attributes(node: AsyncNode, attributes: dict[str, JSON]) -> None:
    """Store ``attributes`` as the whole attribute set of an async node."""
    from anyzarr.api._group import AsyncGroup

    if isinstance(node, AsyncGroup):
        node.metadata = await _stored(node, node.metadata.with_attributes(attributes))
    else:
        node.metadata = await _stored(node, node.metadata.with_attributes(attributes))


async def _stored[M: NodeMetadata](node: AsyncNode, metadata: M) -> M:
    """``metadata``, once written as ``node``'s."""
    from anyzarr.io._metadata_io import write_node_metadata

    await write_node_metadata(node.store_path, metadata)
    return metadata


class Attributes(MutableMapping[str, "JSON"]):
    """``Array.attrs`` / ``Group.attrs``: a live mapping that stores every change.

    Reads come from the node's metadata in memory (no IO); each assignment,
    deletion, ``update`` or ``put`` writes the node's metadata document once.
    """

    __slots__ = ("_node",)

    def __init__(self, node: AsyncNode) -> None:
        self._node = node

    def _attributes(self) -> Mapping[str, JSON]:
        return self._node.metadata.attributes

    def __getitem__(self, key: str) -> JSON:
        return self._attributes()[key]

    def __setitem__(self, key: str, value: JSON) -> None:
        sync(self._node.update_attributes, {key: value})

    def __delitem__(self, key: str) -> None:
        current = dict(self._attributes())
        if key not in current:
            raise KeyError(f"no attribute {key!r} on node {self._node.path!r}")
        del current[key]
        sync(_replace_attributes, self._node, current)

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self._attributes()))

    def __len__(self) -> int:
        return len(self._attributes())

    def __repr__(self) -> str:
        return f"Attributes({self.asdict()!r})"

    def update(
        self,
        other: SupportsKeysAndGetItem[str, JSON] | Iterable[tuple[str, JSON]] = (),
        /,
        **kwargs: JSON,
    ) -> None:
        """Merge ``other`` and ``kwargs`` into the attributes with one write."""
        sync(self._node.update_attributes, {**dict(other), **kwargs})

    def put(self, attributes: Mapping[str, JSON]) -> None:
        """Replace all attributes with ``attributes`` (one write)."""
        sync(_replace_attributes, self._node, dict(attributes))

    def asdict(self) -> dict[str, JSON]:
        """A copy of the attributes as a plain ``dict``."""
        return dict(self._attributes())


# -- arrays ---------------------------------------------------------------------


class _NodeMixin:
    """What sync arrays and groups share: equality by the async node, hashing
    by location, and a ``with`` block that releases nothing."""

    @abstractmethod
    def _node(self) -> AsyncNode:
        """The async node this object delegates to."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _NodeMixin) and self._node() == other._node()

    def __hash__(self) -> int:
        # Equal nodes share store and path; dask and dict keys need a hash.
        where = self._node().store_path
        return hash((id(where.store), where.path))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Nothing to release: the store belongs to the caller, who closes it."""


class ArrayMixin(_NodeMixin):
    """Sync-only behaviour of ``Array``; wraps one ``AsyncArray``."""

    _async_array: AsyncArray[ArrayMetadata]

    # ``Array[ArrayV3Metadata]`` in annotations, as zarr-python's ``Array`` is generic.
    __class_getitem__: ClassVar[Any] = classmethod(GenericAlias)

    def __init__(self, async_array: AsyncArray[ArrayMetadata]) -> None:
        self._async_array = async_array

    def _node(self) -> AsyncArray[ArrayMetadata]:
        return self._async_array

    @property
    def async_array(self) -> AsyncArray[ArrayMetadata]:
        """The ``AsyncArray`` this array delegates to."""
        return self._async_array

    @property
    def attrs(self) -> Attributes:
        """The user attributes, as a mapping that stores each change."""
        return Attributes(self._async_array)

    @property
    def nchunks_initialized(self) -> int:
        """How many chunks are stored (a property here, a coroutine on ``AsyncArray``)."""
        return int(sync(self._async_array.nchunks_initialized))

    if TYPE_CHECKING:
        # Generated from ``AsyncArray`` into ``Array``; declared for the methods below.
        def getitem(
            self, selection: SelectionWithFields, *, prototype: BufferPrototype | None = None
        ) -> NDArrayLikeOrScalar: ...

        def setitem(
            self,
            selection: SelectionWithFields,
            value: npt.ArrayLike,
            prototype: BufferPrototype | None = None,
        ) -> None: ...

    def __getitem__(self, selection: SelectionWithFields) -> NDArrayLikeOrScalar:
        return self.getitem(read_index_arrays(selection))

    def __setitem__(self, selection: SelectionWithFields, value: npt.ArrayLike) -> None:
        self.setitem(read_index_arrays(selection), value)

    @property
    def oindex(self) -> OIndex:
        """Orthogonal indexing: ``a.oindex[[0, 2], :]`` selects rows 0 and 2."""
        return OIndex(cast("Array", self))

    @property
    def vindex(self) -> VIndex:
        """Coordinate or mask indexing: ``a.vindex[[0, 1], [2, 3]]`` picks two points."""
        return VIndex(cast("Array", self))

    @property
    def blocks(self) -> BlockIndex:
        """Block indexing: ``a.blocks[1]`` is the second chunk along axis 0."""
        return BlockIndex(cast("Array", self))

    def __array__(
        self, dtype: npt.DTypeLike | None = None, copy: bool | None = None
    ) -> npt.NDArray[np.generic]:
        if copy is False:
            raise ValueError(
                f"reading array {self._async_array.path!r} always makes a copy; copy=False is impossible"
            )
        data = np.asarray(self[...])
        return data if dtype is None else data.astype(dtype, copy=False)

    def __len__(self) -> int:
        shape = self._async_array.shape
        if not shape:
            raise TypeError("len() of unsized object (a 0-dimensional array)")
        return int(shape[0])

    def __iter__(self) -> Iterator[NDArrayLikeOrScalar]:
        for index in range(len(self)):
            yield self[index]

    def __repr__(self) -> str:
        inner = self._async_array
        return f"<Array {inner.store_path} shape={inner.shape} dtype={inner.dtype}>"

    def __reduce__(self) -> tuple[Callable[[Store, str], Array], tuple[Store, str]]:
        # Pickle the location, not the metadata: the copy reads it fresh.
        inner = self._async_array
        return (_reopen_array, (inner.store_path.store, inner.store_path.path))


class ArrayFallbacks:
    """Deprecated ``Array`` names, used only when ``AsyncArray`` lacks them."""

    @classmethod
    def create(cls, store: StoreLike, **kwargs: Unpack[CreateArrayFunctionOptions]) -> Array:
        """Create an array (deprecated: use ``anyzarr.create_array``)."""
        warnings.warn(
            "Array.create is deprecated; use anyzarr.create_array", DeprecationWarning, stacklevel=2
        )
        from anyzarr.api import asynchronous

        return wrap_node(sync(asynchronous.create_array, store, **kwargs))


# -- groups ---------------------------------------------------------------------


class GroupMixin(_NodeMixin):
    """Sync-only behaviour of ``Group``: mapping access and context management."""

    _async_group: AsyncGroup

    def __init__(self, async_group: AsyncGroup) -> None:
        self._async_group = async_group

    def _node(self) -> AsyncGroup:
        return self._async_group

    @property
    def async_group(self) -> AsyncGroup:
        """The ``AsyncGroup`` this group delegates to."""
        return self._async_group

    @property
    def attrs(self) -> Attributes:
        """The group's attributes, as a mapping that stores each change."""
        return Attributes(self._async_group)

    def __getitem__(self, key: str) -> Array | Group:
        return wrap_node(sync(self._async_group.getitem, key))

    def __setitem__(self, key: str, value: npt.ArrayLike) -> None:
        sync(self._async_group.setitem, key, unwrap(value))

    def __delitem__(self, key: str) -> None:
        sync(self._async_group.delitem, key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(sync(self._async_group.contains, key))

    def __iter__(self) -> Iterator[str]:
        return iter(sync_iter(self._async_group.keys))

    def __len__(self) -> int:
        return int(sync(self._async_group.nmembers))

    def __repr__(self) -> str:
        return f"<Group {self._async_group.store_path}>"

    # zarr-python's sync Group differs from AsyncGroup in these signatures.

    def get[D](self, path: str, default: D | None = None) -> Array | Group | D | None:
        """The member at ``path`` (an ``Array`` or ``Group``), or ``default`` if absent."""
        from anyzarr.api._array import AsyncArray
        from anyzarr.api._group import AsyncGroup

        get: Callable[[str, D | None], Awaitable[AsyncNode | D | None]] = self._async_group.get
        found = sync(get, path, default)
        return wrap_node(found) if isinstance(found, AsyncArray | AsyncGroup) else found

    def create_group(self, name: str, **kwargs: Unpack[CreateGroupOptions]) -> Group:
        """Create subgroup ``name``; ``kwargs`` are ``AsyncGroup.create_group``'s options."""
        return wrap_node(sync(self._async_group.create_group, name, **kwargs))

    def require_group(self, name: str, **kwargs: Unpack[RequireGroupOptions]) -> Group:
        """The subgroup ``name``, created if absent (``kwargs``: ``overwrite``)."""
        return wrap_node(sync(self._async_group.require_group, name, **kwargs))

    async def update_attributes_async(self, new_attributes: Mapping[str, JSON]) -> Group:
        """Store ``new_attributes`` as this group's attributes, replacing them all
        (as zarr-python's ``update_attributes_async`` does; ``update_attributes``
        merges instead), and return the group; awaits on the caller's own loop.
        """
        import dataclasses

        from anyzarr.io._metadata_io import write_node_metadata

        current = self._async_group
        metadata = dataclasses.replace(current.metadata, attributes=dict(new_attributes))
        await write_node_metadata(current.store_path, metadata)
        # This group shows the new attributes too (as the reference's example
        # expects), and so does the group returned.
        current.metadata = metadata
        return wrap_node(current)

    def __reduce__(self) -> tuple[Callable[[Store, str], Group], tuple[Store, str]]:
        inner = self._async_group
        return (_reopen_group, (inner.store_path.store, inner.store_path.path))


def _given[V](value: V | None, default: V) -> V:
    return default if value is None else value


class GroupFallbacks:
    """Deprecated ``Group`` names, used only when ``AsyncGroup`` lacks them."""

    _async_group: AsyncGroup  # set by ``GroupMixin``, which every ``Group`` also is

    def create(self, *args: Any, **kwargs: Any) -> Array:
        """Another name for ``create_array`` (``name`` and its keywords)."""
        return wrap_node(sync(self._async_group.create_array, *args, **kwargs))

    def array(
        self,
        name: str,
        *,
        shape: ShapeLike,
        dtype: npt.DTypeLike,
        chunks: ChunksLike = "auto",
        shards: ShardsLike | None = None,
        filters: FiltersLike = "auto",
        compressors: CompressorsLike = "auto",
        compressor: CompressorsLike = None,
        serializer: SerializerLike | None = "auto",
        fill_value: object = 0,
        order: Literal["C", "F"] | None = None,
        attributes: Mapping[str, JSON] | None = None,
        chunk_key_encoding: ChunkKeyEncodingLike | None = None,
        dimension_names: Iterable[str] | None = None,
        storage_options: StorageOptions | None = None,
        overwrite: bool = False,
        config: ArrayConfigLike | None = None,
        data: npt.ArrayLike | None = None,
    ) -> Array:
        """Create an array in this group (deprecated: use ``create_array``)."""
        warnings.warn(
            "Group.array is deprecated; use Group.create_array", DeprecationWarning, stacklevel=2
        )
        # What was not given (None) gets create_array's own default.
        return wrap_node(
            sync(
                self._async_group.create_array,
                name,
                shape=shape,
                dtype=dtype,
                chunks=_given(chunks, "auto"),
                shards=shards,
                filters=_given(filters, "auto"),
                compressors=_given(compressors, "auto"),
                compressor=_given(compressor, "auto"),
                serializer="auto" if serializer is None else serializer,
                fill_value=_given(fill_value, DEFAULT_FILL_VALUE),
                order=order,
                attributes=attributes,
                chunk_key_encoding=chunk_key_encoding,
                dimension_names=dimension_names,
                storage_options=storage_options,
                overwrite=overwrite,
                config=config,
                data=data,
            )
        )

    def create_dataset(self, name: str, **kwargs: Unpack[DatasetOptions]) -> Array:
        """Create an array in this group (deprecated: use ``create_array``)."""
        warnings.warn(
            "Group.create_dataset is deprecated; use Group.create_array",
            DeprecationWarning,
            stacklevel=2,
        )
        return wrap_node(sync(self._async_group.create_array, name, **kwargs))

    def require_dataset(self, name: str, **kwargs: Unpack[RequireDatasetOptions]) -> Array:
        """Open or create an array (deprecated: use ``require_array``)."""
        warnings.warn(
            "Group.require_dataset is deprecated; use Group.require_array",
            DeprecationWarning,
            stacklevel=2,
        )
        return wrap_node(sync(self._async_group.require_array, name, **kwargs))
