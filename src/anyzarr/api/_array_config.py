"""Runtime settings of one array: memory order, empty chunks, missing chunks.

These are not stored with the array; they come from ``anyzarr.config``
(``array.*`` keys) unless the caller passes a ``config`` mapping or an
``ArrayConfig``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal, TypedDict

from anyzarr.api._functions_common import ArgumentError, ArgumentTypeError

__all__ = ["ArrayConfig", "ArrayConfigLike", "ArrayConfigParams", "parse_array_config"]

MemoryOrder = Literal["C", "F"]


class ArrayConfigParams(TypedDict, total=False):
    """The keys an array ``config`` mapping may hold."""

    order: MemoryOrder
    write_empty_chunks: bool
    read_missing_chunks: bool
    cache_chunks: bool
    sharding_coalesce_max_gap_bytes: int
    sharding_coalesce_max_bytes: int


@dataclass(frozen=True, slots=True)
class ArrayConfig:
    """Per-array runtime settings.

    ``order`` is the memory layout of arrays handed out (and, for Zarr format
    2, of chunks written); ``write_empty_chunks`` keeps chunks that hold only
    the fill value (otherwise they are deleted); ``read_missing_chunks`` reads
    absent chunks as the fill value (otherwise reading them is an error);
    ``cache_chunks`` lets small reads keep the chunks they decode in
    anyzarr's decoded-chunk cache (``chunk_cache.max_bytes``).
    """

    order: MemoryOrder
    write_empty_chunks: bool
    read_missing_chunks: bool = True
    cache_chunks: bool = True
    sharding_coalesce_max_gap_bytes: int = 1024 * 1024
    sharding_coalesce_max_bytes: int = 16 * 1024 * 1024

    def __post_init__(self) -> None:
        # ValueError with zarr-python's wording for each bad value.
        if self.order not in ("C", "F"):
            raise ArgumentError(
                f"array config field 'order' must be 'C' or 'F', not {self.order!r}"
            )
        for name in ("write_empty_chunks", "read_missing_chunks"):
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise ArgumentError(
                    f"array config field {name!r}: Expected instance of bool, got {value!r}"
                )
        for name in ("sharding_coalesce_max_gap_bytes", "sharding_coalesce_max_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ArgumentError(f"array config field {name!r}: Expected int, got {value!r}")

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ArrayConfig:
        """Build a config from a mapping; keys it does not name come from ``anyzarr.config``."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ArgumentTypeError(
                f"Unknown array config keys: {unknown}. Valid keys are {sorted(known)}."
            )
        # Untyped until ``__post_init__`` checks every field, with zarr-python's errors.
        values: dict[str, Any] = {name: _default(name) for name in known}
        values.update(data)
        return cls(**values)

    def to_dict(self) -> ArrayConfigParams:
        """The settings as a plain mapping."""
        return ArrayConfigParams(
            order=self.order,
            write_empty_chunks=self.write_empty_chunks,
            read_missing_chunks=self.read_missing_chunks,
            cache_chunks=self.cache_chunks,
            sharding_coalesce_max_gap_bytes=self.sharding_coalesce_max_gap_bytes,
            sharding_coalesce_max_bytes=self.sharding_coalesce_max_bytes,
        )


ArrayConfigLike = ArrayConfig | ArrayConfigParams | Mapping[str, object]

_FALLBACK: dict[str, object] = {
    "order": "C",
    "write_empty_chunks": False,
    "read_missing_chunks": True,
    "cache_chunks": True,
    "sharding_coalesce_max_gap_bytes": 1024 * 1024,
    "sharding_coalesce_max_bytes": 16 * 1024 * 1024,
}


def _default(name: str) -> object:
    from anyzarr.io._config import config

    return config.get(f"array.{name}", _FALLBACK[name])


def parse_array_config(config: ArrayConfigLike | None) -> ArrayConfig:
    """Resolve ``config`` (``None``, a mapping or an ``ArrayConfig``) to an ``ArrayConfig``."""
    if config is None:
        from anyzarr.io._config import config as settings

        return settings.derived("api.ArrayConfig", lambda: ArrayConfig.from_dict({}))
    if isinstance(config, ArrayConfig):
        return config
    if isinstance(config, Mapping):
        return ArrayConfig.from_dict(config)
    raise ArgumentTypeError(
        f"array config must be a mapping or an ArrayConfig, not {type(config).__name__}"
    )
