"""The benchmark workloads.

Every case's data is written once by zarr-python (default pipeline) so each
implementation reads identical bytes; write cases start from an empty array
created the same way, and the runner checks what each writer stored by reading
it back with zarr-python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

MiB = 1 << 20
#: Seconds the HTTP test server waits before answering each request.
LATENCY = 0.015
#: Requests in flight per store in every implementation (zarr-python's default too).
CONCURRENCY = 10


@dataclass(frozen=True)
class Case:
    name: str
    op: str  # "read", "write", "selections", "open_group"
    shape: tuple[int, ...] = ()
    chunks: tuple[int, ...] = ()
    dtype: str = "float32"
    codec: str = "none"  # "none", "blosc-lz4", "zstd"
    shards: tuple[int, ...] | None = None
    selections: tuple[tuple[str, Any], ...] = ()
    n_arrays: int = 0
    consolidated: bool = False
    remote: str = ""  # "", "http" (test server with latency) or "s3" (moto)
    gpu: bool = False
    impls: tuple[str, ...] = ("anyzarr", "anyzarr-async", "zarr-python", "zarrs", "tensorstore")
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * np.dtype(self.dtype).itemsize


def make_data(case: Case) -> np.ndarray:
    """Deterministic, mildly compressible data of the case's shape."""
    n = int(np.prod(case.shape, dtype=np.int64))
    rng = np.random.default_rng(42)
    base = (np.arange(n, dtype=np.int64) % 4093).astype(case.dtype)
    noise = rng.integers(0, 4, size=n).astype(case.dtype)
    return (base + noise).reshape(case.shape)


def compressors(codec: str) -> Any:
    import zarr.codecs as zc

    if codec == "none":
        return None
    if codec == "blosc-lz4":
        return zc.BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")
    if codec == "zstd":
        return zc.ZstdCodec(level=3)
    raise ValueError(codec)


def _random_points(shape: tuple[int, ...], n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return tuple(rng.integers(0, s, size=n) for s in shape)


def all_cases(scale: float = 1.0) -> list[Case]:
    """Every workload; ``scale`` < 1 shrinks the bulk sizes for quick runs."""
    side = int(8192 * scale**0.5) // 512 * 512 or 512
    bulk = (side // 2, side)  # float32: 128 MiB at scale 1
    cases: list[Case] = []
    for codec in ("none", "blosc-lz4", "zstd"):
        for op in ("read", "write"):
            cases.append(Case(f"bulk-{op}-{codec}", op, bulk, (512, 512), codec=codec))
    small = (2048, 2048) if scale >= 1 else (1024, 1024)
    for op in ("read", "write"):
        cases.append(Case(f"small-chunks-{op}", op, small, (32, 32), codec="zstd"))
    shard_shape = (side // 2, side)
    for op in ("read", "write"):
        cases.append(
            Case(f"sharded-{op}", op, shard_shape, (128, 128), codec="zstd", shards=(1024, 1024))
        )
    pts = _random_points(shard_shape, 200, 1)
    singles = tuple(("basic", (int(i), int(j))) for i, j in zip(*pts, strict=True))
    cases.append(
        Case(
            "sharded-random-inner-chunks",
            "selections",
            shard_shape,
            (128, 128),
            codec="zstd",
            shards=(1024, 1024),
            selections=singles,
            impls=(
                "anyzarr",
                "anyzarr-async",
                "anyzarr-nocache",
                "zarr-python",
                "zarrs",
                "tensorstore",
            ),
        )
    )
    cases.append(
        Case(
            "strided-and-thin",
            "selections",
            bulk,
            (512, 512),
            codec="blosc-lz4",
            selections=(
                ("basic", (slice(None, None, 7), slice(100, 110))),
                ("basic", (slice(1000, 1001), slice(None))),
                ("oindex", (np.arange(0, bulk[0], 97), np.arange(0, bulk[1], 89))),
                ("vindex", _random_points(bulk, 2000, 2)),
            ),
        )
    )
    pts = _random_points(bulk, 200, 3)
    # Small reads come back to chunks they read before: the decoded-chunk
    # cache's case, so anyzarr also runs with the cache off.
    with_nocache = (
        "anyzarr",
        "anyzarr-async",
        "anyzarr-nocache",
        "zarr-python",
        "zarrs",
        "tensorstore",
    )
    cases.append(
        Case(
            "single-elements",
            "selections",
            bulk,
            (512, 512),
            codec="blosc-lz4",
            selections=tuple(("basic", (int(i), int(j))) for i, j in zip(*pts, strict=True)),
            impls=with_nocache,
        )
    )
    pts = _random_points(bulk, 500, 4)
    cases.append(
        Case(
            "single-elements-zstd",
            "selections",
            bulk,
            (512, 512),
            codec="zstd",
            selections=tuple(("basic", (int(i), int(j))) for i, j in zip(*pts, strict=True)),
            impls=with_nocache,
        )
    )
    # Latency-bound reads: every request waits LATENCY seconds at the server,
    # so the floor is ceil(chunks / concurrency) * LATENCY.
    for remote in ("http", "s3"):
        cases.append(
            Case(
                f"remote-{remote}-read",
                "read",
                (1024, 1024),
                (128, 128),
                codec="zstd",
                remote=remote,
                impls=("anyzarr", "anyzarr-async", "zarr-python")
                + (("tensorstore",) if remote == "http" else ()),
            )
        )
    cases.append(
        Case("gpu-read", "read", bulk, (512, 512), codec="zstd", gpu=True, impls=("anyzarr",))
    )
    for consolidated in (False, True):
        tag = "consolidated" if consolidated else "plain"
        cases.append(
            Case(
                f"open-hierarchy-{tag}",
                "open_group",
                n_arrays=300,
                consolidated=consolidated,
                impls=("anyzarr", "anyzarr-async", "zarr-python"),
            )
        )
    return cases


def expected(case: Case, data: np.ndarray, kind: str, sel: Any) -> np.ndarray:
    if kind == "oindex":
        return data[np.ix_(*sel)]
    return np.asarray(data[sel])
