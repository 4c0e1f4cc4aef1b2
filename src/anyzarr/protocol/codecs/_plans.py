"""Read plans: sans-IO state machines that say which bytes a read needs.

A plan emits ``GetRequest`` objects, is fed the responses in request order,
and emits further requests until it has what it needs (an empty list).  Then
``result()`` does the decoding.  The caller owns all IO and may run
``result()`` wherever CPU work belongs (a worker thread).

    plan = pipeline.read_plan(key, chunk_selection, spec)
    requests = plan.start()
    while requests:
        requests = plan.feed([store_get(r.key, r.byte_range) for r in requests])
    value = plan.result()  # chunk[chunk_selection], or None if nothing is stored
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy.typing as npt

from anyzarr.protocol._byte_request import ByteRequest
from anyzarr.protocol._errors import UsageError
from anyzarr.protocol.codecs._base import ChunkSpec, RawBytes
from anyzarr.protocol.codecs._selection import select

if TYPE_CHECKING:
    from anyzarr.protocol.codecs._sharding import ShardIndex

__all__ = ["DecodedChunks", "GetRequest", "PlanStateError", "ReadPlan", "WholeChunkReadPlan"]


@dataclass(frozen=True, slots=True)
class GetRequest:
    """Fetch ``key`` (only ``byte_range`` of it when that is not None).

    ``size_hint`` is the most bytes the whole object holds when it is what
    its metadata says (None: not known).  A driver may read that many plus
    one and take a shorter answer as the whole object, without asking the
    object's size first; an object that turns out larger must still be
    answered whole (its decode then reports it).
    """

    key: str
    byte_range: ByteRequest | None = None
    size_hint: int | None = None


class DecodedChunks(Protocol):
    """Decoded objects a driver keeps between reads.

    ``get(key, part)`` gives the decoded object stored under ``key`` (with
    ``part``: the inner chunk at those coordinates of the shard under
    ``key``) if the driver still holds it *for the value now stored* (the
    driver checks that), else None.  ``put`` offers one that was just decoded:
    an array of its own memory (see `detached`) that nobody changes later.
    """

    def get(self, key: str, part: tuple[int, ...] | None = None) -> npt.NDArray[Any] | None: ...

    def put(
        self, key: str, chunk: npt.NDArray[Any], part: tuple[int, ...] | None = None
    ) -> None: ...


class PlanStateError(UsageError, RuntimeError):
    """A plan was driven out of order (fed before ``start``, or after it finished)."""


def to_raw(value: Any) -> RawBytes | None:
    """Bytes from a store response (``Buffer``, bytes-like or None)."""
    if value is None:
        return None
    as_numpy = getattr(value, "as_numpy_array", None)
    if as_numpy is not None:
        return as_numpy()  # type: ignore[no-any-return]
    return value  # type: ignore[no-any-return]


def deliver(array: npt.NDArray[Any], spec: ChunkSpec) -> Any:
    """``array`` in the memory ``spec.prototype`` asks for (host arrays pass through)."""
    from anyzarr.protocol.buffer import cpu

    if issubclass(spec.prototype.nd_buffer, cpu.NDBuffer):
        return array
    return spec.prototype.nd_buffer.from_numpy_array(array).as_ndarray_like()


class ReadPlan(ABC):
    """Steps of one chunk read; see the module docstring for the protocol."""

    @abstractmethod
    def start(self) -> list[GetRequest]:
        """The first requests (call once)."""

    @abstractmethod
    def feed(self, responses: Sequence[Any]) -> list[GetRequest]:
        """Give the responses to the last requests (None = missing); returns more, or []."""

    @abstractmethod
    def result(self) -> npt.NDArray[Any] | None:
        """The decoded selection, or None when the chunk is not stored."""

    def result_into(self, out: npt.NDArray[Any]) -> bool:
        """Decode the selection straight into ``out`` (its shape, with int axes kept as 1).

        Returns False, with ``out`` untouched, when the chunk is not stored or
        the plan cannot place into given memory; then use `result`.
        """
        return False

    @property
    def index(self) -> ShardIndex | None:
        """The shard index the plan read or was given (for callers that cache it)."""
        return None


class WholeChunkReadPlan(ReadPlan):
    """Fetch a whole chunk, decode it, return the selected part."""

    def __init__(
        self,
        decode: Any,
        key: str,
        chunk_selection: tuple[Any, ...],
        spec: ChunkSpec,
    ) -> None:
        self._decode = decode
        self._key = key
        self._selection = chunk_selection
        self._spec = spec
        self._state = "new"
        self._data: RawBytes | None = None

    def start(self) -> list[GetRequest]:
        if self._state != "new":
            raise PlanStateError(f"read plan for {self._key!r} was already started")
        self._state = "fetching"
        return [GetRequest(self._key)]

    def feed(self, responses: Sequence[Any]) -> list[GetRequest]:
        if self._state != "fetching":
            raise PlanStateError(f"read plan for {self._key!r} is not waiting for responses")
        if len(responses) != 1:
            raise PlanStateError(
                f"read plan for {self._key!r} expected 1 response, got {len(responses)}"
            )
        self._data = to_raw(responses[0])
        self._state = "done"
        return []

    def result(self) -> npt.NDArray[Any] | None:
        if self._state != "done":
            raise PlanStateError(f"read plan for {self._key!r} has not received its data")
        if self._data is None:
            return None
        [chunk] = self._decode([self._data], self._spec, [self._key])
        return deliver(select(chunk, self._selection), self._spec)  # type: ignore[no-any-return]
