"""Where work runs: `run_here` (sync API) and `run_hops` / `run_inline` (async API)."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable

import anyio
import pytest

from anyzarr.io._run_here import run_here
from anyzarr.io._run_hops import run_hops, run_inline


def _jobs(work: Callable[[int], None], n: int) -> list[Callable[[], None]]:
    return [functools.partial(work, i) for i in range(n)]


def test_every_job_runs_once_and_helpers_take_part() -> None:
    seen: list[int] = []
    threads: set[int] = set()
    lock = threading.Lock()

    def work(job: int) -> None:
        time.sleep(0.002)  # long enough for a helper to start and take some
        with lock:
            seen.append(job)
            threads.add(threading.get_ident())

    run_here(_jobs(work, 40), workers=2, helpers=3)
    assert sorted(seen) == list(range(40))
    assert threading.get_ident() in threads
    assert len(threads) == 2


def test_one_worker_runs_everything_in_the_calling_thread() -> None:
    threads: set[int] = set()
    run_here(_jobs(lambda b: threads.add(threading.get_ident()), 5), workers=1, helpers=3)
    assert threads == {threading.get_ident()}


def test_no_jobs() -> None:
    run_here([], workers=4, helpers=4)


def test_a_failing_job_stops_the_rest_and_raises() -> None:
    done: list[int] = []

    def work(job: int) -> None:
        if job == 3:
            raise ValueError(f"job {job} is bad")
        time.sleep(0.001)
        done.append(job)

    with pytest.raises(ValueError, match="job 3 is bad"):
        run_here(_jobs(work, 200), workers=2, helpers=3)
    assert len(done) < 199


def test_an_interrupted_caller_waits_for_running_helpers() -> None:
    running = threading.Event()
    finished: list[int] = []
    caller = threading.get_ident()

    def work(job: int) -> None:
        if threading.get_ident() == caller:
            running.wait(5)  # a helper is inside a job
            raise KeyboardInterrupt
        running.set()
        time.sleep(0.05)
        finished.append(job)

    with pytest.raises(KeyboardInterrupt):
        run_here(_jobs(work, 10), workers=2, helpers=3)
    # The helper's job completed before the call returned, and no job started
    # after the interruption.
    assert len(finished) == 1


@pytest.mark.anyio
async def test_hops_run_every_job_in_few_threads() -> None:
    seen: list[int] = []
    threads: set[int] = set()
    lock = threading.Lock()

    def work(job: int) -> None:
        time.sleep(0.001)
        with lock:
            seen.append(job)
            threads.add(threading.get_ident())

    await run_hops(_jobs(work, 30), workers=2)
    assert sorted(seen) == list(range(30))
    assert 1 <= len(threads) <= 2


@pytest.mark.anyio
async def test_hops_stop_between_jobs_when_cancelled() -> None:
    done: list[int] = []

    def work(job: int) -> None:
        time.sleep(0.02)
        done.append(job)

    started = time.perf_counter()
    with anyio.move_on_after(0.05):
        await run_hops(_jobs(work, 200), workers=2)
    elapsed = time.perf_counter() - started
    # Two workers, 20 ms a job: a few jobs ran, far from all 200 (4 s).
    assert elapsed < 1.0
    assert 0 < len(done) < 20
    count = len(done)
    time.sleep(0.1)
    assert len(done) == count  # nothing kept running after the call returned


@pytest.mark.anyio
async def test_hops_raise_a_failing_job() -> None:
    def work(job: int) -> None:
        if job == 5:
            raise ValueError("job 5 is bad")

    with pytest.raises(ValueError, match="job 5 is bad"):
        await run_hops(_jobs(work, 50), workers=2)


@pytest.mark.anyio
async def test_inline_jobs_run_on_the_loop_thread_unless_cancelled() -> None:
    threads: set[int] = set()
    here = threading.get_ident()
    await run_inline(_jobs(lambda b: threads.add(threading.get_ident()), 3))
    assert threads == {here}
    with anyio.CancelScope() as scope:
        scope.cancel()
        await run_inline(_jobs(lambda b: pytest.fail("cancelled before it began"), 1))
