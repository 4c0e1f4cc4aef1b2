"""Metadata documents: bytes in, metadata objects out, and back.

The entry points a store-facing caller needs: `parse_v3` (``zarr.json``),
`parse_v2` (``.zarray``/``.zgroup``/``.zattrs``), `parse_zmetadata`
(``.zmetadata``), and `metadata_documents`, which renders a node's documents
byte for byte as zarr-python 3.4 writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from anyzarr.protocol._errors import (
    ContainsArrayAndGroupError,
    MetadataValidationError,
    NodeNotFoundError,
)
from anyzarr.protocol.metadata._group import (
    ArrayMetadata,
    ConsolidatedMetadata,
    GroupMetadata,
    check_member_path,
    parse_group_v3,
)
from anyzarr.protocol.metadata._json import decode_json_object, encode_json
from anyzarr.protocol.metadata._repair import repair_array_document, warn_repaired
from anyzarr.protocol.metadata._v2 import ArrayV2Metadata, parse_array_v2
from anyzarr.protocol.metadata._v3 import ArrayV3Metadata, parse_array_v3

__all__ = [
    "consolidate",
    "group_from_zmetadata",
    "metadata_documents",
    "parse_v2",
    "parse_v3",
    "parse_zmetadata",
    "zmetadata_document",
]

ZARR_JSON = "zarr.json"
ZARRAY = ".zarray"
ZGROUP = ".zgroup"
ZATTRS = ".zattrs"
ZMETADATA = ".zmetadata"


def parse_v3(document: bytes | str | dict[str, Any], path: str) -> ArrayV3Metadata | GroupMetadata:
    """Parse a ``zarr.json`` document found at node ``path``."""
    where = f"{path or '/'}/zarr.json"
    data = decode_json_object(document, where)
    if data.get("zarr_format") != 3:
        raise MetadataValidationError(
            f"{where}: zarr_format must be 3, got {data.get('zarr_format')!r}"
        )
    node_type = data.get("node_type")
    if node_type == "array":
        data, note = repair_array_document(data, 3)
        meta = parse_array_v3(data, path)
        warn_repaired(path, note)
        return meta
    if node_type == "group":
        return parse_group_v3(data, path, parse_v3)
    raise MetadataValidationError(
        f"{where}: node_type must be 'array' or 'group', got {node_type!r}"
    )


def _attributes(zattrs: bytes | str | dict[str, Any] | None, path: str) -> dict[str, Any]:
    if zattrs is None:
        return {}
    return decode_json_object(zattrs, f"{path or '/'}/.zattrs")


def _check_v2_format(data: dict[str, Any], where: str) -> None:
    if data.get("zarr_format") != 2:
        raise MetadataValidationError(
            f"{where}: zarr_format must be 2, got {data.get('zarr_format')!r}"
        )


def parse_v2(
    zarray: bytes | str | dict[str, Any] | None,
    zgroup: bytes | str | dict[str, Any] | None,
    zattrs: bytes | str | dict[str, Any] | None,
    path: str,
) -> ArrayV2Metadata | GroupMetadata:
    """Parse the v2 documents of the node at ``path`` (None for each one that is absent)."""
    if zarray is not None and zgroup is not None:
        raise ContainsArrayAndGroupError(f"both .zarray and .zgroup exist at {path or '/'!r}")
    attributes = _attributes(zattrs, path)
    if zarray is not None:
        where = f"{path or '/'}/.zarray"
        data = decode_json_object(zarray, where)
        _check_v2_format(data, where)
        data, note = repair_array_document(data, 2)
        meta = parse_array_v2(data, attributes, path)
        warn_repaired(path, note)
        return meta
    if zgroup is not None:
        where = f"{path or '/'}/.zgroup"
        data = decode_json_object(zgroup, where)
        _check_v2_format(data, where)
        # zarr-python 3 writes a stray consolidated_metadata into child .zgroup
        # entries of .zmetadata; it carries nothing, so it is ignored.
        unknown = sorted(set(data) - {"zarr_format", "consolidated_metadata"})
        if unknown:
            raise MetadataValidationError(f"{where}: unknown field(s) {unknown}")
        return GroupMetadata(attributes, 2)
    raise NodeNotFoundError(f"no .zarray or .zgroup at {path or '/'!r}")


def parse_zmetadata(document: bytes | str | dict[str, Any], path: str) -> ConsolidatedMetadata:
    """Parse a v2 ``.zmetadata`` document into consolidated metadata (root excluded)."""
    where = f"{path or '/'}/.zmetadata"
    data = decode_json_object(document, where)
    if data.get("zarr_consolidated_format") != 1:
        raise MetadataValidationError(
            f"{where}: zarr_consolidated_format must be 1, "
            f"got {data.get('zarr_consolidated_format')!r}"
        )
    entries = data.get("metadata")
    if not isinstance(entries, dict):
        raise MetadataValidationError(f"{where}: metadata must be an object")
    nodes: dict[str, dict[str, Any]] = {}
    for key, doc in entries.items():
        node, _, name = key.rpartition("/")
        if name not in (ZARRAY, ZGROUP, ZATTRS):
            raise MetadataValidationError(f"{where}: unexpected key {key!r} in metadata")
        nodes.setdefault(node, {})[name] = doc
    flat: dict[str, ArrayMetadata | GroupMetadata] = {}
    for node, docs in nodes.items():
        if not node:
            continue
        check_member_path(node, f"{where}: metadata")
        if ZARRAY not in docs and ZGROUP not in docs:
            raise MetadataValidationError(f"{where}: {node!r} has .zattrs but no .zarray/.zgroup")
        child_path = f"{path.strip('/')}/{node}".strip("/")
        flat[node] = parse_v2(docs.get(ZARRAY), docs.get(ZGROUP), docs.get(ZATTRS), child_path)
    return ConsolidatedMetadata(flat)


def group_from_zmetadata(document: bytes | str | dict[str, Any], path: str) -> GroupMetadata:
    """The root group of a ``.zmetadata`` document, with its consolidated metadata attached."""
    where = f"{path or '/'}/.zmetadata"
    data = decode_json_object(document, where)
    entries = data.get("metadata")
    if not isinstance(entries, dict) or ZGROUP not in entries:
        raise MetadataValidationError(f"{where}: metadata has no root .zgroup")
    root = parse_v2(None, entries[ZGROUP], entries.get(ZATTRS), path)
    assert isinstance(root, GroupMetadata)
    return replace(root, consolidated_metadata=parse_zmetadata(data, path))


def consolidate(
    group: GroupMetadata, nodes: Mapping[str, ArrayMetadata | GroupMetadata]
) -> GroupMetadata:
    """``group`` with consolidated metadata for ``nodes`` (keyed by relative path).

    Child groups get an empty consolidated block, as zarr-python writes them.
    """
    flat: dict[str, ArrayMetadata | GroupMetadata] = {}
    for key, meta in nodes.items():
        if meta.zarr_format != group.zarr_format:
            raise MetadataValidationError(
                f"consolidated_metadata: {key!r} is Zarr v{meta.zarr_format} inside a "
                f"v{group.zarr_format} group"
            )
        if isinstance(meta, GroupMetadata):
            empty = ConsolidatedMetadata({}) if group.zarr_format == 3 else None
            meta = replace(meta, consolidated_metadata=empty)
        flat[key.strip("/")] = meta
    return replace(group, consolidated_metadata=ConsolidatedMetadata(flat))


def zmetadata_document(group: GroupMetadata) -> dict[str, Any]:
    """The v2 ``.zmetadata`` JSON object for a group with consolidated metadata."""
    entries: dict[str, Any] = {ZGROUP: group.to_dict(), ZATTRS: group.attributes}
    consolidated = group.consolidated_metadata or ConsolidatedMetadata({})
    flat = consolidated.flattened_metadata
    for key in sorted(flat):
        meta = flat[key]
        entries[f"{key}/{ZATTRS}"] = meta.attributes
        name = ZGROUP if isinstance(meta, GroupMetadata) else ZARRAY
        entries[f"{key}/{name}"] = meta.to_dict()
    return {"metadata": entries, "zarr_consolidated_format": 1}


def metadata_documents(meta: ArrayMetadata | GroupMetadata) -> dict[str, bytes]:
    """The metadata files of a node, relative name to bytes, as zarr-python 3.4 writes them."""
    if meta.zarr_format == 3:
        return {ZARR_JSON: encode_json(meta.to_dict())}
    if isinstance(meta, ArrayV2Metadata):
        return {ZARRAY: encode_json(meta.to_dict()), ZATTRS: encode_json(meta.attributes)}
    assert isinstance(meta, GroupMetadata)
    out = {ZGROUP: encode_json(meta.to_dict()), ZATTRS: encode_json(meta.attributes)}
    if meta.consolidated_metadata is not None:
        out[ZMETADATA] = encode_json(zmetadata_document(meta), indent=None)
    return out
