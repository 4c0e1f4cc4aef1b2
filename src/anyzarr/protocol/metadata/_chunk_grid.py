"""Chunk grids: the regular grid and the rectilinear (variable-size) grid.

A grid object is what the ``chunk_grid`` field of a v3 ``zarr.json`` says;
it does not know the array's shape, so every question that depends on it
takes ``array_shape``.  `axes` binds a grid to a shape and gives one
`GridAxis` per dimension, which is what the indexing planners work with.

The rectilinear grid follows the ``rectilinear`` chunk grid of the
zarr-extensions repository as zarr-python 3.4 reads and writes it:
``{"name": "rectilinear", "configuration": {"kind": "inline",
"chunk_shapes": [...]}}``, one entry per axis, either a bare integer (a
regular step that repeats as far as needed) or a list whose items are edge
lengths or run-length pairs ``[length, count]``.  Edges may reach past the
array's end.  Runs are kept as runs, so a short document declaring a huge
number of chunks costs nothing to hold.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.metadata._common import parse_named_configuration
from anyzarr.protocol.metadata._grid_axis import INT64_MAX, GridAxis, RegularAxis, VaryingAxis

__all__ = [
    "ChunkGrid",
    "EdgeRuns",
    "RectilinearChunkGrid",
    "RegularChunkGrid",
    "as_chunk_grid",
    "parse_chunk_grid",
]

#: The edges of one rectilinear axis: ``(length, count)`` runs, neighbours of equal length merged.
EdgeRuns = tuple[tuple[int, int], ...]


def _check_coords(coords: Sequence[int], ndim: int) -> None:
    if len(coords) != ndim:
        raise MetadataValidationError(
            f"chunk coordinates {tuple(coords)} have {len(coords)} dimensions; the grid has {ndim}"
        )


@dataclass(frozen=True)
class RegularChunkGrid:
    """Chunks of one shape tiling the array; edge chunks overhang the array's end."""

    chunk_shape: tuple[int, ...]

    is_regular: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "chunk_shape", tuple(self.chunk_shape))
        for i, size in enumerate(self.chunk_shape):
            if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= INT64_MAX:
                raise MetadataValidationError(
                    f"chunk_grid.configuration.chunk_shape[{i}] must be a positive integer, "
                    f"got {size!r}"
                )

    @property
    def ndim(self) -> int:
        return len(self.chunk_shape)

    def axes(self, array_shape: tuple[int, ...]) -> tuple[GridAxis, ...]:
        """One `GridAxis` per dimension, bound to ``array_shape``."""
        self._check_rank(array_shape)
        return tuple(RegularAxis(c, n) for c, n in zip(self.chunk_shape, array_shape, strict=True))

    def grid_shape(self, array_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Chunks per dimension: ceil(shape / chunk)."""
        self._check_rank(array_shape)
        return tuple(-(-s // c) for s, c in zip(array_shape, self.chunk_shape, strict=True))

    def nchunks(self, array_shape: tuple[int, ...]) -> int:
        return math.prod(self.grid_shape(array_shape))

    def all_chunk_coords(self, array_shape: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        """Every chunk's grid coordinates, in C order (O(chunks): for small grids)."""
        return itertools.product(*(range(n) for n in self.grid_shape(array_shape)))

    def chunk_shape_at(self, chunk_coords: Sequence[int]) -> tuple[int, ...]:
        """Shape of the stored chunk at ``chunk_coords``: always `chunk_shape`."""
        _check_coords(chunk_coords, self.ndim)
        return self.chunk_shape

    def chunk_region(
        self, chunk_coords: tuple[int, ...], array_shape: tuple[int, ...]
    ) -> tuple[slice, ...]:
        """The part of the array one chunk covers, clipped at the array's edge."""
        self._check_rank(array_shape)
        return tuple(
            slice(i * c, min((i + 1) * c, s))
            for i, c, s in zip(chunk_coords, self.chunk_shape, array_shape, strict=True)
        )

    def chunk_coords_of(
        self, index: Sequence[int], array_shape: tuple[int, ...]
    ) -> tuple[int, ...]:
        """The chunk holding the element at ``index`` (non-negative, in bounds)."""
        return _chunk_coords_of(self.axes(array_shape), index)

    def edge_lengths(self, axis: int) -> tuple[int, ...]:
        """The distinct chunk lengths along ``axis``."""
        return (self.chunk_shape[axis],)

    def with_shape(
        self, old_shape: tuple[int, ...], new_shape: tuple[int, ...]
    ) -> RegularChunkGrid:
        """The grid after a resize: unchanged."""
        return self

    def check_shape(self, array_shape: tuple[int, ...]) -> None:
        """Raise `MetadataValidationError` unless the grid fits an array of ``array_shape``."""
        self._check_rank(array_shape)

    def to_dict(self) -> dict[str, Any]:
        return {"name": "regular", "configuration": {"chunk_shape": list(self.chunk_shape)}}

    @classmethod
    def from_dict(cls, data: Any) -> RegularChunkGrid:
        name, config = parse_named_configuration(data, "chunk_grid")
        if name != "regular":
            raise MetadataValidationError(f"chunk_grid: unknown chunk grid {name!r}")
        shape = config.get("chunk_shape")
        if not isinstance(shape, list):
            raise MetadataValidationError(
                f"chunk_grid.configuration.chunk_shape must be a list, got {shape!r}"
            )
        return cls(tuple(shape))

    def _check_rank(self, array_shape: tuple[int, ...]) -> None:
        if len(array_shape) != self.ndim:
            raise MetadataValidationError(
                f"chunk_grid: chunk shape {self.chunk_shape} has {self.ndim} dimensions but the "
                f"array shape {array_shape} has {len(array_shape)}"
            )


def _edge(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= INT64_MAX:
        raise MetadataValidationError(f"{where} must be a positive integer, got {value!r}")
    return value


def _parse_dim(spec: object, axis: int) -> int | EdgeRuns:
    where = f"chunk_grid.configuration.chunk_shapes[{axis}]"
    if isinstance(spec, int) and not isinstance(spec, bool):
        return _edge(spec, where)
    if not isinstance(spec, list | tuple) or not spec:
        raise MetadataValidationError(
            f"{where} must be an integer or a non-empty list of edge lengths, got {spec!r}"
        )
    runs: list[tuple[int, int]] = []
    for j, item in enumerate(spec):
        if isinstance(item, list | tuple):
            if len(item) != 2:
                raise MetadataValidationError(
                    f"{where}[{j}] must be an edge length or a pair [length, count], got {item!r}"
                )
            size = _edge(item[0], f"{where}[{j}][0]")
            count = item[1]
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise MetadataValidationError(
                    f"{where}[{j}][1] (a repeat count) must be a positive integer, got {count!r}"
                )
        else:
            size, count = _edge(item, f"{where}[{j}]"), 1
        if runs and runs[-1][0] == size:
            runs[-1] = (size, runs[-1][1] + count)
        else:
            runs.append((size, count))
    return tuple(runs)


class RectilinearChunkGrid:
    """Chunks whose lengths vary along each axis (zarr-python 3.4's ``rectilinear`` grid).

    ``chunk_shapes`` has one entry per axis, in the document's form: an
    integer (a regular step) or a sequence of edge lengths and
    ``[length, count]`` pairs.  Each axis is kept as an integer or as
    `EdgeRuns` (``dims``).  Raises `MetadataValidationError` naming the entry.
    """

    __slots__ = ("_bound", "_ends", "dims")

    is_regular: ClassVar[bool] = False

    def __init__(self, chunk_shapes: Sequence[Any]) -> None:
        if isinstance(chunk_shapes, str) or not isinstance(chunk_shapes, Sequence):
            raise MetadataValidationError(
                f"chunk_grid.configuration.chunk_shapes must be a list, got {chunk_shapes!r}"
            )
        self.dims: tuple[int | EdgeRuns, ...] = tuple(
            _parse_dim(d, i) for i, d in enumerate(chunk_shapes)
        )
        # Cumulative chunk counts per explicit axis, to find a declared chunk's run.
        self._ends: tuple[tuple[int, ...] | None, ...] = tuple(
            None if isinstance(d, int) else tuple(itertools.accumulate(c for _, c in d))
            for d in self.dims
        )
        self._bound: tuple[tuple[int, ...], tuple[GridAxis, ...]] | None = None

    @property
    def ndim(self) -> int:
        return len(self.dims)

    @property
    def chunk_shapes(self) -> tuple[int | tuple[int, ...], ...]:
        """zarr-python's form: per axis an integer or every edge length, expanded.

        Expanding costs one entry per declared chunk; prefer `dims` or `axes`
        for grids read from untrusted documents.
        """
        return tuple(
            d if isinstance(d, int) else tuple(s for s, c in d for _ in range(c)) for d in self.dims
        )

    def axes(self, array_shape: tuple[int, ...]) -> tuple[GridAxis, ...]:
        """One `GridAxis` per dimension, bound to ``array_shape``.

        Raises `MetadataValidationError` when explicit edges do not reach the
        array's length.
        """
        shape = tuple(array_shape)
        bound = self._bound
        if bound is not None and bound[0] == shape:
            return bound[1]
        self._check_rank(shape)
        axes = tuple(
            RegularAxis(d, n) if isinstance(d, int) else VaryingAxis(d, n, i)
            for i, (d, n) in enumerate(zip(self.dims, shape, strict=True))
        )
        self._bound = (shape, axes)
        return axes

    def grid_shape(self, array_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Chunks per dimension that hold data (edges past the array's end do not count)."""
        return tuple(a.nchunks for a in self.axes(array_shape))

    def nchunks(self, array_shape: tuple[int, ...]) -> int:
        return math.prod(self.grid_shape(array_shape))

    def all_chunk_coords(self, array_shape: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        """Every chunk's grid coordinates, in C order (O(chunks): for small grids)."""
        return itertools.product(*(range(n) for n in self.grid_shape(array_shape)))

    def chunk_shape_at(self, chunk_coords: Sequence[int]) -> tuple[int, ...]:
        """Shape of the stored chunk at ``chunk_coords``: its full edge lengths.

        A chunk that reaches past the array's end is stored at its declared
        size, as zarr-python stores it.  Raises `MetadataValidationError` for
        coordinates outside the declared grid.
        """
        _check_coords(chunk_coords, self.ndim)
        out: list[int] = []
        for axis, (ix, d, ends) in enumerate(zip(chunk_coords, self.dims, self._ends, strict=True)):
            if isinstance(d, int):
                if ix < 0:
                    raise self._outside(chunk_coords, axis)
                out.append(d)
                continue
            assert ends is not None
            k = bisect.bisect_right(ends, ix)
            if ix < 0 or k >= len(d):
                raise self._outside(chunk_coords, axis)
            out.append(d[k][0])
        return tuple(out)

    def chunk_region(
        self, chunk_coords: tuple[int, ...], array_shape: tuple[int, ...]
    ) -> tuple[slice, ...]:
        """The part of the array one chunk covers, clipped at the array's edge."""
        return tuple(
            slice(*a.bounds(ix)) for a, ix in zip(self.axes(array_shape), chunk_coords, strict=True)
        )

    def chunk_coords_of(
        self, index: Sequence[int], array_shape: tuple[int, ...]
    ) -> tuple[int, ...]:
        """The chunk holding the element at ``index`` (non-negative, in bounds)."""
        return _chunk_coords_of(self.axes(array_shape), index)

    def edge_lengths(self, axis: int) -> tuple[int, ...]:
        """The distinct chunk lengths declared along ``axis``."""
        d = self.dims[axis]
        return (d,) if isinstance(d, int) else tuple(sorted({s for s, _ in d}))

    def edge_sum(self, axis: int) -> int | None:
        """Sum of the declared edges along ``axis`` (None for a regular step)."""
        d = self.dims[axis]
        return None if isinstance(d, int) else sum(s * c for s, c in d)

    def with_shape(
        self, old_shape: tuple[int, ...], new_shape: tuple[int, ...]
    ) -> RectilinearChunkGrid:
        """The grid after a resize, as zarr-python 3.4 updates it.

        An explicit axis that grows past its edges gains one chunk covering
        the new part; shrinking keeps every edge.  Regular steps never change.
        """
        self._check_rank(new_shape)
        dims: list[Any] = []
        for axis, (d, n) in enumerate(zip(self.dims, new_shape, strict=True)):
            total = self.edge_sum(axis)
            if isinstance(d, int) or total is None or n <= total:
                dims.append(d)
            else:
                dims.append((*d, (n - total, 1)))
        return RectilinearChunkGrid(dims)

    def check_shape(self, array_shape: tuple[int, ...]) -> None:
        """Raise `MetadataValidationError` unless the edges cover an array of ``array_shape``."""
        self._check_rank(array_shape)
        for axis, n in enumerate(array_shape):
            total = self.edge_sum(axis)
            if total is not None and total < n:
                raise MetadataValidationError(
                    f"chunk_grid.configuration.chunk_shapes[{axis}]: the chunk edges sum to "
                    f"{total}, less than the array's length {n}"
                )

    def to_dict(self) -> dict[str, Any]:
        """The ``chunk_grid`` document exactly as zarr-python 3.4 writes it.

        Runs longer than one are written ``[length, count]`` when that makes
        the list shorter than listing every edge; otherwise every edge is listed.
        """
        shapes: list[Any] = []
        for d in self.dims:
            if isinstance(d, int):
                shapes.append(d)
                continue
            rle: list[Any] = [[s, c] if c > 1 else s for s, c in d]
            total = sum(c for _, c in d)
            shapes.append(rle if len(rle) < total else [s for s, _ in d])
        return {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": shapes}}

    @classmethod
    def from_dict(cls, data: Any) -> RectilinearChunkGrid:
        name, config = parse_named_configuration(data, "chunk_grid")
        if name != "rectilinear":
            raise MetadataValidationError(f"chunk_grid: unknown chunk grid {name!r}")
        kind = config.get("kind")
        if kind != "inline":
            raise MetadataValidationError(
                f"chunk_grid.configuration.kind must be 'inline' (the only kind defined), "
                f"got {kind!r}"
            )
        if "chunk_shapes" not in config:
            raise MetadataValidationError("chunk_grid.configuration.chunk_shapes is required")
        shapes = config["chunk_shapes"]
        if not isinstance(shapes, list):
            raise MetadataValidationError(
                f"chunk_grid.configuration.chunk_shapes must be a list, got {shapes!r}"
            )
        return cls(shapes)

    def _check_rank(self, array_shape: tuple[int, ...]) -> None:
        if len(array_shape) != self.ndim:
            raise MetadataValidationError(
                f"chunk_grid: chunk_shapes has {self.ndim} dimensions but the array shape "
                f"{tuple(array_shape)} has {len(array_shape)}"
            )

    def _outside(self, coords: Sequence[int], axis: int) -> MetadataValidationError:
        return MetadataValidationError(
            f"chunk coordinates {tuple(coords)} lie outside the declared chunk grid on axis {axis}"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RectilinearChunkGrid):
            return self.dims == other.dims
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.dims)

    def __repr__(self) -> str:
        return f"RectilinearChunkGrid({self.to_dict()['configuration']['chunk_shapes']!r})"


ChunkGrid = RegularChunkGrid | RectilinearChunkGrid


def _chunk_coords_of(axes: tuple[GridAxis, ...], index: Sequence[int]) -> tuple[int, ...]:
    if len(index) != len(axes):
        raise MetadataValidationError(
            f"index {tuple(index)} has {len(index)} dimensions; the grid has {len(axes)}"
        )
    for axis, (a, i) in enumerate(zip(axes, index, strict=True)):
        if not 0 <= i < a.extent:
            raise MetadataValidationError(f"index {i} is outside axis {axis} of length {a.extent}")
    return tuple(a.chunk_of(i) for a, i in zip(axes, index, strict=True))


def parse_chunk_grid(data: Any) -> ChunkGrid:
    """A chunk grid from its ``chunk_grid`` document (or a grid, returned as is)."""
    if isinstance(data, RegularChunkGrid | RectilinearChunkGrid):
        return data
    name, _ = parse_named_configuration(data, "chunk_grid")
    if name == "regular":
        return RegularChunkGrid.from_dict(data)
    if name == "rectilinear":
        return RectilinearChunkGrid.from_dict(data)
    raise MetadataValidationError(f"chunk_grid: unknown chunk grid {name!r}")


def as_chunk_grid(chunks: Sequence[int] | ChunkGrid) -> ChunkGrid:
    """A grid object from a grid or a regular chunk shape."""
    if isinstance(chunks, RegularChunkGrid | RectilinearChunkGrid):
        return chunks
    return RegularChunkGrid(tuple(int(c) for c in chunks))
