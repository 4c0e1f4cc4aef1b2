"""The JSON shapes of data types in metadata, as zarr-python types them.

TypedDicts for each data type's v2 and v3 JSON (``zarr.dtype``'s
``*JSON_V2``/``*JSON_V3`` names) and the checks that narrow a value to the v2
form.  They describe documents; parsing is done by ``_registry.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, NotRequired, TypedDict, TypeGuard

from typing_extensions import ReadOnly

__all__ = [
    "DTypeConfig_V2",
    "DTypeJSON",
    "DTypeName_V2",
    "DTypeSpec_V2",
    "DTypeSpec_V3",
    "DateTime64JSON_V2",
    "DateTime64JSON_V3",
    "FixedLengthUTF32JSON_V2",
    "FixedLengthUTF32JSON_V3",
    "NamedConfig",
    "NullTerminatedBytesJSON_V3",
    "NullterminatedBytesJSON_V2",
    "RawBytesJSON_V2",
    "RawBytesJSON_V3",
    "StructJSON_V3",
    "StructuredJSON_V2",
    "StructuredJSON_V3",
    "TimeDelta64JSON_V2",
    "TimeDelta64JSON_V3",
    "VariableLengthBytesJSON_V2",
    "VariableLengthUTF8JSON_V2",
    "check_dtype_spec_no_object_codec_v2",
    "check_dtype_spec_v2",
]

#: Any JSON value that may describe a data type.
type DTypeJSON = str | int | float | Sequence[DTypeJSON] | Mapping[str, object] | None

type StructuredName_V2 = Sequence[str | StructuredName_V2]
#: A v2 ``dtype`` value: a numpy dtype string, or a list of fields.
type DTypeName_V2 = StructuredName_V2 | str


class DTypeConfig_V2[TName: DTypeName_V2, TObjectCodecID: str | None](TypedDict):
    """A v2 data type: the ``dtype`` value and the object codec (``|O`` types only)."""

    name: ReadOnly[TName]
    object_codec_id: ReadOnly[TObjectCodecID]


DTypeSpec_V2 = DTypeConfig_V2[DTypeName_V2, None | str]


class NamedConfig[TName: str, TConfig: Mapping[str, object]](TypedDict):
    """A ``{"name": ..., "configuration": ...}`` document (configuration optional)."""

    name: ReadOnly[TName]
    configuration: NotRequired[ReadOnly[TConfig]]


class NamedRequiredConfig[TName: str, TConfig: Mapping[str, object]](TypedDict):
    """A ``{"name": ..., "configuration": ...}`` document (configuration required)."""

    name: ReadOnly[TName]
    configuration: ReadOnly[TConfig]


#: A v3 ``data_type`` value: a name or a named configuration.
DTypeSpec_V3 = str | NamedConfig[str, Mapping[str, object]]


class LengthBytesConfig(TypedDict):
    length_bytes: int


class TimeConfig(TypedDict):
    unit: str
    scale_factor: int


class DateTime64JSON_V2(DTypeConfig_V2[str, None]):
    """``DateTime64`` in v2 (``{"name": "<M8[s]", "object_codec_id": None}``)."""


class TimeDelta64JSON_V2(DTypeConfig_V2[str, None]):
    """``TimeDelta64`` in v2."""


class DateTime64JSON_V3(NamedRequiredConfig[Literal["numpy.datetime64"], TimeConfig]):
    """``DateTime64`` in v3."""


class TimeDelta64JSON_V3(NamedRequiredConfig[Literal["numpy.timedelta64"], TimeConfig]):
    """``TimeDelta64`` in v3."""


class FixedLengthUTF32JSON_V2(DTypeConfig_V2[str, None]):
    """``FixedLengthUTF32`` in v2 (``<U12``)."""


class FixedLengthUTF32JSON_V3(NamedConfig[Literal["fixed_length_utf32"], LengthBytesConfig]):
    """``FixedLengthUTF32`` in v3."""


class NullterminatedBytesJSON_V2(DTypeConfig_V2[str, None]):
    """``NullTerminatedBytes`` in v2 (``|S8``)."""


class NullTerminatedBytesJSON_V3(NamedConfig[Literal["null_terminated_bytes"], LengthBytesConfig]):
    """``NullTerminatedBytes`` in v3."""


class RawBytesJSON_V2(DTypeConfig_V2[str, None]):
    """``RawBytes`` in v2 (``|V8``)."""


class RawBytesJSON_V3(NamedConfig[Literal["raw_bytes"], LengthBytesConfig]):
    """``RawBytes`` in v3."""


class VariableLengthBytesJSON_V2(DTypeConfig_V2[Literal["|O"], Literal["vlen-bytes"]]):
    """``VariableLengthBytes`` in v2."""


class VariableLengthUTF8JSON_V2(DTypeConfig_V2[Literal["|O"], Literal["vlen-utf8"]]):
    """``VariableLengthUTF8`` in v2."""


class StructuredJSON_V2(DTypeConfig_V2[StructuredName_V2, None]):
    """``Structured`` in v2 (a list of ``[name, dtype]`` fields)."""


class StructuredJSON_V3(
    NamedConfig[Literal["structured"], dict[str, Sequence[Sequence[str | DTypeJSON]]]]
):
    """``Structured`` in v3, the older tuple form."""


class StructJSON_V3(
    NamedConfig[Literal["struct"], dict[str, Sequence[dict[str, str | DTypeJSON]]]]
):
    """``Struct`` in v3 (the ``struct`` extension's form)."""


def _structured_field_v2(data: object) -> bool:
    if isinstance(data, str | Mapping) or not isinstance(data, Sequence) or len(data) != 2:
        return False
    if not isinstance(data[0], str):
        return False
    last = data[-1]
    if isinstance(last, str):
        return True
    return (
        isinstance(last, Sequence) and not isinstance(last, Mapping) and _structured_name_v2(last)
    )


def _structured_name_v2(data: Sequence[object]) -> bool:
    return all(_structured_field_v2(d) for d in data)


def _dtype_name_v2(data: object) -> bool:
    if isinstance(data, str):
        return True
    return (
        isinstance(data, Sequence) and not isinstance(data, Mapping) and _structured_name_v2(data)
    )


def check_dtype_spec_v2(data: object) -> TypeGuard[DTypeSpec_V2]:
    """Whether ``data`` is a v2 data type spec (``{"name": ..., "object_codec_id": ...}``)."""
    return (
        isinstance(data, Mapping)
        and set(data) == {"name", "object_codec_id"}
        and _dtype_name_v2(data["name"])
        and isinstance(data["object_codec_id"], str | None)
    )


def check_dtype_spec_no_object_codec_v2(
    data: object,
) -> TypeGuard[DTypeConfig_V2[DTypeName_V2, None]]:
    """Whether ``data`` is a v2 data type spec without an object codec (every non-``|O`` type)."""
    return check_dtype_spec_v2(data) and data["object_codec_id"] is None
