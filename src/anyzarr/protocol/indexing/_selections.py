"""The types of what users pass as selections, and of what reads give back.

They follow zarr-python's (``zarr.core.indexing``) so code annotated against
zarr keeps type-checking; the planners accept the same forms.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import EllipsisType
from typing import Any

import numpy as np
import numpy.typing as npt

from anyzarr.protocol.buffer import NDBuffer

__all__ = [
    "BasicSelection",
    "BasicSelector",
    "BlockSelection",
    "CoordinateSelection",
    "MaskSelection",
    "NDArrayLikeOrScalar",
    "OrthogonalSelection",
    "OutBuffer",
    "Selection",
    "SelectionWithFields",
    "Selector",
]

#: An integer array, or a boolean one (a mask along an axis).
ArrayOfIntOrBool = npt.NDArray[np.integer[Any]] | npt.NDArray[np.bool_]
#: One axis of a basic selection.
BasicSelector = int | np.integer[Any] | slice | EllipsisType
#: One axis of an orthogonal selection.
Selector = BasicSelector | ArrayOfIntOrBool | Sequence[int] | Sequence[bool]
#: Integers, slices and Ellipsis: numpy's basic indexing.
BasicSelection = BasicSelector | tuple[BasicSelector, ...]
#: Block (chunk) indices: integers and step-1 slices.
BlockSelection = BasicSelection
#: One selection per axis, combined as an outer product.
OrthogonalSelection = Selector | tuple[Selector, ...]
#: One integer array (or list) per axis, broadcast together: single points.
CoordinateSelection = (
    npt.NDArray[np.integer[Any]]
    | Sequence[int]
    | tuple[npt.NDArray[np.integer[Any]] | Sequence[int] | int, ...]
)
#: A boolean array shaped like the array.
MaskSelection = npt.NDArray[np.bool_]
#: Anything ``array[...]`` takes (field names aside).
Selection = BasicSelection | OrthogonalSelection | CoordinateSelection | MaskSelection
#: ``array[...]``'s argument: a selection, field names of a structured dtype, or both.
SelectionWithFields = Selection | str | Sequence[str] | tuple[Selector | str, ...]
#: Where a read may put its result instead of a new array.
OutBuffer = NDBuffer | npt.NDArray[Any]
#: What a read gives: an array, or one element of it.
NDArrayLikeOrScalar = npt.NDArray[Any] | np.generic | bool | int | float | complex | str | bytes
