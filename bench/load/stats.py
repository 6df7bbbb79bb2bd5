"""The arithmetic of the load benchmark: percentiles, steady rates, ratios."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), interpolated between ranks as numpy's default does."""
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not within 0-100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    below, above = math.floor(rank), math.ceil(rank)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)


def steady_rate(times: Sequence[float], trim: float = 0.1) -> float:
    """Events per second between the ``trim`` and ``1 - trim`` quantiles of their times.

    The first and last events of a run are the warm-up and the drain: the share in between is
    the rate the system sustains.
    """
    if len(times) < 2:
        raise ValueError("a rate needs at least two events")
    ordered = sorted(times)
    first = round((len(ordered) - 1) * trim)
    last = round((len(ordered) - 1) * (1 - trim))
    if last <= first or ordered[last] <= ordered[first]:
        raise ValueError("the events are too few or too close together for a rate")
    return (last - first) / (ordered[last] - ordered[first])


def ratio(value: float | None, peer: float | None) -> float | None:
    """``value / peer``, or None when either is missing or the peer is zero."""
    if value is None or not peer:
        return None
    return value / peer
