"""Where work runs in the sync API: the calling thread, with helper threads.

The calling thread takes jobs itself and up to ``workers - 1`` helpers from
one process-wide pool take others, so a sync read or write of a store with
batch IO costs no trip through the event loop and no thread hand-off per
job.  The caller never waits for a helper that has not started (the pool
may be busy with another call's work): it withdraws such helpers once it
runs out of jobs.  If a job fails or the caller is interrupted (Ctrl-C), no
new job starts; the jobs already running finish before this returns or
raises, so nothing writes into the result after the call is over and every
chunk stays old or new.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from anyzarr.io._drain import Drain, Job

__all__ = ["run_here"]

_pool_lock = threading.Lock()
_pool: tuple[int, int, ThreadPoolExecutor] | None = None


def _helper_pool(size: int) -> ThreadPoolExecutor:
    """The process's helper threads (a new pool after a fork or a new size)."""
    global _pool
    with _pool_lock:
        if _pool is not None and _pool[0] == os.getpid() and _pool[1] == size:
            return _pool[2]
        if _pool is not None and _pool[0] == os.getpid():
            _pool[2].shutdown(wait=False)  # the size setting changed: idle threads exit
        pool = ThreadPoolExecutor(size, thread_name_prefix="anyzarr-batch")
        _pool = (os.getpid(), size, pool)
        return pool


def run_here(jobs: Sequence[Job], *, workers: int, helpers: int) -> None:
    """Run every job: in this thread, and in up to ``workers - 1`` of ``helpers`` pool threads."""
    if not jobs:
        return
    if workers <= 1 or len(jobs) == 1:
        for job in jobs:
            job()
        return
    drain = Drain(jobs)
    pool = _helper_pool(max(1, helpers))
    started: list[Future[None]] = [
        pool.submit(drain.run) for _ in range(min(workers, len(jobs)) - 1)
    ]
    try:
        drain.run()
    except BaseException:
        drain.stop()
        raise
    finally:
        # Wait for running jobs even when the caller failed: nothing may
        # still write into the output once this call is over.
        running = [f for f in started if not f.cancel()]
        errors = [exc for f in running if (exc := f.exception()) is not None]
    if errors:
        raise errors[0]
