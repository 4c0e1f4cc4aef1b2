"""Reading and writing metadata JSON.

Reading uses msgspec (fast, exact integers).  zarr-python writes attributes
with Python's ``json`` module and ``allow_nan=True``, so documents may hold
bare ``NaN``/``Infinity`` tokens that strict JSON parsers refuse; those fall
back to the ``json`` module.  Writing uses ``json.dumps(indent=2)`` because
matching zarr-python byte for byte means matching its escaping (non-ASCII as
``\\uXXXX``) and its float spelling, which msgspec's encoder does differently.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from anyzarr.protocol._errors import MetadataValidationError

__all__ = ["decode_json_object", "encode_json"]

_decoder = msgspec.json.Decoder()


def decode_json_object(document: bytes | str | dict[str, Any], path: str) -> dict[str, Any]:
    """Parse a metadata document that must be a JSON object; errors name ``path``."""
    if isinstance(document, dict):
        return document
    try:
        value = _decoder.decode(document)
    except msgspec.DecodeError:
        try:
            value = json.loads(document)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MetadataValidationError(f"{path}: invalid JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise MetadataValidationError(f"{path}: expected a JSON object, got {type(value).__name__}")
    return value


def encode_json(value: Any, *, indent: int | None = 2) -> bytes:
    """Serialise exactly as zarr-python 3.4 does."""
    return json.dumps(value, indent=indent, allow_nan=True).encode()
