"""Keeping glibc's malloc from handing codec memory back to the kernel after every chunk.

glibc gives the free memory at the top of a heap back to the kernel as soon
as more than its trim threshold is free there.  The threshold starts at
128 KiB and is raised, to twice the block's size, only when the program
frees a block that malloc had mmapped (one between 128 KiB and 32 MiB).
Codec libraries allocate and free memory for every chunk: numcodecs' zstd a
650 KiB compression context for a 64 KiB frame, and output buffers for
every codec.  Until a process has freed one larger block, nearly every such
free trims the thread's heap, the next chunk faults the same memory in
again, and the kernel zeroes it, while the threads' page faults and trims
contend for the process's memory map.  Measured, a sharded write of
128 MiB (64 KiB zstd inner chunks, six threads on two cores): 19k page
faults per write against 1.8k once settled, and 9% longer.

`settle_heap` frees one 8 MiB block, once per process, before the first
chunk IO: what any program that has freed an 8 MiB array once has done
already.  glibc then keeps up to 16 MiB free per heap and serves requests
below 8 MiB from its heaps.  With ``MALLOC_TRIM_THRESHOLD_`` or
``MALLOC_MMAP_THRESHOLD_`` in the environment (or after ``mallopt``), glibc
does not adjust its thresholds and this changes nothing; other allocators
just see one allocation.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SETTLE_BYTES", "settle_heap"]

#: The block freed once: glibc's thresholds become this (mmap) and twice
#: this (trim).  Above a batch's working set (`BATCH_WRITE_BYTES` of values
#: and their encoded bytes), below glibc's 32 MiB cap.
SETTLE_BYTES = 8 * 1024 * 1024

_settled = False


def settle_heap() -> None:
    """Free one `SETTLE_BYTES` block, the first time only (cheap afterwards)."""
    global _settled
    if _settled:
        return
    _settled = True
    # np.empty mallocs without touching the memory: above the initial
    # threshold it is mmapped, and freeing it raises the thresholds.
    block = np.empty(SETTLE_BYTES, dtype=np.uint8)
    del block
