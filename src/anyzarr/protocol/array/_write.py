"""``ArrayWrite``: writing a value into a selection of an array, without doing any IO.

Usage, with ``fetch``, ``store`` and ``delete`` standing for the caller's IO::

    write = ArrayWrite(stored, plan, value)        # or ArrayWrite.for_selection(...)
    for batch in write.batches(max_bytes=4 << 20):
        requests = batch.start()                    # objects to read first, maybe none
        if requests:
            batch.feed([fetch(r.key, r.byte_range) for r in requests])
        for put in batch.encode():                  # CPU work: any thread
            store(put.key, put.value) if put.value is not None else delete(put.key)

Each unit is one stored object (chunk, or shard).  An object the selection
covers completely is built from the value alone; any other is read, merged
with the value and written back (read-modify-write).  With empty chunks not
written, an object left holding only the fill value comes back as a `Put`
without a value: delete it.  Every object is written by exactly one `Put`,
so a store whose writes are atomic per key keeps each object old or new
whatever happens to the driver.

Two writers that read-modify-write the same object at the same time would
lose one of the updates; a driver serialises them per key (anyzarr's engine
holds a per-key lock around the read and the write, and on stores that can
compare versions writes only if the object is still the one it read).
`WriteBatch.read_keys` says which objects a batch reads, and a `Put`
names its unit so that a conflicting one can be redone with
``write.batch([put.unit])``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._fill_value import holds_only_fill, new_chunk
from anyzarr.protocol.array._batching import plan_batches
from anyzarr.protocol.array._place import Scratch, StoredBytes
from anyzarr.protocol.array._selection import SelectionKind, plan_selection
from anyzarr.protocol.array._stored import StoredArray
from anyzarr.protocol.buffer import Buffer
from anyzarr.protocol.codecs import ChunkSpec, GetRequest, PlanStateError
from anyzarr.protocol.indexing import ChunkProjection, IndexingPlan

__all__ = ["ArrayWrite", "Fields", "Put", "WriteBatch"]

#: Structured-dtype fields a write changes (None: whole elements).
Fields = str | Sequence[str] | None


@dataclass(frozen=True, slots=True)
class Put:
    """Store ``value`` under ``key`` (the object of ``unit``); ``None`` deletes the key."""

    unit: int
    key: str
    value: Buffer | None


def _covers_whole_chunk(chunk_selection: tuple[Any, ...], chunk_shape: tuple[int, ...]) -> bool:
    """Whether ``chunk_selection`` is the identity selection of the whole (padded) chunk.

    Then the value to write *is* the new chunk, with no fill-value canvas.
    """
    if len(chunk_selection) != len(chunk_shape):
        return False
    for sel, size in zip(chunk_selection, chunk_shape, strict=True):
        if not isinstance(sel, slice) or sel.indices(size) != (0, size, 1):
            return False
        if (sel.start or 0) != 0 or (size if sel.stop is None else sel.stop) < size:
            return False
    return True


def _field_view(chunk: npt.NDArray[Any], fields: Fields) -> npt.NDArray[Any]:
    if fields is None:
        return chunk
    view: npt.NDArray[Any] = chunk[fields] if isinstance(fields, str) else chunk[list(fields)]
    return view


def _writable(chunk: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``chunk`` itself if it may be changed in place (decoded chunks are often views), else a copy."""
    if chunk.flags.writeable and chunk.base is None:
        return chunk
    return np.array(chunk, copy=True)


class ArrayWrite:
    """Writing ``value`` (broadcast to the plan's shape) into ``plan``'s selection of ``array``.

    ``fields`` limits the write to some fields of a structured dtype (every
    object is then read first).  ``delete_empty`` turns objects left holding
    only the fill value into deletes: pass ``not write_empty_chunks``, and
    False for a store that cannot delete.
    """

    def __init__(
        self,
        array: StoredArray,
        plan: IndexingPlan,
        value: npt.ArrayLike,
        *,
        fields: Fields = None,
        delete_empty: bool = True,
    ) -> None:
        self.array = array
        self.plan = plan
        self._value = np.broadcast_to(np.asarray(value), tuple(plan.shape))
        self._fields = fields
        self._delete_empty = delete_empty
        self._projections: Sequence[ChunkProjection] = list(plan.projections)
        self.keys: list[str] = [array.key(p.chunk_coords) for p in self._projections]
        # With fields only part of each element changes, so every object is read.
        self._needs_read = [fields is not None or not p.is_complete for p in self._projections]
        self._regular = array.is_regular
        # The sharding codec cuts its input into inner chunks and each inner
        # chunk is copied on its own when encoded, so a shard the value
        # covers whole is encoded straight from the value, uncopied.
        self._sliced_by_codec = array.pipeline.sharding_codec is not None

    @classmethod
    def for_selection(
        cls,
        array: StoredArray,
        selection: Any,
        value: npt.ArrayLike,
        kind: SelectionKind = "getitem",
        *,
        fields: Fields = None,
        delete_empty: bool = True,
    ) -> ArrayWrite:
        """Plan ``selection`` (read as ``kind``) and prepare writing ``value`` there."""
        plan = plan_selection(array.metadata, kind, selection)
        return cls(array, plan, value, fields=fields, delete_empty=delete_empty)

    @property
    def nunits(self) -> int:
        """Number of stored objects the write touches."""
        return len(self._projections)

    def spec_of(self, unit: int) -> ChunkSpec:
        """What ``unit``'s object looks like decoded (objects differ on rectilinear grids)."""
        if self._regular:
            return self.array.spec
        return self.array.spec_at(self._projections[unit].chunk_coords)

    def needs_read(self, unit: int) -> bool:
        """Whether ``unit``'s object is read, merged and written back."""
        return self._needs_read[unit]

    def batches(
        self, *, max_bytes: int, max_units: int = 256, min_batches: int = 1
    ) -> list[WriteBatch]:
        """Every unit, in consecutive batches of at most ``max_bytes`` decoded (see `plan_batches`)."""
        runs = plan_batches(
            self.nunits,
            self.array.chunk_nbytes,
            max_bytes=max_bytes,
            max_units=max_units,
            min_batches=min_batches,
        )
        return [WriteBatch(self, list(run)) for run in runs]

    def _groups(self, units: Sequence[int]) -> list[tuple[ChunkSpec, list[int]]]:
        """``units`` by the spec of their objects (one group on a regular grid)."""
        if self._regular:
            return [(self.array.spec, list(units))]
        groups: dict[tuple[int, ...], tuple[ChunkSpec, list[int]]] = {}
        for unit in units:
            spec = self.spec_of(unit)
            groups.setdefault(spec.shape, (spec, []))[1].append(unit)
        return list(groups.values())

    def batch(self, units: Sequence[int]) -> WriteBatch:
        """A batch of the given units (to redo them after a conflict, for example)."""
        for unit in units:
            if not 0 <= unit < self.nunits:
                raise PlanStateError(f"no unit {unit}: the write has {self.nunits}")
        return WriteBatch(self, list(units))

    def _new_objects(
        self,
        spec: ChunkSpec,
        units: Sequence[int],
        old: dict[int, npt.NDArray[Any] | None],
        scratch: Scratch | None = None,
    ) -> list[npt.NDArray[Any]]:
        """The new content of each unit's object, all of ``spec`` (CPU work).

        A unit the value covers whole is the value's part itself when that
        is contiguous or the codecs cut it up anyway (a shard), else a
        contiguous copy: in ``scratch`` memory when given (memory already
        mapped: a fresh 1 MiB buffer per chunk costs its page faults and
        zeroing, as much as the copy), else fresh.
        """
        value, fields = self._value, self._fields
        chunks: list[npt.NDArray[Any]] = []
        nbytes = math.prod(spec.shape) * spec.dtype.itemsize
        for unit in units:
            p = self._projections[unit]
            part = value[p.out_selection]
            prev = old.get(unit)
            if prev is not None:
                chunk = _writable(np.asarray(prev))
            elif (
                fields is None
                and part.dtype == spec.dtype
                and _covers_whole_chunk(p.chunk_selection, spec.shape)
            ):
                if self._sliced_by_codec:
                    chunks.append(part.reshape(spec.shape))
                    continue
                if part.flags.c_contiguous or scratch is None or spec.dtype.hasobject:
                    chunks.append(np.ascontiguousarray(part).reshape(spec.shape))
                    continue
                dest = scratch(nbytes).view(spec.dtype).reshape(spec.shape)
                np.copyto(dest, part.reshape(spec.shape))
                chunks.append(dest)
                continue
            else:
                chunk = new_chunk(spec.shape, spec.dtype, spec.fill_value)
            _field_view(chunk, fields)[p.chunk_selection] = part
            chunks.append(chunk)
        return chunks


class _Carve:
    """Consecutive, non-overlapping pieces of one buffer (a `Scratch`)."""

    def __init__(self, area: npt.NDArray[np.uint8]) -> None:
        self._area = area
        self._used = 0

    def __call__(self, nbytes: int) -> npt.NDArray[np.uint8]:
        start = self._used
        if start + nbytes > self._area.nbytes:
            return np.empty(nbytes, dtype=np.uint8)
        self._used = start + nbytes
        return self._area[start : start + nbytes]


class WriteBatch:
    """Some units of an `ArrayWrite`: reads for read-modify-write, then ``encode``.

    States: ``new`` -> ``fetching`` (after a `start` that asked for reads)
    -> ``ready`` -> ``done`` (after `encode`).
    """

    def __init__(self, write: ArrayWrite, units: list[int]) -> None:
        self._write = write
        self.units: tuple[int, ...] = tuple(units)
        self._reads = [u for u in units if write.needs_read(u)]
        self._datas: list[StoredBytes | None] = []
        self.state = "new"

    @property
    def keys(self) -> list[str]:
        """The store key of each unit, in unit order."""
        keys = self._write.keys
        return [keys[u] for u in self.units]

    @property
    def read_keys(self) -> list[str]:
        """Keys of the objects this batch reads before writing them (read-modify-write)."""
        keys = self._write.keys
        return [keys[u] for u in self._reads]

    def start(self) -> list[GetRequest]:
        """Requests for the objects to read first; [] when every unit is covered whole."""
        if self.state != "new":
            raise PlanStateError("write batch was already started")
        keys = self._write.keys
        self.state = "fetching" if self._reads else "ready"
        return [GetRequest(keys[u]) for u in self._reads]

    def feed(self, responses: Sequence[StoredBytes | None]) -> None:
        """The objects asked for by `start`, in order (None: not stored)."""
        if self.state != "fetching":
            raise PlanStateError(f"write batch is {self.state}, not waiting for responses")
        if len(responses) != len(self._reads):
            raise PlanStateError(
                f"write batch expected {len(self._reads)} responses, got {len(responses)}"
            )
        self._datas = list(responses)
        self.state = "ready"

    def encode(self, scratch: Scratch | None = None) -> list[Put]:
        """Build, check and encode every unit's new object (CPU work); one `Put` per unit.

        ``scratch`` lends reusable memory for the contiguous copies of the
        parts of the value that cover objects whole.  With it, a `Put`'s
        value may be a view of that memory (the ``bytes`` codec encodes
        without copying): store every value before the scratch is used again.
        """
        if self.state != "ready":
            raise PlanStateError(f"write batch is {self.state}, not ready to encode")
        write = self._write
        pipeline, keys = write.array.pipeline, write.keys
        fetched = dict(zip(self._reads, self._datas, strict=True))
        self._datas = []
        puts: list[Put] = []
        groups = list(write._groups(self.units))
        take: Scratch | None = None
        if scratch is not None and not write._sliced_by_codec:
            # One area for the whole batch, handed out in turn: every copy
            # stays valid until the batch's values are stored.
            total = sum(math.prod(spec.shape) * spec.dtype.itemsize * len(u) for spec, u in groups)
            take = _Carve(scratch(total))
        for spec, units in groups:
            stored = [(u, d) for u in units if (d := fetched.get(u)) is not None]
            decoded = pipeline.decode_batch(
                [d for _, d in stored], spec, [keys[u] for u, _ in stored]
            )
            old = {u: chunk for (u, _), chunk in zip(stored, decoded, strict=True)}
            chunks = write._new_objects(spec, units, old, take)
            keep = [
                not write._delete_empty or not holds_only_fill(chunk, spec.fill_value)
                for chunk in chunks
            ]
            encoded = iter(
                pipeline.encode_batch([c for c, k in zip(chunks, keep, strict=True) if k], spec)
            )
            puts.extend(
                Put(unit, keys[unit], next(encoded) if k else None)
                for unit, k in zip(units, keep, strict=True)
            )
        self.state = "done"
        return puts
