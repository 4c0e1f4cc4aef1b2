"""Registries of codec, pipeline, buffer and chunk-key-encoding classes (``zarr.registry``).

zarr-python's names and behaviour: each registry maps a fully qualified class
name to a class; ``register_*`` adds one and ``get_*`` picks the one the
configuration names (``codecs.<name>``, ``codec_pipeline.path``, ``buffer``,
``ndbuffer``), or the only one.  Entry points in the ``zarr.*`` groups (and
``anyzarr.codecs``) are read when first needed.

Registering a codec here also makes anyzarr read metadata that names it:
``register_codec(name, cls)`` hands ``cls`` to the codec registry of
:mod:`anyzarr.protocol.codecs` (adapting a zarr-python-style codec class,
see :mod:`anyzarr.abc.codec`); when several classes share a name, metadata
uses the one the ``codecs.<name>`` config key names, else the last one
registered.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from anyzarr.io._config import config
from anyzarr.protocol import codecs as _codecs
from anyzarr.protocol._errors import UnknownCodecError, ZarrUserWarning
from anyzarr.protocol.buffer import cpu as _cpu
from anyzarr.protocol.buffer import gpu as _gpu
from anyzarr.protocol.metadata import DefaultChunkKeyEncoding, V2ChunkKeyEncoding

__all__ = [
    "BadConfigError",
    "Registry",
    "fully_qualified_name",
    "get_buffer_class",
    "get_chunk_key_encoding_class",
    "get_codec_class",
    "get_ndbuffer_class",
    "get_numcodec",
    "get_pipeline_class",
    "register_buffer",
    "register_chunk_key_encoding",
    "register_codec",
    "register_ndbuffer",
    "register_pipeline",
]


class BadConfigError(ValueError):
    """The configuration names a class that is not registered."""


def fully_qualified_name(cls: type) -> str:
    """``module.QualName`` of ``cls``: the key classes are registered under."""
    return f"{cls.__module__}.{cls.__qualname__}"


class Registry[T](dict[str, type[T]]):
    """Classes by fully qualified name, plus entry points not loaded yet."""

    def __init__(self) -> None:
        super().__init__()
        self.lazy_load_list: list[EntryPoint] = []

    def lazy_load(self, use_entrypoint_name: bool = False) -> None:
        """Load the pending entry points into the registry."""
        for entry in self.lazy_load_list:
            self.register(entry.load(), qualname=entry.name if use_entrypoint_name else None)
        self.lazy_load_list.clear()

    def register(self, cls: type[T], qualname: str | None = None) -> None:
        name = fully_qualified_name(cls) if qualname is None else qualname
        self.pop(name, None)  # the latest registration is the default choice
        self[name] = cls


_codec_registries: defaultdict[str, Registry[Any]] = defaultdict(Registry)
_pipeline_registry: Registry[Any] = Registry()
_buffer_registry: Registry[Any] = Registry()
_ndbuffer_registry: Registry[Any] = Registry()
_chunk_key_encoding_registry: Registry[Any] = Registry()


def _collect_entrypoints() -> list[Registry[Any]]:
    """Queue the entry points of the ``zarr`` groups (and ``anyzarr.codecs``) for loading."""
    found = entry_points()
    _buffer_registry.lazy_load_list.extend(found.select(group="zarr.buffer"))
    _buffer_registry.lazy_load_list.extend(found.select(group="zarr", name="buffer"))
    _ndbuffer_registry.lazy_load_list.extend(found.select(group="zarr.ndbuffer"))
    _ndbuffer_registry.lazy_load_list.extend(found.select(group="zarr", name="ndbuffer"))
    _chunk_key_encoding_registry.lazy_load_list.extend(
        found.select(group="zarr.chunk_key_encoding")
    )
    _chunk_key_encoding_registry.lazy_load_list.extend(
        found.select(group="zarr", name="chunk_key_encoding")
    )
    _pipeline_registry.lazy_load_list.extend(found.select(group="zarr.codec_pipeline"))
    _pipeline_registry.lazy_load_list.extend(found.select(group="zarr", name="codec_pipeline"))
    for group in ("zarr.codecs", "anyzarr.codecs"):
        for entry in found.select(group=group):
            # numcodecs' own zarr-python classes need zarr-python; anyzarr
            # reads every numcodecs.* name natively.
            if not entry.name.startswith("numcodecs."):
                _codec_registries[entry.name].lazy_load_list.append(entry)
    for group in found.groups:
        if group.startswith("zarr.codecs."):
            name = group.split(".")[2]
            _codec_registries[name].lazy_load_list.extend(found.select(group=group))
    return [
        *_codec_registries.values(),
        _pipeline_registry,
        _buffer_registry,
        _ndbuffer_registry,
        _chunk_key_encoding_registry,
    ]


def _reload_config() -> None:
    config.refresh()


def register_codec(key: str, codec_cls: type[Any], *, qualname: str | None = None) -> None:
    """Register ``codec_cls`` as an implementation of the codec named ``key``."""
    _codec_registries[key].register(codec_cls, qualname=qualname)
    _codecs.register_codec(key, _select(key))


def register_pipeline(pipe_cls: type[Any]) -> None:
    """Register a codec pipeline class (anyzarr runs its own; see ``docs/codecs.md``)."""
    _pipeline_registry.register(pipe_cls)


def register_ndbuffer(cls: type[Any], qualname: str | None = None) -> None:
    """Register an ``NDBuffer`` class."""
    _ndbuffer_registry.register(cls, qualname)


def register_buffer(cls: type[Any], qualname: str | None = None) -> None:
    """Register a ``Buffer`` class."""
    _buffer_registry.register(cls, qualname)


def register_chunk_key_encoding(key: str, cls: type[Any]) -> None:
    """Register a chunk key encoding class under its metadata name."""
    _chunk_key_encoding_registry.register(cls, key)


def _select(key: str) -> type[Any]:
    classes = _codec_registries[key]
    choice = (
        config.get("codecs", {}).get(key) if isinstance(config.get("codecs", {}), Mapping) else None
    )
    if isinstance(choice, str) and choice in classes:
        return classes[choice]
    return list(classes.values())[-1]


def get_codec_class(key: str, reload_config: bool = False) -> type[Any]:
    """The implementation of codec ``key`` the config names, or the only one.

    Raises
    ------
    UnknownCodecError
        No implementation of ``key`` is registered.
    BadConfigError
        The config names an implementation that is not registered.
    """
    if reload_config:
        _reload_config()
    if key in _codec_registries:
        _codec_registries[key].lazy_load()
    classes = _codec_registries.get(key)
    if not classes:
        try:
            return _codecs.get_codec_class(key)
        except UnknownCodecError:
            raise UnknownCodecError(
                f"An implementation for codec {key!r} is not available. Register one "
                "with anyzarr.registry.register_codec, or install a package that registers "
                "a codec implementation with zarr."
            ) from None
    codecs_config = config.get("codecs", {})
    choice = codecs_config.get(key) if isinstance(codecs_config, Mapping) else None
    if not isinstance(choice, str):
        if len(classes) > 1:
            warnings.warn(
                f"Codec '{key}' not configured in config. Selecting any implementation.",
                ZarrUserWarning,
                stacklevel=2,
            )
        return list(classes.values())[-1]
    if choice not in classes:
        raise BadConfigError(
            f"Codec {key!r} is configured to use the implementation {choice!r}, which is "
            f"not registered. Registered implementations of this codec: {sorted(classes)}."
        )
    return classes[choice]


def _configured[T](registry: Registry[T], key: str, what: str) -> type[T]:
    registry.lazy_load()
    path = config.get(key)
    found = registry.get(path)
    if found is None:
        raise BadConfigError(
            f"{what} class '{path}' not found in registered {what}s: {list(registry)}."
        )
    return found


def get_pipeline_class(reload_config: bool = False) -> type[Any]:
    """The pipeline class ``codec_pipeline.path`` names."""
    if reload_config:
        _reload_config()
    return _configured(_pipeline_registry, "codec_pipeline.path", "Pipeline")


def get_buffer_class(reload_config: bool = False) -> type[Any]:
    """The ``Buffer`` class the ``buffer`` config key names."""
    if reload_config:
        _reload_config()
    return _configured(_buffer_registry, "buffer", "Buffer")


def get_ndbuffer_class(reload_config: bool = False) -> type[Any]:
    """The ``NDBuffer`` class the ``ndbuffer`` config key names."""
    if reload_config:
        _reload_config()
    return _configured(_ndbuffer_registry, "ndbuffer", "NDBuffer")


def get_chunk_key_encoding_class(key: str) -> type[Any]:
    """The chunk key encoding class registered under ``key`` (``KeyError`` if none)."""
    _chunk_key_encoding_registry.lazy_load(use_entrypoint_name=True)
    if key not in _chunk_key_encoding_registry:
        raise KeyError(
            f"Chunk key encoding '{key}' not found in registered chunk key encodings: "
            f"{list(_chunk_key_encoding_registry)}."
        )
    return _chunk_key_encoding_registry[key]


def get_numcodec(data: Mapping[str, Any]) -> Any:
    """The numcodecs codec for a v2 codec document ``{"id": ..., ...}``.

    Raises
    ------
    UnknownCodecError
        The ``id`` is not registered with numcodecs.
    """
    from numcodecs.registry import codec_registry, entries, get_codec

    codec_id = data.get("id") if isinstance(data, Mapping) else None
    if isinstance(codec_id, str) and codec_id not in codec_registry and codec_id not in entries:
        raise UnknownCodecError(
            f"An implementation for codec {codec_id!r} is not available. Register one with "
            "numcodecs.registry.register_codec, or install a package that provides it."
        )
    return get_codec(data)


def _register_builtins() -> None:
    for name, cls in _codecs.registered_codecs().items():
        _codec_registries[name].register(cls)
    # The default pipeline is anyzarr's own; it is registered under the name
    # the ``codec_pipeline.path`` default gives it.
    _pipeline_registry.register(
        _codecs.CodecPipeline, qualname=str(config.get("codec_pipeline.path"))
    )
    _pipeline_registry.register(_codecs.CodecPipeline)
    # Also under the names zarr-python's configuration uses for its buffer
    # classes and pipeline, so settings written for zarr-python select anyzarr's.
    for kind, module in (("cpu", _cpu), ("gpu", _gpu)):
        _buffer_registry.register(module.Buffer)
        _ndbuffer_registry.register(module.NDBuffer)
        for prefix in ("zarr.buffer", "zarr.core.buffer"):
            _buffer_registry.register(module.Buffer, f"{prefix}.{kind}.Buffer")
            _ndbuffer_registry.register(module.NDBuffer, f"{prefix}.{kind}.NDBuffer")
    for name in ("BatchedCodecPipeline", "FusedCodecPipeline"):
        _pipeline_registry.register(_codecs.CodecPipeline, f"zarr.core.codec_pipeline.{name}")
    _chunk_key_encoding_registry.register(DefaultChunkKeyEncoding, "default")
    _chunk_key_encoding_registry.register(V2ChunkKeyEncoding, "v2")


_register_builtins()
_collect_entrypoints()
