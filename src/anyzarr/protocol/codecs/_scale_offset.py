"""The ``scale_offset`` array-to-array codec (zarr-extensions).

Encoding stores ``(x - offset) * scale`` and decoding gives back
``x / scale + offset``, in the arithmetic of the array's own data type:
integers never wrap (a result outside the type's range is an error) and
integer decoding must divide exactly; floats follow IEEE rules in their own
width.  ``offset`` and ``scale`` are kept as given (numbers or the JSON
strings that spell special floats) so the metadata round-trips unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import (
    ChunkDecodeError,
    MetadataTypeError,
    MetadataValidationError,
    UsageError,
)
from anyzarr.protocol.codecs._base import ArrayArrayCodec, ChunkSpec, parse_named_configuration

__all__ = ["ScaleOffsetCodec", "ScaleOffsetRangeError"]

_INT64 = np.dtype(np.int64)


class ScaleOffsetRangeError(UsageError, ValueError):
    """Encoding would give a value outside the range of the array's integer type."""


def _scalar(value: object, dtype: np.dtype[Any], what: str) -> Any:
    """``value`` (JSON: a number or a special-float string) as a scalar of ``dtype``."""
    from anyzarr.protocol.dtypes import data_type_from_numpy

    try:
        return data_type_from_numpy(dtype).decode_fill_value(value, 3)
    except (MetadataValidationError, TypeError, ValueError, OverflowError) as exc:
        raise MetadataValidationError(
            f"codec 'scale_offset': {what} value {value!r} is not representable in dtype {dtype}"
        ) from exc


def _check_range(lo: int, hi: int, dtype: np.dtype[Any], error: type[Exception], key: str) -> None:
    info = np.iinfo(dtype)
    if lo < int(info.min) or hi > int(info.max):
        where = f" (chunk key {key!r})" if key else ""
        raise error(
            f"scale_offset produced a value outside the range of dtype {dtype} "
            f"[{info.min}, {info.max}]{where}"
        )


def _apply_int(
    arr: npt.NDArray[Any], fn: Any, error: type[Exception], key: str = ""
) -> npt.NDArray[Any]:
    """``fn(arr)`` exactly, for a monotonic ``fn``, refusing results outside ``arr.dtype``.

    The extremes of a monotonic function of ``x`` come from the extremes of
    ``x``, so checking those (in Python integers, which cannot overflow)
    proves every result fits.  Then every intermediate fits int64 too
    (except for uint64, done in Python integers).
    """
    if arr.size:
        ends = (fn(int(arr.min())), fn(int(arr.max())))
        _check_range(min(ends), max(ends), arr.dtype, error, key)
    if arr.dtype == np.uint64:
        out = np.frompyfunc(fn, 1, 1)(arr.astype(object))
        return np.asarray(out, dtype=object).astype(arr.dtype)
    return np.asarray(fn(arr.astype(_INT64))).astype(arr.dtype)


class ScaleOffsetCodec(ArrayArrayCodec):
    """``scale_offset``: store ``(x - offset) * scale`` (integer and float types only)."""

    codec_name: ClassVar[str] = "scale_offset"
    is_fixed_size: ClassVar[bool] = True

    def __init__(self, *, offset: object = 0, scale: object = 1) -> None:
        for name, value in (("offset", offset), ("scale", scale)):
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise MetadataTypeError(
                    f"codec 'scale_offset': {name} must be a number or string, got {value!r}"
                )
        self.offset: int | float | str = offset  # type: ignore[assignment]
        self.scale: int | float | str = scale  # type: ignore[assignment]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        config = parse_named_configuration(data, cls.codec_name)
        unknown = set(config) - {"offset", "scale"}
        if unknown:
            raise MetadataValidationError(
                f"codec 'scale_offset': unknown configuration keys {sorted(unknown)}"
            )
        return cls(**config)

    def to_dict(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self.offset != 0:
            config["offset"] = self.offset
        if self.scale != 1:
            config["scale"] = self.scale
        if not config:
            return {"name": self.codec_name}
        return {"name": self.codec_name, "configuration": config}

    def _parameters(self, dtype: np.dtype[Any]) -> tuple[Any, Any]:
        return _scalar(self.offset, dtype, "offset"), _scalar(self.scale, dtype, "scale")

    def validate(self, spec: ChunkSpec) -> None:
        if spec.dtype.kind not in "iuf":
            raise MetadataValidationError(
                f"codec 'scale_offset' only supports integer and floating-point data types, "
                f"got {spec.dtype}"
            )
        try:
            # A zero is refused as such before it is read in the array's type.
            zero = float(self.scale) == 0
        except ValueError:
            zero = False
        if zero or self._parameters(spec.dtype)[1] == 0:
            raise MetadataValidationError("codec 'scale_offset': scale must be non-zero")

    def _encode(self, arr: npt.NDArray[Any], error: type[Exception]) -> npt.NDArray[Any]:
        native = arr.astype(arr.dtype.newbyteorder("="), copy=False)
        offset, scale = self._parameters(native.dtype)
        if native.dtype.kind == "f":
            out = (native - offset) * scale
        else:
            o, s = int(offset), int(scale)
            out = _apply_int(native, lambda x: (x - o) * s, error)
        return np.asarray(out).astype(arr.dtype, copy=False)

    def evolve_from_array_spec(self, spec: ChunkSpec) -> Self:
        # Metadata is checked when it is built, as zarr-python validates codecs then.
        self.validate(spec)
        return self

    def resolve_spec(self, spec: ChunkSpec) -> ChunkSpec:
        fill = np.asarray(spec.fill_value, dtype=spec.dtype).reshape(1)
        try:
            encoded = self._encode(fill, ScaleOffsetRangeError)
        except ScaleOffsetRangeError:
            # A fill value outside the encodable range only matters to chunks
            # holding it, whose encoding then fails with the same error.
            encoded = fill
        return ChunkSpec(
            shape=spec.shape,
            dtype=spec.dtype,
            fill_value=encoded[0],
            order=spec.order,
            prototype=spec.prototype,
            write_empty_chunks=spec.write_empty_chunks,
        )

    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        return self._encode(np.asarray(array), ScaleOffsetRangeError)

    def decode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        arr = np.asarray(array)
        native = arr.astype(arr.dtype.newbyteorder("="), copy=False)
        offset, scale = self._parameters(native.dtype)
        if native.dtype.kind == "f":
            out = native / scale + offset
        else:
            o, s = int(offset), int(scale)
            remainder = native.astype(object) % s if native.dtype == np.uint64 else native % scale
            if np.any(remainder):
                raise ChunkDecodeError(
                    f"scale_offset: stored values are not multiples of scale={self.scale!r}"
                )
            out = _apply_int(native, lambda x: x // s + o, ChunkDecodeError)
        return np.asarray(out).astype(arr.dtype, copy=False)
