#!/usr/bin/env python
"""How long ``import anyzarr`` takes next to ``import zarr``, in fresh interpreters.

Each sample starts a new interpreter that times one ``import`` with
``time.perf_counter`` around it (interpreter start-up is not counted).  The
two imports alternate, so drift in the machine's load hits both alike; the
first rounds warm the file-system cache and are dropped.  Prints the median,
the interquartile range and the ratio, as a table or (``--json``) a document.

    .venv/bin/python bench/import_time.py --rounds 40
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

_CODE = "import time\nt = time.perf_counter()\nimport {module}\nprint(time.perf_counter() - t)\n"


def sample(module: str) -> float:
    """Seconds one fresh interpreter spends in ``import module``."""
    out = subprocess.run(
        [sys.executable, "-c", _CODE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return float(out.stdout.strip())


def measure(modules: list[str], rounds: int, warmup: int) -> dict[str, list[float]]:
    """``rounds`` samples per module, taken in alternation after ``warmup`` dropped rounds."""
    times: dict[str, list[float]] = {m: [] for m in modules}
    for index in range(warmup + rounds):
        # Alternate which goes first, so neither always follows the other.
        order = modules if index % 2 == 0 else modules[::-1]
        for module in order:
            seconds = sample(module)
            if index >= warmup:
                times[module].append(seconds)
    return times


def summary(samples: list[float]) -> dict[str, float]:
    q1, median, q3 = statistics.quantiles(samples, n=4)
    return {"median_ms": 1e3 * median, "q1_ms": 1e3 * q1, "q3_ms": 1e3 * q3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    times = measure(["anyzarr", "zarr"], args.rounds, args.warmup)
    result = {module: summary(samples) for module, samples in times.items()}
    ratio = result["anyzarr"]["median_ms"] / result["zarr"]["median_ms"]
    if args.json:
        print(json.dumps({"rounds": args.rounds, "ratio": ratio, **result}, indent=2))
        return
    print(
        f"{'module':<10}{'median ms':>12}{'IQR ms':>18}   ({args.rounds} fresh interpreters each)"
    )
    for module, row in result.items():
        iqr = f"{row['q1_ms']:.0f}-{row['q3_ms']:.0f}"
        print(f"{module:<10}{row['median_ms']:>12.0f}{iqr:>18}")
    print(f"anyzarr / zarr: {ratio:.2f}")


if __name__ == "__main__":
    main()
