"""The statistics behind drift detection and monitoring, in one place (numpy and math only).

Taught in notebook 07_monitoring_drift: chi-square tests on counts (with rare categories
pooled, or Fisher's exact test when nothing is left to pool), the Jensen–Shannon distance,
multiple-testing corrections, the KS p-value and the PSI. The monitor runs in the serving
image, which has no scipy: only :func:`ks_pvalue` needs it, and imports it when called.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Multiple-testing corrections accepted by :func:`adjust_pvalues`.
CORRECTIONS: tuple[str, ...] = ("holm", "bonferroni", "bh", "none")
#: The usual minimum expected count of a chi-square cell (Cochran's rule).
MIN_EXPECTED = 5.0
_PSI_EPS = 1e-4


@dataclass(frozen=True)
class TestResult:
    """A test's outcome: which test ran, its statistic (None for an exact test), its p-value."""

    test: str
    statistic: float | None
    dof: int
    p_value: float

    __test__ = False  # not a pytest test class


_NO_TEST = TestResult("chi2", 0.0, 0, 1.0)


# --------------------------------------------------------------------------- chi-square


def chi2_sf(statistic: float, dof: int) -> float:
    """Survival function of the chi-square distribution (closed forms, summed in log space).

    Even ``dof``: a Poisson tail; odd ``dof``: ``erfc`` plus a finite series. Matches
    ``scipy.stats.chi2.sf`` to about 1e-12 and never overflows, whatever the statistic.
    """
    if dof < 1:
        raise ValueError(f"dof doit être >= 1, reçu {dof!r}")
    half = max(float(statistic), 0.0) / 2
    if half == 0.0:
        return 1.0
    log_half = math.log(half)
    if dof % 2 == 0:
        terms = (i * log_half - half - math.lgamma(i + 1) for i in range(dof // 2))
        return min(1.0, math.fsum(math.exp(t) for t in terms))
    terms = ((i - 0.5) * log_half - half - math.lgamma(i + 0.5) for i in range(1, (dof + 1) // 2))
    return min(1.0, math.erfc(math.sqrt(half)) + math.fsum(math.exp(t) for t in terms))


def pool_rare(
    observed: np.ndarray, expected: np.ndarray, minimum: float = MIN_EXPECTED
) -> tuple[np.ndarray, np.ndarray]:
    """Merge the categories (columns) whose expected count is below ``minimum`` in some row.

    The rare ones are merged together; if that bin is still too small, the smallest other
    category joins it. Either way no expected count is left below ``minimum`` — unless a
    single column remains, which no chi-square test can use.
    """
    low = expected.min(axis=0) < minimum
    if not low.any():
        return observed, expected
    keep = ~low
    merged_observed = observed[:, low].sum(axis=1)
    merged_expected = expected[:, low].sum(axis=1)
    if merged_expected.min() < minimum and keep.any():
        smallest = np.flatnonzero(keep)[np.argmin(expected[:, keep].min(axis=0))]
        merged_observed = merged_observed + observed[:, smallest]
        merged_expected = merged_expected + expected[:, smallest]
        keep[smallest] = False
    return (
        np.column_stack([observed[:, keep], merged_observed]),
        np.column_stack([expected[:, keep], merged_expected]),
    )


def _chi2(observed: np.ndarray, expected: np.ndarray) -> TestResult:
    statistic = float(((observed - expected) ** 2 / expected).sum())
    dof = (observed.shape[1] - 1) * max(observed.shape[0] - 1, 1)
    return TestResult("chi2", statistic, dof, chi2_sf(statistic, dof))


def chi2_homogeneity(table: Sequence[Sequence[float]] | np.ndarray) -> TestResult:
    """Do two samples (the rows of a 2 x K table of **counts**) share one distribution?

    Rare categories are pooled (:func:`pool_rare`) so that the chi-square approximation
    holds. When pooling leaves a single bin, Fisher's exact test compares the largest
    category with all the others instead. Returns ``test="chi2"`` or ``"fisher"``.
    """
    table = np.asarray(table, dtype=float)
    table = table[:, table.sum(axis=0) > 0]
    rows = table.sum(axis=1, keepdims=True)
    if table.shape[1] < 2 or np.any(rows == 0):
        return _NO_TEST
    expected = rows * table.sum(axis=0, keepdims=True) / rows.sum()
    observed, expected = pool_rare(table, expected)
    if observed.shape[1] >= 2:
        return _chi2(observed, expected)
    largest = int(np.argmax(table.sum(axis=0)))
    two_by_two = np.column_stack([table[:, largest], table.sum(axis=1) - table[:, largest]])
    return TestResult("fisher", None, 1, fisher_exact(two_by_two))


def chi2_goodness_of_fit(
    counts: Sequence[float] | np.ndarray, shares: Sequence[float] | np.ndarray
) -> TestResult:
    """Do the ``counts`` follow the expected ``shares``? (Rare categories pooled.)

    A category with a share of 0 that is observed anyway gives a p-value of 0.
    """
    observed = np.asarray(counts, dtype=float)
    shares = np.asarray(shares, dtype=float)
    expected = observed.sum() * shares / shares.sum()
    if np.any((expected == 0) & (observed > 0)):
        return TestResult("chi2", math.inf, max(observed.size - 1, 1), 0.0)
    keep = expected > 0
    pooled, pooled_expected = pool_rare(observed[keep][None, :], expected[keep][None, :])
    if pooled.shape[1] < 2:
        return _NO_TEST
    return _chi2(pooled, pooled_expected)


def fisher_exact(table: Sequence[Sequence[float]] | np.ndarray) -> float:
    """Two-sided p-value of Fisher's exact test on a 2 x 2 table of counts (as scipy's).

    Sums the hypergeometric probabilities of every table with the same margins that is
    at most as likely as the observed one; they are computed by recurrence, in log space.
    """
    (a, b), (c, d) = np.asarray(table, dtype=np.int64).tolist()
    row, column, n = a + b, a + c, a + b + c + d
    low, high = max(0, row + column - n), min(row, column)
    k = np.arange(low, high)
    # P(k + 1) / P(k) for the hypergeometric law of the top-left cell
    steps = np.log((column - k) * (row - k)) - np.log((k + 1.0) * (n - row - column + k + 1.0))
    log_p = np.concatenate(([0.0], np.cumsum(steps)))
    log_p -= np.logaddexp.reduce(log_p)
    observed = log_p[a - low]
    return float(min(1.0, np.exp(log_p[log_p <= observed + 1e-7]).sum()))


# --------------------------------------------------------------------------- other tests


def ks_pvalue(d: float, n: int, m: int) -> float:
    """Asymptotic two-sided two-sample KS p-value, with Stephens' small-sample correction."""
    from scipy.special import kolmogorov

    en = math.sqrt(n * m / (n + m))
    return float(min(max(kolmogorov((en + 0.12 + 0.11 / en) * d), 0.0), 1.0))


def adjust_pvalues(p_values: Sequence[float] | np.ndarray, method: str = "holm") -> np.ndarray:
    """Return p-values adjusted for multiple testing (``holm``, ``bonferroni``, ``bh``, ``none``).

    A test is significant at level ``alpha`` when its adjusted p-value is below ``alpha``.
    Holm and Bonferroni bound the probability of at least one false alarm; ``bh``
    (Benjamini–Hochberg) bounds the expected share of false alarms among the alarms.
    """
    if method not in CORRECTIONS:
        raise ValueError(f"method doit être l'une des valeurs {list(CORRECTIONS)}, reçu {method!r}")
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


# --------------------------------------------------------------------------- effect sizes


def js_distance(p: Sequence[float] | np.ndarray, q: Sequence[float] | np.ndarray) -> float:
    """Jensen–Shannon distance (base 2, in [0, 1]) between two count or share vectors."""
    p = np.asarray(p, dtype=float) / np.sum(p)
    q = np.asarray(q, dtype=float) / np.sum(q)
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log2(p / m), 0.0).sum()
        kl_q = np.where(q > 0, q * np.log2(q / m), 0.0).sum()
    return float(math.sqrt(max((kl_p + kl_q) / 2, 0.0)))


def psi(reference_props: np.ndarray, current_counts: np.ndarray) -> float:
    """Population Stability Index between reference proportions and current counts."""
    ref = np.maximum(reference_props, _PSI_EPS)
    cur = np.maximum(current_counts / max(current_counts.sum(), 1), _PSI_EPS)
    return float(np.sum((cur - ref) * np.log(cur / ref)))
