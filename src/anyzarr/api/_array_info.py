"""``ArrayInfo``: the summary ``AsyncArray.info`` and ``info_complete`` print."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numcodecs.abc
    import numpy as np

    from anyzarr.protocol.codecs import Codec
    from anyzarr.protocol.dtypes import DataType

__all__ = ["ArrayInfo", "human_bytes"]


def human_bytes(size: int) -> str:
    """``1728`` -> ``'1728 (1.7K)'``; sizes under a kibibyte stay bare."""
    if size < 1024:
        return str(size)
    value = float(size)
    for unit in "KMGTP":
        value /= 1024
        if value < 1024 or unit == "P":
            return f"{size} ({value:.1f}{unit})"
    return str(size)


@dataclass(kw_only=True)
class ArrayInfo:
    """Static facts about an array, plus stored sizes once they are counted."""

    _type: str = "Array"
    _zarr_format: int
    _data_type: DataType | np.dtype[np.generic]
    _fill_value: object = None
    _shape: tuple[int, ...]
    #: "<variable>" (as zarr-python prints it) for the shards or chunks of a rectilinear grid.
    _shard_shape: tuple[int, ...] | Literal["<variable>"] | None = None
    _chunk_shape: tuple[int, ...] | Literal["<variable>"] | None = None
    _order: str
    _read_only: bool
    _store_type: str
    _filters: tuple[Codec | numcodecs.abc.Codec, ...] = ()
    _serializer: Codec | None = None
    _compressors: tuple[Codec | numcodecs.abc.Codec, ...] = ()
    _count_bytes: int | None = None
    _count_bytes_stored: int | None = None
    _count_chunks_initialized: int | None = None

    def __repr__(self) -> str:
        rows: list[tuple[str, object]] = [
            ("Type", self._type),
            ("Zarr format", self._zarr_format),
            ("Data type", self._data_type),
            ("Fill value", self._fill_value),
            ("Shape", self._shape),
        ]
        if self._shard_shape is not None:
            rows.append(("Shard shape", self._shard_shape))
        rows += [
            ("Chunk shape", self._chunk_shape),
            ("Order", self._order),
            ("Read-only", self._read_only),
            ("Store type", self._store_type),
            ("Filters", self._filters),
        ]
        if self._serializer is not None:
            rows.append(("Serializer", self._serializer))
        rows.append(("Compressors", self._compressors))
        if self._count_bytes is not None:
            rows.append(("No. bytes", human_bytes(self._count_bytes)))
        if self._count_bytes_stored is not None:
            rows.append(("No. bytes stored", human_bytes(self._count_bytes_stored)))
            if self._count_bytes is not None and self._count_bytes_stored > 0:
                ratio = self._count_bytes / self._count_bytes_stored
                rows.append(("Storage ratio", f"{ratio:.1f}"))
        if self._count_chunks_initialized is not None:
            label = "Shards Initialized" if self._shard_shape is not None else "Chunks Initialized"
            rows.append((label, self._count_chunks_initialized))
        return "\n".join(f"{name:<19}: {value}" for name, value in rows)

    def __str__(self) -> str:
        return repr(self)


def grid_shape(shape: tuple[int, ...], chunks: tuple[int, ...]) -> tuple[int, ...]:
    """Number of chunks along each axis (edge chunks count)."""
    return tuple(math.ceil(s / c) if c else 0 for s, c in zip(shape, chunks, strict=True))
