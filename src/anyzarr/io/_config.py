"""Runtime configuration: zarr-python's keys and defaults plus anyzarr's own.

The store of settings is a nested dict that is never mutated in place: every
change builds a new dict and swaps the reference under a lock, so readers in
any thread see either the old or the new settings and never need the lock.

Environment variables are read at import and on ``reset()``/``refresh()``:
``ZARR_ARRAY__ORDER=F`` sets ``array.order`` (the text after the prefix is
lower-cased and ``__`` means one level of nesting, as donfig does); the value
is parsed as a Python literal when it is one and kept as a string otherwise.
``ANYZARR_``-prefixed variables are read after ``ZARR_`` ones and win.
"""

from __future__ import annotations

import ast
import copy
import os
import pprint as _pprint
import threading
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Final, cast

__all__ = ["DEFAULTS", "ENV_PREFIXES", "REMOVED_KEYS", "Config", "ConfigSet", "config"]

ENV_PREFIXES: Final = ("ZARR_", "ANYZARR_")

DEFAULTS: Final[dict[str, object]] = {
    "default_zarr_format": 3,
    "array": {
        "order": "C",
        "write_empty_chunks": False,
        "read_missing_chunks": True,
        "cache_chunks": True,
        "allow_unsafe_pickle_decode": False,
        "rectilinear_chunks": False,
        "sharding_coalesce_max_bytes": 16 * 1024 * 1024,
        "sharding_coalesce_max_gap_bytes": 1024 * 1024,
        "target_shard_size_bytes": None,
    },
    "async": {"concurrency": 10, "timeout": None},
    # anyzarr's decoded-chunk cache (bytes; 0 turns it off), for small reads.
    "chunk_cache": {"max_bytes": 256 * 1024 * 1024},
    "threading": {"max_workers": None},
    "json_indent": 2,
    "codec_pipeline": {
        "path": "anyzarr.protocol.codecs.BatchedCodecPipeline",
        "batch_size": 1,
        "max_workers": None,
    },
    "buffer": "anyzarr.protocol.buffer.cpu.Buffer",
    "ndbuffer": "anyzarr.protocol.buffer.cpu.NDBuffer",
    # anyzarr's own settings.
    "sync": {"backend": "asyncio"},
    "codecs": {"allow_pickle": False},
}

#: Keys zarr-python 3.1 removed: setting or reading one is a ``ValueError``
#: (zarr-python's behaviour) that says what replaced it.
REMOVED_KEYS: Final[dict[str, str]] = {
    **{
        f"array.v2_default_compressor.{kind}": "the compressors= argument of create_array"
        for kind in ("numeric", "string", "bytes")
    },
    **{
        f"array.v2_default_filters.{kind}": "the filters= argument of create_array"
        for kind in ("string", "bytes")
    },
    **{
        f"array.v3_default_filters.{kind}": "the filters= argument of create_array"
        for kind in ("numeric", "raw", "bytes")
    },
    **{
        f"array.v3_default_serializer.{kind}": "the serializer= argument of create_array"
        for kind in ("numeric", "string", "bytes")
    },
    **{
        f"array.v3_default_compressors{kind}": "the compressors= argument of create_array"
        for kind in (".string", ".bytes", "")
    },
}


def _check_removed(key: str) -> None:
    replacement = REMOVED_KEYS.get(key)
    if replacement is not None:
        raise ValueError(f"Configuration value {key!r} has been removed; use {replacement} instead")


_GPU_BUFFERS: Final = {
    "buffer": "anyzarr.protocol.buffer.gpu.Buffer",
    "ndbuffer": "anyzarr.protocol.buffer.gpu.NDBuffer",
}

_MISSING: Final = object()
_UNSEEN: Final = object()


def _canonical(name: str, level: Mapping[str, object]) -> str:
    """Treat ``-`` and ``_`` in a key as the same, preferring the spelling in use."""
    if name in level:
        return name
    other = name.replace("_", "-") if "_" in name else name.replace("-", "_")
    return other if other in level else name


def _parse_env_value(text: str) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def _env_settings(environ: Mapping[str, str]) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for prefix in ENV_PREFIXES:
        for name in sorted(environ):
            # "ANYZARR_X" also ends with "ZARR_X"; startswith keeps them apart.
            if name.startswith(prefix) and len(name) > len(prefix):
                key = name[len(prefix) :].lower().replace("__", ".")
                found.append((key, _parse_env_value(environ[name])))
    return found


def _split(key: str) -> list[str]:
    parts = key.split(".")
    if not all(parts):
        raise KeyError(f"config key {key!r} has an empty part")
    return parts


def _lookup(data: Mapping[str, object], parts: list[str]) -> object:
    node: object = data
    for part in parts:
        if not isinstance(node, Mapping):
            return _MISSING
        part = _canonical(part, node)
        if part not in node:
            return _MISSING
        node = node[part]
    return node


def _assigned(data: Mapping[str, object], parts: list[str], value: object) -> dict[str, object]:
    """Return a copy of ``data`` with ``value`` at ``parts`` (``_MISSING`` deletes)."""
    new = dict(data)
    head = _canonical(parts[0], data)
    if len(parts) == 1:
        if value is _MISSING:
            new.pop(head, None)
        else:
            new[head] = value
        return new
    child = data.get(head)
    child_dict: dict[str, object] = dict(child) if isinstance(child, Mapping) else {}
    new[head] = _assigned(child_dict, parts[1:], value)
    return new


def _flatten_kwargs(
    arg: Mapping[str, object] | None, kwargs: Mapping[str, object]
) -> dict[str, object]:
    items: dict[str, object] = dict(arg or {})
    for name, value in kwargs.items():
        items[name.replace("__", ".")] = value
    return items


class ConfigSet:
    """The changes made by one ``Config.set`` call.

    The changes take effect at once.  Used as a context manager, the previous
    values of exactly the keys it changed come back on exit (other changes
    made meanwhile are kept); otherwise the changes stay.
    """

    def __init__(self, owner: Config, saved: list[tuple[list[str], object]]) -> None:
        self._owner = owner
        self._saved = saved

    def __enter__(self) -> Config:
        return self._owner

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._owner._restore(self._saved)


class Config:
    """Thread-safe nested settings with dotted-key access.

    ``get`` never takes the lock (it reads an immutable snapshot); writers
    serialise on a lock and publish a new snapshot.
    """

    def __init__(
        self,
        defaults: Mapping[str, object] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._defaults: dict[str, object] = copy.deepcopy(
            dict(DEFAULTS if defaults is None else defaults)
        )
        self._lock = threading.RLock()
        self._data: dict[str, object] = {}
        # Answers of `get` for the current snapshot, keyed by the dotted key
        # as given: opening a consolidated group of hundreds of arrays reads
        # the same few keys thousands of times.  Tied to the snapshot by
        # identity, so a write (which publishes a new snapshot) empties it.
        self._answers: tuple[dict[str, object], dict[str, object]] = ({}, {})
        self.reset(environ)

    # -- reading -----------------------------------------------------------
    def get(self, key: str, default: object = _MISSING) -> Any:
        """Return the value at dotted ``key``, or ``default`` when it is not set.

        Settings hold whatever was set, so the value is untyped (as in
        zarr-python's donfig config): the caller knows its key's type.  A
        nested value is part of the settings: change it with `set` or
        `update`, not in place.

        Raises ``KeyError`` naming the key when it is missing and no default
        was given.
        """
        data, answers = self._snapshot()
        value = answers.get(key, _UNSEEN)
        if value is _UNSEEN:
            _check_removed(key)
            value = answers[key] = _lookup(data, _split(key))
        if value is _MISSING:
            if default is _MISSING:
                raise KeyError(key)
            return default
        return value

    def derived[T](self, name: str, build: Callable[[], T]) -> T:
        """``build()``, computed once for the current settings.

        For values made from several settings and needed often (the default
        array config, read for every array opened): a write to the settings
        publishes a new snapshot, and the next call builds the value again.
        ``name`` must be unique to ``build``'s meaning.
        """
        _, answers = self._snapshot()
        key = "\0" + name  # no dotted key starts with NUL
        value = answers.get(key, _UNSEEN)
        if value is _UNSEEN:
            value = answers[key] = build()
        return cast(T, value)  # stored under this name by this method only

    def _snapshot(self) -> tuple[dict[str, object], dict[str, object]]:
        """The current settings and the answers remembered for them."""
        data = self._data
        seen, answers = self._answers
        if seen is not data:
            answers = {}
            self._answers = (data, answers)
        return data, answers

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and _lookup(self._data, _split(key)) is not _MISSING

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    @property
    def config(self) -> dict[str, Any]:
        """A deep copy of every setting as a nested dict."""
        return copy.deepcopy(self._data)

    @property
    def defaults(self) -> list[dict[str, Any]]:
        """The default settings (a list of one dict, the shape donfig uses)."""
        return [copy.deepcopy(self._defaults)]

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of every setting as a nested dict."""
        return copy.deepcopy(self._data)

    def pprint(self) -> None:
        """Print every setting."""
        _pprint.pprint(self._data)

    # -- writing -----------------------------------------------------------
    def set(self, arg: Mapping[str, object] | None = None, /, **kwargs: object) -> ConfigSet:
        """Set values by dotted key (or ``a__b=...`` keywords).

        The result restores the previous values when used as a context
        manager::

            with config.set({"array.order": "F"}):
                ...
        """
        items = _flatten_kwargs(arg, kwargs)
        with self._lock:
            saved: list[tuple[list[str], object]] = []
            data = self._data
            for key in items:
                _check_removed(key)
            for key, value in items.items():
                parts = _split(key)
                old = _lookup(data, parts)
                saved.append((parts, old if old is _MISSING else copy.deepcopy(old)))
                data = _assigned(data, parts, value)
            self._data = data
        return ConfigSet(self, saved)

    def update(self, new: Mapping[str, object]) -> None:
        """Merge a nested dict of settings into the current ones."""
        with self._lock:
            self._data = _merge(self._data, new)

    def enable_gpu(self) -> ConfigSet:
        """Use GPU (cupy) buffers for data read from and written to stores."""
        return self.set(dict(_GPU_BUFFERS))

    def reset(self, environ: Mapping[str, str] | None = None) -> None:
        """Go back to the defaults overlaid with the environment variables."""
        env = os.environ if environ is None else environ
        with self._lock:
            data = copy.deepcopy(self._defaults)
            for key, value in _env_settings(env):
                data = _assigned(data, _split(key), value)
            self._data = data

    def refresh(self) -> None:
        """Re-read the environment variables (same as ``reset``)."""
        self.reset()

    def _restore(self, saved: list[tuple[list[str], object]]) -> None:
        with self._lock:
            data = self._data
            for parts, value in reversed(saved):
                data = _assigned(data, parts, value)
            self._data = data

    def __repr__(self) -> str:
        return f"<anyzarr.config {self._data!r}>"


def _merge(base: Mapping[str, object], new: Mapping[str, object]) -> dict[str, object]:
    out = dict(base)
    for name, value in new.items():
        name = _canonical(name, out)
        current = out.get(name)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            out[name] = _merge(current, value)
        else:
            out[name] = copy.deepcopy(value)
    return out


config: Final = Config()
