"""HTTPStore against the loopback test server: reads, ranges, errors, read-only."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from anyzarr.errors import ReadOnlyError, UnsafeKeyError, UnsupportedOperationError
from anyzarr.io.stores._http import HTTPStore
from anyzarr.io.stores._retry import RemoteStoreError
from anyzarr.protocol._byte_request import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
    slice_for,
)
from anyzarr.protocol.buffer import cpu
from anyzarr.testing.servers import HTTPTestServer, serve_directory

pytestmark = pytest.mark.anyio

DATA = bytes(range(256)) * 4  # 1024 bytes, every offset distinguishable

RANGES: list[ByteRequest | None] = [
    None,
    RangeByteRequest(0, 1),
    RangeByteRequest(10, 20),
    RangeByteRequest(1000, 2000),  # runs past the end
    RangeByteRequest(2000, 3000),  # starts past the end
    RangeByteRequest(5, 5),  # empty
    OffsetByteRequest(0),
    OffsetByteRequest(1000),
    OffsetByteRequest(1024),  # exactly the end
    OffsetByteRequest(5000),
    SuffixByteRequest(1),
    SuffixByteRequest(100),
    SuffixByteRequest(1024),
    SuffixByteRequest(5000),  # longer than the object
    SuffixByteRequest(0),
]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "zarr.json").write_bytes(b'{"zarr_format": 3, "node_type": "group"}')
    (tmp_path / "c" / "0").mkdir(parents=True)
    (tmp_path / "c" / "0" / "1").write_bytes(DATA)
    (tmp_path / "with space").write_bytes(b"spaced")
    (tmp_path / "empty").write_bytes(b"")
    return tmp_path


@pytest.fixture
def server(root: Path) -> Iterator[HTTPTestServer]:
    with serve_directory(root) as srv:
        yield srv


@pytest.fixture
def store(server: HTTPTestServer) -> HTTPStore:
    return HTTPStore(server.url, retries=2)


async def test_get_whole_value(store: HTTPStore) -> None:
    value = await store.get("c/0/1")
    assert value is not None
    assert value.to_bytes() == DATA
    group = await store.get("zarr.json", cpu.buffer_prototype)
    assert group is not None
    assert group.to_bytes().startswith(b'{"zarr_format": 3')
    await store.close()


async def test_missing_key_is_none(store: HTTPStore) -> None:
    assert await store.get("nope") is None
    assert await store.get("c/0/9", byte_range=RangeByteRequest(0, 4)) is None
    assert await store.get("nope", byte_range=RangeByteRequest(3, 3)) is None
    assert await store.exists("nope") is False
    with pytest.raises(FileNotFoundError, match="nope"):
        await store.getsize("nope")
    await store.close()


@pytest.mark.parametrize("honor_range", [True, False], ids=["range", "no-range"])
@pytest.mark.parametrize("byte_range", RANGES, ids=repr)
async def test_byte_ranges_match_slicing(
    server: HTTPTestServer, byte_range: ByteRequest | None, honor_range: bool
) -> None:
    server.honor_range = honor_range
    async with HTTPStore(server.url) as store:
        value = await store.get("c/0/1", byte_range=byte_range)
    assert value is not None
    assert value.to_bytes() == DATA[slice_for(byte_range, len(DATA))]


async def test_range_requests_are_sent(server: HTTPTestServer, store: HTTPStore) -> None:
    await store.get("c/0/1", byte_range=RangeByteRequest(10, 20))
    await store.get("c/0/1", byte_range=OffsetByteRequest(7))
    await store.get("c/0/1", byte_range=SuffixByteRequest(9))
    sent = [r.range for r in server.requests if r.method == "GET"]
    assert sent == ["bytes=10-19", "bytes=7-", "bytes=-9"]
    await store.close()


async def test_empty_object_and_ranges(store: HTTPStore) -> None:
    value = await store.get("empty")
    assert value is not None
    assert len(value) == 0
    ranged = await store.get("empty", byte_range=SuffixByteRequest(4))
    assert ranged is not None
    assert len(ranged) == 0
    assert await store.getsize("empty") == 0
    await store.close()


async def test_keys_are_percent_encoded(store: HTTPStore) -> None:
    value = await store.get("with space")
    assert value is not None
    assert value.to_bytes() == b"spaced"
    assert store.url_for("with space").endswith("/with%20space")
    await store.close()


async def test_unsafe_keys_are_refused(store: HTTPStore) -> None:
    for key in ["../secret", "/abs", "a//b", ""]:
        with pytest.raises(UnsafeKeyError):
            await store.get(key)
    await store.close()


async def test_exists_and_getsize(store: HTTPStore) -> None:
    assert await store.exists("c/0/1")
    assert await store.exists("zarr.json")
    assert not await store.exists("c/0")  # a directory is not a key
    assert await store.getsize("c/0/1") == len(DATA)
    await store.close()


async def test_exists_without_head_support(server: HTTPTestServer, store: HTTPStore) -> None:
    server.allow_head = False
    assert await store.exists("c/0/1")
    assert not await store.exists("nope")
    assert await store.getsize("c/0/1") == len(DATA)
    assert [r.method for r in server.requests][:2] == ["HEAD", "GET"]
    await store.close()


async def test_get_partial_values_keeps_order(store: HTTPStore) -> None:
    results = await store.get_partial_values(
        None,
        [
            ("c/0/1", RangeByteRequest(0, 2)),
            ("nope", None),
            ("c/0/1", SuffixByteRequest(2)),
            ("zarr.json", OffsetByteRequest(1)),
        ],
    )
    assert [None if r is None else r.to_bytes() for r in results] == [
        DATA[:2],
        None,
        DATA[-2:],
        b'"zarr_format": 3, "node_type": "group"}',
    ]
    await store.close()


async def test_writes_are_refused(store: HTTPStore, root: Path) -> None:
    value = cpu.Buffer.from_bytes(b"x")
    with pytest.raises(ReadOnlyError, match="new"):
        await store.set("new", value)
    with pytest.raises(ReadOnlyError):
        await store.set_if_not_exists("new", value)
    with pytest.raises(ReadOnlyError, match=r"zarr\.json"):
        await store.delete("zarr.json")
    with pytest.raises(ReadOnlyError):
        await store.delete_dir("c")
    with pytest.raises(ReadOnlyError):
        await store.clear()
    assert sorted(p.name for p in root.iterdir()) == ["c", "empty", "with space", "zarr.json"]
    assert store.read_only
    assert not store.supports_writes
    assert not store.supports_deletes
    await store.close()


async def test_listing_is_unsupported(store: HTTPStore) -> None:
    assert store.supports_listing is False
    with pytest.raises(UnsupportedOperationError, match="list"):
        _ = [k async for k in store.list()]
    with pytest.raises(UnsupportedOperationError):
        _ = [k async for k in store.list_prefix("c")]
    with pytest.raises(UnsupportedOperationError):
        _ = [k async for k in store.list_dir("")]
    with pytest.raises(UnsupportedOperationError):
        await store.is_empty("")
    await store.close()


async def test_non_transient_status_names_url_and_status(
    server: HTTPTestServer, store: HTTPStore
) -> None:
    server.fail_next(1, status=403)
    with pytest.raises(RemoteStoreError, match=r"403") as info:
        await store.get("c/0/1")
    assert info.value.status == 403
    assert info.value.url.endswith("/c/0/1")
    assert isinstance(info.value, OSError)
    assert len(server.requests) == 1  # not retried
    await store.close()


async def test_caller_client_is_used_and_left_open(server: HTTPTestServer) -> None:
    async with httpx.AsyncClient(headers={"X-Test": "1"}) as client:
        store = HTTPStore(server.url, client=client)
        value = await store.get("zarr.json")
        assert value is not None
        await store.close()
        assert not client.is_closed
        response = await client.get(f"{server.url}/zarr.json")
        assert response.status_code == 200


async def test_store_reopens_its_client_after_close(store: HTTPStore) -> None:
    assert await store.exists("zarr.json")
    await store.close()
    assert await store.exists("zarr.json")
    await store.close()


def test_constructor_validates_url() -> None:
    with pytest.raises(ValueError, match="ftp://x"):
        HTTPStore("ftp://x")
    with pytest.raises(ValueError, match="retries"):
        HTTPStore("http://x", retries=-1)


def test_equality_pickle_and_read_only() -> None:
    store = HTTPStore("http://127.0.0.1:9/data/", headers={"Authorization": "x"})
    assert store == HTTPStore("http://127.0.0.1:9/data")
    assert store != HTTPStore("http://127.0.0.1:9/other")
    assert hash(store) == hash(HTTPStore("http://127.0.0.1:9/data"))
    clone = pickle.loads(pickle.dumps(store))
    assert clone == store
    assert clone.headers == {"Authorization": "x"}
    assert store.with_read_only(True) is store
    with pytest.raises(ReadOnlyError):
        store.with_read_only(False)
    assert "127.0.0.1:9/data" in repr(store)


async def test_pickling_a_store_with_a_caller_client_is_refused() -> None:
    async with httpx.AsyncClient() as client:
        store = HTTPStore("http://127.0.0.1:9", client=client)
        with pytest.raises(TypeError, match="pickled"):
            pickle.dumps(store)
