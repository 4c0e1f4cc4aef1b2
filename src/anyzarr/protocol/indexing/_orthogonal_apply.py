"""Orthogonal (outer-product) selections expressed so numpy applies them.

numpy combines several index arrays point by point, and when an integer and
an array are separated by a slice it moves the indexed axes to the front.
An orthogonal selection therefore cannot be handed to numpy item for item.
`to_numpy_selection` rewrites it: index arrays are reshaped ``np.ix_``-style
so they broadcast as an outer product, and slices lying between advanced
items become ranges so the advanced items are adjacent and numpy keeps the
axes in place.  Slices outside that span stay slices (cheap views).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["apply_orthogonal", "assign_orthogonal", "to_numpy_selection"]


def to_numpy_selection(
    selection: tuple[Any, ...], shape: tuple[int, ...] | None = None
) -> tuple[Any, ...]:
    """Rewrite a per-axis selection (int, slice, 1-D int array) for numpy.

    ``array[to_numpy_selection(sel)]`` selects the outer product of the
    per-axis items, dropping integer axes, with axes in their original order.
    Slices that must become ranges are resolved against ``shape``; without
    it they need explicit non-negative bounds, as planners produce them.
    """
    arrays = [k for k, s in enumerate(selection) if isinstance(s, np.ndarray)]
    if not arrays:
        return selection
    ints = [k for k, s in enumerate(selection) if not isinstance(s, slice | np.ndarray)]
    if len(arrays) == 1 and not ints:
        return selection
    advanced = arrays + ints
    lo, hi = min(advanced), max(advanced)
    items: list[Any] = list(selection)
    for k in range(lo, hi + 1):
        s = items[k]
        if isinstance(s, slice):
            bounds = (
                s.indices(shape[k]) if shape is not None else (s.start or 0, s.stop, s.step or 1)
            )
            items[k] = np.arange(*bounds, dtype=np.intp)
    kept = [k for k, s in enumerate(items) if isinstance(s, np.ndarray)]
    m = len(kept)
    for j, k in enumerate(kept):
        ix_shape = [1] * m
        ix_shape[j] = -1
        items[k] = items[k].reshape(ix_shape)
    return tuple(items)


def apply_orthogonal(array: Any, selection: tuple[Any, ...]) -> Any:
    """``array`` indexed orthogonally by a per-axis selection."""
    return array[to_numpy_selection(selection, array.shape)]


def assign_orthogonal(array: Any, selection: tuple[Any, ...], value: Any) -> None:
    """Assign ``value`` to the orthogonal selection of ``array``, in place."""
    array[to_numpy_selection(selection, array.shape)] = value
