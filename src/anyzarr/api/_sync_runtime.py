"""The event-loop thread behind the sync API.

Every sync call hands its coroutine function to one long-lived background
thread that runs an event loop (asyncio, or trio when ``sync.backend`` says
so) through an anyio blocking portal, and waits for the result.  Keeping the
async engine underneath means a sync read of many chunks still fetches them
concurrently.

Why one background thread rather than ``anyio.run`` per call: a caller may
already be inside a running event loop (a notebook, an async program calling
a sync library), where starting another loop in the same thread is refused;
and a persistent loop lets store connections and limiters live across calls.

Rules this module keeps:

- The thread starts lazily on the first call and is a daemon; an ``atexit``
  hook stops it so pending work is cancelled rather than abandoned.
- Calls from many threads share the one loop; each call is its own task.
- After ``os.fork`` the child has no loop thread (threads do not survive a
  fork); the pid is checked on every call and a fresh thread is started.
- Changing ``sync.backend`` takes effect on the next call: a new loop thread
  with the new backend replaces the old one once the old one's work is done.
- ``KeyboardInterrupt`` (or any other exception raised in the waiting thread)
  cancels the task on the loop before it propagates.
- Calling the sync API from inside the loop thread itself would wait on
  itself forever, so it raises ``SyncInLoopError`` instead.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import functools
import os
import threading
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import Final

import anyio
from anyio.from_thread import BlockingPortal

from anyzarr.io._config import config
from anyzarr.protocol._dependencies import import_optional
from anyzarr.protocol._errors import UsageError

__all__ = [
    "NOT_HERE",
    "NotHere",
    "SyncInLoopError",
    "off_loop_thread",
    "runs_here",
    "backend_in_use",
    "loop_thread_id",
    "shutdown",
    "sync",
    "sync_iter",
]

_BACKENDS: Final = ("asyncio", "trio")


class SyncInLoopError(UsageError, RuntimeError):
    """A sync API call was made from the loop thread that would have to run it."""


class _Runtime:
    """One running portal, the thread it runs in and the process it belongs to.

    This does what ``anyio.from_thread.start_blocking_portal`` does, minus its
    generator-based context manager: a suspended generator inherited through
    ``fork`` would, when collected, wait for a loop thread that the child does
    not have.
    """

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.pid = os.getpid()
        ready: concurrent.futures.Future[BlockingPortal] = concurrent.futures.Future()
        self.thread = threading.Thread(
            target=self._run, args=(ready,), name=f"anyzarr-sync-{backend}", daemon=True
        )
        self.thread.start()
        self.portal = ready.result()
        self.thread_id: int = self.portal.call(threading.get_ident)

    def _run(self, ready: concurrent.futures.Future[BlockingPortal]) -> None:
        async def serve() -> None:
            async with BlockingPortal() as portal:
                ready.set_result(portal)
                await portal.sleep_until_stopped()

        try:
            anyio.run(serve, backend=self.backend)
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            else:
                raise

    def close(self, cancel: bool) -> None:
        with contextlib.suppress(RuntimeError):
            self.portal.call(self.portal.stop, cancel)
        self.thread.join()


_lock = threading.Lock()
_runtime: _Runtime | None = None


def _configured_backend() -> str:
    backend = str(config.get("sync.backend", "asyncio"))
    if backend not in _BACKENDS:
        raise UsageError(
            f"config key 'sync.backend' is {backend!r}; expected one of {', '.join(_BACKENDS)}"
        )
    if backend == "trio":
        # Fail here, in the caller's thread, rather than inside the loop thread.
        import_optional("trio", "config key 'sync.backend' = 'trio'")
    return backend


def _current() -> _Runtime:
    global _runtime
    backend = _configured_backend()
    rt = _runtime
    if rt is not None and rt.pid == os.getpid() and rt.backend == backend:
        return rt
    old: _Runtime | None = None
    with _lock:
        rt = _runtime
        if rt is None or rt.pid != os.getpid() or rt.backend != backend:
            # A runtime inherited through fork has no thread here: drop it.
            old = rt if rt is not None and rt.pid == os.getpid() else None
            rt = _Runtime(backend)
            _runtime = rt
    if old is not None:
        # Let the replaced loop finish the calls it is running, off our path.
        threading.Thread(target=old.close, args=(False,), daemon=True).start()
    return rt


def _after_fork_in_child() -> None:
    global _lock, _runtime
    # The lock may have been held by another thread at fork time.
    _lock = threading.Lock()
    _runtime = None


os.register_at_fork(after_in_child=_after_fork_in_child)


def sync[**P, T](fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``await fn(*args, **kwargs)`` on the background loop and return its result.

    Exceptions raised by ``fn`` come out unchanged, with their traceback.  If
    the waiting thread is interrupted (``KeyboardInterrupt``), the task is
    cancelled before the interrupt propagates.

    Raises:
        SyncInLoopError: when called from the background loop thread itself.
        UsageError: when ``sync.backend`` names an unknown backend.
    """
    rt = _current()
    if threading.get_ident() == rt.thread_id:
        raise SyncInLoopError(
            f"anyzarr's sync API was called from its own event-loop thread "
            f"(while running {getattr(fn, '__qualname__', fn)!r}); use the async API there"
        )

    future: concurrent.futures.Future[T] = rt.portal.start_task_soon(
        functools.partial(fn, *args, **kwargs)
    )
    try:
        return future.result()
    except BaseException:
        if not future.done():
            # Cancelling the future cancels the task's scope on the loop.
            future.cancel()
        raise


def sync_iter[**P, T](
    fn: Callable[P, AsyncIterable[T] | Awaitable[AsyncIterable[T]]],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> list[T]:
    """Collect the async iterator returned by ``fn(*args, **kwargs)`` into a list.

    ``fn`` may be an async generator function or a coroutine function whose
    result is an async iterable.
    """

    async def collect() -> list[T]:
        produced = fn(*args, **kwargs)
        items = produced if isinstance(produced, AsyncIterable) else await produced
        return [item async for item in items]

    return sync(collect)


def backend_in_use() -> str | None:
    """The backend of the running loop thread in this process, or ``None``."""
    rt = _runtime
    return rt.backend if rt is not None and rt.pid == os.getpid() else None


class NotHere:
    """What a ``_NAME_here`` method returns when the work needs the event loop (see `runs_here`)."""

    __slots__ = ()


#: The one `NotHere` value.
NOT_HERE = NotHere()


def runs_here[F: Callable[..., object]](method: F) -> F:
    """Mark an async method whose sync twin may do its work in the calling thread.

    The method's body must be one ``return await self._NAME(...)``;
    ``scripts/generate_sync.py`` then gives the sync twin a body that first
    calls ``self._NAME_here(...)`` with the same arguments, which returns the
    result when it could do the work without the event loop (a store with
    batch IO, called off the loop thread) and `NOT_HERE`, having done
    nothing, otherwise; only then is the async method run on the loop.  The
    marker itself changes nothing at run time.
    """
    return method


def off_loop_thread() -> bool:
    """Whether the calling thread is not the sync API's event-loop thread."""
    return threading.get_ident() != loop_thread_id()


def loop_thread_id() -> int | None:
    """The thread id of the running loop thread in this process, or ``None``."""
    rt = _runtime
    return rt.thread_id if rt is not None and rt.pid == os.getpid() else None


def shutdown() -> None:
    """Stop the loop thread, cancelling pending calls; the next call starts a new one."""
    global _runtime
    with _lock:
        rt, _runtime = _runtime, None
    if rt is not None and rt.pid == os.getpid():
        rt.close(cancel=True)


atexit.register(shutdown)
