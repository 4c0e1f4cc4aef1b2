"""Shard indexes worth keeping: an LRU keyed by the store's version token.

Random reads of a few inner chunks of a shard need its index first; keeping
indexes saves that request on the next read of the same shard.  Entries are
keyed by `BatchIO.version` (for files: path, inode, size and times), so a
rewritten shard is never served a stale index, and stores that cannot tell
versions apart (``None``) are never cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from anyzarr.protocol.codecs import ShardIndex

__all__ = ["IndexCache", "shard_index_cache"]


class IndexCache:
    """A thread-safe LRU of shard indexes keyed by version token."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, ShardIndex] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: Hashable | None) -> ShardIndex | None:
        if token is None:
            return None
        with self._lock:
            index = self._entries.get(token)
            if index is not None:
                self._entries.move_to_end(token)
            return index

    def put(self, token: Hashable | None, index: ShardIndex) -> None:
        if token is None:
            return
        with self._lock:
            self._entries[token] = index
            self._entries.move_to_end(token)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


#: The process-wide shard index cache.
shard_index_cache = IndexCache()
