"""The codec registry: metadata names to codec classes.

Built-in codecs register themselves when ``anyzarr.protocol.codecs`` is
imported.  Third-party packages add codecs through the ``anyzarr.codecs``
entry-point group (name = codec name, value = ``module:Class``) or
zarr-python's ``zarr.codecs`` group (their classes follow zarr-python's codec
interface and are adapted); entry points are read once, the first time a
name is not found among the registered ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points
from typing import Any

from anyzarr.protocol._errors import MetadataValidationError, UnknownCodecError
from anyzarr.protocol.codecs._base import Codec

__all__ = ["get_codec_class", "parse_codec", "parse_codecs", "register_codec", "registered_codecs"]

ENTRY_POINT_GROUP = "anyzarr.codecs"
#: zarr-python's group; its codecs follow zarr-python's interface and are adapted.
ZARR_ENTRY_POINT_GROUP = "zarr.codecs"

_registry: dict[str, type[Codec]] = {}
_entry_points_loaded = False
_zarr_entry_points: dict[str, Any] = {}


def register_codec(name: str, codec_class: type[Any]) -> None:
    """Make ``codec_class`` the class for metadata name ``name`` (replacing any other).

    A zarr-python-style codec class (``anyzarr.abc.codec``) is registered
    through an adapter, so metadata naming it builds a wrapped instance.
    """
    _registry[name] = _as_codec_class(codec_class)


def _as_codec_class(codec_class: type[Any]) -> type[Codec]:
    if isinstance(codec_class, type) and issubclass(codec_class, Codec):
        return codec_class
    from anyzarr.protocol.codecs._async_adapter import adapter_class

    return adapter_class(codec_class)


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in _registry:
            _registry[ep.name] = _as_codec_class(ep.load())
    for ep in entry_points(group=ZARR_ENTRY_POINT_GROUP):
        # Loaded only when asked for by name: numcodecs registers its own
        # zarr-python classes here, which need zarr-python itself.
        _zarr_entry_points.setdefault(ep.name, ep)


def _from_zarr_entry_point(name: str) -> type[Codec] | None:
    ep = _zarr_entry_points.get(name)
    if ep is None or name.startswith("numcodecs."):
        return None
    try:
        cls = _as_codec_class(ep.load())
    except (ImportError, MetadataValidationError):
        return None
    _registry[name] = cls
    return cls


def get_codec_class(name: str) -> type[Codec]:
    """The class registered for ``name``; raises ``UnknownCodecError`` naming it."""
    cls = _registry.get(name)
    if cls is None:
        _load_entry_points()
        cls = _registry.get(name) or _from_zarr_entry_point(name)
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
    if type(data) is dict:  # a parsed document, the usual case: no adapter question
        return _from_document(data)
    from anyzarr.protocol.codecs._async_adapter import adapt, is_async_codec

    if is_async_codec(data):
        if type(data).__module__.startswith("zarr."):
            # zarr-python's own codec objects: anyzarr has every one of them,
            # so take the document and use anyzarr's (synchronous) class.
            data = _zarr_python_document(data)
        else:
            return adapt(data)
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
    return _from_document(data)


def _from_document(data: Mapping[str, Any]) -> Codec:
    name = data.get("name")
    if not isinstance(name, str):
        raise MetadataValidationError(f"codecs: codec without a string 'name': {data!r}")
    return get_codec_class(name).from_dict(data)


def _zarr_python_document(codec: Any) -> dict[str, Any]:
    """The metadata document of a zarr-python codec object, settings it leaves unset left out.

    zarr-python's ``to_dict`` writes defaults for settings still open (blosc's
    ``typesize``/``shuffle``, which it lists in ``_tunable_attrs``, before the
    array fills them in); leaving those out lets anyzarr fill them in from
    the array the same way.
    """
    document = dict(codec.to_dict())
    config = document.get("configuration")
    if isinstance(config, Mapping):
        tunable = getattr(codec, "_tunable_attrs", ())
        kept = {
            k: v for k, v in config.items() if k not in tunable and getattr(codec, k, v) is not None
        }
        document["configuration"] = kept
    return document


def parse_codecs(data: Iterable[Codec | Mapping[str, Any] | str]) -> tuple[Codec, ...]:
    """Codec objects for a v3 ``codecs`` list (documents or codec objects)."""
    if isinstance(data, Mapping | str | Codec):
        data = [data]
    return tuple(parse_codec(item) for item in data)
