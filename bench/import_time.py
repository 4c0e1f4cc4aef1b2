#!/usr/bin/env python
"""How long ``import anyzarr`` takes next to ``import zarr``, in fresh interpreters.

Each sample starts a new interpreter that times one ``import`` with
``time.perf_counter`` (wall time) and ``time.process_time`` (CPU time of the
process) around it; interpreter start-up is not counted, and bytecode caching is on (the warm-up
rounds write the ``.pyc`` files).  On a shared,
loaded machine the CPU time is the steadier figure, since time spent waiting
for a core does not count.  The two imports alternate, so drift in the
machine's load hits both alike; the first rounds warm the file-system cache
and are dropped.  Prints medians, interquartile ranges and ratios, as a
table or (``--json``) a document.

    .venv/bin/python bench/import_time.py --rounds 40
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

_CODE = (
    "import time\n"
    "t, c = time.perf_counter(), time.process_time()\n"
    "import {module}\n"
    "print(time.perf_counter() - t, time.process_time() - c)\n"
)


# Bytecode caching on: an installed package has its .pyc files (pip compiles
# them), while an editable checkout run with PYTHONDONTWRITEBYTECODE would be
# compiled from source on every import and look several times slower.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def sample(module: str) -> tuple[float, float]:
    """Wall and CPU seconds one fresh interpreter spends in ``import module``."""
    out = subprocess.run(
        [sys.executable, "-c", _CODE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=_ENV,
    )
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def measure(modules: list[str], rounds: int, warmup: int) -> dict[str, list[tuple[float, float]]]:
    """``rounds`` samples per module, taken in alternation after ``warmup`` dropped rounds."""
    times: dict[str, list[tuple[float, float]]] = {m: [] for m in modules}
    for index in range(warmup + rounds):
        # Alternate which goes first, so neither always follows the other.
        order = modules if index % 2 == 0 else modules[::-1]
        for module in order:
            seconds = sample(module)
            if index >= warmup:
                times[module].append(seconds)
    return times


def summary(samples: list[tuple[float, float]]) -> dict[str, dict[str, float]]:
    out = {}
    for index, kind in enumerate(("wall", "cpu")):
        q1, median, q3 = statistics.quantiles([s[index] for s in samples], n=4)
        out[kind] = {"median_ms": 1e3 * median, "q1_ms": 1e3 * q1, "q3_ms": 1e3 * q3}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    times = measure(["anyzarr", "zarr"], args.rounds, args.warmup)
    result = {module: summary(samples) for module, samples in times.items()}
    ratios = {
        kind: result["anyzarr"][kind]["median_ms"] / result["zarr"][kind]["median_ms"]
        for kind in ("wall", "cpu")
    }
    if args.json:
        print(json.dumps({"rounds": args.rounds, "ratios": ratios, **result}, indent=2))
        return
    print(f"{args.rounds} fresh interpreters per module; medians (interquartile range), ms")
    print(f"{'module':<10}{'wall':>22}{'cpu':>22}")
    for module, row in result.items():
        cells = [
            f"{row[k]['median_ms']:.0f} ({row[k]['q1_ms']:.0f}-{row[k]['q3_ms']:.0f})"
            for k in ("wall", "cpu")
        ]
        print(f"{module:<10}{cells[0]:>22}{cells[1]:>22}")
    print(f"anyzarr / zarr: wall {ratios['wall']:.2f}, cpu {ratios['cpu']:.2f}")


if __name__ == "__main__":
    main()
