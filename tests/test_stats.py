"""The shared statistics (chapter 07): one chi-square, rare categories pooled, exact when needed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from mlops_course import stats
from mlops_course.drift import DriftDetector


def test_chi2_survival_matches_scipy_for_small_and_large_dof_without_overflow() -> None:
    for dof in (1, 2, 3, 4, 7, 12, 49, 50, 201):
        for statistic in (0.0, 0.5, 3.0, 12.0, 60.0, 300.0, 5000.0):
            assert stats.chi2_sf(statistic, dof) == pytest.approx(
                scipy_stats.chi2.sf(statistic, dof), rel=1e-9, abs=1e-300
            )
    with pytest.raises(ValueError, match="dof doit être >= 1"):
        stats.chi2_sf(1.0, 0)


def test_one_rare_category_is_pooled_so_no_expected_count_stays_below_five() -> None:
    # A single row of an unseen category in a batch of 500 against 10,000 reference rows:
    # its expected count in the batch is about 0.05. Pooled with nothing (the old defect),
    # it alone made the test "significant".
    table = np.array([[5000.0, 5000.0, 0.0], [250.0, 249.0, 1.0]])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / table.sum()
    assert expected[1, 2] == pytest.approx(0.0476, abs=1e-4)
    assert scipy_stats.chi2_contingency(table, correction=False).pvalue < 1e-3  # the defect
    observed, pooled = stats.pool_rare(table, expected)
    assert pooled.min() >= stats.MIN_EXPECTED
    assert observed.sum() == table.sum() and observed.shape == (2, 2)
    result = stats.chi2_homogeneity(table)
    assert result.test == "chi2" and result.dof == 1 and result.p_value > 0.5


def test_a_single_unseen_row_is_no_longer_significant_for_the_detector() -> None:
    reference = pd.DataFrame({"canal": ["web", "magasin"] * 5000})
    batch = pd.DataFrame({"canal": ["web", "magasin"] * 249 + ["web", "appli"]})
    column = DriftDetector().fit(reference).compare(batch).columns["canal"]
    assert column.new_categories == ("appli",)
    assert column.p_value > 0.5 and column.status == "ok"


def test_several_rare_categories_are_pooled_together_and_a_real_shift_still_shows() -> None:
    table = np.array([[3000.0, 1800.0, 60.0, 40.0, 40.0], [120.0, 171.0, 3.0, 3.0, 3.0]])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / table.sum()
    assert (expected[1, 2:] < stats.MIN_EXPECTED).all()  # c, d and e are rare in the batch
    _, pooled = stats.pool_rare(table, expected)
    assert pooled.min() >= stats.MIN_EXPECTED and pooled.shape[1] == 3  # a, b, then c+d+e
    assert stats.chi2_homogeneity(table).p_value < 1e-6  # a -> b: 60/37 % became 39/56 %


def test_when_nothing_is_left_to_pool_fishers_exact_test_answers() -> None:
    # 1 missing value in 500 rows against none in 2,000: a cell expected at 0.2.
    table = [[0, 2000], [1, 499]]
    result = stats.chi2_homogeneity(table)
    assert result.test == "fisher" and result.statistic is None
    assert result.p_value == pytest.approx(scipy_stats.fisher_exact(table).pvalue, rel=1e-9)
    rng = np.random.default_rng(1)
    for _ in range(200):
        small = rng.integers(0, 30, size=(2, 2))
        assert stats.fisher_exact(small) == pytest.approx(
            scipy_stats.fisher_exact(small).pvalue, rel=1e-9, abs=1e-12
        )


def test_goodness_of_fit_matches_scipy_and_an_impossible_category_gives_zero() -> None:
    observed = [40, 30, 30]
    result = stats.chi2_goodness_of_fit(observed, [1, 1, 1])
    assert result.p_value == pytest.approx(scipy_stats.chisquare(observed).pvalue, rel=1e-9)
    assert stats.chi2_goodness_of_fit([10, 0, 1], [0.5, 0.5, 0.0]).p_value == 0.0


def test_js_distance_is_zero_for_equal_shares_and_one_for_disjoint_ones() -> None:
    assert stats.js_distance([1, 1, 1], [2, 2, 2]) == 0.0
    assert stats.js_distance([1, 0], [0, 1]) == pytest.approx(1.0)
