"""Store drivers, one module per backend; :mod:`anyzarr.storage` is their public home."""

from __future__ import annotations

from anyzarr.io.stores._fsspec import FsspecStore
from anyzarr.io.stores._gpu_memory import GpuMemoryStore
from anyzarr.io.stores._http import HTTPStore
from anyzarr.io.stores._local import LocalStore
from anyzarr.io.stores._logging import LoggingStore
from anyzarr.io.stores._managed_memory import ManagedMemoryStore
from anyzarr.io.stores._memory import MemoryStore
from anyzarr.io.stores._object import ObjectStore
from anyzarr.io.stores._wrapper import WrapperStore
from anyzarr.io.stores._zip import ZipStore

__all__ = [
    "FsspecStore",
    "GpuMemoryStore",
    "HTTPStore",
    "LocalStore",
    "LoggingStore",
    "ManagedMemoryStore",
    "MemoryStore",
    "ObjectStore",
    "WrapperStore",
    "ZipStore",
]
