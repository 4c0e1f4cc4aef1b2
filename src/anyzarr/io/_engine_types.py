"""The narrow interfaces the engine needs from the protocol layer and the stores.

The engine is written against these structural types rather than the concrete
classes so that it only depends on what it actually calls: a plan made of
chunk projections, a codec pipeline that works on batches, a chunk spec and a
store.  Any object with these attributes works (the tests use small fakes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._byte_request import ByteRequest
from anyzarr.protocol._errors import DataError

__all__ = [
    "Batch",
    "ChunkNotFoundError",
    "EngineStore",
    "EngineStorePath",
    "GetRequestLike",
    "PipelineLike",
    "PlanLike",
    "ProjectionLike",
    "ReadPlanLike",
    "SpecLike",
    "chunk_keys",
]


class ChunkNotFoundError(DataError, ValueError):
    """Chunks are missing and the array is configured not to fill them in.

    Raised only when ``read_missing_chunks`` is false; ``keys`` lists them.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        shown = ", ".join(repr(k) for k in keys[:10])
        more = f" and {len(keys) - 10} more" if len(keys) > 10 else ""
        super().__init__(
            f"{len(keys)} chunk(s) not found: {shown}{more}; set the array config "
            "'read_missing_chunks' to True to read them as the fill value"
        )
        self.keys = list(keys)


class ProjectionLike(Protocol):
    """One chunk touched by a selection (``anyzarr.protocol.indexing.ChunkProjection``)."""

    @property
    def chunk_coords(self) -> tuple[int, ...]: ...
    @property
    def chunk_selection(self) -> Any: ...
    @property
    def out_selection(self) -> Any: ...
    @property
    def is_complete(self) -> bool: ...


class PlanLike(Protocol):
    """An indexing plan: the output shape and the chunks it touches."""

    @property
    def shape(self) -> tuple[int, ...]: ...
    @property
    def projections(self) -> Sequence[ProjectionLike]: ...


class SpecLike(Protocol):
    """What a stored chunk looks like once decoded (``ChunkSpec``)."""

    @property
    def shape(self) -> tuple[int, ...]: ...
    @property
    def dtype(self) -> np.dtype[Any]: ...
    @property
    def fill_value(self) -> Any: ...


class GetRequestLike(Protocol):
    """A request for (part of) a stored object emitted by a read plan."""

    @property
    def key(self) -> str: ...
    @property
    def byte_range(self) -> ByteRequest | None: ...


class ReadPlanLike(Protocol):
    """A sans-IO partial read of one shard: requests out, responses in."""

    def start(self) -> list[Any]: ...
    def feed(self, responses: list[Any]) -> list[Any]: ...
    def result(self) -> npt.NDArray[Any] | None: ...


class PipelineLike(Protocol):
    """The batch codec pipeline (``anyzarr.protocol.codecs.CodecPipeline``)."""

    @property
    def supports_partial_decode(self) -> bool: ...

    def decode_batch(
        self, chunks: Sequence[Any], spec: Any, keys: Sequence[str]
    ) -> Sequence[npt.NDArray[Any] | None]: ...

    def encode_batch(self, arrays: Sequence[npt.NDArray[Any]], spec: Any) -> Sequence[Any]: ...

    def read_plan(
        self, key: str, chunk_selection: Any, spec: Any, *, index: Any = ...
    ) -> ReadPlanLike: ...


class EngineStore(Protocol):
    """The store methods the engine calls."""

    async def get(
        self, key: str, prototype: Any = ..., byte_range: ByteRequest | None = ...
    ) -> Any: ...
    async def set(self, key: str, value: Any) -> None: ...
    async def delete(self, key: str) -> None: ...


class EngineStorePath(Protocol):
    """A store plus the path of one node inside it."""

    @property
    def store(self) -> Any: ...
    @property
    def path(self) -> str: ...


def chunk_keys(
    store_path: EngineStorePath, metadata: Any, projections: Sequence[ProjectionLike]
) -> list[str]:
    """The full store key of the chunk (or shard) behind each projection."""
    prefix = f"{store_path.path}/" if store_path.path else ""
    encode: Callable[[tuple[int, ...]], str] = metadata.encode_chunk_key
    return [prefix + encode(tuple(p.chunk_coords)) for p in projections]


@dataclass(eq=False)
class Batch:
    """Chunks that travel to a worker thread together."""

    indices: range
    fetched: list[Any] = field(default_factory=list)
    pending: int = 0

    def __post_init__(self) -> None:
        self.fetched = [None] * len(self.indices)
        self.pending = len(self.indices)
