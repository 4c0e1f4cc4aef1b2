"""Bytes agree with zarr-python 3.4 (an oracle installed for tests only)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import pytest

from anyzarr.protocol.codecs import ChunkSpec, pipeline_from_codecs, pipeline_v2

zarr = pytest.importorskip("zarr")
pytestmark = pytest.mark.interop

V3_CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "bytes": ("<i4", {"compressors": None}),
    "bytes-big": (
        ">f8",
        {"compressors": None, "serializer": {"name": "bytes", "configuration": {"endian": "big"}}},
    ),
    "u1": ("u1", {"compressors": None}),
    "default-zstd": ("<f4", {}),
    "zstd-checksum": (
        "<i2",
        {"compressors": [{"name": "zstd", "configuration": {"level": 5, "checksum": True}}]},
    ),
    "blosc": (
        "<i8",
        {
            "compressors": [
                {
                    "name": "blosc",
                    "configuration": {
                        "cname": "lz4",
                        "clevel": 3,
                        "shuffle": "shuffle",
                        "typesize": 8,
                        "blocksize": 0,
                    },
                }
            ]
        },
    ),
    "gzip": ("<u4", {"compressors": [{"name": "gzip", "configuration": {"level": 1}}]}),
    "crc32c": ("<u2", {"compressors": [{"name": "crc32c"}]}),
    "transpose": (
        "<i4",
        {
            "filters": [{"name": "transpose", "configuration": {"order": [1, 0]}}],
            "compressors": None,
        },
    ),
    "numcodecs": (
        "<i4",
        {
            "filters": [{"name": "numcodecs.delta", "configuration": {"dtype": "<i4"}}],
            "compressors": [{"name": "numcodecs.zlib", "configuration": {"level": 2}}],
        },
    ),
    "strings": ("str", {}),
    "sharded-blosc": (
        "<i2",
        {
            "shards": (4, 6),
            "compressors": [
                {
                    "name": "blosc",
                    "configuration": {
                        "cname": "zstd",
                        "clevel": 1,
                        "shuffle": "bitshuffle",
                        "typesize": 2,
                        "blocksize": 0,
                    },
                }
            ],
        },
    ),
}


def _data(dtype: str) -> np.ndarray[Any, Any]:
    if dtype == "str":
        return np.array([f"s{i}" * (i % 3) for i in range(48)], dtype=object).reshape(4, 12)
    return (np.arange(48).reshape(4, 12) * 3).astype(dtype)


def _files(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", sorted(V3_CASES))
def test_v3_chunks_match_zarr_python(case: str, tmp_path: Path) -> None:
    dtype, kwargs = V3_CASES[case]
    data = _data(dtype)
    chunks = (2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = zarr.create_array(
            zarr.storage.LocalStore(tmp_path),
            shape=data.shape,
            chunks=chunks,
            dtype=dtype,
            **kwargs,
        )
        arr[...] = data
    files = _files(tmp_path)
    meta = json.loads(files.pop("zarr.json"))
    pipeline = pipeline_from_codecs(meta["codecs"])
    stored_shape = tuple(meta["chunk_grid"]["configuration"]["chunk_shape"])
    np_dtype = np.dtype(object) if dtype == "str" else np.dtype(dtype)
    fill = "" if dtype == "str" else np_dtype.type(0)
    spec = ChunkSpec(shape=stored_shape, dtype=np_dtype, fill_value=fill)
    assert files
    keys = sorted(files)
    blocks = []
    for key in keys:
        i, j = (int(x) for x in key.split("/")[1:])
        blocks.append(
            data[
                i * stored_shape[0] : (i + 1) * stored_shape[0],
                j * stored_shape[1] : (j + 1) * stored_shape[1],
            ]
        )
    decoded = pipeline.decode_batch([files[k] for k in keys], spec, keys)
    for block, chunk in zip(blocks, decoded, strict=True):
        assert chunk is not None
        assert chunk.tolist() == block.tolist()
    encoded = pipeline.encode_batch(blocks, spec)
    for key, ours in zip(keys, encoded, strict=True):
        assert ours is not None
        if case == "gzip":  # gzip headers hold a timestamp
            [back] = pipeline.decode_batch([ours], spec, [key])
            assert back is not None
            assert back.tolist() == decoded[keys.index(key)].tolist()  # type: ignore[union-attr]
        else:
            assert ours.to_bytes() == files[key], key


V2_CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "plain": ("<i4", {"compressors": None}),
    "order-F": ("<f8", {"order": "F", "compressors": {"id": "zlib", "level": 1}}),
    "big-endian": (
        ">i2",
        {"compressors": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}},
    ),
    "filters": (
        "<i8",
        {"filters": [numcodecs.Delta(dtype="<i8")], "compressors": {"id": "zstd", "level": 1}},
    ),
    "strings": ("str", {}),
}


@pytest.mark.parametrize("case", sorted(V2_CASES))
def test_v2_chunks_match_zarr_python(case: str, tmp_path: Path) -> None:
    dtype, kwargs = V2_CASES[case]
    data = _data(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = zarr.create_array(
            zarr.storage.LocalStore(tmp_path),
            shape=data.shape,
            chunks=(2, 3),
            dtype=dtype,
            zarr_format=2,
            **kwargs,
        )
        arr[...] = data
    files = _files(tmp_path)
    zarray = json.loads(files.pop(".zarray"))
    files.pop(".zattrs", None)
    pipeline = pipeline_v2(zarray["filters"], zarray["compressor"], zarray["order"])
    np_dtype = np.dtype(zarray["dtype"])
    spec = ChunkSpec(
        shape=(2, 3),
        dtype=np_dtype,
        fill_value="" if np_dtype.kind == "O" else np_dtype.type(0),
        order=zarray["order"],
    )
    keys = sorted(files)
    blocks = [data[int(k.split(".")[0]) * 2 :][:2, int(k.split(".")[1]) * 3 :][:, :3] for k in keys]
    decoded = pipeline.decode_batch([files[k] for k in keys], spec, keys)
    for block, chunk in zip(blocks, decoded, strict=True):
        assert chunk is not None
        assert chunk.tolist() == block.tolist()
    encoded = pipeline.encode_batch([np.asarray(b, dtype=np_dtype) for b in blocks], spec)
    for key, ours in zip(keys, encoded, strict=True):
        assert ours is not None
        assert ours.to_bytes() == files[key], key
