"""Zarr data types: numpy dtypes, their v2 and v3 JSON names, and fill values.

Every supported type is a frozen `DataType` subclass; `parse_data_type` turns
what a user passes as ``dtype=`` into one, and `data_type_from_json` reads
one from metadata.
"""

from __future__ import annotations

from anyzarr.protocol.dtypes._base import JSON, DataType, ZarrFormat
from anyzarr.protocol.dtypes._numeric import (
    Bool,
    Complex64,
    Complex128,
    ComplexType,
    Float16,
    Float32,
    Float64,
    FloatType,
    Int8,
    Int16,
    Int32,
    Int64,
    IntegerType,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
)
from anyzarr.protocol.dtypes._registry import (
    data_type_from_json,
    data_type_from_numpy,
    parse_data_type,
)
from anyzarr.protocol.dtypes._strings import (
    FixedLengthUTF32,
    NullTerminatedBytes,
    RawBytes,
    VariableLengthBytes,
    VariableLengthUTF8,
)
from anyzarr.protocol.dtypes._structured import Field, Structured
from anyzarr.protocol.dtypes._time import DateTime64, TimeDelta64

__all__ = [
    "JSON",
    "Bool",
    "Complex64",
    "Complex128",
    "ComplexType",
    "DataType",
    "DateTime64",
    "Field",
    "FixedLengthUTF32",
    "Float16",
    "Float32",
    "Float64",
    "FloatType",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "IntegerType",
    "NullTerminatedBytes",
    "RawBytes",
    "Structured",
    "TimeDelta64",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "VariableLengthBytes",
    "VariableLengthUTF8",
    "ZarrFormat",
    "data_type_from_json",
    "data_type_from_numpy",
    "parse_data_type",
]
