"""``AsyncGroup``: a Zarr group, its attributes and its members."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import AsyncGenerator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

import numpy as np

from anyzarr.api._functions_common import ArgumentError
from anyzarr.api._group_info import GroupInfo
from anyzarr.api._group_members import (
    consolidated_view,
    is_group_metadata,
    list_members,
    subtree,
    within_depth,
)
from anyzarr.api._group_names import (
    InvalidNodeNameError,
    check_new_member_name,
    normalize_member_name,
)
from anyzarr.api._group_nodes import array_from_metadata
from anyzarr.api._group_store import ensure_no_node, ensure_parents, existing_node, move_keys
from anyzarr.api._group_tree import TreeRepr, render_tree
from anyzarr.io._metadata_io import read_node_metadata, task_group, write_node_metadata
from anyzarr.protocol._errors import (
    ArrayNotFoundError,
    ContainsArrayError,
    ContainsGroupError,
    GroupNotFoundError,
    NodeNotFoundError,
    UnsupportedOperationError,
    UsageError,
)
from anyzarr.protocol.metadata import DEFAULT_FILL_VALUE

if TYPE_CHECKING:
    import numpy.typing as npt

    from anyzarr.api._array import AsyncArray
    from anyzarr.api._array_config import ArrayConfigLike
    from anyzarr.api._array_options import (
        ArraySettings,
        ChunkKeyEncodingLike,
        ChunksLike,
        CompressorsLike,
        CreateArrayOptions,
        CreateArraySettings,
        DimensionNames,
        DTypeLike,
        FiltersLike,
        GroupArrayLikeOptions,
        GroupCreateOptions,
        GroupFullOptions,
        MemoryOrder,
        SerializerLike,
        ShapeLike,
        ShardsLike,
    )
    from anyzarr.io._json import JSON
    from anyzarr.io._store import Store
    from anyzarr.io._store_path import StorageOptions, StoreLike, StorePath
    from anyzarr.protocol.metadata import ArrayMetadata, GroupMetadata, NodeMetadata

    type Node = "AsyncArray[ArrayMetadata] | AsyncGroup"

__all__ = [
    "AsyncGroup",
    "CreateGroupOptions",
    "IncompatibleMemberError",
    "InvalidNodeNameError",
    "MemberNotFoundError",
    "RequireGroupOptions",
]


class RequireGroupOptions(TypedDict, total=False):
    """The keywords of ``require_group`` besides the name."""

    overwrite: bool


class CreateGroupOptions(RequireGroupOptions, total=False):
    """The keywords of ``create_group`` besides the name."""

    attributes: Mapping[str, JSON] | None


class IncompatibleMemberError(UsageError, TypeError):
    """A member exists with the other node type (a ``TypeError``, as zarr-python raises)."""


class MemberNotFoundError(NodeNotFoundError, KeyError):
    """A group has no member of that name (a ``KeyError``, as for a mapping)."""

    def __str__(self) -> str:
        # KeyError would show the message in quotes; keep it readable.
        return str(self.args[0]) if self.args else ""


class AsyncGroup:
    """A group: attributes plus named arrays and subgroups, all awaited.

    ``metadata`` is the group's own metadata; when it carries consolidated
    metadata, members are answered from it without touching the store.
    """

    __slots__ = ("_view", "metadata", "store_path")

    metadata: GroupMetadata
    store_path: StorePath

    def __init__(
        self,
        metadata: GroupMetadata,
        store_path: StorePath,
        *,
        _view: MutableMapping[str, NodeMetadata] | None = None,
    ) -> None:
        self.metadata = metadata
        self.store_path = store_path
        # Flat map of relative path -> metadata, from consolidated metadata.
        self._view = _view if _view is not None else consolidated_view(metadata, store_path.path)

    # -- construction -----------------------------------------------------

    @classmethod
    async def from_store(
        cls,
        store: StoreLike,
        *,
        attributes: Mapping[str, JSON] | None = None,
        overwrite: bool = False,
        zarr_format: Literal[2, 3] = 3,
    ) -> AsyncGroup:
        """Create a new group at ``store`` and write its metadata.

        Raises ``ContainsArrayError`` / ``ContainsGroupError`` when a node is
        already there and ``overwrite`` is false; with ``overwrite`` the old
        node and everything below it is deleted first.
        """
        from anyzarr.io._store_path import make_store_path
        from anyzarr.protocol.metadata import GroupMetadata

        if zarr_format not in (2, 3):
            raise UsageError(f"zarr_format must be 2 or 3, not {zarr_format!r}")
        store_path = await make_store_path(store)
        if overwrite:
            await store_path.delete_dir()
        else:
            await ensure_no_node(store_path)
        await ensure_parents(store_path, zarr_format)
        meta = GroupMetadata(attributes=dict(attributes or {}), zarr_format=zarr_format)
        await write_node_metadata(store_path, meta)
        return cls(meta, store_path)

    @classmethod
    async def open(
        cls,
        store: StoreLike,
        zarr_format: Literal[2, 3] | None = 3,
        use_consolidated: bool | str | None = None,
    ) -> AsyncGroup:
        """Open the group at ``store``.

        ``use_consolidated``: ``None`` uses consolidated metadata when present,
        ``True`` requires it, ``False`` ignores it; a string names a non-default
        Zarr format 2 consolidated key.

        Raises ``GroupNotFoundError`` when no group is there (also when an array is).
        """
        from anyzarr.io._store_path import make_store_path

        store_path = await make_store_path(store)
        meta = await read_node_metadata(
            store_path, zarr_format, use_consolidated=use_consolidated, node_type="group"
        )
        return cls(meta, store_path)

    @classmethod
    def from_dict(cls, store_path: StorePath, data: dict[str, Any]) -> AsyncGroup:
        """Build a group handle from a metadata document (no IO)."""
        from anyzarr.protocol.metadata import GroupMetadata, parse_v3

        if data.get("zarr_format") == 2:
            meta: NodeMetadata = GroupMetadata(
                attributes=dict(data.get("attributes") or {}), zarr_format=2
            )
        else:
            meta = parse_v3({"node_type": "group", **data}, store_path.path)
        if not isinstance(meta, GroupMetadata):
            raise UsageError(f"metadata for {store_path.path!r} does not describe a group")
        return cls(meta, store_path)

    # -- properties -------------------------------------------------------

    @property
    def attrs(self) -> dict[str, JSON]:
        """The group's attributes (a plain dict; use ``update_attributes`` to store)."""
        return self.metadata.attributes

    @property
    def path(self) -> str:
        """Path of the group inside its store."""
        return self.store_path.path

    @property
    def name(self) -> str:
        """The path with a leading slash, h5py style (``/`` for the root)."""
        return f"/{self.path}" if self.path else "/"

    @property
    def basename(self) -> str:
        """Last component of ``name`` (empty for the root)."""
        return self.name.rpartition("/")[2]

    @property
    def store(self) -> Store:
        return self.store_path.store

    @property
    def read_only(self) -> bool:
        return bool(self.store_path.store.read_only)

    @property
    def synchronizer(self) -> None:
        """Always ``None``: kept for API compatibility with Zarr 2."""
        return None

    @property
    def zarr_format(self) -> Literal[2, 3]:
        return self.metadata.zarr_format

    @property
    def info(self) -> GroupInfo:
        """What is known without IO; member counts only from consolidated metadata."""
        return self._info(None if self._view is None else list(self._view.values()))

    async def info_complete(self) -> GroupInfo:
        """Like ``info``, with member counts (lists the store unless consolidated)."""
        return self._info([node.metadata async for _, node in self.members(max_depth=None)])

    def _info(self, members: list[NodeMetadata] | None) -> GroupInfo:
        groups = None if members is None else sum(1 for m in members if is_group_metadata(m))
        return GroupInfo(
            _name=self.path,
            _zarr_format=self.zarr_format,
            _read_only=self.read_only,
            _store_type=type(self.store).__name__,
            _count_members=None if members is None else len(members),
            _count_groups=groups,
            _count_arrays=None if members is None or groups is None else len(members) - groups,
        )

    def __repr__(self) -> str:
        return f"<AsyncGroup {self.store_path!r}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AsyncGroup):
            return NotImplemented
        return self.store_path == other.store_path and self.metadata == other.metadata

    __hash__ = None  # type: ignore[assignment]

    # -- members ------------------------------------------------------------

    def _node(self, relpath: str, meta: NodeMetadata) -> Node:
        where = self.store_path / relpath
        if is_group_metadata(meta):
            view = subtree(self._view, relpath) if self._view is not None else None
            return AsyncGroup(meta, where, _view=view)
        return array_from_metadata(where, meta)

    async def get_array(self, path: str) -> AsyncArray[ArrayMetadata]:
        """The array at ``path`` (may contain ``/``).

        Raises ``ArrayNotFoundError`` when nothing is there and
        ``ContainsGroupError`` when a group is, as in zarr-python.
        """
        where = self.store_path / normalize_member_name(path)
        try:
            node = await self.getitem(path)
        except KeyError as exc:
            raise ArrayNotFoundError(where.store, where.path) from exc
        if isinstance(node, AsyncGroup):
            raise ContainsGroupError(where.store, where.path)
        return node

    async def get_group(self, path: str) -> AsyncGroup:
        """The group at ``path`` (may contain ``/``).

        Raises ``GroupNotFoundError`` when nothing is there and
        ``ContainsArrayError`` when an array is, as in zarr-python.
        """
        where = self.store_path / normalize_member_name(path)
        try:
            node = await self.getitem(path)
        except KeyError as exc:
            raise GroupNotFoundError(where.store, where.path) from exc
        if not isinstance(node, AsyncGroup):
            raise ContainsArrayError(where.store, where.path)
        return node

    async def create_hierarchy(
        self, nodes: dict[str, NodeMetadata], *, overwrite: bool = False
    ) -> AsyncGenerator[tuple[str, Node], None]:
        """Create the nodes of ``nodes`` (relative path -> metadata) below this group.

        Missing groups in between are added; this group itself cannot be
        named (``ValueError``).  Yields ``(path, node)`` as each is made.
        """
        from anyzarr.api._functions_hierarchy import create_hierarchy

        if any(key.strip("/") == "" for key in nodes):
            raise ArgumentError(
                "the root of the hierarchy is this group; it cannot be named in nodes"
            )
        async for path, node in create_hierarchy(
            store=self.store_path, nodes=nodes, overwrite=overwrite
        ):
            yield path, node

    async def getitem(self, key: str) -> Node:
        """The array or group at ``key`` (may contain ``/``).

        Raises ``MemberNotFoundError`` (a ``KeyError``) when absent.  With
        consolidated metadata the store is not consulted.
        """
        key = normalize_member_name(key)
        if self._view is not None:
            meta = self._view.get(key)
            if meta is None:
                raise MemberNotFoundError(
                    f"{key!r} is not a member of group {self.path!r} (consolidated metadata)"
                )
            return self._node(key, meta)
        try:
            found = await read_node_metadata(
                self.store_path / key, self.zarr_format, use_consolidated=False
            )
        except NodeNotFoundError as exc:
            raise MemberNotFoundError(f"{key!r} is not a member of group {self.path!r}") from exc
        return self._node(key, found)

    async def get[D](self, key: str, default: D | None = None) -> Node | D | None:
        """``getitem(key)``, or ``default`` when there is no such member."""
        try:
            return await self.getitem(key)
        except KeyError:
            return default

    async def contains(self, member: str) -> bool:
        """Whether ``member`` exists in this group."""
        try:
            await self.getitem(member)
        except KeyError:
            return False
        return True

    async def setitem(self, key: str, value: npt.ArrayLike) -> None:
        """Store ``value`` as an array named ``key``, replacing what is there."""
        from anyzarr.api._functions_open import is_savable_array
        from anyzarr.api.asynchronous import save_array

        key = check_new_member_name(key, self.zarr_format)
        await save_array(
            self.store_path / key,
            value if is_savable_array(value) else np.asanyarray(value),
            zarr_format=self.zarr_format,
            overwrite=True,
        )
        self._forget(key)

    async def delitem(self, key: str) -> None:
        """Delete member ``key`` with everything below it.

        Deleting a member that does not exist does nothing, as in zarr-python.
        """
        key = normalize_member_name(key)
        await (self.store_path / key).delete_dir()
        self._forget(key)
        consolidated = getattr(self.metadata, "consolidated_metadata", None)
        if self._view is not None and consolidated is not None:
            # As zarr-python 3.4: the consolidated metadata, in memory and
            # stored, no longer lists what was deleted.
            from anyzarr.protocol.metadata import ConsolidatedMetadata

            self.metadata = dataclasses.replace(
                self.metadata, consolidated_metadata=ConsolidatedMetadata(dict(self._view))
            )
            await write_node_metadata(self.store_path, self.metadata)

    def _forget(self, key: str) -> None:
        if self._view is not None:
            for path in [p for p in self._view if p == key or p.startswith(f"{key}/")]:
                del self._view[path]

    def _remember(self, key: str, node: Node) -> None:
        if self._view is not None:
            self._forget(key)
            self._view[key] = node.metadata

    async def members(self, max_depth: int | None = 0) -> AsyncGenerator[tuple[str, Node], None]:
        """Yield ``(relative path, node)`` for members down to ``max_depth`` levels.

        ``max_depth=0`` yields children only, ``None`` the whole hierarchy.
        Members are read concurrently; order is by path within each level.
        """
        if max_depth is not None and max_depth < 0:
            raise ArgumentError(f"max_depth must be None or >= 0, not {max_depth}")
        if self._view is not None:
            found = sorted((p, m) for p, m in self._view.items() if within_depth(p, max_depth))
        else:
            found = await list_members(self.store_path, self.zarr_format, max_depth)
        for relpath, meta in found:
            yield relpath, self._node(relpath, meta)

    async def nmembers(self, max_depth: int | None = 0) -> int:
        """How many members ``members(max_depth)`` yields."""
        return len([1 async for _ in self.members(max_depth=max_depth)])

    async def keys(self) -> AsyncGenerator[str, None]:
        """Names of the direct members."""
        async for name, _ in self.members():
            yield name

    async def arrays(self) -> AsyncGenerator[tuple[str, AsyncArray[ArrayMetadata]], None]:
        """``(name, array)`` for the direct array members."""
        async for name, node in self.members():
            if not isinstance(node, AsyncGroup):
                yield name, node

    async def groups(self) -> AsyncGenerator[tuple[str, AsyncGroup], None]:
        """``(name, group)`` for the direct subgroups."""
        async for name, node in self.members():
            if isinstance(node, AsyncGroup):
                yield name, node

    async def array_keys(self) -> AsyncGenerator[str, None]:
        async for name, _ in self.arrays():
            yield name

    async def group_keys(self) -> AsyncGenerator[str, None]:
        async for name, _ in self.groups():
            yield name

    async def array_values(self) -> AsyncGenerator[AsyncArray[ArrayMetadata], None]:
        async for _, node in self.arrays():
            yield node

    async def group_values(self) -> AsyncGenerator[AsyncGroup, None]:
        async for _, node in self.groups():
            yield node

    # -- creating members -------------------------------------------------

    async def create_group(
        self, name: str, *, overwrite: bool = False, attributes: Mapping[str, JSON] | None = None
    ) -> AsyncGroup:
        """Create subgroup ``name``; ``ContainsGroupError``/``ContainsArrayError`` if taken.

        ``InvalidNodeNameError`` (a ``ValueError``) for an empty name, a ``.``
        or ``..`` segment, or, in format 3, a segment starting with ``__``.
        """
        name = check_new_member_name(name, self.zarr_format)
        child = await AsyncGroup.from_store(
            self.store_path / name,
            attributes=attributes,
            overwrite=overwrite,
            zarr_format=self.zarr_format,
        )
        self._remember(name, child)
        return child

    async def require_group(self, name: str, overwrite: bool = False) -> AsyncGroup:
        """The subgroup ``name``, created if absent.

        Raises ``IncompatibleMemberError`` (a ``TypeError``) if an array is there.
        """
        if overwrite:
            return await self.create_group(name, overwrite=True)
        try:
            node = await self.getitem(name)
        except KeyError:
            return await self.create_group(name)
        if not isinstance(node, AsyncGroup):
            raise IncompatibleMemberError(
                f"Incompatible object: an array, not a group, exists at {name!r}"
            )
        return node

    async def require_groups(self, *names: str) -> tuple[AsyncGroup, ...]:
        """``require_group`` for each name, concurrently; results in argument order."""
        results: dict[int, AsyncGroup] = {}

        async def one(index: int, name: str) -> None:
            results[index] = await self.require_group(name)

        async with task_group() as tg:
            for index, name in enumerate(names):
                tg.start_soon(one, index, name)
        return tuple(results[i] for i in range(len(names)))

    async def create_array(
        self,
        name: str,
        *,
        shape: ShapeLike | None = None,
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
        attributes: Mapping[str, JSON] | None = None,
        chunk_key_encoding: ChunkKeyEncodingLike | None = None,
        dimension_names: DimensionNames = None,
        storage_options: StorageOptions | None = None,
        overwrite: bool = False,
        config: ArrayConfigLike | None = None,
        write_data: bool = True,
    ) -> AsyncArray[ArrayMetadata]:
        """Create array ``name`` in this group (see ``anyzarr.api.asynchronous.create_array``)."""
        from anyzarr.api.asynchronous import create_array

        name = check_new_member_name(name, self.zarr_format)
        if compressor != "auto":
            if compressors != "auto":
                raise UsageError("pass compressors or compressor, not both")
            compressors = compressor
        elif self.zarr_format == 2 and isinstance(compressors, str) and compressors == "auto":
            # zarr-python 3.4's Group.create_array (unlike its create_array
            # function) gives format 2 arrays numcodecs' default Blosc.
            compressors = ({"id": "blosc"},)
        arr = await create_array(
            self.store_path,
            name=name,
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
            zarr_format=self.zarr_format,
            attributes=attributes,
            chunk_key_encoding=chunk_key_encoding,
            dimension_names=dimension_names,
            storage_options=storage_options,
            overwrite=overwrite,
            config=config,
            write_data=write_data,
        )
        self._remember(name, arr)
        return arr

    async def create_dataset(
        self, name: str, *, shape: ShapeLike, **kwargs: Unpack[CreateArrayOptions]
    ) -> AsyncArray[ArrayMetadata]:
        """h5py-style alias of ``create_array``."""
        return await self.create_array(name, shape=shape, **kwargs)

    async def require_array(
        self,
        name: str,
        *,
        shape: ShapeLike,
        dtype: DTypeLike | None = None,
        exact: bool = False,
        **kwargs: Unpack[CreateArraySettings],
    ) -> AsyncArray[ArrayMetadata]:
        """Array ``name``, created if absent.

        An existing member must be an array of the same shape whose dtype equals
        (``exact``) or can be cast to ``dtype``; otherwise ``TypeError``.
        """
        try:
            node = await self.getitem(name)
        except KeyError:
            return await self.create_array(name, shape=shape, dtype=dtype, **kwargs)
        if isinstance(node, AsyncGroup):
            raise IncompatibleMemberError(
                f"Incompatible object: a group, not an array, exists at {name!r}"
            )
        want_shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if tuple(node.shape) != want_shape:
            raise TypeError(
                f"Incompatible shape: array {name!r} has shape {node.shape}, not {want_shape}"
            )
        want = np.dtype("float64" if dtype is None else dtype)
        if (node.dtype != want) if exact else not np.can_cast(node.dtype, want):
            raise TypeError(
                f"Incompatible dtype: array {name!r} has dtype {node.dtype}, not {want}"
            )
        config = kwargs.get("config")
        # The runtime config applies to an existing array too (and is checked).
        return node if config is None else node.with_config(config)

    async def require_dataset(
        self,
        name: str,
        *,
        shape: ShapeLike,
        dtype: DTypeLike | None = None,
        exact: bool = False,
        **kwargs: Unpack[CreateArraySettings],
    ) -> AsyncArray[ArrayMetadata]:
        """h5py-style alias of ``require_array``."""
        return await self.require_array(name, shape=shape, dtype=dtype, exact=exact, **kwargs)

    def _new_member(self, name: str, kwargs: ArraySettings) -> str:
        """Check ``name`` and the format asked in ``kwargs`` (set to the group's if absent)."""
        name = check_new_member_name(name, self.zarr_format)
        asked = kwargs.setdefault("zarr_format", self.zarr_format)
        if asked not in (None, self.zarr_format):
            raise ArgumentError(
                f"cannot create a zarr_format={asked} array in a zarr_format="
                f"{self.zarr_format} group"
            )
        return name

    def _added(self, name: str, arr: AsyncArray[ArrayMetadata]) -> AsyncArray[ArrayMetadata]:
        self._remember(name, arr)
        return arr

    async def empty(
        self, *, name: str, shape: ShapeLike, **kwargs: Unpack[GroupCreateOptions]
    ) -> AsyncArray[ArrayMetadata]:
        """New array ``name`` whose contents are unspecified until written."""
        from anyzarr.api import asynchronous

        name = self._new_member(name, kwargs)
        return self._added(
            name, await asynchronous.empty(store=self.store_path, path=name, shape=shape, **kwargs)
        )

    async def zeros(
        self, *, name: str, shape: ShapeLike, **kwargs: Unpack[GroupCreateOptions]
    ) -> AsyncArray[ArrayMetadata]:
        """New array ``name`` that reads as zeros."""
        from anyzarr.api import asynchronous

        name = self._new_member(name, kwargs)
        return self._added(
            name, await asynchronous.zeros(store=self.store_path, path=name, shape=shape, **kwargs)
        )

    async def ones(
        self, *, name: str, shape: ShapeLike, **kwargs: Unpack[GroupCreateOptions]
    ) -> AsyncArray[ArrayMetadata]:
        """New array ``name`` that reads as ones."""
        from anyzarr.api import asynchronous

        name = self._new_member(name, kwargs)
        return self._added(
            name, await asynchronous.ones(store=self.store_path, path=name, shape=shape, **kwargs)
        )

    async def full(
        self,
        *,
        name: str,
        shape: ShapeLike,
        fill_value: object,
        **kwargs: Unpack[GroupFullOptions],
    ) -> AsyncArray[ArrayMetadata]:
        """New array ``name`` that reads as ``fill_value``."""
        from anyzarr.api import asynchronous

        name = self._new_member(name, kwargs)
        return self._added(
            name,
            await asynchronous.full(
                store=self.store_path, path=name, shape=shape, fill_value=fill_value, **kwargs
            ),
        )

    async def empty_like(
        self, *, name: str, data: object, **kwargs: Unpack[GroupArrayLikeOptions]
    ) -> AsyncArray[ArrayMetadata]:
        """New array ``name`` shaped like ``data``, contents unspecified."""
        from anyzarr.api import asynchronous

        name = self._new_member(name, kwargs)
        return self._added(
            name, await asynchronous.empty_like(store=self.store_path, path=name, a=data, **kwargs)
        )

    async def zeros_like(
        self, *, name: str, data: object, **kwargs: Unpack[GroupArrayLikeOptions]
    ) -> AsyncArray[ArrayMetadata]:
        """New array ``name`` shaped like ``data``, reading as zeros."""
        from anyzarr.api import asynchronous

        name = self._new_member(name, kwargs)
        return self._added(
            name, await asynchronous.zeros_like(store=self.store_path, path=name, a=data, **kwargs)
        )

    async def ones_like(
        self, *, name: str, data: object, **kwargs: Unpack[GroupArrayLikeOptions]
    ) -> AsyncArray[ArrayMetadata]:
        """New array ``name`` shaped like ``data``, reading as ones."""
        from anyzarr.api import asynchronous

        name = self._new_member(name, kwargs)
        return self._added(
            name, await asynchronous.ones_like(store=self.store_path, path=name, a=data, **kwargs)
        )

    async def full_like(
        self, *, name: str, data: object, **kwargs: Unpack[GroupArrayLikeOptions]
    ) -> AsyncArray[ArrayMetadata]:
        """New array ``name`` shaped like ``data`` and filled like it."""
        from anyzarr.api import asynchronous

        name = self._new_member(name, kwargs)
        return self._added(
            name, await asynchronous.full_like(store=self.store_path, path=name, a=data, **kwargs)
        )

    # -- changing the group ----------------------------------------------

    async def update_attributes(self, new_attributes: Mapping[str, JSON]) -> AsyncGroup:
        """Merge ``new_attributes`` into the attributes and store them; returns ``self``."""
        merged = {**self.metadata.attributes, **new_attributes}
        self.metadata = dataclasses.replace(self.metadata, attributes=merged)
        await write_node_metadata(self.store_path, self.metadata)
        return self

    async def move(self, source: str, dest: str) -> None:
        """Move member ``source`` (with everything below it) to ``dest``.

        Both paths are relative to this group.  Raises ``MemberNotFoundError``
        if ``source`` does not exist and ``ContainsArrayError`` /
        ``ContainsGroupError`` if ``dest`` is taken.
        """
        source = normalize_member_name(source)
        dest = check_new_member_name(dest, self.zarr_format)
        if dest == source or dest.startswith(f"{source}/"):
            raise UsageError(f"cannot move {source!r} into itself ({dest!r})")
        src_path, dst_path = self.store_path / source, self.store_path / dest
        if await existing_node(src_path) is None:
            raise MemberNotFoundError(f"{source!r} is not a member of group {self.path!r}")
        await ensure_no_node(dst_path)
        await ensure_parents(dst_path, self.zarr_format)
        await move_keys(src_path, dst_path)
        if self._view is not None:
            moved = {
                dest + p[len(source) :]: m
                for p, m in self._view.items()
                if p == source or p.startswith(f"{source}/")
            }
            self._forget(source)
            self._view.update(moved)

    async def tree(
        self,
        expand: bool | None = None,
        level: int | None = None,
        *,
        max_nodes: int = 500,
        plain: bool = False,
    ) -> TreeRepr:
        """A text drawing of the hierarchy below this group, ``level`` levels deep.

        ``level`` is passed to ``members`` as ``max_depth`` (zarr-python's
        meaning).  At most ``max_nodes`` members are drawn (the first found;
        a note says when some were left out).  Names are bold (ANSI codes)
        when standard output is a terminal, and ``<b>`` in the HTML form,
        unless ``plain``.  The tree is always fully expanded: ``expand=True``
        raises ``UnsupportedOperationError`` (a ``NotImplementedError``), as
        in zarr-python.
        """
        if expand:
            raise UnsupportedOperationError(
                "Group.tree(expand=True) is not supported: the tree is always fully expanded"
            )
        entries: list[tuple[str, str | None]] = []
        truncated = ""
        members = self.members(max_depth=level)
        try:
            async for path, node in members:
                if len(entries) == max_nodes:
                    truncated = (
                        f"Truncated at max_nodes={max_nodes}, "
                        "some nodes and their children may be missing\n"
                    )
                    break
                if isinstance(node, AsyncGroup):
                    entries.append((path, None))
                else:
                    entries.append((path, f"{tuple(node.shape)} {node.dtype}"))
        finally:
            await members.aclose()
        return render_tree(
            self.name,
            entries,
            bold=not plain and sys.stdout.isatty(),
            html_bold=not plain,
            truncated=truncated,
        )
