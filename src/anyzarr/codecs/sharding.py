"""The ``sharding_indexed`` codec (``zarr.codecs.sharding``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from anyzarr.protocol.codecs import ShardingCodec

__all__ = ["IndexLocation", "ShardingCodec", "ShardingCodecIndexLocation", "SubchunkWriteOrder"]

#: Where a shard keeps its index.
IndexLocation = Literal["start", "end"]

#: zarr-python's option for the order inner chunks are written in; anyzarr
#: always writes them in Morton order (zarr-python's default).
SubchunkWriteOrder = Literal["morton", "unordered", "lexicographic", "colexicographic"]


class ShardingCodecIndexLocation(StrEnum):
    """Where a shard keeps its index (``ShardingCodec(index_location=...)``)."""

    start = "start"
    end = "end"
