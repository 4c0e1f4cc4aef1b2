"""Chunk key encodings and the regular chunk grid."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anyzarr.errors import MetadataValidationError
from anyzarr.protocol.metadata import (
    DefaultChunkKeyEncoding,
    RegularChunkGrid,
    V2ChunkKeyEncoding,
    parse_chunk_key_encoding,
)


@pytest.mark.parametrize(
    ("encoding", "coords", "key"),
    [
        (DefaultChunkKeyEncoding(), (1, 2), "c/1/2"),
        (DefaultChunkKeyEncoding("."), (1, 2), "c.1.2"),
        (DefaultChunkKeyEncoding(), (), "c"),
        (V2ChunkKeyEncoding(), (1, 2), "1.2"),
        (V2ChunkKeyEncoding("/"), (1, 2), "1/2"),
        (V2ChunkKeyEncoding(), (), "0"),
        (V2ChunkKeyEncoding(), (0,), "0"),
    ],
)
def test_encode_and_decode(encoding: Any, coords: tuple[int, ...], key: str) -> None:
    assert encoding.encode_chunk_key(coords) == key
    if key != "0":  # the v2 key "0" is both the 0-d chunk and chunk (0,)
        assert encoding.decode_chunk_key(key) == coords


def test_keys_match_zarr() -> None:
    pytest.importorskip("zarr")
    from zarr.core.chunk_key_encodings import (
        DefaultChunkKeyEncoding as ZDefault,
    )
    from zarr.core.chunk_key_encodings import (
        V2ChunkKeyEncoding as ZV2,
    )

    for sep in ("/", "."):
        for coords in [(), (0,), (3, 4, 5)]:
            assert DefaultChunkKeyEncoding(sep).encode_chunk_key(coords) == ZDefault(
                separator=sep
            ).encode_chunk_key(coords)
            assert V2ChunkKeyEncoding(sep).encode_chunk_key(coords) == ZV2(
                separator=sep
            ).encode_chunk_key(coords)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ("default", DefaultChunkKeyEncoding("/")),
        ("v2", V2ChunkKeyEncoding(".")),
        ({"name": "default"}, DefaultChunkKeyEncoding("/")),
        ({"name": "v2", "configuration": {"separator": "/"}}, V2ChunkKeyEncoding("/")),
        ({"name": "default", "separator": "."}, DefaultChunkKeyEncoding(".")),
        (V2ChunkKeyEncoding("/"), V2ChunkKeyEncoding("/")),
    ],
)
def test_parse(obj: Any, expected: Any) -> None:
    assert parse_chunk_key_encoding(obj) == expected


def test_to_dict() -> None:
    assert DefaultChunkKeyEncoding().to_dict() == {
        "name": "default",
        "configuration": {"separator": "/"},
    }
    assert V2ChunkKeyEncoding().to_dict() == {"name": "v2", "configuration": {"separator": "."}}


@pytest.mark.parametrize(
    "obj",
    [
        {"name": "nested"},
        {"name": "default", "configuration": {"separator": "-"}},
        {"name": "v2", "configuration": {"separator": ".", "extra": 1}},
        {"configuration": {}},
        3,
    ],
)
def test_parse_refuses(obj: Any) -> None:
    with pytest.raises(MetadataValidationError, match="chunk_key_encoding"):
        parse_chunk_key_encoding(obj)


@pytest.mark.parametrize("key", ["x/1", "c/a/1", "c/-1"])
def test_decode_refuses_foreign_keys(key: str) -> None:
    with pytest.raises(MetadataValidationError, match="chunk key"):
        DefaultChunkKeyEncoding().decode_chunk_key(key)


@given(
    st.lists(st.integers(min_value=0, max_value=10**12), max_size=6),
    st.sampled_from(["/", "."]),
)
def test_round_trip(coords: list[int], separator: Any) -> None:
    for encoding in (DefaultChunkKeyEncoding(separator), V2ChunkKeyEncoding(separator)):
        key = encoding.encode_chunk_key(tuple(coords))
        expected = (
            tuple(coords) if coords or isinstance(encoding, DefaultChunkKeyEncoding) else (0,)
        )
        assert encoding.decode_chunk_key(key) == expected


def test_grid_shape_and_coords() -> None:
    grid = RegularChunkGrid((10, 3))
    assert grid.grid_shape((25, 9)) == (3, 3)
    assert grid.nchunks((25, 9)) == 9
    assert list(grid.all_chunk_coords((20, 4))) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert grid.chunk_region((2, 1), (25, 9)) == (slice(20, 25), slice(3, 6))
    assert grid.grid_shape((0, 0)) == (0, 0)
    assert list(RegularChunkGrid(()).all_chunk_coords(())) == [()]


def test_grid_dict_round_trip() -> None:
    grid = RegularChunkGrid((4, 5))
    doc = grid.to_dict()
    assert doc == {"name": "regular", "configuration": {"chunk_shape": [4, 5]}}
    assert RegularChunkGrid.from_dict(doc) == grid


@pytest.mark.parametrize(
    "doc",
    [
        {"name": "rectilinear", "configuration": {"chunk_shapes": [[1, 2]]}},
        {"name": "regular", "configuration": {"chunk_shape": [0]}},
        {"name": "regular", "configuration": {"chunk_shape": 4}},
        {"name": "regular", "configuration": {}},
    ],
)
def test_grid_refuses(doc: Any) -> None:
    with pytest.raises(MetadataValidationError, match="chunk_grid"):
        RegularChunkGrid.from_dict(doc)


def test_grid_rank_mismatch() -> None:
    with pytest.raises(MetadataValidationError, match="chunk_grid"):
        RegularChunkGrid((1, 2)).grid_shape((3,))


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), min_size=0, max_size=3),
)
def test_grid_covers_array(dims: list[tuple[int, int]]) -> None:
    shape = tuple(d[0] for d in dims)
    grid = RegularChunkGrid(tuple(d[1] for d in dims))
    covered = sum(_volume(grid.chunk_region(c, shape)) for c in grid.all_chunk_coords(shape))
    total = 1
    for s in shape:
        total *= s
    assert covered == total


def _volume(region: tuple[slice, ...]) -> int:
    out = 1
    for s in region:
        out *= s.stop - s.start
    return out
