"""Zarr data types, under the name zarr-python uses (``zarr.dtype``).

Every name of ``zarr.dtype``: the data type classes, the registry
(``data_type_registry``), ``parse_dtype``, the JSON shapes (``*JSON_V2``,
``*JSON_V3``, ``DTypeSpec_V2``) and the v2 spec checks.
"""

from __future__ import annotations

import warnings
from typing import Any

from anyzarr.protocol.dtypes import (
    Bool,
    Complex64,
    Complex128,
    DataType,
    DateTime64,
    FixedLengthUTF32,
    Float16,
    Float32,
    Float64,
    Int8,
    Int16,
    Int32,
    Int64,
    NullTerminatedBytes,
    RawBytes,
    Structured,
    TimeDelta64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    VariableLengthBytes,
    VariableLengthUTF8,
    parse_data_type,
)
from anyzarr.protocol.dtypes._json_types import (
    DateTime64JSON_V2,
    DateTime64JSON_V3,
    DTypeSpec_V2,
    FixedLengthUTF32JSON_V2,
    FixedLengthUTF32JSON_V3,
    NullterminatedBytesJSON_V2,
    NullTerminatedBytesJSON_V3,
    RawBytesJSON_V2,
    RawBytesJSON_V3,
    StructJSON_V3,
    StructuredJSON_V2,
    StructuredJSON_V3,
    TimeDelta64JSON_V2,
    TimeDelta64JSON_V3,
    VariableLengthBytesJSON_V2,
    VariableLengthUTF8JSON_V2,
    check_dtype_spec_no_object_codec_v2,
    check_dtype_spec_v2,
)
from anyzarr.protocol.dtypes._type_registry import DataTypeRegistry, data_type_registry

#: zarr-python calls the data-type base class ``ZDType``.
ZDType = DataType
#: zarr-python's canonical v3 record type is named ``Struct``.
Struct = Structured


def parse_dtype(dtype_spec: object, zarr_format: int = 3) -> DataType:
    """The data type for a numpy dtype, a name or a JSON object, like ``zarr.dtype.parse_dtype``."""
    return parse_data_type(dtype_spec, 2 if zarr_format == 2 else 3)


def __getattr__(name: str) -> Any:
    if name == "DataTypeValidationError":
        from anyzarr.errors import DataTypeValidationError, ZarrDeprecationWarning

        warnings.warn(
            "Importing DataTypeValidationError from anyzarr.dtype is deprecated; "
            "use anyzarr.errors.DataTypeValidationError instead.",
            ZarrDeprecationWarning,
            stacklevel=2,
        )
        return DataTypeValidationError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Bool",
    "Complex64",
    "Complex128",
    "DTypeSpec_V2",
    "DataType",
    "DataTypeRegistry",
    "DateTime64",
    "DateTime64JSON_V2",
    "DateTime64JSON_V3",
    "FixedLengthUTF32",
    "FixedLengthUTF32JSON_V2",
    "FixedLengthUTF32JSON_V3",
    "Float16",
    "Float32",
    "Float64",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "NullTerminatedBytes",
    "NullTerminatedBytesJSON_V3",
    "NullterminatedBytesJSON_V2",
    "RawBytes",
    "RawBytesJSON_V2",
    "RawBytesJSON_V3",
    "Struct",
    "StructJSON_V3",
    "Structured",
    "StructuredJSON_V2",
    "StructuredJSON_V3",
    "TimeDelta64",
    "TimeDelta64JSON_V2",
    "TimeDelta64JSON_V3",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "VariableLengthBytes",
    "VariableLengthBytesJSON_V2",
    "VariableLengthUTF8",
    "VariableLengthUTF8JSON_V2",
    "ZDType",
    "check_dtype_spec_no_object_codec_v2",
    "check_dtype_spec_v2",
    "data_type_registry",
    "parse_dtype",
]
