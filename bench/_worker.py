"""One (case, implementation) pair in its own process, driven by the runner.

Started as ``_worker.py CASE IMPL LOCATION SCALE WARMUP``, the worker imports
the implementation, opens the array, runs ``WARMUP`` untimed repetitions and
answers ``{"ready": true, "peak": ...}``.  It then waits for commands on stdin,
one per line:

``rep``
    Run the operation once, timed; answer ``{"seconds": ..., "peak": ...}``.
``done``
    Check the last result against numpy; answer ``{"ok": ..., "detail": ...}``
    and exit.

Answers are single JSON lines after the ``PREFIX`` marker, written to a
private duplicate of the original stdout.  First thing in ``main`` the worker
points file descriptor 1 at stderr (and 0 at ``/dev/null``), so whatever a
library prints, from Python or from C, lands in the runner's log instead of
the protocol; the marker lets the runner skip anything printed earlier (a
``sitecustomize``, say).  Any exception is answered as
``{"error": "Type: message"}`` and ends the worker.

Peak memory is the growth of the resident set during one operation: the
kernel's high-water mark is reset through /proc/self/clear_refs just before
it.  The ready answer reports the warm-ups' peak, but the runner counts only
timed repetitions (a warm-up also pays one-time costs such as lazy imports).
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

from _cases import Case, all_cases, expected, make_data
from _impls import IMPLS

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

    def __init__(self, case: Case, impl_name: str, path: str, stack: contextlib.ExitStack):
        self.case = case
        self.path = path
        self.impl = IMPLS[impl_name]()
        self.arr: Any = None
        self.data: np.ndarray | None = None
        self.result: Any = None
        self.members = 0
        if case.op == "open_group":
            return
        if case.gpu:
            import anyzarr

            stack.enter_context(anyzarr.config.enable_gpu())
        self.arr = self.impl.open(path)
        if case.op in ("write", "selections"):
            self.data = make_data(case)

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
            return bool(np.array_equal(self.result, make_data(case))), ""
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


def _serve(
    case: Case, impl_name: str, path: str, warmup: int, commands: IO[str]
) -> Iterator[dict[str, Any]]:
    """Yield the answers to send, one per protocol step."""
    with contextlib.ExitStack() as stack:
        session = _Session(case, impl_name, path, stack)
        peak = 0
        for _ in range(warmup):
            peak = max(peak, session.once()[1])
        yield {"ready": True, "peak": peak}
        for line in commands:
            command = line.strip()
            if command == "rep":
                seconds, peak = session.once()
                yield {"seconds": seconds, "peak": peak}
            elif command == "done":
                ok, detail = session.verify()
                yield {"ok": ok, "detail": detail}
                return
            else:
                raise ValueError(f"unknown command {command!r}")


def main() -> None:
    commands, answers = _private_streams()
    case_name, impl_name, path, scale, warmup = sys.argv[1:6]
    case = next(c for c in all_cases(float(scale)) if c.name == case_name)
    try:
        for answer in _serve(case, impl_name, path, int(warmup), commands):
            answers.write(PREFIX + json.dumps(answer) + "\n")
    except Exception as exc:  # reported, not hidden: the runner shows it
        answers.write(PREFIX + json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
