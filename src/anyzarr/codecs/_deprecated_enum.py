"""zarr-python 3.4's deprecated option classes (``BloscCname``, ``Endian``...).

zarr-python 3.4 replaced its option enums by string literals.  The old class
names still import silently; reading a member (``BloscCname.zstd``) gives
the plain string with a ``DeprecationWarning``, and a name that is not a
member is an ``AttributeError``.  anyzarr's classes behave the same.
"""

from __future__ import annotations

import warnings
from typing import ClassVar

__all__ = ["DeprecatedOptions"]


class _DeprecatedOptionsMeta(type):
    _members: dict[str, str]

    def __getattr__(cls, name: str) -> str:
        members: dict[str, str] = type.__getattribute__(cls, "_members")
        if name in members:
            warnings.warn(
                f"{cls.__name__}.{name} is deprecated; pass the string {members[name]!r} instead.",
                DeprecationWarning,
                stacklevel=2,
            )
            return members[name]
        raise AttributeError(name)


class DeprecatedOptions(metaclass=_DeprecatedOptionsMeta):
    """Base of the deprecated option classes: members are listed in ``_members``."""

    _members: ClassVar[dict[str, str]] = {}
