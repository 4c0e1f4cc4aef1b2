"""The one task group every anyzarr call uses to run work concurrently.

anyio task groups report failures as ``BaseExceptionGroup``; zarr-python's
users catch ``KeyError``, ``ValueError``, ``FileNotFoundError`` and so on, so
an exception group must never reach them.  The rule, applied to the leaf
exceptions of the group (nested groups flattened):

1. If any leaf is not an ordinary ``Exception`` (``KeyboardInterrupt``,
   ``SystemExit``, the backend's cancellation exception ...), that leaf is
   raised: interrupts and cancellation are never swallowed.  An interrupt or
   exit is preferred over a cancellation, since the cancellation is usually
   just the echo of the other failure.
2. Otherwise the first leaf is raised by itself, and every other failure is
   recorded on it as a ``__notes__`` line, so none is lost silently.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import anyio.abc

__all__ = ["plain_failure", "task_group"]


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    found: list[BaseException] = []
    for exc in group.exceptions:
        found.extend(_leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return found


def plain_failure(
    group: BaseExceptionGroup[BaseException], cancelled: type[BaseException] | None = None
) -> BaseException:
    """The single exception to raise in place of ``group`` (see the module rule).

    ``cancelled`` is the backend's cancellation class; it ranks below other
    non-``Exception`` leaves.
    """
    leaves = _leaves(group)
    if not leaves:
        return group
    serious = [e for e in leaves if not isinstance(e, Exception)]
    if serious:
        interrupts = [e for e in serious if cancelled is None or not isinstance(e, cancelled)]
        return (interrupts or serious)[0]
    first = leaves[0]
    for other in leaves[1:]:
        if other is not first:
            first.add_note(f"another task failed too: {type(other).__name__}: {other}")
    return first


@asynccontextmanager
async def task_group() -> AsyncIterator[anyio.abc.TaskGroup]:
    """An anyio task group whose failure surfaces as one plain exception.

    Raises:
        BaseException: the exception the module rule picks among the failed
            tasks' exceptions (never an exception group).
    """
    try:
        async with anyio.create_task_group() as tg:
            yield tg
    except BaseExceptionGroup as group:
        raise plain_failure(group, anyio.get_cancelled_exc_class()) from None
