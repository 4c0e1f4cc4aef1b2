"""Facts about nodes as plain, JSON-ready dicts: what ``info``, ``tree`` and ``ls`` show.

One set of dicts feeds both outputs: ``--json`` prints them as they are, and
the terminal renderer lays the same fields out as tables and trees, so the
two never disagree.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from anyzarr.api._array import AsyncArray
from anyzarr.api._group import AsyncGroup
from anyzarr.protocol._errors import UnsupportedOperationError

__all__ = ["array_facts", "codec_json", "group_facts", "jsonable", "member_rows", "tree_facts"]

Node = AsyncArray[Any] | AsyncGroup


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars, bytes, complex and non-finite floats made JSON-safe."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, complex):
        return [jsonable(value.real), jsonable(value.imag)]
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def codec_json(codec: Any) -> Any:
    """A codec as its metadata JSON (format 3) or numcodecs config (format 2)."""
    if hasattr(codec, "to_dict"):
        return jsonable(codec.to_dict())
    if hasattr(codec, "get_config"):
        return jsonable(codec.get_config())
    return str(codec)


def _codecs(codecs: Sequence[Any]) -> list[Any]:
    return [codec_json(c) for c in codecs]


async def array_facts(array: AsyncArray[Any]) -> dict[str, Any]:
    """Format, shape, grid, codecs and stored sizes of ``array``.

    Stored counts need a listing; for stores that cannot list (plain HTTP)
    they are ``None``.
    """
    stored: int | None
    initialized: int | None
    try:
        info = await array.info_complete()
        stored = info._count_bytes_stored
        initialized = info._count_chunks_initialized
    except UnsupportedOperationError:
        stored = initialized = None
    nbytes = int(array.nbytes)
    return {
        "node_type": "array",
        "path": array.path,
        "zarr_format": array.zarr_format,
        "shape": list(array.shape),
        "dtype": str(array.dtype),
        "chunks": list(array.chunks),
        "shards": None if array.shards is None else list(array.shards),
        "fill_value": jsonable(array.fill_value),
        "order": array.order,
        "filters": _codecs(array.filters),
        "serializer": None if array.serializer is None else codec_json(array.serializer),
        "compressors": _codecs(array.compressors),
        "bytes_uncompressed": nbytes,
        "bytes_stored": stored,
        "compression_ratio": None if not stored else round(nbytes / stored, 3),
        "chunks_stored": initialized,
        "chunks_total": array.nshards,
        "attributes": jsonable(dict(array.attrs)),
    }


async def group_facts(group: AsyncGroup) -> dict[str, Any]:
    """Format, attributes, member counts and stored size of ``group``."""
    members = [node async for _, node in group.members(max_depth=None)]
    try:
        prefix = f"{group.path}/" if group.path else ""
        stored: int | None = await group.store.getsize_prefix(prefix)
    except UnsupportedOperationError:
        stored = None
    return {
        "node_type": "group",
        "path": group.path,
        "zarr_format": group.zarr_format,
        "consolidated": group.metadata.consolidated_metadata is not None,
        "arrays": sum(isinstance(n, AsyncArray) for n in members),
        "groups": sum(isinstance(n, AsyncGroup) for n in members),
        "bytes_uncompressed": sum(int(n.nbytes) for n in members if isinstance(n, AsyncArray)),
        "bytes_stored": stored,
        "attributes": jsonable(dict(group.attrs)),
    }


def _row(name: str, node: Node) -> dict[str, Any]:
    if isinstance(node, AsyncArray):
        return {
            "name": name,
            "node_type": "array",
            "shape": list(node.shape),
            "dtype": str(node.dtype),
            "chunks": list(node.chunks),
            "shards": None if node.shards is None else list(node.shards),
        }
    return {"name": name, "node_type": "group"}


async def member_rows(group: AsyncGroup) -> list[dict[str, Any]]:
    """One row per direct member of ``group``, sorted by name."""
    rows = [_row(name, node) async for name, node in group.members()]
    return sorted(rows, key=lambda r: r["name"])


async def tree_facts(node: Node, name: str = "/", depth: int | None = None) -> dict[str, Any]:
    """``node`` and its descendants (to ``depth`` levels) as nested dicts."""
    row = _row(name, node)
    if isinstance(node, AsyncGroup):
        children: list[dict[str, Any]] = []
        if depth is None or depth > 0:
            below = None if depth is None else depth - 1
            members = sorted([m async for m in node.members()], key=lambda m: m[0])
            for child_name, child in members:
                children.append(await tree_facts(child, child_name, below))
        row["children"] = children
    return row
