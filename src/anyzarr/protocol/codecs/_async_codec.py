"""zarr-python's codec interface: codecs whose work is a coroutine per chunk.

These are the base classes of ``zarr.abc.codec`` (public as
``anyzarr.abc.codec``).  A codec written against them implements
``async def _decode_single(chunk, chunk_spec)`` and ``_encode_single`` (or
the batch methods ``decode``/``encode``), and optionally the synchronous
``_decode_sync``/``_encode_sync`` of :class:`SupportsSyncCodec`.
``chunk_spec`` is an :class:`ArraySpec`; chunks are
:class:`~anyzarr.protocol.buffer.NDBuffer` (arrays) or
:class:`~anyzarr.protocol.buffer.Buffer` (bytes).

anyzarr's own pipeline is synchronous and knows its codecs as
:class:`~anyzarr.protocol.codecs.Codec` objects; ``_async_adapter.py``
wraps a codec of this interface into one (see there for how its coroutines
are run without an event loop of their own).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, TypedDict, runtime_checkable

from anyzarr.protocol._metadata_class import Metadata
from anyzarr.protocol.buffer import Buffer, BufferPrototype, NDBuffer, default_buffer_prototype

if TYPE_CHECKING:
    from anyzarr.protocol.dtypes import DataType

__all__ = [
    "ArrayArrayCodec",
    "ArrayBytesCodec",
    "ArrayBytesCodecPartialDecodeMixin",
    "ArrayBytesCodecPartialEncodeMixin",
    "ArraySpec",
    "ArraySpecConfig",
    "BaseCodec",
    "BytesBytesCodec",
    "Codec",
    "CodecInput",
    "CodecOutput",
    "CodecPipeline",
    "GetResult",
    "SupportsSyncCodec",
]

type CodecInput = NDBuffer | Buffer
type CodecOutput = NDBuffer | Buffer


class GetResult(TypedDict):
    """Whether a chunk a pipeline read was stored."""

    status: Literal["present", "missing"]


@dataclass(frozen=True)
class ArraySpecConfig:
    """The array settings a chunk spec carries (zarr-python's ``ArrayConfig`` fields)."""

    order: Literal["C", "F"] = "C"
    write_empty_chunks: bool = False
    read_missing_chunks: bool = True


@dataclass(frozen=True)
class ArraySpec:
    """What a chunk looks like decoded, as zarr-python's codecs are told.

    ``dtype`` is the chunk's data type (a
    :class:`~anyzarr.protocol.dtypes.DataType`, with zarr's
    ``to_native_dtype()``); ``fill_value`` a scalar of it.
    """

    shape: tuple[int, ...]
    dtype: DataType
    fill_value: Any
    config: ArraySpecConfig = field(default_factory=ArraySpecConfig)
    prototype: BufferPrototype = field(default_factory=default_buffer_prototype)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def order(self) -> Literal["C", "F"]:
        return self.config.order

    def with_shape(self, shape: tuple[int, ...]) -> ArraySpec:
        return replace(self, shape=tuple(shape))


@runtime_checkable
class SupportsSyncCodec[CI: CodecInput, CO: CodecOutput](Protocol):
    """A codec that also works without an event loop (``_decode_sync``/``_encode_sync``)."""

    def _decode_sync(self, chunk_data: CO, chunk_spec: ArraySpec) -> CI: ...

    def _encode_sync(self, chunk_data: CI, chunk_spec: ArraySpec) -> CO | None: ...


def supports_sync(codec: object) -> bool:
    """Whether ``codec`` can run its synchronous methods now (``_sync_capable`` may veto)."""
    return isinstance(codec, SupportsSyncCodec) and bool(getattr(codec, "_sync_capable", True))


class BaseCodec[CI: CodecInput, CO: CodecOutput](Metadata):
    """Base of zarr-python-style codecs; subclass one of the three kinds below."""

    #: Whether the encoded size depends only on the input size.
    is_fixed_size: bool = False

    @abstractmethod
    def compute_encoded_size(self, input_byte_length: int, chunk_spec: ArraySpec) -> int:
        """The encoded size for an input of ``input_byte_length`` bytes.

        Codecs with variable-sized output raise ``NotImplementedError``.
        """

    def resolve_metadata(self, chunk_spec: ArraySpec) -> ArraySpec:
        """The spec of a chunk after this codec encoded it (default: unchanged)."""
        return chunk_spec

    def evolve_from_array_spec(self, array_spec: ArraySpec) -> Self:
        """This codec with settings that follow from the array filled in (default: unchanged)."""
        return self

    def validate(self, *, shape: tuple[int, ...], dtype: DataType, chunk_grid: Any) -> None:
        """Raise if this codec cannot be used with an array of this shape, type and grid."""

    async def _decode_single(self, chunk_data: CO, chunk_spec: ArraySpec) -> CI:
        raise NotImplementedError(
            f"{type(self).__name__} implements neither decode nor _decode_single"
        )

    async def decode(
        self, chunks_and_specs: Iterable[tuple[CO | None, ArraySpec]]
    ) -> Iterable[CI | None]:
        """Decode a batch; ``None`` chunks stay ``None``."""
        return [
            None if chunk is None else await self._decode_single(chunk, spec)
            for chunk, spec in chunks_and_specs
        ]

    async def _encode_single(self, chunk_data: CI, chunk_spec: ArraySpec) -> CO | None:
        raise NotImplementedError(
            f"{type(self).__name__} implements neither encode nor _encode_single"
        )

    async def encode(
        self, chunks_and_specs: Iterable[tuple[CI | None, ArraySpec]]
    ) -> Iterable[CO | None]:
        """Encode a batch; ``None`` chunks stay ``None``."""
        return [
            None if chunk is None else await self._encode_single(chunk, spec)
            for chunk, spec in chunks_and_specs
        ]


class ArrayArrayCodec(BaseCodec[NDBuffer, NDBuffer]):
    """Base class of array-to-array codecs."""


class ArrayBytesCodec(BaseCodec[NDBuffer, Buffer]):
    """Base class of array-to-bytes codecs."""


class BytesBytesCodec(BaseCodec[Buffer, Buffer]):
    """Base class of bytes-to-bytes codecs."""


Codec = ArrayArrayCodec | ArrayBytesCodec | BytesBytesCodec


class ArrayBytesCodecPartialDecodeMixin:
    """For array-to-bytes codecs that can decode part of a chunk from byte ranges.

    anyzarr plans partial reads itself (sharding); it does not call these.
    """

    async def _decode_partial_single(
        self, byte_getter: Any, selection: Any, chunk_spec: ArraySpec
    ) -> NDBuffer | None:
        raise NotImplementedError(f"{type(self).__name__} does not decode partially")

    async def decode_partial(
        self, batch_info: Iterable[tuple[Any, Any, ArraySpec]]
    ) -> Iterable[NDBuffer | None]:
        """Decode a selection of each chunk, fetching only the bytes it needs."""
        return [await self._decode_partial_single(*info) for info in batch_info]


class ArrayBytesCodecPartialEncodeMixin:
    """For array-to-bytes codecs that can write part of a chunk.

    anyzarr plans partial writes itself (sharding); it does not call these.
    """

    async def _encode_partial_single(
        self, byte_setter: Any, chunk_array: NDBuffer, selection: Any, chunk_spec: ArraySpec
    ) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not encode partially")

    async def encode_partial(
        self, batch_info: Iterable[tuple[Any, NDBuffer, Any, ArraySpec]]
    ) -> None:
        """Write a selection of each chunk."""
        for info in batch_info:
            await self._encode_partial_single(*info)


class CodecPipeline:
    """zarr-python's codec pipeline interface (``zarr.abc.codec.CodecPipeline``).

    anyzarr runs its own pipeline; this class is here so that pipelines
    written for zarr-python can be defined and registered
    (``anyzarr.registry.register_pipeline``).  anyzarr does not run them.
    """

    @abstractmethod
    def evolve_from_array_spec(self, array_spec: ArraySpec) -> Self: ...

    @classmethod
    @abstractmethod
    def from_codecs(cls, codecs: Iterable[Any]) -> Self: ...

    @classmethod
    def from_array_metadata_and_store(cls, array_metadata: Any, store: Any) -> Self:
        raise NotImplementedError(
            f"'{cls.__name__}' does not implement CodecPipeline.from_array_metadata_and_store."
        )

    @property
    @abstractmethod
    def supports_partial_decode(self) -> bool: ...

    @property
    @abstractmethod
    def supports_partial_encode(self) -> bool: ...

    @abstractmethod
    def validate(self, *, shape: tuple[int, ...], dtype: Any, chunk_grid: Any) -> None: ...

    @abstractmethod
    def compute_encoded_size(self, byte_length: int, array_spec: ArraySpec) -> int: ...

    @abstractmethod
    async def decode(
        self, chunk_bytes_and_specs: Iterable[tuple[Buffer | None, ArraySpec]]
    ) -> Iterable[NDBuffer | None]: ...

    @abstractmethod
    async def encode(
        self, chunk_arrays_and_specs: Iterable[tuple[NDBuffer | None, ArraySpec]]
    ) -> Iterable[Buffer | None]: ...

    @abstractmethod
    async def read(
        self, batch_info: Iterable[Any], out: NDBuffer, drop_axes: tuple[int, ...] = ()
    ) -> tuple[GetResult, ...]: ...

    @abstractmethod
    async def write(
        self, batch_info: Iterable[Any], value: NDBuffer, drop_axes: tuple[int, ...] = ()
    ) -> None: ...


def _check_codecjson_v2(data: object) -> bool:
    """Whether ``data`` looks like a Zarr v2 codec document (``{"id": str, ...}``)."""
    return isinstance(data, Mapping) and isinstance(data.get("id"), str)
