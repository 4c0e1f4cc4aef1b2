"""Progress of a copy or conversion: what a ``progress=`` callback is given.

:func:`~anyzarr.api.asynchronous.copy_hierarchy` and
:func:`~anyzarr.api.asynchronous.convert_hierarchy` call their ``progress``
callback with a :class:`TransferProgress` once when the totals are known and
again after every stored object they finish, so a command-line progress bar,
a notebook widget and a log line all read the same numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

__all__ = ["ProgressCallback", "TransferProgress", "TransferTracker"]


@dataclass(frozen=True, slots=True)
class TransferProgress:
    """Counts of a copy or conversion so far.

    A *chunk* here is one stored object: a chunk, a shard or a metadata
    document.  ``bytes_*`` count stored (encoded) bytes for a copy and
    uncompressed array bytes for a conversion (the stored size of a
    conversion's output is not known until it is written).  Totals are
    ``None`` while unknown (for a source that cannot list its keys, the byte
    total stays unknown).
    """

    chunks_done: int = 0
    chunks_total: int | None = None
    bytes_done: int = 0
    bytes_total: int | None = None
    #: Objects left alone because the destination already held them, equal.
    chunks_skipped: int = 0
    #: Objects the source lacks (never written: they read as the fill value).
    chunks_missing: int = 0
    #: The key (or array path) finished last, ``None`` before the first.
    key: str | None = None

    @property
    def finished(self) -> bool:
        """Whether every object is done (only once the total is known)."""
        return self.chunks_total is not None and self.chunks_done >= self.chunks_total


#: A ``progress=`` callback; it runs on the event loop's thread, so it must be quick.
ProgressCallback = Callable[[TransferProgress], object]


class TransferTracker:
    """Accumulates a :class:`TransferProgress` and reports each step.

    Not thread-safe: one event loop updates it (tasks switch only at awaits).
    """

    def __init__(self, callback: ProgressCallback | None, logger: logging.Logger) -> None:
        self._callback = callback
        self._log = logger
        self.state = TransferProgress()

    def set_totals(self, chunks: int | None, nbytes: int | None) -> None:
        """Record the totals and report them."""
        self.state = replace(self.state, chunks_total=chunks, bytes_total=nbytes)
        self._log.info("%s objects, %s bytes to transfer", chunks, nbytes)
        self._report()

    def add_totals(self, chunks: int, nbytes: int) -> None:
        """Grow the totals (a conversion learns them array by array)."""
        self.state = replace(
            self.state,
            chunks_total=(self.state.chunks_total or 0) + chunks,
            bytes_total=(self.state.bytes_total or 0) + nbytes,
        )
        self._report()

    def done(
        self,
        key: str,
        nbytes: int,
        *,
        count: int = 1,
        skipped: bool = False,
        missing: bool = False,
    ) -> None:
        """``count`` objects finished: copied, skipped as equal, or missing in the source."""
        s = self.state
        self.state = replace(
            s,
            chunks_done=s.chunks_done + count,
            bytes_done=s.bytes_done + nbytes,
            chunks_skipped=s.chunks_skipped + (count if skipped else 0),
            chunks_missing=s.chunks_missing + (count if missing else 0),
            key=key,
        )
        if self._log.isEnabledFor(logging.DEBUG):
            what = "skipped (equal)" if skipped else "missing" if missing else "copied"
            self._log.debug("%s %s (%d bytes)", what, key, nbytes)
        self._report()

    def _report(self) -> None:
        if self._callback is not None:
            self._callback(self.state)
