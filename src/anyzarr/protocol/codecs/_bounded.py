"""Decompression that never produces more than a given number of bytes.

Chunk bytes are untrusted: a few kilobytes of gzip or zstd can expand to
gigabytes, a blosc or lz4 header can state any size, and numcodecs' blosc
reads as many bytes as the header claims whatever the buffer holds.  Every
decoder here takes ``max_nbytes``, the most the caller can legitimately
receive (for the innermost compressor of a fixed-size chunk, its exact
byte size), and either returns at most that many bytes or raises
``ChunkDecodeError`` naming the key.  Sizes stated in headers are checked
against the data and the limit *before* anything is allocated; formats
without a usable header are decompressed in a streaming way that stops at
the limit.  Memory use is therefore bounded by ``max_nbytes`` plus the
compressed input.

``decode_bounded(codec, data, max_nbytes, key)`` is the entry point; it takes
a v3 bytes->bytes codec or a numcodecs codec (a v2 compressor).
"""

from __future__ import annotations

import bz2
import lzma
import struct
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
from numcodecs import blosc as _blosc
from numcodecs import zstd as _zstd
from numcodecs.abc import Codec as NumcodecsCodec

from anyzarr.protocol._errors import ChunkDecodeError
from anyzarr.protocol.codecs._base import BytesBytesCodec, ChunkSpec, RawBytes
from anyzarr.protocol.codecs._zstd_contexts import zstd_decompress_pooled

__all__ = [
    "VARIABLE_CHUNK_LIMIT",
    "blosc_check",
    "bytes_view",
    "compressed_bound",
    "blosc_decompress",
    "decode_bounded",
    "gzip_decompress",
    "numcodecs_decode_bounded",
    "zstd_bound",
    "zstd_stated_size",
    "zlib_decompress",
    "zstd_decompress",
]

#: The decoded size allowed when the metadata does not determine it
#: (variable-length strings and bytes, v2 object codecs, codecs anyzarr does
#: not know): 2 GiB, the most one blosc or lz4 buffer can hold anyway.
VARIABLE_CHUNK_LIMIT = (1 << 31) - 1

_BLOSC_HEADER = 16
_BLOSC_FIELDS = struct.Struct("<BBBBIII")  # versions, flags, typesize, sizes
_BLOSC_MEMCPYED = 0x02
_ZSTD_MAGIC = 0xFD2FB528
_ZSTD_BLOCK_MAX = 128 * 1024
_LZMA_MEMLIMIT_FLOOR = 96 << 20
_ZSTD_HEAD = struct.Struct("<I")
_DID_SIZES = (0, 1, 2, 4)
_FCS_SIZES = (0, 2, 4, 8)


def compressed_bound(size: int) -> int:
    """An upper bound on what any common compressor makes of ``size`` bytes.

    Worst cases: blosc adds 16 bytes, zstd about 0.4%, deflate about 0.1%,
    lz4 0.4%, bz2 1% plus 600 bytes; this allows 3% plus 4 KiB.
    """
    return size + (size >> 5) + 4096


def bytes_view(data: RawBytes) -> memoryview:
    view = data if isinstance(data, memoryview) else memoryview(data)
    if not view.c_contiguous:
        view = memoryview(view.tobytes())
    if view.ndim != 1 or view.format != "B":
        view = view.cast("B")
    return view


def _too_big(name: str, size: int | str, max_nbytes: int, key: str) -> ChunkDecodeError:
    return ChunkDecodeError(
        f"codec {name!r}: chunk decodes to {size} bytes, more than the {max_nbytes} "
        "it can hold (corrupt data or a decompression bomb)",
        key,
    )


# -- blosc ----------------------------------------------------------------------


def blosc_check(data: RawBytes, max_nbytes: int, key: str) -> int:
    """Validate a blosc (v1) header against the buffer; return the decoded size.

    numcodecs trusts the header's compressed size and reads that many bytes
    from wherever the buffer starts, so a short or truncated chunk would be
    decoded from memory that is not its own.  Cheap (about a microsecond):
    it runs for every blosc chunk, including the small-chunk fast path.
    """
    size = memoryview(data).nbytes
    if size < _BLOSC_HEADER:
        raise ChunkDecodeError(f"codec 'blosc': {size} bytes cannot hold the 16-byte header", key)
    fields: tuple[int, ...] = _BLOSC_FIELDS.unpack_from(data)
    _, _, flags, _, nbytes, blocksize, cbytes = fields
    if cbytes != size:
        raise ChunkDecodeError(
            f"codec 'blosc': header states {cbytes} compressed bytes, the chunk has "
            f"{size} (truncated or corrupt)",
            key,
        )
    if nbytes > max_nbytes:
        raise _too_big("blosc", nbytes, max_nbytes, key)
    if flags & _BLOSC_MEMCPYED:
        if cbytes != nbytes + _BLOSC_HEADER:
            raise ChunkDecodeError("codec 'blosc': inconsistent header (stored raw)", key)
    elif nbytes:
        if blocksize <= 0:
            raise ChunkDecodeError("codec 'blosc': header states a block size of 0", key)
        if _BLOSC_HEADER + 4 * -(-nbytes // blocksize) > cbytes:
            raise ChunkDecodeError("codec 'blosc': header states more blocks than stored", key)
    return int(nbytes)


def blosc_decompress(data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
    """Decompress a blosc buffer of at most ``max_nbytes`` decoded bytes."""
    view = bytes_view(data)
    blosc_check(view, max_nbytes, key)
    try:
        return _blosc.decompress(view)  # type: ignore[no-any-return]
    except Exception as exc:
        raise ChunkDecodeError(f"codec 'blosc': cannot decode: {exc}", key) from exc


# -- zstd -----------------------------------------------------------------------


def _zstd_frame(view: memoryview, pos: int, key: str) -> tuple[int | None, int, bool, int]:
    """The zstd frame header at ``pos``: (content size, window size, checksum?, header end)."""
    if view.nbytes < pos + 5:
        raise ChunkDecodeError("codec 'zstd': truncated frame header", key)
    descriptor = view[pos + 4]
    if descriptor & 0x08:
        raise ChunkDecodeError("codec 'zstd': reserved bit set in frame header", key)
    single_segment = bool(descriptor & 0x20)
    at = pos + 5
    window = 0
    if not single_segment:
        if view.nbytes < at + 1:
            raise ChunkDecodeError("codec 'zstd': truncated frame header", key)
        exponent, mantissa = view[at] >> 3, view[at] & 7
        base = 1 << (10 + exponent)
        window = base + (base >> 3) * mantissa
        at += 1
    at += _DID_SIZES[descriptor & 0x03]
    fcs_size = _FCS_SIZES[descriptor >> 6] or (1 if single_segment else 0)
    if view.nbytes < at + fcs_size:
        raise ChunkDecodeError("codec 'zstd': truncated frame header", key)
    content: int | None = None
    if fcs_size:
        content = int.from_bytes(view[at : at + fcs_size], "little")
        if fcs_size == 2:
            content += 256
        if single_segment:
            window = content
    return content, window, bool(descriptor & 0x04), at + fcs_size


def zstd_stated_size(data: RawBytes) -> int | None:
    """The content size the first zstd frame header states; None when absent or malformed.

    The fast check for small chunks: a few index operations, no copies.
    """
    try:
        if _ZSTD_HEAD.unpack_from(data)[0] != _ZSTD_MAGIC:
            return None
        view = data if isinstance(data, bytes) else memoryview(data).cast("B")
        descriptor = view[4]
        if descriptor & 0x08:
            return None
        single = descriptor & 0x20
        at = 5 + (0 if single else 1) + _DID_SIZES[descriptor & 0x03]
        fcs = _FCS_SIZES[descriptor >> 6] or (1 if single else 0)
        if not fcs:
            return None
        value = int.from_bytes(view[at : at + fcs], "little")
        if len(view[at : at + fcs]) != fcs:
            return None
    except (struct.error, IndexError, TypeError, ValueError):
        return None
    return value + 256 if fcs == 2 else value


def zstd_bound(data: RawBytes, key: str) -> tuple[int, bool]:
    """An upper bound on what zstd ``data`` decodes to, and whether it is exact.

    Exact when the first frame states its content size (numcodecs always
    writes it).  Otherwise the block headers of every frame are walked: raw
    and RLE blocks state their size, a compressed block yields at most the
    smaller of the window and 128 KiB.
    """
    view = bytes_view(data)
    if view.nbytes < 4 or int.from_bytes(view[:4], "little") != _ZSTD_MAGIC:
        raise ChunkDecodeError("codec 'zstd': not a zstd frame", key)
    content, _, _, _ = _zstd_frame(view, 0, key)
    if content is not None:
        return content, True
    total = 0
    pos = 0
    end = view.nbytes
    while pos < end:
        if end - pos < 8:
            raise ChunkDecodeError("codec 'zstd': truncated frame", key)
        magic = int.from_bytes(view[pos : pos + 4], "little")
        if magic & 0xFFFFFFF0 == 0x184D2A50:  # a skippable frame
            pos += 8 + int.from_bytes(view[pos + 4 : pos + 8], "little")
            continue
        if magic != _ZSTD_MAGIC:
            raise ChunkDecodeError("codec 'zstd': garbage after a frame", key)
        content, window, checksum, pos = _zstd_frame(view, pos, key)
        block_max = min(window or _ZSTD_BLOCK_MAX, _ZSTD_BLOCK_MAX)
        frame_total = 0
        last = 0
        while not last:
            if end - pos < 3:
                raise ChunkDecodeError("codec 'zstd': truncated block header", key)
            header = int.from_bytes(view[pos : pos + 3], "little")
            last, kind, size = header & 1, (header >> 1) & 3, header >> 3
            pos += 3
            if kind == 0:  # raw
                frame_total += size
                pos += size
            elif kind == 1:  # RLE: one byte, repeated ``size`` times
                frame_total += size
                pos += 1
            elif kind == 2:  # compressed: at most one block's worth
                frame_total += block_max
                pos += size
            else:
                raise ChunkDecodeError("codec 'zstd': reserved block type", key)
            if pos > end:
                raise ChunkDecodeError("codec 'zstd': truncated block", key)
        total += frame_total if content is None else min(content, frame_total)
        pos += 4 if checksum else 0
    return total, False


def zstd_decompress(data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
    """Decompress zstd ``data`` to at most ``max_nbytes`` bytes."""
    view = bytes_view(data)
    bound, exact = zstd_bound(view, key)
    # Without a stated size the bound counts every compressed block as full;
    # one block of slack keeps a legitimate final partial block acceptable.
    if bound > (max_nbytes if exact else max_nbytes + _ZSTD_BLOCK_MAX):
        raise _too_big("zstd", bound if exact else f"up to {bound}", max_nbytes, key)
    if exact:
        try:
            pooled = zstd_decompress_pooled(view)
        except Exception:  # numcodecs below decides what the bytes mean
            pooled = None
        if pooled is not None and len(pooled) == bound:
            return pooled
    try:
        out: bytes = _zstd.decompress(view)
    except Exception as exc:
        raise ChunkDecodeError(f"codec 'zstd': cannot decode: {exc}", key) from exc
    if len(out) > max_nbytes:
        raise _too_big("zstd", len(out), max_nbytes, key)
    return out


# -- the zlib family, bz2 and lzma: streaming with a cap -------------------------


def _stream(
    name: str,
    make: Callable[[], Any],
    data: RawBytes,
    max_nbytes: int,
    key: str,
    errors: tuple[type[Exception], ...],
    *,
    members: bool,
) -> RawBytes:
    """Run decompressor objects over ``data`` (several members if ``members``), capped."""
    parts: list[bytes] = []
    produced = 0
    rest: RawBytes = data
    try:
        while True:
            d = make()
            part = d.decompress(rest, max_nbytes - produced + 1)
            produced += len(part)
            if produced > max_nbytes:
                raise _too_big(name, f"more than {max_nbytes}", max_nbytes, key)
            if not d.eof:
                raise ChunkDecodeError(f"codec {name!r}: truncated data", key)
            parts.append(part)
            rest = d.unused_data
            if not (members and rest):
                break
    except errors as exc:
        raise ChunkDecodeError(f"codec {name!r}: cannot decode: {exc}", key) from exc
    return parts[0] if len(parts) == 1 else b"".join(parts)


def gzip_decompress(data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
    """gzip (one or more members) to at most ``max_nbytes`` bytes."""
    return _stream(
        "gzip",
        lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
        data,
        max_nbytes,
        key,
        (zlib.error,),
        members=True,
    )


def zlib_decompress(data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
    """A zlib stream to at most ``max_nbytes`` bytes."""
    return _stream("zlib", zlib.decompressobj, data, max_nbytes, key, (zlib.error,), members=False)


def _bz2(data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
    return _stream(
        "bz2", bz2.BZ2Decompressor, data, max_nbytes, key, (OSError, ValueError), members=True
    )


def _lzma(codec: NumcodecsCodec, data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
    fmt = getattr(codec, "format", lzma.FORMAT_AUTO)
    filters = getattr(codec, "filters", None)
    # The dictionary size comes from the stream's header; preset 9 needs
    # 64 MiB, so a header asking for more than that (or than the data can
    # use) is refused instead of allocated.
    memlimit = max(2 * max_nbytes, _LZMA_MEMLIMIT_FLOOR)
    make: Callable[[], Any] = (
        (lambda: lzma.LZMADecompressor(format=fmt, filters=filters))
        if fmt == lzma.FORMAT_RAW
        else (lambda: lzma.LZMADecompressor(format=fmt, memlimit=memlimit))
    )
    return _stream("lzma", make, data, max_nbytes, key, (lzma.LZMAError,), members=True)


def _lz4(codec: NumcodecsCodec, data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
    view = bytes_view(data)
    if view.nbytes < 4:
        raise ChunkDecodeError(f"codec 'lz4': {view.nbytes} bytes cannot hold the header", key)
    stated = int.from_bytes(view[:4], "little")
    if stated > max_nbytes:
        raise _too_big("lz4", stated, max_nbytes, key)
    return _checked_decode(codec, view, max_nbytes, key)


def _checked_decode(codec: NumcodecsCodec, data: RawBytes, max_nbytes: int, key: str) -> RawBytes:
    try:
        out = codec.decode(data)
    except Exception as exc:
        raise ChunkDecodeError(f"codec {codec.codec_id!r}: cannot decode: {exc}", key) from exc
    if memoryview(out).nbytes > max_nbytes:
        raise _too_big(codec.codec_id, memoryview(out).nbytes, max_nbytes, key)
    return out  # type: ignore[no-any-return]


# Codecs whose output is never larger than their input (checksums strip
# bytes, shuffle and base64 do not grow): decoded as they are.
_NOT_GROWING = frozenset(
    {"crc32", "crc32c", "adler32", "fletcher32", "jenkins_lookup3", "shuffle", "base64"}
)


def numcodecs_decode_bounded(
    codec: NumcodecsCodec, data: RawBytes, max_nbytes: int, key: str
) -> RawBytes:
    """Decode with a numcodecs bytes codec (a v2 compressor), at most ``max_nbytes`` out.

    blosc, zstd, gzip, zlib, bz2, lzma and lz4 are bounded before or while
    decoding; checksums and other codecs that cannot grow their input are
    decoded as they are; any other codec is decoded and then its output
    checked (its memory is not bounded: anyzarr does not know its format).
    """
    codec_id = codec.codec_id
    if codec_id == "blosc":
        return blosc_decompress(data, max_nbytes, key)
    if codec_id == "zstd":
        return zstd_decompress(data, max_nbytes, key)
    if codec_id == "gzip":
        return gzip_decompress(data, max_nbytes, key)
    if codec_id == "zlib":
        return zlib_decompress(data, max_nbytes, key)
    if codec_id == "bz2":
        return _bz2(data, max_nbytes, key)
    if codec_id == "lzma":
        return _lzma(codec, data, max_nbytes, key)
    if codec_id == "lz4":
        return _lz4(codec, data, max_nbytes, key)
    return _checked_decode(codec, data, max_nbytes, key)


def decode_bounded(
    codec: BytesBytesCodec | NumcodecsCodec,
    data: RawBytes,
    max_nbytes: int,
    key: str,
    spec: ChunkSpec | None = None,
) -> RawBytes:
    """Decode ``data`` with ``codec``, producing at most ``max_nbytes`` bytes.

    ``codec`` is a v3 bytes->bytes codec (``BloscCodec``, ``ZstdCodec``,
    ``GzipCodec``, ``numcodecs.*`` wrappers, ``Crc32cCodec``, third-party
    ones) or a numcodecs codec object (a v2 compressor).  ``max_nbytes`` is
    the most the caller can use: for the compressor next to the ``bytes``
    codec, the chunk's exact byte size.  ``spec`` is passed to v3 codecs
    that want it (none of anyzarr's do).  Raises ``ChunkDecodeError``
    naming ``key`` when the data is corrupt, truncated, or would decode to
    more than ``max_nbytes``; nothing larger than ``max_nbytes`` (plus, for
    a zstd frame without a stated size, one 128 KiB block) is allocated for
    anyzarr's own codecs.
    """
    if isinstance(codec, BytesBytesCodec):
        if spec is None:
            spec = ChunkSpec(shape=(max_nbytes,), dtype=np.dtype("u1"), fill_value=0)
        return codec.decode_bounded(data, spec, key, max_nbytes)
    return numcodecs_decode_bounded(codec, data, max_nbytes, key)
