"""Writer processes killed with SIGKILL at random moments, for crash tests of stores.

``kill_writers(target, args, ...)`` starts ``count`` processes that each run
``target(ready, *args)``; ``target`` does its setup, writes once, calls
``ready.set()`` and keeps writing until it is killed.  Once every writer is
ready, each is killed with ``SIGKILL`` after a random delay, and reaped.
Then the caller checks what the store holds (every value old or new, no
temp file listed, leftovers removable)::

    def write_forever(ready, root):
        array = anyzarr.open_array(root, mode="r+")
        array[:] = 1
        ready.set()
        while True:
            array[:] = 2
            array[:] = 1

    kill_writers(write_forever, (str(root),), count=4, rng=random.Random(0))

Processes come from a ``forkserver`` that has already imported anyzarr and
numpy, so each costs milliseconds rather than an interpreter start, and
``target`` must be importable by name (defined at module level).  POSIX
only (``SIGKILL``).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["kill_writers"]

_context: Any = None


def _forkserver() -> Any:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["numpy", "anyzarr"])
    return _context


def kill_writers(
    target: Callable[..., Any],
    args: Sequence[Any] = (),
    *,
    count: int = 4,
    rng: random.Random | None = None,
    max_delay: float = 0.15,
    ready_timeout: float = 60.0,
) -> list[float]:
    """Run ``count`` writers, SIGKILL each at a random moment once all are ready.

    Returns the delays used (seconds after all writers were ready).

    Raises
    ------
    TimeoutError
        When a writer does not call ``ready.set()`` within ``ready_timeout``
        (it is killed too).
    """
    rng = rng or random.Random()
    ctx = _forkserver()
    processes = []
    events = []
    for _ in range(count):
        ready = ctx.Event()
        process = ctx.Process(target=target, args=(ready, *args), daemon=True)
        process.start()
        processes.append(process)
        events.append(ready)
    delays: list[float] = []
    try:
        deadline = time.monotonic() + ready_timeout
        for ready in events:
            if not ready.wait(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"a writer did not get ready within {ready_timeout} s")
        start = time.monotonic()
        for delay in sorted(rng.uniform(0.0, max_delay) for _ in processes):
            delays.append(delay)
        for process, delay in zip(processes, delays, strict=True):
            time.sleep(max(0.0, start + delay - time.monotonic()))
            os.kill(process.pid, signal.SIGKILL)
    finally:
        for process in processes:
            if process.is_alive():
                os.kill(process.pid, signal.SIGKILL)
            process.join(timeout=30)
            process.close()
    return delays
