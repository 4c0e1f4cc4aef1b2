"""One (case, implementation) pair in its own process, driven by the runner.

Started as ``_worker.py CASE IMPL LOCATION SCALE DATA``, the worker imports
the implementation (timed), loads the case's data from the ``.npy`` file
``DATA`` (``-`` for none; untimed), then times its *first call*: opening the
array and running the operation once, the first thing the library does
after its import (for group cases the operation is the open).  It answers
``{"ready": true, "import": s, "open": s, "op": s, "peak": bytes}`` and waits
for commands on stdin, one per line:

``rep``
    Run the operation once, timed; answer ``{"seconds": ..., "peak": ...}``.
``check``
    Check the last result against numpy; answer ``{"ok": ..., "detail": ...}``.
``done``
    The same check, then exit.

Writes call ``os.sync()`` just before each timed operation, so no writer
pays for writing back dirty pages of an earlier one; their results are
checked by the runner, which reads the target back.

Answers are single JSON lines after the ``PREFIX`` marker, written to a
private duplicate of the original stdout.  First thing in ``main`` the worker
points file descriptor 1 at stderr (and 0 at ``/dev/null``), so whatever a
library prints, from Python or from C, lands in the runner's log instead of
the protocol; the marker lets the runner skip anything printed earlier (a
``sitecustomize``, say).  Any exception is answered as
``{"error": "Type: message"}`` and ends the worker.

Peak memory is the growth of the resident set during one operation: the
kernel's high-water mark is reset through /proc/self/clear_refs just before
it.  The first call's peak also counts one-time costs (lazy imports, thread
pools); the runner reports the timed repetitions' peak.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _cases import Case, all_cases, expected
from _impls import IMPLS, Impl

#: Starts every protocol line; the runner ignores lines without it.
PREFIX = "@bench-answer "


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> int:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _status("VmRSS")


class _Session:
    """The opened array and the last result, kept between repetitions."""

    def __init__(self, case: Case, impl: Impl, path: str, data: np.ndarray | None):
        self.case = case
        self.path = path
        self.impl = impl
        self.data = data
        self.arr: Any = None
        self.result: Any = None
        self.members = 0

    def first(self) -> tuple[float, float, int]:
        """Open the array and run the operation once: seconds to open, for the operation, peak."""
        if self.case.op == "open_group":
            seconds, peak = self.once()
            return 0.0, seconds, peak
        self._sync_before_write()
        base = _reset_peak()
        t0 = time.perf_counter()
        self.arr = self.impl.open(self.path)
        t1 = time.perf_counter()
        self._operation()
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, _status("VmHWM") - base

    def _sync_before_write(self) -> None:
        if self.case.op == "write":
            # Another writer's dirty pages would otherwise be written back
            # during this one's timed operation.
            os.sync()

    def _operation(self) -> None:
        case = self.case
        everything = (slice(None),) * len(case.shape)
        if case.op == "read":
            self.result = self.impl.read(self.arr, "basic", everything)
        elif case.op == "write":
            assert self.data is not None
            self.impl.write(self.arr, everything, self.data)
        else:
            self.result = [self.impl.read(self.arr, kind, sel) for kind, sel in case.selections]

    def once(self) -> tuple[float, int]:
        """Run the operation once: seconds taken and peak resident-set growth."""
        if self.case.op == "open_group":
            t0 = time.perf_counter()
            names = self.impl.open_group(self.path, self.case.consolidated)
            seconds = time.perf_counter() - t0
            self.members = len(names)
            return seconds, 0
        self._sync_before_write()
        base = _reset_peak()
        t0 = time.perf_counter()
        self._operation()
        seconds = time.perf_counter() - t0
        return seconds, _status("VmHWM") - base

    def verify(self) -> tuple[bool, str]:
        """Whether the last result matches numpy (writes are checked by the runner)."""
        case = self.case
        if case.op == "open_group":
            return self.members == case.n_arrays, f"{self.members} members"
        if case.op == "read":
            assert self.data is not None
            return bool(np.array_equal(self.result, self.data)), ""
        if case.op == "selections":
            assert self.data is not None
            ok = all(
                np.array_equal(r, expected(case, self.data, k, s))
                for r, (k, s) in zip(self.result, case.selections, strict=True)
            )
            return ok, ""
        return True, ""


def _private_streams() -> tuple[IO[str], IO[str]]:
    """Take stdin and stdout for the protocol and hand libraries harmless ones."""
    commands = os.fdopen(os.dup(0), "r")
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    return commands, answers


def _load(case: Case, data_path: str) -> np.ndarray | None:
    """The case's data: in memory for writes, mapped (read only to check) otherwise."""
    if data_path == "-":
        return None
    data: np.ndarray = (
        np.load(data_path) if case.op == "write" else np.load(data_path, mmap_mode="r")
    )
    return data


def _serve(
    case: Case, impl_name: str, path: str, data_path: str, commands: IO[str]
) -> Iterator[dict[str, Any]]:
    """Yield the answers to send, one per protocol step."""
    with contextlib.ExitStack() as stack:
        t0 = time.perf_counter()
        impl = IMPLS[impl_name]()
        imported = time.perf_counter() - t0
        if case.gpu:
            import anyzarr

            stack.enter_context(anyzarr.config.enable_gpu())
        session = _Session(case, impl, path, _load(case, data_path))
        opened, op, peak = session.first()
        yield {"ready": True, "import": imported, "open": opened, "op": op, "peak": peak}
        for line in commands:
            command = line.strip()
            if command == "rep":
                seconds, peak = session.once()
                yield {"seconds": seconds, "peak": peak}
            elif command in ("check", "done"):
                ok, detail = session.verify()
                yield {"ok": ok, "detail": detail}
                if command == "done":
                    return
            else:
                raise ValueError(f"unknown command {command!r}")


def main() -> None:
    commands, answers = _private_streams()
    case_name, impl_name, path, scale, data_path = sys.argv[1:6]
    case = next(c for c in all_cases(float(scale)) if c.name == case_name)
    try:
        for answer in _serve(case, impl_name, path, data_path, commands):
            answers.write(PREFIX + json.dumps(answer) + "\n")
    except Exception as exc:  # reported, not hidden: the runner shows it
        answers.write(PREFIX + json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
