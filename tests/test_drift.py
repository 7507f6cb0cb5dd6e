"""Drift detection (chapter 07): right statistics, robust to bad data, fast on repeats."""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlops_course.drift import STATUS_LABELS, DriftDetector, adjust_pvalues, detect_drift

matplotlib.use("Agg")

N_NUMERIC, N_CATEGORICAL = 40, 10
CATEGORY_SIZES = [3 + j for j in range(N_CATEGORICAL)]


def _table(rng: np.random.Generator, n: int, *, shift: float = 0.0) -> pd.DataFrame:
    """50 independent columns: normal, skewed, discrete numbers and categories."""
    columns: dict[str, object] = {}
    normal = rng.normal(size=(n, 30))
    normal[:, 0] += shift
    for j in range(30):
        columns[f"x{j}"] = normal[:, j]
    for j in range(5):
        columns[f"l{j}"] = rng.lognormal(0.0, 0.5, n)
    for j in range(5):
        columns[f"p{j}"] = rng.poisson(4, n)
    for j, k in enumerate(CATEGORY_SIZES):
        weights = np.arange(1, k + 1) / (k * (k + 1) / 2)
        codes = np.searchsorted(np.cumsum(weights), rng.random(n) * 0.999999)
        columns[f"c{j}"] = pd.Categorical.from_codes(codes, [f"v{i}" for i in range(k)])
    return pd.DataFrame(columns)


@pytest.fixture(scope="module")
def fitted() -> DriftDetector:
    """A detector fitted once on 20,000 reference rows of the 50-column table."""
    return DriftDetector().fit(_table(np.random.default_rng(0), 20_000))


def chapter_example(seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    reference = pd.DataFrame(
        {
            "age": rng.normal(35, 10, 1000),
            "revenu": rng.normal(45000, 15000, 1000),
            "nb_achats": rng.poisson(5, 1000),
        }
    )
    production = pd.DataFrame(
        {
            "age": rng.normal(28, 8, 500),
            "revenu": rng.normal(44000, 15000, 500),
            "nb_achats": rng.poisson(5, 500),
        }
    )
    return reference, production


# --------------------------------------------------------------------------- the chapter


def test_chapter_example_drifts_on_age_only() -> None:
    reference, production = chapter_example()
    report = DriftDetector().fit(reference).compare(production)
    assert report.drifted_columns == ["age"]
    assert report.columns["age"].status == "drift"
    assert report.columns["age"].test == "ks"
    assert report.columns["age"].current_mean < report.columns["age"].reference_mean
    assert report.columns["revenu"].status == "ok"
    assert report.drift_detected is True
    assert report.share_drifted == pytest.approx(1 / 3)
    assert report.action_required is True  # 1/3 > 30 %, the chapter's rule


def test_report_is_data_first_json_and_frame() -> None:
    reference, production = chapter_example()
    report = DriftDetector().fit(reference).compare(production)
    as_dict = json.loads(json.dumps(report.to_dict()))
    assert as_dict["summary"]["drifted_columns"] == ["age"]
    assert set(as_dict["columns"]["age"]) >= {
        "drift",
        "status",
        "test",
        "statistic",
        "p_value",
        "effect",
    }
    frame = report.to_frame()
    assert list(frame.index) == ["age", "revenu", "nb_achats"]
    assert frame.loc["age", "drift"]
    # codes stay stable for programs; people read the French label beside them
    assert set(frame["status_label"]) <= set(STATUS_LABELS.values())
    assert frame.loc["age", "status_label"] == STATUS_LABELS[frame.loc["age", "status"]]
    assert report.summary()["status_label"] == STATUS_LABELS[report.status]


def test_plots_draw_on_the_agg_backend() -> None:
    reference, production = chapter_example()
    detector = DriftDetector().fit(reference)
    ax = detector.compare(production).plot()
    assert len(ax.patches) >= 3  # one bar per column (plus the legend's swatches)
    assert "sans unité" in ax.get_xlabel() and ax.get_ylabel() == "colonne"
    legend = {text.get_text() for text in ax.get_legend().get_texts()}
    assert legend <= set(STATUS_LABELS.values())
    column = detector.plot_column(production, "age", unit="ans")
    assert column.get_title() == "age"
    assert (column.get_xlabel(), column.get_ylabel()) == (
        "age (ans)",
        "densité (1/ans)",
    )
    assert "unité" in detector.plot_column(production, "revenu").get_xlabel()
    import matplotlib.pyplot as plt

    plt.close("all")


def test_detect_drift_shortcut_keeps_the_chapter_parameter_name() -> None:
    reference, production = chapter_example()
    report = detect_drift(reference, production, seuil_pvalue=0.01)
    assert report.alpha == 0.01
    assert report.drifted_columns == ["age"]


# --------------------------------------------------------------------------- statistics


def test_no_drift_on_50_columns_alarms_in_at_most_5_percent_of_batches(
    fitted: DriftDetector,
) -> None:
    rng = np.random.default_rng(1)
    alarms = sum(fitted.compare(_table(rng, 1000)).drift_detected for _ in range(200))
    assert alarms / 200 <= 0.05


def test_uncorrected_pvalue_rule_alarms_on_most_null_batches(fitted: DriftDetector) -> None:
    naive = DriftDetector(correction="none", effect_threshold=0.0, js_threshold=0.0)
    naive.profiles_, naive.n_reference_ = fitted.profiles_, fitted.n_reference_
    rng = np.random.default_rng(2)
    alarms = sum(naive.compare(_table(rng, 1000)).drift_detected for _ in range(60))
    assert alarms / 60 >= 0.8


def test_a_0_2_sd_shift_of_one_column_is_found_in_90_percent_of_1000_row_batches(
    fitted: DriftDetector,
) -> None:
    rng = np.random.default_rng(3)
    found = sum(
        fitted.compare(_table(rng, 1000, shift=0.2)).columns["x0"].drift for _ in range(200)
    )
    assert found / 200 >= 0.90


def test_tiny_shift_on_a_million_rows_is_significant_but_not_drift() -> None:
    rng = np.random.default_rng(4)
    reference = pd.DataFrame({"x": rng.normal(size=1_000_000)})
    current = pd.DataFrame({"x": rng.normal(0.01, 1.0, size=1_000_000)})
    naive = stats.ks_2samp(reference["x"], current["x"])
    result = DriftDetector().fit(reference).compare(current).columns["x"]
    assert naive.pvalue < 0.05  # the chapter's rule would alarm
    assert result.p_value < 0.05
    assert result.effect < 0.1
    assert result.status == "ok" and not result.drift


def test_ks_statistic_and_pvalue_match_scipy() -> None:
    rng = np.random.default_rng(5)
    reference = pd.DataFrame({"x": rng.normal(size=1500), "k": rng.poisson(3, 1500)})
    current = pd.DataFrame({"x": rng.normal(0.15, 1.0, size=700), "k": rng.poisson(3.3, 700)})
    report = DriftDetector().fit(reference).compare(current)
    for column in ("x", "k"):
        expected = stats.ks_2samp(reference[column], current[column], method="asymp")
        assert report.columns[column].statistic == pytest.approx(expected.statistic, abs=1e-12)
        assert report.columns[column].p_value == pytest.approx(expected.pvalue, rel=0.05)
        wasserstein = stats.wasserstein_distance(reference[column], current[column])
        effect = wasserstein / reference[column].std(ddof=0)
        assert report.columns[column].effect == pytest.approx(effect, rel=1e-9)


def test_quantile_sketch_agrees_with_the_full_reference() -> None:
    rng = np.random.default_rng(6)
    reference = pd.DataFrame({"x": rng.lognormal(size=200_000)})
    current = pd.DataFrame({"x": rng.lognormal(0.05, 1.0, size=3000)})
    detector = DriftDetector(sketch_size=2001).fit(reference)
    assert detector.profiles_["x"].mode == "sketch"
    result = detector.compare(current).columns["x"]
    expected = stats.ks_2samp(reference["x"], current["x"], method="asymp")
    assert result.statistic == pytest.approx(expected.statistic, abs=1e-3)
    wasserstein = stats.wasserstein_distance(reference["x"], current["x"])
    assert result.effect == pytest.approx(wasserstein / reference["x"].std(ddof=0), rel=0.02)


def test_categorical_shift_missed_by_chisquare_on_proportions_is_detected() -> None:
    rng = np.random.default_rng(7)
    reference = pd.DataFrame(
        {"canal": rng.choice(["web", "magasin", "tel"], 5000, p=[0.5, 0.3, 0.2])}
    )
    current = pd.DataFrame(
        {"canal": rng.choice(["web", "magasin", "tel"], 2000, p=[0.35, 0.35, 0.3])}
    )
    ref_props = reference["canal"].value_counts(normalize=True)
    cur_props = current["canal"].value_counts(normalize=True).reindex(ref_props.index)
    naive = stats.chisquare(cur_props.to_numpy(), ref_props.to_numpy())
    assert naive.pvalue > 0.05  # the chapter's test sees nothing
    result = DriftDetector().fit(reference).compare(current).columns["canal"]
    assert result.test == "chi2"
    assert result.drift and result.status == "drift"
    assert result.p_value < 1e-6


def test_binary_flip_from_50_50_to_0_100_is_drift() -> None:
    reference = pd.DataFrame({"b": ["oui", "non"] * 500})
    current = pd.DataFrame({"b": ["oui"] * 400})
    naive = stats.chisquare([1.0, 0.0], [0.5, 0.5])
    assert naive.pvalue > 0.05
    result = DriftDetector().fit(reference).compare(current).columns["b"]
    assert result.drift
    assert result.effect > 0.5


def test_holm_bonferroni_and_bh_adjustments() -> None:
    p = [0.01, 0.04, 0.03, 0.005]
    assert adjust_pvalues(p, "bonferroni") == pytest.approx([0.04, 0.16, 0.12, 0.02])
    assert adjust_pvalues(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust_pvalues(p, "bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert adjust_pvalues(p, "none") == pytest.approx(p)
    with pytest.raises(ValueError, match="method doit être l'une des valeurs"):
        adjust_pvalues(p, "sidak")


# --------------------------------------------------------------------------- robustness


def test_one_nan_does_not_hide_a_one_sd_shift() -> None:
    rng = np.random.default_rng(8)
    reference = pd.DataFrame({"x": rng.normal(size=2000)})
    shifted = rng.normal(1.0, 1.0, size=500)
    shifted[17] = np.nan
    current = pd.DataFrame({"x": shifted})
    assert np.isnan(stats.ks_2samp(reference["x"], current["x"]).pvalue)  # the chapter's trap
    result = DriftDetector().fit(reference).compare(current).columns["x"]
    assert result.drift and result.status == "drift"
    assert result.n_current == 499
    assert result.missing_current == pytest.approx(1 / 500)


def test_missing_values_drift_on_their_own() -> None:
    rng = np.random.default_rng(9)
    reference = pd.DataFrame({"x": rng.normal(size=2000)})
    values = rng.normal(size=1000)
    values[rng.random(1000) < 0.2] = np.nan
    result = DriftDetector().fit(reference).compare(pd.DataFrame({"x": values})).columns["x"]
    assert result.status == "missing_drift" and result.drift
    assert result.missing_reference == 0.0
    assert result.missing_current == pytest.approx(0.2, abs=0.03)


def test_all_missing_or_infinite_values_never_read_as_no_drift() -> None:
    rng = np.random.default_rng(10)
    detector = DriftDetector().fit(pd.DataFrame({"x": rng.normal(size=500)}))
    for bad in (np.full(200, np.nan), np.full(200, np.inf), np.array(["n/a"] * 200, dtype=object)):
        result = detector.compare(pd.DataFrame({"x": bad})).columns["x"]
        assert result.status == "missing_drift" and result.drift, bad[:1]


def test_new_categories_get_their_own_status() -> None:
    rng = np.random.default_rng(11)
    reference = pd.DataFrame({"pays": rng.choice(["FR", "BE", "CH"], 3000)})
    current = pd.DataFrame(
        {"pays": np.concatenate([rng.choice(["FR", "BE", "CH"], 960), ["CA"] * 40])}
    )
    result = DriftDetector().fit(reference).compare(current).columns["pays"]
    assert result.status == "new_category" and result.drift
    assert result.new_categories == ("CA",)
    assert result.new_category_share == pytest.approx(0.04)


def test_empty_or_tiny_batches_are_insufficient_data() -> None:
    reference, production = chapter_example()
    detector = DriftDetector().fit(reference)
    for batch in (production.iloc[:0], production.iloc[:10]):
        report = detector.compare(batch)
        assert report.status == "insufficient_data"
        assert report.drift_detected is False
        assert {r.status for r in report.columns.values()} == {"insufficient_data"}


class _BrokenSensor:
    """A value that fails whenever it is hashed, compared or printed."""

    def __hash__(self) -> int:
        raise RuntimeError("capteur en panne")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("capteur en panne")

    def __str__(self) -> str:
        raise RuntimeError("capteur en panne")


def test_one_bad_column_never_breaks_the_report() -> None:
    reference, production = chapter_example()
    reference["segment"] = ["a", "b"] * 500
    detector = DriftDetector().fit(reference)
    broken = production.assign(segment=[_BrokenSensor()] * len(production))
    report = detector.compare(broken.drop(columns=["nb_achats"]))
    assert report.columns["segment"].status == "error"
    assert "capteur en panne" in report.columns["segment"].message
    assert report.columns["nb_achats"].status == "missing_column"
    assert report.columns["age"].status == "drift"
    assert report.errors == {"segment": report.columns["segment"].message}


def test_extra_columns_are_listed_not_tested() -> None:
    reference, production = chapter_example()
    report = DriftDetector().fit(reference).compare(production.assign(nouveau=1.0))
    assert report.extra_columns == ("nouveau",)
    assert "nouveau" not in report.columns


# --------------------------------------------------------------------------- settings


def test_kinds_are_inferred_from_dtypes_unless_given() -> None:
    frame = pd.DataFrame(
        {
            "n": [1.0, 2.0, 3.0],
            "i": [1, 2, 3],
            "s": ["a", "b", "c"],
            "b": [True, False, True],
            "c": pd.Categorical(["x", "y", "x"]),
            "t": pd.to_datetime(["2026-01-01"] * 3),
        }
    )
    detector = DriftDetector().fit(frame)
    kinds = {name: profile.kind for name, profile in detector.profiles_.items()}
    assert kinds == {
        "n": "numeric",
        "i": "numeric",
        "s": "categorical",
        "b": "categorical",
        "c": "categorical",
    }
    assert detector.ignored_columns_ == ["t"]
    forced = DriftDetector(categorical_columns=["i"]).fit(frame)
    assert forced.profiles_["i"].kind == "categorical"


def test_settings_errors_name_the_argument_and_value() -> None:
    with pytest.raises(ValueError, match=r"alpha doit être dans \]0, 1\[, reçu 1.5"):
        DriftDetector(alpha=1.5)
    with pytest.raises(ValueError, match="correction doit être l'une des valeurs"):
        DriftDetector(correction="sidak")
    with pytest.raises(ValueError, match="à la fois numériques et catégorielles"):
        DriftDetector(numeric_columns=["a"], categorical_columns=["a"])
    with pytest.raises(ValueError, match="critical_columns absentes des données de référence"):
        DriftDetector(critical_columns=["zz"]).fit(pd.DataFrame({"a": [1.0, 2.0]}))
    with pytest.raises(RuntimeError, match="pas encore ajusté"):
        DriftDetector().compare(pd.DataFrame({"a": [1.0]}))


def test_a_critical_column_drift_requires_action() -> None:
    rng = np.random.default_rng(12)
    reference = pd.DataFrame({f"x{j}": rng.normal(size=2000) for j in range(10)})
    current = pd.DataFrame({f"x{j}": rng.normal(size=800) for j in range(10)})
    current["x3"] += 0.5
    plain = DriftDetector().fit(reference).compare(current)
    assert plain.drifted_columns == ["x3"] and not plain.action_required
    critical = DriftDetector(critical_columns=["x3"]).fit(reference).compare(current)
    assert critical.action_required and critical.critical_drifted == ["x3"]


def test_reference_profile_round_trips_through_json(tmp_path) -> None:
    reference, production = chapter_example()
    reference["segment"] = ["a", "b", "c", "d"] * 250
    production["segment"] = ["a", "b"] * 250
    detector = DriftDetector(critical_columns=["age"]).fit(reference)
    path = detector.save(tmp_path / "reference.json")
    loaded = DriftDetector.load(path)
    assert loaded.get_params() == detector.get_params()
    assert loaded.compare(production).to_dict() == detector.compare(production).to_dict()
    with pytest.raises(ValueError, match="pas une référence de drift"):
        DriftDetector.from_dict({"format": "other"})


def test_a_mapping_of_float_arrays_gives_the_dataframe_report(fitted: DriftDetector) -> None:
    batch = _table(np.random.default_rng(21), 300, shift=0.4)
    numeric = batch[[c for c in batch.columns if not c.startswith("c")]].astype(float)
    numeric.iloc[::7, 3] = np.nan
    arrays = {name: numeric[name].to_numpy() for name in numeric.columns}
    arrays["unknown"] = np.ones(len(numeric))
    fast = fitted.compare(arrays)  # read as is, no DataFrame built
    slow = fitted.compare(numeric.assign(unknown=1.0))
    assert fast.to_dict() == slow.to_dict()
    assert {"x0", "x3"} <= set(fast.drifted_columns)  # x0 shifted, x3 has missing values
    assert not {"x1", "l0", "p0"} & set(fast.drifted_columns)
    assert fast.columns["c0"].status == "missing_column"
    assert fast.extra_columns == ("unknown",)


def test_threads_give_the_same_report(fitted: DriftDetector) -> None:
    batch = _table(np.random.default_rng(13), 1000, shift=0.3)
    threaded = DriftDetector(n_jobs=2)
    threaded.profiles_, threaded.n_reference_ = fitted.profiles_, fitted.n_reference_
    assert threaded.compare(batch).to_dict() == fitted.compare(batch).to_dict()


@pytest.mark.parametrize("rounding", [None, 1], ids=["continuous", "rounded-batch"])
def test_large_batches_binned_on_the_sketch_agree_with_scipy(rounding: int | None) -> None:
    rng = np.random.default_rng(14)
    reference = pd.DataFrame({"x": rng.lognormal(size=100_000)})
    batch = rng.lognormal(0.03, 1.0, size=60_000)
    current = pd.DataFrame({"x": batch if rounding is None else batch.round(rounding)})
    result = DriftDetector().fit(reference).compare(current).columns["x"]
    expected = stats.ks_2samp(reference["x"], current["x"], method="asymp")
    assert result.statistic == pytest.approx(expected.statistic, abs=1e-3)
    wasserstein = stats.wasserstein_distance(reference["x"], current["x"])
    # the sketch keeps 2,001 quantiles: heavy tails cost about 1 % of the distance
    assert result.effect == pytest.approx(wasserstein / reference["x"].std(ddof=0), rel=0.02)
