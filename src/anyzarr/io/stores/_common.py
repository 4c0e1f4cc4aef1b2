"""Helpers shared by the drivers: key checks, prefixes and listing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from anyzarr.protocol._byte_request import ByteRequest, slice_for
from anyzarr.protocol._errors import UnsafeKeyError

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer

__all__ = [
    "check_buffer",
    "check_key",
    "check_prefix",
    "clip",
    "dir_prefix",
    "list_dir_names",
]


def check_key(key: str) -> str:
    """``key`` if it names a location safely inside a store root.

    Stores that map keys onto file paths must never let a key reach outside
    their root, so anything that could (``..``, absolute paths, backslashes,
    empty or ``.`` segments, NUL bytes) is refused.

    Raises
    ------
    UnsafeKeyError
        Naming the key.
    """
    if not isinstance(key, str):
        raise TypeError(f"store keys are str, got {type(key).__name__}: {key!r}")
    if key == "":
        raise UnsafeKeyError("the empty key '' does not name a stored object")
    if key.startswith("/"):
        raise UnsafeKeyError(f"key {key!r} is absolute; keys are relative to the store root")
    if "\\" in key or "\x00" in key:
        raise UnsafeKeyError(f"key {key!r} contains a backslash or NUL byte")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise UnsafeKeyError(f"key {key!r} has an empty, '.' or '..' path segment")
    return key


def check_prefix(prefix: str) -> str:
    """``prefix`` without trailing slashes, after checking it like a key.

    The empty prefix (the whole store) is allowed.
    """
    stripped = prefix.rstrip("/")
    if stripped:
        check_key(stripped)
    return stripped


def dir_prefix(prefix: str) -> str:
    """``prefix`` as a directory prefix: empty, or ending in exactly one ``/``."""
    stripped = prefix.rstrip("/")
    return f"{stripped}/" if stripped else ""


def list_dir_names(keys: Iterable[str], prefix: str) -> Iterator[str]:
    """The distinct names directly below directory ``prefix`` among ``keys``."""
    start = dir_prefix(prefix)
    seen: set[str] = set()
    for key in keys:
        if not key.startswith(start):
            continue
        name = key[len(start) :].split("/", 1)[0]
        if name and name not in seen:
            seen.add(name)
            yield name


def clip(value: Buffer, byte_range: ByteRequest | None) -> Buffer:
    """The part of ``value`` that ``byte_range`` names, clipped like slicing."""
    if byte_range is None:
        return value
    return value[slice_for(byte_range, len(value))]


def check_buffer(key: str, value: object) -> Buffer:
    """``value`` if it is a :class:`Buffer`; stores hold nothing else."""
    from anyzarr.protocol.buffer import Buffer

    if not isinstance(value, Buffer):
        raise TypeError(
            f"value for key {key!r} must be a Buffer, got {type(value).__name__}; "
            "wrap bytes with anyzarr.protocol.buffer.cpu.Buffer.from_bytes"
        )
    return value
