"""Profile one benchmark case for one implementation with cProfile.

Usage: ``python bench/profile_case.py CASE [--impl anyzarr-async] [--scale 1] [--reps 3] [--top 30]``

The case's data is written exactly as ``run.py`` writes it, then the
operation runs ``--reps`` times in this process under cProfile (one warm-up
run first, so imports and metadata caches are not counted).  Prints the
functions sorted by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from _cases import all_cases, make_data  # noqa: E402
from _impls import IMPLS  # noqa: E402
from run import _fresh_target, _setup  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("case")
    ap.add_argument("--impl", default="anyzarr-async")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()
    case = next(c for c in all_cases(args.scale) if c.name == args.case)
    with tempfile.TemporaryDirectory(prefix="anyzarr-prof-") as tmp:
        src = _setup(case, Path(tmp))
        path = _fresh_target(case, src, args.impl) if case.op == "write" else src
        impl = IMPLS[args.impl]()
        data = make_data(case)
        full = (slice(None),) * len(case.shape)

        def once() -> None:
            if case.op == "open_group":
                impl.open_group(str(path), case.consolidated)
                return
            arr = impl.open(str(path))
            if case.op == "read":
                impl.read(arr, "basic", full)
            elif case.op == "write":
                impl.write(arr, full, data)
            else:
                for kind, sel in case.selections:
                    impl.read(arr, kind, sel)

        once()
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for _ in range(args.reps):
            once()
        prof.disable()
        print(f"{args.case} {args.impl}: {(time.perf_counter() - t0) / args.reps * 1e3:.1f} ms/rep")
        stats = pstats.Stats(prof)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
