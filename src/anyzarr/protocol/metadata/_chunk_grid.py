"""The regular chunk grid."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.metadata._common import parse_named_configuration

__all__ = ["RegularChunkGrid"]


@dataclass(frozen=True)
class RegularChunkGrid:
    """Chunks of one shape tiling the array; edge chunks overhang the array's end."""

    chunk_shape: tuple[int, ...]

    def __post_init__(self) -> None:
        for i, size in enumerate(self.chunk_shape):
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise MetadataValidationError(
                    f"chunk_grid.configuration.chunk_shape[{i}] must be a positive integer, "
                    f"got {size!r}"
                )

    @property
    def ndim(self) -> int:
        return len(self.chunk_shape)

    def grid_shape(self, array_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Chunks per dimension: ceil(shape / chunk)."""
        self._check_rank(array_shape)
        return tuple(math.ceil(s / c) for s, c in zip(array_shape, self.chunk_shape, strict=True))

    def nchunks(self, array_shape: tuple[int, ...]) -> int:
        return math.prod(self.grid_shape(array_shape))

    def all_chunk_coords(self, array_shape: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        """Every chunk's grid coordinates, in C order."""
        return itertools.product(*(range(n) for n in self.grid_shape(array_shape)))

    def chunk_region(
        self, chunk_coords: tuple[int, ...], array_shape: tuple[int, ...]
    ) -> tuple[slice, ...]:
        """The part of the array one chunk covers, clipped at the array's edge."""
        self._check_rank(array_shape)
        return tuple(
            slice(i * c, min((i + 1) * c, s))
            for i, c, s in zip(chunk_coords, self.chunk_shape, array_shape, strict=True)
        )

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
