"""Chunk key encodings: how grid coordinates become store keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.metadata._common import parse_named_configuration

__all__ = [
    "ChunkKeyEncoding",
    "chunk_coords_of_key",
    "DefaultChunkKeyEncoding",
    "V2ChunkKeyEncoding",
    "parse_chunk_key_encoding",
]

Separator = Literal[".", "/"]


def _check_separator(separator: object, field: str = "chunk_key_encoding") -> None:
    if separator not in (".", "/"):
        raise MetadataValidationError(
            f"{field}.configuration.separator must be '.' or '/', got {separator!r}"
        )


def _decode_coords(parts: list[str], key: str) -> tuple[int, ...]:
    try:
        coords = tuple(int(p) for p in parts)
    except ValueError:
        coords = (-1,)
    if any(c < 0 for c in coords):
        raise MetadataValidationError(f"chunk key {key!r} does not name chunk coordinates")
    return coords


@dataclass(frozen=True)
class DefaultChunkKeyEncoding:
    """v3 ``default``: ``c/1/2`` (or ``c.1.2``); a 0-d array's only chunk is ``c``."""

    separator: Separator = "/"
    name = "default"

    def __post_init__(self) -> None:
        _check_separator(self.separator)

    def encode_chunk_key(self, chunk_coords: tuple[int, ...]) -> str:
        return self.separator.join(["c", *map(str, chunk_coords)])

    def decode_chunk_key(self, key: str) -> tuple[int, ...]:
        if key == "c":
            return ()
        prefix = "c" + self.separator
        if not key.startswith(prefix):
            raise MetadataValidationError(f"chunk key {key!r} does not start with {prefix!r}")
        return _decode_coords(key[len(prefix) :].split(self.separator), key)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "configuration": {"separator": self.separator}}


@dataclass(frozen=True)
class V2ChunkKeyEncoding:
    """The v2 scheme: ``1.2`` (or ``1/2``); a 0-d array's only chunk is ``0``."""

    separator: Separator = "."
    name = "v2"

    def __post_init__(self) -> None:
        _check_separator(self.separator)

    def encode_chunk_key(self, chunk_coords: tuple[int, ...]) -> str:
        return self.separator.join(map(str, chunk_coords)) if chunk_coords else "0"

    def decode_chunk_key(self, key: str) -> tuple[int, ...]:
        return _decode_coords(key.split(self.separator), key)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "configuration": {"separator": self.separator}}


ChunkKeyEncoding = DefaultChunkKeyEncoding | V2ChunkKeyEncoding


def parse_chunk_key_encoding(obj: Any) -> ChunkKeyEncoding:
    """A chunk key encoding from its JSON (or an instance, returned as is).

    Accepts the bare-name short form and zarr-python's flat
    ``{"name": ..., "separator": ...}`` spelling used by ``create_array``.
    """
    if isinstance(obj, DefaultChunkKeyEncoding | V2ChunkKeyEncoding):
        return obj
    name, config = parse_named_configuration(obj, "chunk_key_encoding")
    if isinstance(obj, dict) and "separator" in obj and "separator" not in config:
        config = {"separator": obj["separator"]}
    extra = set(config) - {"separator"}
    if extra:
        raise MetadataValidationError(
            f"chunk_key_encoding.configuration: unknown keys {sorted(extra)}"
        )
    if name == "default":
        separator = config.get("separator", "/")
        _check_separator(separator)
        return DefaultChunkKeyEncoding(separator)
    if name == "v2":
        separator = config.get("separator", ".")
        _check_separator(separator)
        return V2ChunkKeyEncoding(separator)
    raise MetadataValidationError(f"chunk_key_encoding: unknown encoding {name!r}")


def chunk_coords_of_key(
    encoding: ChunkKeyEncoding, key: str, grid_shape: tuple[int, ...]
) -> tuple[int, ...] | None:
    """The coordinates of the chunk ``key`` names in a grid of ``grid_shape``, or None.

    None for anything else found under an array's prefix: metadata
    documents, keys of another rank, chunks outside the grid, and spellings
    that are not the encoding's own (``c/01``), so a listing of stored keys
    maps one to one onto chunks.
    """
    if not grid_shape:
        return () if key == encoding.encode_chunk_key(()) else None
    try:
        coords = encoding.decode_chunk_key(key)
    except MetadataValidationError:
        return None
    if len(coords) != len(grid_shape):
        return None
    if any(c >= n for c, n in zip(coords, grid_shape, strict=True)):
        return None
    if encoding.encode_chunk_key(coords) != key:
        return None
    return coords
