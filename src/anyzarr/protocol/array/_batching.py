"""Splitting the objects of an operation into batches.

Batching is the driver's choice; this is the one planner every driver in
anyzarr uses, parameterised by what the driver cares about.
"""

from __future__ import annotations

import math

__all__ = ["plan_batches"]


def plan_batches(
    count: int, unit_nbytes: int, *, max_bytes: int, max_units: int, min_batches: int = 1
) -> list[range]:
    """Consecutive runs of ``count`` units of about ``unit_nbytes`` decoded bytes each.

    Each run holds at most ``max_bytes`` (but at least one unit) and at most
    ``max_units`` units; when there are enough units there are at least
    ``min_batches`` runs, so that that many workers can share the work.
    """
    if count <= 0:
        return []
    per = max(1, max_bytes // max(1, unit_nbytes))
    per = min(per, max(1, max_units), max(1, math.ceil(count / max(1, min_batches))))
    return [range(i, min(i + per, count)) for i in range(0, count, per)]
