"""Indexing errors that need a second builtin base.

The base types live in :mod:`anyzarr.protocol._errors`; these subclasses add
the builtin that numpy raises in the same case, so ``except TypeError`` or
``except ValueError`` written against numpy keeps working.
"""

from __future__ import annotations

from anyzarr.protocol._errors import ArrayIndexError, UsageError, VindexInvalidSelectionError

__all__ = [
    "ChunkShapeError",
    "CoordinateBroadcastError",
    "UnsupportedSelectionError",
    "ZeroStepError",
]


class UnsupportedSelectionError(ArrayIndexError, TypeError):
    """A selection item has a type the selection kind does not accept."""


class ZeroStepError(ArrayIndexError, ValueError):
    """A slice has step 0."""


class CoordinateBroadcastError(VindexInvalidSelectionError, ValueError):
    """The integer arrays of a coordinate selection do not broadcast together."""


class ChunkShapeError(UsageError, ValueError):
    """The chunk shape does not fit the array shape."""
