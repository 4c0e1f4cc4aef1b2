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

__all__ = ["MAX_JSON_DEPTH", "decode_json_object", "encode_json"]

_decoder = msgspec.json.Decoder()

#: The deepest nesting of arrays and objects a metadata document may have.
#: Attributes nested thousands of levels deep would exhaust the interpreter's
#: recursion limit in whatever walks them next (copying, comparing, writing);
#: such a document is refused when read, naming it.
MAX_JSON_DEPTH = 256


def _too_deep(path: str) -> MetadataValidationError:
    return MetadataValidationError(
        f"{path}: JSON nested more than {MAX_JSON_DEPTH} levels deep (field 'attributes' "
        "or another value); refusing to read it"
    )


def _depth_at_most(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists and dicts at most ``limit`` levels (no recursion).

    Walks one level at a time: parsed JSON holds exact ``dict`` and ``list``
    objects, so a type test per child in a comprehension is all it takes
    (a large consolidated document has tens of thousands of values).
    """
    level = [value]
    for _ in range(limit):
        deeper: list[Any] = []
        for item in level:
            children = item.values() if type(item) is dict else item
            deeper += [c for c in children if type(c) is dict or type(c) is list]
        if not deeper:
            return True
        level = deeper
    return False


def decode_json_object(document: bytes | str | dict[str, Any], path: str) -> dict[str, Any]:
    """Parse a metadata document that must be a JSON object; errors name ``path``.

    Bare ``NaN``, ``Infinity`` and ``-Infinity`` (which zarr-python writes in
    attributes) are read as floats, as zarr-python reads them.  Documents
    nested deeper than ``MAX_JSON_DEPTH`` raise ``MetadataValidationError``.
    """
    if isinstance(document, dict):
        return document
    if not isinstance(document, bytes | bytearray | memoryview | str):
        # An already-parsed value that is not an object (a consolidated
        # document's entry, say).
        raise MetadataValidationError(
            f"{path}: expected a JSON object, got {type(document).__name__}"
        )
    try:
        value = _decoder.decode(document)
    except msgspec.DecodeError:
        try:
            value = json.loads(document)
        except RecursionError:
            raise _too_deep(path) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise MetadataValidationError(f"{path}: invalid JSON ({exc})") from exc
    except RecursionError:
        raise _too_deep(path) from None
    # Counting brackets is cheap and rules out deep nesting for nearly every
    # document; only the rest are walked.
    text = bytes(document) if isinstance(document, memoryview) else document
    opened = (
        text.count(b"[") + text.count(b"{")
        if isinstance(text, bytes | bytearray)
        else text.count("[") + text.count("{")
    )
    if opened > MAX_JSON_DEPTH and not _depth_at_most(value, MAX_JSON_DEPTH):
        raise _too_deep(path)
    if not isinstance(value, dict):
        raise MetadataValidationError(f"{path}: expected a JSON object, got {type(value).__name__}")
    return value


def encode_json(value: Any, *, indent: int | None = 2) -> bytes:
    """Serialise exactly as zarr-python 3.4 does."""
    return json.dumps(value, indent=indent, allow_nan=True).encode()
