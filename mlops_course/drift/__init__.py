"""Data drift detection that is statistically right, fast and robust (§7.2).

Taught in notebook 07_monitoring_drift. :class:`DriftDetector` learns a compact profile
of the reference (training) data with ``fit`` and compares production batches with it:

- numeric columns: two-sample Kolmogorov–Smirnov test (asymptotic p-value) against a
  quantile sketch of the reference, an effect size (Wasserstein distance divided by the
  reference standard deviation) and the PSI, for information;
- categorical columns: chi-square test of homogeneity on **counts** (not proportions; rare
  categories pooled, Fisher's exact test when nothing is left to pool) and the
  Jensen–Shannon distance as effect size;
- every column: the rate of missing (or non-finite) values is tested for drift on its own,
  new categories get their own status, and a batch too small to judge gets
  ``insufficient_data`` instead of a silent "no drift".

A column drifts only when its test is significant after a multiple-testing correction
(Holm by default) **and** its effect is large enough: with 50 columns, an uncorrected
``p < 0.05`` alarms on almost every batch; with a million rows, KS flags shifts of 0.01
standard deviation that matter to nobody.

Where each part lives: :mod:`~mlops_course.drift.profile` (what is kept of the
reference), :mod:`~mlops_course.drift.distances` (KS and Wasserstein of a numeric batch),
:mod:`~mlops_course.drift.columns` (one column's analysis and status),
:mod:`~mlops_course.drift.report` (the verdict), :mod:`~mlops_course.drift.detector`
(fit / compare / save), and :mod:`mlops_course.stats` (the tests and effect sizes).
"""

from __future__ import annotations

from mlops_course.drift.detector import DriftDetector, detect_drift
from mlops_course.drift.profile import CategoricalProfile, NumericProfile, Profile
from mlops_course.drift.report import DRIFT_STATUSES, STATUS_LABELS, ColumnDrift, DriftReport
from mlops_course.stats import CORRECTIONS, adjust_pvalues

__all__ = [
    "CORRECTIONS",
    "DRIFT_STATUSES",
    "STATUS_LABELS",
    "CategoricalProfile",
    "ColumnDrift",
    "DriftDetector",
    "DriftReport",
    "NumericProfile",
    "Profile",
    "adjust_pvalues",
    "detect_drift",
]
