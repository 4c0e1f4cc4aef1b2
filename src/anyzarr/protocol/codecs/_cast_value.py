"""The ``cast_value`` array-to-array codec (zarr-extensions).

Values are converted to another numeric data type when encoding and back
when decoding, with a rounding mode, an out-of-range rule (error, ``clamp``
or ``wrap``) and optional explicit value maps per direction.  The conversion
itself is done by the ``cast-value-rs`` package, the implementation
zarr-python uses (install ``anyzarr[cast-value]``); it is imported when a
chunk is first converted, so metadata naming the codec reads without it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar, Literal, Self

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import MetadataValidationError, UsageError
from anyzarr.protocol.codecs._base import ArrayArrayCodec, ChunkSpec, parse_named_configuration

__all__ = [
    "CAST_VALUE_FLOAT_DTYPES",
    "CAST_VALUE_INT_DTYPES",
    "CAST_VALUE_RS_MIN_VERSION",
    "CastValueCodec",
    "CastValueUnavailableError",
    "OutOfRangeMode",
    "RoundingMode",
    "backend_version_problem",
    "parse_scalar_map",
]

RoundingMode = Literal[
    "nearest-even", "towards-zero", "towards-positive", "towards-negative", "nearest-away"
]
OutOfRangeMode = Literal["clamp", "wrap"]
_ROUNDING = ("nearest-even", "towards-zero", "towards-positive", "towards-negative", "nearest-away")

#: Integer types the codec is defined for (``wrap`` needs one as the target).
CAST_VALUE_INT_DTYPES = frozenset(
    {"int2", "int4", "int8", "int16", "int32", "int64"}
    | {"uint2", "uint4", "uint8", "uint16", "uint32", "uint64"}
)
#: Floating-point types the codec is defined for.
CAST_VALUE_FLOAT_DTYPES = frozenset(
    {"float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4", "float8_e4m3"}
    | {"float8_e4m3b11fnuz", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz"}
    | {"float8_e8m0fnu", "bfloat16", "float16", "float32", "float64"}
)
_PERMITTED = CAST_VALUE_INT_DTYPES | CAST_VALUE_FLOAT_DTYPES
MIN_BACKEND_VERSION = (0, 4, 2)
CAST_VALUE_RS_MIN_VERSION = ".".join(map(str, MIN_BACKEND_VERSION))


class CastValueUnavailableError(UsageError, ImportError):
    """The ``cast-value-rs`` package (``anyzarr[cast-value]``) is missing or too old."""


@cache
def _backend() -> Any:
    try:
        from cast_value_rs import cast_array
    except ImportError as exc:
        raise CastValueUnavailableError(
            "the cast_value codec needs the cast-value-rs package: "
            "pip install 'anyzarr[cast-value]'"
        ) from exc
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed: str | None = version("cast-value-rs")
    except PackageNotFoundError:
        installed = None
    problem = backend_version_problem(installed)
    if problem is not None:
        raise CastValueUnavailableError(problem)
    return cast_array


def backend_version_problem(installed: str | None) -> str | None:
    """Why cast-value-rs ``installed`` cannot be used, or None when it can.

    Releases before 0.4.2 (pre-releases of 0.4.2 included) silently transpose
    arrays that are not row-major.  A build without a version (``None``, as a
    development build has) is let through: there is nothing to compare.
    """
    if installed is None:
        return None
    found = re.match(r"^\s*v?(\d+(?:\.\d+)*)(.*)$", installed)
    if found is None:
        return None
    release = tuple(int(p) for p in found.group(1).split("."))
    release += (0,) * (len(MIN_BACKEND_VERSION) - len(release))
    pre = re.match(r"^[.\-_]?(a|b|c|rc|alpha|beta|pre|preview|dev)", found.group(2).lower())
    if release > MIN_BACKEND_VERSION or (release == MIN_BACKEND_VERSION and pre is None):
        return None
    return (
        f"The cast_value codec requires cast-value-rs >= {CAST_VALUE_RS_MIN_VERSION}, but "
        f"version {installed} is installed. Earlier versions silently corrupt data when the "
        f"input array is not row-major. Install it with: "
        f"pip install 'cast-value-rs>={CAST_VALUE_RS_MIN_VERSION}'"
    )


def parse_scalar_map(obj: Mapping[str, Any]) -> dict[str, dict[Any, Any]]:
    """A scalar map in its normalised form: ``{"encode": {key: value}, "decode": {...}}``.

    Takes the JSON form (lists of ``[key, value]`` pairs) or the normalised
    form (mappings), as zarr-python's ``parse_scalar_map`` does.
    """
    return {
        direction: _pairs(obj[direction], direction)
        for direction in ("encode", "decode")
        if obj.get(direction) is not None
    }


def _type_name(dtype: np.dtype[Any]) -> str:
    from anyzarr.protocol.dtypes import data_type_from_numpy

    try:
        name = data_type_from_numpy(dtype).to_json(3)
    except MetadataValidationError:
        return str(dtype)
    return name if isinstance(name, str) else str(dtype)


def _pairs(entries: object, direction: str) -> dict[Any, Any]:
    if isinstance(entries, Mapping):
        return dict(entries)
    if not isinstance(entries, list | tuple):
        raise MetadataValidationError(
            f"codec 'cast_value': scalar_map.{direction} must be a list of pairs"
        )
    out: dict[Any, Any] = {}
    for pair in entries:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise MetadataValidationError(
                f"codec 'cast_value': scalar_map.{direction} entry {pair!r} is not a pair"
            )
        out[pair[0]] = pair[1]
    return out


class CastValueCodec(ArrayArrayCodec):
    """``cast_value``: store values converted to ``data_type``.

    Parameters
    ----------
    data_type
        The stored type, by v3 name (``"uint8"``) or as a data type object.
    rounding
        How inexact values round (default ``"nearest-even"``).
    out_of_range
        ``None`` (an error), ``"clamp"`` or ``"wrap"`` (integer targets only).
    scalar_map
        ``{"encode": [[from, to], ...], "decode": [...]}``: values converted
        by table instead of arithmetic (``"NaN"`` and friends allowed).
    """

    codec_name: ClassVar[str] = "cast_value"
    is_fixed_size: ClassVar[bool] = True

    def __init__(
        self,
        *,
        data_type: Any,
        rounding: RoundingMode = "nearest-even",
        out_of_range: OutOfRangeMode | None = None,
        scalar_map: Mapping[str, Any] | None = None,
    ) -> None:
        from anyzarr.protocol.dtypes import DataType, data_type_from_json

        target = data_type if isinstance(data_type, DataType) else None
        if target is None:
            try:
                target = data_type_from_json(data_type, 3)
            except MetadataValidationError as exc:
                raise MetadataValidationError(
                    f"codec 'cast_value': invalid data_type {data_type!r}"
                ) from exc
        if target.to_json(3) not in _PERMITTED:
            raise MetadataValidationError(
                f"codec 'cast_value': Invalid target data type {data_type!r}: it must be an "
                "integer or floating-point type"
            )
        if rounding not in _ROUNDING:
            raise MetadataValidationError(f"codec 'cast_value': invalid rounding {rounding!r}")
        if out_of_range not in (None, "clamp", "wrap"):
            raise MetadataValidationError(
                f"codec 'cast_value': invalid out_of_range {out_of_range!r}"
            )
        self.data_type = target
        self.rounding: RoundingMode = rounding
        self.out_of_range: OutOfRangeMode | None = out_of_range
        self.scalar_map: dict[str, dict[Any, Any]] | None = None
        if scalar_map is not None:
            if not isinstance(scalar_map, Mapping) or set(scalar_map) - {"encode", "decode"}:
                raise MetadataValidationError(
                    "codec 'cast_value': scalar_map must have only 'encode' and 'decode'"
                )
            self.scalar_map = parse_scalar_map(scalar_map)

    @property
    def dtype(self) -> Any:
        """The stored data type (zarr-python's attribute name)."""
        return self.data_type

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        config = parse_named_configuration(data, cls.codec_name, configuration_required=True)
        unknown = set(config) - {"data_type", "rounding", "out_of_range", "scalar_map"}
        if unknown:
            raise MetadataValidationError(
                f"codec 'cast_value': unknown configuration keys {sorted(unknown)}"
            )
        if "data_type" not in config:
            raise MetadataValidationError("codec 'cast_value': configuration.data_type is required")
        return cls(**config)

    def to_dict(self) -> dict[str, Any]:
        config: dict[str, Any] = {"data_type": self.data_type.to_json(3)}
        if self.rounding != "nearest-even":
            config["rounding"] = self.rounding
        if self.out_of_range is not None:
            config["out_of_range"] = self.out_of_range
        if self.scalar_map is not None:
            config["scalar_map"] = {
                direction: [(k, v) for k, v in table.items()]
                for direction, table in self.scalar_map.items()
            }
        return {"name": self.codec_name, "configuration": config}

    def evolve_from_array_spec(self, spec: ChunkSpec) -> Self:
        # Metadata is checked when it is built, as zarr-python validates codecs then.
        self.validate(spec)
        return self

    def validate(self, spec: ChunkSpec) -> None:
        source = _type_name(spec.dtype)
        for role, name in (("source", source), ("target", self.data_type.to_json(3))):
            if name not in _PERMITTED:
                raise MetadataValidationError(
                    f"codec 'cast_value' only supports integer and floating-point data types, "
                    f"got {role} data type {name}"
                )
        if self.out_of_range == "wrap" and self.data_type.to_json(3) not in CAST_VALUE_INT_DTYPES:
            raise MetadataValidationError(
                "codec 'cast_value': out_of_range 'wrap' is only valid for integer target types"
            )
        self._check_map(spec.dtype)

    def _check_map(self, source: np.dtype[Any]) -> None:
        from anyzarr.protocol.dtypes import data_type_from_numpy

        if self.scalar_map is None:
            return
        src = data_type_from_numpy(source)
        sides = {"encode": (src, self.data_type), "decode": (self.data_type, src)}
        for direction, table in self.scalar_map.items():
            key_type, value_type = sides[direction]
            for key, value in table.items():
                for what, dt, item in (("key", key_type, key), ("value", value_type, value)):
                    try:
                        dt.decode_fill_value(item, 3)
                    except (MetadataValidationError, TypeError, ValueError, OverflowError) as exc:
                        raise MetadataValidationError(
                            f"codec 'cast_value': scalar_map {direction} {what} {item!r} is not "
                            f"representable in dtype {dt.to_json(3)}"
                        ) from exc

    def _cast(
        self, arr: npt.NDArray[Any], target: np.dtype[Any], direction: str
    ) -> npt.NDArray[Any]:
        table = None if self.scalar_map is None else self.scalar_map.get(direction)
        entries = None
        if table is not None:
            to_source = int if arr.dtype.kind in "iu" else float
            to_target = int if target.kind in "iu" else float
            entries = {to_source(k): to_target(v) for k, v in table.items()}
        out = _backend()(
            arr,
            target_dtype=target,
            rounding_mode=self.rounding,
            out_of_range_mode=self.out_of_range,
            scalar_map_entries=entries,
        )
        return np.asarray(out)

    def resolve_spec(self, spec: ChunkSpec) -> ChunkSpec:
        target = self.data_type.dtype
        fill = self._cast(np.array([spec.fill_value], dtype=spec.dtype), target, "encode")
        return ChunkSpec(
            shape=spec.shape,
            dtype=target,
            fill_value=target.type(fill[0]),
            order=spec.order,
            prototype=spec.prototype,
            write_empty_chunks=spec.write_empty_chunks,
        )

    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        return self._cast(np.asarray(array), self.data_type.dtype, "encode")

    def decode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        return self._cast(np.asarray(array), spec.dtype, "decode")
