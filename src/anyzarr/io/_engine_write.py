"""The engine's writes: build each touched chunk, encode it, store it.

Chunks the selection covers completely are built from the value alone; the
others are read, merged and written back.  With ``write_empty_chunks`` false,
a chunk left holding only the fill value is deleted instead of stored.  Each
chunk is set (or deleted) by exactly one store call, so an interrupted write
leaves every chunk old or new when the store's ``set`` is atomic per key
(every anyzarr store's is).

Stores with synchronous batch IO (local files, memory) take the fused path:
batches of chunks are read (where needed), built, encoded and stored in one
worker-thread hop each (`write`), or, for the synchronous API, by the
calling thread and helper threads without the event loop (`write_now`).
Other stores get one task per chunk under the store's limiter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import numpy as np
import numpy.typing as npt

from anyzarr.io._engine_chunks import (
    DEFAULT_BATCH_BYTES,
    batch_sizes,
    chunk_nbytes,
    covers_whole_chunk,
    fresh_chunk,
    is_all_fill,
    writable,
)
from anyzarr.io._engine_fused import (
    FastStore,
    differs_at_start,
    fast_store,
    plan_batches,
    run_batches,
    run_batches_here,
    workers_for,
)
from anyzarr.io._engine_types import (
    Batch,
    EngineStorePath,
    PipelineLike,
    PlanLike,
    ProjectionLike,
    SpecLike,
    chunk_keys,
)
from anyzarr.io._tasks import task_group

__all__ = ["write", "write_now"]

Fields = str | Sequence[str] | None


def _field_view(chunk: npt.NDArray[Any], fields: Fields) -> npt.NDArray[Any]:
    if fields is None:
        return chunk
    if isinstance(fields, str):
        return chunk[fields]  # type: ignore[no-any-return]
    return chunk[list(fields)]  # type: ignore[no-any-return]


@dataclass(eq=False)
class _WriteJob:
    """What one write needs, shared by every way of running it."""

    projections: list[ProjectionLike]
    keys: list[str]
    #: Whether each chunk must be read first (partly covered, or fields only).
    needs_read: list[bool]
    #: ``build(batch)`` gives ``(key, encoded or None)`` per chunk of the batch.
    build: Callable[[Batch], list[tuple[str, Any]]]


def _prepare_write(
    store_path: EngineStorePath,
    metadata: Any,
    pipeline: PipelineLike,
    plan: PlanLike,
    value: npt.NDArray[Any],
    spec: SpecLike,
    write_empty_chunks: bool,
    fields: Fields,
) -> _WriteJob | None:
    projections = list(plan.projections)
    if not projections:
        return None
    value = np.broadcast_to(value, tuple(plan.shape))
    keys = chunk_keys(store_path, metadata, projections)
    store = store_path.store
    # With fields only part of each element changes, so every chunk is read.
    needs_read = [fields is not None or not p.is_complete for p in projections]

    def build(batch: Batch) -> list[tuple[str, Any]]:
        to_decode = [j for j in batch.indices if needs_read[j]]
        decoded = pipeline.decode_batch(
            [batch.fetched[j - batch.indices.start] for j in to_decode],
            spec,
            [keys[j] for j in to_decode],
        )
        old = dict(zip(to_decode, decoded, strict=True))
        new_chunks: list[npt.NDArray[Any]] = []
        for j in batch.indices:
            p = projections[j]
            part = value[p.out_selection]
            prev = old.get(j)
            if prev is not None:
                chunk = writable(np.asarray(prev))
            elif (
                fields is None
                and covers_whole_chunk(p.chunk_selection, spec.shape)
                and part.dtype == spec.dtype
            ):
                new_chunks.append(np.ascontiguousarray(part).reshape(spec.shape))
                continue
            else:
                chunk = fresh_chunk(spec.shape, spec.dtype, spec.fill_value)
            _field_view(chunk, fields)[p.chunk_selection] = part
            new_chunks.append(chunk)
        fill = spec.fill_value
        # A store that cannot delete (zip) must hold the fill-value chunk instead.
        keep_all = write_empty_chunks or not getattr(store, "supports_deletes", True)
        keep = [
            keep_all or differs_at_start(chunk, fill) or not is_all_fill(chunk, fill)
            for chunk in new_chunks
        ]
        encoded = iter(
            pipeline.encode_batch([c for c, k in zip(new_chunks, keep, strict=True) if k], spec)
        )
        return [
            (keys[j], next(encoded) if k else None)
            for j, k in zip(batch.indices, keep, strict=True)
        ]

    return _WriteJob(projections, keys, needs_read, build)


def _fused_work(
    store: FastStore, spec: SpecLike, job: _WriteJob
) -> tuple[list[range], Callable[[range], None], int]:
    """The batches of a fast-path write, the work for one, and how many run at once."""
    keys, needs_read = job.keys, job.needs_read

    def build_and_store(rng: range) -> None:
        batch = Batch(rng)
        reads = [j for j in rng if needs_read[j]]
        if reads:
            datas = store.read_many_sync([(keys[j], None) for j in reads])
            for j, data in zip(reads, datas, strict=True):
                batch.fetched[j - rng.start] = data
        store.write_many_sync(job.build(batch))

    workers = workers_for(store, writing=True)
    item = chunk_nbytes(spec.shape, spec.dtype)
    return plan_batches(len(job.projections), item, workers), build_and_store, workers


def write_now(
    store_path: EngineStorePath,
    metadata: Any,
    pipeline: PipelineLike,
    plan: PlanLike,
    value: npt.NDArray[Any],
    *,
    spec: SpecLike,
    prototype: Any = None,
    write_empty_chunks: bool = False,
    fields: Fields = None,
) -> bool:
    """Run ``write`` without an event loop when the store allows it, else do nothing.

    For the synchronous API: a store with synchronous batch IO (local files,
    memory) is written by the calling thread and helper threads (see
    `run_batches_here`).  Returns whether the write was done; on False
    nothing was touched and the caller must use ``write``.
    """
    fast = fast_store(store_path.store, prototype)
    if fast is None:
        return False
    job = _prepare_write(
        store_path, metadata, pipeline, plan, value, spec, write_empty_chunks, fields
    )
    if job is not None:
        batches, work, workers = _fused_work(fast, spec, job)
        run_batches_here(batches, work, workers=workers)
    return True


async def write(
    store_path: EngineStorePath,
    metadata: Any,
    pipeline: PipelineLike,
    plan: PlanLike,
    value: npt.NDArray[Any],
    *,
    spec: SpecLike,
    prototype: Any = None,
    write_empty_chunks: bool = False,
    fields: Fields = None,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
) -> None:
    """Write ``value`` (broadcastable to ``plan.shape``) into the chunks of the plan.

    Chunks the selection covers completely are encoded without being read;
    the others are read, modified and written back.  With
    ``write_empty_chunks`` false, a chunk left holding only the fill value is
    deleted instead of stored.
    """
    job = _prepare_write(
        store_path, metadata, pipeline, plan, value, spec, write_empty_chunks, fields
    )
    if job is None:
        return
    store = store_path.store
    fast = fast_store(store, prototype)
    if fast is not None:
        batches, work, workers = _fused_work(fast, spec, job)
        await run_batches(fast, batches, work, workers=workers)
        return

    keys, needs_read, build = job.keys, job.needs_read, job.build

    async def put(key: str, data: Any) -> None:
        if data is None:
            await store.delete(key)
        else:
            await store.set(key, data)

    async with task_group() as tg:

        async def finish(batch: Batch) -> None:
            for key, data in await anyio.to_thread.run_sync(build, batch):
                tg.start_soon(put, key, data)

        async def fetch(batch: Batch, j: int) -> None:
            batch.fetched[j - batch.indices.start] = await store.get(keys[j], prototype=prototype)
            batch.pending -= 1
            if batch.pending == 0:
                await finish(batch)

        item = chunk_nbytes(spec.shape, spec.dtype)
        for rng in batch_sizes(len(job.projections), item, batch_bytes):
            batch = Batch(rng)
            reads = [j for j in rng if needs_read[j]]
            batch.pending = len(reads)
            if not reads:
                tg.start_soon(finish, batch)
            for j in reads:
                tg.start_soon(fetch, batch, j)
