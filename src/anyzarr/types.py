"""Type aliases for annotating code that uses anyzarr (``zarr.types``)."""

from __future__ import annotations

from typing import Any, Literal

from anyzarr.api._array import AsyncArray
from anyzarr.api.synchronous import Array
from anyzarr.io._json import JSON
from anyzarr.protocol.dtypes._json_types import DTypeConfig_V2, DTypeJSON
from anyzarr.protocol.metadata import ArrayV2Metadata, ArrayV3Metadata

#: A Zarr format number.
ZarrFormat = Literal[2, 3]

type AnyAsyncArray = AsyncArray[Any]
"""A Zarr format 2 or 3 ``AsyncArray``."""

type AsyncArrayV2 = AsyncArray[ArrayV2Metadata]
"""A Zarr format 2 ``AsyncArray``."""

type AsyncArrayV3 = AsyncArray[ArrayV3Metadata]
"""A Zarr format 3 ``AsyncArray``."""

type AnyArray = Array
"""A Zarr format 2 or 3 ``Array`` (anyzarr's sync ``Array`` is not generic)."""

type ArrayV2 = Array
"""A Zarr format 2 ``Array``."""

type ArrayV3 = Array
"""A Zarr format 3 ``Array``."""

__all__ = [
    "JSON",
    "AnyArray",
    "AnyAsyncArray",
    "ArrayV2",
    "ArrayV3",
    "AsyncArrayV2",
    "AsyncArrayV3",
    "DTypeConfig_V2",
    "DTypeJSON",
    "ZarrFormat",
]
