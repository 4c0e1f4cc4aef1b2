"""The lean HTTP/1.1 client behind HTTPStore, against scripted raw servers."""

from __future__ import annotations

import gzip
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import anyio.abc
import pytest

from anyzarr.io.stores._http import HTTPStore
from anyzarr.io.stores._http_wire import WirePool, WireProtocolError, WireTransportError
from anyzarr.io.stores._retry import RemoteStoreError, RetryPolicy
from anyzarr.testing.servers import serve_directory

pytestmark = pytest.mark.anyio

Script = Callable[[bytes, int], bytes | None]
"""Maps (request head, connection's request number) to raw response bytes; None closes."""

#: A script's reply ending in this is sent without it, then the connection closes
#: (HTTP/1.0 replies close too: their body without a length ends at close).
CLOSE = b"\0close"


@asynccontextmanager
async def raw_server(script: Script) -> AsyncIterator[tuple[str, list[bytes]]]:
    """A loopback server that answers each request head with ``script``'s bytes."""
    heads: list[bytes] = []

    async def handle(stream: anyio.abc.SocketStream) -> None:
        buf = b""
        n = 0
        async with stream:
            while True:
                while b"\r\n\r\n" not in buf:
                    try:
                        buf += await stream.receive()
                    except (anyio.EndOfStream, anyio.BrokenResourceError):
                        return
                head, _, buf = buf.partition(b"\r\n\r\n")
                heads.append(head)
                reply = script(head, n)
                n += 1
                if reply is None:
                    return
                closing = reply.endswith(CLOSE) or reply.startswith(b"HTTP/1.0")
                await stream.send(reply.removesuffix(CLOSE))
                if closing:
                    return

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        try:
            yield f"http://127.0.0.1:{port}", heads
        finally:
            tg.cancel_scope.cancel()


def ok(body: bytes, *extra: str, status: str = "200 OK") -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def path_of(head: bytes) -> str:
    return head.split(b" ", 2)[1].decode()


async def test_keep_alive_reuses_one_connection() -> None:
    async with raw_server(lambda head, n: ok(f"{path_of(head)} #{n}".encode())) as (url, heads):
        pool = WirePool(5.0, lambda: None)
        first = await pool.request("GET", f"{url}/a?x=1", {"Range": "bytes=0-3"})
        second = await pool.request("GET", f"{url}/b", {})
        await pool.aclose()
    assert (first.status_code, bytes(first.content)) == (200, b"/a?x=1 #0")
    assert bytes(second.content) == b"/b #1"  # the same connection answered both
    assert b"Range: bytes=0-3" in heads[0]
    assert first.headers["content-length"] == "9"


async def test_chunked_and_gzip_bodies() -> None:
    payload = bytes(range(256)) * 50
    packed = gzip.compress(payload)

    def script(head: bytes, n: int) -> bytes:
        if path_of(head) == "/gz":
            return ok(packed, "Content-Encoding: gzip")
        chunks = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in (b"hello ", b"world"))
        return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"

    async with raw_server(script) as (url, _):
        pool = WirePool(5.0, lambda: None)
        assert bytes((await pool.request("GET", f"{url}/chunked", {})).content) == b"hello world"
        assert bytes((await pool.request("GET", f"{url}/gz", {})).content) == payload
        # The chunked body was fully consumed: the connection still works.
        assert bytes((await pool.request("GET", f"{url}/chunked", {})).content) == b"hello world"
        await pool.aclose()


async def test_body_until_close_and_interim_answers() -> None:
    def script(head: bytes, n: int) -> bytes:
        if path_of(head) == "/old":
            return b"HTTP/1.0 200 OK\r\n\r\nuntil close"
        return b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"final")

    async with raw_server(script) as (url, _):
        pool = WirePool(5.0, lambda: None)
        assert bytes((await pool.request("GET", f"{url}/x", {})).content) == b"final"
        response = await pool.request("HEAD", f"{url}/x", {})
        assert response.content == b""  # HEAD has no body whatever the length says
        old = await pool.request("GET", f"{url}/old", {})
        assert bytes(old.content) == b"until close"
        await pool.aclose()


async def test_redirects_drop_credentials_across_origins() -> None:
    async with raw_server(lambda head, n: ok(b"landed")) as (other, other_heads):

        def script(head: bytes, n: int) -> bytes:
            if path_of(head) == "/start":
                return ok(b"", "Location: /next", status="302 Found")
            return ok(b"", f"Location: {other}/end", status="301 Moved Permanently")

        async with raw_server(script) as (url, heads):
            pool = WirePool(5.0, lambda: None)
            response = await pool.request("GET", f"{url}/start", {"Authorization": "secret"})
            await pool.aclose()
    assert bytes(response.content) == b"landed"
    assert response.url == f"{other}/end"
    assert all(b"Authorization: secret" in h for h in heads)
    assert not any(b"secret" in h for h in other_heads)


async def test_stale_idle_connection_is_replaced() -> None:
    # The server answers once per connection, then closes it unannounced.
    def script(head: bytes, n: int) -> bytes | None:
        return ok(b"fresh") + CLOSE

    async with raw_server(script) as (url, _):
        pool = WirePool(5.0, lambda: None)
        await pool.request("GET", f"{url}/a", {})
        await anyio.sleep(0.05)  # let the close reach the client
        # Not a stale-connection failure: the closed connection is noticed.
        assert bytes((await pool.request("GET", f"{url}/b", {})).content) == b"fresh"
        await pool.aclose()


async def test_failures_are_typed() -> None:
    def script(head: bytes, n: int) -> bytes | None:
        if path_of(head) == "/garbage":
            return b"NOT HTTP\r\n\r\n"
        if path_of(head) == "/short":
            return b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc" + CLOSE
        return None

    async with raw_server(script) as (url, _):
        pool = WirePool(5.0, lambda: None)
        with pytest.raises(WireProtocolError, match="status line"):
            await pool.request("GET", f"{url}/garbage", {})
        with pytest.raises(WireTransportError, match="closed"):
            await pool.request("GET", f"{url}/short", {})
        with pytest.raises(WireTransportError):
            await pool.request("GET", f"{url}/hangup", {})
        await pool.aclose()


async def test_store_maps_protocol_errors_to_remote_store_error() -> None:
    async with (
        raw_server(lambda head, n: b"garbage\r\n\r\n") as (url, _),
        HTTPStore(url, retries=RetryPolicy(attempts=1)) as store,
    ):
        with pytest.raises(RemoteStoreError, match="status line"):
            await store.get("key")


async def test_requests_overlap_under_latency(tmp_path: Path) -> None:
    # Ten requests with 0.2 s latency each and ten slots finish in about one
    # round: the server neither serialises requests nor stalls on Nagle.
    for i in range(10):
        (tmp_path / f"c{i}").write_bytes(bytes(70_000))  # just over one loopback MSS
    with serve_directory(tmp_path, latency=0.2) as server:
        async with HTTPStore(server.url, concurrency=10) as store:
            await store.get("c0")
            start = time.perf_counter()
            async with anyio.create_task_group() as tg:
                for i in range(10):
                    tg.start_soon(store.get, f"c{i}")
            elapsed = time.perf_counter() - start
    assert elapsed < 0.6, elapsed
    assert server.max_in_flight >= 5
