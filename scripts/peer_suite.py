"""Run zarr-python's own test suite against anyzarr (``just peer``).

Downloads the sdist of the pinned zarr-python release from PyPI (``pip
download``), then runs its ``tests/`` twice in a virtual environment of its
own (``.peer/venv``, with anyzarr installed editable and zarr-python as the
control):

1. on zarr-python itself (the control: what passes here at all), and
2. with ``zarr`` aliased to anyzarr's public modules (``scripts/peer_alias.py``):
   ``zarr.x`` is ``anyzarr.x`` for every public ``x``; nothing of
   ``zarr.core`` or of underscore modules is mapped.  Imports of such names
   are deferred, so a test file loads, and a test that uses one is counted as
   *private* and left out of the rate.  So is a test that fails for want of
   a private (underscore) attribute of a public object (``store._foo``), and
   one that is not collected because its parameters came from private names.

It prints a table per test file (collected, passed on zarr-python, of those
the ones that use only public names, and how many of those pass on anyzarr),
then the anyzarr failures grouped by cause.  The rate is the share of tests
that use only public names and pass on zarr-python which also pass on
anyzarr.  Not part of CI: the full run takes several minutes per side.

    .venv/bin/python scripts/peer_suite.py                 # everything
    .venv/bin/python scripts/peer_suite.py tests/test_group.py -k tree
    .venv/bin/python scripts/peer_suite.py --reuse-control tests/test_store
    .venv/bin/python scripts/peer_suite.py --report-only --markdown table.md

Paths and pytest options after the script's own options go to pytest
(relative to the sdist's root).  Results: ``.peer/results-zarr.json`` and
``.peer/results-anyzarr.json``; a run over a subset updates the tests it ran, so
the table covers every test run so far.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".peer"
VERSION = "3.4.2"
# What zarr-python's own test dependency group needs to collect its suite
# (less coverage, benchmark and release tooling).
REQUIREMENTS = [
    "pytest>=9",
    "pytest-asyncio>=1.1",
    "pytest-timeout",
    "hypothesis",
    "numpydoc",
    "tomlkit",
    "cast-value-rs>=0.4.2",
]
IGNORED = [
    # Timing benchmarks (pytest-benchmark / codspeed fixtures), and scripts
    # that are not tests.
    "tests/benchmarks",
    "tests/test_regression/scripts",
]

PYTEST_INI = """\
[pytest]
minversion = 9
strict = true
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
addopts = -p no:cacheprovider -q -rN --tb=no
filterwarnings =
    error
    ignore:Numcodecs codecs are not in the Zarr version 3 specification.*:UserWarning
    ignore:Exception ignored in[\\s\\S]*<function BaseEventLoop.__del__:pytest.PytestUnraisableExceptionWarning
    ignore:Exception ignored in[\\s\\S]*<socket.socket fd=\\d+, family=(1|2), type=1:pytest.PytestUnraisableExceptionWarning
markers =
    gpu: mark a test as requiring CuPy and GPU
    s3: mark a test as requiring a (mock) S3 backend via moto
    slow_hypothesis: slow hypothesis tests
"""


def run(cmd: list[str], **kwargs: Any) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def ensure_sdist(version: str) -> Path:
    tree = WORK / f"zarr-{version}"
    if (tree / "tests").is_dir():
        return tree
    WORK.mkdir(exist_ok=True)
    archive = WORK / f"zarr-{version}.tar.gz"
    if not archive.exists():
        run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             f"zarr=={version}", "-d", str(WORK)]
        )  # fmt: skip
    with tarfile.open(archive) as tar:
        tar.extractall(WORK, filter="data")
    return tree


def ensure_venv(version: str) -> Path:
    venv = WORK / "venv"
    python = venv / "bin" / "python"
    stamp = venv / f".peer-{version}"
    if not python.exists():
        run([sys.executable, "-m", "venv", str(venv)])
    if not stamp.exists() or (ROOT / "pyproject.toml").stat().st_mtime > stamp.stat().st_mtime:
        run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
             "-e", f"{ROOT}[fsspec,testing,cast-value]", f"zarr=={version}", *REQUIREMENTS]
        )  # fmt: skip
        stamp.touch()
    return python


def run_side(
    side: str,
    python: Path,
    tree: Path,
    pytest_args: list[str],
    timeout: int,
    anyzarr_src: Path | None = None,
) -> dict[str, Any]:
    record = WORK / f"results-{side}.part.json"
    ini = WORK / "pytest.ini"
    ini.write_text(PYTEST_INI)
    env = dict(os.environ)
    paths = [str(ROOT / "scripts")]
    if anyzarr_src is not None:
        paths.append(str(anyzarr_src))
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PEER_RECORD"] = str(record)
    env.setdefault("HYPOTHESIS_PROFILE", "ci")
    cmd = [str(python), "-m", "pytest", "-c", str(ini), "--rootdir", str(tree)]
    cmd += ["-p", "peer_record", f"--timeout={timeout}", "--continue-on-collection-errors"]
    if side == "anyzarr":
        cmd += ["-p", "peer_alias"]
    cmd += [f"--ignore={p}" for p in IGNORED]
    cmd += pytest_args or ["tests"]
    print(f"== {side}: {' '.join(pytest_args) or 'tests'}", flush=True)
    proc = subprocess.run(cmd, cwd=tree, env=env, stdout=subprocess.PIPE, text=True)
    tail = proc.stdout.strip().splitlines()[-1:] or ["(no output)"]
    print(f"   {side}: {tail[0]}", flush=True)
    if not record.exists():
        sys.exit(f"pytest wrote no results for {side}:\n{proc.stdout[-4000:]}")
    part: dict[str, Any] = json.loads(record.read_text())
    record.unlink()
    return part


def merge(side: str, part: dict[str, Any]) -> dict[str, Any]:
    """Fold a run into the side's results: its tests replace earlier ones."""
    path = WORK / f"results-{side}.json"
    old: dict[str, Any] = (
        json.loads(path.read_text()) if path.exists() else {"tests": {}, "collection": {}}
    )
    files = {e["file"] for e in part["tests"].values()} | set(part["collection"])
    tests = dict(old["tests"])
    tests.update(part["tests"])
    collection = {k: v for k, v in old["collection"].items() if k not in files}
    collection.update(part["collection"])
    deferred = dict(old.get("collection_deferred", {}))
    deferred.update(part.get("collection_deferred", {}))
    merged = {"tests": tests, "collection": collection, "collection_deferred": deferred}
    path.write_text(json.dumps(merged, indent=1, sort_keys=True))
    return merged


def is_private_name(name: str) -> bool:
    parts = name.split(".")[1:]
    return bool(parts) and (parts[0] == "core" or any(p.startswith("_") for p in parts))


def collected_privately(anyzarr: dict[str, Any]) -> list[str]:
    """Collector node ids whose collection used private zarr names."""
    return [
        key
        for key, names in anyzarr.get("collection_deferred", {}).items()
        if any(is_private_name(n) for n in names)
    ]


def under(nodeid: str, collector: str) -> bool:
    return (
        collector == ""
        or nodeid == collector
        or nodeid.startswith((collector + "/", collector + "::"))
    )


def classify(control: dict[str, Any], anyzarr: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per test: control outcome, anyzarr outcome, private or not, cause.

    A test counts as private when it used a private zarr name, or when it is
    missing on the anyzarr side and the collection of its file (or a
    conftest above it) used private names: the tests generated from them
    cannot match.
    """
    rows: dict[str, dict[str, Any]] = {}
    private_collectors = collected_privately(anyzarr)
    anyzarr_files = {e["file"] for e in anyzarr["tests"].values()}
    for nodeid, ctrl in control["tests"].items():
        file = ctrl["file"]
        mine = anyzarr["tests"].get(nodeid)
        coll = anyzarr["collection"].get(file)
        if mine is None and coll is None and file not in anyzarr_files:
            continue  # a whole file the anyzarr side has not run yet
        if mine is None:
            private = (coll is not None and "private zarr name" in coll) or any(
                under(nodeid, c) for c in private_collectors
            )
            outcome = "error" if coll is not None else "missing"
            cause = f"collection: {coll}" if coll else "not collected (parametrisation differs)"
        else:
            private = any(is_private_name(n) for n in mine.get("deferred", ()))
            outcome = mine["outcome"]
            cause = mine.get("cause") or outcome
        rows[nodeid] = {
            "file": file,
            "control": ctrl["outcome"],
            "outcome": outcome,
            "private": private,
            "cause": cause,
        }
    return rows


def report(rows: dict[str, dict[str, Any]], markdown: Path | None) -> float:
    per_file: dict[str, Counter[str]] = defaultdict(Counter)
    causes: dict[str, list[str]] = defaultdict(list)
    for nodeid, row in rows.items():
        c = per_file[row["file"]]
        c["collected"] += 1
        if row["control"] != "passed":
            continue
        c["control"] += 1
        if row["private"]:
            continue
        c["public"] += 1
        if row["outcome"] == "passed":
            c["passed"] += 1
        else:
            causes[row["cause"]].append(nodeid)
    header = (
        "| file | collected | pass on zarr-python | of those public-only | pass on anyzarr | rate |"
    )
    lines = [header, "| --- | ---: | ---: | ---: | ---: | ---: |"]
    total: Counter[str] = Counter()
    for file in sorted(per_file):
        c = per_file[file]
        total.update(c)
        rate = f"{100 * c['passed'] / c['public']:.0f}%" if c["public"] else "-"
        lines.append(
            f"| {file} | {c['collected']} | {c['control']} | {c['public']} | {c['passed']} | {rate} |"
        )
    rate_total = 100 * total["passed"] / total["public"] if total["public"] else 0.0
    lines.append(
        f"| **total** | {total['collected']} | {total['control']} | {total['public']} "
        f"| {total['passed']} | **{rate_total:.1f}%** |"
    )
    table = "\n".join(lines)
    print()
    print(table)
    print()
    print(f"failures by cause ({sum(map(len, causes.values()))} tests):")
    cause_lines = []
    for cause, ids in sorted(causes.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        cause_lines.append(f"- {len(ids):4d}  {cause}")
        for nodeid in ids[:3]:
            cause_lines.append(f"          {nodeid}")
    print("\n".join(cause_lines))
    if markdown is not None:
        markdown.write_text(table + "\n")
    return rate_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--version", default=VERSION, help="zarr-python release (default %(default)s)"
    )
    parser.add_argument("--reuse-control", action="store_true", help="keep the control results")
    parser.add_argument("--report-only", action="store_true", help="only print the table")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per test")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    parser.add_argument(
        "--anyzarr-src",
        type=Path,
        help="import anyzarr from this src/ directory instead (an older checkout, for a before/after)",
    )
    args, pytest_args = parser.parse_known_args()
    control_path = WORK / "results-zarr.json"
    if not args.report_only:
        tree = ensure_sdist(args.version)
        python = ensure_venv(args.version)
        if not (args.reuse_control and control_path.exists()):
            merge("zarr", run_side("zarr", python, tree, pytest_args, args.timeout))
        part = run_side("anyzarr", python, tree, pytest_args, args.timeout, args.anyzarr_src)
        merge("anyzarr", part)
    control = json.loads(control_path.read_text())
    anyzarr = json.loads((WORK / "results-anyzarr.json").read_text())
    report(classify(control, anyzarr), args.markdown)


if __name__ == "__main__":
    main()
