"""The lean HTTP/1.1 client behind HTTPStore, against scripted raw servers."""

from __future__ import annotations

import contextlib
import gc
import gzip
import shutil
import ssl
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import anyio.abc
import pytest
from anyio.streams.tls import TLSListener

from anyzarr.io.stores._http import HTTPStore
from anyzarr.io.stores._http_wire import (
    WirePool,
    WireProtocolError,
    WireTLSError,
    WireTransportError,
)
from anyzarr.io.stores._retry import RemoteStoreError, RetryPolicy
from anyzarr.testing.servers import serve_directory

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


@pytest.mark.anyio
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


@pytest.mark.anyio
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


@pytest.mark.anyio
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


@pytest.mark.anyio
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


@pytest.mark.anyio
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


@pytest.mark.anyio
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


@pytest.mark.anyio
async def test_store_maps_protocol_errors_to_remote_store_error() -> None:
    async with (
        raw_server(lambda head, n: b"garbage\r\n\r\n") as (url, _),
        HTTPStore(url, retries=RetryPolicy(attempts=1)) as store,
    ):
        with pytest.raises(RemoteStoreError, match="status line"):
            await store.get("key")


@pytest.mark.anyio
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


@pytest.mark.anyio
async def test_malformed_and_oversized_heads_are_refused() -> None:
    replies = {
        "/huge": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
        "/fold": b"HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n",
        "/space": b"HTTP/1.1 200 OK\r\nBad Name: 1\r\nContent-Length: 0\r\n\r\n",
        "/digits": "HTTP/1.1 2\u00b20 OK\r\nContent-Length: 0\r\n\r\n".encode("latin-1"),
        "/length": b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nabcde",
        "/minus": b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    }
    async with raw_server(lambda head, n: replies[path_of(head)] + CLOSE) as (url, _):
        pool = WirePool(5.0, lambda: None)
        for path, match in [
            ("/huge", "too long"),
            ("/space", "header line"),
            ("/digits", "status line"),
            ("/length", "Content-Length"),
            ("/minus", "Content-Length"),
        ]:
            with pytest.raises(WireProtocolError, match=match):
                await pool.request("GET", url + path, {})
        # Obsolete line folding in a response is unfolded (RFC 9112 section 5.2).
        folded = await pool.request("GET", url + "/fold", {})
        assert folded.headers["x-a"] == "1 folded"
        pool.close_now()


@pytest.mark.anyio
async def test_chunked_edge_cases() -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    replies = {
        "/trailers": head + b"3;a=b;c\r\nabc\r\n0\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\n",
        "/underscore": head + b"1_0\r\n" + b"a" * 16 + b"\r\n0\r\n\r\n",
        "/negative": head + b"-5\r\nabc\r\n0\r\n\r\n",
        "/nocrlf": head + b"3\r\nabcXY0\r\n\r\n",
        "/longline": head + b"3;" + b"x" * 10_000 + b"\r\nabc\r\n0\r\n\r\n",
        "/gzipte": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    }
    async with raw_server(lambda h, n: replies[path_of(h)]) as (url, _):
        pool = WirePool(5.0, lambda: None)
        response = await pool.request("GET", f"{url}/trailers", {})
        assert bytes(response.content) == b"abc"
        # A long chunk extension within the head limit is ignored.
        assert bytes((await pool.request("GET", f"{url}/longline", {})).content) == b"abc"
        for path, match in [
            ("/underscore", "chunk header"),
            ("/negative", "chunk header"),
            ("/nocrlf", "chunk footer"),
            ("/gzipte", "Transfer-Encoding"),
        ]:
            with pytest.raises(WireProtocolError, match=match):
                await pool.request("GET", url + path, {})
        pool.close_now()


@pytest.mark.anyio
async def test_both_framings_read_chunked_and_close_the_connection() -> None:
    def script(head: bytes, n: int) -> bytes:
        return (
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"5\r\nhello\r\n0\r\n\r\n"
            + f"GET /smuggled #{n}".encode()
        )

    async with raw_server(script) as (url, heads):
        pool = WirePool(5.0, lambda: None)
        assert bytes((await pool.request("GET", f"{url}/a", {})).content) == b"hello"
        assert bytes((await pool.request("GET", f"{url}/b", {})).content) == b"hello"
        pool.close_now()
    assert len(heads) == 2  # both answered as first requests on fresh connections


@pytest.mark.anyio
async def test_body_limits_stop_gzip_bombs() -> None:
    bomb = gzip.compress(bytes(1_000_000))
    replies = {
        "/bomb": ok(bomb, "Content-Encoding: gzip"),
        "/long": b"HTTP/1.1 200 OK\r\nContent-Length: 50000\r\n\r\n",
        "/chunks": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"4000\r\n"
        + bytes(16384)
        + b"\r\n0\r\n\r\n",
        "/broken": ok(b"\x1f\x8b not gzip", "Content-Encoding: gzip"),
        "/cut": ok(gzip.compress(b"hello")[:-6], "Content-Encoding: gzip"),
    }
    async with raw_server(lambda h, n: replies[path_of(h)] + CLOSE) as (url, _):
        pool = WirePool(5.0, lambda: None, max_body=10_000)
        for path, match in [
            ("/bomb", "decoded body exceeds"),
            ("/long", "exceeds"),
            ("/chunks", "exceeds"),
            ("/broken", "bad gzip body"),
            ("/cut", "truncated"),
        ]:
            with pytest.raises(WireProtocolError, match=match):
                await pool.request("GET", url + path, {})
        pool.close_now()


@pytest.mark.anyio
async def test_redirects_to_other_schemes_and_header_scope() -> None:
    async with raw_server(lambda head, n: ok(b"landed")) as (other, other_heads):

        def script(head: bytes, n: int) -> bytes:
            if path_of(head) == "/ftp":
                return ok(b"", "Location: ftp://example.invalid/x", status="302 Found")
            return ok(b"", f"Location: {other}/end", status="307 Temporary Redirect")

        async with raw_server(script) as (url, _):
            pool = WirePool(5.0, lambda: None)
            with pytest.raises(WireProtocolError, match="http"):
                await pool.request("GET", f"{url}/ftp", {})
            headers = {"X-Api-Key": "k1", "Cookie": "c=1", "Range": "bytes=0-1"}
            await pool.request("GET", f"{url}/go", headers)
            with pytest.raises(ValueError, match="X-Bad"):
                await pool.request("GET", f"{url}/go", {"X-Bad": "a\r\nInjected: 1"})
            pool.close_now()
    assert b"Range: bytes=0-1" in other_heads[0]
    assert b"k1" not in other_heads[0]
    assert b"c=1" not in other_heads[0]


@pytest.mark.anyio
async def test_timeout_covers_a_silent_server_and_the_pool_recovers() -> None:
    def script(head: bytes, n: int) -> bytes | None:
        if path_of(head) == "/silent":
            return b""  # sends nothing and keeps the connection open
        if path_of(head) == "/garbage":
            return b"NOT HTTP\r\n\r\n"
        return ok(b"fine")

    async with raw_server(script) as (url, _):
        pool = WirePool(0.3, lambda: None)
        start = time.perf_counter()
        with pytest.raises(WireTransportError, match="longer than"):
            await pool.request("GET", f"{url}/silent", {})
        assert time.perf_counter() - start < 2
        with pytest.raises(WireProtocolError):
            await pool.request("GET", f"{url}/garbage", {})
        # Failed connections were dropped, not returned to the pool.
        assert bytes((await pool.request("GET", f"{url}/ok", {})).content) == b"fine"
        await pool.aclose()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.anyio
async def test_tls_verifies_by_default_and_sends_sni(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment,func-returns-value]

    async def handle(stream: anyio.abc.ByteStream) -> None:
        async with stream:
            with contextlib.suppress(anyio.EndOfStream, anyio.BrokenResourceError):
                await stream.receive()
                await stream.send(ok(b"secure") + b"")

    inner = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = inner.extra(anyio.abc.SocketAttribute.local_port)
    listener = TLSListener(inner, server_context, standard_compatible=False)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        default = WirePool(5.0, lambda: None)
        with pytest.raises(WireTLSError, match="certificate"):
            await default.request("GET", f"https://localhost:{port}/x", {})
        trusting = ssl.create_default_context(cafile=str(cert))
        pool = WirePool(5.0, lambda: trusting)
        response = await pool.request("GET", f"https://localhost:{port}/x", {})
        assert bytes(response.content) == b"secure"
        with pytest.raises(WireTLSError, match=r"127\.0\.0\.1"):  # the name must match too
            await pool.request("GET", f"https://127.0.0.1:{port}/x", {})
        await pool.aclose()
        tg.cancel_scope.cancel()
    assert "localhost" in names


def test_one_store_on_two_loops_closes_cleanly(tmp_path: Path) -> None:
    from anyzarr.api._sync_runtime import sync

    (tmp_path / "k").write_bytes(b"value")
    with serve_directory(tmp_path) as server:
        store = HTTPStore(server.url)
        first = sync(store.get, "k")  # the sync API's background loop
        for backend in ("asyncio", "trio"):
            second = anyio.run(store.get, "k", backend=backend)
            assert second is not None
            assert second.to_bytes() == b"value"
        assert first is not None
        assert first.to_bytes() == b"value"
        anyio.run(store.close)
        assert store._pool is None
        # Used again after close, then closed from the background loop.
        assert sync(store.exists, "k")
        sync(store.close)
    # Unclosed sockets would warn when collected; filterwarnings=error fails then.
    gc.collect()


def test_resolving_a_host_name_from_the_sync_loop_exits_cleanly() -> None:
    # Host names are resolved in anyio's worker threads, never in the asyncio
    # loop's default executor: a loop that used its executor starts a thread
    # when it closes, and the sync API's loop closes at interpreter exit.
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        from anyzarr.api._sync_runtime import sync
        from anyzarr.io.stores._http_wire import _open_socket

        async def connect():
            try:
                (await _open_socket("localhost", 9)).close()
            except OSError:
                pass
            return "done"

        print(sync(connect))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "done"
    assert "Traceback" not in out.stderr, out.stderr
