"""HTTPStore against a hostile or broken server (``anyzarr.testing.servers`` faults).

Memory is measured with tracemalloc: a body must never be allocated beyond
what the request can return, whatever the headers claim.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import pytest

from anyzarr.io.stores import _http_wire
from anyzarr.io.stores._http import HTTPStore
from anyzarr.io.stores._http_wire import WirePool
from anyzarr.io.stores._retry import RemoteStoreError, RetryPolicy
from anyzarr.protocol._byte_request import (
    OffsetByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
)
from anyzarr.testing.servers import HTTPTestServer, serve_directory

BIG = bytes(range(256)) * (16 * 1024)  # 4 MiB, not compressible to nothing
ONCE = RetryPolicy(attempts=1)
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, total_timeout=10.0)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[HTTPTestServer]:
    (tmp_path / "big").write_bytes(BIG)
    (tmp_path / "small").write_bytes(b"0123456789")
    with serve_directory(tmp_path) as srv:
        yield srv


@contextmanager
def peak_below(limit: int) -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit, f"peak {peak} bytes"


@pytest.mark.anyio
async def test_huge_content_length_allocates_nothing(server: HTTPTestServer) -> None:
    server.huge_length_next(16, length=1_000_000_000)
    async with HTTPStore(server.url, retries=ONCE) as store:
        with peak_below(4 << 20):
            async with anyio.create_task_group() as tg:
                for _ in range(16):

                    async def one() -> None:
                        with pytest.raises(RemoteStoreError):
                            await store.get("small")

                    tg.start_soon(one)


@pytest.mark.anyio
async def test_a_range_request_returns_at_most_the_range(server: HTTPTestServer) -> None:
    server.huge_length_next(1, length=1_000_000)
    async with HTTPStore(server.url, retries=ONCE) as store:
        with pytest.raises(RemoteStoreError, match="exceeds the 10 bytes"):
            await store.get("big", byte_range=RangeByteRequest(0, 10))


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("byte_range", "expected"),
    [
        (RangeByteRequest(5, 20), BIG[5:20]),
        (OffsetByteRequest(len(BIG) - 7), BIG[-7:]),
        (SuffixByteRequest(9), BIG[-9:]),
        (SuffixByteRequest(0), b""),
    ],
    ids=["range", "offset", "suffix", "empty-suffix"],
)
async def test_ignored_ranges_keep_only_the_window(
    server: HTTPTestServer, byte_range: object, expected: bytes
) -> None:
    server.honor_range = False  # 200 with the whole 4 MiB object every time
    async with HTTPStore(server.url) as store:
        # The in-process server holds the 4 MiB file while it answers; a client
        # that kept the whole body would add another 4 MiB or more.
        with peak_below(len(BIG) + (3 << 19)):
            value = await store.get("big", byte_range=byte_range)  # type: ignore[arg-type]
    assert value is not None
    assert value.to_bytes() == expected


@pytest.mark.anyio
async def test_gzip_bomb_whole_get_stops_at_max_body(server: HTTPTestServer) -> None:
    server.gzip_bomb_next(1, nbytes=256 << 20)
    async with HTTPStore(server.url, retries=ONCE, max_body=1 << 20) as store:
        with peak_below(8 << 20), pytest.raises(RemoteStoreError, match="exceeds"):
            await store.get("small")


@pytest.mark.anyio
async def test_gzip_bomb_range_get_stops_at_the_range(server: HTTPTestServer) -> None:
    server.gzip_bomb_next(1, nbytes=256 << 20)
    async with HTTPStore(server.url, retries=ONCE) as store:
        with peak_below(8 << 20), pytest.raises(RemoteStoreError, match="exceeds"):
            await store.get("big", byte_range=RangeByteRequest(0, 1000))


@pytest.mark.anyio
async def test_gzip_decoding_runs_in_a_worker_thread(
    server: HTTPTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    decode = _http_wire.decode_content

    def spy(*args: object) -> object:
        threads.append(threading.current_thread())
        return decode(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(_http_wire, "decode_content", spy)
    server.gzip_bomb_next(1, nbytes=1000)
    async with HTTPStore(server.url) as store:
        value = await store.get("small")
    assert value is not None
    assert value.to_bytes() == bytes(1000)
    assert threads
    assert threads[0] is not threading.current_thread()


@pytest.mark.anyio
async def test_gzip_decoding_is_inside_the_timeout(server: HTTPTestServer) -> None:
    server.gzip_bomb_next(1, nbytes=1 << 30)
    async with HTTPStore(server.url, retries=ONCE, timeout=0.3, max_body=2 << 30) as store:
        start = time.perf_counter()
        with pytest.raises(RemoteStoreError):
            await store.get("small")
        assert time.perf_counter() - start < 3


@pytest.mark.anyio
async def test_truncated_body_is_retried_then_succeeds(server: HTTPTestServer) -> None:
    server.truncate_next(2, keep=3)
    async with HTTPStore(server.url, retries=FAST) as store:
        value = await store.get("small")
    assert value is not None
    assert value.to_bytes() == b"0123456789"
    assert server.pending_faults == 0


@pytest.mark.anyio
async def test_slow_body_within_and_beyond_the_timeout(server: HTTPTestServer) -> None:
    server.slow_next(1, delay=0.05, pieces=3)
    async with HTTPStore(server.url, timeout=5.0) as store:
        value = await store.get("small")
    assert value is not None
    assert value.to_bytes() == b"0123456789"
    server.slow_next(1, delay=0.4, pieces=3)
    async with HTTPStore(server.url, timeout=0.5, retries=ONCE) as store:
        with pytest.raises(RemoteStoreError, match="longer than"):
            await store.get("small")


@pytest.mark.anyio
async def test_wrong_content_range_is_an_error(server: HTTPTestServer) -> None:
    server.wrong_range_next(1)
    async with HTTPStore(server.url, retries=ONCE) as store:
        with pytest.raises(RemoteStoreError, match=r"Content-Range|asked for"):
            await store.get("small", byte_range=RangeByteRequest(2, 5))


@pytest.mark.anyio
async def test_429_with_retry_after_is_honoured(server: HTTPTestServer) -> None:
    server.fail_next(1, status=429, retry_after=0.2)
    async with HTTPStore(server.url, retries=FAST) as store:
        start = time.perf_counter()
        value = await store.get("small")
        assert time.perf_counter() - start >= 0.2
    assert value is not None


@pytest.mark.anyio
async def test_resets_and_5xx_are_retried(server: HTTPTestServer) -> None:
    server.reset_next(1)
    server.fail_next(2, status=503)
    async with HTTPStore(server.url, retries=FAST) as store:
        value = await store.get("small")
    assert value is not None
    assert server.pending_faults == 0


@pytest.mark.anyio
@pytest.mark.skipif(sys.platform == "win32", reason="file descriptor numbers")
async def test_keep_alive_works_for_descriptors_above_1024(server: HTTPTestServer) -> None:
    # Push new sockets above descriptor 1024, where select.select() fails.
    base = os.open(os.devnull, os.O_RDONLY)
    spares = [os.dup(base) for _ in range(1100)]
    try:
        async with HTTPStore(server.url) as store:
            for _ in range(5):
                await store.get("small")
            pool = store._pool
            assert pool is not None
            conns = [c for idle in pool._idle.values() for c in idle]
            assert conns
            assert conns[0].stream.sock.fileno() > 1024
        # One connection served all five requests.
        assert server.max_in_flight == 1
        assert len({r.path for r in server.requests}) == 1
    finally:
        for fd in spares:
            os.close(fd)
        os.close(base)


def test_idle_pool_is_shared_safely_between_threads(tmp_path: Path) -> None:
    (tmp_path / "k").write_bytes(b"v")
    failures: list[BaseException] = []
    switch = sys.getswitchinterval()
    with serve_directory(tmp_path) as server:
        pool = WirePool(10.0, lambda: None)

        async def hammer() -> None:
            for _ in range(100):
                await pool.request("GET", f"{server.url}/k", {})

        def run() -> None:
            try:
                anyio.run(hammer)
            except BaseException as exc:  # reported below
                failures.append(exc)

        sys.setswitchinterval(1e-6)  # switch threads as often as possible
        try:
            threads = [threading.Thread(target=run) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
        finally:
            sys.setswitchinterval(switch)
            pool.close_now()
    assert not failures, failures


class _SlowList(list):  # type: ignore[type-arg]
    """A list whose truth test waits (briefly) for a second thread to test it too:
    the window between "is a connection idle?" and "take it" held open."""

    barrier: threading.Barrier

    def __bool__(self) -> bool:
        answer = len(self) > 0
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            pass  # a pool that tests under a lock: the other thread cannot come
        return answer


def test_two_threads_never_take_the_same_last_idle_connection(tmp_path: Path) -> None:
    (tmp_path / "k").write_bytes(b"v")
    failures: list[BaseException] = []
    with serve_directory(tmp_path) as server:
        pool = WirePool(10.0, lambda: None)
        anyio.run(pool.request, "GET", f"{server.url}/k", {})
        [(origin, idle)] = pool._idle.items()
        slow = _SlowList(idle)
        slow.barrier = threading.Barrier(2, timeout=0.5)
        pool._idle[origin] = slow

        def run() -> None:
            try:
                anyio.run(pool.request, "GET", f"{server.url}/k", {})
            except BaseException as exc:  # reported below
                failures.append(exc)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        pool.close_now()
    assert not failures, failures
