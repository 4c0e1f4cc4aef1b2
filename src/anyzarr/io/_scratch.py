"""Per-thread scratch memory for decompressing chunks before they are copied out.

Decompressing into memory that is already mapped saves the page faults (and
zeroing) of a fresh buffer per chunk.  A thread's area is reused by its next
call, so a chunk decoded into it must be copied out first (`ChunkPlacer`
does so before it returns).
"""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt

__all__ = ["thread_scratch"]

_local = threading.local()
#: Areas larger than this are not kept between calls.
_KEEP = 32 * 1024 * 1024


def thread_scratch(nbytes: int) -> npt.NDArray[np.uint8]:
    """This thread's reusable buffer of exactly ``nbytes`` (a view of a larger area)."""
    area: npt.NDArray[np.uint8] | None = getattr(_local, "area", None)
    if area is None or area.nbytes < nbytes:
        area = np.empty(nbytes, dtype=np.uint8)
        if nbytes <= _KEEP:
            _local.area = area
    return area[:nbytes]
