"""Whole-hierarchy operations: ``consolidate_metadata`` and ``create_hierarchy``."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Literal

import msgspec

from anyzarr.api._functions_common import resolve, zarr_format_of
from anyzarr.api._group import AsyncGroup
from anyzarr.api._group_members import is_group_metadata, list_members
from anyzarr.api._group_nodes import array_from_metadata
from anyzarr.api._group_store import ensure_no_node, existing_node
from anyzarr.io._metadata_io import (
    ZARR_JSON,
    ZMETADATA_V2_JSON,
    task_group,
    write_node_metadata,
)
from anyzarr.protocol._errors import ContainsArrayError, UsageError, ZarrUserWarning

if TYPE_CHECKING:
    from anyzarr.api._array import AsyncArray
    from anyzarr.io._json import JSON, JSONObject
    from anyzarr.io._store_path import StoreLike, StorePath
    from anyzarr.protocol.metadata import ArrayMetadata, NodeMetadata

__all__ = ["consolidate_metadata", "create_hierarchy"]

_EMPTY_INLINE: JSONObject = {"kind": "inline", "must_understand": False, "metadata": {}}


def _documents(meta: NodeMetadata) -> dict[str, JSONObject]:
    from anyzarr.protocol.metadata import metadata_documents

    return {name: msgspec.json.decode(raw) for name, raw in metadata_documents(meta).items()}


def _v3_document(meta: NodeMetadata) -> JSONObject:
    doc = _documents(meta)[ZARR_JSON]
    doc.pop("consolidated_metadata", None)
    if doc.get("node_type") == "group":
        # zarr-python marks consolidated subgroups with an empty inline block.
        doc = _with_consolidated(doc, dict(_EMPTY_INLINE))
    return doc


def _with_consolidated(doc: JSONObject, block: JSONObject) -> JSONObject:
    out = {k: v for k, v in doc.items() if k != "node_type"}
    out["consolidated_metadata"] = block
    out["node_type"] = doc.get("node_type", "group")
    return out


def _encode(doc: JSONObject) -> bytes:
    return msgspec.json.format(msgspec.json.encode(doc), indent=2)


async def consolidate_metadata(
    store: StoreLike,
    path: str | None = None,
    zarr_format: Literal[2, 3] | None = None,
) -> AsyncGroup:
    """Record the metadata of every node below a group in that group.

    Format 3 stores it inline in the group's ``zarr.json``; format 2 writes
    ``.zmetadata``.  Afterwards the group opens, with all its members, in one
    read.  Raises ``TypeError`` for stores that do not support it.
    """
    from anyzarr.protocol.buffer.cpu import Buffer

    store_path = await resolve(store, path=path)
    if not getattr(store_path.store, "supports_consolidated_metadata", True):
        raise TypeError(f"{type(store_path.store).__name__} doesn't support consolidated metadata")
    zarr_format = zarr_format_of(zarr_format, None)
    group = await AsyncGroup.open(store_path, zarr_format=zarr_format, use_consolidated=False)
    members = await list_members(store_path, group.zarr_format, None)
    if any(meta.zarr_format == 3 for _, meta in members):
        warnings.warn(
            "Consolidated metadata is currently not part in the Zarr format 3 specification. It "
            "may not be supported by other zarr implementations and may change in the future.",
            ZarrUserWarning,
            stacklevel=2,
        )
    if group.zarr_format == 3:
        block: JSONObject = {
            "kind": "inline",
            "must_understand": False,
            "metadata": {p: _v3_document(m) for p, m in sorted(members)},
        }
        own = _documents(group.metadata)[ZARR_JSON]
        await (store_path / ZARR_JSON).set(
            Buffer.from_bytes(_encode(_with_consolidated(own, block)))
        )
    else:
        entries: dict[str, JSON] = {}
        for relpath, meta in [("", group.metadata), *sorted(members)]:
            for name, doc in _documents(meta).items():
                entries[f"{relpath}/{name}" if relpath else name] = doc
        zmetadata: JSONObject = {"metadata": entries, "zarr_consolidated_format": 1}
        await (store_path / ZMETADATA_V2_JSON).set(Buffer.from_bytes(_encode(zmetadata)))
    return await AsyncGroup.open(store_path, zarr_format=group.zarr_format, use_consolidated=True)


def _complete(nodes: dict[str, NodeMetadata]) -> tuple[dict[str, NodeMetadata], set[str]]:
    """Add implicit parent groups; return the nodes and the implicit paths."""
    from anyzarr.protocol.metadata import GroupMetadata

    cleaned = {key.strip("/"): meta for key, meta in nodes.items()}
    formats = {meta.zarr_format for meta in cleaned.values()}
    if len(formats) > 1:
        raise UsageError(f"create_hierarchy got nodes of mixed zarr formats {sorted(formats)}")
    zarr_format = formats.pop() if formats else 3
    implicit: set[str] = set()
    for key in list(cleaned):
        parts = key.split("/") if key else []
        for i in range(len(parts)):
            parent = "/".join(parts[:i])
            existing = cleaned.get(parent)
            if existing is None:
                cleaned[parent] = GroupMetadata(zarr_format=zarr_format)
                implicit.add(parent)
            elif not is_group_metadata(existing):
                raise ContainsArrayError(f"{key!r} cannot be below the array {parent!r}")
    return cleaned, implicit


async def create_hierarchy(
    *,
    store: StoreLike,
    nodes: dict[str, NodeMetadata],
    overwrite: bool = False,
) -> AsyncIterator[tuple[str, AsyncGroup | AsyncArray[ArrayMetadata]]]:
    """Write a hierarchy of metadata objects concurrently, yielding each node made.

    Missing parent groups are added; an implicit parent that already exists as
    a group is left alone.  Without ``overwrite`` an existing node at an
    explicitly named path raises ``ContainsArrayError`` / ``ContainsGroupError``.
    """
    store_path = await resolve(store)
    complete, implicit = _complete(nodes)
    made: list[tuple[str, NodeMetadata]] = []
    to_write: dict[str, NodeMetadata] = {}

    async def check(key: str, meta: NodeMetadata) -> None:
        # First pass: decide and clear, so no deletion races a write below it.
        where = store_path / key if key else store_path
        if key in implicit:
            found = await existing_node(where)
            if found is not None:
                if not is_group_metadata(found):
                    raise ContainsArrayError(f"an array exists at the implicit group {key!r}")
                return
        elif overwrite:
            found = await existing_node(where)
            if found is not None and not (is_group_metadata(found) and is_group_metadata(meta)):
                await where.delete_dir()
            else:
                await _clear_node(where)
        else:
            await ensure_no_node(where)
        to_write[key] = meta

    async def make(key: str, meta: NodeMetadata) -> None:
        await write_node_metadata(store_path / key if key else store_path, meta)
        made.append((key, meta))

    async with task_group() as tg:
        for key, meta in complete.items():
            tg.start_soon(check, key, meta)
    async with task_group() as tg:
        for key, meta in to_write.items():
            tg.start_soon(make, key, meta)
    for key, meta in made:
        where = store_path / key if key else store_path
        if is_group_metadata(meta):
            yield key, AsyncGroup(meta, where)
        else:
            yield key, array_from_metadata(where, meta)


async def _clear_node(where: StorePath) -> None:
    """Remove the metadata documents of the node at ``where`` (not its children)."""
    from anyzarr.io._metadata_io import ZARRAY_JSON, ZATTRS_JSON, ZGROUP_JSON

    async with task_group() as tg:
        for name in (ZARR_JSON, ZARRAY_JSON, ZGROUP_JSON, ZATTRS_JSON, ZMETADATA_V2_JSON):
            tg.start_soon((where / name).delete)
