"""A store wrapper that injects faults, for testing code that uses stores (and stores).

:class:`FaultyStore` wraps any :class:`~anyzarr.storage.Store` and, on
request, makes its operations fail, slow down, return truncated values,
complete in a shuffled order, or "crash" after a number of operations::

    store = FaultyStore(MemoryStore())
    store.fail_next(2, methods={"get"})          # the next two gets raise
    store.truncate_next(1, keep=3)               # the next get returns 3 bytes
    store.latency = 0.01                         # every operation waits 10 ms
    store.jitter = 0.005                         # ...plus up to 5 ms, so
                                                 # concurrent calls finish out of order
    store.crash_after(10, methods={"set", "delete"})  # the 11th write and all
                                                 # after it raise InjectedCrash

Faults fire in the order they were injected, each on the next call it
matches (method name and, optionally, a key predicate).  Every call is
recorded in :attr:`FaultyStore.calls`.  Randomness comes from ``seed``, so a
failing test can be replayed.  The wrapper goes through the wrapped store's
async methods only, so it also works as a drop-in for third-party stores.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Collection, Iterable
from dataclasses import dataclass

import anyio
import anyio.lowlevel

from anyzarr.io._store import Store
from anyzarr.io.stores._wrapper import WrapperStore
from anyzarr.protocol._byte_request import ByteRequest
from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["FaultyStore", "InjectedCrash", "InjectedError"]

READS = frozenset({"get", "get_partial_values", "exists", "getsize", "list"})
WRITES = frozenset({"set", "set_if_not_exists", "delete", "delete_dir", "clear"})


class InjectedError(OSError):
    """The default error a :class:`FaultyStore` raises (an ``OSError``, like real IO)."""


class InjectedCrash(Exception):
    """Raised by every matching call once a :meth:`FaultyStore.crash_after` point is reached."""


@dataclass(frozen=True, slots=True)
class _Fault:
    kind: str  # "error" | "truncate"
    methods: frozenset[str]
    keys: Callable[[str], bool] | None
    error: BaseException | None = None
    keep: int = 0

    def matches(self, method: str, key: str | None) -> bool:
        if method not in self.methods:
            return False
        return self.keys is None or (key is not None and self.keys(key))


class FaultyStore(WrapperStore[Store]):
    """Wraps ``store`` and injects faults into its operations; see the module docstring.

    Parameters
    ----------
    store
        The store to wrap.
    seed
        Seeds the random delays of ``jitter``.
    """

    def __init__(self, store: Store, *, seed: int = 0) -> None:
        super().__init__(store)
        self.latency = 0.0
        self.jitter = 0.0
        self.calls: list[tuple[str, str | None]] = []
        self._rng = random.Random(seed)
        self._faults: deque[_Fault] = deque()
        self._lock = threading.Lock()
        self._crash_at: int | None = None
        self._crash_methods: frozenset[str] = frozenset()
        self._counted = 0

    def __getstate__(self) -> dict[str, object]:
        state = super().__getstate__()
        state["_lock"] = None
        state["_faults"] = deque()  # key predicates may not pickle
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        super().__setstate__(state)
        self._lock = threading.Lock()

    def _with_store(self, store: Store) -> FaultyStore:
        twin = type(self)(store)
        twin.latency, twin.jitter = self.latency, self.jitter
        return twin

    # -- configuring -----------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        error: BaseException | None = None,
        methods: Collection[str] = READS | WRITES,
        keys: Callable[[str], bool] | None = None,
    ) -> None:
        """Make the next ``count`` matching calls raise ``error`` (default ``InjectedError``)."""
        fault = _Fault("error", frozenset(methods), keys, error=error)
        with self._lock:
            self._faults.extend(fault for _ in range(count))

    def truncate_next(
        self, count: int = 1, *, keep: int = 0, keys: Callable[[str], bool] | None = None
    ) -> None:
        """Make the next ``count`` ``get`` calls return only the first ``keep`` bytes."""
        fault = _Fault("truncate", frozenset({"get", "get_partial_values"}), keys, keep=keep)
        with self._lock:
            self._faults.extend(fault for _ in range(count))

    def crash_after(self, operations: int, *, methods: Collection[str] = WRITES) -> None:
        """After ``operations`` more matching calls succeed, every matching call raises
        :class:`InjectedCrash` (until :meth:`revive`): a process that died mid-way."""
        with self._lock:
            self._crash_at = self._counted + operations
            self._crash_methods = frozenset(methods)

    def revive(self) -> None:
        """Forget the crash point and pending faults."""
        with self._lock:
            self._crash_at = None
            self._faults.clear()

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    # -- the hook every call goes through ----------------------------------------

    async def _enter(self, method: str, key: str | None) -> _Fault | None:
        with self._lock:
            self.calls.append((method, key))
            fault = next((f for f in self._faults if f.matches(method, key)), None)
            if fault is not None:
                self._faults.remove(fault)
            delay = self.latency + (self._rng.uniform(0, self.jitter) if self.jitter else 0)
        if delay:
            await anyio.sleep(delay)
        else:
            await anyio.lowlevel.checkpoint()
        with self._lock:
            # Counted after the delay, when the operation is about to happen:
            # exactly ``operations`` calls get through, whatever their order.
            if self._crash_at is not None and method in self._crash_methods:
                if self._counted >= self._crash_at:
                    raise InjectedCrash(f"{method}({key!r}) after the crash point")
                self._counted += 1
        if fault is not None and fault.kind == "error":
            raise fault.error or InjectedError(f"injected failure in {method}({key!r})")
        return fault

    @staticmethod
    def _cut(value: Buffer | None, fault: _Fault | None) -> Buffer | None:
        if value is None or fault is None or fault.kind != "truncate":
            return value
        return value[: fault.keep]

    # -- the Store API -------------------------------------------------------------

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        fault = await self._enter("get", key)
        return self._cut(await self._store.get(key, prototype, byte_range), fault)

    async def get_partial_values(
        self,
        prototype: BufferPrototype | None,
        key_ranges: Iterable[tuple[str, ByteRequest | None]],
    ) -> list[Buffer | None]:
        pairs = list(key_ranges)
        out: list[Buffer | None] = []
        for key, byte_range in pairs:
            fault = await self._enter("get_partial_values", key)
            out.append(self._cut(await self._store.get(key, prototype, byte_range), fault))
        return out

    async def exists(self, key: str) -> bool:
        await self._enter("exists", key)
        return await self._store.exists(key)

    async def getsize(self, key: str) -> int:
        await self._enter("getsize", key)
        return await self._store.getsize(key)

    async def set(self, key: str, value: Buffer) -> None:
        await self._enter("set", key)
        await self._store.set(key, value)

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        await self._enter("set_if_not_exists", key)
        await self._store.set_if_not_exists(key, value)

    async def delete(self, key: str) -> None:
        await self._enter("delete", key)
        await self._store.delete(key)

    async def delete_dir(self, prefix: str) -> None:
        await self._enter("delete_dir", prefix)
        await self._store.delete_dir(prefix)

    async def clear(self) -> None:
        await self._enter("clear", None)
        await self._store.clear()

    async def list(self) -> AsyncIterator[str]:
        await self._enter("list", None)
        async for key in self._store.list():
            yield key

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        await self._enter("list", prefix)
        async for key in self._store.list_prefix(prefix):
            yield key

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        await self._enter("list", prefix)
        async for key in self._store.list_dir(prefix):
            yield key
