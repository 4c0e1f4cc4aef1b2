"""Checking the names of group members.

The v3 specification ("Node names") allows any non-empty name except ``.``
and ``..`` and reserves names that start with ``__`` for the specification
itself.  A member path is names joined with ``/``.  Like zarr-python, a
backslash is read as ``/`` and empty segments from doubled, leading or
trailing slashes are dropped.  Names read from stored consolidated metadata
get no such leniency: they must already be clean relative paths, or a
crafted document could point a member outside its group.
"""

from __future__ import annotations

from anyzarr.io._keys import check_storable
from anyzarr.protocol._errors import MetadataValidationError, UsageError

__all__ = [
    "InvalidNodeNameError",
    "check_consolidated_member",
    "check_new_member_name",
    "normalize_member_name",
]


class InvalidNodeNameError(UsageError, ValueError):
    """A member name is empty, ``.``/``..``, or (for new format 3 nodes) starts with ``__``."""


def normalize_member_name(name: str) -> str:
    """``name`` as a clean relative path (``a/b``), for looking members up.

    Raises
    ------
    InvalidNodeNameError
        When ``name`` is empty or has a ``.`` or ``..`` segment; the message
        names it.
    UnsafeKeyError
        When ``name`` holds a NUL byte or a character with no UTF-8 encoding.
    """
    if not isinstance(name, str):
        raise InvalidNodeNameError(f"member names are str, got {type(name).__name__}: {name!r}")
    check_storable(name)
    parts = [p for p in name.replace("\\", "/").split("/") if p]
    if not parts:
        raise InvalidNodeNameError(f"invalid member name {name!r}: it is empty")
    for part in parts:
        if part in (".", ".."):
            raise InvalidNodeNameError(
                f"invalid member name {name!r}: the segment {part!r} is not allowed"
            )
    return "/".join(parts)


def check_new_member_name(name: str, zarr_format: int) -> str:
    """``normalize_member_name(name)``, refusing reserved names for new format 3 nodes.

    Reading an existing member named ``__x`` still works; only creating one
    is refused, so anyzarr never writes what the specification reserves.

    Raises
    ------
    InvalidNodeNameError
        As ``normalize_member_name``, and for a segment starting with ``__``
        when ``zarr_format`` is 3.
    """
    clean = normalize_member_name(name)
    if zarr_format == 3:
        for part in clean.split("/"):
            if part.startswith("__"):
                raise InvalidNodeNameError(
                    f"invalid member name {name!r}: names starting with '__' are reserved "
                    "by the Zarr v3 specification"
                )
    return clean


def _encodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_consolidated_member(name: object, group_path: str) -> str:
    """``name`` if it is a clean relative member path, as consolidated metadata must hold.

    Raises
    ------
    MetadataValidationError
        For a non-string, empty, absolute or backslashed name, an empty
        segment, or a ``.``/``..`` segment; the message names the member and
        the group.
    """
    where = f"consolidated metadata of the group at {group_path or '/'!r}"
    if not isinstance(name, str):
        raise MetadataValidationError(f"{where}: member name {name!r} is not a string")
    problem = None
    if not name:
        problem = "it is empty"
    elif name.startswith("/"):
        problem = "it is absolute"
    elif "\\" in name:
        problem = "it contains a backslash"
    elif "\x00" in name or (not name.isascii() and not _encodable(name)):
        problem = "it contains a NUL byte or a character with no UTF-8 encoding"
    else:
        for part in name.split("/"):
            if part in ("", ".", ".."):
                problem = f"it has an empty, '.' or '..' segment ({part!r})"
                break
    if problem is not None:
        raise MetadataValidationError(f"{where}: invalid member name {name!r}: {problem}")
    return name
