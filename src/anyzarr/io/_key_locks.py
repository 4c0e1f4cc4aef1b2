"""Per-key locks: read-modify-writes of one object never overlap within a process.

Two writers that each read a chunk (or shard), change their part and write
it back would lose one update if they overlapped.  Every write holds the
locks of the objects it changes around its read and its write; writes to
different objects never wait for each other.

One `KeyLocks` per stored data (`shared_key_locks`: every store object over
the same directory or dict shares it) serves every thread and event loop:
threads block on a `threading.Lock`; tasks poll it with a short, growing
sleep, so that waiting stays cancellable and needs no loop of its own.
Waiting happens only when two writers change the same object at once, which
is rare and short.  Keys are always taken in sorted order, so two writes that
share several objects cannot deadlock.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import AsyncIterator, Hashable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager

import anyio

__all__ = ["KeyLocks", "shared_key_locks"]

#: First and longest sleep of a task waiting for a key (seconds).
_POLL_FIRST = 0.0002
_POLL_MAX = 0.02


class KeyLocks:
    """Exclusive locks by key, created on demand and dropped when released."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        # key -> (lock, number of holders and waiters)
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    def _ref(self, key: str) -> threading.Lock:
        with self._mutex:
            lock, users = self._locks.get(key) or (threading.Lock(), 0)
            self._locks[key] = (lock, users + 1)
            return lock

    def _unref(self, key: str) -> None:
        with self._mutex:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @contextmanager
    def hold(self, keys: Iterable[str]) -> Iterator[None]:
        """Hold every key (blocking this thread until each is free)."""
        taken: list[str] = []
        try:
            for key in sorted(set(keys)):
                lock = self._ref(key)
                try:
                    lock.acquire()
                except BaseException:
                    self._unref(key)
                    raise
                taken.append(key)
            yield
        finally:
            self._release(taken)

    @asynccontextmanager
    async def hold_async(self, keys: Iterable[str]) -> AsyncIterator[None]:
        """Hold every key, waiting without blocking the event loop (cancellable)."""
        taken: list[str] = []
        try:
            for key in sorted(set(keys)):
                lock = self._ref(key)
                try:
                    delay = _POLL_FIRST
                    while not lock.acquire(blocking=False):
                        await anyio.sleep(delay)
                        delay = min(delay * 2, _POLL_MAX)
                except BaseException:
                    self._unref(key)
                    raise
                taken.append(key)
            yield
        finally:
            self._release(taken)

    def _release(self, keys: list[str]) -> None:
        for key in reversed(keys):
            lock, _ = self._locks[key]
            lock.release()
            self._unref(key)

    def __len__(self) -> int:
        """Keys currently held or waited for."""
        return len(self._locks)


_registry_lock = threading.Lock()
_registry: weakref.WeakValueDictionary[Hashable, KeyLocks] = weakref.WeakValueDictionary()


def shared_key_locks(scope: Hashable) -> KeyLocks:
    """The `KeyLocks` of every store over the same data (the same ``scope``).

    Lives as long as some store holds it, so two store objects opened on the
    same directory (or sharing one dict) serialise their writes in this
    process too.
    """
    with _registry_lock:
        locks = _registry.get(scope)
        if locks is None:
            locks = _registry[scope] = KeyLocks()
        return locks
