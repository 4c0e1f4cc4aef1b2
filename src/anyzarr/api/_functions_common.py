"""Small helpers shared by the async functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from anyzarr.protocol._errors import MetadataValidationError, UsageError

if TYPE_CHECKING:
    from anyzarr.io._store_path import AccessModeLiteral, StorageOptions, StoreLike, StorePath

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "CREATE_MODES",
    "READ_MODES",
    "default_zarr_format",
    "join_path",
    "resolve",
    "zarr_format_of",
]


class ArgumentError(UsageError, ValueError):
    """An argument value is invalid (a ``ValueError``, as zarr-python raises)."""


class ArgumentTypeError(UsageError, TypeError):
    """An argument is not accepted here (a ``TypeError``, as zarr-python raises)."""


READ_MODES = ("r", "r+", "a")
CREATE_MODES = ("a", "w", "w-")
ZarrFormat = Literal[2, 3]


def default_zarr_format() -> ZarrFormat:
    """``default_zarr_format`` from ``anyzarr.config`` (3 unless configured)."""
    from anyzarr.io._config import config

    value = config.get("default_zarr_format", 3)
    return 2 if value == 2 else 3


def zarr_format_of(zarr_format: int | None, zarr_version: int | None) -> ZarrFormat | None:
    """Merge the deprecated ``zarr_version`` into ``zarr_format``."""
    if zarr_format is not None and zarr_version is not None and zarr_format != zarr_version:
        raise UsageError(
            f"zarr_format={zarr_format} and zarr_version={zarr_version} disagree; pass only one"
        )
    value = zarr_format if zarr_format is not None else zarr_version
    if value not in (2, 3, None):
        # zarr-python's wording and class (a ValueError).
        raise MetadataValidationError(
            f"Invalid value for 'zarr_format'. Expected 2, 3, or None. Got {value!r}."
        )
    return value  # type: ignore[return-value]


def join_path(*parts: str | None) -> str:
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


async def resolve(
    store: StoreLike,
    *,
    path: str | None = None,
    mode: AccessModeLiteral | None = None,
    storage_options: StorageOptions | None = None,
) -> StorePath:
    """``make_store_path`` with the keyword names every function uses."""
    from anyzarr.io._store_path import make_store_path

    return await make_store_path(
        store,
        path=path or "",
        mode=mode,
        storage_options=storage_options,
    )
