"""Group metadata and consolidated metadata for both formats."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.metadata._common import check_extra_fields
from anyzarr.protocol.metadata._v2 import ArrayV2Metadata
from anyzarr.protocol.metadata._v3 import ArrayV3Metadata

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = [
    "ArrayMetadata",
    "ConsolidatedMetadata",
    "GroupMetadata",
    "NodeMetadata",
    "check_member_path",
]

ArrayMetadata = ArrayV2Metadata | ArrayV3Metadata


def check_member_path(key: object, field_name: str) -> None:
    # A "." or ".." segment would name a node outside the group.
    if not isinstance(key, str) or any(part in ("", ".", "..") for part in key.split("/")):
        raise MetadataValidationError(f"{field_name}: invalid node path {key!r}")


@dataclass(frozen=True, eq=False)
class ConsolidatedMetadata:
    """The metadata of every node below a group.

    ``metadata`` is nested, as in zarr-python: it holds the group's direct
    children by name, and each child group carries the consolidated metadata
    of its own children.  A flat mapping (``"a"``, ``"a/b"``, ... as stored)
    may be given and is nested on construction; :attr:`flattened_metadata`
    gives the flat form back.  In v3 it is stored inline in the group's
    ``zarr.json``; in v2 it is the ``.zmetadata`` document next to the group.
    """

    metadata: dict[str, ArrayMetadata | GroupMetadata] = field(default_factory=dict)
    kind: Literal["inline"] = "inline"
    must_understand: Literal[False] = False

    def __post_init__(self) -> None:
        for key in self.metadata:
            check_member_path(key, "consolidated_metadata.metadata")
        if any("/" in key for key in self.metadata):
            object.__setattr__(self, "metadata", _nested(self.metadata))

    @property
    def flattened_metadata(self) -> dict[str, ArrayMetadata | GroupMetadata]:
        """Every node below the group keyed by relative path (``"a"``, ``"a/b"``).

        Child groups come with an empty consolidated block when they had
        one, as zarr-python gives them.
        """
        flat: dict[str, ArrayMetadata | GroupMetadata] = {}
        stack: list[tuple[str, dict[str, ArrayMetadata | GroupMetadata]]] = [("", self.metadata)]
        while stack:
            prefix, level = stack.pop()
            for name, node in level.items():
                key = f"{prefix}{name}"
                if isinstance(node, GroupMetadata) and node.consolidated_metadata is not None:
                    stack.append((f"{key}/", node.consolidated_metadata.metadata))
                    node = replace(node, consolidated_metadata=ConsolidatedMetadata({}))
                flat[key] = node
        return flat

    def children(self, prefix: str = "") -> dict[str, ArrayMetadata | GroupMetadata]:
        """Direct children of the node at ``prefix`` (relative), keyed by name."""
        base = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        return {
            key[len(base) :]: meta
            for key, meta in self.flattened_metadata.items()
            if key.startswith(base) and "/" not in key[len(base) :]
        }

    def to_dict(self) -> dict[str, Any]:
        """The v3 inline form (``kind``, ``must_understand``, sorted flat ``metadata``)."""
        flat = self.flattened_metadata
        return {
            "kind": self.kind,
            "must_understand": self.must_understand,
            "metadata": {key: flat[key].to_dict() for key in sorted(flat)},
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConsolidatedMetadata):
            return NotImplemented
        return _comparable(self) == _comparable(other)

    def __hash__(self) -> int:
        return hash(json.dumps(_comparable(self), sort_keys=True, default=str))


def _nested(
    flat: dict[str, ArrayMetadata | GroupMetadata],
) -> dict[str, ArrayMetadata | GroupMetadata]:
    """A flat ``{"a": ..., "a/b": ...}`` mapping as zarr-python nests it.

    Each group gets the consolidated metadata of its direct children (an
    empty one when it has none).  A key whose parent is not a group in the
    mapping stays at the top level under its full path.
    """
    children: dict[str, dict[str, ArrayMetadata | GroupMetadata]] = {}
    top: dict[str, ArrayMetadata | GroupMetadata] = {}
    for key in sorted(flat, key=lambda k: k.count("/")):
        parent, _, name = key.rpartition("/")
        if parent and isinstance(flat.get(parent), GroupMetadata):
            children.setdefault(parent, {})[name] = flat[key]
        else:
            top[key] = flat[key]

    def build(key: str, node: ArrayMetadata | GroupMetadata) -> ArrayMetadata | GroupMetadata:
        if not isinstance(node, GroupMetadata):
            return node
        below = children.get(key, {})
        if not below and node.consolidated_metadata is not None:
            return node
        nested = {name: build(f"{key}/{name}", child) for name, child in below.items()}
        return replace(node, consolidated_metadata=ConsolidatedMetadata(nested))

    # Depth-first construction stays shallow: hierarchies nest rarely past a
    # handful of levels, and a key's depth bounds the recursion.
    return {key: build(key, node) for key, node in top.items()}


def _comparable(meta: ConsolidatedMetadata) -> dict[str, Any]:
    return {
        key: (value.to_dict(), value.attributes) for key, value in meta.flattened_metadata.items()
    }


@dataclass(frozen=True, eq=False)
class GroupMetadata:
    """A group: its attributes and, optionally, consolidated metadata of what it holds."""

    attributes: dict[str, Any] = field(default_factory=dict)
    zarr_format: Literal[2, 3] = 3
    consolidated_metadata: ConsolidatedMetadata | None = None
    extra_fields: dict[str, Any] = field(default_factory=dict)

    node_type: ClassVar[Literal["group"]] = "group"

    def __post_init__(self) -> None:
        if self.zarr_format not in (2, 3):
            raise MetadataValidationError(f"zarr_format: must be 2 or 3, got {self.zarr_format!r}")
        if not isinstance(self.attributes, dict):
            raise MetadataValidationError("attributes: must be an object")

    def with_attributes(self, attributes: dict[str, Any]) -> GroupMetadata:
        return replace(self, attributes=dict(attributes))

    def with_consolidated_metadata(
        self, consolidated: ConsolidatedMetadata | None
    ) -> GroupMetadata:
        return replace(self, consolidated_metadata=consolidated)

    def to_buffer_dict(self, prototype: BufferPrototype) -> dict[str, Buffer]:
        """This node's metadata files, relative name to a buffer of ``prototype``, as written."""
        from anyzarr.protocol.metadata._documents import metadata_documents

        return {
            name: prototype.buffer.from_bytes(data)
            for name, data in metadata_documents(self).items()
        }

    def to_dict(self) -> dict[str, Any]:
        """v3: the ``zarr.json`` document; v2: the ``.zgroup`` document."""
        if self.zarr_format == 2:
            return {"zarr_format": 2}
        out: dict[str, Any] = {"attributes": self.attributes, "zarr_format": 3}
        if self.consolidated_metadata is not None:
            out["consolidated_metadata"] = self.consolidated_metadata.to_dict()
        out["node_type"] = "group"
        out.update(self.extra_fields)
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GroupMetadata):
            return NotImplemented
        return (
            self.to_dict() == other.to_dict()
            and self.attributes == other.attributes
            and self.consolidated_metadata == other.consolidated_metadata
        )

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True, default=str))


NodeMetadata = ArrayV2Metadata | ArrayV3Metadata | GroupMetadata


def parse_group_v3(
    data: dict[str, Any],
    path: str,
    parse_node: Any,
) -> GroupMetadata:
    """Validate a v3 group document; ``parse_node`` parses consolidated child documents."""
    where = f"{path or '/'}/zarr.json"
    known = {"zarr_format", "node_type", "attributes", "consolidated_metadata"}
    extra = check_extra_fields({k: v for k, v in data.items() if k not in known}, where)
    attributes = data.get("attributes", {})
    if not isinstance(attributes, dict):
        raise MetadataValidationError(f"{where}: attributes must be an object")
    raw = data.get("consolidated_metadata")
    consolidated = None if raw is None else _parse_inline(raw, path, where, parse_node)
    return GroupMetadata(attributes, 3, consolidated, extra)


def _parse_inline(raw: Any, path: str, where: str, parse_node: Any) -> ConsolidatedMetadata:
    field_name = f"{where}: consolidated_metadata"
    if not isinstance(raw, dict):
        raise MetadataValidationError(f"{field_name} must be an object or null")
    if raw.get("kind", "inline") != "inline":
        raise MetadataValidationError(f"{field_name}.kind {raw.get('kind')!r} is not 'inline'")
    entries = raw.get("metadata", {})
    if not isinstance(entries, dict):
        raise MetadataValidationError(f"{field_name}.metadata must be an object")
    flat: dict[str, ArrayMetadata | GroupMetadata] = {}
    for key, doc in entries.items():
        check_member_path(key, f"{field_name}.metadata")
        child_path = f"{path.strip('/')}/{key}".strip("/")
        if not isinstance(doc, dict):
            raise MetadataValidationError(f"{field_name}.metadata[{key!r}] must be an object")
        node = parse_node(doc, child_path)
        if isinstance(node, GroupMetadata) and node.consolidated_metadata is not None:
            # Older writers nest children under their group; flatten them.
            for sub_key, sub in node.consolidated_metadata.metadata.items():
                flat.setdefault(f"{key}/{sub_key}", sub)
            node = replace(node, consolidated_metadata=ConsolidatedMetadata({}))
        flat[key] = node
    return ConsolidatedMetadata(flat)
