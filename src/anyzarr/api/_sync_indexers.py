"""``Array.oindex``, ``Array.vindex`` and ``Array.blocks``: selections by subscript.

Each helper forwards ``[...]`` reads and writes to the sync ``Array``'s
generated selection methods, so they take the same paths (in the calling
thread for stores with batch IO, through the event loop otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from typing_extensions import TypeIs

from anyzarr.protocol._errors import VindexInvalidSelectionError

if TYPE_CHECKING:
    import numpy.typing as npt

    from anyzarr.api.synchronous import Array
    from anyzarr.protocol.indexing import (
        BlockSelection,
        CoordinateSelection,
        MaskSelection,
        NDArrayLikeOrScalar,
        OrthogonalSelection,
    )

__all__ = ["BlockIndex", "OIndex", "VIndex", "read_index_arrays"]


def read_index_arrays[S](selection: S) -> S:
    """``selection`` with any Zarr array used as an index array read into numpy.

    ``a[b]`` with ``b`` another (sync) Zarr array of integers or booleans
    means ``a[b[...]]``, as in zarr-python.  The read happens here, in the
    caller's thread, before the selection is planned: the planner may run on
    the event loop, where a sync read could not.
    """
    from anyzarr.api._sync_mixins import ArrayMixin

    if isinstance(selection, ArrayMixin):
        return np.asarray(selection)  # type: ignore[return-value]
    if isinstance(selection, tuple) and any(isinstance(s, ArrayMixin) for s in selection):
        return tuple(  # type: ignore[return-value]
            np.asarray(s) if isinstance(s, ArrayMixin) else s for s in selection
        )
    return selection


class _Indexer:
    """Shared base of the ``oindex``/``vindex``/``blocks`` helpers."""

    __slots__ = ("_array",)

    def __init__(self, array: Array) -> None:
        self._array = array


class OIndex(_Indexer):
    """``array.oindex[...]``: orthogonal (outer) selection, one index per axis."""

    __slots__ = ()

    def __getitem__(self, selection: OrthogonalSelection) -> NDArrayLikeOrScalar:
        return self._array.get_orthogonal_selection(read_index_arrays(selection))

    def __setitem__(self, selection: OrthogonalSelection, value: npt.ArrayLike) -> None:
        self._array.set_orthogonal_selection(read_index_arrays(selection), value)


class VIndex(_Indexer):
    """``array.vindex[...]``: coordinate (point) or boolean-mask selection."""

    __slots__ = ()

    def _is_mask(self, selection: CoordinateSelection | MaskSelection) -> TypeIs[MaskSelection]:
        mask = selection[0] if isinstance(selection, tuple) and len(selection) == 1 else selection
        if (
            isinstance(mask, np.ndarray)
            and mask.dtype == np.bool_
            and mask.ndim == len(self._array.shape)
        ):
            return True
        items = selection if isinstance(selection, tuple) else (selection,)
        if any(isinstance(item, slice) or item is Ellipsis for item in items):
            raise VindexInvalidSelectionError(
                f"vindex takes integer arrays or one boolean mask, not {selection!r}"
            )
        return False

    def __getitem__(self, selection: CoordinateSelection | MaskSelection) -> NDArrayLikeOrScalar:
        selection = read_index_arrays(selection)
        if self._is_mask(selection):
            return self._array.get_mask_selection(selection)
        return self._array.get_coordinate_selection(selection)

    def __setitem__(
        self, selection: CoordinateSelection | MaskSelection, value: npt.ArrayLike
    ) -> None:
        selection = read_index_arrays(selection)
        if self._is_mask(selection):
            self._array.set_mask_selection(selection, value)
        else:
            self._array.set_coordinate_selection(selection, value)


class BlockIndex(_Indexer):
    """``array.blocks[...]``: select whole chunks by their chunk indices."""

    __slots__ = ()

    def __getitem__(self, selection: BlockSelection) -> NDArrayLikeOrScalar:
        return self._array.get_block_selection(selection)

    def __setitem__(self, selection: BlockSelection, value: npt.ArrayLike) -> None:
        self._array.set_block_selection(selection, value)
