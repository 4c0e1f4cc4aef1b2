"""The machine's own limits, reported beside the table for reference."""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np


def _best(fn: object, reps: int = 3) -> float:
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


def machine_baseline(quick: bool = False) -> dict[str, str]:
    import numcodecs

    n = (16 if quick else 128) << 20
    src = np.random.default_rng(0).integers(0, 255, n, dtype=np.uint8)
    dst = np.empty_like(src)
    gbps = lambda t: f"{n / t / 1e9:.2f} GB/s"  # noqa: E731
    out = {"cpus": str(os.cpu_count()), "memcpy": gbps(_best(lambda: np.copyto(dst, src)))}
    with tempfile.NamedTemporaryFile(dir=os.environ.get("BENCH_TMP")) as f:
        f.write(src.tobytes())
        f.flush()

        def read() -> None:
            with open(f.name, "rb") as g:
                g.readinto(memoryview(dst))

        read()
        out["page-cache read"] = gbps(_best(read))
    smooth = (np.arange(n // 4, dtype=np.int64) % 4093).astype("float32").view(np.uint8)
    for name, codec in {
        "blosc-lz4": numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1),
        "zstd-3": numcodecs.Zstd(level=3),
        "gzip-1": numcodecs.GZip(level=1),
    }.items():
        enc = codec.encode(smooth)
        out[f"{name} decode (1 thread)"] = gbps(_best(lambda c=codec, e=enc: c.decode(e), 2))
    return out
