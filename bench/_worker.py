"""Runs one (case, implementation) pair in a fresh process and prints JSON.

Peak memory is the growth of the resident set during one operation: the
kernel's high-water mark is reset through /proc/self/clear_refs just before it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _cases import Case, all_cases, expected, make_data
from _impls import IMPLS


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


def run(case: Case, impl_name: str, path: str, reps: int) -> dict[str, Any]:
    impl = IMPLS[impl_name]()
    times: list[float] = []
    peak = 0
    if case.op == "open_group":
        n = 0
        for _ in range(reps):
            t0 = time.perf_counter()
            names = impl.open_group(path, case.consolidated)
            times.append(time.perf_counter() - t0)
            n = len(names)
        return {"times": times, "peak": 0, "ok": n == case.n_arrays, "detail": f"{n} members"}
    if case.gpu:
        import anyzarr

        gpu = anyzarr.config.enable_gpu()
        gpu.__enter__()
    arr = impl.open(path)
    data = make_data(case) if case.op in ("write", "selections") else None
    result: Any = None
    for _ in range(reps):
        base = _reset_peak()
        t0 = time.perf_counter()
        if case.op == "read":
            result = impl.read(arr, "basic", (slice(None),) * len(case.shape))
        elif case.op == "write":
            impl.write(arr, (slice(None),) * len(case.shape), data)
        else:
            result = [impl.read(arr, kind, sel) for kind, sel in case.selections]
        times.append(time.perf_counter() - t0)
        peak = max(peak, _status("VmHWM") - base)
    ok = True
    if case.op == "read":
        ok = bool(np.array_equal(result, make_data(case)))
    elif case.op == "selections":
        assert data is not None
        ok = all(
            np.array_equal(r, expected(case, data, k, s))
            for r, (k, s) in zip(result, case.selections, strict=True)
        )
    return {"times": times, "peak": peak, "ok": ok, "detail": ""}


def main() -> None:
    case_name, impl_name, path, scale, reps = sys.argv[1:6]
    case = next(c for c in all_cases(float(scale)) if c.name == case_name)
    try:
        out = run(case, impl_name, path, int(reps))
    except Exception as exc:  # reported, not hidden: the runner prints it
        out = {"times": [], "peak": 0, "ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
