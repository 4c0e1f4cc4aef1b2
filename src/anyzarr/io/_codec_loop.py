"""An asyncio loop of its own for zarr-python-style codecs that wait.

Codecs written for zarr-python are coroutines; most finish without waiting
and the protocol layer steps them by hand.  Some wait for an asyncio event
loop (zarr-python's own codecs call ``asyncio.to_thread``).  Those run here:
on one daemon thread with its own asyncio loop, whatever backend (asyncio,
trio) and thread the caller is on.  The caller blocks until the coroutine is
done, as it would for any other synchronous codec, so the caller's own loop
(if the call came from it) is never re-entered and never deadlocks.

The loop thread starts on first use and is rebuilt after ``os.fork``.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass

from anyzarr.protocol.codecs._async_adapter import set_coroutine_runner

__all__ = ["install", "run_on_codec_loop"]


@dataclass
class _LoopState:
    """The codec loop, its thread, and the process that started them."""

    pid: int | None = None
    loop: asyncio.AbstractEventLoop | None = None
    thread: threading.Thread | None = None


_lock = threading.Lock()
_state = _LoopState()


def _loop() -> asyncio.AbstractEventLoop:
    with _lock:
        loop = _state.loop
        if loop is not None and _state.pid == os.getpid():
            return loop
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="anyzarr-codec-loop", daemon=True)
        thread.start()
        _state.pid, _state.loop, _state.thread = os.getpid(), loop, thread
        return loop


def run_on_codec_loop[T](make: Callable[[], Coroutine[object, object, T]]) -> T:
    """Run the coroutine ``make()`` on the codec loop and return its result."""
    loop = _loop()
    if threading.current_thread() is _state.thread:
        raise RuntimeError("a codec coroutine cannot wait for another on the codec loop")
    return asyncio.run_coroutine_threadsafe(make(), loop).result()


def install() -> None:
    """Make the protocol layer run waiting codec coroutines on this loop."""
    set_coroutine_runner(run_on_codec_loop)
