"""Helpers shared by the drivers: key checks, prefixes and listing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from anyzarr.io._keys import check_storable
from anyzarr.protocol._byte_request import ByteRequest, slice_for
from anyzarr.protocol._errors import UnsafeKeyError, UnsupportedOperationError, UsageError

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer

__all__ = [
    "InvalidByteRangeError",
    "check_buffer",
    "check_key",
    "check_prefix",
    "check_storable",
    "clip",
    "dir_prefix",
    "instance_attribute",
    "list_dir_names",
    "no_partial_writes",
    "splice",
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
    if "\\" in key:
        raise UnsafeKeyError(f"key {key!r} contains a backslash")
    check_storable(key)
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


class InvalidByteRangeError(UsageError, ValueError):
    """A partial write names a byte range that does not fit the value or the stored object."""


def splice(key: str, old: bytes | None, value: bytes, byte_range: tuple[int, int]) -> bytes:
    """``old`` with bytes ``start:end`` replaced by ``value`` (a partial write).

    ``end - start`` must equal ``len(value)``; ``start`` may be at most the
    stored length, so a write may extend the object but never leaves a hole.

    Raises
    ------
    FileNotFoundError
        When nothing is stored at ``key`` (``old`` is None).
    InvalidByteRangeError
        When the range is malformed or does not match the value's length.
    """
    if old is None:
        raise FileNotFoundError(f"cannot write part of key {key!r}: nothing is stored there")
    try:
        start, end = (int(byte_range[0]), int(byte_range[1]))
    except (TypeError, ValueError, IndexError) as exc:
        raise InvalidByteRangeError(
            f"byte_range for key {key!r} must be a (start, end) pair, got {byte_range!r}"
        ) from exc
    if start < 0 or end < start:
        raise InvalidByteRangeError(
            f"byte_range {byte_range!r} for key {key!r} needs 0 <= start <= end"
        )
    if end - start != len(value):
        raise InvalidByteRangeError(
            f"byte_range {byte_range!r} for key {key!r} spans {end - start} bytes "
            f"but the value has {len(value)}"
        )
    if start > len(old):
        raise InvalidByteRangeError(
            f"byte_range {byte_range!r} for key {key!r} starts past the end of the "
            f"stored {len(old)} bytes"
        )
    return old[:start] + value + old[end:]


def no_partial_writes(store: object, key: str) -> UnsupportedOperationError:
    """The error a store without partial writes raises for ``set(..., byte_range=...)``."""
    return UnsupportedOperationError(
        f"{type(store).__name__} cannot write part of key {key!r} "
        "(supports_partial_writes is False); write the whole value instead"
    )


class _InstanceAttribute:
    """Names an attribute that every instance sets, so the class shows it too.

    A non-data descriptor: the value each instance stores in its ``__dict__``
    wins on instance access, while the class (``hasattr(LocalStore, "root")``,
    documentation tools) sees this object.
    """

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        raise AttributeError(f"{type(instance).__name__!r} object has no attribute {self._name!r}")


def instance_attribute(doc: str) -> Any:
    """Declare a per-instance attribute at class level; ``doc`` describes it."""
    return _InstanceAttribute(doc)
