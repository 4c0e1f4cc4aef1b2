"""Timed rounds of one case: who runs in the next round, and when to stop.

A round times one repetition of every implementation still in the case,
one at a time, in a new shuffled order (seeded by the case name), so no
implementation always goes first or always follows the same one.  Rounds
are added until the headline ratio is known well enough:

* the headline is anyzarr (sync API) / the best other implementation (the
  non-anyzarr implementation with the lowest median), the median of the
  per-round ratios with its 95% interval (``_stats``);
* the case stops when that interval is narrower than ``target`` (relative
  width) after at least ``min_rounds`` rounds, when ``budget`` seconds of
  rounds are spent, or after ``max_rounds``;
* after ``floor_rounds`` rounds (which always run, whatever the budget), an
  implementation that cannot change the headline leaves the case: one whose
  time is clearly above the best other's (the 95% interval of its per-round
  ratio to the best other lies above ``1 + CONTENDER_MARGIN``; before there
  are enough rounds for a 95% interval, six, every round must have it more
  than ``CLEARLY_BEHIND`` times slower).  zarr-python and anyzarr's async
  API, whose ratios to anyzarr are reported too, stay at least six rounds
  and then until anyzarr's ratio to them is known within
  ``SECONDARY_FACTOR x target`` or ``min_rounds`` have run.  An
  implementation that left is reported over the rounds it ran.

Without anyzarr, or without another implementation, the headline is the
widest interval of any implementation's own median.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from _stats import Interval, median_interval, ratio_interval, smallest_sample

#: The implementation every ratio is about.
OURS = "anyzarr"
#: anyzarr at an earlier commit (``run.py --before``): runs every round, as
#: "no case slower than before" is judged on its ratio.
BEFORE = "anyzarr-before"
#: Implementations that are never "the best other".
OURS_ALL = ("anyzarr", "anyzarr-async", "anyzarr-nocache", "anyzarr-before")
#: Implementations whose ratio to anyzarr is reported besides the headline.
SECONDARY = ("anyzarr-async", "anyzarr-nocache", "anyzarr-before", "zarr-python")
#: The looser target, as a multiple of ``target``, for ratios to ``SECONDARY``.
SECONDARY_FACTOR = 4.0
#: How far above the best other an implementation may be and still take its place.
CONTENDER_MARGIN = 0.05
#: Before a 95% interval exists: per-round ratio to the best other above which one leaves.
CLEARLY_BEHIND = 1.25

#: One timed repetition: seconds and peak resident-set growth in bytes.
Player = Callable[[], tuple[float, int]]


class RepetitionFailed(Exception):
    """A repetition could not be timed; its implementation leaves the case."""


@dataclass(frozen=True)
class Plan:
    """How many rounds a case gets."""

    target: float = 0.05
    budget: float = 30.0
    min_rounds: int = 8
    max_rounds: int = 200
    floor_rounds: int = 3

    @classmethod
    def fixed(cls, rounds: int) -> Plan:
        """Exactly ``rounds`` rounds of every implementation."""
        return cls(
            target=0.0,
            budget=float("inf"),
            min_rounds=rounds,
            max_rounds=rounds,
            floor_rounds=rounds,
        )


@dataclass
class Rounds:
    """The timings of a case's rounds."""

    times: dict[str, dict[int, float]] = field(default_factory=dict)
    peaks: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    rounds: int = 0
    stop: str = ""
    seconds: float = 0.0


def best_other(times: dict[str, dict[int, float]]) -> str | None:
    """The implementation, not anyzarr's, with the lowest median time."""
    candidates = {
        impl: median_interval(list(t.values())).median
        for impl, t in times.items()
        if impl not in OURS_ALL and t
    }
    return min(candidates, key=candidates.__getitem__) if candidates else None


def headline(times: dict[str, dict[int, float]]) -> Interval | None:
    """anyzarr / best other, or without both, the least certain own median."""
    best = best_other(times)
    if OURS in times and best is not None:
        return ratio_interval(times[OURS], times[best])
    own = [median_interval(list(t.values())) for t in times.values() if t]
    return max(own, key=lambda i: i.relative_width) if own else None


def decide(
    times: dict[str, dict[int, float]], active: list[str], done: int, elapsed: float, plan: Plan
) -> tuple[list[str], str]:
    """The implementations for the next round, or why the case stops (then non-empty)."""
    if not active:
        return [], "no implementation left"
    if done >= plan.max_rounds:
        return active, "fixed" if plan.min_rounds == plan.max_rounds else "max rounds"
    if done < plan.floor_rounds:
        return active, ""
    head = headline({impl: times[impl] for impl in active if impl in times})
    if head is not None and done >= plan.min_rounds and head.relative_width <= plan.target:
        return active, "converged"
    if elapsed >= plan.budget:
        return active, "budget"
    best = best_other({impl: times[impl] for impl in active})
    if OURS not in active or best is None:
        return active, ""
    enough = done >= smallest_sample()
    limit = 1 + CONTENDER_MARGIN if enough else CLEARLY_BEHIND
    keep = []
    for impl in active:
        if impl in (OURS, best, BEFORE):
            keep.append(impl)
            continue
        if impl not in OURS_ALL:
            behind = ratio_interval(times[impl], times[best])
            if behind is None or behind.low <= limit:
                keep.append(impl)
                continue
        if impl in SECONDARY:
            mine = ratio_interval(times[OURS], times[impl])
            known = mine is not None and mine.relative_width <= SECONDARY_FACTOR * plan.target
            if not enough or (done < plan.min_rounds and not known):
                keep.append(impl)
    return keep, ""


def run_rounds(
    name: str,
    players: dict[str, Player],
    plan: Plan,
    clock: Callable[[], float] = time.monotonic,
    on_round: Callable[[int, list[str]], None] | None = None,
) -> Rounds:
    """Time rounds of ``players`` (in a shuffled order each round) as ``plan`` says."""
    order = random.Random(name)
    out = Rounds(times={impl: {} for impl in players})
    active = list(players)
    start = clock()
    while True:
        ran = order.sample(active, len(active))
        for impl in ran:
            try:
                seconds, peak = players[impl]()
            except RepetitionFailed as exc:
                out.failed[impl] = str(exc)
                continue
            out.times[impl][out.rounds] = seconds
            out.peaks[impl] = max(out.peaks.get(impl, 0), peak)
        out.rounds += 1
        for impl in out.failed:
            out.times.pop(impl, None)
        active = [impl for impl in active if impl not in out.failed]
        out.seconds = clock() - start
        if on_round is not None:
            on_round(out.rounds, ran)
        active, out.stop = decide(out.times, active, out.rounds, out.seconds, plan)
        if out.stop:
            return out
