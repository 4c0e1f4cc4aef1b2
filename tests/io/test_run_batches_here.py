"""The fast path's batch runners: `run_batches` (async) and `run_batches_here` (sync)."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from anyzarr.io._engine_fused import run_batches, run_batches_here


def test_every_batch_runs_once_and_helpers_take_part() -> None:
    seen: list[int] = []
    threads: set[int] = set()
    lock = threading.Lock()

    def work(batch: int) -> None:
        time.sleep(0.002)  # long enough for a helper to start and take some
        with lock:
            seen.append(batch)
            threads.add(threading.get_ident())

    run_batches_here(list(range(40)), work, workers=2)
    assert sorted(seen) == list(range(40))
    assert threading.get_ident() in threads
    assert len(threads) == 2


def test_one_worker_runs_everything_in_the_calling_thread() -> None:
    threads: set[int] = set()
    run_batches_here(list(range(5)), lambda b: threads.add(threading.get_ident()), workers=1)
    assert threads == {threading.get_ident()}


def test_no_batches() -> None:
    run_batches_here([], lambda b: pytest.fail("nothing to run"), workers=4)


def test_a_failing_batch_stops_the_rest_and_raises() -> None:
    done: list[int] = []

    def work(batch: int) -> None:
        if batch == 3:
            raise ValueError(f"batch {batch} is bad")
        time.sleep(0.001)
        done.append(batch)

    with pytest.raises(ValueError, match="batch 3 is bad"):
        run_batches_here(list(range(200)), work, workers=2)
    assert len(done) < 199


def test_an_interrupted_caller_waits_for_running_helpers() -> None:
    running = threading.Event()
    finished: list[int] = []
    caller = threading.get_ident()

    def work(batch: int) -> None:
        if threading.get_ident() == caller:
            running.wait(5)  # a helper is inside a batch
            raise KeyboardInterrupt
        running.set()
        time.sleep(0.05)
        finished.append(batch)

    with pytest.raises(KeyboardInterrupt):
        run_batches_here(list(range(10)), work, workers=2)
    # The helper's batch completed before the call returned, and no batch
    # started after the interruption.
    assert len(finished) == 1


class _Store:
    """Just what `run_batches` asks of a store."""

    concurrency = 4

    def __init__(self) -> None:
        self.limiter = anyio.CapacityLimiter(self.concurrency)


@pytest.mark.anyio
async def test_async_runner_runs_every_batch_in_few_hops() -> None:
    seen: list[int] = []
    threads: set[int] = set()
    lock = threading.Lock()

    def work(batch: int) -> None:
        time.sleep(0.001)
        with lock:
            seen.append(batch)
            threads.add(threading.get_ident())

    await run_batches(_Store(), list(range(30)), work, workers=2)  # type: ignore[arg-type]
    assert sorted(seen) == list(range(30))
    assert 1 <= len(threads) <= 2


@pytest.mark.anyio
async def test_async_runner_cancellation_stops_between_batches() -> None:
    done: list[int] = []

    def work(batch: int) -> None:
        time.sleep(0.02)
        done.append(batch)

    started = time.perf_counter()
    with anyio.move_on_after(0.05):
        await run_batches(_Store(), list(range(200)), work, workers=2)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    # Two workers, 20 ms a batch: a few batches ran, far from all 200 (4 s).
    assert elapsed < 1.0
    assert 0 < len(done) < 20
    count = len(done)
    time.sleep(0.1)
    assert len(done) == count  # nothing kept running after the call returned


@pytest.mark.anyio
async def test_async_runner_raises_a_failing_batch() -> None:
    def work(batch: int) -> None:
        if batch == 5:
            raise ValueError("batch 5 is bad")

    with pytest.raises(ValueError, match="batch 5 is bad"):
        await run_batches(_Store(), list(range(50)), work, workers=2)  # type: ignore[arg-type]
