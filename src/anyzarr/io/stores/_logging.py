"""A wrapper store that logs and counts every call."""

from __future__ import annotations

import logging
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Generator, Iterable
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Self

from anyzarr.io._batch_io import Version
from anyzarr.io._store import close_store
from anyzarr.io.stores._common import instance_attribute
from anyzarr.io.stores._wrapper import T_Store, WrapperStore
from anyzarr.protocol._byte_request import ByteRequest

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["LoggingStore"]


class LoggingStore(WrapperStore[T_Store]):
    """Forwards to ``store``, logging each call and counting calls per method.

    ``counter`` maps a method name (``"get"``, ``"set"``, ``"list_dir"``, ...)
    to the number of calls, which makes it a handy probe in tests: how many
    reads did that operation take?

    Parameters
    ----------
    store
        The store to wrap.
    log_level
        Level name of the messages (default ``"DEBUG"``).
    log_handler
        A handler to attach; by default messages go to the
        ``anyzarr.storage.LoggingStore`` logger's existing handlers.
    """

    counter: defaultdict[str, int] = instance_attribute("Number of calls, by method name.")
    log_level: str = instance_attribute("Level name of the log messages.")
    log_handler: logging.Handler | None = instance_attribute("The handler given, if any.")

    def __init__(
        self,
        store: T_Store,
        log_level: str = "DEBUG",
        log_handler: logging.Handler | None = None,
    ) -> None:
        super().__init__(store)
        self.counter = defaultdict(int)
        self.log_level = log_level
        self.log_handler = log_handler
        self.logger = logging.getLogger(f"anyzarr.storage.{type(self).__name__}")
        self.logger.setLevel(log_level)
        if log_handler is not None and log_handler not in self.logger.handlers:
            self.logger.addHandler(log_handler)

    def _with_store(self, store: T_Store) -> Self:
        return type(self)(store, log_level=self.log_level, log_handler=self.log_handler)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("logger", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self.logger = logging.getLogger(f"anyzarr.storage.{type(self).__name__}")

    @contextmanager
    def log(self, hint: Any = "") -> Generator[None, None, None]:
        """Count and log the calling method around the ``with`` block."""
        caller = sys._getframe(2)  # log() -> contextmanager.__enter__ -> caller
        with self._logged(caller.f_code.co_name, hint):
            yield

    @contextmanager
    def _logged(self, method: str, hint: Any = "") -> Generator[None, None, None]:
        self.counter[method] += 1
        level = logging.getLevelName(self.log_level)
        store = type(self._store).__name__
        self.logger.log(level, "Calling %s.%s(%s)", store, method, hint)
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
        self.logger.log(level, "Finished %s.%s(%s) [%.4f s]", store, method, hint, elapsed)

    def __repr__(self) -> str:
        return f"LoggingStore({type(self._store).__name__}, '{self._store}')"

    def __str__(self) -> str:
        return f"logging-{self._store}"

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        with self._logged("get", key):
            return await self._store.get(key, prototype, byte_range)

    async def get_partial_values(
        self,
        prototype: BufferPrototype | None,
        key_ranges: Iterable[tuple[str, ByteRequest | None]],
    ) -> list[Buffer | None]:
        requests = list(key_ranges)
        with self._logged("get_partial_values", f"{len(requests)} requests"):
            return await self._store.get_partial_values(prototype, requests)

    async def exists(self, key: str) -> bool:
        with self._logged("exists", key):
            return await self._store.exists(key)

    async def getsize(self, key: str) -> int:
        with self._logged("getsize", key):
            return await self._store.getsize(key)

    async def getsize_prefix(self, prefix: str) -> int:
        with self._logged("getsize_prefix", prefix):
            return await self._store.getsize_prefix(prefix)

    async def is_empty(self, prefix: str = "") -> bool:
        with self._logged("is_empty", prefix):
            return await self._store.is_empty(prefix)

    async def get_versioned(
        self, key: str, prototype: BufferPrototype | None = None
    ) -> tuple[Buffer | None, Version]:
        with self._logged("get_versioned", key):
            return await self._store.get_versioned(key, prototype)

    async def set(self, key: str, value: Buffer) -> None:
        with self._logged("set", key):
            await self._store.set(key, value)

    async def set_if_unchanged(self, key: str, value: Buffer | None, version: Version) -> bool:
        with self._logged("set_if_unchanged", key):
            return await self._store.set_if_unchanged(key, value, version)

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        with self._logged("set_if_not_exists", key):
            await self._store.set_if_not_exists(key, value)

    async def delete(self, key: str) -> None:
        with self._logged("delete", key):
            await self._store.delete(key)

    async def delete_dir(self, prefix: str) -> None:
        with self._logged("delete_dir", prefix):
            await self._store.delete_dir(prefix)

    async def clear(self) -> None:
        with self._logged("clear"):
            await self._store.clear()

    async def close(self) -> None:
        with self._logged("close"):
            await close_store(self._store)

    async def list(self) -> AsyncIterator[str]:
        with self._logged("list"):
            async for key in self._store.list():
                yield key

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        with self._logged("list_prefix", prefix):
            async for key in self._store.list_prefix(prefix):
                yield key

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        with self._logged("list_dir", prefix):
            async for key in self._store.list_dir(prefix):
                yield key
