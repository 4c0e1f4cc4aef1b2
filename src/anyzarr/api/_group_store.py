"""Store-level helpers groups share with the async functions.

They check what already occupies a path, create missing parent groups, and
move every key of a node to another path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from anyzarr.io._metadata_io import read_node_metadata, task_group, write_node_metadata
from anyzarr.io._store import resolve_prototype
from anyzarr.protocol._errors import (
    ContainsArrayError,
    ContainsGroupError,
    NodeNotFoundError,
)

if TYPE_CHECKING:
    from anyzarr.io._store_path import StorePath
    from anyzarr.protocol.metadata import ArrayV2Metadata, ArrayV3Metadata, GroupMetadata

    NodeMetadata = ArrayV2Metadata | ArrayV3Metadata | GroupMetadata

__all__ = ["ensure_no_node", "ensure_parents", "existing_node", "move_keys", "root_of"]


def root_of(store_path: StorePath) -> StorePath:
    from anyzarr.io._store_path import StorePath as _StorePath

    return _StorePath(store_path.store, "")


async def existing_node(
    store_path: StorePath, zarr_format: Literal[2, 3] | None = None
) -> NodeMetadata | None:
    """The metadata at ``store_path`` in ``zarr_format`` (None: either), or ``None``."""
    try:
        return await read_node_metadata(store_path, zarr_format=zarr_format, use_consolidated=False)
    except NodeNotFoundError:
        return None


async def ensure_no_node(store_path: StorePath, zarr_format: Literal[2, 3] | None = None) -> None:
    """Raise ``ContainsArrayError`` / ``ContainsGroupError`` if a node (of
    ``zarr_format``, when given) is there."""
    from anyzarr.protocol.metadata import GroupMetadata

    found = await existing_node(store_path, zarr_format)
    where = f"path {store_path.path!r} in {store_path.store!r}"
    if isinstance(found, GroupMetadata):
        raise ContainsGroupError(f"a group already exists at {where}")
    if found is not None:
        raise ContainsArrayError(f"an array already exists at {where}")


async def ensure_parents(store_path: StorePath, zarr_format: int) -> None:
    """Write group metadata for every ancestor of ``store_path`` that has none.

    Without this a node created at ``a/b/c`` could not be reached by listing
    from the root.  An ancestor that is an array is an error: arrays have no
    members.
    """
    from anyzarr.protocol.metadata import GroupMetadata

    parts = store_path.path.split("/")[:-1] if store_path.path else []
    root = root_of(store_path)
    ancestors = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    if store_path.path:
        ancestors.insert(0, "")
    found: dict[str, NodeMetadata | None] = {}

    async def look(path: str) -> None:
        found[path] = await existing_node(root / path if path else root)

    async with task_group() as tg:
        for path in ancestors:
            tg.start_soon(look, path)
    for path in ancestors:
        meta = found[path]
        if meta is not None and not isinstance(meta, GroupMetadata):
            # zarr-python's wording (a ValueError there; ContainsArrayError is one).
            raise ContainsArrayError(
                f"A parent of {store_path} is an array - only groups may have child nodes "
                f"(an array exists at {path!r})."
            )

    async with task_group() as tg:
        for path in ancestors:
            if found[path] is None:
                target = root / path if path else root
                tg.start_soon(
                    write_node_metadata,
                    target,
                    GroupMetadata(zarr_format=zarr_format),  # type: ignore[arg-type]
                )


async def move_keys(source: StorePath, dest: StorePath) -> None:
    """Copy every key under ``source`` to the same place under ``dest``, then delete it.

    Keys are copied concurrently and deleted only once all copies succeeded, so
    a failure part way leaves the source whole.
    """
    store = source.store
    prefix = f"{source.path}/" if source.path else ""
    keys = [key async for key in store.list_prefix(prefix)]

    async def copy_one(key: str) -> None:
        value = await store.get(key, resolve_prototype(None))
        if value is not None:
            relative = key[len(prefix) :]
            await store.set(f"{dest.path}/{relative}" if dest.path else relative, value)

    async with task_group() as tg:
        for key in keys:
            tg.start_soon(copy_one, key)
    async with task_group() as tg:
        for key in keys:
            tg.start_soon(store.delete, key)
