"""Selections on an array: plan them, run them through the engine, shape the result.

``AsyncArray``'s ``get_*_selection``/``set_*_selection`` methods are thin
wrappers around `get_selection` and `set_selection` here.  Plans are made over
the *stored* chunk shape (the shard shape when the array is sharded), since a
stored object is the unit the engine reads and writes; block selections are
first turned into element slices over the inner chunk grid the user sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from anyzarr.api._array_util import pop_fields
from anyzarr.io import _engine
from anyzarr.io._engine_fused import fast_store
from anyzarr.io._store import resolve_prototype
from anyzarr.protocol._errors import ArrayIndexError, BoundsCheckError, ReadOnlyError, UsageError

__all__ = [
    "NOT_INLINE",
    "SelectionKind",
    "block_to_basic",
    "get_selection",
    "get_selection_now",
    "getitem_gives_scalar",
    "make_plan",
    "plan_read",
    "set_selection",
    "set_selection_now",
]

SelectionKind = Literal["getitem", "basic", "orthogonal", "coordinate", "mask", "block"]
Fields = str | Sequence[str] | None


def block_to_basic(
    selection: Any, shape: tuple[int, ...], chunks: tuple[int, ...]
) -> tuple[slice, ...]:
    """Turn a selection of blocks (chunk indices) into one of elements.

    An integer picks one whole block and keeps its axis, as zarr does.
    """
    if not isinstance(selection, tuple):
        selection = (selection,)
    if any(s is Ellipsis for s in selection):
        at = next(i for i, s in enumerate(selection) if s is Ellipsis)
        fill = (slice(None),) * (len(shape) - len(selection) + 1)
        selection = selection[:at] + fill + selection[at + 1 :]
    if len(selection) > len(shape):
        raise BoundsCheckError(
            f"too many indices for block selection: {len(selection)} given, array has {len(shape)} dimensions"
        )
    selection = selection + (slice(None),) * (len(shape) - len(selection))
    out: list[slice] = []
    for axis, (sel, n, c) in enumerate(zip(selection, shape, chunks, strict=True)):
        nblocks = -(-n // c) if c else 0
        if isinstance(sel, (int, np.integer)) and not isinstance(sel, bool):
            b = int(sel)
            if b < 0:
                b += nblocks
            if not 0 <= b < nblocks:
                raise BoundsCheckError(
                    f"block index {int(sel)} is out of bounds for axis {axis} with {nblocks} blocks"
                )
            out.append(slice(b * c, min((b + 1) * c, n)))
        elif isinstance(sel, slice):
            start, stop, step = sel.indices(nblocks)
            if step != 1:
                raise UsageError(f"block selection slices must have step 1 (axis {axis})")
            stop = max(stop, start)
            out.append(slice(min(start * c, n), min(stop * c, n)))
        else:
            raise TypeError(
                f"block selection supports integers and slices only, got {type(sel).__name__} on axis {axis}"
            )
    return tuple(out)


def make_plan(array: Any, kind: SelectionKind, selection: Any) -> Any:
    """The indexing plan for ``selection`` of ``kind`` over the stored chunk grid."""
    from anyzarr.protocol import indexing

    meta = array.metadata
    shape = tuple(meta.shape)
    chunk_shape = tuple(meta.chunk_shape)
    if kind == "block":
        if meta.shards is None:
            return indexing.plan_block(selection, shape, chunk_shape)
        # Blocks are inner chunks, but plans run over shards: go via element slices.
        selection = block_to_basic(selection, shape, tuple(meta.inner_chunk_shape))
        kind = "basic"
    planner = {
        "getitem": indexing.plan_getitem,
        "basic": indexing.plan_basic,
        "orthogonal": indexing.plan_orthogonal,
        "coordinate": indexing.plan_coordinate,
        "mask": indexing.plan_mask,
    }[kind]
    return planner(selection, shape, chunk_shape)


def _out_dtype(dtype: np.dtype[Any], fields: Fields) -> np.dtype[Any]:
    if fields is None:
        return dtype
    if isinstance(fields, str):
        return dtype[fields]
    return dtype[list(fields)]


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


def _as_numpy(out: Any) -> npt.NDArray[Any]:
    for attr in ("as_numpy_array", "as_ndarray_like"):
        method = getattr(out, attr, None)
        if method is not None:
            return np.asarray(method())
    return np.asarray(out)


@dataclass(eq=False)
class _ReadTarget:
    """Where a read lands: ``buf`` is filled, then shaped by `_finish`."""

    fields: Fields
    target: npt.NDArray[Any] | None
    buf: npt.NDArray[Any]


def _prepare(array: Any, plan: Any, out: Any, fields: Fields) -> _ReadTarget:
    meta = array.metadata
    fields = fields if fields is not None else getattr(plan, "fields", None)
    _check_fields(meta.dtype, fields)
    shape = tuple(plan.shape)
    target: npt.NDArray[Any] | None = None
    if out is not None:
        target = _as_numpy(out)
        if target.shape != shape:
            raise UsageError(f"out has shape {target.shape}, but the selection has shape {shape}")
    if target is not None and fields is None and target.dtype == meta.dtype:
        buf = target
    else:
        buf = np.empty(shape, dtype=meta.dtype, order=array.order)
    return _ReadTarget(fields, target, buf)


def _finish(read: _ReadTarget, out: Any, scalar: bool) -> Any:
    fields, buf, target = read.fields, read.buf, read.target
    result = buf if fields is None else buf[fields if isinstance(fields, str) else list(fields)]
    if target is not None:
        if result is not target:
            target[...] = result
        return out
    if scalar and result.shape == ():
        return result[()]
    return result


async def get_selection(
    array: Any,
    plan: Any,
    *,
    out: Any = None,
    fields: Fields = None,
    prototype: Any = None,
    scalar: bool = False,
) -> Any:
    """Read what ``plan`` selects.

    A result with no dimensions is a numpy scalar when ``scalar`` is true and
    a 0-d array otherwise (see ``getitem_gives_scalar``).  When ``out`` is
    given the result is written into it and it is returned.
    """
    read = _prepare(array, plan, out, fields)
    # Stores written for zarr-python need a real prototype (theirs is required).
    prototype = resolve_prototype(prototype)
    await _engine.read(
        array.store_path,
        array.metadata,
        array.codec_pipeline,
        plan,
        read.buf,
        spec=array._chunk_spec(prototype),
        prototype=prototype,
        read_missing_chunks=array._config.read_missing_chunks,
    )
    return _finish(read, out, scalar)


#: What `get_selection_now` returns for a read it leaves to `get_selection`.
NOT_INLINE: Any = object()


def get_selection_now(
    array: Any,
    plan: Any,
    *,
    out: Any = None,
    fields: Fields = None,
    prototype: Any = None,
    scalar: bool = False,
) -> Any:
    """`get_selection` without the event loop, for local and memory stores.

    Gives exactly what `get_selection` gives, or ``NOT_INLINE`` (having
    written nothing into ``out``) when the store needs the event loop; the
    caller then awaits `get_selection` instead.
    """
    read = _prepare(array, plan, out, fields)
    done = _engine.read_now(
        array.store_path,
        array.metadata,
        array.codec_pipeline,
        plan,
        read.buf,
        spec=array._chunk_spec(prototype),
        prototype=prototype,
        read_missing_chunks=array._config.read_missing_chunks,
    )
    return _finish(read, out, scalar) if done else NOT_INLINE


def plan_read(
    array: Any, kind: SelectionKind, selection: Any, fields: Fields = None
) -> tuple[Any, Fields, bool]:
    """``(plan, fields, scalar)`` for reading ``selection`` of ``kind``.

    ``getitem`` takes field names from the selection itself; basic and
    ``getitem`` selections of one element give a scalar (see
    `getitem_gives_scalar`), the others a 0-d array.
    """
    if kind == "getitem":
        fields, pure = pop_fields(selection)
        plan = make_plan(array, kind, pure)
        return plan, fields, getitem_gives_scalar(pure, len(array.metadata.shape))
    return make_plan(array, kind, selection), fields, kind == "basic"


def getitem_gives_scalar(selection: Any, ndim: int) -> bool:
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


def _write_value(array: Any, plan: Any, value: npt.ArrayLike, fields: Fields) -> tuple[Any, Fields]:
    """The checked value of a write, broadcast to the selection, and its fields."""
    if array.read_only:
        raise ReadOnlyError(f"array at path {array.path!r} is read-only; cannot write to it")
    meta = array.metadata
    fields = fields if fields is not None else getattr(plan, "fields", None)
    _check_fields(meta.dtype, fields)
    dtype = _out_dtype(meta.dtype, fields)
    if hasattr(value, "as_numpy_array") and not isinstance(value, np.ndarray):
        value = _as_numpy(value)
    arr = np.asarray(value, dtype=dtype)
    shape = tuple(plan.shape)
    try:
        return np.broadcast_to(arr, shape), fields
    except ValueError as exc:
        raise ValueError(
            f"value of shape {arr.shape} cannot be broadcast to the selection's shape {shape} "
            f"(array at path {array.path!r})"
        ) from exc


async def set_selection(
    array: Any,
    plan: Any,
    value: npt.ArrayLike,
    *,
    fields: Fields = None,
    prototype: Any = None,
) -> None:
    """Write ``value`` (broadcast to the selection's shape) into ``plan``'s chunks."""
    arr, fields = _write_value(array, plan, value, fields)
    prototype = resolve_prototype(prototype)
    await _engine.write(
        array.store_path,
        array.metadata,
        array.codec_pipeline,
        plan,
        arr,
        spec=array._chunk_spec(prototype),
        prototype=prototype,
        write_empty_chunks=array._config.write_empty_chunks,
        fields=fields,
    )


def set_selection_now(
    array: Any,
    plan: Any,
    value: npt.ArrayLike,
    *,
    fields: Fields = None,
    prototype: Any = None,
) -> bool:
    """`set_selection` without the event loop, for local and memory stores.

    Returns False, having written nothing, when the store needs the event
    loop; the caller then awaits `set_selection` instead.  Errors in the
    value (read-only array, unknown fields, shapes that do not broadcast)
    are raised here as `set_selection` raises them.
    """
    if fast_store(array.store_path.store, prototype) is None:
        return False
    arr, fields = _write_value(array, plan, value, fields)
    return _engine.write_now(
        array.store_path,
        array.metadata,
        array.codec_pipeline,
        plan,
        arr,
        spec=array._chunk_spec(prototype),
        prototype=prototype,
        write_empty_chunks=array._config.write_empty_chunks,
        fields=fields,
    )
