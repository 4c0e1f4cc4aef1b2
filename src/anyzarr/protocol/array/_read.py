"""``ArrayRead``: reading a selection of an array, without doing any IO.

Usage, with ``fetch`` standing for whatever IO the caller has::

    read = ArrayRead(stored, plan, out)            # or ArrayRead.for_selection(...)
    for batch in read.batches(max_bytes=1 << 20):
        requests = batch.start()
        while requests:
            requests = batch.feed([fetch(r.key, r.byte_range) for r in requests])
        batch.decode()                              # CPU work: any thread
    result = read.result()

A read is made of *units*, one per stored object (chunk, or shard when the
array is sharded) the selection touches.  A unit is read whole (one request)
or, for a partly selected shard, in part: first its index, then only the
byte ranges of the inner chunks the selection needs.  Units are independent
of each other, so the requests of different batches (and the requests within
one step of a batch) may be fetched concurrently and in any order; a batch's
responses must be fed back in the order of its requests.  ``decode`` is the
only CPU-heavy call; different batches may be decoded in different threads
at the same time.  ``feed`` and ``start`` are cheap.

The driver chooses the batches: by decoded size (`ArrayRead.batches`), or
one by one (`ArrayRead.batch`).  `ArrayRead.decoded_nbytes_at_most` tells
whether a read is small enough to be worth running without any hand-off.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import ChunkNotFoundError
from anyzarr.protocol.array._batching import plan_batches
from anyzarr.protocol.array._place import ChunkPlacer, Scratch, StoredBytes
from anyzarr.protocol.array._selection import SelectionKind, plan_selection
from anyzarr.protocol.array._stored import StoredArray
from anyzarr.protocol.buffer import detached
from anyzarr.protocol.codecs import (
    ChunkSpec,
    DecodedChunks,
    GetRequest,
    PlanStateError,
    ReadPlan,
    ShardIndex,
    selected_count,
)
from anyzarr.protocol.indexing import ChunkProjection, IndexingPlan

__all__ = ["ArrayRead", "ReadBatch"]

#: Uncompressed chunks are read as byte ranges when the selection holds at
#: most one in this many of their elements; above that, one whole read costs
#: less than the requests.
RANGED_SHARE = 16

#: Gives the cached index of the shard under a key, or None.
IndexLookup = Callable[[str], ShardIndex | None]


def inner_chunks_touched(
    selection: Sequence[Any], shard_shape: Sequence[int], inner_shape: Sequence[int]
) -> int:
    """How many inner chunks of a shard a per-axis selection reaches.

    The count bounds the decode work of a partial shard read, which the
    output size does not: a thin strided selection can touch every inner
    chunk and keep one element of each.
    """
    count = 1
    for sel, length, size in zip(selection, shard_shape, inner_shape, strict=True):
        if isinstance(sel, slice):
            points = range(*sel.indices(length))
            if not points:
                return 0
            first, last = points[0], points[-1]
            count *= len(points) if points.step >= size else last // size - first // size + 1
        elif not isinstance(sel, (int, np.integer)):
            indices = np.asarray(sel)
            count *= int(np.unique(indices // size).size)
    return count


class ArrayRead:
    """Reading ``plan``'s selection of ``array`` into ``out`` (see the module docstring).

    ``out`` has the plan's shape and the array's dtype.  Missing objects
    read as the fill value, unless ``read_missing_chunks`` is false: then
    `result` raises ``ChunkNotFoundError`` listing them.
    """

    def __init__(
        self,
        array: StoredArray,
        plan: IndexingPlan,
        out: npt.NDArray[Any],
        *,
        read_missing_chunks: bool = True,
    ) -> None:
        if tuple(out.shape) != tuple(plan.shape):
            raise PlanStateError(
                f"output of shape {out.shape} given for a selection of shape {plan.shape}"
            )
        self.array = array
        self.plan = plan
        self.out = out
        projections: Sequence[ChunkProjection] = list(plan.projections)
        self._projections = projections
        self.keys: list[str] = [array.key(p.chunk_coords) for p in projections]
        self._regular = array.is_regular
        # Partial shard reads need a per-axis selection; point-wise coordinate
        # selections read whole shards instead.  Uncompressed chunks are read
        # in part when the selection is a small share of them.
        shards = array.pipeline.supports_partial_decode and plan.kind != "coordinate"
        ranged = array.pipeline.ranged_dtype(array.spec) is not None
        self._partial = [
            not p.is_complete and (shards or (ranged and self._few(u, p)))
            for u, p in enumerate(projections)
        ]
        self._any_partial = any(self._partial)
        self._placer = ChunkPlacer(
            array, projections, self.keys, out, read_missing_chunks=read_missing_chunks
        )
        self._decoded = bytearray(len(projections))

    @classmethod
    def for_selection(
        cls,
        array: StoredArray,
        selection: Any,
        kind: SelectionKind = "getitem",
        *,
        read_missing_chunks: bool = True,
    ) -> ArrayRead:
        """Plan ``selection`` (read as ``kind``) and allocate the output for it."""
        plan = plan_selection(array.metadata, kind, selection)
        out = np.empty(plan.shape, dtype=array.spec.dtype, order=array.spec.order)
        return cls(array, plan, out, read_missing_chunks=read_missing_chunks)

    # -- what a driver needs to batch ------------------------------------------

    @property
    def nunits(self) -> int:
        """Number of stored objects the read touches."""
        return len(self._projections)

    def _few(self, unit: int, projection: ChunkProjection) -> bool:
        """Whether ``unit`` selects at most 1/`RANGED_SHARE` of its object's elements."""
        shape = self.spec_of(unit).shape
        points = self.plan.kind == "coordinate"
        selection = (
            projection.chunk_axes if self.plan.kind == "orthogonal" else projection.chunk_selection
        )
        return selected_count(selection, shape, points) * RANGED_SHARE <= math.prod(shape)

    def spec_of(self, unit: int) -> ChunkSpec:
        """What ``unit``'s object looks like decoded (objects differ on rectilinear grids)."""
        if self._regular:
            return self.array.spec
        return self.array.spec_at(self._projections[unit].chunk_coords)

    def _nbytes(self, unit: int) -> int:
        spec = self.spec_of(unit)
        return math.prod(spec.shape) * max(1, spec.dtype.itemsize)

    def is_partial(self, unit: int) -> bool:
        """Whether ``unit`` is read in part (index first, then byte ranges)."""
        return self._partial[unit]

    def selection_of(self, unit: int) -> tuple[Any, ...]:
        """The per-axis selection inside ``unit``'s object (the form read plans take)."""
        p = self._projections[unit]
        return p.chunk_axes if self.plan.kind == "orthogonal" else p.chunk_selection

    def decoded_nbytes_at_most(self, limit: int) -> bool:
        """Whether decoding the read takes at most ``limit`` bytes of decoded data.

        Partial shard reads count the inner chunks they reach.
        """
        partial = [u for u, p in enumerate(self._partial) if p]
        if self._regular:
            total = (self.nunits - len(partial)) * self.array.chunk_nbytes
        else:
            total = sum(self._nbytes(u) for u, p in enumerate(self._partial) if not p)
        if total > limit:
            return False
        shard = self.array.pipeline.sharding_codec
        if shard is None:
            return total + sum(self._nbytes(u) for u in partial) <= limit
        inner = math.prod(shard.chunk_shape) * max(1, self.array.spec.dtype.itemsize)
        for unit in partial:
            total += inner * inner_chunks_touched(
                self.selection_of(unit), self.spec_of(unit).shape, shard.chunk_shape
            )
            if total > limit:
                return False
        return True

    def batches(
        self, *, max_bytes: int, max_units: int = 256, min_batches: int = 1, apart: bool = False
    ) -> list[ReadBatch]:
        """Every unit, in batches of at most ``max_bytes`` decoded (see `plan_batches`).

        Whole reads and partial reads go in separate batches, and so do
        objects of different shapes.  A partial read counts a quarter of an
        object, a rough share of the inner chunks a selection reaches.

        Batches come in the output's memory order, unless ``apart``: then
        they are ordered by their first object's grid position with the
        first axis varying fastest, so that batches next to each other in
        the list write to parts of the output far apart.  For drivers that
        run batches concurrently: the first write to a page of a fresh
        output makes the kernel zero it (numpy asks for 2 MiB huge pages),
        and threads writing neighbouring chunks wait for each other there
        (measured: a 128 MiB read of 1 MiB chunks on three threads, 1.09 to
        1.12x its time at cba2992 in memory order, 1.02x apart).
        """
        groups: dict[tuple[bool, tuple[int, ...]], list[int]] = {}
        for unit, partial in enumerate(self._partial):
            shape = () if self._regular else self.spec_of(unit).shape
            groups.setdefault((partial, shape), []).append(unit)
        out: list[ReadBatch] = []
        for (partial, _), units in sorted(groups.items(), key=lambda g: g[0][0]):
            nbytes = self._nbytes(units[0])
            for run in plan_batches(
                len(units),
                max(1, nbytes // 4) if partial else nbytes,
                max_bytes=max_bytes,
                max_units=max_units,
                min_batches=min_batches,
            ):
                out.append(ReadBatch(self, [units[i] for i in run]))
        if apart:
            projections = self._projections
            out.sort(key=lambda b: projections[b.units[0]].chunk_coords[::-1])
        return out

    def batch(self, units: Sequence[int]) -> ReadBatch:
        """A batch of the given units (each should belong to one batch only)."""
        for unit in units:
            if not 0 <= unit < self.nunits:
                raise PlanStateError(f"no unit {unit}: the read has {self.nunits}")
        return ReadBatch(self, list(units))

    # -- the result ------------------------------------------------------------

    def result(self) -> npt.NDArray[Any]:
        """The output, once every unit has been decoded."""
        if self._decoded.count(0):
            raise PlanStateError(
                f"{self._decoded.count(0)} of {self.nunits} units of the read are not decoded yet"
            )
        if self._placer.missing:
            raise ChunkNotFoundError(sorted(self._placer.missing))
        return self.out

    # -- used by batches -------------------------------------------------------

    def _mark_decoded(self, units: Sequence[int]) -> None:
        decoded = self._decoded
        for unit in units:
            decoded[unit] = 1


class ReadBatch:
    """Some units of an `ArrayRead`: requests out, responses in, then ``decode``.

    States: ``new`` -> ``fetching`` (after `start`) -> ``ready`` (every
    response fed) -> ``done`` (after `decode`).  Whole units need one request
    each; partial units ask for their shard index (unless `start` was given
    it) and then for the byte ranges they need.
    """

    def __init__(self, read: ArrayRead, units: list[int]) -> None:
        self._read = read
        self.units: tuple[int, ...] = tuple(units)
        if read._any_partial:
            partial = read._partial
            self._whole = [u for u in units if not partial[u]]
            self._partial_units = [u for u in units if partial[u]]
        else:
            self._whole = list(units)
            self._partial_units = []
        self._datas: list[StoredBytes | None] = []
        self._plans: list[ReadPlan] = []
        self._waiting: list[int] = []  # plan indexes, one per outstanding request
        self._given: set[int] = set()  # plans started with a cached index
        self._hits: list[tuple[int, npt.NDArray[Any]]] = []  # units a cache answered
        self._cache: DecodedChunks | None = None
        self._keep: set[int] = set()  # units to decode whole and offer to the cache
        self.state = "new"

    @property
    def keys(self) -> list[str]:
        """The store key of each unit, in unit order."""
        keys = self._read.keys
        return [keys[u] for u in self.units]

    @property
    def whole_only(self) -> bool:
        """Whether every unit is read whole: one step of requests without byte ranges.

        Only such a batch may be fed views of memory that the driver reuses
        once `decode` has returned (a per-thread scratch area).
        """
        return not self._partial_units

    def start(
        self, indexes: IndexLookup | None = None, chunks: DecodedChunks | None = None
    ) -> list[GetRequest]:
        """The first requests of every unit.

        ``indexes`` may supply cached shard indexes.  ``chunks`` is a cache of
        decoded objects: a whole unit read only in part (a few elements of a
        chunk) is answered from it without a request when it can be, and is
        otherwise decoded whole and offered to it, so that later small reads
        of the same chunk cost no decode; partial shard reads do the same with
        the inner chunks they need.
        """
        if self.state != "new":
            raise PlanStateError("read batch was already started")
        read = self._read
        keys = read.keys
        if chunks is not None:
            self._cache = chunks
            projections = read._projections
            fetch: list[int] = []
            for unit in self._whole:
                if projections[unit].is_complete:
                    fetch.append(unit)
                    continue
                hit = chunks.get(keys[unit])
                if hit is None:
                    self._keep.add(unit)
                    fetch.append(unit)
                else:
                    self._hits.append((unit, hit))
            self._whole = fetch
        hint = read.array.max_stored_nbytes if read._regular else None
        requests = [GetRequest(keys[u], size_hint=hint) for u in self._whole]
        pipeline = read.array.pipeline
        for n, unit in enumerate(self._partial_units):
            key = keys[unit]
            index = indexes(key) if indexes is not None else None
            if index is not None:
                self._given.add(n)
            plan = pipeline.read_plan(
                key,
                read.selection_of(unit),
                read.spec_of(unit),
                index=index,
                chunks=chunks,
                points=read.plan.kind == "coordinate",
            )
            self._plans.append(plan)
            first = plan.start()
            requests.extend(first)
            self._waiting.extend([n] * len(first))
        self.state = "fetching"
        if not requests:
            self.state = "ready"
        return requests

    def feed(self, responses: Sequence[StoredBytes | None]) -> list[GetRequest]:
        """Responses to the last requests, in their order (None: not stored); more requests, or []."""
        if self.state != "fetching":
            raise PlanStateError(f"read batch is {self.state}, not waiting for responses")
        first_step = not self._datas and bool(self._whole)
        expected = (len(self._whole) if first_step else 0) + len(self._waiting)
        if len(responses) != expected:
            raise PlanStateError(f"read batch expected {expected} responses, got {len(responses)}")
        at = 0
        if first_step:
            at = len(self._whole)
            self._datas = list(responses[:at])
        per_plan: dict[int, list[StoredBytes | None]] = {}
        for n, response in zip(self._waiting, responses[at:], strict=True):
            per_plan.setdefault(n, []).append(response)
        waiting: list[int] = []
        requests: list[GetRequest] = []
        for n, fed in per_plan.items():
            more = self._plans[n].feed(fed)
            requests.extend(more)
            waiting.extend([n] * len(more))
        self._waiting = waiting
        if not requests:
            self.state = "ready"
        return requests

    def decode(self, scratch: Scratch | None = None) -> None:
        """Decode every unit and place it in the read's output (CPU work).

        ``scratch`` lends reusable memory for chunks that are decompressed
        before being copied out; by default fresh memory is used.
        """
        if self.state != "ready":
            raise PlanStateError(f"read batch is {self.state}, not ready to decode")
        read = self._read
        placer = read._placer
        projections = read._projections
        for unit, chunk in self._hits:
            placer.place(unit, chunk[projections[unit].chunk_selection])
        whole, datas = self._whole, self._datas
        if self._keep:
            kept = [(u, d) for u, d in zip(whole, datas, strict=True) if u in self._keep]
            rest = [(u, d) for u, d in zip(whole, datas, strict=True) if u not in self._keep]
            self._decode_and_keep(kept)
            whole, datas = [u for u, _ in rest], [d for _, d in rest]
        if whole and read._regular:
            placer.place_whole(whole, datas, read.array.spec, scratch)
        elif whole:
            by_shape: dict[tuple[int, ...], list[tuple[int, StoredBytes | None]]] = {}
            for unit, data in zip(whole, datas, strict=True):
                by_shape.setdefault(read.spec_of(unit).shape, []).append((unit, data))
            for items in by_shape.values():
                units = [u for u, _ in items]
                placer.place_whole(units, [d for _, d in items], read.spec_of(units[0]), scratch)
        self._datas = []
        for unit, plan in zip(self._partial_units, self._plans, strict=True):
            if not placer.place_with(unit, plan):
                placer.place(unit, plan.result())
        read._mark_decoded(self.units)
        self.state = "done"

    def _decode_and_keep(self, items: list[tuple[int, StoredBytes | None]]) -> None:
        """Decode whole objects into memory of their own, offer them to the cache, place them."""
        read = self._read
        cache = self._cache
        assert cache is not None
        keys, projections, placer = read.keys, read._projections, read._placer
        stored = [(u, d) for u, d in items if d is not None]
        for unit, data in items:
            if data is None:
                placer.place(unit, None)
        for unit, data in stored:
            [chunk] = read.array.pipeline.decode_batch([data], read.spec_of(unit), [keys[unit]])
            if chunk is None:
                placer.place(unit, None)
                continue
            chunk = detached(chunk)
            cache.put(keys[unit], chunk)
            placer.place(unit, chunk[projections[unit].chunk_selection])

    def shard_indexes(self) -> list[tuple[str, ShardIndex]]:
        """The shard indexes this batch fetched (not those `start` was given), to cache."""
        keys = self._read.keys
        found: list[tuple[str, ShardIndex]] = []
        for n, (unit, plan) in enumerate(zip(self._partial_units, self._plans, strict=True)):
            index = plan.index
            if index is not None and n not in self._given:
                found.append((keys[unit], index))
        return found
