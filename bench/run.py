"""Side-by-side benchmark of anyzarr against zarr-python, zarrs and tensorstore.

Usage: ``python bench/run.py [--quick] [--cases SUBSTR,...] [--impls NAME,...]
[--target-interval 0.05] [--budget-seconds 30] [--rounds N] [--first-calls 3]
[--scale 1] [--out DIR] [--write-docs [PATH]] [--from-json PATH]``

Every implementation reads (or writes) identical data, written once by
zarr-python, in worker processes of its own (``_worker.py``).  A case runs in
three steps:

1. *First calls.*  ``--first-calls`` rounds; in each, every implementation
   in a shuffled order gets a fresh process that imports its library and
   times its first call: open the array and run the operation once (page
   cache warm).  The first round's processes stay and become the warm
   workers; the later ones are checked and end.
2. *Warm rounds* (``_rounds``): one timed repetition of every warm worker,
   one at a time, in a new shuffled order each round, until the 95%
   interval of anyzarr / best other (median of per-round ratios) is
   narrower than ``--target-interval``, ``--budget-seconds`` of rounds are
   spent, or ``--rounds`` fixes the count.
3. *Checks.*  Every first call's result and the last warm result are
   compared with numpy; written arrays are read back by another
   implementation than the writer (zarr-python with the zarrs pipeline, or
   its default pipeline for zarrs' own writes).

A row ``import-time`` times ``import anyzarr`` against the other libraries'
imports in fresh interpreters (``_import_time``).  The table
(``_report``) lands in ``bench/results/latest.{md,json}`` (``--out``), and
with ``--write-docs`` between the markers of ``docs/performance.md``.
``--from-json`` renders an earlier run's JSON again without running.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import random
import select
import shlex
import shutil
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
from _import_time import NAME as IMPORT_ROW  # noqa: E402
from _import_time import import_row  # noqa: E402
from _report import render, summarize, write_docs  # noqa: E402
from _rounds import BEFORE, OURS, Plan, Player, RepetitionFailed, run_rounds  # noqa: E402
from _worker import PREFIX  # noqa: E402

#: The implementations a run compares unless ``--impls`` says otherwise, in table order.
DEFAULT_IMPLS = (
    "anyzarr",
    "anyzarr-async",
    "anyzarr-nocache",
    "zarr-python",
    "zarrs",
    "tensorstore",
)
#: Every implementation the bench knows; ``--before REV`` adds anyzarr-before.
ALL_IMPLS = (*DEFAULT_IMPLS, BEFORE)
#: Seconds a worker may take for one step: its set-up and first call, one repetition, a check.
STEP_TIMEOUT = 900.0
DOCS = HERE.parent / "docs" / "performance.md"


def _setup(case: Case, root: Path, data: np.ndarray | None = None) -> Path:
    """Write the case's source array (or hierarchy) with zarr-python's default pipeline."""
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
        arr[...] = make_data(case) if data is None else data
    return path / "source"


def _fresh_target(case: Case, src: Path, name: str) -> Path:
    """A copy of the (empty) source array for one writer to write into."""
    dst = src.parent / f"target-{name}"
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    return dst


def _verify_write(path: Path, writer: str, data: np.ndarray) -> bool:
    """Read ``path`` back with another implementation than ``writer`` and compare."""
    import zarr

    pipeline = "zarr.core.codec_pipeline.BatchedCodecPipeline"
    if writer != "zarrs" and importlib.util.find_spec("zarrs") is not None:
        pipeline = "zarrs.ZarrsCodecPipeline"  # ten times faster on small chunks
    with zarr.config.set({"codec_pipeline.path": pipeline}):
        return bool(np.array_equal(zarr.open_array(str(path), mode="r")[...], data))


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
    case: Case, impls: list[str], root: Path, scale: float, plan: Plan, first_calls: int
) -> dict[str, Any]:
    row: dict[str, Any] = {"case": case.name, "op": case.op, "nbytes": case.nbytes, "impls": {}}
    if case.gpu and importlib.util.find_spec("cupy") is None:
        print(f"  {case.name:32s} skipped: cupy is not installed (no GPU)", flush=True)
        row["skipped"] = "no GPU (cupy missing)"
        return row
    if not any(impl in case.impls for impl in impls):
        row["skipped"] = "none of the chosen implementations runs it"
        return row
    t0 = time.monotonic()
    data = make_data(case) if case.op != "open_group" else None
    src = _setup(case, root, data)
    data_file = "-"
    if data is not None:
        data_file = str(root / f"{case.name}.npy")
        np.save(data_file, data)
    row["bound"] = latency_bound(case)
    row["setup_seconds"] = time.monotonic() - t0
    with _remote(case, src) as (location, env):
        _run_impls(case, impls, src, location, env, scale, data_file, data, plan, first_calls, row)
    shutil.rmtree(src.parent if case.op != "open_group" else src, ignore_errors=True)
    if data is not None:
        os.unlink(data_file)
    row["seconds"] = time.monotonic() - t0
    return row


class WorkerFailed(RepetitionFailed):
    """A worker answered with an error, exited early, or took too long."""


class _Worker:
    """One implementation's worker process and the runner's end of its protocol.

    Answers are read straight from the pipe's file descriptor with a deadline,
    so a hung worker costs at most ``STEP_TIMEOUT`` and never blocks the run.
    The worker's stderr goes to an anonymous file, read back only to explain a
    crash; a pipe there could fill up and stall a chatty worker.
    """

    def __init__(self, impl: str, location: str, args: list[str], env: dict[str, str]) -> None:
        case_name, scale, data_file = args
        self.impl = impl
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close())
        self._buffer = b""
        self._proc = subprocess.Popen(
            [sys.executable, str(HERE / "_worker.py"), case_name, impl, location, scale, data_file],
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


def _new_entry() -> dict[str, Any]:
    return {
        "ok": True,
        "detail": "",
        "first": [],
        "first_rounds": [],
        "first_open": [],
        "first_op": [],
        "import": [],
        "first_peak": 0,
        "samples": [],
        "peak": 0,
    }


def _fail(entry: dict[str, Any], detail: str) -> None:
    entry.update(ok=False, detail=detail)


def _first_call(
    impl: str,
    target: Path | None,
    location: str,
    args: list[str],
    env: dict[str, str],
    data: np.ndarray | None,
    entry: dict[str, Any],
    i: int,
    keep: bool,
) -> _Worker | None:
    """Start a fresh worker, record its first call and check it; the worker if kept."""
    worker = _Worker(impl, str(target) if target else location, args, env)
    kept = False
    try:
        ready = worker.ask("")
        entry["first_rounds"].append(i)
        entry["first_open"].append(ready["open"])
        entry["first_op"].append(ready["op"])
        entry["first"].append(ready["open"] + ready["op"])
        entry["import"].append(ready["import"])
        entry["first_peak"] = max(entry["first_peak"], ready["peak"])
        check = worker.ask("check" if keep else "done")
        if not check["ok"]:
            _fail(entry, f"first call: wrong result {check['detail']}")
        elif target is not None and data is not None and not _verify_write(target, impl, data):
            _fail(entry, "first call: wrong data written")
        kept = keep and entry["ok"]
    except WorkerFailed as exc:
        _fail(entry, f"first call: {exc}")
    finally:
        if not kept:
            worker.close(grace=30.0 if entry["ok"] else 0.0)
    return worker if kept else None


def _run_impls(
    case: Case,
    impls: list[str],
    src: Path,
    location: str,
    env: dict[str, str],
    scale: float,
    data_file: str,
    data: np.ndarray | None,
    plan: Plan,
    first_calls: int,
    row: dict[str, Any],
) -> None:
    """First calls in fresh processes, then warm rounds, then the checks."""
    active = [
        impl
        for impl in impls
        if impl in case.impls or (impl == BEFORE and OURS in case.impls and not case.gpu)
    ]
    entries = {impl: _new_entry() for impl in active}
    row["impls"] = entries
    warm_paths: dict[str, Path] = {}
    workers: dict[str, _Worker] = {}
    args = [case.name, str(scale), data_file]
    order = random.Random(case.name + "/first calls")
    t0 = time.monotonic()
    try:
        for i in range(first_calls):
            for impl in order.sample(active, len(active)):
                entry = entries[impl]
                if not entry["ok"]:
                    continue
                # Processes start one after another, so no first call overlaps
                # another process's start-up.
                target = _fresh_target(case, src, f"{impl}-{i}") if case.op == "write" else None
                keep = i == 0
                worker = _first_call(impl, target, location, args, env, data, entry, i, keep)
                if worker is not None:
                    workers[impl] = worker
                    if target is not None:
                        warm_paths[impl] = target
                elif target is not None and i > 0:
                    shutil.rmtree(target, ignore_errors=True)

        def player(impl: str) -> Player:
            def rep() -> tuple[float, int]:
                answer = workers[impl].ask("rep")
                return float(answer["seconds"]), int(answer["peak"])

            return rep

        def progress(done: int, ran: list[str]) -> None:
            if done % 10 == 0:
                print(f"    {case.name}: {done} rounds ({', '.join(sorted(ran))})", flush=True)

        row["first_calls_seconds"] = time.monotonic() - t0
        players = {impl: player(impl) for impl in active if impl in workers}
        rounds = run_rounds(case.name, players, plan, on_round=progress)
        row.update(rounds=rounds.rounds, stop=rounds.stop, rounds_seconds=rounds.seconds)
        for impl, detail in rounds.failed.items():
            workers.pop(impl).close(grace=0)
            _fail(entries[impl], f"repetition: {detail}")
        for impl, times in rounds.times.items():
            entries[impl]["samples"] = sorted(times.items())
            entries[impl]["peak"] = rounds.peaks.get(impl, 0)
        t1 = time.monotonic()
        for impl, worker in workers.items():
            try:
                check = worker.ask("done")
            except WorkerFailed as exc:
                _fail(entries[impl], f"check: {exc}")
                continue
            if not check["ok"]:
                _fail(entries[impl], f"wrong result {check['detail']}")
            elif (
                impl in warm_paths
                and data is not None
                and not _verify_write(warm_paths[impl], impl, data)
            ):
                _fail(entries[impl], "wrong data written")
            if check.get("detail") and entries[impl]["ok"]:
                entries[impl]["detail"] = check["detail"]
    finally:
        for worker in workers.values():
            worker.close()
    if "rounds" in row:
        row["checks_seconds"] = time.monotonic() - t1
    _print_row(row)


def _print_row(row: dict[str, Any]) -> None:
    summary = summarize(row)
    for impl, entry in row["impls"].items():
        stats = summary["impls"].get(impl)
        if stats is None or not entry.get("ok"):
            status = f"FAILED {entry.get('detail', '')}"
        else:
            first = (
                f"first {1e3 * stats['first_median']:.1f} ms, " if "first_median" in stats else ""
            )
            status = (
                f"{first}warm {1e3 * stats['median']:.1f} ms "
                f"[{1e3 * stats['q1']:.1f}-{1e3 * stats['q3']:.1f}] n={stats['rounds']}"
            )
        print(f"  {row['case']:32s} {impl:14s} {status}", flush=True)
    ratio = summary.get("ratio")
    if ratio:
        print(
            f"  {row['case']:32s} {OURS} / {summary['best_other']}: {ratio['median']:.3f} "
            f"[{ratio['low']:.3f}-{ratio['high']:.3f}] after {row.get('rounds')} rounds "
            f"({row.get('stop')})",
            flush=True,
        )


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("anyzarr", "zarr", "zarrs", "tensorstore", "numpy", "numcodecs"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


def _commit() -> str:
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True, check=False)
        return proc.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" (with local changes)" if git("status", "--porcelain") else "")


def _commit_of(rev: str) -> str:
    proc = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=HERE, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"--before {rev}: not a git revision here: {proc.stderr.strip()}")
    return proc.stdout.strip()


def _unpack_before(rev: str) -> str:
    """``src/`` of ``rev`` in a temporary directory (removed at exit), byte-compiled."""
    commit = _commit_of(rev)
    where = Path(tempfile.mkdtemp(prefix=f"anyzarr-before-{commit}-"))
    atexit.register(shutil.rmtree, where, ignore_errors=True)
    archive = subprocess.run(
        ["git", "archive", commit, "src"], cwd=HERE.parent, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    # Compiled up front, so that no first call of either side pays for it.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(where / "src")], check=True)
    return str(where / "src")


def _plan_text(plan: Plan, first_calls: int) -> str:
    if plan.min_rounds == plan.max_rounds:
        rounds = f"{plan.max_rounds} warm rounds per case"
    else:
        rounds = (
            f"warm rounds until the 95% interval of anyzarr / best other is narrower than "
            f"{plan.target:.0%} (at least {plan.min_rounds}, at most {plan.max_rounds} rounds, "
            f"{plan.budget:.0f} s per case)"
        )
    return f"{first_calls} first calls per implementation and case; {rounds}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: 1/8 of the data, 3 rounds, 1 first call (timings mean little)",
    )
    ap.add_argument(
        "--scale", type=float, default=None, help="data size factor (default 1; --quick 0.125)"
    )
    ap.add_argument("--cases", default="", help="comma-separated substrings of case names")
    ap.add_argument("--impls", default=",".join(DEFAULT_IMPLS), help="comma-separated names")
    ap.add_argument(
        "--before",
        default=None,
        metavar="REV",
        help="also run anyzarr's sync API as of this git revision (anyzarr-before) in every "
        "case anyzarr runs, and report now / before",
    )
    ap.add_argument(
        "--target-interval",
        type=float,
        default=0.05,
        help="stop a case when the 95%% interval of anyzarr / best other is narrower than "
        "this, relative to the ratio (default 0.05, i.e. about ±2.5%%)",
    )
    ap.add_argument(
        "--budget-seconds",
        type=float,
        default=30.0,
        help="seconds of warm rounds per case at most (default 30; 3 rounds always run)",
    )
    ap.add_argument("--min-rounds", type=int, default=8, help="warm rounds before stopping early")
    ap.add_argument("--max-rounds", type=int, default=200, help="warm rounds at most")
    ap.add_argument("--rounds", type=int, default=None, help="exactly this many warm rounds")
    ap.add_argument(
        "--first-calls",
        type=int,
        default=None,
        help="fresh processes per implementation and case for first calls (default 3)",
    )
    ap.add_argument("--out", type=Path, default=HERE / "results", help="where latest.* go")
    ap.add_argument(
        "--write-docs",
        nargs="?",
        type=Path,
        const=DOCS,
        default=None,
        help="also write the table between the markers of this file (default docs/performance.md)",
    )
    ap.add_argument(
        "--from-json", type=Path, default=None, help="render this results file; run nothing"
    )
    args = ap.parse_args(argv)
    result = json.loads(args.from_json.read_text()) if args.from_json else _run(args)
    table = render(result)
    print(table)
    if args.from_json is None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "latest.json").write_text(json.dumps(result, indent=1))
        (args.out / "latest.md").write_text(table)
    if args.write_docs is not None:
        write_docs(table, args.write_docs)
        print(f"wrote the table into {args.write_docs}")


def _run(args: argparse.Namespace) -> dict[str, Any]:
    scale = args.scale or (0.125 if args.quick else 1.0)
    if args.rounds is not None:
        plan = Plan.fixed(args.rounds)
    elif args.quick:
        plan = Plan.fixed(3)
    else:
        plan = Plan(
            target=args.target_interval,
            budget=args.budget_seconds,
            min_rounds=args.min_rounds,
            max_rounds=args.max_rounds,
        )
    first_calls = args.first_calls or (1 if args.quick else 3)
    impls = [impl for impl in args.impls.split(",") if impl]
    unknown = set(impls) - set(ALL_IMPLS)
    if unknown:
        raise SystemExit(f"unknown implementations: {', '.join(sorted(unknown))}")
    if args.before is not None:
        impls = [*impls, BEFORE] if BEFORE not in impls else impls
    if BEFORE in impls:
        os.environ["BENCH_BEFORE_SRC"] = _unpack_before(args.before or "HEAD")
    wanted = [s for s in args.cases.split(",") if s]
    cases = [c for c in all_cases(scale) if not wanted or any(w in c.name for w in wanted)]
    with_imports = not wanted or any(w in IMPORT_ROW for w in wanted)
    t0 = time.time()
    baseline = machine_baseline(quick=args.quick)
    print("machine:", baseline, flush=True)
    rows = []
    if with_imports:
        print(f"  {IMPORT_ROW}", flush=True)
        rows.append(import_row(impls, plan))
        _print_row(rows[-1])
    with tempfile.TemporaryDirectory(
        prefix="anyzarr-bench-", dir=os.environ.get("BENCH_TMP")
    ) as tmp:
        for case in cases:
            print(f"  {case.name}", flush=True)
            rows.append(run_case(case, impls, Path(tmp), scale, plan, first_calls))
    meta = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "command": shlex.join(["bench/run.py", *sys.argv[1:]]),
        "wall_seconds": time.time() - t0,
        "plan": _plan_text(plan, first_calls),
        "versions": _versions(),
    }
    if BEFORE in impls:
        meta["before"] = _commit_of(args.before or "HEAD")
    return {"meta": meta, "impls": impls, "rows": rows, "baseline": baseline}


if __name__ == "__main__":
    main()
