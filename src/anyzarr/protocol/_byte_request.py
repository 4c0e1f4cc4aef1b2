"""Byte-range requests: plain values that name part of a stored object."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ByteRequest",
    "OffsetByteRequest",
    "RangeByteRequest",
    "SuffixByteRequest",
    "range_header",
    "slice_for",
]


@dataclass(frozen=True, slots=True)
class RangeByteRequest:
    """Bytes ``start`` (inclusive) to ``end`` (exclusive)."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class OffsetByteRequest:
    """Every byte from ``offset`` to the end."""

    offset: int


@dataclass(frozen=True, slots=True)
class SuffixByteRequest:
    """The last ``suffix`` bytes."""

    suffix: int


ByteRequest = RangeByteRequest | OffsetByteRequest | SuffixByteRequest


def slice_for(request: ByteRequest | None, size: int) -> slice:
    """The slice of an object of ``size`` bytes that ``request`` names.

    Stores that hold whole values in memory use this so every driver agrees on
    how out-of-range requests are clipped (the way Python slicing clips).
    """
    if request is None:
        return slice(0, size)
    if isinstance(request, RangeByteRequest):
        return slice(request.start, request.end)
    if isinstance(request, OffsetByteRequest):
        return slice(request.offset, size)
    if isinstance(request, SuffixByteRequest):
        return slice(max(size - request.suffix, 0), size)
    raise TypeError(f"unexpected byte request: {request!r}")


def range_header(request: ByteRequest) -> str:
    """The HTTP ``Range`` header value that names the same bytes (RFC 9110)."""
    if isinstance(request, RangeByteRequest):
        return f"bytes={request.start}-{request.end - 1}"
    if isinstance(request, OffsetByteRequest):
        return f"bytes={request.offset}-"
    return f"bytes=-{request.suffix}"
