"""Blocking batch IO: what a store can offer the engine besides its async API.

Local files and in-process memory answer a request in microseconds, so for
them the per-object cost of the async path (a task and a ``store.get`` per
chunk, a worker-thread hop for the IO and another for the decode) is most of
the time spent.  Such a store offers a `BatchIO` from `Store.batch_io`:
blocking calls over many keys that the engine makes from worker threads (or,
in the sync API, from the calling thread and its helpers), fusing IO and
codec work into one hop per batch.

The offer is explicit and typed, never guessed from attribute names, and it
follows the store's own methods: `offers_batch_io` says no for a subclass
that redefines ``get``, ``set``, ``delete`` or ``get_partial_values`` without
redefining ``batch_io`` too, so stores that instrument, cache or transform
their values are always driven through those methods.

Every call takes one of the store's ``concurrency`` slots for as long as it
does IO: one pool of slots per store instance, shared by every thread and
every event loop, so ``concurrency=N`` bounds batch IO in flight to N however
many sync threads and tasks read and write at once.  The slots are tokens in
a `queue.SimpleQueue` (C code: 0.23 µs to take and return one, against
2.5 µs for a `threading.BoundedSemaphore`, whose Python code holds the GIL
that the other IO threads are waiting for); a take blocks while all are out.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Sequence
from queue import SimpleQueue
from typing import TYPE_CHECKING

from anyzarr.protocol.codecs import GetRequest
from anyzarr.protocol.codecs._base import RawBytes

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer

__all__ = ["IO_METHODS", "BatchIO", "Version", "follows_own_io"]

#: Identifies one stored value of a key, for conditional writes: equal
#: versions mean the value was not replaced in between.  ``None`` stands for
#: "no value stored".
Version = Hashable | None

#: The methods through which a store's values are read and written; a
#: subclass that redefines any of them is driven through them.
IO_METHODS = ("get", "get_partial_values", "set", "delete")


def _owner(cls: type, name: str) -> type | None:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass
    return None


def follows_own_io(obj: object, method: str, io_methods: Iterable[str] = IO_METHODS) -> bool:
    """Whether ``method`` of ``obj`` is defined at or below every one of ``io_methods``.

    True means the class that defines ``method`` knows the store's own way
    of reading and writing values; False means a subclass changed those
    after ``method`` was written, so ``method`` would bypass the change.
    """
    cls = type(obj)
    key = (cls, method, tuple(io_methods))
    # Asked on every read and write: a class's answer never changes.
    found = _follows.get(key)
    if found is None:
        found = _follows[key] = _class_follows_own_io(*key)
    return found


_follows: dict[tuple[type, str, tuple[str, ...]], bool] = {}


def _class_follows_own_io(cls: type, method: str, io_methods: tuple[str, ...]) -> bool:
    owner = _owner(cls, method)
    if owner is None:
        return False
    for name in io_methods:
        io_owner = _owner(cls, name)
        if io_owner is not None and not issubclass(owner, io_owner):
            return False
    return True


class _Slots:
    """``with slots:`` holds one of ``n`` slots for the block, waiting while none is free."""

    __slots__ = ("_tokens",)

    def __init__(self, n: int) -> None:
        self._tokens: SimpleQueue[None] = SimpleQueue()
        for _ in range(n):
            self._tokens.put(None)

    def __enter__(self) -> None:
        self._tokens.get()

    def __exit__(self, *exc: object) -> None:
        self._tokens.put(None)


class BatchIO(ABC):
    """A store's blocking batch IO (see the module docstring).

    Subclasses implement the underscored methods; the public ones take one
    of the store's slots around each call.  Every method is safe to call
    from several threads at once.
    """

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self._slots = _Slots(concurrency)

    # -- what the engine calls ---------------------------------------------------

    def read(
        self, requests: Sequence[GetRequest], *, scratch: bool = False
    ) -> list[RawBytes | Buffer | None]:
        """The values (or byte ranges) asked for, in order; None for a missing key.

        With ``scratch``, a store may return views of a per-thread area that
        its next ``scratch`` read from the same thread overwrites; the caller
        must have decoded and copied them out by then.
        """
        with self._slots:
            return self._read(requests, scratch)

    def write(self, items: Sequence[tuple[str, Buffer | None]]) -> None:
        """Store each value (``None`` deletes the key), each atomically.

        A value may be a view of memory the engine reuses once this call has
        returned (a thread's scratch area): a store that keeps values in
        memory keeps a copy.  The same holds for `write_if_unchanged`.
        """
        with self._slots:
            self._write(items)

    @property
    def supports_conditional_writes(self) -> bool:
        """Whether `read_versioned` and `write_if_unchanged` work."""
        return False

    def read_versioned(self, keys: Sequence[str]) -> list[tuple[RawBytes | Buffer | None, Version]]:
        """Whole values and the version of each (``(None, None)`` for a missing key)."""
        with self._slots:
            return self._read_versioned(keys)

    def write_if_unchanged(self, items: Sequence[tuple[str, Buffer | None, Version]]) -> list[bool]:
        """Store each value only if the key still holds the version given; whether each was stored.

        ``None`` values delete the key (under the same condition).  Keys
        whose version changed are left as the other writer made them.
        """
        with self._slots:
            return self._write_if_unchanged(items)

    def version(self, key: str) -> Hashable | None:
        """A token that changes whenever ``key``'s value does, or None (do not cache)."""
        return None

    # -- what a store implements -------------------------------------------------

    @abstractmethod
    def _read(
        self, requests: Sequence[GetRequest], scratch: bool
    ) -> list[RawBytes | Buffer | None]: ...

    @abstractmethod
    def _write(self, items: Sequence[tuple[str, Buffer | None]]) -> None: ...

    def _read_versioned(
        self, keys: Sequence[str]
    ) -> list[tuple[RawBytes | Buffer | None, Version]]:
        return [(data, None) for data in self._read([GetRequest(k) for k in keys], False)]

    def _write_if_unchanged(
        self, items: Sequence[tuple[str, Buffer | None, Version]]
    ) -> list[bool]:
        self._write([(key, value) for key, value, _ in items])
        return [True] * len(items)
