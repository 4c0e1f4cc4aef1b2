from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anyzarr.errors import ChecksumError
from anyzarr.protocol._byte_request import RangeByteRequest, SuffixByteRequest, slice_for
from anyzarr.protocol.codecs import (
    ChunkSpec,
    GetRequest,
    PlanStateError,
    ReadPlan,
    ShardingCodec,
    morton_order,
    pipeline_from_codecs,
)

zarr = pytest.importorskip("zarr")


def drive(plan: ReadPlan, store: dict[str, bytes]) -> tuple[Any, list[GetRequest]]:
    """Run a plan against a dict of bytes, recording every request."""
    seen: list[GetRequest] = []
    requests = plan.start()
    while requests:
        seen.extend(requests)
        responses = []
        for r in requests:
            value = store.get(r.key)
            responses.append(None if value is None else value[slice_for(r.byte_range, len(value))])
        requests = plan.feed(responses)
    return plan.result(), seen


def write_with_zarr(
    path: Path, data: np.ndarray[Any, Any], **kwargs: Any
) -> tuple[dict[str, bytes], dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = zarr.create_array(
            zarr.storage.LocalStore(path), shape=data.shape, dtype=data.dtype, **kwargs
        )
        arr[...] = data
    files = {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}
    meta = json.loads(files.pop("zarr.json"))
    return files, meta


def spec_from(meta: dict[str, Any], dtype: np.dtype[Any]) -> ChunkSpec:
    shape = tuple(meta["chunk_grid"]["configuration"]["chunk_shape"])
    return ChunkSpec(
        shape=shape, dtype=dtype, fill_value=np.asarray(meta["fill_value"]).astype(dtype)[()]
    )


CONFIGS: dict[str, dict[str, Any]] = {
    "plain": {"chunks": (2, 3), "shards": (4, 6), "compressors": None},
    "zstd": {"chunks": (2, 3), "shards": (4, 6)},
    "uneven-grid": {
        "chunks": (1, 2),
        "shards": (3, 6),
        "compressors": [{"name": "gzip", "configuration": {"level": 1}}],
    },
}


@pytest.fixture(params=sorted(CONFIGS))
def zarr_shards(
    request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[np.ndarray[Any, Any], dict[str, bytes], dict[str, Any]]:
    data = np.arange(8 * 12, dtype="<i4").reshape(8, 12)
    data[:2, :3] = 0  # one inner chunk equal to the fill value: omitted from the shard
    data[4:8, 6:12] = 0  # a whole shard of fill: not stored at all
    files, meta = write_with_zarr(tmp_path, data, fill_value=0, **CONFIGS[request.param])
    return data, files, meta


def test_full_shards_written_by_zarr_python_decode(zarr_shards: Any) -> None:
    data, files, meta = zarr_shards
    pipeline = pipeline_from_codecs(meta["codecs"])
    assert pipeline.supports_partial_decode
    spec = spec_from(meta, data.dtype)
    sh = spec.shape
    if sh == (4, 6):
        assert "c/1/1" not in files
    data = _padded(data, sh)
    keys = [
        f"c/{i}/{j}" for i in range(data.shape[0] // sh[0]) for j in range(data.shape[1] // sh[1])
    ]
    decoded = pipeline.decode_batch([files.get(k) for k in keys], spec, keys)
    for key, chunk in zip(keys, decoded, strict=True):
        i, j = (int(x) for x in key.split("/")[1:])
        expected = data[i * sh[0] : (i + 1) * sh[0], j * sh[1] : (j + 1) * sh[1]]
        if chunk is None:
            assert key not in files
            assert (expected == 0).all()
        else:
            np.testing.assert_array_equal(chunk, expected)


def test_encoded_shards_equal_zarr_python_bytes(zarr_shards: Any) -> None:
    data, files, meta = zarr_shards
    pipeline = pipeline_from_codecs(meta["codecs"])
    spec = spec_from(meta, data.dtype)
    sh = spec.shape
    data = _padded(data, sh)
    for key, stored in files.items():
        i, j = (int(x) for x in key.split("/")[1:])
        block = data[i * sh[0] : (i + 1) * sh[0], j * sh[1] : (j + 1) * sh[1]]
        [ours] = pipeline.encode_batch([block], spec)
        assert ours is not None
        if "gzip" in json.dumps(meta["codecs"]):
            # gzip headers carry a timestamp: compare what the bytes mean instead.
            [back] = pipeline.decode_batch([ours], spec, [key])
            [theirs] = pipeline.decode_batch([stored], spec, [key])
            np.testing.assert_array_equal(back, theirs)
        else:
            assert ours.to_bytes() == stored, key


def _padded(data: np.ndarray[Any, Any], shard: tuple[int, ...]) -> np.ndarray[Any, Any]:
    """``data`` grown with the fill value (0) to whole shards, as edge shards are stored."""
    pads = [(0, -n % s) for n, s in zip(data.shape, shard, strict=True)]
    return np.pad(data, pads)


SELECTIONS = st.tuples(
    st.one_of(
        st.integers(0, 3),
        st.builds(slice, st.integers(0, 4), st.integers(0, 4), st.integers(1, 3)),
        st.lists(st.integers(0, 3), min_size=1, max_size=4).map(np.array),
    ),
    st.one_of(
        st.integers(0, 5),
        st.builds(slice, st.integers(0, 6), st.integers(0, 6), st.integers(1, 4)),
        st.lists(st.integers(0, 5), min_size=1, max_size=5).map(np.array),
    ),
)


@settings(max_examples=40)
@given(selection=SELECTIONS)
def test_read_plan_matches_numpy_on_zarr_python_shard(
    tmp_path_factory: pytest.TempPathFactory, selection: tuple[Any, ...]
) -> None:
    data = np.arange(4 * 6, dtype="<u2").reshape(4, 6) + 1
    data[2:4, 0:3] = 7
    path = tmp_path_factory.mktemp("shard")
    files, meta = write_with_zarr(path, data, chunks=(2, 3), shards=(4, 6), fill_value=7)
    pipeline = pipeline_from_codecs(meta["codecs"])
    spec = spec_from(meta, data.dtype)
    result, seen = drive(pipeline.read_plan("c/0/0", selection, spec), files)
    expected = data[
        np.ix_(*[np.atleast_1d(np.arange(4 if d == 0 else 6)[s]) for d, s in enumerate(selection)])
    ]
    expected = expected.reshape(
        [n for n, s in zip(expected.shape, selection, strict=True) if not isinstance(s, int)]
    )
    assert result is not None
    np.testing.assert_array_equal(result, expected)
    assert isinstance(seen[0].byte_range, SuffixByteRequest)
    assert len(seen) <= 2  # the index, then one coalesced range at most


def test_read_plan_fetches_only_needed_chunks() -> None:
    codec = ShardingCodec(
        chunk_shape=(10,), codecs=[{"name": "bytes", "configuration": {"endian": "little"}}]
    )
    codec_far = ShardingCodec(chunk_shape=(10,))
    spec = ChunkSpec(shape=(100,), dtype=np.dtype("<f8"), fill_value=np.float64(0))
    pipeline = pipeline_from_codecs([codec])
    data = np.arange(100, dtype="<f8") + 1
    [shard] = pipeline.encode_batch([data], spec)
    assert shard is not None
    store = {"s": shard.to_bytes()}
    result, seen = drive(pipeline.read_plan("s", (slice(12, 15),), spec), store)
    np.testing.assert_array_equal(result, data[12:15])
    assert seen[1] == GetRequest("s", RangeByteRequest(80, 160))
    # Far-apart chunks are fetched separately once the gap exceeds the limit.
    big = ChunkSpec(shape=(400_000,), dtype=np.dtype("<f8"), fill_value=np.float64(0))
    far = ShardingCodec(chunk_shape=(100_000,))
    assert codec_far.index_location == "end"
    p2 = pipeline_from_codecs([far])
    values = np.arange(400_000, dtype="<f8") + 1
    [blob] = p2.encode_batch([values], big)
    assert blob is not None
    got, seen2 = drive(p2.read_plan("b", (np.array([5, 399_999]),), big), {"b": blob.to_bytes()})
    np.testing.assert_array_equal(got, values[[5, 399_999]])
    assert len(seen2) == 3


def test_index_cache_skips_index_request() -> None:
    pipeline = pipeline_from_codecs([ShardingCodec(chunk_shape=(2, 2))])
    spec = ChunkSpec(shape=(4, 4), dtype=np.dtype("u1"), fill_value=np.uint8(0))
    data = np.arange(16, dtype="u1").reshape(4, 4)
    [shard] = pipeline.encode_batch([data], spec)
    assert shard is not None
    store = {"k": shard.to_bytes()}
    first = pipeline.read_plan("k", (slice(0, 2), slice(0, 2)), spec)
    drive(first, store)
    assert first.index is not None
    second = pipeline.read_plan("k", (3, slice(None)), spec, index=first.index)
    result, seen = drive(second, store)
    np.testing.assert_array_equal(result, data[3])
    assert all(isinstance(r.byte_range, RangeByteRequest) for r in seen)
    assert second.index is first.index


def test_missing_shard_and_missing_inner_chunks() -> None:
    pipeline = pipeline_from_codecs([ShardingCodec(chunk_shape=(2,))])
    spec = ChunkSpec(shape=(6,), dtype=np.dtype("i2"), fill_value=np.int16(-1))
    result, seen = drive(pipeline.read_plan("gone", (slice(None),), spec), {})
    assert result is None
    assert len(seen) == 1
    data = np.array([-1, -1, 3, 4, -1, -1], dtype="i2")
    [shard] = pipeline.encode_batch([data], spec)
    assert shard is not None
    index = ShardingCodec(chunk_shape=(2,)).split_index(shard.to_bytes(), spec, "k")
    assert index.get((0,)) is None
    assert index.get((1,)) == (0, 4)
    result, seen = drive(pipeline.read_plan("k", (slice(0, 2),), spec), {"k": shard.to_bytes()})
    np.testing.assert_array_equal(result, [-1, -1])
    assert len(seen) == 1  # nothing stored for that inner chunk: no data request
    assert pipeline.encode_batch([np.full(6, -1, dtype="i2")], spec) == [None]
    keep = ChunkSpec(
        shape=(6,), dtype=np.dtype("i2"), fill_value=np.int16(-1), write_empty_chunks=True
    )
    [kept] = pipeline.encode_batch([np.full(6, -1, dtype="i2")], keep)
    assert kept is not None


@pytest.mark.parametrize("location", ["start", "end"])
def test_index_location_and_nested_sharding_round_trip(location: str, tmp_path: Path) -> None:
    inner = ShardingCodec(
        chunk_shape=(2, 2),
        codecs=[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip"}],
    )
    outer = ShardingCodec(chunk_shape=(4, 4), codecs=[inner], index_location=location)  # type: ignore[arg-type]
    assert outer.to_dict()["configuration"]["codecs"][0]["name"] == "sharding_indexed"
    assert ShardingCodec.from_dict(outer.to_dict()) == outer
    pipeline = pipeline_from_codecs([outer])
    spec = ChunkSpec(shape=(8, 8), dtype=np.dtype("<f4"), fill_value=np.float32(np.nan))
    data = np.arange(64, dtype="<f4").reshape(8, 8)
    data[:4, :4] = np.nan
    [shard] = pipeline.encode_batch([data], spec)
    assert shard is not None
    [decoded] = pipeline.decode_batch([shard], spec, ["k"])
    np.testing.assert_array_equal(decoded, data)
    result, seen = drive(pipeline.read_plan("k", (slice(5, 8), 6), spec), {"k": shard.to_bytes()})
    np.testing.assert_array_equal(result, data[5:8, 6])
    first = seen[0].byte_range
    assert isinstance(first, SuffixByteRequest if location == "end" else RangeByteRequest)
    # zarr-python reads what we wrote.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = zarr.create_array(
            zarr.storage.LocalStore(tmp_path),
            shape=(8, 8),
            dtype="<f4",
            chunks=(2, 2),
            shards=(8, 8),
            fill_value=np.nan,
            compressors=None,
        )
    meta = json.loads((tmp_path / "zarr.json").read_text())
    meta["codecs"] = [outer.to_dict()]
    (tmp_path / "zarr.json").write_text(json.dumps(meta))
    (tmp_path / "c").mkdir(exist_ok=True)
    (tmp_path / "c" / "0").mkdir(exist_ok=True)
    (tmp_path / "c" / "0" / "0").write_bytes(shard.to_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = zarr.open_array(zarr.storage.LocalStore(tmp_path), mode="r")[...]
    assert arr.shape == back.shape
    np.testing.assert_array_equal(back, data)


def test_corrupt_index_names_key() -> None:
    pipeline = pipeline_from_codecs([ShardingCodec(chunk_shape=(2,))])
    spec = ChunkSpec(shape=(4,), dtype=np.dtype("u1"), fill_value=np.uint8(0))
    [shard] = pipeline.encode_batch([np.arange(4, dtype="u1") + 1], spec)
    assert shard is not None
    raw = bytearray(shard.to_bytes())
    raw[-10] ^= 0xFF
    plan = pipeline.read_plan("arr/c/7", (slice(None),), spec)
    with pytest.raises(ChecksumError, match="arr/c/7"):
        drive(plan, {"arr/c/7": bytes(raw)})


def test_plan_state_errors() -> None:
    pipeline = pipeline_from_codecs([ShardingCodec(chunk_shape=(2,))])
    spec = ChunkSpec(shape=(4,), dtype=np.dtype("u1"), fill_value=np.uint8(0))
    plan = pipeline.read_plan("k", (slice(None),), spec)
    with pytest.raises(PlanStateError):
        plan.feed([None])
    with pytest.raises(PlanStateError):
        plan.result()
    plan.start()
    with pytest.raises(PlanStateError):
        plan.start()
    plain = pipeline_from_codecs([{"name": "bytes"}, {"name": "gzip"}])
    whole = plain.read_plan("k", (1,), spec)
    assert not plain.supports_partial_decode
    with pytest.raises(PlanStateError):
        whole.result()
    assert whole.start() == [GetRequest("k")]
    assert whole.feed([gzip.compress(b"\x01\x02\x03\x04")]) == []
    assert whole.result() == 2
    # Uncompressed chunks are read as the byte range the selection needs.
    ranged = pipeline_from_codecs([{"name": "bytes"}]).read_plan("k", (1,), spec)
    assert ranged.start() == [GetRequest("k", RangeByteRequest(1, 2))]
    assert ranged.feed([b"\x02"]) == []
    assert ranged.result() == 2


def test_morton_order_matches_zarr_python() -> None:
    assert morton_order((2, 2)).tolist() == [[0, 0], [1, 0], [0, 1], [1, 1]]
    order = morton_order((3, 2))
    assert sorted(map(tuple, order.tolist())) == [(i, j) for i in range(3) for j in range(2)]
    assert order.tolist()[:4] == [[0, 0], [1, 0], [0, 1], [1, 1]]


def test_shard_shape_validation() -> None:
    from anyzarr.errors import MetadataValidationError

    codec = ShardingCodec(chunk_shape=(3,))
    with pytest.raises(MetadataValidationError, match="chunk_shape"):
        codec.validate(ChunkSpec(shape=(4,), dtype=np.dtype("u1"), fill_value=0))
    with pytest.raises(MetadataValidationError, match="chunk_shape"):
        codec.validate(ChunkSpec(shape=(3, 3), dtype=np.dtype("u1"), fill_value=0))
