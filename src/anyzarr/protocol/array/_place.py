"""Decoding stored objects and placing their selected parts in a read's output.

This is the one decode-and-place routine every way of reading shares, with
its shortcuts in the order they are tried for each whole object:

1. a whole shard is decoded inner chunk by inner chunk straight into its
   place in the output (no shard-sized intermediate);
2. a blosc chunk (plain chain) of which the read wants a few elements has
   only the blocks holding them decoded (`BloscFrame`), into scratch memory;
3. small chunks of a plain blosc or zstd chain are decompressed one by one
   and copied out (the batch machinery costs more than it saves for them);
4. larger ones are decompressed straight into the output when they land
   there whole and contiguous, else into reusable scratch memory;
5. everything else goes through the pipeline's batch decode.

A chunk a shortcut cannot handle (an unusual layout, or bytes that fail its
header checks) falls through to the next, and finally to the batch decode,
which reports bad bytes precisely.  Missing objects put the fill value in
their place, or are recorded when the read must not fill them in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._fill_value import fill_scalar
from anyzarr.protocol.array._stored import DIRECT_MIN_BYTES, StoredArray
from anyzarr.protocol.buffer import Buffer
from anyzarr.protocol.codecs import (
    BloscCodec,
    ChunkSpec,
    DirectDecoder,
    ReadPlan,
    ShardingCodec,
)
from anyzarr.protocol.codecs._base import RawBytes
from anyzarr.protocol.codecs._blosc_blocks import BloscFrame, touched_blocks
from anyzarr.protocol.codecs._plans import to_raw
from anyzarr.protocol.indexing import ChunkProjection

__all__ = ["BLOCKS_MAX_SHARE", "DIRECT_MIN_BYTES", "ChunkPlacer", "Scratch"]

#: A blosc chunk is decoded block by block when the read needs at most this
#: share of its blocks (and of its elements); otherwise whole.  Measured on
#: 1 MiB float32 chunks: one block of eight (zstd) decodes in 194 µs against
#: 696 µs for the whole chunk, but one block of two (lz4) takes 212 µs
#: against 126 µs whole (blosc decodes whole frames on several threads, and
#: unshuffles with SIMD).
BLOCKS_MAX_SHARE = 0.25

#: Gives a writable byte buffer of at least the size asked for, which the
#: caller may reuse once the chunk decoded into it has been copied out.
Scratch = Callable[[int], npt.NDArray[np.uint8]]

StoredBytes = RawBytes | Buffer


def _fresh_scratch(nbytes: int) -> npt.NDArray[np.uint8]:
    return np.empty(nbytes, dtype=np.uint8)


def _all_slices(selection: tuple[Any, ...], ndim: int) -> bool:
    return len(selection) == ndim and all(type(s) is slice for s in selection)


class ChunkPlacer:
    """Puts decoded objects of one read into its output array.

    Safe to call from several threads at once for different objects: each
    writes only its own part of the output.
    """

    def __init__(
        self,
        array: StoredArray,
        projections: Sequence[ChunkProjection],
        keys: Sequence[str],
        out: npt.NDArray[Any],
        *,
        read_missing_chunks: bool = True,
    ) -> None:
        self._array = array
        self._projections = projections
        self._keys = keys
        self._out = out
        self._read_missing = read_missing_chunks
        #: Keys of objects that were missing when they must not be (see ``read_missing_chunks``).
        self.missing: list[str] = []
        spec = array.spec
        self._fill = fill_scalar(spec.dtype, spec.fill_value)
        self._shard: ShardingCodec | None = array.pipeline.sharding_codec if array.on_host else None

    # -- one object at a time --------------------------------------------------

    def place(self, unit: int, selected: npt.NDArray[Any] | None) -> None:
        """Copy ``selected`` (the object's share of the output) into place; None: missing."""
        out_selection = self._projections[unit].out_selection
        if selected is not None:
            self._out[out_selection] = selected
        elif self._read_missing:
            self._out[out_selection] = self._fill
        else:
            self.missing.append(self._keys[unit])

    def place_with(self, unit: int, plan: ReadPlan) -> bool:
        """Let ``plan`` decode straight into ``unit``'s place in the output, when it is a view.

        Only slices (and integers, whose axes the plan keeps as length 1)
        select a view; False leaves the placing to `place`.
        """
        p = self._projections[unit]
        osel, csel = p.out_selection, p.chunk_selection
        if not all(type(s) is slice for s in osel) or not all(
            type(s) is slice or isinstance(s, int | np.integer) for s in csel
        ):
            return False
        dropped = tuple(axis for axis, s in enumerate(csel) if type(s) is not slice)
        dest = self._out[(*osel, ...)]  # the ellipsis keeps a 0-d result a view
        if dropped:
            dest = np.expand_dims(dest, dropped)
        return plan.result_into(dest)

    # -- whole objects ---------------------------------------------------------

    def place_whole(
        self,
        units: Sequence[int],
        datas: Sequence[StoredBytes | None],
        spec: ChunkSpec,
        scratch: Scratch | None = None,
    ) -> None:
        """Decode whole stored objects of ``spec`` and place them.

        ``datas[i]`` is unit ``units[i]``'s bytes.  They may be views of
        memory the caller reuses afterwards: every object is decoded and
        copied out before this returns.
        """
        todo: list[int] = []
        rest: list[StoredBytes] = []
        shard = self._shard
        small, direct = self._array.direct_decoders(spec)
        take = scratch if scratch is not None else _fresh_scratch
        plain = direct if direct is not None else small
        blosc = plain if plain is not None and type(plain.compressor) is BloscCodec else None
        for unit, data in zip(units, datas, strict=True):
            if data is None:
                self.place(unit, None)
            elif (
                (shard is not None and self._shard_into(shard, spec, unit, data))
                or (blosc is not None and self._decode_blocks(blosc, unit, data, take))
                or (small is not None and self._decode_small(small, unit, data))
                or (direct is not None and self._decode_direct(direct, unit, data, take))
            ):
                continue
            else:
                todo.append(unit)
                rest.append(data)
        if not todo:
            return
        decoded = self._array.pipeline.decode_batch(rest, spec, [self._keys[u] for u in todo])
        projections = self._projections
        for unit, chunk in zip(todo, decoded, strict=True):
            self.place(unit, None if chunk is None else chunk[projections[unit].chunk_selection])

    def _shard_into(
        self, shard: ShardingCodec, spec: ChunkSpec, unit: int, data: StoredBytes
    ) -> bool:
        """Decode a whole shard's selected inner chunks straight into the output."""
        p = self._projections[unit]
        osel, csel = p.out_selection, p.chunk_selection
        ndim = len(spec.shape)
        if not (_all_slices(osel, ndim) and _all_slices(csel, ndim)):
            return False
        dest = self._out[(*osel, ...)]  # the ellipsis keeps a 0-d result a view
        if dest.dtype != spec.dtype:
            return False
        shard.decode_into(data, spec, self._keys[unit], csel, dest)
        return True

    def _decode_blocks(
        self, decoder: DirectDecoder, unit: int, data: StoredBytes, scratch: Scratch
    ) -> bool:
        """Decode only the blosc blocks holding the elements the read wants from the chunk."""
        p = self._projections[unit]
        if p.is_complete:
            return False
        spec = decoder.spec
        raw = to_raw(data)
        frame = None if raw is None else BloscFrame.parse(raw, decoder.nbytes, self._keys[unit])
        if frame is None or frame.nblocks < 4:
            return False
        elements = decoder.nbytes // max(1, spec.dtype.itemsize)
        blocks = touched_blocks(
            p.chunk_selection,
            spec.shape,
            spec.dtype.itemsize,
            frame.blocksize,
            int(elements * BLOCKS_MAX_SHARE),
        )
        if blocks is None or len(blocks) > frame.nblocks * BLOCKS_MAX_SHARE:
            return False
        target = scratch(decoder.nbytes)[: decoder.nbytes]
        frame.decode_blocks(blocks, target)
        self.place(unit, decoder.as_chunk(target)[p.chunk_selection])
        return True

    def _decode_small(self, small: DirectDecoder, unit: int, data: StoredBytes) -> bool:
        chunk = small.decode(data)
        if chunk is None:
            return False
        p = self._projections[unit]
        self._out[p.out_selection] = chunk[p.chunk_selection]
        return True

    def _decode_direct(
        self, direct: DirectDecoder, unit: int, data: StoredBytes, scratch: Scratch
    ) -> bool:
        """Decompress into the output itself when the chunk lands there whole, else via scratch."""
        p = self._projections[unit]
        sel = p.out_selection
        spec = direct.spec
        if p.is_complete and _all_slices(sel, len(sel)):
            dest = self._out[(*sel, ...)]  # a view: only slices (the ellipsis keeps 0-d a view)
            if dest.flags.c_contiguous and dest.shape == spec.shape and dest.dtype == spec.dtype:
                return direct.decode_into(data, dest.reshape(-1).view(np.uint8))
        target = scratch(direct.nbytes)
        if not direct.decode_into(data, target):
            return False
        self._out[sel] = direct.as_chunk(target)[p.chunk_selection]
        return True
