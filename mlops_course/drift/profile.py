"""What a drift detector keeps of the reference data: one compact profile per column.

Taught in notebook 07_monitoring_drift (§7.2). A numeric column keeps its distinct values
and their CDF, or a sketch of at most ``sketch_size`` quantiles; a categorical column keeps
its counts. ``fit`` sorts each reference column once; ``compare`` never reads it again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

#: Largest share of the reference (or of the batch) one cell of a binning grid may hold.
GRID_TOLERANCE = 5e-4


@dataclass(frozen=True)
class Grid:
    """Even cells between ``low`` and ``high``, and the reference CDF at their edges."""

    low: float
    high: float
    cells: int
    cdf: np.ndarray


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
    def grid(self) -> Grid | None:
        """An even grid over the reference's central 99.8 %, fine enough for binned compares.

        Built from the sketch (never stored): each cell holds at most ``GRID_TOLERANCE``
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
            if np.diff(cdf).max() <= GRID_TOLERANCE:
                return Grid(low, high, cells, cdf)
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


def profile_from_dict(raw: Mapping[str, Any]) -> Profile:
    """Rebuild a profile from its :meth:`~NumericProfile.to_dict` form (either kind)."""
    if raw["kind"] == "numeric":
        return NumericProfile.from_dict(raw)
    return CategoricalProfile.from_dict(raw)


# --------------------------------------------------------------------------- reading columns


def infer_kinds(
    frame: pd.DataFrame,
    numeric: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
) -> dict[str, str]:
    """Kind of each column: as declared, else from its dtype (others, e.g. dates, are left out).

    Numbers are numeric; text, categories and booleans are categorical.
    """
    declared = {c: "numeric" for c in numeric or ()}
    declared |= {c: "categorical" for c in categorical or ()}
    missing = [c for c in declared if c not in frame.columns]
    if missing:
        raise ValueError(f"colonnes absentes des données de référence : {missing}")
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
    return kinds


def numeric_values(series: pd.Series) -> np.ndarray:
    """Column as float64; values that are not numbers become NaN (counted as missing)."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype(float).to_numpy()
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def category_counts(series: pd.Series) -> tuple[dict[str, int], int]:
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


# --------------------------------------------------------------------------- building profiles


def categorical_profile(series: pd.Series) -> CategoricalProfile:
    """Profile a categorical reference column: its counts."""
    counts, n_missing = category_counts(series)
    return CategoricalProfile(n=len(series), n_missing=n_missing, counts=counts)


def sketch_probabilities(size: int) -> np.ndarray:
    """Probabilities of the sketch's quantiles: evenly spaced, denser in both tails.

    Log-spaced points between 1e-6 and 1e-2 (and their mirror) keep the extreme quantiles,
    where heavy tails put most of a Wasserstein distance.
    """
    k = min(60, size // 10)
    tail = np.logspace(-6, -2, k)
    return np.unique(np.concatenate((np.linspace(0.0, 1.0, size - 2 * k), tail, 1.0 - tail)))


def sorted_quantiles(x: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Quantiles of the sorted array ``x`` (linear interpolation, as ``np.quantile``)."""
    position = probs * (x.size - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, x.size - 1)
    return x[low] + (x[high] - x[low]) * (position - low)


def numeric_profile(raw: np.ndarray, sketch_size: int, psi_bins: int) -> NumericProfile:
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
        probs = sketch_probabilities(sketch_size)
        quantiles = sorted_quantiles(x, probs)
        # keep one knot per value, with the largest probability (right-continuous CDF)
        last = np.concatenate((quantiles[1:] != quantiles[:-1], [True]))
        values, cdf = quantiles[last], probs[last]
        mode = "sketch"
    inner = np.linspace(0, 1, psi_bins + 1)[1:-1]
    edges = np.unique(sorted_quantiles(x, inner)) if psi_bins > 1 else empty
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
