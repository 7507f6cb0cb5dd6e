"""Chapter 07 checks: 'pas encore fait' on the stub, a hint on a wrong answer, ✅ when right."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from mlops_course.checks import monitoring as checks


def _stub_chi2(reference: pd.Series, production: pd.Series) -> float:
    """What the generated exercise holds: a body of `...`."""
    ...


def _chi2_on_proportions(reference: pd.Series, production: pd.Series) -> float:
    """The chapter's version: proportions instead of counts."""
    ref = reference.value_counts(normalize=True)
    prod = production.value_counts(normalize=True)
    categories = sorted(set(ref.index) | set(prod.index))
    return float(
        stats.chisquare(
            [prod.get(c, 0) for c in categories], [ref.get(c, 0) for c in categories]
        ).pvalue
    )


def _chi2_on_counts(reference: pd.Series, production: pd.Series) -> float:
    table = pd.concat([reference.value_counts(), production.value_counts()], axis=1).fillna(0)
    return float(stats.chi2_contingency(table.T.to_numpy()).pvalue)


@pytest.mark.parametrize(
    ("check", "stub", "wrong", "right"),
    [
        (checks.exercice_1, ..., "panier_moyen", "canal"),
        (checks.exercice_2, _stub_chi2, _chi2_on_proportions, _chi2_on_counts),
        (checks.exercice_3, (..., ...), (1, 3), (2, 3)),
    ],
    ids=["exercice_1", "exercice_2", "exercice_3"],
)
def test_check_refuses_stub_hints_on_wrong_and_accepts_right(
    check, stub, wrong, right, check_contract
) -> None:
    check_contract(check, stub=stub, wrong=wrong, right=right)


def test_exercise_1_explains_the_significant_but_tiny_trap() -> None:
    with pytest.raises(AssertionError, match="significatif n'est pas important"):
        checks.exercice_1("panier_moyen")
    with pytest.raises(AssertionError, match="n'est pas une colonne"):
        checks.exercice_1("prix")
    with pytest.raises(AssertionError, match="une seule colonne"):
        checks.exercice_1(["canal", "age"])
    checks.exercice_1({"canal"})


def test_exercise_1_data_has_one_real_drift() -> None:
    from mlops_course.drift import DriftDetector

    reference, production = checks.donnees_exercice_1()
    report = DriftDetector().fit(reference).compare(production)
    assert report.drifted_columns == ["canal"]
    assert stats.ks_2samp(reference["panier_moyen"], production["panier_moyen"]).pvalue < 0.05


def test_exercise_2_explains_counts_and_reports_learner_errors() -> None:
    with pytest.raises(AssertionError, match="effectifs"):
        checks.exercice_2(_chi2_on_proportions)

    def goodness_of_fit_on_counts(reference: pd.Series, production: pd.Series) -> float:
        return float(stats.chisquare(production.value_counts(), reference.value_counts()).pvalue)

    with pytest.raises(AssertionError, match="votre fonction a levé"):
        checks.exercice_2(goodness_of_fit_on_counts)


@pytest.mark.parametrize(
    ("alert_after", "resolve_after", "hint"),
    [
        (1, 3, "pic isolé"),
        (2, 1, "Augmentez fenetres_pour_resoudre"),
        (5, 3, "aucune alerte"),
        (2, 9, "ne se résout jamais"),
        (0, 3, "entier >= 1"),
    ],
)
def test_exercise_3_hints_say_which_way_to_turn_the_knob(
    alert_after: int, resolve_after: int, hint: str
) -> None:
    with pytest.raises(AssertionError, match=hint):
        checks.exercice_3(alert_after, resolve_after)
