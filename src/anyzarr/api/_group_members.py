"""Finding the members of a group: from the store or from consolidated metadata.

Listing reads every child's metadata concurrently, one task per child, and a
whole level of a hierarchy at a time, so a wide group costs one round trip
per level rather than one per member.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Literal

from typing_extensions import TypeIs

from anyzarr.api._group_names import check_consolidated_member
from anyzarr.io._metadata_io import (
    ZARR_JSON,
    ZARRAY_JSON,
    ZATTRS_JSON,
    ZGROUP_JSON,
    ZMETADATA_V2_JSON,
    read_node_metadata,
    task_group,
)
from anyzarr.protocol._errors import NodeNotFoundError

if TYPE_CHECKING:
    from anyzarr.io._store_path import StorePath
    from anyzarr.protocol.metadata import GroupMetadata, NodeMetadata

__all__ = [
    "ViewWindow",
    "consolidated_view",
    "is_group_metadata",
    "list_members",
    "subtree",
    "within_depth",
]

_METADATA_NAMES = frozenset({ZARR_JSON, ZARRAY_JSON, ZATTRS_JSON, ZGROUP_JSON, ZMETADATA_V2_JSON})


def is_group_metadata(meta: object) -> TypeIs[GroupMetadata]:
    from anyzarr.protocol.metadata import GroupMetadata

    return isinstance(meta, GroupMetadata)


def _consolidated_entries(meta: NodeMetadata) -> Mapping[str, NodeMetadata] | None:
    from anyzarr.protocol.metadata import GroupMetadata

    consolidated = meta.consolidated_metadata if isinstance(meta, GroupMetadata) else None
    return None if consolidated is None else consolidated.metadata


def consolidated_view(meta: GroupMetadata, group_path: str = "") -> dict[str, NodeMetadata] | None:
    """Every descendant recorded in ``meta``'s consolidated metadata, by relative path.

    Works whether the parsed consolidated metadata is flat (``"a/b"`` keys, as
    stored) or nested (each group entry holding its own children).

    Raises ``MetadataValidationError`` naming a member whose name is not a
    clean relative path (``../x``, ``/x``, ``a//b``): such a member would
    resolve outside the group.
    """
    entries = _consolidated_entries(meta)
    if entries is None:
        return None
    flat: dict[str, NodeMetadata] = {}
    stack: list[tuple[str, Mapping[str, NodeMetadata]]] = [("", entries)]
    while stack:
        prefix, level = stack.pop()
        for name, child in level.items():
            path = f"{prefix}{check_consolidated_member(name, group_path)}"
            flat[path] = child
            nested = _consolidated_entries(child) if is_group_metadata(child) else None
            if nested:
                stack.append((f"{path}/", nested))
    return flat


class ViewWindow(MutableMapping[str, "NodeMetadata"]):
    """The part of a flat consolidated view below a path, re-rooted there.

    A window holds no copy: what a subgroup adds or deletes through its window
    its parent sees too (as zarr-python's subgroups share their parent's
    consolidated metadata).
    """

    __slots__ = ("_prefix", "_root")
    _root: MutableMapping[str, NodeMetadata]
    _prefix: str

    def __init__(self, root: MutableMapping[str, NodeMetadata], prefix: str) -> None:
        if isinstance(root, ViewWindow):  # a window of a window looks at the root
            self._root, self._prefix = root._root, root._prefix + prefix
        else:
            self._root, self._prefix = root, prefix

    def __getitem__(self, key: str) -> NodeMetadata:
        return self._root[self._prefix + key]

    def __setitem__(self, key: str, value: NodeMetadata) -> None:
        self._root[self._prefix + key] = value

    def __delitem__(self, key: str) -> None:
        del self._root[self._prefix + key]

    def __iter__(self) -> Iterator[str]:
        cut = len(self._prefix)
        return iter([key[cut:] for key in self._root if key.startswith(self._prefix)])

    def __len__(self) -> int:
        return sum(1 for key in self._root if key.startswith(self._prefix))


def subtree(view: MutableMapping[str, NodeMetadata], path: str) -> ViewWindow:
    """The part of a flat consolidated view below ``path``, re-rooted there (a window)."""
    return ViewWindow(view, f"{path}/")


def within_depth(path: str, max_depth: int | None) -> bool:
    return max_depth is None or path.count("/") <= max_depth


async def _children(
    store_path: StorePath, zarr_format: Literal[2, 3]
) -> list[tuple[str, NodeMetadata]]:
    names = [
        name
        async for name in store_path.store.list_dir(store_path.path)
        if name not in _METADATA_NAMES and not name.startswith(".")
    ]
    found: dict[str, NodeMetadata] = {}

    async def read(name: str) -> None:
        try:
            found[name] = await read_node_metadata(
                store_path / name,
                zarr_format=zarr_format,
                use_consolidated=False,
            )
        except NodeNotFoundError:
            pass  # a directory without metadata (chunk data, stray files) is no member

    async with task_group() as tg:
        for name in names:
            tg.start_soon(read, name)
    return sorted(found.items())


async def list_members(
    store_path: StorePath, zarr_format: Literal[2, 3], max_depth: int | None
) -> list[tuple[str, NodeMetadata]]:
    """Members below ``store_path`` down to ``max_depth`` levels (0: children only)."""
    result: list[tuple[str, NodeMetadata]] = []
    level: list[tuple[str, StorePath]] = [("", store_path)]
    depth = 0
    while level:
        next_level: list[tuple[str, StorePath]] = []

        async def expand(
            prefix: str, where: StorePath, next_level: list[tuple[str, StorePath]] = next_level
        ) -> None:
            for name, meta in await _children(where, zarr_format):
                path = f"{prefix}{name}"
                result.append((path, meta))
                if is_group_metadata(meta):
                    next_level.append((f"{path}/", where / name))

        async with task_group() as tg:
            for prefix, where in level:
                tg.start_soon(expand, prefix, where)
        if max_depth is not None and depth >= max_depth:
            break
        depth += 1
        level = next_level
    return result
