"""Documents written by zarr-python 3.4 parse, and re-render byte for byte.

zarr-python is a test-only oracle: each case creates an array with it in a
MemoryStore, then checks that (a) parsing its documents and rendering them
again, and (b) `create_array_metadata` with the same arguments, both give
exactly its bytes.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from anyzarr.protocol.buffer import default_buffer_prototype
from anyzarr.protocol.metadata import (
    ArrayV2Metadata,
    ArrayV3Metadata,
    GroupMetadata,
    create_array_metadata,
    guess_chunks,
    metadata_documents,
    parse_v2,
    parse_v3,
)

pytestmark = pytest.mark.interop

CASES: list[dict[str, Any]] = [
    {"shape": (100, 200), "dtype": "f4"},
    {"shape": (10000, 10000), "dtype": "f8"},
    {"shape": (), "dtype": "u1"},
    {"shape": (0, 5), "dtype": "i2"},
    {"shape": (10,), "dtype": np.dtypes.StringDType()},
    {"shape": (3,), "dtype": "M8[10s]"},
    {"shape": (3,), "dtype": "m8[ns]", "fill_value": np.timedelta64(5, "ns")},
    {"shape": (3,), "dtype": ">i4", "fill_value": -7},
    {"shape": (3,), "dtype": "u8", "fill_value": 2**64 - 1},
    {"shape": (3,), "dtype": "S3", "fill_value": b"ab"},
    {"shape": (3,), "dtype": "U3", "fill_value": "hé"},
    {"shape": (3,), "dtype": [("a", "<i4"), ("b", "<f8")]},
    {"shape": (3,), "dtype": [("a", "u1"), ("b", "S2")]},
    {"shape": (3,), "dtype": "V4"},
    {"shape": (3,), "dtype": "c8", "fill_value": 1j},
    {"shape": (3,), "dtype": "f2", "fill_value": np.nan},
    {"shape": (3,), "dtype": "f8", "fill_value": -np.inf},
    {"shape": (10,), "dtype": "bool", "order": "F", "fill_value": True},
    {"shape": (10,), "dtype": "f8", "compressors": None},
    {"shape": (10, 10), "dtype": "i8", "chunks": (3, 4), "attributes": {"a": [1, "ü"]}},
    {"shape": (10, 10), "dtype": "i8", "chunks": 5},
    {"shape": (10, 10), "dtype": "i8", "chunks": (-1, 2)},
]
V3_ONLY: list[dict[str, Any]] = [
    {"shape": (100,), "dtype": "i2", "chunks": (10,), "shards": (50,)},
    {"shape": (10000, 10000), "dtype": "f8", "shards": (1252, 3130)},
    {"shape": (10, 10), "dtype": "u1", "dimension_names": ["y", None]},
    {"shape": (10, 10), "dtype": "i8", "chunk_key_encoding": {"name": "v2", "separator": "/"}},
    {"shape": (10, 10), "dtype": "i8", "chunk_key_encoding": {"name": "default", "separator": "."}},
    {"shape": (10,), "dtype": "variable_length_bytes"},
]
V2_ONLY: list[dict[str, Any]] = [
    {"shape": (10, 10), "dtype": "i8", "chunk_key_encoding": {"name": "v2", "separator": "/"}},
    {"shape": (10,), "dtype": "f4", "compressors": {"id": "gzip", "level": 1}},
    {"shape": (10,), "dtype": "f4", "filters": [{"id": "delta", "dtype": "<f4"}]},
]


def _zarr() -> Any:
    return pytest.importorskip("zarr")


def _write_with_zarr(zarr_format: int, **kwargs: Any) -> dict[str, bytes]:
    zarr = _zarr()
    from zarr.storage import MemoryStore

    store = MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kwargs.get("dtype") == "variable_length_bytes":
            from zarr.dtype import VariableLengthBytes

            kwargs = {**kwargs, "dtype": VariableLengthBytes()}
        if zarr_format == 2 and isinstance(kwargs.get("compressors"), dict):
            import numcodecs

            kwargs = {**kwargs, "compressors": numcodecs.get_codec(kwargs["compressors"])}
        if zarr_format == 2 and "filters" in kwargs:
            import numcodecs

            kwargs = {**kwargs, "filters": [numcodecs.get_codec(f) for f in kwargs["filters"]]}
        zarr.create_array(store, zarr_format=zarr_format, **kwargs)
    return {key: buf.to_bytes() for key, buf in store._store_dict.items()}


def _parse(zarr_format: int, docs: dict[str, bytes]) -> ArrayV2Metadata | ArrayV3Metadata:
    meta: Any
    if zarr_format == 3:
        meta = parse_v3(docs["zarr.json"], "arr")
    else:
        meta = parse_v2(docs[".zarray"], None, docs.get(".zattrs"), "arr")
    assert isinstance(meta, ArrayV2Metadata | ArrayV3Metadata)
    return meta


@pytest.mark.parametrize(
    ("zarr_format", "kwargs"),
    [(f, c) for c in CASES for f in (2, 3)] + [(3, c) for c in V3_ONLY] + [(2, c) for c in V2_ONLY],
    ids=lambda x: str(x)[:60],
)
def test_byte_identical(zarr_format: int, kwargs: dict[str, Any]) -> None:
    expected = _write_with_zarr(zarr_format, **kwargs)
    parsed = _parse(zarr_format, expected)
    assert metadata_documents(parsed) == expected
    created = create_array_metadata(zarr_format=zarr_format, **kwargs)  # type: ignore[arg-type]
    assert metadata_documents(created) == expected
    assert created == parsed
    buffers = created.to_buffer_dict(default_buffer_prototype())
    assert {name: buf.to_bytes() for name, buf in buffers.items()} == expected


def test_auto_shards_match_zarr() -> None:
    expected = _write_with_zarr(3, shape=(10000, 10000), dtype="f8", shards="auto")
    created = create_array_metadata(shape=(10000, 10000), dtype="f8", shards="auto")
    assert metadata_documents(created) == expected


@pytest.mark.parametrize(
    ("shape", "typesize"),
    [((100, 200), 4), ((10000, 10000), 8), ((10**6,), 1), ((0,), 4), ((), 4), ((5, 0, 3), 2)],
)
def test_guess_chunks_matches_zarr(shape: tuple[int, ...], typesize: int) -> None:
    _zarr()
    from zarr.core.chunk_grids import _guess_regular_chunks

    assert guess_chunks(shape, typesize) == _guess_regular_chunks(shape, typesize)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_groups_and_consolidated_metadata(zarr_format: int) -> None:
    zarr = _zarr()
    from zarr.storage import MemoryStore

    store = MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        group = zarr.open_group(store, zarr_format=zarr_format, attributes={"x": "y"})
        group.create_array("a", shape=(4,), dtype="u1", chunks=(2,))
        group.create_group("sub").create_array("b", shape=(3,), dtype="f8", fill_value=np.nan)
        zarr.consolidate_metadata(store)
    docs = {key: buf.to_bytes() for key, buf in store._store_dict.items()}
    if zarr_format == 3:
        root = parse_v3(docs["zarr.json"], "")
        assert isinstance(root, GroupMetadata)
        assert root.consolidated_metadata is not None
        assert set(root.consolidated_metadata.flattened_metadata) == {"a", "sub", "sub/b"}
        assert metadata_documents(root) == {"zarr.json": docs["zarr.json"]}
    else:
        from anyzarr.protocol.metadata import group_from_zmetadata

        root = group_from_zmetadata(docs[".zmetadata"], "")
        assert root.attributes == {"x": "y"}
        assert root.consolidated_metadata is not None
        assert set(root.consolidated_metadata.flattened_metadata) == {"a", "sub", "sub/b"}
        ours = metadata_documents(root)
        assert ours[".zgroup"] == docs[".zgroup"]
        assert ours[".zattrs"] == docs[".zattrs"]
        sub = parse_v2(None, docs["sub/.zgroup"], docs.get("sub/.zattrs"), "sub")
        assert metadata_documents(sub)[".zgroup"] == docs["sub/.zgroup"]


def test_zarr_reads_what_we_write() -> None:
    zarr = _zarr()
    from zarr.storage import MemoryStore

    meta = create_array_metadata(
        shape=(6, 4), dtype="i4", chunks=(3, 2), shards=(6, 4), fill_value=-1
    )
    store = MemoryStore()
    store._store_dict.update(
        {key: _cpu_buffer(value) for key, value in metadata_documents(meta).items()}
    )
    arr = zarr.open_array(store, mode="r")
    assert arr.shape == (6, 4)
    assert arr.chunks == (3, 2)
    assert arr.shards == (6, 4)
    assert arr.fill_value == -1
    assert (arr[:] == -1).all()


def _cpu_buffer(value: bytes) -> Any:
    from zarr.core.buffer import cpu

    return cpu.Buffer.from_bytes(value)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_group_buffer_dict_is_its_documents(zarr_format: int) -> None:
    group = GroupMetadata(zarr_format=zarr_format, attributes={"a": [1, 2]})  # type: ignore[arg-type]
    buffers = group.to_buffer_dict(default_buffer_prototype())
    assert {name: buf.to_bytes() for name, buf in buffers.items()} == metadata_documents(group)
