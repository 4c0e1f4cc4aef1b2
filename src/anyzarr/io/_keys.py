"""The one check every store key passes: can any store hold it at all?

Stores that map keys to paths add their own, stricter check
(``anyzarr.io.stores._common.check_key``: no ``..``, absolute paths or
backslashes); this one applies to every store, memory and zip included.
"""

from __future__ import annotations

from anyzarr.protocol._errors import UnsafeKeyError

__all__ = ["check_storable"]


def check_storable(key: str) -> str:
    """``key`` if every store can hold it, whatever it maps keys to.

    A NUL byte ends a name in zip archives, file systems and C libraries (a
    zip member ``zarr.json\\x00x`` would overwrite ``zarr.json``), and a lone
    surrogate has no UTF-8 encoding, so no file, zip member or object can be
    named with it.  Every store refuses such keys on write (through
    ``Store._check_writable``), and the API refuses them in node names.

    Raises
    ------
    UnsafeKeyError
        Naming the key.
    """
    if "\x00" in key:
        raise UnsafeKeyError(f"key {key!r} contains a NUL byte, which no store can hold")
    if not key.isascii():
        try:
            key.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise UnsafeKeyError(
                f"key {key!r} has no UTF-8 encoding ({exc.reason}), so no store can hold it"
            ) from None
    return key
