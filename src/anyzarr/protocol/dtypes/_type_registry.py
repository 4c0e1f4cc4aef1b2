"""zarr-python's data type registry (``zarr.dtype.data_type_registry``).

A mapping from v3 data type names to the classes anyzarr has for them, with
``register``/``unregister``/``get`` and the lookups ``match_dtype`` (numpy
dtype to data type) and ``match_json`` (metadata JSON to data type).  Classes
registered here are tried first by those lookups; anyzarr's metadata parsing
uses its own fixed set of types.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint
from typing import Any

import numpy as np

from anyzarr.protocol._errors import DataTypeValidationError, MetadataValidationError
from anyzarr.protocol.dtypes._base import JSON, DataType, ZarrFormat
from anyzarr.protocol.dtypes._numeric import NUMERIC_TYPES
from anyzarr.protocol.dtypes._registry import data_type_from_json, data_type_from_numpy
from anyzarr.protocol.dtypes._strings import (
    FixedLengthUTF32,
    NullTerminatedBytes,
    RawBytes,
    VariableLengthBytes,
    VariableLengthUTF8,
)
from anyzarr.protocol.dtypes._structured import Structured
from anyzarr.protocol.dtypes._time import DateTime64, TimeDelta64

__all__ = ["DataTypeRegistry", "data_type_registry"]

_BUILT_IN: tuple[type[DataType], ...] = (
    *NUMERIC_TYPES,
    VariableLengthUTF8,
    VariableLengthBytes,
    FixedLengthUTF32,
    NullTerminatedBytes,
    RawBytes,
    DateTime64,
    TimeDelta64,
    Structured,
)


@dataclass
class DataTypeRegistry:
    """Data type classes by v3 name; ``contents`` is the mapping."""

    contents: dict[str, type[DataType]] = field(default_factory=dict, init=False)
    _lazy_load_list: list[EntryPoint] = field(default_factory=list, init=False)
    _added: list[type[DataType]] = field(default_factory=list, init=False)

    def _lazy_load(self) -> None:
        for entry in self._lazy_load_list:
            cls = entry.load()
            self.register(getattr(cls, "_zarr_v3_name", cls.__name__), cls)
        self._lazy_load_list.clear()

    def register(self, key: str, cls: type[DataType]) -> None:
        """Register ``cls`` under the v3 name ``key`` (idempotent)."""
        if self.contents.get(key) is not cls:
            self.contents[key] = cls
            if cls not in _BUILT_IN:
                self._added.append(cls)

    def unregister(self, key: str) -> None:
        """Remove the class registered under ``key`` (``KeyError`` if none)."""
        if key not in self.contents:
            raise KeyError(f"Data type '{key}' not found in registry.")
        cls = self.contents.pop(key)
        if cls in self._added:
            self._added.remove(cls)

    def get(self, key: str) -> type[DataType]:
        """The class registered under ``key`` (``KeyError`` if none)."""
        self._lazy_load()
        return self.contents[key]

    def match_dtype(self, dtype: Any) -> DataType:
        """The data type for a numpy dtype.

        Raises
        ------
        ValueError
            For the ambiguous numpy object dtype, or a dtype no class accepts.
        """
        self._lazy_load()
        native = np.dtype(dtype)
        if native == np.dtype("O"):
            raise ValueError(
                f"Zarr data type resolution from {native} failed: the numpy object dtype is "
                "ambiguous; construct the array with a specific Zarr data type"
            )
        for cls in reversed(self._added):
            with contextlib.suppress(DataTypeValidationError, MetadataValidationError):
                return cls.from_native_dtype(native)
        try:
            return data_type_from_numpy(native)
        except MetadataValidationError as exc:
            raise ValueError(f"No Zarr data type found that matches dtype '{native!r}'") from exc

    def match_json(self, data: JSON, *, zarr_format: ZarrFormat) -> DataType:
        """The data type a metadata document names (``ValueError`` if none)."""
        self._lazy_load()
        for cls in reversed(self._added):
            from_json = getattr(cls, "from_json", None)
            with contextlib.suppress(DataTypeValidationError, MetadataValidationError, TypeError):
                if from_json is not None:
                    return from_json(data, zarr_format=zarr_format)  # type: ignore[no-any-return]
        spec = data
        codec_id = None
        if zarr_format == 2 and isinstance(data, dict) and "name" in data:
            spec, codec_id = data["name"], data.get("object_codec_id")
        try:
            return data_type_from_json(spec, zarr_format, object_codec_id=codec_id)
        except MetadataValidationError as exc:
            raise ValueError(f"No Zarr data type found that matches {data!r}") from exc


data_type_registry = DataTypeRegistry()
for _cls in _BUILT_IN:
    data_type_registry.register(_cls.v3_name or _cls.__name__.lower(), _cls)
del _cls
