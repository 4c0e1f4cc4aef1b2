"""The bridge to the codec registry in `anyzarr.protocol.codecs`.

Imported lazily so metadata stays importable while the codec package loads
(the codecs import buffers, which import nothing from here, but a lazy
import keeps the dependency one-way at import time too).
"""

from __future__ import annotations

from typing import Any

from anyzarr.protocol._errors import MetadataValidationError

__all__ = ["codecs_to_json", "parse_v3_codecs", "sharding_codec"]

SHARDING_NAME = "sharding_indexed"


def parse_v3_codecs(data: Any, path: str) -> tuple[Any, ...]:
    """Codec objects for a v3 ``codecs`` list; errors keep their type and gain the path."""
    if not isinstance(data, list | tuple) or not data:
        raise MetadataValidationError(f"{path}: codecs must be a non-empty list, got {data!r}")
    try:
        return tuple(_parse_codecs(list(data)))
    except MetadataValidationError as exc:
        raise type(exc)(f"{path}: codecs: {exc}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise MetadataValidationError(f"{path}: codecs: {exc}") from exc


def _parse_codecs(data: list[Any]) -> tuple[Any, ...]:
    from anyzarr.protocol.codecs import parse_codecs

    return tuple(parse_codecs(data))


def codecs_to_json(codecs: tuple[Any, ...]) -> list[Any]:
    return [c.to_dict() for c in codecs]


def sharding_codec(codecs: tuple[Any, ...]) -> Any | None:
    """The sharding codec when it is the first codec (the only case with a shard grid)."""
    if codecs and getattr(codecs[0], "codec_name", None) == SHARDING_NAME:
        return codecs[0]
    return None
