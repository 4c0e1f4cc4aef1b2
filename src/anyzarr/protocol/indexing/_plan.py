"""The result of planning a selection: per-chunk projections.

Projections are produced lazily: a slab over a grid of many chunks is a
product of a few short per-axis lists, and materialising every combination up
front would be O(chunks) work before the first chunk can be fetched.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import numpy as np

from anyzarr.protocol.metadata._grid_axis import GridAxis

__all__ = ["ChunkProjection", "IndexingPlan", "PlanKind", "Selector"]

#: One entry of a chunk or output selection.
Selector = Any
PlanKind = Literal["basic", "orthogonal", "coordinate"]


@dataclass(frozen=True, slots=True)
class ChunkProjection:
    """How one chunk maps to the output of a selection.

    ``out[out_selection] = chunk[chunk_selection]`` copies the chunk's share of
    a read, and ``chunk[chunk_selection] = value[out_selection]`` applies its
    share of a write; both sides select arrays of the same shape.  ``chunk``
    is the full (padded) chunk; the selection never touches padding.
    ``is_complete`` is true when the selection covers every element of the
    chunk that lies inside the array, each exactly once.
    """

    chunk_coords: tuple[int, ...]
    chunk_selection: tuple[Selector, ...]
    out_selection: tuple[Selector, ...]
    is_complete: bool

    @property
    def chunk_axes(self) -> tuple[int | slice | np.ndarray[Any, Any], ...]:
        """``chunk_selection`` of an orthogonal plan as one item per chunk axis.

        Broadcast (``np.ix_``-shaped) index arrays are flattened back to 1-D,
        so each item is an ``int``, a ``slice`` or a 1-D integer array, and the
        items combine orthogonally (see ``apply_orthogonal``).  Meaningless
        for coordinate plans, whose arrays pair up point by point.
        """
        return tuple(
            s.reshape(-1) if isinstance(s, np.ndarray) else s for s in self.chunk_selection
        )


@dataclass(frozen=True, slots=True)
class IndexingPlan:
    """A selection resolved against an array shape and a chunk grid.

    ``shape`` is the shape numpy would give the result; ``projections`` lists
    one `ChunkProjection` per chunk touched, in C order of chunk coordinates.
    ``kind`` says how index arrays in the selections combine: ``"basic"`` has
    none, ``"orthogonal"`` combines them as an outer product, ``"coordinate"``
    pairs them point by point.  ``fields`` carries the structured-dtype field
    names stripped from the selection by `plan_getitem`.  ``grid`` is the
    chunk grid bound to the array shape, one `GridAxis` per dimension: it
    answers `chunk_shape_of` (chunks of a rectilinear grid differ in shape).
    """

    shape: tuple[int, ...]
    projections: Sequence[ChunkProjection]
    kind: PlanKind
    fields: str | list[str] | None = field(default=None)
    grid: tuple[GridAxis, ...] = field(default=())

    @property
    def nchunks(self) -> int:
        """Number of chunks the selection touches."""
        return len(self.projections)

    @property
    def chunk_shape(self) -> tuple[int, ...] | None:
        """The shape every stored chunk has, or None when chunks differ in shape."""
        sizes = tuple(a.regular_size for a in self.grid)
        if any(s is None for s in sizes):
            return None
        return sizes  # type: ignore[return-value]

    def chunk_shape_of(self, chunk_coords: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of the full stored chunk at ``chunk_coords`` (padding included).

        This is the shape a projection's ``chunk_selection`` indexes into.
        """
        return tuple(a.chunk_size(ix) for a, ix in zip(self.grid, chunk_coords, strict=True))


#: Outermost axes up to this many parts go through itertools.product (fast, but it
#: copies its inputs); longer ones are walked lazily.
_EAGER_AXIS = 1 << 20

#: A per-axis projection: (chunk index, chunk selector, out selector or None, complete).
AxisPart = tuple[int, Any, Any, bool]


class ProductProjections(Sequence[ChunkProjection]):
    """The outer product of per-axis projections, built on demand."""

    __slots__ = ("_axes", "_combine", "_len", "_strides")

    def __init__(
        self,
        axes: Sequence[Sequence[AxisPart]],
        combine: Callable[[tuple[AxisPart, ...]], ChunkProjection],
    ) -> None:
        self._axes = tuple(axes)
        self._combine = combine
        self._len = math.prod(len(a) for a in self._axes)
        strides: list[int] = []
        acc = 1
        for a in reversed(self._axes):
            strides.append(acc)
            acc *= len(a)
        self._strides = tuple(reversed(strides))

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[ChunkProjection]:
        combine = self._combine
        if not self._axes or len(self._axes[0]) <= _EAGER_AXIS:
            for parts in itertools.product(*self._axes):
                yield combine(parts)
            return
        # itertools.product copies every input first; a long outermost axis
        # is walked lazily instead, so it is never materialised.
        first, rest = self._axes[0], self._axes[1:]
        if not rest:
            for part in first:
                yield combine((part,))
            return
        inner = list(itertools.product(*rest))
        for part in first:
            for parts in inner:
                yield combine((part, *parts))

    @overload
    def __getitem__(self, index: int) -> ChunkProjection: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[ChunkProjection]: ...
    def __getitem__(self, index: int | slice) -> ChunkProjection | Sequence[ChunkProjection]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._len))]
        i = int(index)
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(f"projection index {index} out of range for {self._len} projections")
        parts = tuple(
            a[(i // stride) % len(a)] for a, stride in zip(self._axes, self._strides, strict=True)
        )
        return self._combine(parts)

    def __repr__(self) -> str:
        return f"<{self._len} chunk projections>"


class RunProjections(Sequence[ChunkProjection]):
    """Projections of a coordinate plan: one per run of points in a chunk."""

    __slots__ = ("_make", "_n")

    def __init__(self, n: int, make: Callable[[int], ChunkProjection]) -> None:
        self._n = n
        self._make = make

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[ChunkProjection]:
        make = self._make
        for i in range(self._n):
            yield make(i)

    @overload
    def __getitem__(self, index: int) -> ChunkProjection: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[ChunkProjection]: ...
    def __getitem__(self, index: int | slice) -> ChunkProjection | Sequence[ChunkProjection]:
        if isinstance(index, slice):
            return [self._make(i) for i in range(*index.indices(self._n))]
        i = int(index)
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(f"projection index {index} out of range for {self._n} projections")
        return self._make(i)

    def __repr__(self) -> str:
        return f"<{self._n} chunk projections>"
