"""Side-by-side benchmark of anyzarr against zarr-python, zarrs and tensorstore.

Usage: ``python bench/run.py [--quick] [--reps N] [--warmup N] [--cases SUBSTR,...]
[--impls NAME,...]``

Every implementation reads (or writes) identical data in a fresh worker
process of its own (``_worker.py``).  A case starts its workers one after
another; each imports its library, opens the array, runs ``--warmup`` untimed
repetitions and waits.  The runner then times repetitions in rounds, one
worker at a time: repetition 1 of every implementation, then repetition 2,
each round in a new shuffled order (seeded by the case name).  A slow phase
of a shared machine then spreads over all implementations instead of
landing on one.  Before each timed write the runner calls ``os.sync()``, so
no writer pays for writing back the previous one's dirty pages.  A
worker that fails, crashes or hangs is marked failed with its error and the
others carry on.

The table reports medians, peak memory growth relative to the result size,
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
import random
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import obstore  # noqa: E402
from _baseline import machine_baseline  # noqa: E402
from _cases import CONCURRENCY, LATENCY, Case, all_cases, compressors, make_data  # noqa: E402
from _worker import PREFIX  # noqa: E402

OURS = ("anyzarr", "anyzarr-async")
#: Seconds a worker may take for one step: its set-up, one repetition, or the check.
STEP_TIMEOUT = 900.0


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


def run_case(
    case: Case, impls: list[str], root: Path, scale: float, reps: int, warmup: int
) -> dict[str, Any]:
    row: dict[str, Any] = {"case": case.name, "nbytes": case.nbytes, "impls": {}}
    if case.gpu and importlib.util.find_spec("cupy") is None:
        print(f"  {case.name:32s} skipped: cupy is not installed (no GPU)", flush=True)
        row["skipped"] = "no GPU (cupy missing)"
        return row
    src = _setup(case, root)
    row["bound"] = latency_bound(case)
    with _remote(case, src) as (location, env):
        _run_impls(case, impls, src, location, env, scale, reps, warmup, row)
    shutil.rmtree(src.parent if case.op != "open_group" else src, ignore_errors=True)
    return row


class WorkerFailed(Exception):
    """A worker answered with an error, exited early, or took too long."""


class _Worker:
    """One implementation's worker process and the runner's end of its protocol.

    Answers are read straight from the pipe's file descriptor with a deadline,
    so a hung worker costs at most ``STEP_TIMEOUT`` and never blocks the run.
    The worker's stderr goes to an anonymous file, read back only to explain a
    crash; a pipe there could fill up and stall a chatty worker.
    """

    def __init__(self, impl: str, location: str, args: list[str], env: dict[str, str]) -> None:
        case_name, scale, warmup = args
        self.impl = impl
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close())
        self._buffer = b""
        self._proc = subprocess.Popen(
            [sys.executable, str(HERE / "_worker.py"), case_name, impl, location, scale, warmup],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            bufsize=0,
            env={**os.environ, **env},
        )

    def ask(self, command: str) -> dict[str, Any]:
        """Send ``command`` (nothing when empty) and return the worker's answer.

        Raises :class:`WorkerFailed` when the worker answers an error, exits,
        or does not answer within ``STEP_TIMEOUT`` seconds.
        """
        if command:
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.write(command.encode() + b"\n")
            except OSError:
                raise WorkerFailed(self._exit_detail()) from None
        line = self._read_line()
        while not line.startswith(PREFIX):
            line = self._read_line()
        try:
            answer: dict[str, Any] = json.loads(line.removeprefix(PREFIX))
        except json.JSONDecodeError:
            raise WorkerFailed(f"unreadable answer {line[:200]!r}") from None
        if "error" in answer:
            raise WorkerFailed(str(answer["error"]))
        return answer

    def _read_line(self) -> str:
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + STEP_TIMEOUT
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerFailed(f"no answer within {STEP_TIMEOUT:.0f} s")
            if not select.select([fd], [], [], left)[0]:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise WorkerFailed(self._exit_detail())
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode(errors="replace")

    def _exit_detail(self) -> str:
        try:
            code: int | None = self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        self._log.seek(0)
        tail = self._log.read().decode(errors="replace").strip()[-300:]
        return f"worker exited ({code}): {tail}"

    def close(self, grace: float = 30.0) -> None:
        """End the worker: closing stdin lets it exit, after ``grace`` seconds it is killed."""
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._log.close()


def _run_impls(
    case: Case,
    impls: list[str],
    src: Path,
    location: str,
    env: dict[str, str],
    scale: float,
    reps: int,
    warmup: int,
    row: dict[str, Any],
) -> None:
    """Set every implementation up, then time them round-robin, one at a time."""
    active = [impl for impl in impls if impl in case.impls]
    paths = {
        impl: str(_fresh_target(case, src, impl)) if case.op == "write" else location
        for impl in active
    }
    results: dict[str, dict[str, Any]] = {
        impl: {"times": [], "peak": 0, "ok": False, "detail": ""} for impl in active
    }
    workers: dict[str, _Worker] = {}
    args = [case.name, str(scale), str(warmup)]
    try:
        for impl in active:
            # Set-ups run one after another too, so no warm-up overlaps another.
            worker = _Worker(impl, paths[impl], args, env)
            # The peak counts timed repetitions only: a warm-up also pays for
            # one-time costs (lazy imports, thread pools) that are no part of
            # what a read needs.
            if _step(worker, results, "", lambda answer, r: None):
                workers[impl] = worker
        order = random.Random(case.name)
        for _ in range(reps):
            # A new order each round, so that no implementation always goes
            # first or always follows the same one.
            for impl in order.sample(active, len(active)):
                if impl not in workers:
                    continue
                if case.op == "write":
                    # The previous writer's dirty pages would otherwise be
                    # written back during this one's timed repetition.
                    os.sync()
                if not _step(workers[impl], results, "rep", _add_rep):
                    del workers[impl]
        for worker in workers.values():
            _step(worker, results, "done", lambda answer, r: r.update(answer))
    finally:
        for worker in workers.values():
            worker.close()
    for impl in active:
        res = results[impl]
        if case.op == "write" and res["ok"]:
            res["ok"] = _verify_write(case, Path(paths[impl]))
        res["median"] = statistics.median(res["times"]) if res["times"] else None
        row["impls"][impl] = res
        status = f"{res['median']:.4f}s" if res["median"] is not None else "failed"
        print(f"  {case.name:32s} {impl:14s} {status} ok={res['ok']} {res['detail']}", flush=True)


def _add_rep(answer: dict[str, Any], res: dict[str, Any]) -> None:
    res["times"].append(answer["seconds"])
    res["peak"] = max(res["peak"], answer["peak"])


def _step(
    worker: _Worker,
    results: dict[str, dict[str, Any]],
    command: str,
    record: Callable[[dict[str, Any], dict[str, Any]], None],
) -> bool:
    """One protocol step; a failure marks the implementation failed and ends its worker."""
    res = results[worker.impl]
    try:
        record(worker.ask(command), res)
    except WorkerFailed as exc:
        worker.close(grace=0)
        res.update(ok=False, detail=str(exc), times=[])
        return False
    return True


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
            if mine.get("peak") and row["nbytes"] and "-read" in row["case"]
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
    ap.add_argument("--reps", type=int, default=None, help="timed repetitions per worker")
    ap.add_argument(
        "--warmup", type=int, default=1, help="untimed repetitions per worker first (default 1)"
    )
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
            rows.append(run_case(case, impls, Path(tmp), scale, reps, args.warmup))
    table = render(rows, impls, baseline)
    print(table)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"rows": rows, "baseline": baseline}, indent=1))
    (out / "latest.md").write_text(table + f"\n\n(suite wall time {time.time() - t0:.0f} s)\n")


if __name__ == "__main__":
    main()
