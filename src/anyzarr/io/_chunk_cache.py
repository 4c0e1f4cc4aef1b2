"""Decoded chunks worth keeping: an LRU bounded in bytes, keyed by the store's version token.

Small reads that come back to the same chunk (single elements, short
windows) would otherwise decompress the whole chunk every time.  The cache
keeps the decoded chunks such reads decode, and answers a later read of the
same chunk only if the stored object is still the one that was decoded:
every entry carries the version token the store gave when it was read
(`BatchIO.version`: path, inode, size, mtime and ctime for a file; the stored
value itself for memory), and a lookup with another token is a miss.  So the
cache is safe against other writers, in this process or any other, on every
store that gives tokens; stores that give none (remote ones) are not cached.
Writes through anyzarr also drop the entries of the objects they replace, so
their memory is freed at once.

Entries are read-only arrays: a reader copies its part out.  The size bound
counts decoded bytes; ``max_bytes`` 0 turns the cache off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

import numpy as np
import numpy.typing as npt

__all__ = ["ChunkCache", "chunk_cache"]

#: (the store's scope, the object's key and, for an inner chunk of a shard, its coordinates)
_Key = tuple[Hashable, tuple[str, tuple[int, ...] | None]]
#: An object's key, and for an inner chunk of a shard its coordinates.
Entry = tuple[str, tuple[int, ...] | None]


class ChunkCache:
    """A thread-safe LRU of decoded chunks, keyed by (store scope, key) and checked by token."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[_Key, tuple[Hashable, npt.NDArray[np.generic]]] = OrderedDict()
        self._nbytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def nbytes(self) -> int:
        """Decoded bytes held now."""
        return self._nbytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(
        self, scope: Hashable, key: Entry, token: Hashable | None
    ) -> npt.NDArray[np.generic] | None:
        """The chunk decoded from the object ``token`` names, or None."""
        if token is None:
            return None
        with self._lock:
            entry = self._entries.get((scope, key))
            if entry is None or entry[0] != token:
                self.misses += 1
                return None
            self._entries.move_to_end((scope, key))
            self.hits += 1
            return entry[1]

    def put(
        self, scope: Hashable, key: Entry, token: Hashable | None, chunk: npt.NDArray[np.generic]
    ) -> None:
        """Keep ``chunk``, decoded from the object ``token`` names (ignored without a token)."""
        if token is None or chunk.nbytes > self.max_bytes // 4:
            return  # a chunk this large would push out everything else
        kept = chunk.view()  # read-only for readers; the caller's array stays as it was
        kept.flags.writeable = False
        with self._lock:
            old = self._entries.pop((scope, key), None)
            if old is not None:
                self._nbytes -= old[1].nbytes
            self._entries[(scope, key)] = (token, kept)
            self._nbytes += kept.nbytes
            while self._nbytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._nbytes -= dropped.nbytes

    def invalidate(self, scope: Hashable, keys: list[str]) -> None:
        """Forget the given keys of a store, inner chunks included (their objects were replaced)."""
        if not self._entries:
            return
        doomed = set(keys)
        with self._lock:
            for entry in [e for e in self._entries if e[0] == scope and e[1][0] in doomed]:
                _, chunk = self._entries.pop(entry)
                self._nbytes -= chunk.nbytes

    def resize(self, max_bytes: int) -> None:
        """Change the bound, dropping the oldest entries beyond it."""
        with self._lock:
            self.max_bytes = max_bytes
            while self._nbytes > max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._nbytes -= dropped.nbytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._nbytes = 0


#: The process-wide cache; its size is the ``chunk_cache.max_bytes`` setting.
chunk_cache = ChunkCache(0)
