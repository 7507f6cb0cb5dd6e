"""Chapter 07 checks: 'pas encore fait' on the stub, a hint per typical mistake, ✅ when right."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from mlops_course.checks import WrongAnswerError
from mlops_course.checks import monitoring as checks
from mlops_course.drift import adjust_pvalues

# --- exercise 1: the column that really drifts --------------------------------------------


def test_exercise_1_refuses_significant_but_tiny_and_raw_p_value_answers(check_contract) -> None:
    check_contract(
        checks.exercice_1,
        stub=...,
        right="canal",
        wrongs=[
            ("panier_moyen", "significatif n'est pas important"),  # smallest numeric p-value
            (["canal", "panier_moyen"], "une seule colonne"),  # every raw p < 0.05
            (True, "n'est pas un nom de colonne"),  # report.drift_detected
            ("region", "ne dérive pas"),
        ],
    )
    checks.exercice_1({"canal"})  # report.drifted_columns as a set or a list: accepted


def test_exercise_1_data_has_one_real_drift() -> None:
    from mlops_course.drift import DriftDetector

    reference, production = checks.donnees_exercice_1()
    report = DriftDetector().fit(reference).compare(production)
    assert report.drifted_columns == ["canal"]
    assert stats.ks_2samp(reference["panier_moyen"], production["panier_moyen"]).pvalue < 0.05


# --- exercise 2: Chi-2 on counts ----------------------------------------------------------


def _stub_chi2(reference: pd.Series, production: pd.Series) -> float:
    """What the generated exercise holds: a body of `...`."""
    ...


def _chi2_on_counts(reference: pd.Series, production: pd.Series) -> float:
    table = pd.concat([reference.value_counts(), production.value_counts()], axis=1).fillna(0)
    return float(stats.chi2_contingency(table.T.to_numpy()).pvalue)


def _chi2_on_proportions(reference: pd.Series, production: pd.Series) -> float:
    """The chapter's version: chisquare on proportions."""
    ref = reference.value_counts(normalize=True)
    prod = production.value_counts(normalize=True)
    categories = sorted(set(ref.index) | set(prod.index))
    return float(
        stats.chisquare(
            [prod.get(c, 0) for c in categories], [ref.get(c, 0) for c in categories]
        ).pvalue
    )


def _contingency_on_proportions(reference: pd.Series, production: pd.Series) -> float:
    """The right test on the wrong table: shares instead of counts."""
    table = pd.concat(
        [reference.value_counts(normalize=True), production.value_counts(normalize=True)], axis=1
    ).fillna(0)
    return float(stats.chi2_contingency(table.T.to_numpy()).pvalue)


def _unaligned_counts(reference: pd.Series, production: pd.Series) -> float:
    """Counts, but each sorted by frequency: the categories no longer face each other."""
    ref, prod = reference.value_counts().to_numpy(), production.value_counts().to_numpy()
    k = min(len(ref), len(prod))
    return float(stats.chi2_contingency([ref[:k], prod[:k]]).pvalue)


def _statistic_not_p_value(reference: pd.Series, production: pd.Series) -> float:
    table = pd.concat([reference.value_counts(), production.value_counts()], axis=1).fillna(0)
    return float(stats.chi2_contingency(table.T.to_numpy()).statistic)


def test_exercise_2_refuses_proportions_and_unaligned_counts(check_contract) -> None:
    check_contract(
        checks.exercice_2,
        stub=_stub_chi2,
        right=_chi2_on_counts,
        wrongs=[
            (_chi2_on_proportions, "effectifs"),
            (_contingency_on_proportions, "effectifs"),
            (_unaligned_counts, "mal alignés"),
            (_statistic_not_p_value, "on attend une p-value"),
        ],
    )


# --- exercise 3: detecter_drift -----------------------------------------------------------


def _stub_detector(reference: pd.DataFrame, production: pd.DataFrame, **settings: Any) -> None: ...


def _holm_without_cummax(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    out = np.empty_like(p)
    out[order] = np.minimum(p[order] * np.arange(len(p), 0, -1), 1.0)
    return out


def make_detector(
    *,
    correction: str = "holm",
    decide_on: str = "p_corrigee",
    chi2: str = "counts",
    dropna: bool = True,
    effect: str | None = "wasserstein_std",
    hard_coded_threshold: bool = False,
) -> Callable[..., pd.DataFrame]:
    """A learner's detecter_drift; each argument away from its default is a typical mistake."""

    def detecter_drift(
        reference: pd.DataFrame, production: pd.DataFrame, alpha: float = 0.05, effet_min=0.1
    ) -> pd.DataFrame:
        if hard_coded_threshold:
            effet_min = 0.1
        rows = {}
        for column in reference.columns:
            ref, prod = reference[column], production[column]
            missing = int(prod.isna().sum())
            if dropna:
                ref, prod = ref.dropna(), prod.dropna()
            if pd.api.types.is_numeric_dtype(ref):
                p = stats.ks_2samp(ref, prod).pvalue
                size = {
                    "wasserstein_std": lambda r, q: stats.wasserstein_distance(r, q) / r.std(),
                    "wasserstein": stats.wasserstein_distance,
                    "mean_std": lambda r, q: abs(q.mean() - r.mean()) / r.std(),
                    None: lambda r, q: stats.wasserstein_distance(r, q) / r.std(),
                }[effect](ref, prod)
                rows[column] = ("ks", missing, p, size, effet_min)
            else:
                counts = pd.concat([ref.value_counts(), prod.value_counts()], axis=1).fillna(0)
                if chi2 == "counts":
                    p = stats.chi2_contingency(counts.T.to_numpy()).pvalue
                else:  # the chapter's chisquare on proportions
                    shares = counts / counts.sum()
                    p = stats.chisquare(shares.iloc[:, 1], shares.iloc[:, 0]).pvalue
                size = jensenshannon(counts.iloc[:, 0], counts.iloc[:, 1], base=2)
                rows[column] = ("chi2", missing, p, size, checks.SEUIL_JS)
        out = pd.DataFrame.from_dict(
            rows, orient="index", columns=["test", "manquants", "p_value", "effet", "seuil"]
        )
        p = out["p_value"].to_numpy(dtype=float)
        out["p_corrigee"] = {
            "holm": lambda: adjust_pvalues(p, "holm"),
            "bonferroni": lambda: np.minimum(p * len(p), 1.0),
            "bh": lambda: adjust_pvalues(p, "bh"),
            "none": lambda: p,
            "holm_without_cummax": lambda: _holm_without_cummax(p),
        }[correction]()
        significant = out[decide_on] < alpha
        out["drift"] = significant if effect is None else significant & (out.effet >= out.seuil)
        return out.drop(columns="seuil")

    return detecter_drift


def test_exercise_3_refuses_the_typical_detector_mistakes(check_contract) -> None:
    check_contract(
        checks.exercice_3,
        stub=_stub_detector,
        right=make_detector(),
        wrongs=[
            (make_detector(correction="none"), "aucune correction"),
            (make_detector(decide_on="p_value"), "p-value corrigée"),
            (make_detector(correction="holm_without_cummax"), "maximum cumulé"),
            (make_detector(correction="bh"), "ni la correction de Holm ni celle de Bonferroni"),
            (make_detector(chi2="proportions"), "pas sur des proportions"),
            (make_detector(dropna=False), "Un seul NaN"),
            (make_detector(effect=None), "Significatif n'est pas important"),
            (make_detector(effect="mean_std"), "ni une différence de moyennes"),
            (make_detector(effect="wasserstein"), "divisée par l'écart-type"),
            (make_detector(hard_coded_threshold=True), "paramètre effet_min"),
        ],
    )


def test_exercise_3_accepts_bonferroni_as_its_statement_says(capsys) -> None:
    checks.exercice_3(make_detector(correction="bonferroni"))
    assert capsys.readouterr().out.startswith("✅")


def test_exercise_3_reads_a_dict_of_rows_a_transposed_frame_or_a_colonne_field() -> None:
    reference, production = checks.scenario_derive_reelle()
    frame = make_detector()(reference, production)
    columns = list(reference.columns)
    for shape in (
        frame.to_dict(orient="index"),
        frame.T,
        frame.rename_axis("colonne").reset_index(),
    ):
        table = checks._as_table(shape, columns, "test")
        assert table["drift"].to_dict() == frame["drift"].to_dict()


@pytest.mark.parametrize("seed", checks.NULL_SEEDS)
def test_exercise_3_null_batches_keep_a_margin_and_catch_uncorrected_answers(seed: int) -> None:
    reference, production = checks.scenario_sans_drift(seed)
    result = make_detector()(reference, production)
    assert result["p_corrigee"].min() >= 0.35  # a right answer is far from a false alarm
    uncorrected = make_detector(decide_on="p_value")(reference, production)
    assert uncorrected["drift"].sum() >= 2  # an uncorrected one alarms in every batch


def test_exercise_3_reports_the_learners_exception_in_french() -> None:
    def crashes(reference: pd.DataFrame, production: pd.DataFrame, **settings: Any) -> None:
        return stats.ks_2samp(reference["canal"].astype(float), production["canal"])

    with pytest.raises(WrongAnswerError, match="votre fonction a levé"):
        checks.exercice_3(crashes)


# --- exercise 4: tuning ModelMonitor's hysteresis -----------------------------------------


def test_exercise_4_hints_say_which_way_to_turn_the_knob(check_contract) -> None:
    check_contract(
        checks.exercice_4,
        stub=(..., ...),
        right=(2, 3),
        wrongs=[
            ((1, 3), "pic isolé"),
            ((2, 1), "Augmentez fenetres_pour_resoudre"),
            ((5, 3), "aucune alerte"),
            ((2, 9), "ne se résout jamais"),
            ((0, 3), "entier >= 1"),
        ],
    )


# --- exercise 5: a windowed monitor with hysteresis ---------------------------------------


def _stub_monitor(confiances: list[float], **settings: Any) -> None: ...


def make_monitor(
    *,
    realert: bool = False,
    resolve_on_first_good: bool = False,
    reset_bad_streak: bool = True,
    reset_good_streak: bool = True,
    per_prediction: bool = False,
    judge_partial_window: bool = False,
    hard_coded: bool = False,
) -> Callable[..., list[tuple[int, str]]]:
    """A learner's surveiller; each argument away from its default is a typical mistake."""

    def surveiller(
        confiances: list[float],
        taille_fenetre: int = 50,
        seuil: float = 0.7,
        alerter_apres: int = 3,
        resoudre_apres: int = 3,
    ) -> list[tuple[int, str]]:
        if hard_coded:
            taille_fenetre, seuil, alerter_apres, resoudre_apres = 50, 0.7, 3, 3
        if per_prediction:
            means = list(confiances)
        else:
            n = len(confiances) / taille_fenetre
            count = int(np.ceil(n)) if judge_partial_window else int(n)
            means = [
                float(np.mean(confiances[i * taille_fenetre : (i + 1) * taille_fenetre]))
                for i in range(count)
            ]
        events: list[tuple[int, str]] = []
        firing, bad, good = False, 0, 0
        for index, mean in enumerate(means):
            if mean < seuil:
                bad, good = bad + 1, 0 if reset_good_streak else good
                if bad >= alerter_apres and (not firing or realert):
                    firing, good = True, 0
                    events.append((index, checks.DECLENCHEE))
            else:
                good, bad = good + 1, 0 if reset_bad_streak else bad
                if firing and good >= (1 if resolve_on_first_good else resoudre_apres):
                    firing, bad, good = False, 0, 0
                    events.append((index, checks.RESOLUE))
        return events

    return surveiller


def test_exercise_5_refuses_the_typical_monitor_mistakes(check_contract) -> None:
    check_contract(
        checks.exercice_5,
        stub=_stub_monitor,
        right=make_monitor(),
        wrongs=[
            (make_monitor(realert=True), "ni un événement par mauvaise fenêtre"),
            (make_monitor(resolve_on_first_good=True), "ni une résolution dès la première"),
            (make_monitor(reset_bad_streak=False), "remet le compteur de mauvaises"),
            (make_monitor(reset_good_streak=False), "repart de zéro à chaque mauvaise"),
            (make_monitor(per_prediction=True), "pas chaque prédiction une à une"),
            (make_monitor(judge_partial_window=True), "pas encore fermée"),
            (make_monitor(hard_coded=True), "pas des valeurs écrites en dur"),
            (make_monitor(realert=True, reset_bad_streak=False), "pic|compteur|par mauvaise"),
        ],
    )


def test_exercise_5_accepts_unaccented_states_and_lists(capsys) -> None:
    right = make_monitor()

    def plain(confiances: list[float], **settings: Any) -> list[list[Any]]:
        names = {checks.DECLENCHEE: "declenchee", checks.RESOLUE: "resolue"}
        return [[i, names[state]] for i, state in right(confiances, **settings)]

    checks.exercice_5(plain)
    assert capsys.readouterr().out.startswith("✅")


def test_exercise_5_reference_monitor_matches_the_package_alert_rule() -> None:
    """The expected events are the package's: ModelMonitor on the same stream agrees."""
    from mlops_course.monitoring import LOW_CONFIDENCE, ModelMonitor

    means = [0.9] * 4 + [0.5] * 4 + [0.9] + [0.5] * 3 + [0.9] * 5
    stream = checks.flux_confiances(means, 50)
    monitor = ModelMonitor(window_size=50, confidence_threshold=0.7, log_events=False)
    monitor.record_many({"confidence": c, "prediction": 0} for c in stream)
    package = [
        (e["fenetre"], checks.DECLENCHEE if e["etat"] == "firing" else checks.RESOLUE)
        for e in monitor.alerts()
        if e["type"] == LOW_CONFIDENCE
    ]
    assert (
        package
        == checks.evenements_attendus(stream, 50, 0.7, 3, 3)
        == [
            (6, checks.DECLENCHEE),
            (14, checks.RESOLUE),
        ]
    )
