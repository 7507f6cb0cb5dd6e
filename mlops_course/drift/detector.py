"""The drift detector: learn a reference profile with ``fit``, compare batches with ``compare``.

Taught in notebook 07_monitoring_drift (§7.2). Settings and learned state follow
scikit-learn's conventions (learned attributes end in ``_``); the reference profile can be
saved as JSON and loaded in another process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from mlops_course import stats
from mlops_course.drift import columns
from mlops_course.drift.columns import ColumnAnalysis
from mlops_course.drift.plots import plot_column
from mlops_course.drift.profile import (
    Profile,
    categorical_profile,
    infer_kinds,
    numeric_profile,
    numeric_values,
    profile_from_dict,
)
from mlops_course.drift.report import DriftReport

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

_FORMAT = "mlops-course/drift-reference"
_FORMAT_VERSION = 1
_T = TypeVar("_T")
_R = TypeVar("_R")


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
        _validate_settings(
            alpha=alpha, correction=correction, effect_threshold=effect_threshold,
            js_threshold=js_threshold, missing_threshold=missing_threshold,
            new_category_share=new_category_share, drift_share=drift_share, min_rows=min_rows,
            sketch_size=sketch_size, psi_bins=psi_bins, n_jobs=n_jobs,
            numeric_columns=numeric_columns, categorical_columns=categorical_columns,
            critical_columns=critical_columns,
        )  # fmt: skip
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

    def get_params(self) -> dict[str, Any]:
        """Constructor settings (scikit-learn style)."""
        names = (
            "alpha", "correction", "effect_threshold", "js_threshold", "missing_threshold",
            "new_category_share", "numeric_columns", "categorical_columns", "critical_columns",
            "drift_share", "min_rows", "sketch_size", "psi_bins", "n_jobs",
        )  # fmt: skip
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        defaults = DriftDetector().get_params()
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults[k]]
        return f"DriftDetector({', '.join(changed)})"

    # ---- fit

    def fit(self, reference: pd.DataFrame | Mapping[str, Any]) -> DriftDetector:
        """Learn the reference profile of every column; return ``self``."""
        frame = _as_frame(reference, "reference")
        if len(frame) == 0:
            raise ValueError("la référence doit avoir au moins une ligne, reçu un tableau vide")
        frame.columns = [str(c) for c in frame.columns]
        kinds = infer_kinds(frame, self.numeric_columns, self.categorical_columns)
        unknown = [c for c in self.critical_columns if c not in kinds]
        if unknown:
            raise ValueError(f"critical_columns absentes des données de référence : {unknown}")

        def profile(name: str) -> Profile:
            if kinds[name] == "numeric":
                raw = numeric_values(frame[name])
                return numeric_profile(raw, self.sketch_size, self.psi_bins)
            return categorical_profile(frame[name])

        names = list(kinds)
        self.profiles_: dict[str, Profile] = dict(
            zip(names, self._map(profile, names), strict=True)
        )
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.n_reference_ = len(frame)
        self.ignored_columns_ = [str(c) for c in frame.columns if str(c) not in kinds]
        return self

    def _map(self, function: Callable[[_T], _R], items: list[_T]) -> list[_R]:
        if self.n_jobs == 1 or len(items) < 2:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=self.n_jobs) as pool:
            return list(pool.map(function, items))

    def _check_fitted(self) -> None:  # scikit-learn's name for it
        if not hasattr(self, "profiles_"):
            raise RuntimeError(
                "ce DriftDetector n'est pas encore ajusté : appelez d'abord fit(reference)"
            )

    # ---- compare

    def compare(self, current: pd.DataFrame | Mapping[str, Any]) -> DriftReport:
        """Compare a production batch with the reference; never raises for a bad column.

        ``current`` is a DataFrame or a mapping of columns. A mapping of 1-D float arrays of
        one length is read as is, without building a DataFrame (the monitor's fast path).
        """
        self._check_fitted()
        arrays = _float_columns(current)
        batch: Mapping[str, Any]
        if arrays is None:
            frame = _as_frame(current, "current")
            frame.columns = [str(c) for c in frame.columns]
            batch, n_rows = _ColumnsFrom(_numeric_block(frame, self.profiles_), frame), len(frame)
        else:
            batch, n_rows = arrays, next(iter(arrays.values())).shape[0]
        rules = columns.ColumnRules(
            self.alpha, self.effect_threshold, self.js_threshold, self.missing_threshold,
            self.new_category_share, self.min_rows,
        )  # fmt: skip

        def analyse(name: str) -> ColumnAnalysis:
            critical, profile = name in self.critical_columns, self.profiles_[name]
            try:
                return columns.analyse(name, profile, batch, n_rows, rules, critical=critical)
            except Exception as error:  # one bad column must not break the report
                return columns.failed(name, profile, error, critical=critical)

        names = list(self.profiles_)
        pending = dict(zip(names, self._map(analyse, names), strict=True))
        family = [  # every p-value of the batch, corrected together
            (name, what, p)
            for name, item in pending.items()
            for what, p in (("value", item.p_value), ("missing", item.missing_p_value))
            if p is not None
        ]
        adjusted: dict[str, dict[str, float]] = {name: {} for name in names}
        corrected = stats.adjust_pvalues([p for *_, p in family], self.correction)
        for (name, what, _), value in zip(family, corrected, strict=True):
            adjusted[name][what] = float(value)
        return DriftReport(
            columns={name: columns.decide(pending[name], adjusted[name], rules) for name in names},
            n_rows=n_rows,
            n_reference=self.n_reference_,
            alpha=self.alpha,
            correction=self.correction,
            drift_share=self.drift_share,
            extra_columns=tuple(c for c in batch if c not in self.profiles_),
            critical_columns=tuple(self.critical_columns),
        )

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
                f"ce n'est pas une référence de drift au format {_FORMAT!r} v{_FORMAT_VERSION} : "
                f"reçu format={raw.get('format')!r} version={raw.get('version')!r}"
            )
        detector = cls(**raw["settings"])
        profiles = {name: profile_from_dict(column) for name, column in raw["columns"].items()}
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

    def plot_column(
        self,
        current: pd.DataFrame | Mapping[str, Any],
        column: str,
        ax: Axes | None = None,
        *,
        unit: str | None = None,
    ) -> Axes:
        """Plot the reference distribution of ``column`` against ``current``.

        ``unit`` names the column's unit on the axes (``"cm"``, ``"ans"``, ``"€"``).
        """
        self._check_fitted()
        if column not in self.profiles_:
            raise ValueError(f"column doit être l'une de {list(self.profiles_)}, reçu {column!r}")
        frame = _as_frame(current, "current")
        return plot_column(self.profiles_[column], frame[column].rename(column), ax, unit=unit)


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


def _validate_settings(
    *,
    alpha: float,
    correction: str,
    effect_threshold: float,
    js_threshold: float,
    missing_threshold: float,
    new_category_share: float,
    drift_share: float,
    min_rows: int,
    sketch_size: int,
    psi_bins: int,
    n_jobs: int,
    numeric_columns: Sequence[str] | None,
    categorical_columns: Sequence[str] | None,
    critical_columns: Sequence[str],
) -> None:
    """Raise an error naming the argument and its value for a setting out of range."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha doit être dans ]0, 1[, reçu {alpha!r}")
    if correction not in stats.CORRECTIONS:
        raise ValueError(
            f"correction doit être l'une des valeurs {list(stats.CORRECTIONS)}, reçu {correction!r}"
        )
    for name, value in (
        ("effect_threshold", effect_threshold),
        ("js_threshold", js_threshold),
        ("missing_threshold", missing_threshold),
    ):
        if not value >= 0.0:
            raise ValueError(f"{name} doit être >= 0, reçu {value!r}")
    for name, value in (
        ("new_category_share", new_category_share),
        ("drift_share", drift_share),
    ):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} doit être dans [0, 1], reçu {value!r}")
    for name, value, least in (
        ("min_rows", min_rows, 2),
        ("sketch_size", sketch_size, 10),
        ("psi_bins", psi_bins, 1),
        ("n_jobs", n_jobs, 1),
    ):
        if int(value) < least:
            raise ValueError(f"{name} doit être >= {least}, reçu {value!r}")
    for name, value in (
        ("numeric_columns", numeric_columns),
        ("categorical_columns", categorical_columns),
        ("critical_columns", critical_columns),
    ):
        if isinstance(value, str):
            raise TypeError(
                f"{name} doit être une liste de noms de colonnes, pas la chaîne {value!r}"
            )
    both = set(numeric_columns or ()) & set(categorical_columns or ())
    if both:
        raise ValueError(f"colonnes à la fois numériques et catégorielles : {sorted(both)}")


def _numeric_block(frame: pd.DataFrame, profiles: Mapping[str, Profile]) -> dict[str, np.ndarray]:
    """Plain numeric columns as float arrays, converted in one call (the fast path)."""
    names = [
        name
        for name, profile in profiles.items()
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


class _ColumnsFrom(Mapping[str, Any]):
    """A frame's columns by name: the float arrays converted beforehand, else the column."""

    def __init__(self, arrays: dict[str, np.ndarray], frame: pd.DataFrame) -> None:
        self.arrays, self.frame = arrays, frame

    def __getitem__(self, name: str) -> Any:
        return self.arrays[name] if name in self.arrays else self.frame[name]

    def __contains__(self, name: object) -> bool:
        return name in self.frame.columns

    def __iter__(self) -> Iterator[str]:
        return iter(self.frame.columns)

    def __len__(self) -> int:
        return len(self.frame.columns)


def _as_frame(data: pd.DataFrame | Mapping[str, Any], name: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data.copy(deep=False)
    if isinstance(data, Mapping):
        return pd.DataFrame(dict(data))
    raise TypeError(
        f"{name} doit être un DataFrame pandas ou un dictionnaire de colonnes, reçu "
        f"{type(data).__name__}"
    )


def _float_columns(data: Any) -> dict[str, np.ndarray] | None:
    """``data`` as float64 columns if it maps names to 1-D float arrays of one length."""
    if not isinstance(data, Mapping) or not data:
        return None
    found: dict[str, np.ndarray] = {}
    for name, values in data.items():
        if not isinstance(values, np.ndarray) or values.ndim != 1 or values.dtype.kind != "f":
            return None
        found[str(name)] = values.astype(np.float64, copy=False)
    if len(found) != len(data) or len({v.shape[0] for v in found.values()}) != 1:
        return None
    return found
