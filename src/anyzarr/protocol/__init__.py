"""The sans-IO protocol layer: pure, synchronous Zarr logic.

Nothing in this package performs IO or schedules work.  It answers questions
(what does this metadata mean, which chunks does this selection touch, which
bytes do I need) and transforms bytes (codecs), so it can be embedded in any
IO stack.
"""

from __future__ import annotations

from anyzarr.protocol._byte_request import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
    range_header,
    slice_for,
)

__all__ = [
    "ByteRequest",
    "OffsetByteRequest",
    "RangeByteRequest",
    "SuffixByteRequest",
    "range_header",
    "slice_for",
]
