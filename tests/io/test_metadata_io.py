"""Reading, writing and deleting node metadata documents."""

from __future__ import annotations

import json

import pytest

from anyzarr.errors import (
    ArrayNotFoundError,
    GroupNotFoundError,
    MetadataValidationError,
    NodeNotFoundError,
    ZarrUserWarning,
)
from anyzarr.io._metadata_io import (
    ConsolidatedMetadataNotFoundError,
    delete_node,
    node_exists,
    read_node_metadata,
    write_node_metadata,
)
from anyzarr.io._store_path import StorePath
from anyzarr.io.stores import LoggingStore, MemoryStore
from anyzarr.protocol.buffer.cpu import Buffer
from anyzarr.protocol.metadata import GroupMetadata

pytestmark = pytest.mark.anyio


async def _put(store: MemoryStore, key: str, doc: object) -> None:
    raw = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    await store.set(key, Buffer.from_bytes(raw))


@pytest.mark.parametrize("zarr_format", [2, 3])
async def test_group_round_trip(zarr_format: int) -> None:
    store = MemoryStore()
    path = StorePath(store, "a/b")
    meta = GroupMetadata(attributes={"x": [1, 2]}, zarr_format=zarr_format)  # type: ignore[arg-type]
    await write_node_metadata(path, meta)
    back = await read_node_metadata(path)
    assert isinstance(back, GroupMetadata)
    assert back.zarr_format == zarr_format
    assert back.attributes == {"x": [1, 2]}
    assert await node_exists(path)
    assert await node_exists(path, zarr_format)
    assert not await node_exists(path, 5 - zarr_format)


async def test_v3_wins_over_v2() -> None:
    store = MemoryStore()
    await _put(store, "zarr.json", {"zarr_format": 3, "node_type": "group", "attributes": {"v": 3}})
    await _put(store, ".zgroup", {"zarr_format": 2})
    await _put(store, ".zattrs", {"v": 2})
    with pytest.warns(ZarrUserWarning, match="Zarr format 3 will be used"):
        meta = await read_node_metadata(StorePath(store))
    assert meta.zarr_format == 3
    assert meta.attributes == {"v": 3}
    only_v2 = await read_node_metadata(StorePath(store), zarr_format=2)
    assert only_v2.attributes == {"v": 2}


async def test_one_round_trip_of_concurrent_reads() -> None:
    store = LoggingStore(MemoryStore())
    await _put(store, "zarr.json", {"zarr_format": 3, "node_type": "group", "attributes": {}})  # type: ignore[arg-type]
    store.counter.clear()
    await read_node_metadata(StorePath(store), zarr_format=3)
    assert store.counter["get"] == 1


async def test_missing_node_errors_name_the_path() -> None:
    path = StorePath(MemoryStore(), "nothing/here")
    with pytest.raises(NodeNotFoundError, match="nothing/here"):
        await read_node_metadata(path)
    with pytest.raises(ArrayNotFoundError, match="nothing/here"):
        await read_node_metadata(path, node_type="array")
    with pytest.raises(GroupNotFoundError):
        await read_node_metadata(path, node_type="group")
    with pytest.raises(FileNotFoundError):  # the builtin zarr-python raises
        await read_node_metadata(path)


async def test_wrong_node_type_is_not_found() -> None:
    store = MemoryStore()
    await write_node_metadata(StorePath(store, "g"), GroupMetadata())
    with pytest.raises(ArrayNotFoundError, match="found a group"):
        await read_node_metadata(StorePath(store, "g"), node_type="array")


async def test_corrupt_json_names_the_key() -> None:
    store = MemoryStore()
    await _put(store, "bad/zarr.json", b"{not json")
    with pytest.raises(MetadataValidationError, match=r"bad/zarr\.json"):
        await read_node_metadata(StorePath(store, "bad"))
    await _put(store, "list/.zgroup", b"[1, 2]")
    with pytest.raises(MetadataValidationError, match=r"list/\.zgroup"):
        await read_node_metadata(StorePath(store, "list"), zarr_format=2)


async def test_use_consolidated_required_but_missing() -> None:
    store = MemoryStore()
    for fmt in (2, 3):
        path = StorePath(store, f"g{fmt}")
        await write_node_metadata(path, GroupMetadata(zarr_format=fmt))  # type: ignore[arg-type]
        with pytest.raises(ConsolidatedMetadataNotFoundError, match=f"g{fmt}"):
            await read_node_metadata(path, use_consolidated=True)
        with pytest.raises(ValueError, match=f"g{fmt}"):
            await read_node_metadata(path, fmt, use_consolidated=True)  # type: ignore[arg-type]


async def test_v2_custom_consolidated_key() -> None:
    store = MemoryStore()
    await _put(store, ".zgroup", {"zarr_format": 2})
    doc = {
        "metadata": {".zgroup": {"zarr_format": 2}, "s/.zgroup": {"zarr_format": 2}},
        "zarr_consolidated_format": 1,
    }
    await _put(store, "custom", doc)
    meta = await read_node_metadata(StorePath(store), 2, use_consolidated="custom")
    assert isinstance(meta, GroupMetadata)
    assert meta.consolidated_metadata is not None
    assert set(meta.consolidated_metadata.metadata) == {"s"}
    plain = await read_node_metadata(StorePath(store), 2, use_consolidated=False)
    assert plain.consolidated_metadata is None  # type: ignore[union-attr]


async def test_v3_use_consolidated_false_drops_it() -> None:
    store = MemoryStore()
    inline = {"kind": "inline", "must_understand": False, "metadata": {}}
    await _put(
        store,
        "zarr.json",
        {"zarr_format": 3, "node_type": "group", "attributes": {}, "consolidated_metadata": inline},
    )
    assert (await read_node_metadata(StorePath(store))).consolidated_metadata is not None  # type: ignore[union-attr]
    dropped = await read_node_metadata(StorePath(store), use_consolidated=False)
    assert dropped.consolidated_metadata is None  # type: ignore[union-attr]


async def test_delete_node_removes_everything_below() -> None:
    store = MemoryStore()
    await write_node_metadata(StorePath(store, "a"), GroupMetadata())
    await write_node_metadata(StorePath(store, "a/b"), GroupMetadata())
    await write_node_metadata(StorePath(store, "ab"), GroupMetadata())
    await delete_node(StorePath(store, "a"))
    assert not await node_exists(StorePath(store, "a"))
    assert not await node_exists(StorePath(store, "a/b"))
    assert await node_exists(StorePath(store, "ab"))
