"""Statistics of the benchmark: medians, their intervals, paired ratios.

Timings on a shared machine are not normally distributed: they have long
right tails and drift over tens of seconds.  Everything here is therefore
distribution-free:

* the interval of a median comes from order statistics: with ``n`` samples
  the median lies between the ``k``-th smallest and the ``k``-th largest
  with probability ``1 - 2 P(Binomial(n, 1/2) < k)``, whatever the
  distribution (the largest such ``k`` that keeps the coverage at 95% or
  more; with fewer than 6 samples no ``k`` does, and the interval is the
  whole range);
* a ratio between two implementations is the median of *per-round*
  ratios: the two ran within the same round, seconds apart, so a slow phase
  of the machine divides out instead of landing on one side.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: Coverage of every interval the benchmark reports.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A median and the distribution-free interval around it."""

    median: float
    low: float
    high: float
    n: int

    @property
    def relative_width(self) -> float:
        """Width of the interval relative to the median (0.05 is ±2.5%)."""
        if self.median == 0:
            return math.inf
        return (self.high - self.low) / abs(self.median)


def _order_index(n: int, confidence: float) -> int:
    """The largest ``k`` (at least 1) with ``P(Binomial(n, 1/2) <= k - 1) <= (1 - c) / 2``."""
    tail = (1.0 - confidence) / 2.0
    k = 0
    cumulative = 0
    total = 2**n
    for j in range(n):
        cumulative += math.comb(n, j)
        # cumulative / 2**n > tail, without dividing a huge integer.
        if cumulative > tail * total:
            break
        k = j + 1
    return max(k, 1)


def smallest_sample(confidence: float = CONFIDENCE) -> int:
    """The fewest samples whose full range covers the median with ``confidence`` (6 for 95%)."""
    n = 1
    while 1.0 - 2.0 / 2**n < confidence:
        n += 1
    return n


def median_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    """The median of ``values`` and a ``confidence`` interval for it (order statistics)."""
    if not values:
        raise ValueError("no values")
    xs = sorted(values)
    n = len(xs)
    k = _order_index(n, confidence)
    return Interval(statistics.median(xs), xs[k - 1], xs[n - k], n)


@dataclass(frozen=True)
class Spread:
    """Median, quartiles and range of a set of timings."""

    median: float
    q1: float
    q3: float
    low: float
    high: float
    n: int


def spread(values: Sequence[float]) -> Spread:
    """Median, quartiles (inclusive method) and range of ``values``."""
    if not values:
        raise ValueError("no values")
    xs = sorted(values)
    if len(xs) == 1:
        q1 = q3 = xs[0]
    else:
        q1, _, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return Spread(statistics.median(xs), q1, q3, xs[0], xs[-1], len(xs))


def paired_ratios(numerator: Mapping[int, float], denominator: Mapping[int, float]) -> list[float]:
    """``numerator[r] / denominator[r]`` for every round ``r`` both have, in round order."""
    return [numerator[r] / denominator[r] for r in sorted(numerator) if r in denominator]


def ratio_interval(
    numerator: Mapping[int, float],
    denominator: Mapping[int, float],
    confidence: float = CONFIDENCE,
) -> Interval | None:
    """Median of the per-round ratios with its interval; None without a common round."""
    ratios = paired_ratios(numerator, denominator)
    if not ratios:
        return None
    return median_interval(ratios, confidence)


def geometric_mean(values: Sequence[float]) -> float:
    """The geometric mean of positive ``values``."""
    if not values:
        raise ValueError("no values")
    return math.exp(sum(math.log(v) for v in values) / len(values))
