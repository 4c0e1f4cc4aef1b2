"""Side-by-side benchmark of anyzarr against zarr-python, zarrs and tensorstore.

Usage: ``python bench/run.py [--quick] [--reps N] [--cases SUBSTR,...] [--impls NAME,...]``

Each (case, implementation) pair runs in a fresh process on identical data;
the table reports medians, peak memory growth relative to the result size,
and the ratio anyzarr / best other (below 1.0 means anyzarr is faster).
Results land in ``bench/results/latest.{json,md}``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import obstore  # noqa: E402
from _baseline import machine_baseline  # noqa: E402
from _cases import CONCURRENCY, LATENCY, Case, all_cases, compressors, make_data  # noqa: E402

OURS = ("anyzarr", "anyzarr-async")


def _setup(case: Case, root: Path) -> Path:
    import warnings

    import zarr

    warnings.filterwarnings("ignore", category=UserWarning)

    path = root / case.name
    if case.op == "open_group":
        g = zarr.open_group(str(path), mode="w")
        for i in range(case.n_arrays):
            g.create_array(f"a{i:03d}", shape=(10,), dtype="int32", attributes={"i": i})
        if case.consolidated:
            zarr.consolidate_metadata(str(path))
        return path
    arr = zarr.create_array(
        str(path / "source"),
        shape=case.shape,
        chunks=case.chunks,
        shards=case.shards,
        dtype=case.dtype,
        compressors=compressors(case.codec),
        fill_value=0,
    )
    if case.op != "write":
        arr[...] = make_data(case)
    return path / "source"


def _fresh_target(case: Case, src: Path, impl: str) -> Path:
    dst = src.parent / f"target-{impl}"
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    return dst


def _verify_write(case: Case, path: Path) -> bool:
    import zarr

    return bool(np.array_equal(zarr.open_array(str(path), mode="r")[...], make_data(case)))


@contextlib.contextmanager
def _remote(case: Case, src: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Where the worker finds the array (a path or URL) and the environment it needs."""
    if case.remote == "http":
        from anyzarr.testing.servers import serve_directory

        with serve_directory(src.parent, latency=LATENCY) as server:
            yield f"{server.url}/{src.name}", {}
    elif case.remote == "s3":
        from obstore.store import S3Store

        from anyzarr.testing.servers import moto_s3_server

        with moto_s3_server(latency=LATENCY) as s3:
            options = s3.obstore_options()
            bucket = S3Store(**options)
            for file in src.rglob("*"):
                if file.is_file():
                    obstore.put(
                        bucket, f"{src.name}/{file.relative_to(src).as_posix()}", file.read_bytes()
                    )
            yield f"s3://{s3.bucket}/{src.name}", {"BENCH_S3_OPTIONS": json.dumps(options)}
    else:
        yield str(src), {}


def latency_bound(case: Case) -> float | None:
    """Seconds a remote read cannot beat: rounds of ``CONCURRENCY`` requests.

    Both the HTTP test server and moto wait ``LATENCY`` per request.
    """
    if not case.remote:
        return None
    n = math.prod(-(-s // c) for s, c in zip(case.shape, case.chunks, strict=True))
    return math.ceil(n / CONCURRENCY) * LATENCY


def run_case(case: Case, impls: list[str], root: Path, scale: float, reps: int) -> dict[str, Any]:
    row: dict[str, Any] = {"case": case.name, "nbytes": case.nbytes, "impls": {}}
    if case.gpu and importlib.util.find_spec("cupy") is None:
        print(f"  {case.name:32s} skipped: cupy is not installed (no GPU)", flush=True)
        row["skipped"] = "no GPU (cupy missing)"
        return row
    src = _setup(case, root)
    row["bound"] = latency_bound(case)
    with _remote(case, src) as (location, env):
        _run_impls(case, impls, src, location, env, scale, reps, row)
    shutil.rmtree(src.parent if case.op != "open_group" else src, ignore_errors=True)
    return row


def _run_impls(
    case: Case,
    impls: list[str],
    src: Path,
    location: str,
    env: dict[str, str],
    scale: float,
    reps: int,
    row: dict[str, Any],
) -> None:
    for impl in impls:
        if impl not in case.impls:
            continue
        path = _fresh_target(case, src, impl) if case.op == "write" else location
        cmd = [
            sys.executable,
            str(HERE / "_worker.py"),
            case.name,
            impl,
            str(path),
            str(scale),
            str(reps),
        ]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=900, env={**os.environ, **env}
        )
        try:
            res = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            res = {"times": [], "peak": 0, "ok": False, "detail": proc.stderr.strip()[-300:]}
        if case.op == "write" and res["ok"]:
            res["ok"] = _verify_write(case, path)
        res["median"] = statistics.median(res["times"]) if res["times"] else None
        row["impls"][impl] = res
        status = f"{res['median']:.4f}s" if res["median"] is not None else "failed"
        print(f"  {case.name:32s} {impl:14s} {status} ok={res['ok']} {res['detail']}", flush=True)


def ratio(row: dict[str, Any], ours: str) -> float | None:
    mine = row["impls"].get(ours, {})
    others = [
        r["median"] for k, r in row["impls"].items() if k not in OURS and r["ok"] and r["median"]
    ]
    if not mine.get("ok") or not mine.get("median") or not others:
        return None
    return float(mine["median"] / min(others))


def render(rows: list[dict[str, Any]], impls: list[str], baseline: dict[str, str]) -> str:
    head = "| case | " + " | ".join(impls) + " | anyzarr / best other | peak mem / result |"
    lines = [head, "|" + "---|" * (len(impls) + 3)]
    ratios = []
    notes: list[str] = []
    for row in rows:
        if row.get("skipped"):
            lines.append(
                f"| {row['case']} | "
                + " | ".join(["-"] * len(impls))
                + f" | skipped: {row['skipped']} | - |"
            )
            continue
        if row.get("bound"):
            best = {
                k: r["median"] / row["bound"]
                for k, r in row["impls"].items()
                if r.get("ok") and r.get("median")
            }
            shown = ", ".join(f"{k} {v:.2f}x" for k, v in best.items())
            notes.append(
                f"- {row['case']}: latency bound {1e3 * row['bound']:.0f} ms "
                f"(ceil(chunks / {CONCURRENCY}) x {1e3 * LATENCY:.0f} ms); measured / bound: {shown}"
            )
        cells = []
        for impl in impls:
            r = row["impls"].get(impl)
            if r is None:
                cells.append("-")
            elif not r["ok"] or r["median"] is None:
                cells.append("FAILED")
            else:
                cells.append(f"{1e3 * r['median']:.1f} ms")
        rt = ratio(row, "anyzarr")
        if rt is not None:
            ratios.append(rt)
        mine = row["impls"].get("anyzarr", {})
        mem = (
            f"{mine['peak'] / row['nbytes']:.2f}"
            if mine.get("peak")
            and row["nbytes"]
            and row["case"].endswith("read")
            and "write" not in row["case"]
            else "-"
        )
        cells.append(f"{rt:.2f}" if rt is not None else "-")
        cells.append(mem)
        lines.append(f"| {row['case']} | " + " | ".join(cells) + " |")
    if ratios:
        gm = float(np.exp(np.mean(np.log(ratios))))
        lines.append("")
        lines.append(
            f"Geometric mean of anyzarr / best other: **{gm:.2f}** over {len(ratios)} cases."
        )
    if notes:
        lines.append("")
        lines.extend(notes)
    lines.append("")
    lines.append("Machine reference: " + "; ".join(f"{k} {v}" for k, v in baseline.items()))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small data, 2 repetitions")
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--cases", default="", help="comma-separated substrings of case names")
    ap.add_argument("--impls", default="anyzarr,anyzarr-async,zarr-python,zarrs,tensorstore")
    args = ap.parse_args()
    scale = 0.125 if args.quick else 1.0
    reps = args.reps or (2 if args.quick else 3)
    impls = args.impls.split(",")
    wanted = [s for s in args.cases.split(",") if s]
    cases = [c for c in all_cases(scale) if not wanted or any(w in c.name for w in wanted)]
    baseline = machine_baseline(quick=args.quick)
    print("machine:", baseline, flush=True)
    rows = []
    t0 = time.time()
    with tempfile.TemporaryDirectory(
        prefix="anyzarr-bench-", dir=os.environ.get("BENCH_TMP")
    ) as tmp:
        for case in cases:
            rows.append(run_case(case, impls, Path(tmp), scale, reps))
    table = render(rows, impls, baseline)
    print(table)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"rows": rows, "baseline": baseline}, indent=1))
    (out / "latest.md").write_text(table + f"\n\n(suite wall time {time.time() - t0:.0f} s)\n")


if __name__ == "__main__":
    main()
