"""copy_hierarchy, convert_hierarchy and check_hierarchy: the functions under the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import numcodecs
import numpy as np
import pytest

import anyzarr
import anyzarr.api.asynchronous as azarr
from anyzarr.api._convert import parse_codec_spec
from anyzarr.errors import ContainsGroupError
from anyzarr.protocol.buffer import Buffer
from anyzarr.storage import MemoryStore, WrapperStore


def _v2_source(root: Path) -> np.ndarray[Any, Any]:
    data = np.arange(40 * 30, dtype="f8").reshape(40, 30)
    group = anyzarr.open_group(root, mode="w", zarr_format=2, attributes={"title": "t"})
    arr = group.create_array(
        "x", shape=data.shape, dtype="f8", chunks=(10, 7), compressors=numcodecs.Zstd(level=1)
    )
    arr[:] = data
    group.create_array("sub/y", shape=(5,), dtype="i2", chunks=(2,))[:] = np.arange(5)
    anyzarr.consolidate_metadata(root)
    return data


class _RecordingStore(WrapperStore[Any]):
    """Records the order of writes; optionally hides listing like an HTTP store."""

    def __init__(self, store: Any, *, listable: bool = True) -> None:
        super().__init__(store)
        self.writes: list[str] = []
        self._listable = listable

    @property
    def supports_listing(self) -> bool:
        return self._listable

    async def set(self, key: str, value: Buffer) -> None:
        self.writes.append(key)
        await super().set(key, value)

    def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        if not self._listable:
            raise AssertionError("a store that cannot list was listed")
        return super().list_prefix(prefix)

    async def getsize_prefix(self, prefix: str) -> int:
        if not self._listable:
            raise AssertionError("a store that cannot list was listed")
        return await super().getsize_prefix(prefix)


@pytest.mark.anyio
async def test_copy_reports_progress_and_writes_metadata_last(tmp_path: Path) -> None:
    _v2_source(tmp_path / "src.zarr")
    dest = _RecordingStore(await MemoryStore.open())
    states: list[anyzarr.TransferProgress] = []
    result = await azarr.copy_hierarchy(tmp_path / "src.zarr", dest, progress=states.append)
    assert result.finished
    assert result.chunks_done == result.chunks_total == len(dest.writes)
    assert result.bytes_done == result.bytes_total > 0
    assert states[0].chunks_done == 0
    assert states[0].chunks_total == result.chunks_total
    assert [s.chunks_done for s in states[1:]] == list(range(1, result.chunks_done + 1))
    first_metadata = min(i for i, k in enumerate(dest.writes) if k.endswith((".zarray", ".zgroup")))
    assert all(not k.rsplit("/", 1)[-1][0].isdigit() for k in dest.writes[first_metadata:])
    assert dest.writes[-1] in (".zattrs", ".zgroup", ".zmetadata")  # the root's, last
    back = await azarr.open_array(store=dest, path="x", mode="r")
    assert np.array_equal(
        await back.getitem(Ellipsis), anyzarr.open_array(tmp_path / "src.zarr", path="x")[:]
    )


@pytest.mark.anyio
async def test_copy_again_skips_equal_objects_and_recopies_changed_ones(tmp_path: Path) -> None:
    _v2_source(tmp_path / "src.zarr")
    dest = await MemoryStore.open()
    first = await azarr.copy_hierarchy(tmp_path / "src.zarr", dest)
    # Same size, other bytes: only a content comparison notices.
    stale = dest._store_dict["x/0.0"]
    dest._store_dict["x/0.0"] = type(stale).from_bytes(bytes(len(stale)))
    again = await azarr.copy_hierarchy(tmp_path / "src.zarr", dest)
    assert again.chunks_skipped == first.chunks_done - 1
    assert dest._store_dict["x/0.0"].to_bytes() == stale.to_bytes()
    never = await azarr.copy_hierarchy(tmp_path / "src.zarr", dest, skip_existing="never")
    assert never.chunks_skipped == 0


@pytest.mark.anyio
async def test_interrupted_copy_leaves_whole_objects_and_resumes(tmp_path: Path) -> None:
    data = _v2_source(tmp_path / "src.zarr")
    dest = tmp_path / "dst.zarr"
    # Ctrl-C under anyio.run cancels the main task; cancelling a scope is the same.
    with anyio.CancelScope() as scope:

        def stop_early(state: anyzarr.TransferProgress) -> None:
            if state.chunks_done >= 5:
                scope.cancel()

        await azarr.copy_hierarchy(tmp_path / "src.zarr", dest, progress=stop_early, concurrency=2)
    assert scope.cancelled_caught
    written = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert written
    assert not any(name.endswith((".zarray", ".zgroup")) for name in written)
    for name in written:  # every object is whole: the same bytes as the source
        assert (dest / name).read_bytes() == (tmp_path / "src.zarr" / name).read_bytes()
    result = await azarr.copy_hierarchy(tmp_path / "src.zarr", dest)
    assert result.chunks_skipped == len(written)
    assert np.array_equal(anyzarr.open_array(dest, path="x", mode="r")[:], data)


@pytest.mark.anyio
async def test_copy_from_a_store_that_cannot_list_walks_the_metadata(tmp_path: Path) -> None:
    data = _v2_source(tmp_path / "src.zarr")
    source = _RecordingStore(
        await anyzarr.storage.LocalStore.open(tmp_path / "src.zarr", read_only=True),
        listable=False,
    )
    result = await azarr.copy_hierarchy(source, tmp_path / "out.zip")
    assert result.bytes_total is None
    assert result.chunks_missing == 0
    assert np.array_equal(anyzarr.open_array(tmp_path / "out.zip", path="x", mode="r")[:], data)


@pytest.mark.anyio
async def test_convert_v2_to_sharded_v3_streams_by_shard(tmp_path: Path) -> None:
    data = _v2_source(tmp_path / "src.zarr")
    states: list[anyzarr.TransferProgress] = []
    result = await azarr.convert_hierarchy(
        tmp_path / "src.zarr",
        tmp_path / "v3.zarr",
        zarr_format=3,
        chunks=(10, 10),
        shards=(20, 30),
        compressors=["zstd:level=3", "crc32c"],
        dtype="f4",
        progress=states.append,
    )
    out = await azarr.open_array(store=tmp_path / "v3.zarr", path="x", mode="r")
    assert (out.zarr_format, out.shards, out.chunks, out.dtype) == (
        3,
        (20, 30),
        (10, 10),
        np.dtype("f4"),
    )
    assert [c.to_dict()["name"] for c in out.compressors] == ["zstd", "crc32c"]
    assert np.array_equal(await out.getitem(Ellipsis), data.astype("f4"))
    assert out.attrs == {}
    assert (await azarr.open_group(store=tmp_path / "v3.zarr")).attrs == {"title": "t"}
    y = await azarr.open_array(store=tmp_path / "v3.zarr", path="sub/y", mode="r")
    assert y.chunks == (2,)
    assert y.shards is None
    assert result.chunks_done == result.chunks_total == 2 + 3
    assert result.bytes_done == result.bytes_total == data.size * 4 + 5 * 4
    root = await azarr.open_group(store=tmp_path / "v3.zarr", mode="r")
    assert root.metadata.consolidated_metadata is not None
    with pytest.raises(ContainsGroupError):
        await azarr.convert_hierarchy(tmp_path / "src.zarr", tmp_path / "v3.zarr", zarr_format=3)


@pytest.mark.anyio
async def test_convert_back_to_v2_translates_codecs(tmp_path: Path) -> None:
    data = _v2_source(tmp_path / "src.zarr")
    await azarr.convert_hierarchy(tmp_path / "src.zarr", tmp_path / "v3.zarr", zarr_format=3)
    await azarr.convert_hierarchy(
        tmp_path / "v3.zarr", tmp_path / "v2.zip", zarr_format=2, compressors=["blosc:cname=lz4"]
    )
    back = anyzarr.open_array(tmp_path / "v2.zip", path="x", mode="r")
    assert back.metadata.zarr_format == 2
    assert back.compressors[0].cname == "lz4"
    assert np.array_equal(back[:], data)
    with pytest.raises(ValueError, match="cannot shard"):
        await azarr.convert_hierarchy(tmp_path / "v3.zarr", {}, zarr_format=2, shards=(10, 10))


def test_codec_specs() -> None:
    assert parse_codec_spec("zstd") == {"name": "zstd", "configuration": {}}
    assert parse_codec_spec("blosc:cname=lz4, clevel=5") == {
        "name": "blosc",
        "configuration": {"cname": "lz4", "clevel": 5},
    }
    assert parse_codec_spec('{"id": "gzip", "level": 6}') == {
        "name": "gzip",
        "configuration": {"level": 6},
    }
    for bad in ("", "zstd:level", "{not json"):
        with pytest.raises(ValueError):
            parse_codec_spec(bad)


@pytest.mark.anyio
async def test_check_names_each_corrupt_chunk(tmp_path: Path) -> None:
    root = tmp_path / "c.zarr"
    arr = await azarr.create_array(
        root, shape=(30,), dtype="i4", chunks=(10,), compressors=[{"name": "crc32c"}]
    )
    await arr.setitem(slice(None), np.arange(30))
    assert (await azarr.check_hierarchy(root)).ok
    for name in ("c/0", "c/2"):
        raw = bytearray((root / name).read_bytes())
        raw[0] ^= 0xFF
        (root / name).write_bytes(bytes(raw))
    report = await azarr.check_hierarchy(root)
    assert [(p.key, p.kind) for p in report.problems] == [("c/0", "corrupt"), ("c/2", "corrupt")]
    assert "checksum" in report.problems[0].message
    assert report.chunks_checked == 3
    assert report.chunks_missing == 0


@pytest.mark.anyio
async def test_check_counts_or_reports_missing_chunks(tmp_path: Path) -> None:
    arr = await azarr.create_array(tmp_path / "m.zarr", shape=(30,), dtype="i4", chunks=(10,))
    await arr.setitem(slice(0, 10), np.arange(10))
    assert (await azarr.check_hierarchy(tmp_path / "m.zarr")).chunks_missing == 2
    strict = await azarr.check_hierarchy(tmp_path / "m.zarr", missing_chunks="error")
    assert [(p.key, p.kind) for p in strict.problems] == [("c/1", "missing"), ("c/2", "missing")]


def test_sync_twins_take_the_same_callback(tmp_path: Path) -> None:
    _v2_source(tmp_path / "src.zarr")
    states: list[anyzarr.TransferProgress] = []
    result = anyzarr.copy_hierarchy(
        tmp_path / "src.zarr", tmp_path / "dst.zarr", progress=states.append
    )
    assert states[-1] == result
    assert anyzarr.check_hierarchy(tmp_path / "dst.zarr").ok
