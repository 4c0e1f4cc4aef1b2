"""The ``cast_value`` codec (``zarr.codecs.cast_value``).

``CastValue(data_type=..., rounding=..., out_of_range=..., scalar_map=...)``
stores values converted to another numeric type; see
:class:`anyzarr.protocol.codecs.CastValueCodec`.  Converting chunks needs
the ``cast-value-rs`` package (``pip install 'anyzarr[cast-value]'``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from anyzarr.protocol.codecs._cast_value import (
    CAST_VALUE_FLOAT_DTYPES,
    CAST_VALUE_INT_DTYPES,
    CAST_VALUE_RS_MIN_VERSION,
    CastValueCodec,
    OutOfRangeMode,
    RoundingMode,
    backend_version_problem,
    parse_scalar_map,
)

__all__ = [
    "CAST_VALUE_FLOAT_DTYPES",
    "CAST_VALUE_INT_DTYPES",
    "CAST_VALUE_RS_MIN_VERSION",
    "PERMITTED_DATA_TYPE_NAMES",
    "CastValue",
    "CastValueCodec",
    "OutOfRangeMode",
    "RoundingMode",
    "parse_scalar_map",
]

#: zarr-python's name for the codec class.
CastValue = CastValueCodec
#: Every data type name the codec is defined for.
PERMITTED_DATA_TYPE_NAMES = CAST_VALUE_INT_DTYPES | CAST_VALUE_FLOAT_DTYPES


def _check_backend_version() -> str | None:
    """Why the installed cast-value-rs cannot be used, or None (zarr-python's helper)."""
    try:
        installed: str | None = version("cast-value-rs")
    except PackageNotFoundError:
        installed = None
    return backend_version_problem(installed)
