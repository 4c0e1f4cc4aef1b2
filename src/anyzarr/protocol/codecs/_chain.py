"""A v3 codec chain: array->array codecs, one array->bytes codec, bytes->bytes codecs.

``CodecChain`` applies the chain to single chunks and to batches.  It is the
engine of both the top-level pipeline and of the inner chunks of a shard, so
it knows nothing about stores or keys beyond naming them in errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.codecs._base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
    RawBytes,
)
from anyzarr.protocol.codecs._bounded import VARIABLE_CHUNK_LIMIT

__all__ = ["CodecChain"]


class CodecChain:
    """An ordered, validated list of v3 codecs."""

    def __init__(self, codecs: Sequence[Codec]) -> None:
        aa: list[ArrayArrayCodec] = []
        ab: ArrayBytesCodec | None = None
        bb: list[BytesBytesCodec] = []
        for codec in codecs:
            if isinstance(codec, ArrayArrayCodec):
                if ab is not None:
                    raise MetadataValidationError(
                        f"codecs: array->array codec {codec.codec_name!r} after the array->bytes codec"
                    )
                aa.append(codec)
            elif isinstance(codec, ArrayBytesCodec):
                if ab is not None:
                    raise MetadataValidationError(
                        f"codecs: more than one array->bytes codec ({ab.codec_name!r}, "
                        f"{codec.codec_name!r})"
                    )
                ab = codec
            elif isinstance(codec, BytesBytesCodec):
                if ab is None:
                    raise MetadataValidationError(
                        f"codecs: bytes->bytes codec {codec.codec_name!r} before the array->bytes codec"
                    )
                bb.append(codec)
            else:
                raise MetadataValidationError(f"codecs: {codec!r} is not a codec")
        if ab is None:
            raise MetadataValidationError(
                "codecs: an array->bytes codec (such as 'bytes') is required"
            )
        self.array_array: tuple[ArrayArrayCodec, ...] = tuple(aa)
        self.array_bytes: ArrayBytesCodec = ab
        self.bytes_bytes: tuple[BytesBytesCodec, ...] = tuple(bb)

    @property
    def codecs(self) -> tuple[Codec, ...]:
        return (*self.array_array, self.array_bytes, *self.bytes_bytes)

    def specs(self, spec: ChunkSpec) -> list[ChunkSpec]:
        """The spec entering each array->array codec, then the one entering array->bytes."""
        out = [spec]
        for codec in self.array_array:
            out.append(codec.resolve_spec(out[-1]))
        return out

    @staticmethod
    def check(codecs: Sequence[Codec], spec: ChunkSpec) -> None:
        """``CodecChain(codecs).validate(spec)`` without building the chain.

        Metadata checks its codecs against its data type whenever it is
        built (thousands of times when a consolidated group opens); the
        usual chain (in order, one array->bytes codec) is checked in one
        pass, and anything else is left to the constructor's errors.
        """
        current = spec
        stage = 0  # 0: array->array codecs so far, 1: past the array->bytes codec
        for codec in codecs:
            kind = getattr(codec, "kind", None)
            if kind == "array_to_array" and stage == 0:
                codec.validate(current)
                current = cast(ArrayArrayCodec, codec).resolve_spec(current)
            elif kind == "array_to_bytes" and stage == 0:
                codec.validate(current)
                stage = 1
            elif kind != "bytes_to_bytes" or stage == 0:
                CodecChain(codecs)  # raises, naming what is out of order
        if stage == 0:
            CodecChain(codecs)

    def validate(self, spec: ChunkSpec) -> None:
        specs = self.specs(spec)
        for codec, s in zip(self.array_array, specs, strict=False):
            codec.validate(s)
        self.array_bytes.validate(specs[-1])

    def compute_encoded_size(self, spec: ChunkSpec) -> int:
        """Encoded size of one chunk, for chains whose output size is fixed."""
        size = self.array_bytes.compute_encoded_size(self.specs(spec)[-1])
        for codec in self.bytes_bytes:
            size = codec.compute_encoded_size(size)
        return size

    def max_encoded_size(self, spec: ChunkSpec) -> int | None:
        """The most bytes one encoded chunk of ``spec`` can take (None: not bounded)."""
        size = self.array_bytes.max_encoded_size(self.specs(spec)[-1])
        for codec in self.bytes_bytes:
            if size is None:
                return None
            size = codec.max_encoded_size(size)
        return size

    def decode_limits(self, ab_spec: ChunkSpec) -> list[int]:
        """For each bytes->bytes codec, the most bytes its decode may produce.

        The one next to the array->bytes codec may produce what that codec
        can take (exactly the chunk's size for ``bytes``); each further out
        may produce the worst-case encoding of the one inside it.
        """
        limits: list[int] = []
        size = self.array_bytes.max_encoded_size(ab_spec)
        for codec in self.bytes_bytes:
            limits.append(VARIABLE_CHUNK_LIMIT if size is None else size)
            size = None if size is None else codec.max_encoded_size(size)
        return limits

    # -- batches --------------------------------------------------------------

    def decode_batch(
        self, chunks: Sequence[RawBytes | None], spec: ChunkSpec, keys: Sequence[str]
    ) -> list[npt.NDArray[Any] | None]:
        # Stage by stage over the whole batch, so each codec can hoist its
        # per-spec work out of the per-chunk loop.
        specs = self.specs(spec)
        ab_spec = specs[-1]
        present = [i for i, c in enumerate(chunks) if c is not None]
        datas: list[RawBytes] = [chunks[i] for i in present]  # type: ignore[misc]
        names = [keys[i] for i in present] if len(present) != len(keys) else list(keys)
        if self.bytes_bytes:
            limits = self.decode_limits(ab_spec)
            for b, limit in zip(self.bytes_bytes[::-1], limits[::-1], strict=True):
                datas = [
                    b.decode_bounded(d, ab_spec, k, limit)
                    for d, k in zip(datas, names, strict=True)
                ]
        arrays = self.array_bytes.decode_many(datas, ab_spec, names)
        for i in range(len(self.array_array) - 1, -1, -1):
            codec, s = self.array_array[i], specs[i]
            arrays = [codec.decode(a, s) for a in arrays]
        if len(present) == len(chunks):
            return list(arrays)
        out: list[npt.NDArray[Any] | None] = [None] * len(chunks)
        for i, array in zip(present, arrays, strict=True):
            out[i] = array
        return out

    def encode_batch(
        self, arrays: Sequence[npt.NDArray[Any] | None], spec: ChunkSpec
    ) -> list[RawBytes | None]:
        specs = self.specs(spec)
        ab_spec = specs[-1]
        out: list[RawBytes | None] = []
        for array in arrays:
            if array is None:
                out.append(None)
                continue
            for codec, s in zip(self.array_array, specs, strict=False):
                array = codec.encode(array, s)
            data = self.array_bytes.encode(np.asarray(array), ab_spec)
            if data is None:
                out.append(None)
                continue
            for b in self.bytes_bytes:
                data = b.encode(data, ab_spec)
            out.append(data)
        return out
