"""Jobs shared by several threads: each takes the next until none is left."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence

__all__ = ["Drain", "Job"]

#: A unit of blocking work (a batch read, decoded and placed; or built,
#: encoded and stored), run in whichever thread takes it.
Job = Callable[[], None]


class Drain:
    """Jobs several threads run together: each `run` takes jobs until none is left.

    After `stop` (or a failed job) no new job starts; jobs already running
    finish.
    """

    def __init__(self, jobs: Sequence[Job]) -> None:
        self._pending: Iterator[Job] = iter(jobs)
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def stop(self) -> None:
        """Start no further job."""
        self._stop.set()

    def run(self) -> None:
        """Run jobs in this thread until none is left, `stop` is called or one fails."""
        while not self._stop.is_set():
            with self._lock:
                job = next(self._pending, None)
            if job is None:
                return
            try:
                job()
            except BaseException:
                self._stop.set()
                raise
