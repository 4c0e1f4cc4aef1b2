"""The sync runtime: one background loop thread that runs async work for sync callers."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Iterator

import anyio
import pytest
import sniffio
import trio

from anyzarr.api import _sync_runtime as rt
from anyzarr.io._config import config
from anyzarr.protocol._errors import UsageError


@pytest.fixture(autouse=True)
def _fresh_runtime() -> Iterator[None]:
    yield
    rt.shutdown()


async def double(x: int) -> int:
    await anyio.sleep(0)
    return 2 * x


async def library() -> str:
    await anyio.sleep(0)
    return sniffio.current_async_library()


class Boom(ValueError):
    pass


async def explode() -> None:
    await anyio.sleep(0)
    raise Boom("exploded inside the loop")


def test_returns_result_and_runs_in_one_background_thread() -> None:
    assert rt.sync(double, 21) == 42
    loop_thread = rt.loop_thread_id()
    assert loop_thread is not None
    assert loop_thread != threading.get_ident()
    assert rt.sync(double, x=1) == 2
    assert rt.loop_thread_id() == loop_thread
    assert rt.sync(library) == "asyncio"


def test_trio_backend_from_config() -> None:
    with config.set({"sync.backend": "trio"}):
        assert rt.sync(library) == "trio"
        assert rt.backend_in_use() == "trio"
    assert rt.sync(library) == "asyncio"


def test_unknown_backend_is_a_usage_error() -> None:
    with config.set({"sync.backend": "curio"}), pytest.raises(UsageError, match=r"sync\.backend"):
        rt.sync(double, 1)


def test_errors_come_out_as_themselves_with_traceback() -> None:
    with pytest.raises(Boom, match="exploded") as info:
        rt.sync(explode)
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert "explode" in frames


def test_sync_iter_collects_async_generators() -> None:
    async def gen(n: int):  # type: ignore[no-untyped-def]
        for i in range(n):
            await anyio.sleep(0)
            yield i

    assert rt.sync_iter(gen, 4) == [0, 1, 2, 3]


def test_many_threads_at_once() -> None:
    results: dict[int, int] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(20):
                results[i] = rt.sync(double, i)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == {i: 2 * i for i in range(8)}


def test_concurrent_calls_overlap_on_the_loop() -> None:
    async def nap() -> None:
        await anyio.sleep(0.3)

    start = time.perf_counter()
    threads = [threading.Thread(target=rt.sync, args=(nap,)) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Five 0.3 s naps share the loop: far less than 1.5 s in sequence.
    assert time.perf_counter() - start < 1.2


def test_called_from_a_running_asyncio_loop() -> None:
    async def main() -> int:
        # A sync library call inside async code (a notebook cell): no deadlock.
        return rt.sync(double, 5)

    assert asyncio.run(main()) == 10


def test_called_from_a_running_trio_loop() -> None:
    async def main() -> int:
        return rt.sync(double, 6)

    assert trio.run(main) == 12


def test_called_from_the_loop_thread_is_refused() -> None:
    async def nested() -> int:
        return rt.sync(double, 1)

    with pytest.raises(rt.SyncInLoopError, match="own event-loop thread"):
        rt.sync(nested)


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGINT delivery to the main thread")
def test_keyboard_interrupt_cancels_the_work() -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    started = threading.Event()
    cancelled = threading.Event()

    async def forever() -> None:
        started.set()
        try:
            await anyio.sleep(60)
        except anyio.get_cancelled_exc_class():
            cancelled.set()
            raise

    def interrupt() -> None:
        started.wait(30)
        os.kill(os.getpid(), signal.SIGINT)

    killer = threading.Thread(target=interrupt)
    killer.start()
    with pytest.raises(KeyboardInterrupt):
        rt.sync(forever)
    killer.join()
    assert cancelled.wait(30), "the task on the loop was not cancelled"
    # The loop is still usable afterwards.
    assert rt.sync(double, 2) == 4


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_works_in_a_forked_child() -> None:
    assert rt.sync(double, 1) == 2  # the parent has a running loop thread
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python warns that forking a threaded process may deadlock; the
        # runtime is built to survive exactly that.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        status = 1
        try:
            value = rt.sync(double, 50)
            os.write(write_end, str(value).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    answer = os.read(read_end, 100)
    os.close(read_end)
    assert os.waitstatus_to_exitcode(status) == 0
    assert answer == b"100"
    assert rt.sync(double, 3) == 6


def test_shutdown_then_restart() -> None:
    assert rt.sync(double, 1) == 2
    rt.shutdown()
    assert rt.loop_thread_id() is None
    assert rt.sync(double, 2) == 4


SCRIPT = """
import os, sys, warnings, anyio
from anyzarr.api import _sync_runtime as rt

async def double(x):
    await anyio.sleep(0)
    return 2 * x

assert rt.sync(double, 1) == 2
warnings.simplefilter("ignore", DeprecationWarning)
pid = os.fork() if hasattr(os, "fork") else 0
if pid == 0:
    assert rt.sync(double, 2) == 4
    sys.exit(0)  # a normal exit: atexit hooks and finalisers run
os.waitpid(pid, 0)
print("parent done")
"""


def test_interpreter_exit_does_not_hang() -> None:
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "parent done" in proc.stdout
