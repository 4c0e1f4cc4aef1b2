"""``AsyncArray.oindex`` and ``AsyncArray.vindex``: awaitable fancy indexing.

zarr-python's ``AsyncOIndex``/``AsyncVIndex`` read only (``await
a.oindex.getitem(sel)``); these also write (``await a.oindex.setitem(sel,
value)``).  Each is a thin front over the array's ``get_*``/``set_*``
selection methods: structured-dtype field names are split off the selection,
and a Zarr array used as a selection is read first, as zarr-python does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from anyzarr.api._selection import pop_fields
from anyzarr.protocol._errors import VindexInvalidSelectionError
from anyzarr.protocol.metadata import ArrayV2Metadata, ArrayV3Metadata

if TYPE_CHECKING:
    from anyzarr.api._array import AsyncArray
    from anyzarr.protocol.indexing import (
        MaskSelection,
        NDArrayLikeOrScalar,
        SelectionWithFields,
        Selector,
    )
    from anyzarr.protocol.metadata import ArrayMetadata

__all__ = ["AsyncOIndex", "AsyncVIndex", "IndexerSelection"]

type IndexerSelection = (
    SelectionWithFields
    | AsyncArray[ArrayMetadata]
    | tuple[Selector | str | AsyncArray[ArrayMetadata], ...]
)
"""What ``oindex``/``vindex`` take: a selection (with field names), in which a
Zarr array may stand for the integer or boolean array it holds."""


async def _read_if_array[S: SelectionWithFields](
    item: S | AsyncArray[ArrayMetadata],
) -> S | npt.NDArray[np.integer] | MaskSelection:
    """``item``, or the values of the (sync or async) Zarr array it is."""
    from anyzarr.api._array import AsyncArray

    if isinstance(item, AsyncArray):
        return np.asarray(await item.getitem(Ellipsis))
    inner = getattr(item, "_async_array", None)  # a sync ``Array`` wraps one
    if isinstance(inner, AsyncArray):
        return np.asarray(await inner.getitem(Ellipsis))
    return item


async def _materialise(selection: IndexerSelection) -> SelectionWithFields:
    """``selection`` with any (sync or async) Zarr array in it read into numpy."""
    if isinstance(selection, tuple):
        return tuple([await _read_if_array(item) for item in selection])
    return await _read_if_array(selection)


def _as_tuple(selection: SelectionWithFields) -> tuple[Any, ...]:
    # ``pop_fields`` has taken the field names out, which its type cannot say;
    # the selection methods check what is left.
    if isinstance(selection, tuple):
        return tuple(np.asarray(s) if isinstance(s, list) else s for s in selection)
    return (np.asarray(selection) if isinstance(selection, list) else selection,)


@dataclass(frozen=True)
class AsyncOIndex[T_ArrayMetadata: ArrayV2Metadata | ArrayV3Metadata]:
    """Orthogonal (outer) indexing of an :class:`AsyncArray`.

    ``await a.oindex.getitem(([0, 2], slice(None)))`` reads rows 0 and 2;
    ``await a.oindex.setitem(sel, value)`` writes them.
    """

    array: AsyncArray[T_ArrayMetadata]

    async def getitem(self, selection: IndexerSelection) -> NDArrayLikeOrScalar:
        """Read an orthogonal selection (see ``get_orthogonal_selection``)."""
        fields, rest = pop_fields(await _materialise(selection))
        return await self.array.get_orthogonal_selection(_as_tuple(rest), fields=fields)

    async def setitem(self, selection: IndexerSelection, value: npt.ArrayLike) -> None:
        """Write ``value`` to an orthogonal selection (see ``set_orthogonal_selection``)."""
        fields, rest = pop_fields(await _materialise(selection))
        await self.array.set_orthogonal_selection(_as_tuple(rest), value, fields=fields)


@dataclass(frozen=True)
class AsyncVIndex[T_ArrayMetadata: ArrayV2Metadata | ArrayV3Metadata]:
    """Vectorised (point or mask) indexing of an :class:`AsyncArray`.

    One integer array per axis selects points (``get_coordinate_selection``);
    one boolean array of the array's shape selects by mask
    (``get_mask_selection``).
    """

    array: AsyncArray[T_ArrayMetadata]

    def _kind(self, selection: tuple[object, ...]) -> Literal["mask", "coordinate"]:
        first = selection[0] if len(selection) == 1 else None
        if isinstance(first, np.ndarray) and first.dtype == np.bool_:
            if first.shape == tuple(self.array.shape):
                return "mask"
            raise VindexInvalidSelectionError(
                f"a boolean mask must have the array's shape {tuple(self.array.shape)}, "
                f"got {first.shape}"
            )
        return "coordinate"

    async def getitem(self, selection: IndexerSelection) -> NDArrayLikeOrScalar:
        """Read points or a mask (see ``get_coordinate_selection``/``get_mask_selection``)."""
        fields, rest = pop_fields(await _materialise(selection))
        sel = _as_tuple(rest)
        if self._kind(sel) == "mask":
            return await self.array.get_mask_selection(sel[0], fields=fields)
        return await self.array.get_coordinate_selection(sel, fields=fields)

    async def setitem(self, selection: IndexerSelection, value: npt.ArrayLike) -> None:
        """Write points or a mask (see ``set_coordinate_selection``/``set_mask_selection``)."""
        fields, rest = pop_fields(await _materialise(selection))
        sel = _as_tuple(rest)
        if self._kind(sel) == "mask":
            await self.array.set_mask_selection(sel[0], value, fields=fields)
        else:
            await self.array.set_coordinate_selection(sel, value, fields=fields)
