"""A memory store that owns its dict and can be found again by name.

zarr-python 3.4's ``ManagedMemoryStore``: the backing dicts live in a
process-wide registry that holds them weakly, so a store can be rebuilt from
its ``memory://name/path`` URL (or unpickled in the same process) while any
store still uses the dict, and the data is freed when none does.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

from anyzarr.io.stores._memory import MemoryStore

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer

__all__ = ["ManagedMemoryStore"]


class _ManagedDict(dict[str, "Buffer"]):
    """A dict that can be held by a weak reference."""

    __slots__ = ("__weakref__",)


class _Registry:
    """Named backing dicts, held weakly; names are made up when not given."""

    def __init__(self) -> None:
        self._dicts: weakref.WeakValueDictionary[str, _ManagedDict] = weakref.WeakValueDictionary()
        self._counter = 0
        self._lock = threading.Lock()

    def get_or_create(self, name: str | None) -> tuple[_ManagedDict, str]:
        with self._lock:
            if name is None:
                name = str(self._counter)
                self._counter += 1
            elif "/" in name:
                raise ValueError(
                    f"Store name cannot contain '/': {name!r}. "
                    "Use the 'path' parameter to specify a path within the store."
                )
            found = self._dicts.get(name)
            if found is None:
                found = self._dicts[name] = _ManagedDict()
            return found, name

    def get(self, name: str) -> _ManagedDict | None:
        with self._lock:
            return self._dicts.get(name)


_registry = _Registry()


class _PathView(MutableMapping[str, "Buffer"]):
    """The keys of a backing dict under ``path/``, with the prefix taken off."""

    def __init__(self, backing: _ManagedDict, path: str) -> None:
        self.backing = backing
        self.prefix = f"{path}/"

    def __getitem__(self, key: str) -> Buffer:
        return self.backing[self.prefix + key]

    def __setitem__(self, key: str, value: Buffer) -> None:
        self.backing[self.prefix + key] = value

    def __delitem__(self, key: str) -> None:
        del self.backing[self.prefix + key]

    def __iter__(self) -> Iterator[str]:
        n = len(self.prefix)
        return iter([k[n:] for k in list(self.backing) if k.startswith(self.prefix)])

    def __len__(self) -> int:
        return sum(1 for k in list(self.backing) if k.startswith(self.prefix))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.prefix + key in self.backing


def _clean_path(path: str) -> str:
    return "/".join(part for part in path.split("/") if part)


class ManagedMemoryStore(MemoryStore):
    """A :class:`MemoryStore` whose dict is owned by the store and named.

    The dict is freed when no store uses it any more; :meth:`from_url` then
    fails.  Pickling keeps the name, path and read-only flag, not the data,
    and works only within one process.

    Parameters
    ----------
    name
        The name in the store's ``memory://`` URL.  ``None`` makes a new
        unique name; the name of a live store shares that store's dict.
    path
        A directory inside the dict that every key is relative to.
    read_only
        Refuse writes.
    """

    _name: str
    _backing: _ManagedDict

    def __init__(
        self,
        name: str | None = None,
        *,
        path: str = "",
        read_only: bool = False,
        concurrency: int | None = None,
    ) -> None:
        backing, name = _registry.get_or_create(name)
        self._attach(backing, name, _clean_path(path), read_only, concurrency)

    def _attach(
        self,
        backing: _ManagedDict,
        name: str,
        path: str,
        read_only: bool,
        concurrency: int | None,
    ) -> None:
        view: MutableMapping[str, Buffer] = _PathView(backing, path) if path else backing
        MemoryStore.__init__(self, view, read_only=read_only, concurrency=concurrency)
        self._backing = backing
        self._name = name
        self.path = path

    @property
    def name(self) -> str:
        """The name of this store, used in its ``memory://`` URL."""
        return self._name

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False) -> ManagedMemoryStore:
        """The store for ``memory://name`` or ``memory://name/path``.

        Raises
        ------
        ValueError
            When the URL is not a ``memory://`` URL or no live store has that name.
        """
        scheme, sep, rest = url.partition("://")
        if not sep or scheme.lower() != "memory":
            raise ValueError(f"Expected a 'memory://' URL, got {url!r}.")
        name, _, path = rest.partition("/")
        backing = _registry.get(name)
        if backing is None:
            raise ValueError(
                f"Memory store not found for URL {url!r}. "
                "The store may have been garbage collected."
            )
        store = cls.__new__(cls)
        store._attach(backing, name, _clean_path(path), read_only, None)
        return store

    def with_read_only(self, read_only: bool = False) -> ManagedMemoryStore:
        """A store over the same dict and path with the given read-only flag."""
        store = type(self).__new__(type(self))
        store._attach(self._backing, self._name, self.path, read_only, self._concurrency)
        return store

    def __str__(self) -> str:
        return f"memory://{self._name}" + (f"/{self.path}" if self.path else "")

    def __repr__(self) -> str:
        return f"ManagedMemoryStore('{self}')"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, type(self))
            and self._backing is other._backing
            and self.path == other.path
            and self.read_only == other.read_only
        )

    __hash__ = None

    def __reduce__(self) -> tuple[Any, ...]:
        state = {"path": self.path, "read_only": self.read_only, "pid": os.getpid()}
        return (_restore, (type(self), self._name, state))


def _restore(cls: type[ManagedMemoryStore], name: str, state: dict[str, Any]) -> ManagedMemoryStore:
    if state["pid"] != os.getpid():
        raise RuntimeError(
            f"ManagedMemoryStore {name!r} was created in process {state['pid']} but is being "
            f"unpickled in process {os.getpid()}: its data is not pickled, so it cannot move "
            "between processes. Use a persistent store (LocalStore, ZipStore) to share data."
        )
    backing, name = _registry.get_or_create(name)
    store = cls.__new__(cls)
    store._attach(backing, name, state["path"], state["read_only"], None)
    return store
