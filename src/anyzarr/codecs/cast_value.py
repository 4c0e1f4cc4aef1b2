"""The ``cast_value`` codec (``zarr.codecs.cast_value``).

``CastValue(data_type=..., rounding=..., out_of_range=..., scalar_map=...)``
stores values converted to another numeric type; see
:class:`anyzarr.protocol.codecs.CastValueCodec`.  Converting chunks needs
the ``cast-value-rs`` package (``pip install 'anyzarr[cast-value]'``).
"""

from __future__ import annotations

from anyzarr.protocol.codecs._cast_value import (
    CAST_VALUE_FLOAT_DTYPES,
    CAST_VALUE_INT_DTYPES,
    CastValueCodec,
    OutOfRangeMode,
    RoundingMode,
)

__all__ = [
    "CAST_VALUE_FLOAT_DTYPES",
    "CAST_VALUE_INT_DTYPES",
    "PERMITTED_DATA_TYPE_NAMES",
    "CastValue",
    "CastValueCodec",
    "OutOfRangeMode",
    "RoundingMode",
]

#: zarr-python's name for the codec class.
CastValue = CastValueCodec
#: Every data type name the codec is defined for.
PERMITTED_DATA_TYPE_NAMES = CAST_VALUE_INT_DTYPES | CAST_VALUE_FLOAT_DTYPES
