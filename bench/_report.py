"""The results table: computed from a run's JSON, written to Markdown and the docs.

Everything shown is recomputed from the raw timings kept in the JSON
(``samples``: ``[round, seconds]`` pairs of the warm repetitions; ``first``:
one first call per fresh process, with its ``first_rounds``), so a table can
be rendered again, in a new format, from an old run (``run.py --from-json``).
Results files written before first calls were measured (a ``times`` list
per implementation, one repetition per round) render with no first calls.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from _cases import CONCURRENCY, LATENCY
from _rounds import BEFORE, OURS, best_other
from _stats import Interval, geometric_mean, ratio_interval, spread

#: The zarr-python default pipeline, the second reference of every case.
REFERENCE = "zarr-python"
BEGIN = "<!-- bench-results:begin -->"
END = "<!-- bench-results:end -->"


def warm_times(entry: dict[str, Any]) -> dict[int, float]:
    """Round -> seconds of an implementation's warm repetitions."""
    if "samples" in entry:
        return {int(r): float(s) for r, s in entry["samples"]}
    return {i: float(s) for i, s in enumerate(entry.get("times", []))}


def first_times(entry: dict[str, Any]) -> dict[int, float]:
    """First-call round -> seconds (open + first operation) of each fresh process."""
    pairs = zip(entry.get("first_rounds", []), entry.get("first", []), strict=True)
    return {int(r): float(s) for r, s in pairs}


def _usable(entry: dict[str, Any]) -> bool:
    return bool(entry.get("ok")) and bool(warm_times(entry))


def summarize(row: dict[str, Any]) -> dict[str, Any]:
    """Per-implementation spreads and the case's ratios, as plain numbers."""
    entries = {impl: e for impl, e in row["impls"].items() if _usable(e)}
    warm = {impl: warm_times(e) for impl, e in entries.items()}
    first = {impl: t for impl, e in entries.items() if (t := first_times(e))}
    out: dict[str, Any] = {"impls": {}}
    for impl, times in warm.items():
        s = spread(list(times.values()))
        item: dict[str, Any] = {
            "median": s.median,
            "q1": s.q1,
            "q3": s.q3,
            "min": s.low,
            "max": s.high,
            "rounds": s.n,
        }
        if impl in first:
            f = spread(list(first[impl].values()))
            item.update(first_median=f.median, first_min=f.low, first_max=f.high, first_n=f.n)
        out["impls"][impl] = item
    best = best_other(warm)
    out["best_other"] = best
    if OURS in warm and best is not None:
        out["ratio"] = _interval(ratio_interval(warm[OURS], warm[best]))
    best_first = best_other(first)
    out["best_other_first"] = best_first
    if OURS in first and best_first is not None:
        ratios = [
            first[OURS][r] / first[best_first][r] for r in first[OURS] if r in first[best_first]
        ]
        if ratios:
            f = spread(ratios)
            out["first_ratio"] = {"median": f.median, "low": f.low, "high": f.high, "n": f.n}
    if OURS in warm and REFERENCE in warm:
        out["ratio_reference"] = _interval(ratio_interval(warm[OURS], warm[REFERENCE]))
    if OURS in warm and BEFORE in warm:
        out["ratio_before"] = _interval(ratio_interval(warm[OURS], warm[BEFORE]))
    mine = row["impls"].get(OURS, {})
    if _op_kind(row) == "read" and _usable(mine) and mine.get("peak") and row.get("nbytes"):
        out["peak_ratio"] = mine["peak"] / row["nbytes"]
    return out


def _interval(i: Interval | None) -> dict[str, float] | None:
    if i is None:
        return None
    return {"median": i.median, "low": i.low, "high": i.high, "n": i.n}


def _ms(seconds: float) -> str:
    v = seconds * 1e3
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def _ratio_cell(r: dict[str, float] | None, suffix: str = "") -> str:
    if not r:
        return "-"
    return f"{r['median']:.2f} [{r['low']:.2f}-{r['high']:.2f}]{suffix}"


def _impl_cell(entry: dict[str, Any] | None, stats: dict[str, Any] | None) -> str:
    if entry is None:
        return "-"
    if stats is None:
        return "FAILED" if not entry.get("skipped") else "-"
    warm = f"{_ms(stats['median'])} [{_ms(stats['q1'])}-{_ms(stats['q3'])}]"
    if "first_median" not in stats:
        return warm
    return f"{_ms(stats['first_median'])} · {warm}"


def _op_kind(row: dict[str, Any]) -> str:
    op = row.get("op")
    if op is None:  # an old results file: no "op" field
        return "read" if "-read" in row["case"] else ""
    return str(op)


def _table(rows: list[dict[str, Any]], impls: list[str]) -> list[str]:
    head = (
        "| case | "
        + " | ".join(impls)
        + " | anyzarr / best other, warm [95%] | first call: anyzarr / best other"
        + " | anyzarr / zarr-python [95%] | peak mem / result | rounds |"
    )
    lines = [head, "|" + "---|" * (len(impls) + 6)]
    for row in rows:
        if row.get("skipped"):
            cells = ["-"] * len(impls) + [f"skipped: {row['skipped']}", "-", "-", "-", "-"]
            lines.append(f"| {row['case']} | " + " | ".join(cells) + " |")
            continue
        summary = row["summary"]
        cells = [_impl_cell(row["impls"].get(impl), summary["impls"].get(impl)) for impl in impls]
        best = summary.get("best_other")
        cells.append(_ratio_cell(summary.get("ratio"), f" {best}" if best else ""))
        fr = summary.get("first_ratio")
        best_first = summary.get("best_other_first")
        if not fr:
            cells.append("-")
        elif fr["n"] == 1:
            cells.append(f"{fr['median']:.2f} {best_first}")
        else:
            cells.append(f"{fr['median']:.2f} ({fr['low']:.2f}-{fr['high']:.2f}) {best_first}")
        cells.append(_ratio_cell(summary.get("ratio_reference")))
        peak = summary.get("peak_ratio")
        cells.append(f"{peak:.2f}" if peak is not None else "-")
        stop = row.get("stop", "")
        n = row.get("rounds") or max((s["rounds"] for s in summary["impls"].values()), default=0)
        cells.append(f"{n}" + (f" ({stop})" if stop not in ("", "converged", "fixed") else ""))
        lines.append(f"| {row['case']} | " + " | ".join(cells) + " |")
    return lines


def _details(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| case | implementation | first call: median (min-max) | open in first call | "
        "warm median | q1 | q3 | min | max | rounds | peak mem / result | check |",
        "|" + "---|" * 12,
    ]
    for row in rows:
        if row.get("skipped"):
            continue
        summary = row["summary"]
        for impl, entry in row["impls"].items():
            stats = summary["impls"].get(impl)
            check = "ok" if entry.get("ok") else f"FAILED: {entry.get('detail', '')[:120]}"
            if stats is None:
                lines.append(f"| {row['case']} | {impl} |" + " - |" * 9 + f" {check} |")
                continue
            if "first_median" in stats:
                first = (
                    f"{_ms(stats['first_median'])} ({_ms(stats['first_min'])}-"
                    f"{_ms(stats['first_max'])}, n={stats['first_n']})"
                )
            else:
                first = "-"
            opens = entry.get("first_open") or []
            open_cell = _ms(sorted(opens)[len(opens) // 2]) if opens else "-"
            peak = (
                f"{entry['peak'] / row['nbytes']:.2f}"
                if entry.get("peak") and row.get("nbytes") and _op_kind(row) == "read"
                else "-"
            )
            cells = [
                first,
                open_cell,
                _ms(stats["median"]),
                _ms(stats["q1"]),
                _ms(stats["q3"]),
                _ms(stats["min"]),
                _ms(stats["max"]),
                str(stats["rounds"]),
                peak,
                check,
            ]
            lines.append(f"| {row['case']} | {impl} | " + " | ".join(cells) + " |")
    return lines


def _means(rows: list[dict[str, Any]]) -> list[str]:
    data = [r for r in rows if not r.get("skipped") and _op_kind(r) != "import"]
    lines = []
    for key, label in (
        ("ratio", "anyzarr / best other, warm"),
        ("first_ratio", "anyzarr / best other, first call"),
        ("ratio_reference", "anyzarr / zarr-python, warm"),
    ):
        values = [r["summary"][key]["median"] for r in data if r["summary"].get(key)]
        if values:
            lines.append(
                f"- geometric mean of {label}: **{geometric_mean(values):.2f}** "
                f"over {len(values)} cases"
            )
    return lines


def _bound_note(row: dict[str, Any]) -> str:
    """How close each implementation came to a remote case's latency bound."""
    bound = row.get("bound")
    if not bound or row.get("skipped"):
        return ""
    shown = ", ".join(
        f"{impl} {s['median'] / bound:.2f}x" for impl, s in row["summary"]["impls"].items()
    )
    return (
        f"{row['case']}: latency bound {1e3 * bound:.0f} ms (ceil(chunks / {CONCURRENCY}) x "
        f"{1e3 * LATENCY:.0f} ms); warm median / bound: {shown}"
    )


def _before(rows: list[dict[str, Any]], meta: dict[str, Any]) -> list[str]:
    """anyzarr now against anyzarr at the ``--before`` commit, case by case."""
    ratios = [
        (r["case"], r["summary"]["ratio_before"])
        for r in rows
        if r.get("summary", {}).get("ratio_before")
    ]
    if not ratios:
        return []
    rev = meta.get("before", "the earlier commit")
    lines = [
        f"anyzarr now / anyzarr at {rev} (the sync API, same run, same rounds; "
        "below 1.0: faster now):",
        "",
        "| case | now / before [95%] |",
        "|---|---|",
    ]
    lines.extend(f"| {case} | {_ratio_cell(r)} |" for case, r in ratios)
    medians = [r["median"] for _, r in ratios]
    geo = geometric_mean(medians)
    lines.append("")
    lines.append(
        f"- geometric mean now / before: **{geo:.2f}** over {len(medians)} cases; "
        f"slowest {max(medians):.2f}"
    )
    return lines


def render(result: dict[str, Any]) -> str:
    """The Markdown report of one run: summary table, means, notes, details."""
    rows: list[dict[str, Any]] = result["rows"]
    for row in rows:
        if not row.get("skipped"):
            row["summary"] = summarize(row)
    impls = result.get("impls") or list(
        dict.fromkeys(impl for row in rows for impl in row.get("impls", {}))
    )
    lines: list[str] = []
    meta = result.get("meta")
    if meta:
        lines.append(
            f"Run of {meta['date']} at commit {meta['commit']}: `{meta['command']}`, "
            f"{meta['wall_seconds']:.0f} s; {meta['plan']}."
        )
    else:
        lines.append(
            "From a results file of an older harness: no first calls, and the run's "
            "details were not recorded."
        )
    lines.append("")
    lines.append(
        "Times in ms: first call · warm median [q1-q3].  Ratios below 1.0: anyzarr's "
        "sync API is faster.  Rounds in parentheses: why a case stopped before its "
        "interval was narrower than the target."
    )
    lines.append("")
    lines.extend(_table(rows, impls))
    means = _means(rows)
    if means:
        lines.append("")
        lines.extend(means)
    notes = [n for r in rows if (n := _bound_note(r))]
    if notes:
        lines.append("")
        lines.extend(f"- {n}" for n in notes)
    before = _before(rows, result.get("meta") or {})
    if before:
        lines.append("")
        lines.extend(before)
    baseline = result.get("baseline")
    if baseline:
        lines.append("")
        lines.append("Machine reference: " + "; ".join(f"{k} {v}" for k, v in baseline.items()))
    lines.append("")
    lines.append("<details><summary>Every implementation: first calls, spread, memory</summary>")
    lines.append("")
    lines.extend(_details(rows))
    lines.append("")
    lines.append("</details>")
    return "\n".join(lines) + "\n"


def write_docs(markdown: str, path: Path) -> None:
    """Put ``markdown`` between the results markers of ``path``, keeping the rest."""
    text = path.read_text()
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"{path} needs exactly one {BEGIN} ... {END} block")
    path.write_text(pattern.sub(lambda _: f"{BEGIN}\n{markdown}{END}", text))
