"""One axis of a chunk grid, bound to the array's length along it.

A grid axis answers the questions every planner asks: how many chunks hold
data, where chunk ``ix`` starts, how long it is as stored (``size``) and how
much of it lies inside the array (``data_size``), and which chunk holds an
element.  `RegularAxis` has one chunk length; `VaryingAxis` has runs of
lengths, as a rectilinear grid declares them.

A varying axis keeps *runs* ``(length, count)``, never one entry per chunk:
a document of a few bytes can declare ``[[1, 10**12]]``, and every question
is answered in O(log runs).  Only the runs that reach into the array are
kept, so the numbers involved stay below the array length plus one chunk.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import MetadataValidationError

__all__ = ["INT64_MAX", "GridAxis", "RegularAxis", "VaryingAxis"]

#: Chunk lengths and array lengths above this cannot be indexed with numpy's intp.
INT64_MAX = 2**63 - 1

IntArray = npt.NDArray[np.intp]


class RegularAxis:
    """Chunks of one length ``size``; the last one may overhang the array's end."""

    __slots__ = ("extent", "nchunks", "size")

    def __init__(self, size: int, extent: int) -> None:
        self.size = int(size)
        self.extent = int(extent)
        #: Chunks that hold at least one element of the array.
        self.nchunks = -(-self.extent // self.size)

    @property
    def regular_size(self) -> int:
        """The one chunk length (for a `VaryingAxis`: None unless all runs agree)."""
        return self.size

    def offset(self, ix: int) -> int:
        """Index of the first element of chunk ``ix``."""
        return ix * self.size

    def chunk_size(self, ix: int) -> int:
        """Length of chunk ``ix`` as stored (including any overhang)."""
        return self.size

    def data_size(self, ix: int) -> int:
        """Elements of chunk ``ix`` that lie inside the array."""
        return max(0, min(self.size, self.extent - ix * self.size))

    def bounds(self, ix: int) -> tuple[int, int]:
        """``(start, stop)`` of the elements of chunk ``ix`` inside the array."""
        start = self.offset(ix)
        return start, start + self.data_size(ix)

    def chunk_of(self, index: int) -> int:
        """The chunk holding element ``index`` (``0 <= index < extent``)."""
        return index // self.size

    def chunks_of(self, indices: IntArray) -> IntArray:
        """`chunk_of` for an array of in-bounds element indices."""
        return indices // self.size

    def offsets_of(self, chunks: IntArray) -> IntArray:
        """`offset` for an array of chunk indices."""
        return chunks * self.size

    def data_sizes_of(self, chunks: IntArray) -> IntArray:
        """`data_size` for an array of chunk indices."""
        return np.minimum(self.size, self.extent - chunks * self.size)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RegularAxis):
            return (self.size, self.extent) == (other.size, other.extent)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.size, self.extent))

    def __repr__(self) -> str:
        return f"RegularAxis(size={self.size}, extent={self.extent})"


class VaryingAxis:
    """Chunks whose lengths are given as runs ``(length, count)``.

    ``runs`` may declare more chunks than the array needs (the rectilinear
    grid allows edges past the end); those are dropped here.  Raises
    `MetadataValidationError` when the runs do not reach ``extent``.
    """

    __slots__ = (
        "_first",
        "_first_np",
        "_offset",
        "_offset_np",
        "_size",
        "_size_np",
        "extent",
        "nchunks",
        "regular_size",
    )

    def __init__(self, runs: Sequence[tuple[int, int]], extent: int, axis: int = 0) -> None:
        self.extent = int(extent)
        sizes: list[int] = []
        firsts: list[int] = []
        offsets: list[int] = []
        covered = 0
        nchunks = 0
        for size, count in runs:
            if covered >= self.extent:
                break
            take = min(count, -(-(self.extent - covered) // size))
            sizes.append(size)
            firsts.append(nchunks)
            offsets.append(covered)
            nchunks += take
            covered += take * size
        if covered < self.extent:
            raise MetadataValidationError(
                f"chunk_grid.configuration.chunk_shapes[{axis}]: the chunk edges sum to "
                f"{covered}, less than the array's length {self.extent} on axis {axis}"
            )
        if covered > INT64_MAX:
            raise MetadataValidationError(
                f"chunk_grid.configuration.chunk_shapes[{axis}]: a chunk edge reaches past "
                f"2**63 - 1 elements"
            )
        self.nchunks = nchunks
        self._size = sizes
        self._first = firsts
        self._offset = offsets
        self._size_np = np.asarray(sizes, dtype=np.intp)
        self._first_np = np.asarray(firsts, dtype=np.intp)
        self._offset_np = np.asarray(offsets, dtype=np.intp)
        #: The one chunk length when every chunk inside the array has it, else None
        #: (an empty axis holds no chunk: its first declared length stands).
        self.regular_size: int | None = (
            sizes[0] if len(set(sizes)) == 1 else None if sizes else next(iter(runs))[0]
        )

    def _run_of_chunk(self, ix: int) -> int:
        return bisect.bisect_right(self._first, ix) - 1

    def offset(self, ix: int) -> int:
        k = self._run_of_chunk(ix)
        return self._offset[k] + (ix - self._first[k]) * self._size[k]

    def chunk_size(self, ix: int) -> int:
        return self._size[self._run_of_chunk(ix)]

    def data_size(self, ix: int) -> int:
        k = self._run_of_chunk(ix)
        start = self._offset[k] + (ix - self._first[k]) * self._size[k]
        return max(0, min(self._size[k], self.extent - start))

    def bounds(self, ix: int) -> tuple[int, int]:
        start = self.offset(ix)
        return start, start + self.data_size(ix)

    def chunk_of(self, index: int) -> int:
        k = bisect.bisect_right(self._offset, index) - 1
        return self._first[k] + (index - self._offset[k]) // self._size[k]

    def chunks_of(self, indices: IntArray) -> IntArray:
        k = np.searchsorted(self._offset_np, indices, side="right") - 1
        return self._first_np[k] + (indices - self._offset_np[k]) // self._size_np[k]

    def offsets_of(self, chunks: IntArray) -> IntArray:
        k = np.searchsorted(self._first_np, chunks, side="right") - 1
        return self._offset_np[k] + (chunks - self._first_np[k]) * self._size_np[k]

    def data_sizes_of(self, chunks: IntArray) -> IntArray:
        k = np.searchsorted(self._first_np, chunks, side="right") - 1
        start = self._offset_np[k] + (chunks - self._first_np[k]) * self._size_np[k]
        out: IntArray = np.minimum(self._size_np[k], self.extent - start)
        return out

    def runs(self) -> list[tuple[int, int]]:
        """The runs inside the array: ``(length, count)``."""
        ends = [*self._first[1:], self.nchunks]
        return [(s, e - f) for s, f, e in zip(self._size, self._first, ends, strict=True)]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, VaryingAxis):
            return (self.extent, self.runs()) == (other.extent, other.runs())
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.extent, tuple(self.runs())))

    def __repr__(self) -> str:
        return f"VaryingAxis(runs={self.runs()}, extent={self.extent})"


GridAxis = RegularAxis | VaryingAxis
