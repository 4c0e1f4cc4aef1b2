"""Small helpers of ``AsyncArray`` kept out of the class body."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import msgspec
import numpy as np

from anyzarr.io._tasks import task_group
from anyzarr.protocol._errors import MetadataValidationError

__all__ = ["allow_pickle", "delete_outside", "iter_grid", "metadata_from_dict", "pop_fields"]

Fields = str | Sequence[str] | None


def pop_fields(selection: Any) -> tuple[Fields, Any]:
    """Split structured-dtype field names off a ``getitem`` selection."""
    if isinstance(selection, str):
        return selection, Ellipsis
    if isinstance(selection, list) and selection and all(isinstance(s, str) for s in selection):
        return list(selection), Ellipsis
    if not isinstance(selection, tuple):
        return None, selection
    names = [s for s in selection if isinstance(s, str)]
    rest = tuple(s for s in selection if not isinstance(s, str))
    if not names:
        return None, selection
    fields: Fields = names[0] if len(names) == 1 else names
    return fields, rest if rest else Ellipsis


def metadata_from_dict(data: Mapping[str, Any], path: str) -> Any:
    from anyzarr.protocol.metadata import parse_v2, parse_v3

    fmt = data.get("zarr_format")
    if fmt == 3:
        return parse_v3(dict(data), path)
    if fmt == 2:
        attrs = data.get("attributes")
        body = {k: v for k, v in data.items() if k != "attributes"}
        zattrs = msgspec.json.encode(attrs) if attrs else None
        return parse_v2(msgspec.json.encode(body), None, zattrs, path)
    raise MetadataValidationError(
        f"Invalid zarr_format: {fmt}. Expected 2 or 3 (array metadata for path {path!r})"
    )


def allow_pickle() -> bool:
    from anyzarr.config import config

    return bool(
        config.get("codecs.allow_pickle", False)
        or config.get("array.allow_unsafe_pickle_decode", False)
    )


def iter_grid(
    grid: tuple[int, ...],
    origin: Sequence[int] | None,
    selection_shape: Sequence[int] | None,
) -> Iterator[tuple[int, ...]]:
    start = tuple(origin) if origin is not None else (0,) * len(grid)
    extent = (
        tuple(selection_shape)
        if selection_shape is not None
        else tuple(g - s for g, s in zip(grid, start, strict=True))
    )
    ranges = [range(s, min(s + e, g)) for s, e, g in zip(start, extent, grid, strict=True)]
    for idx in np.ndindex(*(len(r) for r in ranges)):
        yield tuple(r[i] for r, i in zip(ranges, idx, strict=True))


async def delete_outside(array: Any, shape: tuple[int, ...]) -> None:
    """Delete the stored objects of ``array`` that lie wholly outside ``shape``."""
    meta = array.metadata
    stored = tuple(meta.chunk_shape)
    prefix = f"{array.path}/" if array.path else ""
    doomed = [
        prefix + meta.encode_chunk_key(coords)
        for coords in array._iter_shard_coords()
        if any(c * s >= n for c, s, n in zip(coords, stored, shape, strict=True))
    ]
    async with task_group() as tg:
        for key in doomed:
            tg.start_soon(array.store.delete, key)
