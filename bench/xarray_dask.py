"""xarray and dask reads: ``engine="anyzarr"`` against xarray's own ``engine="zarr"`` (zarr-python).

    just bench-xarray                 # 364 MiB dataset, 5 alternating repetitions
    .venv/bin/python bench/xarray_dask.py --quick
    .venv/bin/python bench/xarray_dask.py --reps 7 --cases load,dask-threads
    .venv/bin/python bench/xarray_dask.py --profile load     # py-spy, where anyzarr's time goes

The dataset (five float/int variables of 64 x 360 x 720, each stored with its
own chunking: large chunks, one-slice chunks, many small chunks, column
chunks, and shards) is written once by xarray with zarr-python, format 3,
consolidated, into ``--data`` and reused while its description is unchanged.

Cases (each engine does exactly the same call):

- ``load``: ``xr.open_dataset(path, engine=E).load()`` -- open, decode the
  CF metadata, and read every variable through the lazy backend arrays.
- ``dask-threads``: ``xr.open_dataset(path, engine=E, chunks={}).load()``
  with dask's threaded scheduler, one task per stored chunk.
- ``dask-distributed``: ``open_dataset(..., chunks={})``, then
  ``ds.sum().compute()`` on a ``LocalCluster`` of 2 worker processes (the
  sum keeps the result small, so the time is reading and decoding).

Every timed repetition of ``load`` and ``dask-threads`` runs in a fresh
Python process: what a script that opens and loads a dataset pays,
including the engine's one-time set-up, with imports excluded.  The
engines alternate (A, B, A, B, ...) so a slow phase of this shared machine
lands on both.  The distributed case starts a new cluster for each
repetition (not timed, imports preloaded), for the same reason.
Before timing, one untimed pass per engine warms the page cache.  Reported:
the median and min-max of each engine's times, and per repetition pair the
ratio zarr-python time / anyzarr time (above 1: anyzarr is faster).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("anyzarr", "zarr")
CASES = ("load", "dask-threads", "dask-distributed")
SHAPE = (64, 360, 720)
#: name -> (dtype, encoding); 364 MiB decoded in all.
VARIABLES: dict[str, tuple[str, dict[str, Any]]] = {
    "t2m": ("float32", {"chunks": (16, 180, 180)}),  # 2 MiB chunks
    "u10": ("float32", {"chunks": (1, 360, 720)}),  # one time step per chunk, 1 MiB
    "tp": ("float64", {"chunks": (64, 45, 45)}),  # columns through time, 1 MiB
    "mask": ("int16", {"chunks": (8, 90, 90)}),  # many small chunks, 127 KiB
    "sst": ("float32", {"chunks": (8, 90, 90), "shards": (32, 180, 360)}),  # sharded
}
QUICK_SHAPE = (16, 90, 180)


def _spec(quick: bool) -> dict[str, Any]:
    shape = QUICK_SHAPE if quick else SHAPE
    variables = {}
    for name, (dtype, encoding) in VARIABLES.items():
        scaled = {
            key: tuple(min(c, n) for c, n in zip(value, shape, strict=True))
            for key, value in encoding.items()
        }
        variables[name] = (dtype, scaled)
    if quick:
        variables["sst"][1]["shards"] = (16, 90, 180)
        variables["sst"][1]["chunks"] = (8, 45, 45)
    return {"shape": shape, "variables": variables, "format": 3}


def _make_dataset(spec: dict[str, Any], path: Path) -> None:
    import numpy as np
    import pandas as pd
    import xarray as xr

    shape = tuple(spec["shape"])
    rng = np.random.default_rng(0)
    t, y, x = (np.arange(n, dtype="f4") for n in shape)
    smooth = (
        np.sin(t[:, None, None] / 7) + np.cos(y[None, :, None] / 23) * np.sin(x[None, None, :] / 31)
    ).astype("f4")
    data_vars = {}
    for name, (dtype, _) in spec["variables"].items():
        noise = rng.standard_normal(shape, dtype="f4") * 0.05
        values = (smooth + noise) * 100 if dtype != "int16" else (smooth * 1000 + noise * 100)
        data_vars[name] = (("time", "lat", "lon"), values.astype(dtype), {"units": "1"})
    ds = xr.Dataset(
        data_vars,
        coords={
            "time": pd.date_range("2000-01-01", periods=shape[0], freq="6h"),
            "lat": np.linspace(-90, 90, shape[1]),
            "lon": np.linspace(-180, 180, shape[2], endpoint=False),
        },
    )
    encoding = {name: dict(enc) for name, (_, enc) in spec["variables"].items()}
    ds.to_zarr(path, mode="w", zarr_format=spec["format"], consolidated=True, encoding=encoding)


def _ensure_data(data_dir: Path, quick: bool) -> Path:
    spec = _spec(quick)
    path = data_dir / ("quick.zarr" if quick else "dataset.zarr")
    stamp = path.with_suffix(".json")
    wanted = json.dumps(spec, sort_keys=True, default=list)
    if not (path.exists() and stamp.exists() and stamp.read_text() == wanted):
        shutil.rmtree(path, ignore_errors=True)
        data_dir.mkdir(parents=True, exist_ok=True)
        print(f"writing {path} with xarray + zarr-python ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, __file__, "--make", str(path), *(["--quick"] if quick else [])],
            check=True,
        )
        stamp.write_text(wanted)
    return path


# -- one timed repetition, in a fresh process ----------------------------------


def _cpu_seconds() -> float:
    """User + system CPU time of this process, all threads together."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(case: str, engine: str, path: str) -> tuple[float, float]:
    """One repetition of ``case`` with ``engine``: (wall seconds, CPU seconds)."""
    import warnings

    import dask
    import xarray as xr
    import zarr

    import anyzarr
    import anyzarr.xarray

    warnings.simplefilter("ignore")
    library = anyzarr if engine == "anyzarr" else zarr
    cpu, start = _cpu_seconds(), time.perf_counter()
    if case == "load":
        with xr.open_dataset(path, engine=engine) as ds:
            ds.load()
    elif case == "dask-threads":
        with (
            dask.config.set(scheduler="threads"),
            xr.open_dataset(path, engine=engine, chunks={}) as ds,
        ):
            ds.load()
    elif case == "raw":
        group = library.open_group(path, mode="r")
        for name in VARIABLES:
            group[name][...]
    elif case == "decompress":
        _decompress_every_chunk(Path(path))
    else:
        raise ValueError(case)
    return time.perf_counter() - start, _cpu_seconds() - cpu


def _decompress_every_chunk(path: Path) -> None:
    """Read and zstd-decode every stored chunk, one after another: the work both engines share."""
    import numpy as np
    from numcodecs import Zstd

    zstd = Zstd()
    for name in VARIABLES:
        meta = json.loads((path / name / "zarr.json").read_text())
        codec = meta["codecs"][0]
        inner = None
        if codec["name"] == "sharding_indexed":
            outer = meta["chunk_grid"]["configuration"]["chunk_shape"]
            inner = int(np.prod(outer) // np.prod(codec["configuration"]["chunk_shape"]))
        for chunk in (path / name / "c").rglob("*"):
            if not chunk.is_file():
                continue
            data = chunk.read_bytes()
            if inner is None:
                zstd.decode(data)
                continue
            # A shard: its index (offset, length per inner chunk) ends it, before a crc32c.
            index = np.frombuffer(data[-(16 * inner + 4) : -4], dtype="<u8").reshape(-1, 2)
            for offset, length in index:
                if offset != np.iinfo("u8").max:
                    zstd.decode(data[offset : offset + length])


def _run_fresh(case: str, engine: str, path: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", case, engine, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def _preload() -> None:
    import xarray  # noqa: F401
    import zarr  # noqa: F401

    import anyzarr.xarray  # noqa: F401


def _distributed(path: Path, reps: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, worker CPU) seconds of ``open_dataset(chunks={}).sum().compute()`` per repetition."""
    import logging
    import warnings

    import xarray as xr
    from distributed import Client, LocalCluster

    warnings.simplefilter("ignore")
    times: dict[str, list[tuple[float, float]]] = {engine: [] for engine in ENGINES}
    for rep in range(reps + 1):  # the first round warms up
        for engine in ENGINES:
            # A new cluster each time: no worker keeps what an earlier
            # repetition cached.  Starting it and importing are not timed.
            with (
                LocalCluster(
                    n_workers=2,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                ) as cluster,
                Client(cluster) as client,
            ):
                client.run(_preload)
                cpu_before = sum(client.run(_cpu_seconds).values())
                start = time.perf_counter()
                with xr.open_dataset(path, engine=engine, chunks={}) as ds:
                    ds.sum().compute()
                wall = time.perf_counter() - start
                cpu = sum(client.run(_cpu_seconds).values()) - cpu_before
                if rep:
                    times[engine].append((wall, cpu))
    return times


def _fresh(
    case: str, engines: tuple[str, ...], path: Path, reps: int
) -> dict[str, list[tuple[float, float]]]:
    """Alternating fresh-process repetitions, after one untimed pass per engine."""
    times: dict[str, list[tuple[float, float]]] = {engine: [] for engine in engines}
    for engine in engines:
        _run_fresh(case, engine, path)
    for _ in range(reps):
        for engine in engines:
            times[engine].append(_run_fresh(case, engine, path))
    return times


# -- reporting ---------------------------------------------------------------------


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def _row(case: str, times: dict[str, list[tuple[float, float]]]) -> str:
    ours, theirs = times["anyzarr"], times["zarr"]
    wall_ratios = [z[0] / a[0] for a, z in zip(ours, theirs, strict=True)]
    cpu_ratios = [z[1] / a[1] for a, z in zip(ours, theirs, strict=True)]
    return (
        f"| {case} | {_spread([t[0] for t in ours])} | {_spread([t[0] for t in theirs])} | "
        f"**{_spread(wall_ratios)}** | {_spread([t[1] for t in ours])} | "
        f"{_spread([t[1] for t in theirs])} | {_spread(cpu_ratios)} |"
    )


HEADER = (
    "| case | anyzarr wall s | zarr-python wall s | zarr-python / anyzarr (wall) "
    "| anyzarr CPU s | zarr-python CPU s | zarr-python / anyzarr (CPU) |\n"
    "|---|---|---|---|---|---|---|"
)


def _breakdown(path: Path, reps: int) -> str:
    """Where the time of ``load`` goes: shared decompression, the library's read, xarray on top."""
    decompress = _fresh("decompress", ("any",), path, reps)["any"]
    raw = _fresh("raw", ENGINES, path, reps)
    load = _fresh("load", ENGINES, path, reps)
    lines = [
        "| step | wall s | CPU s |",
        "|---|---|---|",
        f"| read + zstd-decode every chunk, one thread, no library | "
        f"{_spread([t[0] for t in decompress])} | {_spread([t[1] for t in decompress])} |",
    ]
    for engine, label in (("anyzarr", "anyzarr"), ("zarr", "zarr-python")):
        lines.append(
            f"| {label}: `group[name][...]` for every variable | "
            f"{_spread([t[0] for t in raw[engine]])} | {_spread([t[1] for t in raw[engine]])} |"
        )
        lines.append(
            f"| {label}: `xr.open_dataset(engine=...).load()` | "
            f"{_spread([t[0] for t in load[engine]])} | {_spread([t[1] for t in load[engine]])} |"
        )
    return "\n".join(lines)


def _profile(case: str, path: Path, out: Path) -> None:
    """Record where anyzarr's time goes in one fresh-process repetition (py-spy, all threads)."""
    py_spy = Path(sys.executable).with_name("py-spy")
    cmd = [str(py_spy), "record", "--threads", "--rate", "200", "--format", "raw", "-o", str(out)]
    subprocess.run(
        [*cmd, "--", sys.executable, __file__, "--child", case, "anyzarr", str(path)], check=True
    )
    print(f"profile written to {out} (collapsed stacks; flamegraph.pl or speedscope read it)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--quick", action="store_true", help="a ~5 MiB dataset, for a smoke run")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(
            os.environ.get(
                "ANYZARR_BENCH_DATA", Path(tempfile.gettempdir()) / "anyzarr-bench-xarray"
            )
        ),
        help="where the dataset is written and kept",
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="where load's time goes, instead of the cases"
    )
    parser.add_argument(
        "--profile", choices=("load", "dask-threads"), help="py-spy one anyzarr repetition"
    )
    parser.add_argument("--json", type=Path, help="also write the raw times here")
    parser.add_argument("--make", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.make:
        _make_dataset(_spec(args.quick), Path(args.make))
        return
    if args.child:
        print(*_child(*args.child))
        return

    path = _ensure_data(args.data, args.quick)
    if args.profile:
        _profile(args.profile, path, args.data / f"profile-{args.profile}.txt")
        return
    spec = _spec(args.quick)
    mib = sum(
        math.prod(spec["shape"]) * int(dtype[-2:] if dtype[-2:].isdigit() else dtype[-1]) // 8
        for dtype, _ in spec["variables"].values()
    ) / (1 << 20)
    print(
        f"Dataset: {mib:.0f} MiB decoded, {len(spec['variables'])} variables; "
        f"{args.reps} repetitions per engine, alternating; median (min-max).\n"
    )
    if args.breakdown:
        print(_breakdown(path, args.reps))
        return
    print(HEADER)
    results: dict[str, Any] = {}
    for case in args.cases.split(","):
        if case == "dask-distributed":
            times = _distributed(path, args.reps)
        else:
            times = _fresh(case, ENGINES, path, args.reps)
        results[case] = times
        print(_row(case, times), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
