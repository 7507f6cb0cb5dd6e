"""One column of a batch against its reference profile: analyse it, then decide its status.

Taught in notebook 07_monitoring_drift (§7.2). A column is analysed first (statistic,
effect size, raw p-values); it is decided once the p-values of every column have been
corrected together: drift needs a significant test **and** a large enough effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlops_course import stats
from mlops_course.drift.distances import batch_stats
from mlops_course.drift.profile import (
    CategoricalProfile,
    NumericProfile,
    Profile,
    category_counts,
    numeric_values,
)
from mlops_course.drift.report import DRIFT_STATUSES, ColumnDrift


@dataclass(frozen=True)
class ColumnRules:
    """The detector's settings that decide a column's status (see ``DriftDetector``)."""

    alpha: float
    effect_threshold: float
    js_threshold: float
    missing_threshold: float
    new_category_share: float
    min_rows: int


@dataclass
class ColumnAnalysis:
    """A column analysed but not yet decided (its p-values await the correction)."""

    fields: dict[str, Any]
    p_value: float | None = None
    missing_p_value: float | None = None
    decided: ColumnDrift | None = None
    new_category: bool = False
    insufficient: bool = False
    missing_effect: float = 0.0


def rate(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide."""
    return part / whole if whole else None


def base_fields(name: str, profile: Profile, *, critical: bool) -> dict[str, Any]:
    """The fields every verdict on this column starts from."""
    return {
        "column": name,
        "kind": profile.kind,
        "n_reference": profile.n_valid,
        "missing_reference": rate(profile.n - profile.n_valid, profile.n),
        "critical": critical,
    }


def missing_column(base: dict[str, Any]) -> ColumnAnalysis:
    """A column of the reference that the batch lacks: drift, with no test to run."""
    message = "la colonne est absente du lot courant"
    verdict = ColumnDrift(**base, status="missing_column", drift=True, test="none", message=message)
    return ColumnAnalysis(base, decided=verdict)


def failed(name: str, profile: Profile, error: Exception, *, critical: bool) -> ColumnAnalysis:
    """A column whose analysis raised: status ``error``, the rest of the report goes on."""
    verdict = ColumnDrift(
        column=name,
        kind=profile.kind,
        status="error",
        drift=False,
        test="none",
        n_reference=profile.n_valid,
        critical=critical,
        message=f"{type(error).__name__}: {error}",
    )
    return ColumnAnalysis({}, decided=verdict)


def missing_rate_test(
    item: ColumnAnalysis, n_bad: int, n_rows: int, profile: Profile, rules: ColumnRules
) -> None:
    """Test the rate of missing values on its own (a 2 x 2 table: missing or not, per sample)."""
    ref_bad = profile.n - profile.n_valid
    item.fields["missing_current"] = rate(n_bad, n_rows)
    if n_rows < rules.min_rows or (ref_bad == 0 and n_bad == 0):
        return
    table = np.array([[ref_bad, profile.n - ref_bad], [n_bad, n_rows - n_bad]])
    item.missing_p_value = stats.chi2_homogeneity(table).p_value
    item.missing_effect = abs(n_bad / n_rows - ref_bad / max(profile.n, 1))


def analyse(
    name: str,
    profile: Profile,
    batch: Mapping[str, Any],
    n_rows: int,
    rules: ColumnRules,
    *,
    critical: bool,
) -> ColumnAnalysis:
    """Analyse column ``name`` of ``batch`` (float arrays or pandas columns, by name)."""
    base = base_fields(name, profile, critical=critical)
    if name not in batch:
        return missing_column(base)
    column = batch[name]
    if isinstance(profile, NumericProfile):
        raw = column if isinstance(column, np.ndarray) else numeric_values(column)
        return analyse_numeric(profile, raw, n_rows, base, rules)
    series = column if isinstance(column, pd.Series) else pd.Series(column)
    return analyse_categorical(profile, series, n_rows, base, rules)


def analyse_numeric(
    profile: NumericProfile,
    raw: np.ndarray,
    n_rows: int,
    base: dict[str, Any],
    rules: ColumnRules,
) -> ColumnAnalysis:
    """KS test, Wasserstein effect (in reference standard deviations) and PSI."""
    finite = np.isfinite(raw)
    x = raw if finite.all() else raw[finite]
    m = x.size
    base |= {
        "test": "ks",
        "effect_name": "wasserstein_std",
        "threshold": rules.effect_threshold,
        "n_current": m,
        "reference_mean": profile.mean,
        "current_mean": float(x.mean()) if m else None,
    }
    item = ColumnAnalysis(base)
    missing_rate_test(item, int(n_rows - m), n_rows, profile, rules)
    if m < rules.min_rows or profile.n_valid < rules.min_rows:
        item.insufficient = True
        return item
    found = batch_stats(profile, x)
    scale = profile.std if profile.std > 0 else 1.0
    base |= {
        "statistic": found.d,
        "effect": found.wasserstein / scale,
        "psi": stats.psi(profile.psi_props, found.psi_counts),
    }
    item.p_value = stats.ks_pvalue(found.d, profile.n_valid, m)
    return item


def analyse_categorical(
    profile: CategoricalProfile,
    series: pd.Series,
    n_rows: int,
    base: dict[str, Any],
    rules: ColumnRules,
) -> ColumnAnalysis:
    """Chi-square test of homogeneity on counts, Jensen–Shannon effect, new categories."""
    counts, n_missing = category_counts(series)
    m = n_rows - n_missing
    base |= {
        "test": "chi2",
        "effect_name": "jensen_shannon",
        "threshold": rules.js_threshold,
        "n_current": m,
    }
    item = ColumnAnalysis(base)
    missing_rate_test(item, n_missing, n_rows, profile, rules)
    new = sorted(c for c in counts if c not in profile.counts)
    if new:
        share = sum(counts[c] for c in new) / max(m, 1)
        base |= {"new_categories": tuple(new), "new_category_share": share}
        item.new_category = m >= rules.min_rows and share >= rules.new_category_share
    if m < rules.min_rows or profile.n_valid < rules.min_rows:
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
    result = stats.chi2_homogeneity(table)
    base |= {
        "test": result.test,
        "statistic": result.statistic,
        "effect": stats.js_distance(table[0], table[1]),
    }
    item.p_value = result.p_value
    return item


def decide(item: ColumnAnalysis, adjusted: Mapping[str, float], rules: ColumnRules) -> ColumnDrift:
    """The column's status, once its p-values are corrected (``adjusted["value"|"missing"]``)."""
    if item.decided is not None:
        return item.decided
    fields = dict(item.fields)
    p_adj = adjusted.get("value")
    missing_adj = adjusted.get("missing")
    fields |= {
        "p_value": item.p_value,
        "p_adjusted": p_adj,
        "missing_p_value": item.missing_p_value,
        "missing_p_adjusted": missing_adj,
    }
    effect = fields.get("effect")
    value_drift = (
        p_adj is not None
        and p_adj < rules.alpha
        and effect is not None
        and effect >= fields["threshold"]
    )
    missing_drift = (
        missing_adj is not None
        and missing_adj < rules.alpha
        and item.missing_effect >= rules.missing_threshold
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
        message = f"moins de {rules.min_rows} valeurs utilisables"
    else:
        status = "ok"
        if p_adj is not None and p_adj < rules.alpha:
            message = f"significatif mais effet {effect:.3f} < {fields['threshold']}"
        else:
            message = "pas de drift"
    return ColumnDrift(**fields, status=status, drift=status in DRIFT_STATUSES, message=message)
