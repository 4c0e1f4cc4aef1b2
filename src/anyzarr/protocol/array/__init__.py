"""Whole-array operations as sans-IO plans: read a selection, write a value.

`ArrayRead` and `ArrayWrite` own everything Zarr about an operation on an
array: which stored objects a selection touches, the requests for their
bytes (whole objects, or a shard's index and then byte ranges), decoding
and placing the results (with every shortcut), fill values, and the
read-modify-write of partly covered objects.  They never do IO: the caller
fetches the bytes they ask for and feeds them back, in batches of its own
choosing.  anyzarr's engine is one such caller; ``docs/embedding.md`` shows
others (a blocking loop over files, ``urllib``, raw asyncio).
"""

from __future__ import annotations

from anyzarr.protocol.array._batching import plan_batches
from anyzarr.protocol.array._place import DIRECT_MIN_BYTES, ChunkPlacer, Scratch
from anyzarr.protocol.array._read import ArrayRead, ReadBatch
from anyzarr.protocol.array._selection import SelectionKind, plan_selection
from anyzarr.protocol.array._stored import StoredArray
from anyzarr.protocol.array._write import ArrayWrite, Fields, Put, WriteBatch

__all__ = [
    "DIRECT_MIN_BYTES",
    "ArrayRead",
    "ArrayWrite",
    "ChunkPlacer",
    "Fields",
    "Put",
    "ReadBatch",
    "Scratch",
    "SelectionKind",
    "StoredArray",
    "WriteBatch",
    "plan_batches",
    "plan_selection",
]
