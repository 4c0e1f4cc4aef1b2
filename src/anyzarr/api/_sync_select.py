"""Reads and writes of the sync ``Array``, and its ``oindex``/``vindex``/``blocks``.

The selection is planned in the caller's thread.  For a local or memory
store the read or write then runs there too, with helper threads when it is
large (``get_selection_now``/``set_selection_now``): no trip to the event
loop thread and no thread hand-off per batch.  Other stores, and calls from
the loop thread itself (which ``sync`` refuses with ``SyncInLoopError``), go
through the loop as every other sync call does.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from anyzarr.api._array_select import (
    NOT_INLINE,
    Fields,
    SelectionKind,
    get_selection,
    get_selection_now,
    make_plan,
    plan_read,
    set_selection,
    set_selection_now,
)
from anyzarr.api._array_util import pop_fields
from anyzarr.api._sync_runtime import loop_thread_id, sync
from anyzarr.protocol._errors import VindexInvalidSelectionError

if TYPE_CHECKING:
    from anyzarr.api._sync_extras import ArrayExtras

__all__ = ["BlockIndex", "OIndex", "VIndex", "read", "write"]

#: The ``AsyncArray`` method behind each kind of read.
_READ_METHODS: dict[SelectionKind, str] = {
    "getitem": "getitem",
    "basic": "get_basic_selection",
    "orthogonal": "get_orthogonal_selection",
    "coordinate": "get_coordinate_selection",
    "mask": "get_mask_selection",
    "block": "get_block_selection",
}
#: ... and behind each kind of write.
_WRITE_METHODS: dict[SelectionKind, str] = {
    "getitem": "setitem",
    "basic": "set_basic_selection",
    "orthogonal": "set_orthogonal_selection",
    "coordinate": "set_coordinate_selection",
    "mask": "set_mask_selection",
    "block": "set_block_selection",
}


def _is_async_array(obj: Any) -> bool:
    from anyzarr.api._array import AsyncArray

    return isinstance(obj, AsyncArray)


def _off_loop() -> bool:
    return threading.get_ident() != loop_thread_id()


def read(async_array: Any, kind: SelectionKind, selection: Any, **options: Any) -> Any:
    """Read ``selection`` of ``kind``; ``options`` are ``out``, ``fields``, ``prototype``."""
    if not _is_async_array(async_array):
        # Another async class reusing these mixins: only its methods know how.
        return sync(getattr(async_array, _READ_METHODS[kind]), selection, **options)
    out = options.get("out")
    prototype = options.get("prototype")
    fields: Fields = options.get("fields")
    plan, fields, scalar = plan_read(async_array, kind, selection, fields)
    result = (
        get_selection_now(
            async_array, plan, out=out, fields=fields, prototype=prototype, scalar=scalar
        )
        if _off_loop()
        else NOT_INLINE
    )
    if result is NOT_INLINE:
        result = sync(
            get_selection,
            async_array,
            plan,
            out=out,
            fields=fields,
            prototype=prototype,
            scalar=scalar,
        )
    return result


def write(
    async_array: Any,
    kind: SelectionKind,
    selection: Any,
    value: Any,
    *,
    fields: Fields = None,
    prototype: Any = None,
) -> None:
    """Write ``value`` into ``selection`` of ``kind`` (``getitem``: as ``a[sel] = value``)."""
    if not _is_async_array(async_array):
        # Only the keywords the caller gave: such a class may not take them all.
        options = {"fields": fields, "prototype": prototype}
        given = {k: v for k, v in options.items() if v is not None}
        sync(getattr(async_array, _WRITE_METHODS[kind]), selection, value, **given)
        return
    if kind == "getitem":
        fields, selection = pop_fields(selection)
    plan = make_plan(async_array, kind, selection)
    if _off_loop() and set_selection_now(
        async_array, plan, value, fields=fields, prototype=prototype
    ):
        return
    sync(set_selection, async_array, plan, value, fields=fields, prototype=prototype)


class _Indexer:
    """Shared base of the ``oindex``/``vindex``/``blocks`` helpers."""

    __slots__ = ("_array",)

    def __init__(self, array: ArrayExtras) -> None:
        self._array = array


class OIndex(_Indexer):
    """``array.oindex[...]``: orthogonal (outer) selection, one index per axis."""

    __slots__ = ()

    def __getitem__(self, selection: Any) -> Any:
        return read(self._array._async_array, "orthogonal", selection)

    def __setitem__(self, selection: Any, value: Any) -> None:
        write(self._array._async_array, "orthogonal", selection, value)


class VIndex(_Indexer):
    """``array.vindex[...]``: coordinate (point) or boolean-mask selection."""

    __slots__ = ()

    def _kind(self, selection: Any) -> SelectionKind:
        mask = selection[0] if isinstance(selection, tuple) and len(selection) == 1 else selection
        if (
            isinstance(mask, np.ndarray)
            and mask.dtype == np.bool_
            and mask.ndim == len(self._array._async_array.shape)
        ):
            return "mask"
        items = selection if isinstance(selection, tuple) else (selection,)
        if any(isinstance(item, slice) or item is Ellipsis for item in items):
            raise VindexInvalidSelectionError(
                f"vindex takes integer arrays or one boolean mask, not {selection!r}"
            )
        return "coordinate"

    def __getitem__(self, selection: Any) -> Any:
        return read(self._array._async_array, self._kind(selection), selection)

    def __setitem__(self, selection: Any, value: Any) -> None:
        write(self._array._async_array, self._kind(selection), selection, value)


class BlockIndex(_Indexer):
    """``array.blocks[...]``: select whole chunks by their chunk indices."""

    __slots__ = ()

    def __getitem__(self, selection: Any) -> Any:
        return read(self._array._async_array, "block", selection)

    def __setitem__(self, selection: Any, value: Any) -> None:
        write(self._array._async_array, "block", selection, value)
