"""Where work runs in the async API: anyio worker threads, a few at a time.

Each worker is one ``anyio.to_thread.run_sync`` hop that takes jobs until
none is left (`Drain`), so the event loop wakes once per worker rather than
once per job, and codec work never runs on the loop.  Cancellation stops
the workers between jobs: the jobs running finish (every chunk stays old or
new), no new one starts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import anyio
import anyio.lowlevel
import anyio.to_thread

from anyzarr.io._drain import Drain, Job
from anyzarr.io._tasks import task_group

__all__ = ["hop", "run_hops", "run_inline"]


async def run_inline(jobs: Sequence[Job]) -> None:
    """Run ``jobs`` one after another on the event loop's thread.

    For work so small (a read of at most a few hundred KiB from memory or a
    local file) that the two thread switches of a hop cost more than the
    work itself; only cancellation is honoured first.
    """
    await anyio.lowlevel.checkpoint_if_cancelled()
    for job in jobs:
        job()


async def hop[T](func: Callable[[], T]) -> T:
    """Run ``func`` in a worker thread and return its result."""
    return await anyio.to_thread.run_sync(func)


async def run_hops(jobs: Sequence[Job], *, workers: int) -> None:
    """Run every job in worker threads, at most ``workers`` at a time."""
    if not jobs:
        return
    if len(jobs) == 1:
        await anyio.to_thread.run_sync(jobs[0])
        return
    drain = Drain(jobs)

    async def stop_when_cancelled() -> None:
        # A worker's hop cannot be interrupted; this task is, and tells the
        # threads to stop taking jobs.
        try:
            await anyio.sleep_forever()
        finally:
            drain.stop()

    async with task_group() as outer:
        outer.start_soon(stop_when_cancelled)
        async with task_group() as tg:
            for _ in range(min(max(1, workers), len(jobs))):
                tg.start_soon(anyio.to_thread.run_sync, drain.run)
        outer.cancel_scope.cancel()
