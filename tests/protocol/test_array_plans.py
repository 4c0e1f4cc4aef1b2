"""The array-level plans alone: ``ArrayRead`` and ``ArrayWrite`` driven over a plain dict."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anyzarr.errors import ChunkNotFoundError
from anyzarr.protocol import OffsetByteRequest, RangeByteRequest, SuffixByteRequest
from anyzarr.protocol._fill_value import fill_scalar, holds_only_fill, new_chunk
from anyzarr.protocol.array import (
    ArrayRead,
    ArrayWrite,
    ReadBatch,
    StoredArray,
    plan_batches,
)
from anyzarr.protocol.array._read import inner_chunks_touched
from anyzarr.protocol.array._write import _covers_whole_chunk
from anyzarr.protocol.codecs import GetRequest, PlanStateError
from anyzarr.protocol.metadata import create_array_metadata

SHAPE = (23, 17)


def _array(
    *, chunks: tuple[int, ...] = (5, 4), shards: Any = None, compressors: Any = None, **kw: Any
) -> StoredArray:
    meta = create_array_metadata(
        shape=kw.pop("shape", SHAPE),
        dtype=kw.pop("dtype", "int32"),
        chunks=chunks,
        shards=shards,
        compressors=compressors,
        **kw,
    )
    return StoredArray.from_metadata(meta, "arr")


class DictIO:
    """The simplest driver: a dict of bytes, requests answered one by one."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.gets: list[GetRequest] = []
        self.sets: list[str] = []
        self.deletes: list[str] = []

    def fetch(self, request: GetRequest) -> bytes | None:
        self.gets.append(request)
        value = self.data.get(request.key)
        r = request.byte_range
        if value is None or r is None:
            return value
        if isinstance(r, RangeByteRequest):
            return value[r.start : r.end]
        if isinstance(r, SuffixByteRequest):
            return value[-r.suffix :]
        assert isinstance(r, OffsetByteRequest)
        return value[r.offset :]

    def read(self, read: ArrayRead, max_bytes: int = 1000) -> np.ndarray[Any, Any]:
        for batch in read.batches(max_bytes=max_bytes):
            requests = batch.start()
            while requests:
                requests = batch.feed([self.fetch(r) for r in requests])
            batch.decode()
        return read.result()

    def write(self, write: ArrayWrite, max_bytes: int = 1000) -> None:
        for batch in write.batches(max_bytes=max_bytes):
            requests = batch.start()
            if requests:
                batch.feed([self.fetch(r) for r in requests])
            for put in batch.encode():
                if put.value is None:
                    self.data.pop(put.key, None)
                    self.deletes.append(put.key)
                else:
                    self.data[put.key] = put.value.to_bytes()
                    self.sets.append(put.key)


def _filled(array: StoredArray, io: DictIO) -> np.ndarray[Any, Any]:
    data = np.arange(np.prod(array.metadata.shape), dtype=array.spec.dtype).reshape(
        array.metadata.shape
    )
    io.write(ArrayWrite.for_selection(array, Ellipsis, data))
    io.gets.clear()
    io.sets.clear()
    return data


SELECTIONS: list[Any] = [
    Ellipsis,
    (slice(2, 19, 3), slice(1, None)),
    (7, slice(None)),
    (slice(20, 23), 16),
    (3, 4),
    (slice(5, 5), slice(None)),
]


@pytest.mark.parametrize("shards", [None, (10, 8)])
@pytest.mark.parametrize("selection", SELECTIONS)
def test_read_matches_numpy(shards: Any, selection: Any) -> None:
    array = _array(shards=shards)
    io = DictIO()
    data = _filled(array, io)
    got = io.read(ArrayRead.for_selection(array, selection))
    np.testing.assert_array_equal(got, data[selection])


@pytest.mark.parametrize("shards", [None, (10, 8)])
def test_orthogonal_and_coordinate_reads(shards: Any) -> None:
    array = _array(shards=shards)
    io = DictIO()
    data = _filled(array, io)
    rows, cols = np.array([22, 0, 5, 5, 11]), np.array([16, 3, 0])
    got = io.read(ArrayRead.for_selection(array, (rows, cols), "orthogonal"))
    np.testing.assert_array_equal(got, data[np.ix_(rows, cols)])
    points = (np.array([0, 22, 7, 7]), np.array([16, 0, 3, 3]))
    got = io.read(ArrayRead.for_selection(array, points, "coordinate"))
    np.testing.assert_array_equal(got, data[points])


def test_partial_shard_read_fetches_index_then_ranges() -> None:
    array = _array(shards=(10, 8), chunks=(5, 4))
    io = DictIO()
    data = _filled(array, io)
    read = ArrayRead.for_selection(array, (slice(0, 3), slice(0, 3)))
    [batch] = read.batches(max_bytes=1 << 20)
    assert not batch.whole_only
    first = batch.start()
    assert [type(r.byte_range) for r in first] == [SuffixByteRequest]
    second = batch.feed([io.fetch(r) for r in first])
    assert [type(r.byte_range) for r in second] == [RangeByteRequest]
    assert batch.feed([io.fetch(r) for r in second]) == []
    batch.decode()
    np.testing.assert_array_equal(read.result(), data[:3, :3])
    [(key, index)] = batch.shard_indexes()
    assert key == "arr/c/0/0"
    # With the index given, the same read asks for the inner chunk's bytes only.
    again = ArrayRead.for_selection(array, (slice(0, 3), slice(0, 3)))
    [batch] = again.batches(max_bytes=1 << 20)
    requests = batch.start(lambda k: index if k == key else None)
    assert [type(r.byte_range) for r in requests] == [RangeByteRequest]
    assert batch.shard_indexes() == []


def test_missing_objects_read_as_fill_or_are_listed() -> None:
    array = _array(fill_value=-1)
    io = DictIO()
    data = _filled(array, io)
    del io.data["arr/c/0/0"]
    expected = data.copy()
    expected[:5, :4] = -1
    np.testing.assert_array_equal(io.read(ArrayRead.for_selection(array, Ellipsis)), expected)
    read = ArrayRead.for_selection(array, Ellipsis, read_missing_chunks=False)
    with pytest.raises(ChunkNotFoundError, match="arr/c/0/0"):
        io.read(read)


@pytest.mark.parametrize("shards", [None, (10, 8)])
@pytest.mark.parametrize(
    "selection",
    [
        Ellipsis,
        (slice(3, 12), slice(2, 9)),
        (slice(0, 10), slice(0, 8)),
        (22, slice(None, None, 2)),
    ],
)
def test_write_matches_numpy(shards: Any, selection: Any) -> None:
    array = _array(shards=shards)
    io = DictIO()
    data = _filled(array, io)
    write = ArrayWrite.for_selection(array, selection, 0)
    shape = write.plan.shape
    value = -np.arange(int(np.prod(shape)), dtype="int32").reshape(shape) - 1
    io.write(ArrayWrite.for_selection(array, selection, value))
    data[selection] = value
    np.testing.assert_array_equal(io.read(ArrayRead.for_selection(array, Ellipsis)), data)


@pytest.mark.parametrize(
    "make_value",
    [
        lambda shape: np.arange(np.prod(shape) * 2, dtype="int32").reshape(shape[0], -1)[:, ::2],
        lambda shape: np.asfortranarray(np.arange(np.prod(shape), dtype="int32").reshape(shape)),
        lambda shape: np.int32(7),
        lambda shape: np.broadcast_to(np.arange(shape[1], dtype="int32"), shape),
    ],
    ids=["strided", "fortran", "scalar", "broadcast"],
)
def test_whole_shards_encode_from_any_layout(make_value: Any) -> None:
    # Whole shards are encoded from the value as it is (the sharding codec
    # cuts it up), so every layout must give the same shards as a copy.
    array = _array(shape=(20, 16), shards=(10, 8))
    io, expected_io = DictIO(), DictIO()
    value = make_value((20, 16))
    io.write(ArrayWrite.for_selection(array, Ellipsis, value))
    expected_io.write(
        ArrayWrite.for_selection(array, Ellipsis, np.array(np.broadcast_to(value, (20, 16))))
    )
    assert io.data == expected_io.data
    np.testing.assert_array_equal(
        io.read(ArrayRead.for_selection(array, Ellipsis)), np.broadcast_to(value, (20, 16))
    )


def test_complete_objects_are_not_read() -> None:
    array = _array()
    io = DictIO()
    _filled(array, io)
    io.write(ArrayWrite.for_selection(array, (slice(0, 10), slice(0, 8)), 1))
    assert io.gets == []
    assert sorted(io.sets) == ["arr/c/0/0", "arr/c/0/1", "arr/c/1/0", "arr/c/1/1"]


def test_empty_objects_are_deleted_unless_kept() -> None:
    array = _array()
    io = DictIO()
    data = _filled(array, io)
    io.write(ArrayWrite.for_selection(array, (slice(0, 5), slice(0, 8)), 0))
    assert "arr/c/0/0" not in io.data
    assert "arr/c/0/1" not in io.data
    assert "arr/c/0/2" in io.data
    io.write(ArrayWrite.for_selection(array, (slice(0, 5), slice(0, 8)), 0, delete_empty=False))
    assert "arr/c/0/0" in io.data
    data[0:5, 0:8] = 0
    np.testing.assert_array_equal(io.read(ArrayRead.for_selection(array, Ellipsis)), data)


def test_write_of_one_field_keeps_the_others() -> None:
    dt = np.dtype([("a", "i4"), ("b", "f8")])
    array = _array(shape=(6,), chunks=(4,), dtype=dt, fill_value=np.zeros((), dt)[()])
    io = DictIO()
    value = np.zeros(6, dt)
    value["b"] = np.arange(6)
    io.write(ArrayWrite.for_selection(array, Ellipsis, value))
    io.write(ArrayWrite.for_selection(array, Ellipsis, np.arange(6) * 10, fields="a"))
    back = io.read(ArrayRead.for_selection(array, Ellipsis))
    np.testing.assert_array_equal(back["a"], np.arange(6) * 10)
    np.testing.assert_array_equal(back["b"], np.arange(6))


def test_a_conflicting_unit_can_be_redone_alone() -> None:
    array = _array()
    io = DictIO()
    data = _filled(array, io)
    write = ArrayWrite.for_selection(array, (slice(1, 3), slice(1, 3)), 99)
    [batch] = write.batches(max_bytes=1 << 20)
    assert batch.read_keys == ["arr/c/0/0"]
    batch.feed([io.fetch(r) for r in batch.start()])
    [put] = batch.encode()
    # Another writer changes the chunk meanwhile; redo the unit from fresh bytes.
    io.write(ArrayWrite.for_selection(array, (0, 0), -5))
    data[0, 0] = -5
    redo = write.batch([put.unit])
    redo.feed([io.fetch(r) for r in redo.start()])
    [put] = redo.encode()
    assert put.value is not None
    io.data[put.key] = put.value.to_bytes()
    data[1:3, 1:3] = 99
    np.testing.assert_array_equal(io.read(ArrayRead.for_selection(array, Ellipsis)), data)


def test_plans_refuse_misuse() -> None:
    array = _array()
    io = DictIO()
    _filled(array, io)
    read = ArrayRead.for_selection(array, Ellipsis)
    batch = read.batch([0])
    with pytest.raises(PlanStateError):
        batch.feed([None])
    with pytest.raises(PlanStateError):
        batch.decode()
    requests = batch.start()
    with pytest.raises(PlanStateError):
        batch.start()
    with pytest.raises(PlanStateError, match="expected 1 responses"):
        batch.feed([])
    batch.feed([io.fetch(r) for r in requests])
    with pytest.raises(PlanStateError, match="not decoded yet"):
        read.result()
    with pytest.raises(PlanStateError):
        read.batch([read.nunits])
    with pytest.raises(PlanStateError):
        ArrayRead(array, read.plan, np.empty((1,), "int32"))
    write = ArrayWrite.for_selection(array, Ellipsis, 1)
    wbatch = write.batch([0])
    with pytest.raises(PlanStateError):
        wbatch.encode()
    with pytest.raises(PlanStateError):
        wbatch.feed([])


def test_batches_cover_every_unit_once() -> None:
    array = _array(shards=(10, 8))
    read = ArrayRead.for_selection(array, (slice(0, 12), slice(None)))
    batches: list[ReadBatch] = read.batches(max_bytes=200, min_batches=3)
    units = sorted(u for b in batches for u in b.units)
    assert units == list(range(read.nunits))
    for batch in batches:  # whole and partial units never share a batch
        assert len({read.is_partial(u) for u in batch.units}) == 1


def test_plan_batches_sizes() -> None:
    assert plan_batches(0, 10, max_bytes=100, max_units=5) == []
    assert plan_batches(1, 10, max_bytes=100, max_units=5) == [range(0, 1)]
    assert [len(r) for r in plan_batches(12, 10, max_bytes=100, max_units=5)] == [5, 5, 2]
    assert [len(r) for r in plan_batches(12, 10, max_bytes=1000, max_units=100, min_batches=4)] == [
        3,
        3,
        3,
        3,
    ]
    assert [len(r) for r in plan_batches(3, 10**9, max_bytes=100, max_units=5)] == [1, 1, 1]


def test_decoded_size_estimate_counts_inner_chunks_reached() -> None:
    array = _array(shape=(100, 100), chunks=(10, 10), shards=(100, 100), dtype="u1")
    thin = ArrayRead.for_selection(array, (slice(None, None, 10), 0))
    # One element from each of ten inner chunks: ten inner chunks to decode.
    assert thin.decoded_nbytes_at_most(1000)
    assert not thin.decoded_nbytes_at_most(999)
    assert inner_chunks_touched((slice(None, None, 10), 0), (100, 100), (10, 10)) == 10
    assert inner_chunks_touched((slice(0, 5), np.array([0, 55])), (100, 100), (10, 10)) == 2
    assert inner_chunks_touched((slice(5, 5), 0), (100, 100), (10, 10)) == 0


@pytest.mark.parametrize("compressor", ["zstd", "blosc"])
@pytest.mark.parametrize("chunks", [(4, 4), (200, 200)])
def test_direct_decoding_shortcuts_match(compressor: str, chunks: tuple[int, int]) -> None:
    """Small chunks, large ones into the output and large ones via scratch, all equal."""
    codec = {"zstd": {"name": "zstd", "configuration": {"level": 1}}, "blosc": {"name": "blosc"}}
    array = _array(shape=(401, 399), chunks=chunks, compressors=[codec[compressor]], dtype="f8")
    io = DictIO()
    data = _filled(array, io)
    scratch_used: list[int] = []

    def scratch(n: int) -> np.ndarray[Any, Any]:
        scratch_used.append(n)
        return np.empty(n, np.uint8)

    for selection in (Ellipsis, (slice(3, 300), slice(7, 390, 2))):
        read = ArrayRead.for_selection(array, selection)
        for batch in read.batches(max_bytes=1 << 22):
            batch.feed([io.fetch(r) for r in batch.start()])
            batch.decode(scratch)
        np.testing.assert_array_equal(read.result(), data[selection])
    assert bool(scratch_used) == (chunks == (200, 200))


def test_corrupt_chunk_is_reported_with_its_key() -> None:
    array = _array(compressors=[{"name": "zstd", "configuration": {"level": 1}}])
    io = DictIO()
    _filled(array, io)
    io.data["arr/c/1/1"] = b"\x28\xb5\x2f\xfd" + b"garbage" * 10
    from anyzarr.errors import ChunkDecodeError

    with pytest.raises(ChunkDecodeError, match="arr/c/1/1"):
        io.read(ArrayRead.for_selection(array, Ellipsis))


def test_covers_whole_chunk() -> None:
    assert _covers_whole_chunk((slice(0, 5), slice(None)), (5, 4))
    assert not _covers_whole_chunk((slice(0, 4), slice(None)), (5, 4))
    assert not _covers_whole_chunk((slice(0, 5, 2), slice(None)), (5, 4))
    assert not _covers_whole_chunk((0, slice(None)), (5, 4))


def test_fill_value_rules() -> None:
    assert holds_only_fill(np.full(3, np.nan), np.nan)
    assert not holds_only_fill(np.array([np.nan, 1.0]), np.nan)
    assert holds_only_fill(np.zeros(3, "i2"), 0)
    assert holds_only_fill(np.zeros(3, "i2"), None)
    assert not holds_only_fill(np.array([0, 1], "i2"), None)
    assert holds_only_fill(np.array(["", ""], dtype=object), "")
    assert not holds_only_fill(np.array([0, 0], dtype=object), None)
    assert holds_only_fill(np.array(["NaT"], dtype="M8[s]"), np.datetime64("NaT", "s"))
    assert holds_only_fill(np.array(["NaT"], dtype="M8[s]"), None)
    assert np.isnat(fill_scalar(np.dtype("m8[s]"), None))
    assert fill_scalar(np.dtype("f4"), None) == 0
    assert new_chunk((2, 2), np.dtype("i1"), 7).tolist() == [[7, 7], [7, 7]]


@given(
    start=st.integers(0, 22),
    stop=st.integers(0, 23),
    step=st.integers(1, 6),
    col=st.integers(0, 16),
    shards=st.sampled_from([None, (10, 8)]),
)
def test_read_after_write_is_numpy(start: int, stop: int, step: int, col: int, shards: Any) -> None:
    array = _array(shards=shards)
    io = DictIO()
    data = _filled(array, io)
    selection = (slice(start, stop, step), slice(col, None))
    shape = data[selection].shape
    value = np.full(shape, -7, dtype="int32")
    io.write(ArrayWrite.for_selection(array, selection, value))
    data[selection] = value
    np.testing.assert_array_equal(io.read(ArrayRead.for_selection(array, Ellipsis)), data)
    np.testing.assert_array_equal(
        io.read(ArrayRead.for_selection(array, selection)), data[selection]
    )


@pytest.mark.parametrize("shards", [None, [[8, 8, 16], [6, 6, 6]]])
def test_rectilinear_grids_read_and_write_like_numpy(shards: Any) -> None:
    """Objects of different shapes decode at their own shape, in batches of one shape."""
    if shards is None:
        array = _array(shape=(30, 17), chunks=[[5, 10, 15], [4, 4, 9]])
    else:
        array = _array(shape=(32, 18), chunks=(4, 3), shards=shards)
    assert not array.is_regular
    io = DictIO()
    data = _filled(array, io)
    for selection in (Ellipsis, (slice(3, 29, 2), slice(1, 16)), (np.array([0, 29, 7]), 5), (9, 4)):
        np.testing.assert_array_equal(
            io.read(ArrayRead.for_selection(array, selection), max_bytes=300), data[selection]
        )
    io.write(ArrayWrite.for_selection(array, (slice(4, 26), slice(2, 11)), -3), max_bytes=300)
    data[4:26, 2:11] = -3
    np.testing.assert_array_equal(io.read(ArrayRead.for_selection(array, Ellipsis)), data)


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("dtype", ["<f8", ">i4", "u1"])
def test_uncompressed_chunks_are_read_as_byte_ranges(zarr_format: int, dtype: str) -> None:
    """A few elements of an uncompressed chunk cost a few small ranges, not the chunk."""
    array = _array(shape=(64, 64), chunks=(32, 32), dtype=dtype, zarr_format=zarr_format)
    io = DictIO()
    data = _filled(array, io)
    for selection, kind in (
        ((5, 7), "basic"),
        ((slice(3, 5), slice(10, 12)), "basic"),
        ((np.array([1, 40]), np.array([2, 33])), "coordinate"),
        ((np.array([0, 31]), slice(0, 2)), "orthogonal"),
    ):
        io.gets.clear()
        read = ArrayRead.for_selection(array, selection, kind)  # type: ignore[arg-type]
        got = io.read(read)
        expected = data[selection[0]][:, selection[1]] if kind == "orthogonal" else data[selection]
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == array.spec.dtype
        assert all(isinstance(r.byte_range, RangeByteRequest) for r in io.gets), kind
        assert sum(r.byte_range.end - r.byte_range.start for r in io.gets) < 5000  # type: ignore[union-attr]
    # A large share of a chunk is read whole.
    io.gets.clear()
    np.testing.assert_array_equal(
        io.read(ArrayRead.for_selection(array, (slice(0, 30), 0))), data[:30, 0]
    )
    np.testing.assert_array_equal(
        io.read(ArrayRead.for_selection(array, (slice(0, 20), slice(0, 20)))), data[:20, :20]
    )
    assert any(r.byte_range is None for r in io.gets)


def test_a_short_uncompressed_chunk_is_reported() -> None:
    from anyzarr.errors import ChunkDecodeError

    array = _array(shape=(64,), chunks=(64,), dtype="<f8")
    io = DictIO()
    _filled(array, io)
    io.data["arr/c/0"] = io.data["arr/c/0"][:100]
    with pytest.raises(ChunkDecodeError, match="arr/c/0"):
        io.read(ArrayRead.for_selection(array, 60))


_BLOSC_SELECTIONS: list[Any] = [
    (5, 7),
    (slice(3, 4), slice(None)),
    (slice(0, 300, 97), slice(5, 6)),
    (np.array([1, 250, 255]), np.array([0, 3, 263])),
    (slice(None), slice(None)),
    (slice(100, 140), slice(None, None, 7)),
]


_BLOSC_READS = [
    (selection, kind)
    for selection in _BLOSC_SELECTIONS
    for kind in ("basic", "orthogonal", "coordinate")
    # basic takes no arrays; coordinate takes only arrays
    if (kind == "coordinate") == all(isinstance(s, np.ndarray) for s in selection)
    or kind == "orthogonal"
]


@pytest.mark.parametrize(("selection", "kind"), _BLOSC_READS)
@pytest.mark.parametrize(
    ("cname", "shuffle"), [("lz4", "shuffle"), ("zstd", "noshuffle"), ("zlib", "shuffle")]
)
def test_blosc_chunks_read_in_part_decode_only_their_blocks(
    selection: Any, cname: str, shuffle: str, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anyzarr.protocol.codecs import BloscCodec
    from anyzarr.protocol.codecs._blosc_blocks import BloscFrame

    # blosc takes 4096-byte blocks for zstd, 64 KiB for lz4 and zlib here:
    # 8 or 128 blocks per 512 KiB chunk.
    array = _array(
        shape=(300, 270),
        chunks=(256, 256),
        dtype="float64",
        compressors=[BloscCodec(cname=cname, clevel=1, shuffle=shuffle, blocksize=4096)],
    )
    io = DictIO()
    data = _filled(array, io)
    decoded: list[int] = []
    real = BloscFrame.decode_blocks

    def counting(self: BloscFrame, blocks: Any, out: Any) -> None:
        decoded.extend(blocks)
        real(self, blocks, out)

    monkeypatch.setattr(BloscFrame, "decode_blocks", counting)
    if kind == "coordinate":
        read = ArrayRead.for_selection(array, selection, kind="coordinate")
        expected = data[selection]
    elif kind == "orthogonal":
        read = ArrayRead.for_selection(array, selection, kind="orthogonal")
        expected = data
        for axis in reversed(range(len(selection))):
            expected = np.take(expected, np.arange(data.shape[axis])[selection[axis]], axis=axis)
    else:
        read = ArrayRead.for_selection(array, selection)
        expected = data[selection]
    assert np.array_equal(io.read(read, max_bytes=1 << 20), expected)
    if selection is _BLOSC_SELECTIONS[0]:
        # One element: one block decoded.
        assert len(decoded) == 1
    if selection is _BLOSC_SELECTIONS[4]:
        assert decoded == []  # whole chunks are decoded whole


def test_batches_apart_step_along_the_first_axis_first() -> None:
    array = _array(shape=(20, 12), chunks=(5, 4))  # a 4 x 3 grid
    read = ArrayRead.for_selection(array, Ellipsis)
    in_order = read.batches(max_bytes=1)
    apart = read.batches(max_bytes=1, apart=True)
    assert sorted(u for b in apart for u in b.units) == list(range(12))
    coords = [read._projections[b.units[0]].chunk_coords for b in apart]
    assert coords[:5] == [(0, 0), (1, 0), (2, 0), (3, 0), (0, 1)]
    assert [read._projections[b.units[0]].chunk_coords for b in in_order][:2] == [(0, 0), (0, 1)]
    # Same result either way.
    io = DictIO()
    data = _filled(array, io)
    for batch in apart:
        requests = batch.start()
        while requests:
            requests = batch.feed([io.fetch(r) for r in requests])
        batch.decode()
    assert np.array_equal(read.result(), data)


@pytest.mark.parametrize("chunks", [(5, 4), [[5, 10, 15], [4, 4, 9]]])
@pytest.mark.parametrize("compressors", [None, "auto"])
def test_writes_copy_into_the_scratch_they_are_lent(chunks: Any, compressors: Any) -> None:
    """Whole-chunk parts are copied into the lent scratch, one piece per object,
    and stay valid until the batch's values are stored (here: all of them)."""
    array = _array(shape=(30, 17), chunks=chunks, compressors=compressors)
    area = np.full(1 << 16, 0xEE, np.uint8)
    lent: list[int] = []

    def scratch(nbytes: int) -> np.ndarray[Any, Any]:
        lent.append(nbytes)
        return area[:nbytes]  # the same memory every time, like a thread's scratch

    value = np.arange(30 * 17, dtype="int32").reshape(30, 17)[::-1].copy()
    io = DictIO()
    for batch in ArrayWrite.for_selection(array, Ellipsis, value).batches(max_bytes=1 << 20):
        batch.start()
        puts = batch.encode(scratch)
        # Stored only now, after every object of the batch was built.
        for put in puts:
            assert put.value is not None
            io.data[put.key] = put.value.to_bytes()
        area[:] = 0xEE  # the driver reuses its scratch for the next batch
    assert lent, "no copy went through the scratch"
    np.testing.assert_array_equal(io.read(ArrayRead.for_selection(array, Ellipsis)), value)
