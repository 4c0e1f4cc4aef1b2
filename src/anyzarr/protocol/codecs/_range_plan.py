"""Reading part of an uncompressed chunk: only the bytes the selection covers.

When a chunk's codecs are only ``bytes`` (or, in Zarr format 2, no filter
and no compressor, C order), element ``i`` of the chunk in C order is bytes
``i * itemsize`` to ``(i + 1) * itemsize`` of the stored object.  A few
elements of a large chunk then cost a few small range requests instead of
the whole object.  Runs of elements closer than ``max_gap`` bytes are merged
into one request.

States: ``new`` -> ``fetching`` -> ``done``.  A missing object (any range
answered None) reads as missing; a range answered short means the object is
smaller than its metadata says: a `ChunkDecodeError` naming the key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._byte_request import RangeByteRequest
from anyzarr.protocol._errors import ChunkDecodeError
from anyzarr.protocol.codecs._base import ChunkSpec, RawBytes
from anyzarr.protocol.codecs._plans import GetRequest, PlanStateError, ReadPlan, deliver, to_raw
from anyzarr.protocol.codecs._selection import normalize

__all__ = ["RangedChunkReadPlan", "selected_count"]

#: Bytes between two wanted runs below which one request covers both.
DEFAULT_MAX_GAP = 4096


def selected_count(selection: Sequence[Any], shape: Sequence[int], points: bool) -> int:
    """How many elements ``selection`` picks from a chunk of ``shape``."""
    if points:
        return int(np.asarray(selection[0]).size) if selection else 1
    count = 1
    for sel, n in zip(selection, shape, strict=True):
        if isinstance(sel, slice):
            count *= len(range(*sel.indices(n)))
        elif isinstance(sel, int | np.integer):
            continue
        else:
            count *= int(np.asarray(sel).size)
    return count


class RangedChunkReadPlan(ReadPlan):
    """``chunk[selection]`` of an uncompressed chunk, fetched as byte ranges.

    ``selection`` is per axis (orthogonal: ints, slices, 1-D int arrays), or
    with ``points`` one integer array per axis paired point by point.
    ``stored`` is the dtype the bytes hold (its byte order may differ from
    ``spec.dtype``).
    """

    def __init__(
        self,
        key: str,
        selection: Sequence[Any],
        spec: ChunkSpec,
        stored: np.dtype[Any],
        *,
        points: bool = False,
        max_gap: int = DEFAULT_MAX_GAP,
    ) -> None:
        self._key = key
        self._spec = spec
        self._stored = stored
        shape = spec.shape
        if points:
            flat = np.ravel_multi_index(tuple(np.asarray(a) for a in selection), shape)
            self._out_shape: tuple[int, ...] = tuple(np.shape(flat))
        else:
            dims, kept, dropped = normalize(selection, shape)
            axes = [
                np.arange(d.start, d.stop, d.step, dtype=np.intp) if isinstance(d, slice) else d
                for d in dims
            ]
            flat = np.ravel_multi_index(np.ix_(*axes), shape) if axes else np.zeros((), np.intp)
            self._out_shape = tuple(n for i, n in enumerate(kept) if i not in dropped)
        self._flat = np.asarray(flat, dtype=np.int64).reshape(-1)
        self._ranges = _ranges(np.unique(self._flat), stored.itemsize, max_gap)
        self._datas: list[RawBytes] = []
        self._missing = False
        self._state = "new"

    def start(self) -> list[GetRequest]:
        if self._state != "new":
            raise PlanStateError(f"read plan for {self._key!r} was already started")
        if not self._ranges:
            self._state = "done"
            return []
        self._state = "fetching"
        return [GetRequest(self._key, RangeByteRequest(s, e)) for s, e in self._ranges]

    def feed(self, responses: Sequence[Any]) -> list[GetRequest]:
        if self._state != "fetching":
            raise PlanStateError(f"read plan for {self._key!r} is not waiting for responses")
        if len(responses) != len(self._ranges):
            raise PlanStateError(
                f"read plan for {self._key!r} expected {len(self._ranges)} responses, "
                f"got {len(responses)}"
            )
        raws = [to_raw(r) for r in responses]
        if any(r is None for r in raws):
            self._missing = True
        else:
            for (start, end), raw in zip(self._ranges, raws, strict=True):
                assert raw is not None
                if memoryview(raw).nbytes != end - start:
                    raise ChunkDecodeError(
                        f"bytes {start}..{end} of an uncompressed chunk came back "
                        f"{memoryview(raw).nbytes} long: the object is shorter than its "
                        f"shape {list(self._spec.shape)} and dtype {self._stored} need",
                        self._key,
                    )
                self._datas.append(raw)
        self._state = "done"
        return []

    def result(self) -> npt.NDArray[Any] | None:
        if self._state != "done":
            raise PlanStateError(f"read plan for {self._key!r} has not received its data")
        if self._missing:
            return None
        itemsize = self._stored.itemsize
        starts = np.array([s // itemsize for s, _ in self._ranges], dtype=np.int64)
        values = (
            np.concatenate([np.frombuffer(d, dtype=self._stored) for d in self._datas])
            if self._datas
            else np.empty(0, self._stored)
        )
        # Where each range's first element sits in ``values``.
        offsets = np.concatenate([[0], np.cumsum([(e - s) // itemsize for s, e in self._ranges])])
        which = np.searchsorted(starts, self._flat, side="right") - 1
        picked = values[offsets[which] + (self._flat - starts[which])]
        out = picked.astype(self._spec.dtype, copy=False).reshape(self._out_shape)
        return deliver(out, self._spec)  # type: ignore[no-any-return]


def _ranges(flat: npt.NDArray[np.int64], itemsize: int, max_gap: int) -> list[tuple[int, int]]:
    """Byte ranges covering the (sorted, unique) element indices, nearby runs merged."""
    if flat.size == 0:
        return []
    gap = max(1, max_gap // max(1, itemsize) + 1)
    breaks = np.flatnonzero(np.diff(flat) > gap) + 1
    firsts = flat[np.concatenate([[0], breaks])]
    lasts = flat[np.concatenate([breaks - 1, [flat.size - 1]])]
    return [
        (int(f) * itemsize, (int(last) + 1) * itemsize)
        for f, last in zip(firsts, lasts, strict=True)
    ]
