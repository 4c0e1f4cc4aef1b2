"""The engine: runs indexing plans and codec work against a store under anyio.

Reads and writes follow one pattern.  Every chunk a plan touches gets a task
in a single task group owned by the call; the store's own capacity limiter
bounds how many requests are really in flight.  Chunks are grouped into
batches (by decoded size); when the last request of a batch completes, the
task that completed it takes the whole batch to a worker thread for one
``anyio.to_thread.run_sync`` hop: decode (or encode) every chunk of the batch
and copy the selected parts.  So codec work runs on both cores while further
requests are still in flight, and the event loop never runs codec code.

Writes build each new chunk in the worker thread, then issue one ``set`` (or
one ``delete`` for a chunk that holds only the fill value when empty chunks
are not written) per key.  A chunk is never touched by more than that one
call, so a cancelled write leaves every chunk either old or new, provided the
store's ``set`` is atomic per key (every anyzarr store's is).

Sharded arrays are planned over shards.  A shard read as a whole goes through
the batch path like any chunk; a shard read in part runs the pipeline's
sans-IO read plan, which asks for the shard index and then for only the byte
ranges of the inner chunks the selection needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.abc
import anyio.lowlevel
import numpy as np
import numpy.typing as npt

from anyzarr.io._engine_chunks import (
    DEFAULT_BATCH_BYTES,
    batch_sizes,
    chunk_nbytes,
    fresh_chunk,
    inner_chunks_touched,
)
from anyzarr.io._engine_fused import (
    DIRECT_MIN_BYTES,
    INLINE_MAX_BYTES,
    READ_STEP_BYTES,
    FastStore,
    decode_scratch,
    fast_store,
    plan_batches,
    run_batches,
    run_batches_here,
    shard_index_cache,
    workers_for,
)
from anyzarr.io._engine_types import (
    Batch,
    ChunkNotFoundError,
    EngineStorePath,
    PipelineLike,
    PlanLike,
    ProjectionLike,
    ReadPlanLike,
    SpecLike,
    chunk_keys,
)
from anyzarr.io._tasks import task_group
from anyzarr.protocol.codecs import DirectDecoder

__all__ = [
    "ChunkNotFoundError",
    "chunk_keys",
    "read",
    "read_now",
    "task_group",
    "write",
    "write_now",
]


#: Decoded bytes per batch on the general (request per chunk) read path.
REMOTE_BATCH_BYTES = 512 * 1024


async def _get_all(store: Any, requests: Sequence[Any], prototype: Any) -> list[Any]:
    """Fetch every request of one read-plan step concurrently."""
    results: list[Any] = [None] * len(requests)

    async def one(i: int) -> None:
        req = requests[i]
        results[i] = await store.get(req.key, prototype=prototype, byte_range=req.byte_range)

    if len(requests) == 1:
        await one(0)
        return results
    async with task_group() as tg:
        for i in range(len(requests)):
            tg.start_soon(one, i)
    return results


def _decode_bytes_at_most(
    pipeline: PipelineLike,
    spec: SpecLike,
    projections: Sequence[ProjectionLike],
    whole: Sequence[int],
    partial: Sequence[int],
    selection_of: Callable[[ProjectionLike], Any],
) -> bool:
    """Whether a read decodes at most ``INLINE_MAX_BYTES``, small enough to run
    on the loop.  Partial shard reads count the inner chunks they reach."""
    nbytes = chunk_nbytes(spec.shape, spec.dtype)
    total = len(whole) * nbytes
    if total > INLINE_MAX_BYTES:
        return False
    shard = getattr(pipeline, "sharding_codec", None)
    if shard is None:
        return total + len(partial) * nbytes <= INLINE_MAX_BYTES
    inner = chunk_nbytes(shard.chunk_shape, spec.dtype)
    for i in partial:
        selection = selection_of(projections[i])
        total += inner * inner_chunks_touched(selection, spec.shape, shard.chunk_shape)
        if total > INLINE_MAX_BYTES:
            return False
    return True


@dataclass(eq=False)
class _ReadJob:
    """What one read needs about its chunks, shared by every way of running it."""

    projections: list[ProjectionLike]
    keys: list[str]
    whole: list[int]
    partial: list[int]
    scatter: Callable[[int, npt.NDArray[Any] | None], None]
    selection_of: Callable[[ProjectionLike], Any]
    missing: list[str]

    def raise_missing(self) -> None:
        if self.missing:
            raise ChunkNotFoundError(sorted(self.missing))


_BatchWork = Callable[[Sequence[int]], None]


def _fused_reader(
    store: FastStore,
    pipeline: PipelineLike,
    spec: SpecLike,
    job: _ReadJob,
    out: npt.NDArray[Any],
) -> tuple[_BatchWork, _BatchWork]:
    """The synchronous work of a read on a store with batch IO.

    Returns ``(whole_batch, partial_batch)``: each reads, decodes and places
    the chunks at the given projection indices, in whatever thread calls it.
    """
    keys, projections = job.keys, job.projections
    selection_of, scatter = job.selection_of, job.scatter

    make_direct = getattr(pipeline, "direct_decoder", None)
    direct: DirectDecoder | None = make_direct(spec) if make_direct is not None else None
    small: DirectDecoder | None = None
    if direct is not None and direct.nbytes < DIRECT_MIN_BYTES:
        # Small chunks: a fresh buffer each is cheap; what counts is the
        # Python work per chunk, so decompress and place each one in turn.
        small, direct = direct, None

    shard = getattr(pipeline, "sharding_codec", None)

    # Read in steps of about ``READ_STEP_BYTES`` decoded: each step's bytes are
    # still in the core's cache when they are decoded and copied out.
    step = max(1, READ_STEP_BYTES // max(1, chunk_nbytes(spec.shape, spec.dtype)))

    def whole_batch(indices: Sequence[int]) -> None:
        for at in range(0, len(indices), step):
            whole_step(indices[at : at + step])

    def whole_step(indices: Sequence[int]) -> None:
        # Scratch views are fine: every chunk is decoded and copied out below,
        # before this thread reads again.
        datas = store.read_many_sync([(keys[i], None) for i in indices], scratch=True)
        # Each shortcut places the chunks it can handle; the rest fall through
        # to the next one and finally to the general batch decode.
        for enabled, place in (
            (shard is not None, shard_into),
            (small is not None, decode_small),
            (direct is not None, decode_direct),
        ):
            if enabled:
                indices, datas = _unplaced(place, indices, datas)
                if not indices:
                    return
        decoded = pipeline.decode_batch(datas, spec, [keys[i] for i in indices])
        for i, chunk in zip(indices, decoded, strict=True):
            scatter(i, None if chunk is None else chunk[projections[i].chunk_selection])

    def shard_into(i: int, data: Any) -> bool:
        """Decode shard ``i``'s inner chunks straight into their place in the output."""
        assert shard is not None
        p = projections[i]
        osel, csel = p.out_selection, p.chunk_selection
        if not (
            type(osel) is tuple
            and type(csel) is tuple
            and len(osel) == len(csel) == len(spec.shape)
            and all(type(s) is slice for s in osel)
            and all(type(s) is slice for s in csel)
        ):
            return False
        dest = out[osel]
        if dest.dtype != spec.dtype:
            return False
        shard.decode_into(data, spec, keys[i], csel, dest)
        return True

    def decode_small(i: int, data: Any) -> bool:
        assert small is not None
        chunk = small.decode(data)
        if chunk is None:
            return False
        p = projections[i]
        out[p.out_selection] = chunk[p.chunk_selection]
        return True

    def decode_direct(i: int, data: Any) -> bool:
        """Decompress chunk ``i`` into the output (or this thread's scratch) itself."""
        assert direct is not None
        p = projections[i]
        sel = p.out_selection
        if p.is_complete and type(sel) is tuple and all(type(s) is slice for s in sel):
            dest = out[(*sel, ...)]  # a view: only slices (and the ellipsis keeps 0-d a view)
            if dest.flags.c_contiguous and dest.shape == spec.shape and dest.dtype == spec.dtype:
                return direct.decode_into(data, dest.reshape(-1).view(np.uint8))
        target = decode_scratch(direct.nbytes)
        if not direct.decode_into(data, target):
            return False
        scatter(i, direct.as_chunk(target)[p.chunk_selection])
        return True

    def partial_batch(indices: Sequence[int]) -> None:
        for i in indices:
            token = store.version_sync(keys[i])
            index = shard_index_cache.get(token)
            selection = selection_of(projections[i])
            read_plan: ReadPlanLike = (
                pipeline.read_plan(keys[i], selection, spec)
                if index is None
                else pipeline.read_plan(keys[i], selection, spec, index=index)
            )
            requests = read_plan.start()
            while requests:
                requests = read_plan.feed(
                    store.read_many_sync([(r.key, r.byte_range) for r in requests])
                )
            if index is None:
                shard_index_cache.put(token, getattr(read_plan, "index", None))
            scatter(i, read_plan.result())

    return whole_batch, partial_batch


def _runs_inline(pipeline: PipelineLike, spec: SpecLike, job: _ReadJob) -> bool:
    return _decode_bytes_at_most(
        pipeline, spec, job.projections, job.whole, job.partial, job.selection_of
    )


def _unplaced(
    place: Callable[[int, Any], bool], indices: Sequence[int], datas: Sequence[Any]
) -> tuple[list[int], list[Any]]:
    """The chunks ``place`` did not handle (missing ones are never offered to it)."""
    todo = [(i, d) for i, d in zip(indices, datas, strict=True) if d is None or not place(i, d)]
    return [i for i, _ in todo], [d for _, d in todo]


_Work = list[tuple[_BatchWork, Sequence[int]]]


def _fast_read_work(
    store: FastStore, pipeline: PipelineLike, spec: SpecLike, job: _ReadJob, out: npt.NDArray[Any]
) -> tuple[bool, _Work, int]:
    """How a fast-path read runs: ``(inline, batches, workers)``.

    ``inline`` reads are small enough (at most ``INLINE_MAX_BYTES`` to
    decode) that handing them to another thread costs more than the work:
    their batches are run one after another where the read was called.
    """
    whole_batch, partial_batch = _fused_reader(store, pipeline, spec, job, out)
    whole, partial = job.whole, job.partial
    if _runs_inline(pipeline, spec, job):
        return True, [(whole_batch, whole), (partial_batch, partial)], 1
    workers = workers_for(store)
    nbytes = chunk_nbytes(spec.shape, spec.dtype)
    work: _Work = [
        (whole_batch, [whole[j] for j in rng]) for rng in plan_batches(len(whole), nbytes, workers)
    ]
    work += [
        (partial_batch, [partial[j] for j in rng])
        for rng in plan_batches(len(partial), nbytes // 4, workers)
    ]
    return False, work, workers


def _run_item(item: tuple[_BatchWork, Sequence[int]]) -> None:
    item[0](item[1])


async def _read_fast(
    store: FastStore,
    pipeline: PipelineLike,
    spec: SpecLike,
    job: _ReadJob,
    out: npt.NDArray[Any],
) -> None:
    """``read`` for stores with synchronous batch IO: one thread hop per worker."""
    inline, work, workers = _fast_read_work(store, pipeline, spec, job, out)
    if inline:
        # A small read costs less than the two thread switches of a hop, and
        # less than a trip round the event loop: only honour cancellation.
        await anyio.lowlevel.checkpoint_if_cancelled()
        for item in work:
            _run_item(item)
        return
    await run_batches(store, work, _run_item, workers=workers)


def _prepare_read(
    store_path: EngineStorePath,
    metadata: Any,
    pipeline: PipelineLike,
    plan: PlanLike,
    out: npt.NDArray[Any],
    spec: SpecLike,
    read_missing_chunks: bool,
) -> _ReadJob | None:
    """Sort the plan's chunks into whole and partial reads; None when it has none."""
    projections = list(plan.projections)
    if not projections:
        return None
    keys = chunk_keys(store_path, metadata, projections)
    missing: list[str] = []

    # Partial shard reads need a per-axis (orthogonal) selection; point-wise
    # coordinate selections read whole shards instead.
    kind = getattr(plan, "kind", "basic")
    use_partial = pipeline.supports_partial_decode and kind != "coordinate"
    partial: list[int] = []
    whole: list[int] = []
    for i, p in enumerate(projections):
        (partial if use_partial and not p.is_complete else whole).append(i)

    def scatter(i: int, selected: npt.NDArray[Any] | None) -> None:
        p = projections[i]
        if selected is None:
            if not read_missing_chunks:
                missing.append(keys[i])
            elif spec.fill_value is not None:
                out[p.out_selection] = spec.fill_value
            else:
                out[p.out_selection] = fresh_chunk((), out.dtype, None)
        else:
            out[p.out_selection] = selected

    def selection_of(p: ProjectionLike) -> Any:
        # Orthogonal plans hold np.ix_-shaped arrays; read plans want 1-D axes.
        return p.chunk_axes if kind == "orthogonal" else p.chunk_selection  # type: ignore[attr-defined]

    return _ReadJob(projections, keys, whole, partial, scatter, selection_of, missing)


def read_now(
    store_path: EngineStorePath,
    metadata: Any,
    pipeline: PipelineLike,
    plan: PlanLike,
    out: npt.NDArray[Any],
    *,
    spec: SpecLike,
    prototype: Any = None,
    read_missing_chunks: bool = True,
) -> bool:
    """Run ``read`` without an event loop when the store allows it, else do nothing.

    For the synchronous API.  Stores with synchronous batch IO (local files,
    memory) are read in the calling thread, with helper threads for reads
    of more than ``INLINE_MAX_BYTES`` (see `run_batches_here`).  Returns
    whether the read was done (its errors are raised as ``read`` raises
    them); on False ``out`` is untouched and the caller must use ``read``.
    """
    fast = fast_store(store_path.store, prototype)
    if fast is None:
        return False
    job = _prepare_read(store_path, metadata, pipeline, plan, out, spec, read_missing_chunks)
    if job is None:
        return True
    inline, work, workers = _fast_read_work(fast, pipeline, spec, job, out)
    if inline:
        for item in work:
            _run_item(item)
    else:
        run_batches_here(work, _run_item, workers=workers)
    job.raise_missing()
    return True


async def read(
    store_path: EngineStorePath,
    metadata: Any,
    pipeline: PipelineLike,
    plan: PlanLike,
    out: npt.NDArray[Any],
    *,
    spec: SpecLike,
    prototype: Any = None,
    read_missing_chunks: bool = True,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
) -> None:
    """Fill ``out`` (shaped ``plan.shape``) with the data the plan selects.

    Missing chunks read as ``spec.fill_value`` unless ``read_missing_chunks``
    is false, in which case ``ChunkNotFoundError`` lists them once every
    chunk has been tried.
    """
    job = _prepare_read(store_path, metadata, pipeline, plan, out, spec, read_missing_chunks)
    if job is None:
        return
    store = store_path.store
    fast = fast_store(store, prototype)
    if fast is not None:
        await _read_fast(fast, pipeline, spec, job, out)
        job.raise_missing()
        return

    keys, projections, whole, partial = job.keys, job.projections, job.whole, job.partial
    scatter, selection_of = job.scatter, job.selection_of

    def decode_whole(indices: list[int], batch: Batch) -> None:
        decoded = pipeline.decode_batch(
            batch.fetched, spec, [keys[indices[j]] for j in batch.indices]
        )
        for j, chunk in zip(batch.indices, decoded, strict=True):
            i = indices[j]
            scatter(i, None if chunk is None else chunk[projections[i].chunk_selection])

    def finish_partial(indices: list[int], batch: Batch) -> None:
        for j, read_plan in zip(batch.indices, batch.fetched, strict=True):
            scatter(indices[j], read_plan.result())

    nbytes = chunk_nbytes(spec.shape, spec.dtype)

    async with task_group() as tg:

        async def fetch_whole(batch: Batch, j: int) -> None:
            i = whole[j]
            batch.fetched[j - batch.indices.start] = await store.get(keys[i], prototype=prototype)
            batch.pending -= 1
            if batch.pending == 0:
                await anyio.to_thread.run_sync(decode_whole, whole, batch)

        async def fetch_partial(batch: Batch, j: int) -> None:
            i = partial[j]
            read_plan: ReadPlanLike = pipeline.read_plan(
                keys[i], selection_of(projections[i]), spec
            )
            requests = read_plan.start()
            while requests:
                requests = read_plan.feed(await _get_all(store, requests, prototype))
            batch.fetched[j - batch.indices.start] = read_plan
            batch.pending -= 1
            if batch.pending == 0:
                await anyio.to_thread.run_sync(finish_partial, partial, batch)

        # Remote chunks arrive one by one: small batches decode while later
        # requests are in flight and keep few fetched and decoded chunks alive.
        remote_batch = min(batch_bytes, REMOTE_BATCH_BYTES)
        for rng in batch_sizes(len(whole), nbytes, remote_batch):
            batch = Batch(rng)
            for j in rng:
                tg.start_soon(fetch_whole, batch, j)
        for rng in batch_sizes(len(partial), nbytes // 4, remote_batch):
            batch = Batch(rng)
            for j in rng:
                tg.start_soon(fetch_partial, batch, j)

    job.raise_missing()


# Writes live in their own module; the engine's public surface stays here.
from anyzarr.io._engine_write import write, write_now  # noqa: E402
