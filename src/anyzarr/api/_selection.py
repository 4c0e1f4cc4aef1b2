"""Selections of an array as the user asks for them: output buffers, fields, result shapes.

``AsyncArray``'s selection methods turn a user's selection into a protocol
plan (`ArrayRead` / `ArrayWrite`), hand it to the engine, and shape what
comes back the way zarr-python does: field names picked off the selection,
an ``out`` buffer filled in place, a numpy scalar for one element of a basic
selection.  This module holds those rules; it does no IO.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import ArrayIndexError, ReadOnlyError, UsageError
from anyzarr.protocol.array import (
    ArrayRead,
    ArrayWrite,
    Fields,
    SelectionKind,
    StoredArray,
    plan_selection,
)
from anyzarr.protocol.buffer import NDBuffer
from anyzarr.protocol.indexing import (
    IndexingPlan,
    NDArrayLikeOrScalar,
    OutBuffer,
    SelectionWithFields,
)

__all__ = [
    "Fields",
    "SelectionKind",
    "SelectionRead",
    "getitem_gives_scalar",
    "pop_fields",
    "selection_write",
]


def pop_fields(selection: SelectionWithFields) -> tuple[Fields, SelectionWithFields]:
    """Split structured-dtype field names off a ``getitem`` selection."""
    if isinstance(selection, str):
        return selection, Ellipsis
    if isinstance(selection, list) and selection and all(isinstance(s, str) for s in selection):
        return list(selection), Ellipsis
    if not isinstance(selection, tuple):
        return None, selection
    names = [s for s in selection if isinstance(s, str)]
    rest = tuple(s for s in selection if not isinstance(s, str))
    if not names:
        return None, selection
    fields: Fields = names[0] if len(names) == 1 else names
    return fields, rest if rest else Ellipsis


def getitem_gives_scalar(selection: SelectionWithFields, ndim: int) -> bool:
    """Whether ``array[selection]`` returns a numpy scalar for a single element.

    zarr-python 3.4 treats a selection of plain ``int``/``slice`` entries (no
    Ellipsis, no numpy integers) on an array with dimensions as orthogonal
    indexing, which yields a 0-d array; everything else that selects one
    element goes through basic indexing and yields a scalar.
    """
    if not ndim:
        return True
    entries = selection if isinstance(selection, tuple) else (selection,)
    return not (len(entries) <= ndim and all(isinstance(e, int | slice) for e in entries))


def _check_fields(dtype: np.dtype[Any], fields: Fields) -> None:
    if fields is None:
        return
    if dtype.names is None:
        raise ArrayIndexError(
            f"fields {fields!r} given but the array's dtype {dtype} has no fields"
        )
    names = [fields] if isinstance(fields, str) else list(fields)
    unknown = [f for f in names if f not in dtype.names]
    if unknown:
        raise ArrayIndexError(
            f"no field(s) {unknown} in dtype {dtype}; fields are {list(dtype.names)}"
        )


def _field_dtype(dtype: np.dtype[Any], fields: Fields) -> np.dtype[Any]:
    if fields is None:
        return dtype
    if isinstance(fields, str):
        return dtype[fields]
    return dtype[list(fields)]


def _as_numpy(value: OutBuffer | npt.ArrayLike) -> npt.NDArray[Any]:
    """A numpy view of an ``NDBuffer``, an ``NDArrayLike`` or anything array-like."""
    if isinstance(value, NDBuffer):
        return np.asarray(value.as_numpy_array())
    return np.asarray(value)


def _plan(
    array: StoredArray, kind: SelectionKind, selection: SelectionWithFields, fields: Fields
) -> tuple[IndexingPlan, Fields, bool]:
    """``(plan, fields, scalar)``: ``getitem`` takes field names from the selection itself."""
    if kind == "getitem":
        popped, pure = pop_fields(selection)
        plan = plan_selection(array.metadata, kind, pure)
        fields = popped if popped is not None else fields
        return plan, fields, getitem_gives_scalar(pure, len(array.metadata.shape))
    return plan_selection(array.metadata, kind, selection), fields, kind == "basic"


@dataclass(eq=False)
class SelectionRead:
    """A read of a user's selection: the protocol plan and how to shape its result."""

    op: ArrayRead
    fields: Fields
    scalar: bool
    target: npt.NDArray[Any] | None

    @classmethod
    def prepare(
        cls,
        array: StoredArray,
        kind: SelectionKind,
        selection: SelectionWithFields,
        *,
        out: OutBuffer | None = None,
        fields: Fields = None,
        read_missing_chunks: bool = True,
    ) -> SelectionRead:
        """Plan ``selection`` and choose the buffer the read decodes into."""
        plan, fields, scalar = _plan(array, kind, selection, fields)
        if fields is None:
            fields = plan.fields
        dtype = array.spec.dtype
        _check_fields(dtype, fields)
        shape = tuple(plan.shape)
        target: npt.NDArray[Any] | None = None
        if out is not None:
            if not isinstance(out, NDBuffer) and not hasattr(out, "__array__"):
                # np.asarray would copy a list, and the values read into the
                # copy would be lost.
                raise TypeError(f"out must be an NDBuffer or an array, not {type(out).__name__}")
            target = _as_numpy(out)
            if target.shape != shape:
                raise UsageError(
                    f"out has shape {target.shape}, but the selection has shape {shape}"
                )
        if target is not None and fields is None and target.dtype == dtype:
            buf = target
        elif array.on_host:
            # Through the prototype: it keeps what np.empty may drop (a
            # generic time unit's scale), and a custom host prototype gets its
            # own array class back.
            nd = array.spec.prototype.nd_buffer.empty(shape, dtype, array.spec.order)
            buf = np.asanyarray(nd.as_ndarray_like())
        else:
            buf = np.empty(shape, dtype=dtype, order=array.spec.order)
        op = ArrayRead(array, plan, buf, read_missing_chunks=read_missing_chunks)
        return cls(op, fields, scalar, target)

    def finish(self) -> NDArrayLikeOrScalar:
        """The result as zarr-python gives it: with ``out``, a numpy view of it."""
        buf = self.op.result()
        fields = self.fields
        result = buf if fields is None else buf[fields if isinstance(fields, str) else list(fields)]
        if self.target is not None:
            if result is not self.target:
                self.target[...] = result
            return self.target
        if self.scalar and result.shape == ():
            # A 0-d array indexed with () is its one element, a numpy scalar.
            return cast("np.generic", result[()])
        return result


def selection_write(
    array: StoredArray,
    kind: SelectionKind,
    selection: SelectionWithFields,
    value: npt.ArrayLike,
    *,
    fields: Fields = None,
    read_only: bool,
    delete_empty: bool,
) -> ArrayWrite:
    """The checked write of ``value`` (broadcast to the selection) into ``selection``."""
    if read_only:
        raise ReadOnlyError(f"array at path {array.path!r} is read-only; cannot write to it")
    if kind == "getitem":
        popped, selection = pop_fields(selection)
        fields = popped if popped is not None else fields
    plan = plan_selection(array.metadata, kind, selection)
    if fields is None:
        fields = plan.fields
    dtype = array.spec.dtype
    _check_fields(dtype, fields)
    if isinstance(value, NDBuffer) or (
        hasattr(value, "as_numpy_array") and not isinstance(value, np.ndarray)
    ):
        value = _as_numpy(value)
    arr = np.asarray(value, dtype=_field_dtype(dtype, fields))
    shape = tuple(plan.shape)
    try:
        arr = np.broadcast_to(arr, shape)
    except ValueError as exc:
        raise ValueError(
            f"value of shape {arr.shape} cannot be broadcast to the selection's shape {shape} "
            f"(array at path {array.path!r})"
        ) from exc
    return ArrayWrite(array, plan, arr, fields=fields, delete_empty=delete_empty)
