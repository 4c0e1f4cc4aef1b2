"""HTTPStore under failure: retries, backoff, budgets, latency and cancellation."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from anyzarr.io.stores._http import HTTPStore
from anyzarr.io.stores._retry import (
    RemoteStoreError,
    RetriesExhaustedError,
    RetryPolicy,
    TransientError,
    retry_call,
)
from anyzarr.protocol._byte_request import RangeByteRequest
from anyzarr.testing.servers import HTTPTestServer, serve_directory

DATA = b"0123456789" * 10
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, total_timeout=10.0)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[HTTPTestServer]:
    (tmp_path / "chunk").write_bytes(DATA)
    with serve_directory(tmp_path) as srv:
        yield srv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 502, 503, 504, 429, 408])
async def test_transient_statuses_are_retried(server: HTTPTestServer, status: int) -> None:
    server.fail_next(2, status=status)
    async with HTTPStore(server.url, retries=FAST) as store:
        value = await store.get("chunk", byte_range=RangeByteRequest(0, 5))
    assert value is not None
    assert value.to_bytes() == b"01234"
    assert len(server.requests) == 3
    assert server.pending_faults == 0


@pytest.mark.anyio
async def test_connection_resets_are_retried(server: HTTPTestServer) -> None:
    server.reset_next(2)
    async with HTTPStore(server.url, retries=FAST) as store:
        value = await store.get("chunk")
    assert value is not None
    assert value.to_bytes() == DATA
    assert len(server.requests) == 3


@pytest.mark.anyio
async def test_head_is_retried_too(server: HTTPTestServer) -> None:
    server.fail_next(1, status=503)
    async with HTTPStore(server.url, retries=FAST) as store:
        assert await store.exists("chunk")
    assert [r.method for r in server.requests] == ["HEAD", "HEAD"]


@pytest.mark.anyio
async def test_retry_after_is_honoured(server: HTTPTestServer) -> None:
    server.fail_next(1, status=429, retry_after=0.3)
    async with HTTPStore(server.url, retries=FAST) as store:
        start = anyio.current_time()
        value = await store.get("chunk")
        elapsed = anyio.current_time() - start
    assert value is not None
    assert value.to_bytes() == DATA
    assert elapsed >= 0.3


@pytest.mark.anyio
async def test_attempt_budget_exhausted_gives_clear_error(server: HTTPTestServer) -> None:
    server.fail_next(10, status=503)
    policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
    async with HTTPStore(server.url, retries=policy) as store:
        with pytest.raises(RetriesExhaustedError) as info:
            await store.get("chunk")
    message = str(info.value)
    assert f"{server.url}/chunk" in message
    assert "3 attempt" in message
    assert "HTTP 503" in message
    assert info.value.status == 503
    assert isinstance(info.value, RemoteStoreError)
    assert len(server.requests) == 3


@pytest.mark.anyio
async def test_time_budget_stops_long_retry_after(server: HTTPTestServer) -> None:
    server.fail_next(1, status=503, retry_after=30)
    policy = RetryPolicy(attempts=5, base_delay=0.01, total_timeout=1.0)
    async with HTTPStore(server.url, retries=policy) as store:
        start = anyio.current_time()
        with pytest.raises(RetriesExhaustedError, match="time budget"):
            await store.get("chunk")
    assert anyio.current_time() - start < 1.0
    assert len(server.requests) == 1


@pytest.mark.anyio
async def test_zero_retries_fail_at_once(server: HTTPTestServer) -> None:
    server.fail_next(1, status=500)
    async with HTTPStore(server.url, retries=0) as store:
        with pytest.raises(RetriesExhaustedError, match="1 attempt"):
            await store.get("chunk")
        assert (await store.get("chunk")) is not None


@pytest.mark.anyio
async def test_connection_refused_is_mapped() -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    policy = RetryPolicy(attempts=2, base_delay=0.01)
    async with HTTPStore(url, retries=policy) as store:
        with pytest.raises(RetriesExhaustedError, match="cannot connect") as info:
            await store.get("chunk")
    assert url in str(info.value)
    assert isinstance(info.value.__cause__, TransientError)


@pytest.mark.anyio
async def test_read_timeout_is_retried_then_fails(server: HTTPTestServer) -> None:
    server.latency = 0.5
    policy = RetryPolicy(attempts=2, base_delay=0.01)
    async with HTTPStore(server.url, retries=policy, timeout=0.1) as store:
        with pytest.raises(RetriesExhaustedError, match="took longer than"):
            await store.get("chunk")
        server.latency = 0.0
        value = await store.get("chunk")
    assert value is not None
    assert value.to_bytes() == DATA


@pytest.mark.anyio
async def test_latency_and_the_store_limiter(server: HTTPTestServer) -> None:
    server.latency = 0.15
    async with HTTPStore(server.url, concurrency=2) as store:
        start = anyio.current_time()
        results = await store.get_partial_values(None, [("chunk", None)] * 6)
        elapsed = anyio.current_time() - start
    assert all(r is not None and r.to_bytes() == DATA for r in results)
    assert server.max_in_flight <= 2
    assert elapsed >= 0.15 * 3 * 0.9  # six requests, two at a time


@pytest.mark.anyio
async def test_cancelled_read_leaves_store_usable(server: HTTPTestServer) -> None:
    server.latency = 2.0
    async with HTTPStore(server.url) as store:
        with anyio.move_on_after(0.2) as scope:
            await store.get("chunk")
        assert scope.cancelled_caught
        server.latency = 0.0
        value = await store.get("chunk")
    assert value is not None
    assert value.to_bytes() == DATA


@pytest.mark.anyio
async def test_retry_call_passes_other_errors_through() -> None:
    calls = 0

    async def boom() -> None:
        nonlocal calls
        calls += 1
        raise KeyError("not transient")

    with pytest.raises(KeyError):
        await retry_call(boom, FAST, what="boom")
    assert calls == 1


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=1.0, jitter=0.0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4, 5, 9)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    jittered = RetryPolicy(base_delay=0.1, max_delay=1.0, jitter=1.0)
    samples = [jittered.backoff(3) for _ in range(200)]
    assert all(0.0 <= s <= 0.4 for s in samples)
    assert len(set(samples)) > 1


def test_policy_validation_and_coercion() -> None:
    assert RetryPolicy.coerce(0).attempts == 1
    assert RetryPolicy.coerce(3).attempts == 4
    assert RetryPolicy.coerce(FAST) is FAST
    for bad in (-1, True, 1.5):
        with pytest.raises(ValueError, match="retries"):
            RetryPolicy.coerce(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=2.0)
    with pytest.raises(ValueError, match="non-negative"):
        RetryPolicy(total_timeout=0)
