"""The ``transpose`` codec: permutes the axes of a chunk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.codecs._base import ArrayArrayCodec, ChunkSpec, parse_named_configuration

__all__ = ["TransposeCodec"]


@dataclass(frozen=True, eq=False, init=False)
class TransposeCodec(ArrayArrayCodec):
    """Encoded axis ``i`` is decoded axis ``order[i]``."""

    codec_name: ClassVar[str] = "transpose"
    order: tuple[int, ...]

    def __init__(self, *, order: Sequence[int]) -> None:
        if isinstance(order, str) or not all(isinstance(i, int) for i in order):
            raise MetadataValidationError(
                f"codec 'transpose': field 'order' must be a list of integers, got {order!r}"
            )
        if sorted(order) != list(range(len(order))):
            raise MetadataValidationError(
                f"codec 'transpose': field 'order' must be a permutation, got {list(order)}"
            )
        object.__setattr__(self, "order", tuple(order))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        config = parse_named_configuration(data, cls.codec_name, configuration_required=True)
        if "order" not in config:
            raise MetadataValidationError("codec 'transpose': field 'order' is required")
        return cls(order=config["order"])

    def to_dict(self) -> dict[str, Any]:
        return {"name": "transpose", "configuration": {"order": list(self.order)}}

    def validate(self, spec: ChunkSpec) -> None:
        if len(self.order) != len(spec.shape):
            raise MetadataValidationError(
                f"codec 'transpose': field 'order' has {len(self.order)} entries for a "
                f"{len(spec.shape)}-dimensional array"
            )

    def evolve_from_array_spec(self, spec: ChunkSpec) -> Self:
        # Checked where every array's metadata is built, so a misfit fails then.
        self.validate(spec)
        return self

    def resolve_spec(self, spec: ChunkSpec) -> ChunkSpec:
        return spec.with_shape(tuple(spec.shape[i] for i in self.order))

    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        return array.transpose(self.order)

    def decode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        return array.transpose(np.argsort(self.order))
