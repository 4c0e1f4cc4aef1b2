"""Retrying transient remote failures, shared by the remote drivers.

Remote reads fail for reasons that go away by themselves: a connection
refused while a server restarts, a read timeout, a 503 from an overloaded
front end, a 429 asking the client to slow down.  :func:`retry_call` retries
such failures with exponential backoff and full jitter (so many clients that
failed together do not retry together), within a budget of both attempts and
wall time so a dead server fails the read in bounded time instead of hanging
it.  Only operations the caller marks idempotent go through it: a write is
never replayed blindly.

The module also answers "is the running loop asyncio?", which the obstore and
fsspec drivers need because those libraries' coroutines only run on asyncio.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
import anyio.lowlevel

from anyzarr.protocol._errors import AnyzarrError

__all__ = [
    "RemoteStoreError",
    "RetriesExhaustedError",
    "RetryPolicy",
    "TransientError",
    "running_on_asyncio",
    "retry_call",
]

#: One record per retry (INFO); the final failure is raised, not logged.
_log = logging.getLogger("anyzarr.storage.retry")


class RemoteStoreError(AnyzarrError, OSError):
    """A request to a remote store failed; the message names the URL or key.

    ``url`` is the address or key concerned and ``status`` the HTTP status
    where there was one.  It derives from ``OSError`` because that is what
    file-like backends raise for the same failures.
    """

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class RetriesExhaustedError(RemoteStoreError):
    """A transient failure persisted past the retry budget."""


class TransientError(Exception):
    """Raised inside a retried operation to ask for another attempt.

    ``retry_after`` is the server's requested wait in seconds, if it sent one.
    It never escapes :func:`retry_call`: once the budget is spent it becomes a
    :class:`RetriesExhaustedError`.
    """

    def __init__(
        self,
        reason: str,
        *,
        url: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to retry.

    Parameters
    ----------
    attempts
        Total attempts, the first included (1 means no retry).
    base_delay
        Backoff before the second attempt; it doubles each time.
    max_delay
        Upper bound for one backoff (a server's ``Retry-After`` may ask for
        more, up to what is left of ``total_timeout``).
    total_timeout
        Wall-time budget in seconds for all attempts and waits together.
    jitter
        Fraction of each backoff drawn at random (1.0 is "full jitter").
    """

    attempts: int = 4
    base_delay: float = 0.1
    max_delay: float = 5.0
    total_timeout: float = 60.0
    jitter: float = 1.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts must be at least 1, got {self.attempts}")
        if self.base_delay < 0 or self.max_delay < 0 or self.total_timeout <= 0:
            raise ValueError(f"RetryPolicy delays must be non-negative: {self!r}")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"RetryPolicy.jitter must lie in [0, 1], got {self.jitter}")

    @classmethod
    def coerce(cls, retries: int | RetryPolicy) -> RetryPolicy:
        """A policy from an int (number of *retries* after the first try) or a policy."""
        if isinstance(retries, RetryPolicy):
            return retries
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(
                f"retries must be a non-negative int or a RetryPolicy, got {retries!r}"
            )
        return cls(attempts=retries + 1)

    def backoff(self, failures: int) -> float:
        """The wait after ``failures`` consecutive failures (1 for the first)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (failures - 1))
        fixed = ceiling * (1.0 - self.jitter)
        return float(fixed + random.uniform(0.0, ceiling - fixed))


async def retry_call[T](
    operation: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    what: str,
) -> T:
    """Await ``operation()`` until it stops raising :class:`TransientError`.

    ``what`` describes the operation (method and URL) for the final error.

    Raises
    ------
    RetriesExhaustedError
        When attempts or time ran out; it names ``what``, the attempts made
        and the last failure, and chains that failure.
    """
    deadline = anyio.current_time() + policy.total_timeout
    failures = 0
    while True:
        try:
            return await operation()
        except TransientError as exc:
            failures += 1
            remaining = deadline - anyio.current_time()
            wait = policy.backoff(failures)
            if exc.retry_after is not None:
                wait = max(wait, exc.retry_after)
            if failures >= policy.attempts or wait >= remaining:
                why = "attempts" if failures >= policy.attempts else "time budget"
                raise RetriesExhaustedError(
                    f"{what} failed after {failures} attempt(s) ({why} spent, "
                    f"budget {policy.attempts} attempts / {policy.total_timeout:g}s): "
                    f"{exc.reason}",
                    url=exc.url,
                    status=exc.status,
                ) from exc
            _log.info(
                "retrying %s in %.2fs after failure %d of at most %d: %s",
                what,
                wait,
                failures,
                policy.attempts,
                exc.reason,
            )
            await anyio.sleep(wait)


def running_on_asyncio() -> bool:
    """Whether the current task runs on an asyncio event loop.

    anyio hides the backend on purpose; the drivers ask only because obstore
    and fsspec hand out asyncio-bound coroutines, which must run in a worker
    thread under any other loop.
    """
    backend = anyio.lowlevel.current_token().backend_class
    return backend.__module__ == "anyio._backends._asyncio"
