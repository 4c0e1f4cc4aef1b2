"""The type of a JSON value: what metadata documents and user attributes hold.

``anyzarr.protocol.dtypes`` names its (untyped) JSON values ``JSON`` too;
this is the precise, recursive form (zarr-python's ``zarr.core.common.JSON``,
with ``bool`` spelled out), used wherever the io and api layers pass
documents and attributes around.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["JSON", "JSONObject"]

type JSON = str | int | float | bool | Mapping[str, JSON] | Sequence[JSON] | None
"""A JSON value as Python holds it: objects as mappings, arrays as sequences."""

type JSONObject = dict[str, JSON]
"""A JSON object, such as a metadata document or a node's attributes."""
