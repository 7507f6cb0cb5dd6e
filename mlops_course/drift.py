"""Chapter 07: data drift detection that is statistically right, fast and robust (§7.2).

:class:`DriftDetector` learns a compact profile of the reference (training) data with
``fit`` and compares production batches with it with ``compare``:

- numeric columns: two-sample Kolmogorov–Smirnov test (asymptotic p-value) against a
  quantile sketch of the reference, an effect size (Wasserstein distance divided by the
  reference standard deviation) and the PSI, for information;
- categorical columns: Chi-2 test of homogeneity on **counts** (not proportions) and the
  Jensen–Shannon distance as effect size;
- every column: the rate of missing (or non-finite) values is tested for drift on its own,
  new categories get their own status, and a batch too small to judge gets
  ``insufficient_data`` instead of a silent "no drift".

A column drifts only when its test is significant after a multiple-testing correction
(Holm by default) **and** its effect is large enough: with 50 columns, an uncorrected
``p < 0.05`` alarms on almost every batch; with a million rows, KS flags shifts of 0.01
standard deviation that matter to nobody.

Cost: ``fit`` sorts each reference column once and keeps a sketch of at most
``sketch_size`` quantiles; ``compare`` never touches the reference data again. A small
batch is sorted and looked up in the sketch (``O(m log m)``); a batch of 50,000 rows or more
is counted on an even grid calibrated on the sketch (``O(m)``, no sort), with the KS
statistic within 0.0005 of the exact one. Neither depends on the size of the reference.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlops_course.monitoring import js_distance

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

#: Multiple-testing corrections accepted by ``correction=``.
CORRECTIONS: tuple[str, ...] = ("holm", "bonferroni", "bh", "none")
#: Column statuses, from the most to the least serious.
STATUSES: tuple[str, ...] = (
    "error",
    "missing_column",
    "new_category",
    "drift",
    "missing_drift",
    "insufficient_data",
    "ok",
)
#: Statuses that count as drift.
DRIFT_STATUSES: frozenset[str] = frozenset(
    {"missing_column", "drift", "new_category", "missing_drift"}
)

_FORMAT = "mlops-course/drift-reference"
_FORMAT_VERSION = 1
_PSI_EPS = 1e-4
#: Batches at least this large are binned on the reference grid instead of sorted.
_GRID_MIN_ROWS = 50_000
#: Largest share of the reference (or of the batch) one grid cell may hold.
_GRID_TOLERANCE = 5e-4


@dataclass(frozen=True)
class _Grid:
    """Even cells between ``low`` and ``high``, and the reference CDF at their edges."""

    low: float
    high: float
    cells: int
    cdf: np.ndarray


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class NumericProfile:
    """What the detector keeps of a numeric reference column.

    ``values``/``cdf`` describe the reference distribution: in ``exact`` mode (at most
    ``sketch_size`` distinct values) the distinct values and the empirical CDF at each;
    in ``sketch`` mode, quantiles at evenly spaced probabilities, denser in both tails
    (the CDF is linear in between).
    """

    n: int
    n_missing: int
    n_nonfinite: int
    mode: str
    values: np.ndarray
    cdf: np.ndarray
    mean: float
    std: float
    psi_edges: np.ndarray
    psi_props: np.ndarray

    kind = "numeric"

    @property
    def n_valid(self) -> int:
        """Number of finite values."""
        return self.n - self.n_missing - self.n_nonfinite

    @cached_property
    def grid(self) -> _Grid | None:
        """An even grid over the reference's central 99.8 %, fine enough for binned compares.

        Built from the sketch (never stored): each cell holds at most ``_GRID_TOLERANCE``
        of the reference. None in ``exact`` mode or when no grid of at most 65,536 cells is
        that fine (very heavy tails): compares then sort the batch instead.
        """
        if self.mode != "sketch":
            return None
        low, high = (float(v) for v in self.quantile(np.array([0.001, 0.999])))
        if not high > low:
            return None
        for cells in (4096, 16384, 65536):
            cdf = self.cdf_at(np.linspace(low, high, cells + 1))
            if np.diff(cdf).max() <= _GRID_TOLERANCE:
                return _Grid(low, high, cells, cdf)
        return None

    def cdf_at(self, x: np.ndarray) -> np.ndarray:
        """Reference CDF at ``x`` (right-continuous)."""
        if self.mode == "exact":
            index = np.searchsorted(self.values, x, side="right")
            return np.concatenate(([0.0], self.cdf))[index]
        return np.interp(x, self.values, self.cdf, left=0.0, right=1.0)

    def cdf_before(self, x: np.ndarray) -> np.ndarray:
        """Reference CDF just before ``x`` (left limit)."""
        if self.mode == "exact":
            index = np.searchsorted(self.values, x, side="left")
            return np.concatenate(([0.0], self.cdf))[index]
        return self.cdf_at(x)

    def quantile(self, p: np.ndarray) -> np.ndarray:
        """Reference quantile function at probabilities ``p``."""
        if self.mode == "exact":
            index = np.minimum(np.searchsorted(self.cdf, p, side="left"), len(self.values) - 1)
            return self.values[index]
        return np.interp(p, self.cdf, self.values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "n": self.n,
            "n_missing": self.n_missing,
            "n_nonfinite": self.n_nonfinite,
            "mode": self.mode,
            "values": self.values.tolist(),
            "cdf": self.cdf.tolist(),
            "mean": self.mean,
            "std": self.std,
            "psi_edges": self.psi_edges.tolist(),
            "psi_props": self.psi_props.tolist(),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> NumericProfile:
        """Inverse of :meth:`to_dict`."""
        return cls(
            n=int(raw["n"]),
            n_missing=int(raw["n_missing"]),
            n_nonfinite=int(raw["n_nonfinite"]),
            mode=str(raw["mode"]),
            values=np.asarray(raw["values"], dtype=float),
            cdf=np.asarray(raw["cdf"], dtype=float),
            mean=float(raw["mean"]),
            std=float(raw["std"]),
            psi_edges=np.asarray(raw["psi_edges"], dtype=float),
            psi_props=np.asarray(raw["psi_props"], dtype=float),
        )


@dataclass(frozen=True)
class CategoricalProfile:
    """What the detector keeps of a categorical reference column: counts per category."""

    n: int
    n_missing: int
    counts: dict[str, int]

    kind = "categorical"

    @property
    def n_valid(self) -> int:
        """Number of non-missing values."""
        return self.n - self.n_missing

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "n": self.n, "n_missing": self.n_missing, "counts": self.counts}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> CategoricalProfile:
        """Inverse of :meth:`to_dict`."""
        counts = {str(k): int(v) for k, v in raw["counts"].items()}
        return cls(n=int(raw["n"]), n_missing=int(raw["n_missing"]), counts=counts)


Profile = NumericProfile | CategoricalProfile


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ColumnDrift:
    """The verdict for one column.

    ``drift`` is True when ``status`` is one of :data:`DRIFT_STATUSES`. ``p_value`` is the
    raw p-value of ``test``; ``p_adjusted`` the one after the multiple-testing correction.
    ``effect`` is the Wasserstein distance over the reference standard deviation (numeric)
    or the Jensen–Shannon distance (categorical), compared with ``threshold``.
    """

    column: str
    kind: str
    status: str
    drift: bool
    test: str
    statistic: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    effect: float | None = None
    effect_name: str | None = None
    threshold: float | None = None
    psi: float | None = None
    n_reference: int = 0
    n_current: int = 0
    missing_reference: float | None = None
    missing_current: float | None = None
    missing_p_value: float | None = None
    missing_p_adjusted: float | None = None
    reference_mean: float | None = None
    current_mean: float | None = None
    new_categories: tuple[str, ...] = ()
    new_category_share: float | None = None
    critical: bool = False
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN becomes None)."""
        out = asdict(self)
        out["new_categories"] = list(self.new_categories)
        return {key: _json_safe(value) for key, value in out.items()}


@dataclass(frozen=True)
class DriftReport:
    """The verdict for a batch: one :class:`ColumnDrift` per column, plus a summary.

    ``drift_detected`` is True when at least one column drifts; ``action_required`` follows
    the chapter's rule (more than ``drift_share`` of the tested columns drift) and also
    fires when a critical column drifts.
    """

    columns: dict[str, ColumnDrift]
    n_rows: int
    n_reference: int
    alpha: float
    correction: str
    drift_share: float
    extra_columns: tuple[str, ...] = ()
    critical_columns: tuple[str, ...] = ()

    @property
    def drifted_columns(self) -> list[str]:
        """Names of the columns that drift, in column order."""
        return [name for name, result in self.columns.items() if result.drift]

    @property
    def drift_detected(self) -> bool:
        """True when at least one column drifts."""
        return bool(self.drifted_columns)

    @property
    def n_tested(self) -> int:
        """Columns that got a verdict (not ``insufficient_data`` nor ``error``)."""
        return sum(r.status not in {"insufficient_data", "error"} for r in self.columns.values())

    @property
    def share_drifted(self) -> float:
        """Share of the tested columns that drift (0 when none could be tested)."""
        return len(self.drifted_columns) / self.n_tested if self.n_tested else 0.0

    @property
    def critical_drifted(self) -> list[str]:
        """Critical columns that drift."""
        return [name for name in self.critical_columns if name in self.drifted_columns]

    @property
    def action_required(self) -> bool:
        """The chapter's rule (share of drifted columns > ``drift_share``) or a critical drift."""
        return self.share_drifted > self.drift_share or bool(self.critical_drifted)

    @property
    def status(self) -> str:
        """``"drift"``, ``"ok"``, or ``"insufficient_data"`` when no column could be judged."""
        if self.drift_detected:
            return "drift"
        if self.n_tested == 0:
            return "insufficient_data"
        return "ok"

    @property
    def errors(self) -> dict[str, str]:
        """Columns whose analysis failed, with the error message."""
        return {n: r.message for n, r in self.columns.items() if r.status == "error"}

    def summary(self) -> dict[str, Any]:
        """The dataset-level figures (the chapter's ``resume``)."""
        return {
            "status": self.status,
            "drift_detected": self.drift_detected,
            "action_required": self.action_required,
            "n_rows": self.n_rows,
            "n_reference": self.n_reference,
            "n_columns": len(self.columns),
            "n_tested": self.n_tested,
            "n_drifted": len(self.drifted_columns),
            "share_drifted": round(self.share_drifted, 4),
            "drifted_columns": self.drifted_columns,
            "critical_drifted": self.critical_drifted,
            "extra_columns": list(self.extra_columns),
            "alpha": self.alpha,
            "correction": self.correction,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"summary": ..., "columns": {name: ...}}``."""
        return {
            "summary": self.summary(),
            "columns": {name: result.to_dict() for name, result in self.columns.items()},
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per column, indexed by column name."""
        rows = [result.to_dict() for result in self.columns.values()]
        frame = pd.DataFrame(rows, columns=[f for f in ColumnDrift.__dataclass_fields__])
        return frame.set_index("column")

    def plot(self, ax: Axes | None = None) -> Axes:
        """Bar chart of each column's effect relative to its threshold, coloured by status."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * max(len(self.columns), 3) + 1))
        names = list(self.columns)
        ratios = []
        for result in self.columns.values():
            if result.effect is None or not result.threshold:
                ratios.append(0.0)
            else:
                ratios.append(min(result.effect / result.threshold, 10.0))
        palette = {
            "drift": "tab:red",
            "missing_column": "tab:red",
            "new_category": "tab:purple",
            "missing_drift": "tab:orange",
            "insufficient_data": "tab:gray",
            "error": "black",
            "ok": "tab:green",
        }
        colors = [palette[result.status] for result in self.columns.values()]
        ax.barh(names, ratios, color=colors)
        ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
        ax.invert_yaxis()
        ax.set_xlabel("effet / seuil (au-delà de 1 : assez grand pour compter)")
        ax.set_title(f"Drift : {len(self.drifted_columns)} colonne(s) sur {len(names)}")
        return ax


# --------------------------------------------------------------------------- statistics


def adjust_pvalues(p_values: Sequence[float] | np.ndarray, method: str = "holm") -> np.ndarray:
    """Return p-values adjusted for multiple testing (``holm``, ``bonferroni``, ``bh``, ``none``).

    A test is significant at level ``alpha`` when its adjusted p-value is below ``alpha``.
    Holm and Bonferroni bound the probability of at least one false alarm; ``bh``
    (Benjamini–Hochberg) bounds the expected share of false alarms among the alarms.
    """
    if method not in CORRECTIONS:
        raise ValueError(f"method must be one of {list(CORRECTIONS)}, got {method!r}")
    p = np.asarray(p_values, dtype=float)
    k = p.size
    if k == 0 or method == "none":
        return p.copy()
    if method == "bonferroni":
        return np.minimum(p * k, 1.0)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate(ranked * (k - np.arange(k)))
    else:  # bh
        adjusted = np.minimum.accumulate((ranked * k / np.arange(1, k + 1))[::-1])[::-1]
    out = np.empty(k)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def _ks_pvalue(d: float, n: int, m: int) -> float:
    """Asymptotic two-sided two-sample KS p-value, with Stephens' small-sample correction."""
    from scipy.special import kolmogorov

    en = math.sqrt(n * m / (n + m))
    return float(min(max(kolmogorov((en + 0.12 + 0.11 / en) * d), 0.0), 1.0))


def _chi2_counts(table: np.ndarray) -> tuple[float, int, float]:
    """Chi-2 test of homogeneity on a 2 x K table of counts; rare cells are pooled.

    Categories whose expected count is below 5 in either row are merged into one bin so
    that the Chi-2 approximation holds. Returns ``(statistic, dof, p_value)``.
    """
    from scipy.special import chdtrc

    table = np.asarray(table, dtype=float)
    table = table[:, table.sum(axis=0) > 0]
    totals = table.sum(axis=1, keepdims=True)
    if table.shape[1] < 2 or np.any(totals == 0):
        return 0.0, 0, 1.0
    expected = totals * table.sum(axis=0, keepdims=True) / totals.sum()
    rare = expected.min(axis=0) < 5
    if rare.any() and (~rare).any():
        table = np.column_stack([table[:, ~rare], table[:, rare].sum(axis=1)])
        expected = totals * table.sum(axis=0, keepdims=True) / totals.sum()
    if table.shape[1] < 2:
        return 0.0, 0, 1.0
    statistic = float(((table - expected) ** 2 / expected).sum())
    dof = table.shape[1] - 1
    return statistic, dof, float(chdtrc(dof, statistic))


def _psi(reference_props: np.ndarray, current_counts: np.ndarray) -> float:
    """Population Stability Index between reference proportions and current counts."""
    ref = np.maximum(reference_props, _PSI_EPS)
    cur = np.maximum(current_counts / max(current_counts.sum(), 1), _PSI_EPS)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def _sketch_probabilities(size: int) -> np.ndarray:
    """Probabilities of the sketch's quantiles: evenly spaced, denser in both tails.

    Log-spaced points between 1e-6 and 1e-2 (and their mirror) keep the extreme quantiles,
    where heavy tails put most of a Wasserstein distance.
    """
    k = min(60, size // 10)
    tail = np.logspace(-6, -2, k)
    return np.unique(np.concatenate((np.linspace(0.0, 1.0, size - 2 * k), tail, 1.0 - tail)))


def _sorted_quantiles(x: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Quantiles of the sorted array ``x`` (linear interpolation, as ``np.quantile``)."""
    position = probs * (x.size - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, x.size - 1)
    return x[low] + (x[high] - x[low]) * (position - low)


def _numeric_profile(raw: np.ndarray, sketch_size: int, psi_bins: int) -> NumericProfile:
    """Profile a numeric reference column: one sort, then counts or quantiles."""
    n = raw.size
    finite = np.isfinite(raw)
    n_missing = int(np.isnan(raw).sum())
    n_nonfinite = n - n_missing - int(finite.sum())
    x = np.sort(raw) if n_missing + n_nonfinite == 0 else np.sort(raw[finite])
    n_valid = x.size
    empty = np.empty(0)
    if n_valid == 0:
        return NumericProfile(
            n, n_missing, n_nonfinite, "exact", empty, empty, math.nan, math.nan, empty, np.ones(1)
        )
    changes = x[1:] != x[:-1]
    if np.count_nonzero(changes) < sketch_size:
        starts = np.flatnonzero(np.concatenate(([True], changes)))
        values = x[starts]
        cdf = np.concatenate((starts[1:], [n_valid])) / n_valid
        mode = "exact"
    else:
        probs = _sketch_probabilities(sketch_size)
        quantiles = _sorted_quantiles(x, probs)
        # keep one knot per value, with the largest probability (right-continuous CDF)
        last = np.concatenate((quantiles[1:] != quantiles[:-1], [True]))
        values, cdf = quantiles[last], probs[last]
        mode = "sketch"
    inner = np.linspace(0, 1, psi_bins + 1)[1:-1]
    edges = np.unique(_sorted_quantiles(x, inner)) if psi_bins > 1 else empty
    counts = np.diff(np.concatenate(([0], np.searchsorted(x, edges, side="right"), [n_valid])))
    return NumericProfile(
        n=n,
        n_missing=n_missing,
        n_nonfinite=n_nonfinite,
        mode=mode,
        values=values.astype(float),
        cdf=cdf.astype(float),
        mean=float(x.mean()),
        std=float(x.std()),
        psi_edges=edges.astype(float),
        psi_props=counts / n_valid,
    )


def _ks_and_wasserstein(profile: NumericProfile, x: np.ndarray) -> tuple[float, float]:
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


@dataclass(frozen=True)
class _NumericStats:
    d: float
    wasserstein: float
    psi_counts: np.ndarray


def _sorted_stats(profile: NumericProfile, x: np.ndarray) -> _NumericStats:
    """Exact statistics from the sorted batch (``O(m log m)``)."""
    d, wasserstein = _ks_and_wasserstein(profile, x)
    m = x.size
    edges = np.searchsorted(x, profile.psi_edges, side="right")
    return _NumericStats(d, wasserstein, np.diff(np.concatenate(([0], edges, [m]))))


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


def _binned_stats(profile: NumericProfile, grid: _Grid, x: np.ndarray) -> _NumericStats | None:
    """Statistics from counts on the reference grid (``O(m)``, no sort of the batch).

    The KS statistic is read at the grid edges and exactly in both tails, so it is low by
    at most one cell's mass (``_GRID_TOLERANCE``); the Wasserstein distance is integrated
    cell by cell. Returns None when the batch piles up in one cell (discrete values):
    the caller then sorts.
    """
    m = x.size
    scale = grid.cells / (grid.high - grid.low)
    index = np.floor((x - grid.low) * scale)
    np.clip(index, -1, grid.cells, out=index)
    counts = np.bincount(index.astype(np.intp) + 1, minlength=grid.cells + 2)
    inside = counts[1:-1]
    if inside.max(initial=0) > _GRID_TOLERANCE * m:
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
    return _NumericStats(d, wasserstein, psi_counts)


# --------------------------------------------------------------------------- detector


@dataclass
class _Pending:
    """A column analysed but not yet decided (its p-values await the correction)."""

    fields: dict[str, Any]
    p_value: float | None = None
    missing_p_value: float | None = None
    decided: ColumnDrift | None = None
    new_category: bool = False
    insufficient: bool = False
    missing_effect: float = 0.0


class DriftDetector:
    """Learn a reference profile with ``fit``, compare production batches with ``compare``.

    Args:
        alpha: family-wise significance level (after the correction), in (0, 1).
        correction: ``"holm"`` (default), ``"bonferroni"``, ``"bh"`` or ``"none"``.
        effect_threshold: minimum Wasserstein distance / reference std for a numeric drift.
        js_threshold: minimum Jensen–Shannon distance for a categorical drift (0.05 is about
            a 6-point shift on a 50/50 column).
        missing_threshold: minimum change of the missing-value rate for a ``missing_drift``.
        new_category_share: share of the batch in unseen categories that gives ``new_category``.
        numeric_columns, categorical_columns: column kinds; the others are inferred from the
            dtypes (numbers are numeric; text, categories and booleans are categorical).
        critical_columns: columns whose drift alone makes ``action_required`` true.
        drift_share: the chapter's rule: action is required above this share of drifted columns.
        min_rows: a column with fewer usable values than this gets ``insufficient_data``.
        sketch_size: maximum number of quantiles kept per numeric reference column.
        psi_bins: number of reference-quantile bins for the PSI.
        n_jobs: threads used by ``fit`` and ``compare`` (numpy releases the GIL when sorting).
    """

    def __init__(
        self,
        *,
        alpha: float = 0.05,
        correction: str = "holm",
        effect_threshold: float = 0.1,
        js_threshold: float = 0.05,
        missing_threshold: float = 0.05,
        new_category_share: float = 0.01,
        numeric_columns: Sequence[str] | None = None,
        categorical_columns: Sequence[str] | None = None,
        critical_columns: Sequence[str] = (),
        drift_share: float = 0.3,
        min_rows: int = 30,
        sketch_size: int = 2001,
        psi_bins: int = 10,
        n_jobs: int = 1,
    ) -> None:
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
        if correction not in CORRECTIONS:
            raise ValueError(f"correction must be one of {list(CORRECTIONS)}, got {correction!r}")
        for name, value in (
            ("effect_threshold", effect_threshold),
            ("js_threshold", js_threshold),
            ("missing_threshold", missing_threshold),
        ):
            if not value >= 0.0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")
        for name, value in (
            ("new_category_share", new_category_share),
            ("drift_share", drift_share),
        ):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value!r}")
        if int(min_rows) < 2:
            raise ValueError(f"min_rows must be >= 2, got {min_rows!r}")
        if int(sketch_size) < 10:
            raise ValueError(f"sketch_size must be >= 10, got {sketch_size!r}")
        if int(psi_bins) < 1:
            raise ValueError(f"psi_bins must be >= 1, got {psi_bins!r}")
        if int(n_jobs) < 1:
            raise ValueError(f"n_jobs must be >= 1, got {n_jobs!r}")
        for name, value in (
            ("numeric_columns", numeric_columns),
            ("categorical_columns", categorical_columns),
            ("critical_columns", critical_columns),
        ):
            if isinstance(value, str):
                raise TypeError(f"{name} must be a list of column names, not the string {value!r}")
        both = set(numeric_columns or ()) & set(categorical_columns or ())
        if both:
            raise ValueError(f"columns both numeric and categorical: {sorted(both)}")
        self.alpha = float(alpha)
        self.correction = correction
        self.effect_threshold = float(effect_threshold)
        self.js_threshold = float(js_threshold)
        self.missing_threshold = float(missing_threshold)
        self.new_category_share = float(new_category_share)
        self.numeric_columns = None if numeric_columns is None else list(numeric_columns)
        self.categorical_columns = (
            None if categorical_columns is None else list(categorical_columns)
        )
        self.critical_columns = list(critical_columns)
        self.drift_share = float(drift_share)
        self.min_rows = int(min_rows)
        self.sketch_size = int(sketch_size)
        self.psi_bins = int(psi_bins)
        self.n_jobs = int(n_jobs)

    # ---- settings

    def get_params(self) -> dict[str, Any]:
        """Constructor settings (scikit-learn style)."""
        return {
            "alpha": self.alpha,
            "correction": self.correction,
            "effect_threshold": self.effect_threshold,
            "js_threshold": self.js_threshold,
            "missing_threshold": self.missing_threshold,
            "new_category_share": self.new_category_share,
            "numeric_columns": self.numeric_columns,
            "categorical_columns": self.categorical_columns,
            "critical_columns": self.critical_columns,
            "drift_share": self.drift_share,
            "min_rows": self.min_rows,
            "sketch_size": self.sketch_size,
            "psi_bins": self.psi_bins,
            "n_jobs": self.n_jobs,
        }

    def __repr__(self) -> str:
        defaults = DriftDetector().get_params()
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults[k]]
        return f"DriftDetector({', '.join(changed)})"

    # ---- fit

    def _kinds(self, frame: pd.DataFrame) -> dict[str, str]:
        declared = {c: "numeric" for c in self.numeric_columns or ()}
        declared |= {c: "categorical" for c in self.categorical_columns or ()}
        missing = [c for c in declared if c not in frame.columns]
        if missing:
            raise ValueError(f"columns not in the reference data: {missing}")
        kinds: dict[str, str] = {}
        for name in frame.columns:
            key = str(name)
            if key in declared:
                kinds[key] = declared[key]
                continue
            dtype = frame[name].dtype
            if pd.api.types.is_bool_dtype(dtype):
                kinds[key] = "categorical"
            elif pd.api.types.is_numeric_dtype(dtype):
                kinds[key] = "numeric"
            elif (
                isinstance(dtype, pd.CategoricalDtype)
                or pd.api.types.is_string_dtype(dtype)
                or pd.api.types.is_object_dtype(dtype)
            ):
                kinds[key] = "categorical"
            # other dtypes (datetimes, intervals...) are ignored: listed in ignored_columns_
        return kinds

    def fit(self, reference: pd.DataFrame | Mapping[str, Any]) -> DriftDetector:
        """Learn the reference profile of every column; return ``self``."""
        frame = _as_frame(reference, "reference")
        if len(frame) == 0:
            raise ValueError("reference must have at least one row, got an empty frame")
        frame.columns = [str(c) for c in frame.columns]
        kinds = self._kinds(frame)
        unknown = [c for c in self.critical_columns if c not in kinds]
        if unknown:
            raise ValueError(f"critical_columns not in the reference data: {unknown}")

        def profile(name: str) -> Profile:
            if kinds[name] == "numeric":
                raw = _numeric_values(frame[name])
                return _numeric_profile(raw, self.sketch_size, self.psi_bins)
            return _categorical_profile(frame[name])

        names = list(kinds)
        profiles = self._map(profile, names)
        self.profiles_: dict[str, Profile] = dict(zip(names, profiles, strict=True))
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.n_reference_ = len(frame)
        self.ignored_columns_ = [str(c) for c in frame.columns if str(c) not in kinds]
        return self

    def _map(self, function: Any, items: list[Any]) -> list[Any]:
        if self.n_jobs == 1 or len(items) < 2:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=self.n_jobs) as pool:
            return list(pool.map(function, items))

    def _check_fitted(self) -> None:
        if not hasattr(self, "profiles_"):
            raise RuntimeError("this DriftDetector is not fitted yet: call fit(reference) first")

    # ---- compare

    def compare(self, current: pd.DataFrame | Mapping[str, Any]) -> DriftReport:
        """Compare a production batch with the reference; never raises for a bad column.

        ``current`` is a DataFrame or a mapping of columns. A mapping of 1-D float arrays of
        one length is read as is, without building a DataFrame (the monitor's fast path).
        """
        self._check_fitted()
        arrays = _float_columns(current)
        frame: pd.DataFrame | None = None
        if arrays is None:
            frame = _as_frame(current, "current")
            frame.columns = [str(c) for c in frame.columns]
            arrays = self._numeric_block(frame)
            present = list(frame.columns)
            n_rows = len(frame)
        else:
            present = list(arrays)
            n_rows = next(iter(arrays.values())).shape[0]
        names = list(self.profiles_)

        def analyse(name: str) -> _Pending:
            try:
                return self._analyse(name, frame, present, n_rows, arrays)
            except Exception as error:  # one bad column must not break the report
                profile = self.profiles_[name]
                return _Pending(
                    {},
                    decided=ColumnDrift(
                        column=name,
                        kind=profile.kind,
                        status="error",
                        drift=False,
                        test="none",
                        n_reference=profile.n_valid,
                        critical=name in self.critical_columns,
                        message=f"{type(error).__name__}: {error}",
                    ),
                )

        pending = dict(zip(names, self._map(analyse, names), strict=True))
        family = [(n, "value", p.p_value) for n, p in pending.items() if p.p_value is not None]
        family += [
            (n, "missing", p.missing_p_value)
            for n, p in pending.items()
            if p.missing_p_value is not None
        ]
        adjusted = adjust_pvalues([p for _, _, p in family], self.correction)
        adj: dict[tuple[str, str], float] = {
            (n, what): float(a) for (n, what, _), a in zip(family, adjusted, strict=True)
        }
        columns = {name: self._decide(name, item, adj) for name, item in pending.items()}
        extra = tuple(c for c in present if c not in self.profiles_)
        return DriftReport(
            columns=columns,
            n_rows=n_rows,
            n_reference=self.n_reference_,
            alpha=self.alpha,
            correction=self.correction,
            drift_share=self.drift_share,
            extra_columns=extra,
            critical_columns=tuple(self.critical_columns),
        )

    def _numeric_block(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """Plain numeric columns as float arrays, converted in one call (the fast path)."""
        names = [
            name
            for name, profile in self.profiles_.items()
            if profile.kind == "numeric" and name in frame.columns
        ]
        # one conversion for many small columns; large columns are read one by one (no copy)
        if not names or frame.columns.duplicated().any() or len(frame) * len(names) > 2_000_000:
            return {}
        dtypes = frame.dtypes[names]
        if not all(isinstance(d, np.dtype) and d.kind in "fiu" for d in dtypes):
            return {}
        block = frame[names].to_numpy(dtype=float)
        return {name: block[:, j] for j, name in enumerate(names)}

    def _analyse(
        self,
        name: str,
        frame: pd.DataFrame | None,
        present: list[str],
        n_rows: int,
        arrays: Mapping[str, np.ndarray],
    ) -> _Pending:
        profile = self.profiles_[name]
        base: dict[str, Any] = {
            "column": name,
            "kind": profile.kind,
            "n_reference": profile.n_valid,
            "missing_reference": _rate(profile.n - profile.n_valid, profile.n),
            "critical": name in self.critical_columns,
        }
        if name not in present:
            return _Pending(
                base,
                decided=ColumnDrift(
                    **base,
                    status="missing_column",
                    drift=True,
                    test="none",
                    message="la colonne est absente du lot courant",
                ),
            )
        column = frame[name] if frame is not None else None
        if profile.kind == "numeric":
            raw = arrays[name] if name in arrays else _numeric_values(column)
            return self._analyse_numeric(profile, raw, n_rows, base)
        if column is None:
            column = pd.Series(arrays[name])
        return self._analyse_categorical(profile, column, n_rows, base)

    def _missing_test(self, item: _Pending, n_bad: int, n_rows: int, profile: Profile) -> None:
        ref_bad = profile.n - profile.n_valid
        item.fields["missing_current"] = _rate(n_bad, n_rows)
        if n_rows < self.min_rows or (ref_bad == 0 and n_bad == 0):
            return
        table = np.array([[ref_bad, profile.n - ref_bad], [n_bad, n_rows - n_bad]])
        _, _, p = _chi2_counts(table)
        item.missing_p_value = p
        item.missing_effect = abs(n_bad / n_rows - ref_bad / max(profile.n, 1))

    def _analyse_numeric(
        self, profile: NumericProfile, raw: np.ndarray, n_rows: int, base: dict[str, Any]
    ) -> _Pending:
        finite = np.isfinite(raw)
        x = raw if finite.all() else raw[finite]
        m = x.size
        base |= {
            "test": "ks",
            "effect_name": "wasserstein_std",
            "threshold": self.effect_threshold,
            "n_current": m,
            "reference_mean": profile.mean,
            "current_mean": float(x.mean()) if m else None,
        }
        item = _Pending(base)
        self._missing_test(item, int(n_rows - m), n_rows, profile)
        if m < self.min_rows or profile.n_valid < self.min_rows:
            item.insufficient = True
            return item
        grid = profile.grid if m >= _GRID_MIN_ROWS else None
        found = _binned_stats(profile, grid, x) if grid is not None else None
        found = found or _sorted_stats(profile, np.sort(x))
        d = found.d
        scale = profile.std if profile.std > 0 else 1.0
        base |= {
            "statistic": d,
            "effect": found.wasserstein / scale,
            "psi": _psi(profile.psi_props, found.psi_counts),
        }
        item.p_value = _ks_pvalue(d, profile.n_valid, m)
        return item

    def _analyse_categorical(
        self, profile: CategoricalProfile, series: pd.Series, n_rows: int, base: dict[str, Any]
    ) -> _Pending:
        counts, n_missing = _category_counts(series)
        m = n_rows - n_missing
        base |= {
            "test": "chi2",
            "effect_name": "jensen_shannon",
            "threshold": self.js_threshold,
            "n_current": m,
        }
        item = _Pending(base)
        self._missing_test(item, n_missing, n_rows, profile)
        new = sorted(c for c in counts if c not in profile.counts)
        if new:
            share = sum(counts[c] for c in new) / max(m, 1)
            base |= {"new_categories": tuple(new), "new_category_share": share}
            item.new_category = m >= self.min_rows and share >= self.new_category_share
        if m < self.min_rows or profile.n_valid < self.min_rows:
            item.insufficient = True
            return item
        categories = list(profile.counts) + new
        table = np.array(
            [
                [profile.counts.get(c, 0) for c in categories],
                [counts.get(c, 0) for c in categories],
            ],
            dtype=float,
        )
        statistic, _, p = _chi2_counts(table)
        base |= {"statistic": statistic, "effect": js_distance(table[0], table[1])}
        item.p_value = p
        return item

    def _decide(
        self, name: str, item: _Pending, adjusted: Mapping[tuple[str, str], float]
    ) -> ColumnDrift:
        if item.decided is not None:
            return item.decided
        fields = dict(item.fields)
        p_adj = adjusted.get((name, "value"))
        missing_adj = adjusted.get((name, "missing"))
        fields |= {
            "p_value": item.p_value,
            "p_adjusted": p_adj,
            "missing_p_value": item.missing_p_value,
            "missing_p_adjusted": missing_adj,
        }
        effect = fields.get("effect")
        value_drift = (
            p_adj is not None
            and p_adj < self.alpha
            and effect is not None
            and effect >= fields["threshold"]
        )
        missing_drift = (
            missing_adj is not None
            and missing_adj < self.alpha
            and item.missing_effect >= self.missing_threshold
        )
        if item.new_category:
            status = "new_category"
            message = f"catégories inconnues : {list(fields['new_categories'])[:5]}"
            if value_drift:
                message += f" ; distribution changée (effet {effect:.3f})"
        elif value_drift:
            status = "drift"
            message = (
                f"{fields['test']} significatif (p ajustée {p_adj:.2g}) et effet "
                f"{effect:.3f} >= {fields['threshold']}"
            )
        elif missing_drift:
            status = "missing_drift"
            message = (
                f"taux de valeurs manquantes {fields['missing_reference']:.1%} → "
                f"{fields['missing_current']:.1%}"
            )
        elif item.insufficient:
            status = "insufficient_data"
            message = f"moins de {self.min_rows} valeurs utilisables"
        else:
            status = "ok"
            if p_adj is not None and p_adj < self.alpha:
                message = f"significatif mais effet {effect:.3f} < {fields['threshold']}"
            else:
                message = "pas de drift"
        return ColumnDrift(**fields, status=status, drift=status in DRIFT_STATUSES, message=message)

    # ---- persistence

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready reference profile and settings."""
        self._check_fitted()
        return {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "settings": self.get_params(),
            "n_reference": self.n_reference_,
            "columns": {name: profile.to_dict() for name, profile in self.profiles_.items()},
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> DriftDetector:
        """Rebuild a fitted detector from :meth:`to_dict`."""
        if raw.get("format") != _FORMAT or raw.get("version") != _FORMAT_VERSION:
            raise ValueError(
                f"not a drift reference of format {_FORMAT!r} v{_FORMAT_VERSION}: "
                f"got format={raw.get('format')!r} version={raw.get('version')!r}"
            )
        detector = cls(**raw["settings"])
        profiles: dict[str, Profile] = {}
        for name, column in raw["columns"].items():
            if column["kind"] == "numeric":
                profiles[name] = NumericProfile.from_dict(column)
            else:
                profiles[name] = CategoricalProfile.from_dict(column)
        detector.profiles_ = profiles
        detector.feature_names_in_ = np.asarray(list(profiles), dtype=object)
        detector.n_features_in_ = len(profiles)
        detector.n_reference_ = int(raw["n_reference"])
        detector.ignored_columns_ = []
        return detector

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the reference profile as JSON (written to a temporary file, then renamed)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(json.dumps(self.to_dict()), encoding="utf-8")
        temporary.replace(target)
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> DriftDetector:
        """Read a reference profile written by :meth:`save`."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    # ---- pictures

    def plot_column(
        self, current: pd.DataFrame | Mapping[str, Any], column: str, ax: Axes | None = None
    ) -> Axes:
        """Plot the reference distribution of ``column`` (from its profile) against ``current``."""
        import matplotlib.pyplot as plt

        self._check_fitted()
        if column not in self.profiles_:
            raise ValueError(f"column must be one of {list(self.profiles_)}, got {column!r}")
        frame = _as_frame(current, "current")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        profile = self.profiles_[column]
        if isinstance(profile, CategoricalProfile):
            counts, _ = _category_counts(frame[column])
            categories = list(profile.counts) + sorted(c for c in counts if c not in profile.counts)
            ref = np.array([profile.counts.get(c, 0) for c in categories], dtype=float)
            cur = np.array([counts.get(c, 0) for c in categories], dtype=float)
            positions = np.arange(len(categories))
            ax.bar(positions - 0.2, ref / max(ref.sum(), 1), width=0.4, label="référence")
            ax.bar(positions + 0.2, cur / max(cur.sum(), 1), width=0.4, label="production")
            ax.set_xticks(positions, categories)
            ax.set_ylabel("proportion")
        else:
            raw = _numeric_values(frame[column])
            x = raw[np.isfinite(raw)]
            low = min(profile.quantile(np.array([0.005]))[0], x.min(initial=np.inf))
            high = max(profile.quantile(np.array([0.995]))[0], x.max(initial=-np.inf))
            edges = np.linspace(low, high, 41)
            widths = np.diff(edges)
            ref_density = np.diff(profile.cdf_at(edges)) / widths
            ax.stairs(ref_density, edges, fill=True, alpha=0.4, label="référence")
            if x.size:
                ax.hist(
                    x, bins=edges, density=True, histtype="step", linewidth=2, label="production"
                )
            ax.set_ylabel("densité")
        ax.set_title(column)
        ax.legend()
        return ax


def detect_drift(
    reference: pd.DataFrame | Mapping[str, Any],
    current: pd.DataFrame | Mapping[str, Any],
    *,
    seuil_pvalue: float = 0.05,
    **settings: Any,
) -> DriftReport:
    """One-call shortcut: ``DriftDetector(alpha=seuil_pvalue, **settings).fit(ref).compare(cur)``.

    ``seuil_pvalue`` keeps the chapter's name; it is the family-wise level after the
    correction, not a per-column threshold.
    """
    return DriftDetector(alpha=seuil_pvalue, **settings).fit(reference).compare(current)


# --------------------------------------------------------------------------- helpers


def _as_frame(data: pd.DataFrame | Mapping[str, Any], name: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data.copy(deep=False)
    if isinstance(data, Mapping):
        return pd.DataFrame(dict(data))
    raise TypeError(
        f"{name} must be a pandas DataFrame or a mapping of columns, got {type(data).__name__}"
    )


def _float_columns(data: Any) -> dict[str, np.ndarray] | None:
    """``data`` as float64 columns if it maps names to 1-D float arrays of one length."""
    if not isinstance(data, Mapping) or not data:
        return None
    columns: dict[str, np.ndarray] = {}
    for name, values in data.items():
        if not isinstance(values, np.ndarray) or values.ndim != 1 or values.dtype.kind != "f":
            return None
        columns[str(name)] = values.astype(np.float64, copy=False)
    if len(columns) != len(data) or len({v.shape[0] for v in columns.values()}) != 1:
        return None
    return columns


def _numeric_values(series: pd.Series) -> np.ndarray:
    """Column as float64; values that are not numbers become NaN (counted as missing)."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype(float).to_numpy()
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _category_counts(series: pd.Series) -> tuple[dict[str, int], int]:
    """Counts per category (as text) and the number of missing values."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        valid = codes[codes >= 0]
        names = series.cat.categories.tolist()
        tally = np.bincount(valid, minlength=len(names)).tolist()
        n_missing = int(codes.size - valid.size)
    else:
        counts = series.value_counts(dropna=True, sort=False)
        names, tally = counts.index.tolist(), counts.tolist()
        n_missing = int(len(series) - sum(tally))
    merged: dict[str, int] = {}
    for key, value in zip(names, tally, strict=True):
        if value:
            label = str(key)
            merged[label] = merged.get(label, 0) + int(value)
    return merged, n_missing


def _categorical_profile(series: pd.Series) -> CategoricalProfile:
    counts, n_missing = _category_counts(series)
    return CategoricalProfile(n=len(series), n_missing=n_missing, counts=counts)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _json_safe(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, tuple):
        return list(value)
    return value
