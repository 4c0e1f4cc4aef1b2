"""Structured (record) data types.

zarr-python 3.4 writes v3 records as ``struct`` with ``{"name", "data_type"}``
field objects and a fill value that is an object keyed by field name; it
still reads the older ``structured`` spelling (fields as ``[name, type]``
pairs, fill value as base64 of the packed record).  v2 uses numpy's
list-of-pairs form and base64 fill values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.dtypes._base import (
    JSON,
    DataType,
    ZarrFormat,
    decode_base64,
    encode_base64,
)

__all__ = ["Field", "Structured"]

Field = tuple[str, DataType, tuple[int, ...]]
"""One record field: its name, its data type and its subarray shape (``()`` if scalar)."""


@dataclass(frozen=True)
class Structured(DataType):
    """A packed record of named fields (v3 ``struct``, v2 a list of fields)."""

    fields: tuple[Field, ...]
    v3_name: ClassVar[str] = "struct"

    def __post_init__(self) -> None:
        if not self.fields:
            raise MetadataValidationError("data_type: a structured type needs at least one field")
        names = [f[0] for f in self.fields]
        if len(set(names)) != len(names):
            raise MetadataValidationError(f"data_type: duplicate structured field names in {names}")
        for name, field_type, _ in self.fields:
            if field_type.item_size is None:
                raise MetadataValidationError(
                    f"data_type: structured field {name!r} has variable-length type {field_type}"
                )

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype([(name, t.dtype, shape) for name, t, shape in self.fields])

    def to_json(self, zarr_format: ZarrFormat) -> JSON:
        if zarr_format == 2:
            out: list[JSON] = []
            for name, t, shape in self.fields:
                entry: list[JSON] = [name, t.to_json(2)]
                if shape:
                    entry.append(list(shape))
                out.append(entry)
            return out
        for name, _, shape in self.fields:
            if shape:
                raise MetadataValidationError(
                    f"data_type: structured field {name!r} is a subarray, which Zarr v3 cannot store"
                )
        return {
            "name": self.v3_name,
            "configuration": {
                "fields": [{"name": n, "data_type": t.to_json(3)} for n, t, _ in self.fields]
            },
        }

    def has_multi_byte_fields(self) -> bool:
        """Whether any field is wider than one byte (zarr-python then writes an ``endian``)."""
        return any((t.item_size or 0) > 1 for _, t, _ in self.fields)

    def cast_value(self, value: object) -> Any:
        dt = self.dtype
        if isinstance(value, bytes | np.bytes_):
            if len(value) != dt.itemsize:
                raise self._bad(value, f"expected {dt.itemsize} bytes")
            return np.frombuffer(bytes(value), dtype=dt)[0]
        if isinstance(value, np.void) and value.dtype == dt:
            return value
        if isinstance(value, dict):
            value = tuple(value.get(name, 0) for name, _, _ in self.fields)
        if isinstance(value, np.void):
            value = value.item()
        if isinstance(value, tuple | list):
            try:
                return np.array(tuple(value), dtype=dt)[()]
            except (ValueError, TypeError) as exc:
                raise self._bad(value, str(exc)) from exc
        if isinstance(value, int) and value == 0:
            return np.zeros((), dtype=dt)[()]
        raise self._bad(value, "expected a record (tuple, dict or bytes)")

    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        if zarr_format == 2:
            return encode_base64(scalar.tobytes())
        return {name: t.encode_fill_value(scalar[name], 3) for name, t, _ in self.fields}

    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        if isinstance(value, str):
            return self.cast_value(decode_base64(value, self))
        if zarr_format == 3 and isinstance(value, dict):
            unknown = set(value) - {f[0] for f in self.fields}
            if unknown:
                raise self._bad(value, f"unknown fields {sorted(unknown)}")
            out = np.zeros((), dtype=self.dtype)
            for name, t, _ in self.fields:
                if name not in value:
                    raise self._bad(value, f"field {name!r} is missing")
                out[name] = t.decode_fill_value(value[name], 3)
            return out[()]
        raise self._bad(value, "expected a base64 string or an object keyed by field")

    def default_fill_value(self) -> Any:
        return np.zeros((), dtype=self.dtype)[()]

    def __str__(self) -> str:
        return f"struct{[f[0] for f in self.fields]}"
