"""Reading part of a shard: the index first, then only the inner chunks needed.

States: ``new`` -> ``index`` (waiting for the index bytes) -> ``chunks``
(waiting for coalesced ranges) -> ``done``.  A missing shard ends the plan
after the first response; a known index (from a cache) skips the ``index``
state.  Ranges closer than ``ShardingCodec.coalesce_max_gap`` are merged into
one request.  Given a `DecodedChunks`, inner chunks decoded before are
taken from it (no bytes fetched) and those decoded here are offered to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._byte_request import RangeByteRequest, SuffixByteRequest
from anyzarr.protocol.codecs._base import ChunkSpec, RawBytes
from anyzarr.protocol.codecs._plans import (
    DecodedChunks,
    GetRequest,
    PlanStateError,
    ReadPlan,
    deliver,
    to_raw,
)
from anyzarr.protocol.codecs._selection import SelectionSplit
from anyzarr.protocol.codecs._sharding import ShardIndex, ShardingCodec

__all__ = ["ShardReadPlan", "coalesce"]


def coalesce(ranges: Sequence[tuple[int, int]], max_gap: int) -> list[tuple[int, int]]:
    """Merge ``(start, end)`` ranges whose gaps are at most ``max_gap`` bytes."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start - merged[-1][1] <= max_gap:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class ShardReadPlan(ReadPlan):
    """``shard[chunk_selection]`` fetched with as few bytes and requests as possible."""

    def __init__(
        self,
        codec: ShardingCodec,
        key: str,
        chunk_selection: tuple[Any, ...],
        spec: ChunkSpec,
        index: ShardIndex | None = None,
        chunks: DecodedChunks | None = None,
    ) -> None:
        self._codec = codec
        self._key = key
        self._spec = spec
        self._split = SelectionSplit(chunk_selection, spec.shape, codec.chunk_shape)
        self._index = index
        self._chunks = chunks
        self._cached: dict[tuple[int, ...], npt.NDArray[Any]] = {}
        self._state = "new"
        self._missing = False
        self._ranges: list[tuple[int, int]] = []
        self._fetched: dict[int, RawBytes] = {}

    @property
    def index(self) -> ShardIndex | None:
        return self._index

    def start(self) -> list[GetRequest]:
        if self._state != "new":
            raise PlanStateError(f"read plan for {self._key!r} was already started")
        if self._index is not None:
            return self._chunk_requests()
        self._state = "index"
        size = self._codec.index_size(self._spec)
        if self._codec.index_location == "end":
            return [GetRequest(self._key, SuffixByteRequest(size))]
        return [GetRequest(self._key, RangeByteRequest(0, size))]

    def _chunk_requests(self) -> list[GetRequest]:
        assert self._index is not None
        wanted: list[tuple[int, int]] = []
        chunks = self._chunks
        for coords in self._split.chunk_coords():
            hit = None if chunks is None else chunks.get(self._key, coords)
            if hit is not None:
                self._cached[coords] = hit  # decoded before: no bytes needed
                continue
            where = self._index.get(coords)
            if where is not None:
                wanted.append((where[0], where[0] + where[1]))
        self._ranges = coalesce(wanted, self._codec.coalesce_max_gap)
        if not self._ranges:
            self._state = "done"
            return []
        self._state = "chunks"
        return [GetRequest(self._key, RangeByteRequest(s, e)) for s, e in self._ranges]

    def feed(self, responses: Sequence[Any]) -> list[GetRequest]:
        if self._state == "index":
            if len(responses) != 1:
                raise PlanStateError(
                    f"read plan for {self._key!r} expected 1 response, got {len(responses)}"
                )
            raw = to_raw(responses[0])
            if raw is None:
                self._missing = True
                self._state = "done"
                return []
            self._index = self._codec.decode_index(raw, self._spec, self._key)
            return self._chunk_requests()
        if self._state == "chunks":
            if len(responses) != len(self._ranges):
                raise PlanStateError(
                    f"read plan for {self._key!r} expected {len(self._ranges)} responses, "
                    f"got {len(responses)}"
                )
            for (start, _), response in zip(self._ranges, responses, strict=True):
                raw = to_raw(response)
                if raw is not None:
                    self._fetched[start] = raw
            if not self._fetched:
                # The shard vanished between the index read and this one.
                self._missing = True
            self._state = "done"
            return []
        raise PlanStateError(f"read plan for {self._key!r} is not waiting for responses")

    def result(self) -> npt.NDArray[Any] | None:
        if self._state != "done":
            raise PlanStateError(f"read plan for {self._key!r} has not received its data")
        if self._missing:
            return None
        spec = self._spec
        out = np.full(self._split.kept_shape, spec.fill_value, dtype=spec.dtype)
        if self._fetched or self._cached:
            self._assemble(out, fill_missing=False)
        return deliver(self._split.finish(out), spec)  # type: ignore[no-any-return]

    def result_into(self, out: npt.NDArray[Any]) -> bool:
        """Decode the selected inner chunks straight into ``out``; absent ones get the fill value."""
        if self._state != "done":
            raise PlanStateError(f"read plan for {self._key!r} has not received its data")
        if self._missing or out.shape != self._split.kept_shape or out.dtype != self._spec.dtype:
            return False
        self._assemble(out, fill_missing=True)
        return True

    def _assemble(self, out: npt.NDArray[Any], *, fill_missing: bool) -> None:
        assert self._index is not None
        chunks, key = self._chunks, self._key
        self._codec.assemble(
            self._index,
            self._split,
            self._fetched,
            self._spec,
            key,
            out,
            fill_missing=fill_missing,
            cached=self._cached,
            keep=None if chunks is None else lambda coords, a: chunks.put(key, a, coords),
        )
