"""The codec registry: metadata names to codec classes.

Built-in codecs register themselves when ``anyzarr.protocol.codecs`` is
imported.  Third-party packages add codecs through the ``anyzarr.codecs``
entry-point group (name = codec name, value = ``module:Class``); entry points
are read once, the first time a name is not found among the registered ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points
from typing import Any

from anyzarr.protocol._errors import MetadataValidationError, UnknownCodecError
from anyzarr.protocol.codecs._base import Codec

__all__ = ["get_codec_class", "parse_codec", "parse_codecs", "register_codec", "registered_codecs"]

ENTRY_POINT_GROUP = "anyzarr.codecs"

_registry: dict[str, type[Codec]] = {}
_entry_points_loaded = False


def register_codec(name: str, codec_class: type[Codec]) -> None:
    """Make ``codec_class`` the class for metadata name ``name`` (replacing any other)."""
    _registry[name] = codec_class


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in _registry:
            _registry[ep.name] = ep.load()


def get_codec_class(name: str) -> type[Codec]:
    """The class registered for ``name``; raises ``UnknownCodecError`` naming it."""
    cls = _registry.get(name)
    if cls is None:
        _load_entry_points()
        cls = _registry.get(name)
    if cls is None:
        from anyzarr.protocol.codecs._numcodecs import numcodecs_class_for

        # Any numcodecs codec can be named "numcodecs.<id>", registered or not.
        cls = numcodecs_class_for(name)
    if cls is None:
        raise UnknownCodecError(f"unknown codec {name!r}")
    return cls


def registered_codecs() -> dict[str, type[Codec]]:
    """A copy of the registry (entry points included)."""
    _load_entry_points()
    return dict(_registry)


def parse_codec(data: Codec | Mapping[str, Any] | str) -> Codec:
    """One codec from a codec object, a metadata document, or a bare name."""
    if isinstance(data, Codec):
        return data
    if isinstance(data, str):
        data = {"name": data}
    if not isinstance(data, Mapping):
        hint = (
            " (another library's codec object: use the anyzarr.codecs class of that name, "
            "or pass its to_dict())"
            if callable(getattr(data, "to_dict", None))
            else ""
        )
        raise MetadataValidationError(
            f"expected an anyzarr codec, a codec document or a codec name, got {data!r}{hint}"
        )
    name = data.get("name")
    if not isinstance(name, str):
        raise MetadataValidationError(f"codecs: codec without a string 'name': {data!r}")
    return get_codec_class(name).from_dict(data)


def parse_codecs(data: Iterable[Codec | Mapping[str, Any] | str]) -> tuple[Codec, ...]:
    """Codec objects for a v3 ``codecs`` list (documents or codec objects)."""
    if isinstance(data, Mapping | str | Codec):
        data = [data]
    return tuple(parse_codec(item) for item in data)
