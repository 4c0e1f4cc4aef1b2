"""The import-time row: ``import anyzarr`` against the others' imports.

Each repetition starts a fresh interpreter (this one's executable and
environment) that times nothing but its one ``import`` statement with
``time.perf_counter`` and prints the seconds; interpreter start-up and exit
are not counted, numpy's import is (every library here imports it).  The
rounds alternate the implementations in a shuffled order like every other
case, and one untimed import of each module first makes sure no timed one
compiles byte code.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from _rounds import Plan, Player, RepetitionFailed, run_rounds

#: Implementation -> the module its users import (zarrs is used through zarr-python).
MODULES = {
    "anyzarr": "anyzarr",
    "zarr-python": "zarr",
    "zarrs": "zarrs",
    "tensorstore": "tensorstore",
}
NAME = "import-time"
_MARK = "@bench-import "
_CODE = (
    "import time\n"
    "t0 = time.perf_counter()\n"
    "import {module}\n"
    "t1 = time.perf_counter()\n"
    "print({mark!r} + repr(t1 - t0))\n"
)


def time_import(module: str, timeout: float = 120.0) -> float:
    """Seconds ``import module`` takes in a fresh interpreter."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CODE.format(module=module, mark=_MARK)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RepetitionFailed(f"import {module}: no answer within {timeout:.0f} s") from None
    for line in proc.stdout.splitlines():
        if line.startswith(_MARK):
            return float(line.removeprefix(_MARK))
    raise RepetitionFailed(
        f"import {module} exited {proc.returncode}: {proc.stderr.strip()[-300:]}"
    )


def _player(module: str) -> Player:
    def rep() -> tuple[float, int]:
        return time_import(module), 0

    return rep


def import_row(impls: list[str], plan: Plan) -> dict[str, Any]:
    """The import-time row of the results, in the runner's row format."""
    row: dict[str, Any] = {"case": NAME, "op": "import", "nbytes": 0, "impls": {}}
    players: dict[str, Player] = {}
    for impl in impls:
        module = MODULES.get(impl)
        if module is None:
            continue
        try:
            time_import(module)  # untimed: byte code compiled, files in the page cache
        except RepetitionFailed as exc:
            row["impls"][impl] = {"ok": False, "detail": str(exc), "samples": []}
            continue
        players[impl] = _player(module)
    if not players:
        if not row["impls"]:
            row["skipped"] = "none of the chosen implementations has an import of its own"
        return row
    rounds = run_rounds(NAME, players, plan)
    row.update(rounds=rounds.rounds, stop=rounds.stop, seconds=rounds.seconds)
    for impl in players:
        if impl in rounds.failed:
            row["impls"][impl] = {"ok": False, "detail": rounds.failed[impl], "samples": []}
        else:
            samples = sorted(rounds.times[impl].items())
            row["impls"][impl] = {"ok": True, "detail": "", "samples": samples, "peak": 0}
    return row
