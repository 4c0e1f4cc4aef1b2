"""The misaligned parallel write trial shared by the threaded and distributed tests.

A dask array whose chunks (7 x 11) cut across the stored chunks (10 x 10,
or shards of 20 x 20) is written with no lock; then every element is
compared with what was written.  A lost update leaves the fill value (or
another task's stale copy) behind in part of a stored object.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dask.array as da
import numpy as np

import anyzarr

TRIALS = 20
SHAPE = (60, 50)
DASK_CHUNKS = (7, 11)
LAYOUTS: dict[str, dict[str, Any]] = {
    "chunks": {"chunks": (10, 10)},
    "shards": {"chunks": (5, 5), "shards": (20, 20)},
}


def source() -> tuple[da.Array, np.ndarray]:
    """The dask array to write (no two elements equal) and its values."""
    values = np.arange(np.prod(SHAPE), dtype="f8").reshape(SHAPE) + 1.0
    return da.from_array(values, chunks=DASK_CHUNKS), values


def run_trials(
    root: Path, layout: str, write: Callable[[da.Array, anyzarr.Array], Any]
) -> list[int]:
    """Write ``TRIALS`` fresh arrays with ``write``; the number of wrong elements in each."""
    x, values = source()
    wrong = []
    for trial in range(TRIALS):
        target = anyzarr.create_array(
            root / f"trial{trial}.zarr",
            shape=SHAPE,
            dtype="f8",
            fill_value=0.0,
            **LAYOUTS[layout],
        )
        write(x, target)
        wrong.append(int(np.count_nonzero(target[...] != values)))
    return wrong
