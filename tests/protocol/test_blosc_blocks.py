"""Decoding some blocks of a blosc frame agrees with numcodecs decoding it whole."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numcodecs import Blosc

from anyzarr.errors import ChunkDecodeError
from anyzarr.protocol.codecs._blosc_blocks import BloscFrame, touched_blocks

DTYPES = ["u1", "<i2", "<f4", "<f8", "<c16", "V3"]


def _frame(data: np.ndarray, cname: str, shuffle: int, blocksize: int) -> bytes:
    codec = Blosc(cname=cname, clevel=5, shuffle=shuffle, blocksize=blocksize)
    return bytes(codec.encode(data))


@settings(max_examples=150, deadline=None)
@given(
    dtype=st.sampled_from(DTYPES),
    count=st.integers(1, 5000),
    cname=st.sampled_from(["lz4", "lz4hc", "zstd", "zlib"]),
    shuffle=st.sampled_from([Blosc.NOSHUFFLE, Blosc.SHUFFLE]),
    blocksize=st.sampled_from([0, 128, 256, 1000, 4096]),
    seed=st.integers(0, 2**32 - 1),
    repetitive=st.booleans(),
)
def test_blocks_decode_to_the_bytes_of_a_whole_decode(
    dtype: str, count: int, cname: str, shuffle: int, blocksize: int, seed: int, repetitive: bool
) -> None:
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 4 if repetitive else 256, count * np.dtype(dtype).itemsize, np.uint8)
    data = raw.view(dtype)
    frame_bytes = _frame(data, cname, shuffle, blocksize)
    expected = np.frombuffer(Blosc().decode(frame_bytes), np.uint8)
    frame = BloscFrame.parse(frame_bytes, raw.nbytes, "k")
    if frame is None:  # stored as is: the caller decodes it whole
        return
    out = np.full(raw.nbytes, 0xAB, np.uint8)
    blocks = sorted(set(rng.integers(0, frame.nblocks, 3).tolist()))
    frame.decode_blocks(blocks, out)
    for block in range(frame.nblocks):
        part = slice(block * frame.blocksize, (block + 1) * frame.blocksize)
        if block in blocks:
            assert np.array_equal(out[part], expected[part]), block
        else:
            assert (out[part] == 0xAB).all()
    frame.decode_blocks(range(frame.nblocks), out)
    assert np.array_equal(out, expected)


@pytest.mark.parametrize(
    ("cname", "shuffle"),
    [("blosclz", Blosc.SHUFFLE), ("snappy", Blosc.SHUFFLE), ("lz4", Blosc.BITSHUFFLE)],
)
def test_frames_without_a_block_decoder_are_left_to_the_whole_decode(
    cname: str, shuffle: int
) -> None:
    data = np.arange(100_000, dtype="<f4")
    try:
        frame_bytes = _frame(data, cname, shuffle, 4096)
    except ValueError:
        pytest.skip(f"blosc here has no {cname}")
    assert BloscFrame.parse(frame_bytes, data.nbytes, "k") is None


def _corrupt_start(frame_bytes: bytes) -> bytes:
    out = bytearray(frame_bytes)
    struct.pack_into("<i", out, 16, len(out) + 10)  # the first block starts past the end
    return bytes(out)


def test_block_table_outside_the_frame_is_a_decode_error_naming_the_key() -> None:
    frame_bytes = _frame(np.arange(100_000, dtype="<f4"), "lz4", Blosc.SHUFFLE, 4096)
    with pytest.raises(ChunkDecodeError, match="c/0/1"):
        BloscFrame.parse(_corrupt_start(frame_bytes), 400_000, "c/0/1")


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=300), st.integers(0, 280), st.integers(0, 255))
def test_damaged_frames_give_typed_errors_only(junk: bytes, at: int, value: int) -> None:
    data = np.random.default_rng(1).integers(0, 8, 20_000, np.uint8).view("<i2")
    good = bytearray(_frame(data, "lz4", Blosc.SHUFFLE, 1024))
    if at < len(good):
        good[at] = value
    damaged = bytes(good[: max(16, len(good) - len(junk) % 64)]) + junk[:8]
    error: ChunkDecodeError | None = None
    try:
        frame = BloscFrame.parse(damaged, data.nbytes, "c/9/9")
        if frame is not None:
            out = np.empty(frame.nbytes, np.uint8)
            frame.decode_blocks(range(frame.nblocks), out)
    except ChunkDecodeError as exc:
        error = exc
    assert error is None or error.key == "c/9/9"


@settings(max_examples=150, deadline=None)
@given(
    shape=st.lists(st.integers(1, 12), min_size=1, max_size=3).map(tuple),
    itemsize=st.sampled_from([1, 2, 4, 8]),
    blocksize=st.sampled_from([4, 16, 64, 100]),
    data=st.data(),
)
def test_touched_blocks_cover_exactly_the_selected_bytes(
    shape: tuple[int, ...], itemsize: int, blocksize: int, data: st.DataObject
) -> None:
    selection: list[object] = []
    for n in shape:
        kind = data.draw(st.sampled_from(["int", "slice", "array"]))
        if kind == "int":
            selection.append(data.draw(st.integers(0, n - 1)))
        elif kind == "slice":
            start = data.draw(st.integers(0, n - 1))
            selection.append(
                slice(start, data.draw(st.integers(start, n)), data.draw(st.integers(1, 3)))
            )
        else:
            selection.append(
                np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4)))
            )
    arrays = [i for i, s in enumerate(selection) if isinstance(s, np.ndarray)]
    if len(arrays) > 1:  # numpy pairs them: give them one length
        size = min(selection[i].size for i in arrays)  # type: ignore[union-attr]
        for i in arrays:
            selection[i] = selection[i][:size]  # type: ignore[index]
    sel = tuple(selection)
    blocks = touched_blocks(sel, shape, itemsize, blocksize, 10_000)
    assert blocks is not None
    flat = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)[sel].reshape(-1)
    expected = set()
    for element in flat.tolist():
        expected.update(
            range(element * itemsize // blocksize, ((element + 1) * itemsize - 1) // blocksize + 1)
        )
    assert blocks == sorted(expected)


def test_touched_blocks_give_up_on_large_or_unknown_selections() -> None:
    assert touched_blocks((slice(None), slice(None)), (100, 100), 4, 64, 1000) is None
    assert touched_blocks((np.ones(3, bool),), (3,), 4, 64, 1000) is None
    assert touched_blocks((Ellipsis,), (3,), 4, 64, 1000) is None
    assert touched_blocks((5,), (10,), 4, 16, 1000) == [1]


def test_other_frame_versions_are_left_to_the_whole_decode() -> None:
    data = np.arange(100_000, dtype="<f4")
    frame_bytes = bytearray(_frame(data, "zstd", Blosc.SHUFFLE, 4096))
    assert frame_bytes[0] == 2  # c-blosc 1.x's format
    assert BloscFrame.parse(bytes(frame_bytes), data.nbytes, "k") is not None
    frame_bytes[0] = 3
    assert BloscFrame.parse(bytes(frame_bytes), data.nbytes, "k") is None
