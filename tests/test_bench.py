"""The benchmark harness in bench/ keeps working: statistics, round rules, a smoke run.

No timings are asserted here (performance claims come from bench/ runs
only); these tests check that the harness runs, checks results and reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).parent.parent / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> dict[str, ModuleType]:
    """The harness's pure modules, imported from bench/."""
    import importlib

    monkeypatch.syspath_prepend(str(BENCH))
    return {name: importlib.import_module(name) for name in ("_stats", "_rounds", "_report")}


def test_median_interval_uses_order_statistics(bench: dict[str, ModuleType]) -> None:
    stats = bench["_stats"]
    # n = 10: P(Binomial(10, 1/2) <= 1) = 11/1024 <= 2.5% < P(<= 2), so the
    # interval runs from the 2nd smallest to the 2nd largest value.
    i = stats.median_interval([float(v) for v in (7, 1, 9, 3, 5, 10, 2, 8, 4, 6)])
    assert (i.median, i.low, i.high, i.n) == (5.5, 2.0, 9.0, 10)
    assert i.relative_width == pytest.approx(7.0 / 5.5)
    # Too few values for 95%: the whole range.
    small = stats.median_interval([3.0, 1.0, 2.0])
    assert (small.low, small.high) == (1.0, 3.0)
    assert stats.smallest_sample() == 6


def test_ratios_pair_rounds(bench: dict[str, ModuleType]) -> None:
    stats = bench["_stats"]
    ours = {0: 1.0, 1: 2.0, 2: 4.0, 5: 9.0}
    other = {0: 2.0, 1: 4.0, 2: 8.0, 3: 1.0}
    # A slow round (2) slows both: the per-round ratio stays 0.5.
    assert stats.paired_ratios(ours, other) == [0.5, 0.5, 0.5]
    assert stats.ratio_interval(ours, {7: 1.0}) is None
    assert stats.geometric_mean([0.5, 2.0]) == pytest.approx(1.0)


def _times(rounds: int = 10, **medians: float) -> dict[str, dict[int, float]]:
    """Per round, the same 1% wobble around each median: per-round ratios are constant."""
    return {
        name.replace("_", "-"): {r: m * (1.0 + 0.01 * (-1) ** r) for r in range(rounds)}
        for name, m in medians.items()
    }


def test_rounds_drop_the_clearly_slower_and_stop_when_known(
    bench: dict[str, ModuleType],
) -> None:
    rounds = bench["_rounds"]
    plan = rounds.Plan(target=0.05, budget=100.0, min_rounds=8, max_rounds=50, floor_rounds=3)
    times = _times(anyzarr=1.0, zarrs=1.02, tensorstore=3.0, zarr_python=2.0, anyzarr_async=1.1)
    active = list(times)
    # After 3 rounds, fewer than min_rounds: go on.  tensorstore is more than
    # CLEARLY_BEHIND slower than the best other (zarrs) in every round and
    # leaves; zarr-python and the async API stay until 6 rounds give their
    # ratios a 95% interval.
    three = _times(3, anyzarr=1.0, zarrs=1.02, tensorstore=3.0, zarr_python=2.0, anyzarr_async=1.1)
    keep, stop = rounds.decide(three, active, 3, 0.0, plan)
    assert stop == ""
    assert sorted(keep) == ["anyzarr", "anyzarr-async", "zarr-python", "zarrs"]
    # After 8 rounds the headline is known within 5%.
    assert rounds.decide(times, active, 8, 0.0, plan) == (active, "converged")
    # anyzarr (and zarr-python) 1.5x slower in every other round: the headline
    # is not known, zarr-python's ratio is (it moved with anyzarr) and it
    # leaves; the async API's is not and it stays until min_rounds.
    for name in ("anyzarr", "zarr-python"):
        times[name] = {r: t * (1.5 if r % 2 else 1.0) for r, t in times[name].items()}
    keep, stop = rounds.decide(times, active, 7, 0.0, plan)
    assert stop == ""
    assert sorted(keep) == ["anyzarr", "anyzarr-async", "zarrs"]
    assert sorted(rounds.decide(times, active, 8, 0.0, plan)[0]) == ["anyzarr", "zarrs"]
    assert rounds.decide(times, active, 8, 100.0, plan)[1] == "budget"
    assert rounds.decide(times, active, 50, 0.0, plan)[1] == "max rounds"
    # The budget never cuts the floor rounds.
    assert rounds.decide(three, active, 2, 1e9, plan)[1] == ""


def test_run_rounds_shuffles_and_records_failures(bench: dict[str, ModuleType]) -> None:
    rounds = bench["_rounds"]
    calls: list[str] = []
    orders: list[tuple[str, ...]] = []

    def player(name: str, seconds: float) -> Any:
        def rep() -> tuple[float, int]:
            calls.append(name)
            if name == "tensorstore" and calls.count(name) == 2:
                raise rounds.RepetitionFailed("boom")
            return seconds, 10

        return rep

    players = {n: player(n, s) for n, s in (("anyzarr", 1.0), ("zarrs", 2.0), ("tensorstore", 3.0))}
    out = rounds.run_rounds(
        "case", players, rounds.Plan.fixed(10), on_round=lambda _, ran: orders.append(tuple(ran))
    )
    assert out.rounds == 10
    assert out.stop == "fixed"
    assert out.failed == {"tensorstore": "boom"}
    assert "tensorstore" not in out.times
    assert sorted(out.times["anyzarr"]) == list(range(10))
    assert out.peaks["zarrs"] == 10
    assert all(len(o) == 2 for o in orders[2:])
    assert len(set(orders[2:])) == 2  # both orders of the two left


def test_write_docs_replaces_only_the_marked_block(
    bench: dict[str, ModuleType], tmp_path: Path
) -> None:
    report = bench["_report"]
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Title\n\nbefore\n{report.BEGIN}\nold table\n{report.END}\nafter\n")
    report.write_docs("| new | table |\n", doc)
    assert doc.read_text() == (
        f"# Title\n\nbefore\n{report.BEGIN}\n| new | table |\n{report.END}\nafter\n"
    )
    doc.write_text("no markers here\n")
    with pytest.raises(ValueError, match="bench-results"):
        report.write_docs("x\n", doc)


def test_quick_run_of_one_tiny_case(tmp_path: Path) -> None:
    """The harness end to end: worker process, first call, rounds, check, report, docs."""
    doc = tmp_path / "performance.md"
    doc.write_text("<!-- bench-results:begin -->\n<!-- bench-results:end -->\nkept\n")
    run = [sys.executable, str(BENCH / "run.py"), "--quick", "--scale", "0.01"]
    proc = subprocess.run(
        [*run, "--cases", "bulk-read-none", "--impls", "anyzarr", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads((tmp_path / "latest.json").read_text())
    (row,) = result["rows"]
    assert row["case"] == "bulk-read-none"
    entry = row["impls"]["anyzarr"]
    assert entry["ok"], entry["detail"]
    assert len(entry["first"]) == 1
    assert len(entry["samples"]) == 3
    assert row["stop"] == "fixed"
    md = (tmp_path / "latest.md").read_text()
    assert "| bulk-read-none |" in md
    # Rendering again from the JSON writes the same table into the docs.
    proc = subprocess.run(
        [*run, "--from-json", str(tmp_path / "latest.json"), "--write-docs", str(doc)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = doc.read_text()
    assert md in text
    assert text.endswith("<!-- bench-results:end -->\nkept\n")


def test_before_runs_an_earlier_commit_beside_the_current(tmp_path: Path) -> None:
    """``--before REV``: anyzarr from that commit's src/ runs every round, with its ratio."""
    inside = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=BENCH, capture_output=True, text=True, check=False
    )
    if inside.returncode != 0:
        pytest.skip("not a git checkout: --before needs the repository's history")
    run = [sys.executable, str(BENCH / "run.py"), "--quick", "--scale", "0.01"]
    chosen = ["--cases", "bulk-read-none", "--impls", "anyzarr", "--before", "HEAD"]
    proc = subprocess.run(
        [*run, *chosen, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads((tmp_path / "latest.json").read_text())
    assert result["meta"]["before"] == inside.stdout.strip()[: len(result["meta"]["before"])]
    (row,) = result["rows"]
    before = row["impls"]["anyzarr-before"]
    assert before["ok"], before["detail"]
    assert len(before["samples"]) == 3
    md = (tmp_path / "latest.md").read_text()
    assert "anyzarr now / anyzarr at" in md
    assert "| bulk-read-none | " in md.split("anyzarr now / anyzarr at")[1]
