"""`settle_heap`: glibc serves chunk-sized temporaries from its heaps afterwards."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import numpy as np
import pytest

from anyzarr.io import _heap


def _has_mallinfo2() -> bool:
    if platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    return hasattr(libc, "mallinfo2")


# Run in a fresh interpreter: this process's thresholds were moved long ago.
_PROBE = textwrap.dedent(
    """
    import ctypes, ctypes.util, sys
    import numpy as np

    class Info(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
            "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.mallinfo2.restype = Info
    if sys.argv[1] == "settle":
        from anyzarr.io._heap import settle_heap
        settle_heap()
    before = libc.mallinfo2().hblks
    block = np.empty(4 * 1024 * 1024, dtype=np.uint8)
    print(libc.mallinfo2().hblks - before)
    """
)


@pytest.mark.skipif(not _has_mallinfo2(), reason="needs glibc's mallinfo2 to see mmapped blocks")
def test_settled_heap_serves_chunk_sized_blocks_without_mmap() -> None:
    # glibc's own settings, which earlier tests may have exported (dask's
    # nanny sets MALLOC_TRIM_THRESHOLD_), switch its adjustment off.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}

    def mmapped(mode: str, **extra: str) -> int:
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, mode],
            capture_output=True,
            text=True,
            timeout=60,
            env={**env, **extra},
        )
        assert out.returncode == 0, out.stderr
        return int(out.stdout)

    # A fresh process maps a 4 MiB block of its own (and gives it back to
    # the kernel when freed); once settled, the heap serves it.
    assert mmapped("fresh") == 1
    assert mmapped("settle") == 0
    # A threshold the user chose is left alone.
    assert mmapped("settle", MALLOC_TRIM_THRESHOLD_="65536") == 1


def test_settle_heap_runs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []

    def counting_empty(n: int, dtype: type) -> object:
        sizes.append(n)
        return np.empty(n, dtype=dtype)

    monkeypatch.setattr(_heap, "_settled", False)
    monkeypatch.setattr(_heap, "np", SimpleNamespace(empty=counting_empty, uint8=np.uint8))
    _heap.settle_heap()
    _heap.settle_heap()
    assert sizes == [_heap.SETTLE_BYTES]
