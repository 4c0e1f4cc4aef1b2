"""Small parsers shared by the metadata modules."""

from __future__ import annotations

from typing import Any

from anyzarr.protocol._errors import MetadataValidationError

__all__ = ["check_extra_fields", "parse_named_configuration", "parse_shape"]


def parse_named_configuration(data: Any, field: str) -> tuple[str, dict[str, Any]]:
    """Split ``{"name": ..., "configuration": {...}}``; a bare string is a name (Zarr v3.1)."""
    if isinstance(data, str):
        return data, {}
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise MetadataValidationError(f"{field}: expected an object with a 'name', got {data!r}")
    config = data.get("configuration", {})
    if not isinstance(config, dict):
        raise MetadataValidationError(f"{field}.configuration must be an object, got {config!r}")
    return data["name"], config


def parse_shape(value: Any, field: str) -> tuple[int, ...]:
    if not isinstance(value, list | tuple):
        raise MetadataValidationError(f"{field} must be a list of integers, got {value!r}")
    for i, size in enumerate(value):
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise MetadataValidationError(
                f"{field}[{i}] must be a non-negative integer, got {size!r}"
            )
    return tuple(value)


def check_extra_fields(extra: dict[str, Any], where: str) -> dict[str, Any]:
    """Keep unknown fields marked ``must_understand: false``; refuse the others."""
    for key, value in extra.items():
        if not (isinstance(value, dict) and value.get("must_understand") is False):
            raise MetadataValidationError(
                f'{where}: unknown field {key!r} must be an object with "must_understand": false'
            )
    return dict(extra)
