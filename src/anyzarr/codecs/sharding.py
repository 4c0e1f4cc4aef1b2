"""The ``sharding_indexed`` codec (``zarr.codecs.sharding``)."""

from __future__ import annotations

from typing import ClassVar, Literal

from anyzarr.codecs._deprecated_enum import DeprecatedOptions
from anyzarr.protocol.codecs import ShardingCodec

__all__ = ["IndexLocation", "ShardingCodec", "ShardingCodecIndexLocation", "SubchunkWriteOrder"]

#: Where a shard keeps its index.
IndexLocation = Literal["start", "end"]

#: zarr-python's option for the order inner chunks are written in; anyzarr
#: always writes them in Morton order (zarr-python's default).
SubchunkWriteOrder = Literal["morton", "unordered", "lexicographic", "colexicographic"]


class ShardingCodecIndexLocation(DeprecatedOptions):
    """Deprecated (as in zarr-python 3.4): pass ``ShardingCodec(index_location=...)`` a string."""

    _members: ClassVar[dict[str, str]] = {"start": "start", "end": "end"}
