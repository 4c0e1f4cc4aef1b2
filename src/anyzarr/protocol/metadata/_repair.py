"""Reading invalid chunk sizes that older software stored, as zarr-python 3.4 reads them.

Writers before zarr-python 3 stored chunk sizes zarr's specifications do not
allow: JSON ``true`` for 1, and ``0`` (or ``false``) for an axis whose length
was 0 when the array was made.  zarr-python 3.4 reads such documents instead
of refusing them, and so does anyzarr, with the same results:

- ``true`` is read as 1, silently (zarr-python 2 read it so).
- ``0``/``false`` is read as the smallest chunk size the axis can have: 1,
  or the inner chunk size of a shard.  On an axis that is still of length 0
  this is silent; on a longer axis no chunk can have been stored, and a
  ``ZarrUserWarning`` says how the chunk shape was read and how to recreate
  the array with a chunk shape of the caller's choice.
- The inner chunk shape of a sharding codec has ``true`` read as 1.

Only stored documents are repaired (this module is called by the document
parsers); metadata built in code and every document anyzarr writes stay
strict.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from anyzarr.protocol._errors import ZarrUserWarning

__all__ = ["RECREATE_HINT", "repair_array_document", "warn_repaired"]

RECREATE_HINT = (
    "The array holds only its fill value, so recreate it with the chunk shape you want; "
    "nothing is lost: `zarr.from_array(array.store, name=array.path, data=array, "
    "chunks=<chunk shape>, overwrite=True, write_data=False)` keeps its data type, fill "
    "value, attributes and codecs. To keep the array as it is instead, store valid metadata "
    "with `array.update_attributes({})`. Either way, open the array writable first, and if a "
    "group holds consolidated metadata for the array, then also call "
    "`zarr.consolidate_metadata` on that group."
)


def _int_list(value: object) -> TypeGuard[list[int]]:
    return isinstance(value, list) and all(isinstance(v, int) for v in value)


def _read_chunk_shape(
    stored: object, spans: Sequence[int | None], units: Sequence[int]
) -> tuple[list[int], str | None] | None:
    """The chunk shape ``stored`` is read as, and the warning to give; None if nothing to read.

    ``spans`` are the axis lengths (None where unknown: a 0 is then left for
    the validators), ``units`` the smallest chunk size per axis.
    """
    if not (isinstance(stored, list) and len(stored) == len(spans)):
        return None
    read: list[int] = []
    notes: list[str] = []
    changed = False
    for axis, size in enumerate(stored):
        span = spans[axis]
        unit = units[axis] if axis < len(units) else 1
        if size is True:
            read.append(1)
            changed = True
        elif isinstance(size, int) and size >= 1:
            read.append(size)
        elif isinstance(size, int) and size == 0 and span is not None:
            read.append(unit)
            changed = True
            if span > 0:
                what = (
                    "1, as no chunk can be stored under a chunk size of 0"
                    if unit == 1
                    else f"{unit}, the inner chunk size, as no chunk can be stored under a "
                    "chunk size of 0"
                )
                notes.append(f"{json.dumps(size)} in dimension {axis} as {what}")
        else:
            return None
    if not changed:
        return None
    warning = None
    if notes:
        warning = (
            f"The stored chunk shape {json.dumps(stored)} is invalid: chunk sizes must be "
            f"integers of at least 1. It is read as {json.dumps(read)}, reading "
            f"{'; '.join(notes)}. {RECREATE_HINT}"
        )
    return read, warning


def _repair_sharding(codecs: object) -> list[Any] | None:
    """Codecs with ``true`` inner chunk sizes read as 1 (nested shards too); None if unchanged."""
    if not isinstance(codecs, list):
        return None
    out: list[Any] = []
    changed = False
    for codec in codecs:
        config = codec.get("configuration") if isinstance(codec, Mapping) else None
        if not (
            isinstance(codec, Mapping)
            and codec.get("name") == "sharding_indexed"
            and isinstance(config, Mapping)
        ):
            out.append(codec)
            continue
        # Compared by flag, not by value: True == 1 in Python.
        new_config = dict(config)
        touched = False
        inner = config.get("chunk_shape")
        if isinstance(inner, list):
            read = _read_chunk_shape(inner, [None] * len(inner), ())
            if read is not None:
                new_config["chunk_shape"] = read[0]
                touched = True
        nested = _repair_sharding(config.get("codecs"))
        if nested is not None:
            new_config["codecs"] = nested
            touched = True
        changed |= touched
        out.append({**codec, "configuration": new_config} if touched else codec)
    return out if changed else None


def _inner_units(codecs: object) -> list[int] | None:
    """The inner chunk shape of a sharding codec in ``codecs`` ([] if none; None if invalid)."""
    if isinstance(codecs, list):
        for codec in codecs:
            if isinstance(codec, Mapping) and codec.get("name") == "sharding_indexed":
                config = codec.get("configuration")
                inner = config.get("chunk_shape") if isinstance(config, Mapping) else None
                valid = _int_list(inner) and all(not isinstance(v, bool) and v >= 1 for v in inner)
                return inner if valid else None
    return []


def warn_repaired(path: str, message: str | None) -> None:
    """Give the warning of a repair (once the repaired document has validated)."""
    if message is not None:
        subject = f"Array {path!r}: " if path else ""
        warnings.warn(f"{subject}{message}", ZarrUserWarning, stacklevel=3)


def _positive_ints(value: object) -> bool:
    # Exact types: a bool is an int, and ``true`` is one of the repaired sizes.
    return type(value) is list and all(type(v) is int and v >= 1 for v in value)


def _nothing_to_repair(doc: dict[str, Any], zarr_format: int) -> bool:
    """A quick yes for the usual document: chunk sizes all positive and no sharding codec.

    Opening a consolidated group checks every member's document; nearly all
    of them need nothing, and this answers without the general walk below.
    """
    if zarr_format == 2:
        return _positive_ints(doc.get("chunks"))
    grid = doc.get("chunk_grid")
    config = grid.get("configuration") if type(grid) is dict else None
    if type(config) is not dict or not _positive_ints(config.get("chunk_shape")):
        return False
    codecs = doc.get("codecs")
    return type(codecs) is list and not any(
        type(c) is not dict or c.get("name") == "sharding_indexed" for c in codecs
    )


def repair_array_document(
    doc: dict[str, Any], zarr_format: int
) -> tuple[dict[str, Any], str | None]:
    """``doc`` (a stored array document) with the chunk sizes zarr-python 3.4 repairs read.

    Returns the document (``doc`` itself when nothing needed repair) and the
    warning to give once it validates (see :func:`warn_repaired`), if the
    caller has to act.
    """
    if _nothing_to_repair(doc, zarr_format):
        return doc, None
    shape = doc.get("shape")
    if not _int_list(shape):
        return doc, None
    if zarr_format == 2:
        read = _read_chunk_shape(doc.get("chunks"), shape, ())
        if read is None:
            return doc, None
        return {**doc, "chunks": read[0]}, read[1]
    codecs = _repair_sharding(doc.get("codecs"))
    if codecs is not None:
        doc = {**doc, "codecs": codecs}
    grid = doc.get("chunk_grid")
    units = _inner_units(doc.get("codecs"))
    config = grid.get("configuration") if isinstance(grid, Mapping) else None
    if units is None or not (
        isinstance(grid, Mapping) and grid.get("name") == "regular" and isinstance(config, Mapping)
    ):
        return doc, None
    read = _read_chunk_shape(config.get("chunk_shape"), shape, units)
    if read is None:
        return doc, None
    repaired = {**config, "chunk_shape": read[0]}
    return {**doc, "chunk_grid": {**grid, "configuration": repaired}}, read[1]
