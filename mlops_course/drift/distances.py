"""How far a numeric batch is from its reference profile: the KS statistic and Wasserstein.

Taught in notebook 07_monitoring_drift (§7.2). A small batch is sorted and looked up in the
profile (``O(m log m)``); a batch of 50,000 rows or more is counted on an even grid
calibrated on the profile (``O(m)``, no sort), with the KS statistic within 0.0005 of the
exact one. Neither cost depends on the size of the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlops_course.drift.profile import GRID_TOLERANCE, Grid, NumericProfile

#: Batches at least this large are binned on the reference grid instead of sorted.
GRID_MIN_ROWS = 50_000


@dataclass(frozen=True)
class NumericStats:
    """KS statistic, Wasserstein-1 distance and the batch's counts in the PSI bins."""

    d: float
    wasserstein: float
    psi_counts: np.ndarray


def batch_stats(profile: NumericProfile, x: np.ndarray) -> NumericStats:
    """Statistics of the finite values ``x`` against ``profile`` (binned when ``x`` is large)."""
    grid = profile.grid if x.size >= GRID_MIN_ROWS else None
    found = binned_stats(profile, grid, x) if grid is not None else None
    return found or sorted_stats(profile, np.sort(x))


def ks_and_wasserstein(profile: NumericProfile, x: np.ndarray) -> tuple[float, float]:
    """KS statistic and Wasserstein-1 distance between the reference profile and sorted ``x``.

    Both CDFs are monotone and the current one is constant between its own values, so the
    largest gap is reached at a current value or just before one: the reference is looked
    up once per distinct current value (``O(m log B)``), never the other way round.
    """
    m = x.size
    if profile.mode == "sketch" and not np.any(x[1:] == x[:-1]):
        # the common case, continuous data: no ties, reference CDF continuous (linear)
        f_ref = np.interp(x, profile.values, profile.cdf, left=0.0, right=1.0)
        gap = np.arange(1, m + 1) / m - f_ref  # F_cur after x_i minus F_ref(x_i)
        d = max(float(gap.max()), float(1.0 / m - gap.min()))
        probs = (np.arange(m) + 0.5) / m
        wasserstein = float(np.mean(np.abs(x - profile.quantile(probs))))
        return d, wasserstein
    starts = np.flatnonzero(np.concatenate(([True], x[1:] != x[:-1])))
    unique = x[starts]
    right = np.concatenate((starts[1:], [m])) / m  # current CDF at each distinct value
    left = starts / m  # and just before it
    ref_right = profile.cdf_at(unique)
    ref_left = profile.cdf_before(unique) if profile.mode == "exact" else ref_right
    d = max(np.max(np.abs(ref_right - right)), np.max(np.abs(ref_left - left)))
    if profile.mode == "exact":
        # both CDFs are step functions: integrate |F_ref - F_cur| exactly on the merged grid
        grid = np.unique(np.concatenate((unique, profile.values)))
        f_ref = profile.cdf_at(grid[:-1])
        f_cur = np.searchsorted(x, grid[:-1], side="right") / m
        wasserstein = float(np.sum(np.abs(f_ref - f_cur) * np.diff(grid)))
    else:
        # quantile form: W1 = integral over p of |Q_cur(p) - Q_ref(p)|, midpoint rule
        probs = (np.arange(m) + 0.5) / m
        wasserstein = float(np.mean(np.abs(x - profile.quantile(probs))))
    return float(d), wasserstein


def sorted_stats(profile: NumericProfile, x: np.ndarray) -> NumericStats:
    """Exact statistics from the sorted batch (``O(m log m)``)."""
    d, wasserstein = ks_and_wasserstein(profile, x)
    m = x.size
    edges = np.searchsorted(x, profile.psi_edges, side="right")
    return NumericStats(d, wasserstein, np.diff(np.concatenate(([0], edges, [m]))))


def _tail_gap(
    profile: NumericProfile, tail: np.ndarray, before: int, m: int
) -> tuple[float, np.ndarray]:
    """Largest CDF gap at the sorted ``tail`` values (``before`` batch values lie below them)."""
    if tail.size == 0:
        return 0.0, tail
    f_ref = profile.cdf_at(tail)
    right = (before + np.searchsorted(tail, tail, side="right")) / m
    left = (before + np.searchsorted(tail, tail, side="left")) / m
    return float(max(np.abs(f_ref - right).max(), np.abs(f_ref - left).max())), f_ref


def _tail_area(
    profile: NumericProfile, tail: np.ndarray, before: int, m: int, start: float, stop: float
) -> float:
    """Integral of |F_ref - F_cur| over [start, stop], the batch there being ``tail``."""
    knots = profile.values[(profile.values > start) & (profile.values < stop)]
    points = np.unique(np.concatenate(([start, stop], knots, tail)))
    if points.size < 2:
        return 0.0
    middle = (points[:-1] + points[1:]) / 2
    f_cur = (before + np.searchsorted(tail, middle, side="right")) / m
    return float(np.sum(np.abs(profile.cdf_at(middle) - f_cur) * np.diff(points)))


def binned_stats(profile: NumericProfile, grid: Grid, x: np.ndarray) -> NumericStats | None:
    """Statistics from counts on the reference grid (``O(m)``, no sort of the batch).

    The KS statistic is read at the grid edges and exactly in both tails, so it is low by
    at most one cell's mass (``GRID_TOLERANCE``); the Wasserstein distance is integrated
    cell by cell. Returns None when the batch piles up in one cell (discrete values):
    the caller then sorts.
    """
    m = x.size
    scale = grid.cells / (grid.high - grid.low)
    index = np.floor((x - grid.low) * scale)
    np.clip(index, -1, grid.cells, out=index)
    counts = np.bincount(index.astype(np.intp) + 1, minlength=grid.cells + 2)
    inside = counts[1:-1]
    if inside.max(initial=0) > GRID_TOLERANCE * m:
        return None
    below, above = int(counts[0]), int(counts[-1])
    # F_cur just before each edge, against F_ref at the edge
    f_cur = (below + np.concatenate(([0], np.cumsum(inside)))) / m
    d = float(np.abs(f_cur - grid.cdf).max())
    low_tail = np.sort(x[x < grid.low]) if below else x[:0]
    high_tail = np.sort(x[x >= grid.high]) if above else x[:0]
    d = max(
        d, _tail_gap(profile, low_tail, 0, m)[0], _tail_gap(profile, high_tail, m - above, m)[0]
    )
    width = (grid.high - grid.low) / grid.cells
    gaps = np.abs(f_cur - grid.cdf)
    wasserstein = float(width * np.sum((gaps[:-1] + gaps[1:]) / 2))
    first = min(float(profile.values[0]), float(low_tail[0]) if below else grid.low)
    last = max(float(profile.values[-1]), float(high_tail[-1]) if above else grid.high)
    wasserstein += _tail_area(profile, low_tail, 0, m, first, grid.low)
    wasserstein += _tail_area(profile, high_tail, m - above, m, grid.high, last)
    # PSI bins: the batch's counts below each decile edge, read on the cumulative grid
    positions = (profile.psi_edges - grid.low) * scale
    under = np.interp(positions, np.arange(grid.cells + 1), f_cur * m)
    psi_counts = np.diff(np.concatenate(([0.0], under, [float(m)])))
    return NumericStats(d, wasserstein, psi_counts)
