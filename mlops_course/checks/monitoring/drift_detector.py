"""Checks of notebook 07_monitoring_drift, exercise 3: ``detecter_drift`` (KS, Chi-2 on
counts, Holm and an effect size) run on scenarios the learner does not see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlops_course.checks import expect, fail, success
from mlops_course.checks.monitoring import drift_scenarios as scenarios
from mlops_course.checks.monitoring.drift_verdicts import (
    _check_rule,
    _check_structure,
    _run_detector,
)


def exercice_3(detecter_drift: Callable[..., Any]) -> None:
    """The learner writes detecter_drift (KS + Chi-2 on counts + Holm + effect size).

    Scenarios, in order: real drifts (effects, correction, verdicts), missing values, 50
    columns without drift over several seeds, a negligible shift on a million rows, and the
    real drifts again with another ``effet_min`` (a threshold written in the code).
    """
    reference, production = scenarios.scenario_derive_reelle()
    scenario = "scénario « dérives réelles »"
    table = _run_detector(detecter_drift, reference, production, scenario)
    _check_structure(table, reference, production, scenario)
    missed = [c for c in scenarios.REAL_DRIFTS if not table.at[c, "drift"]]
    if "canal" in missed:
        raise fail(
            f"Exercice 3, {scenario} : le canal de vente a vraiment changé et votre fonction ne "
            "le voit pas. Le Chi-2 se calcule sur des effectifs alignés (chi2_contingency sur un "
            "tableau 2 × K), pas sur des proportions (chisquare sur des proportions ne se "
            "déclenche jamais)."
        )
    _check_rule(table, reference, 0.05, 0.1, scenario)
    expect(
        not missed,
        f"Exercice 3, {scenario} : des colonnes qui dérivent vraiment ne sont pas vues : "
        f"{missed}. Relisez le test et l'effet de ces colonnes.",
    )
    wrong = [
        c for c in reference.columns if c not in scenarios.REAL_DRIFTS and table.at[c, "drift"]
    ]
    expect(not wrong, f"Exercice 3, {scenario} : fausse alerte sur {wrong}.")

    reference, production = scenarios.scenario_valeurs_manquantes()
    scenario = "scénario « valeurs manquantes »"
    table = _run_detector(detecter_drift, reference, production, scenario)
    _check_structure(table, reference, production, scenario)
    _check_rule(table, reference, 0.05, 0.1, scenario)
    expect(
        bool(table.at["revenu", "drift"]) and not table["drift"].drop("revenu").any(),
        f"Exercice 3, {scenario} : le revenu baisse de 15 % (seule vraie dérive) ; vos "
        f"verdicts : {table['drift'].to_dict()}. Les tests portent sur les valeurs présentes.",
    )

    for seed in scenarios.NULL_SEEDS:
        reference, production = scenarios.scenario_sans_drift(seed)
        scenario = f"scénario « 50 colonnes sans drift » (lot {seed})"
        table = _run_detector(detecter_drift, reference, production, scenario)
        if table["drift"].any():
            flagged = table.index[table["drift"]].tolist()
            raise fail(
                f"Exercice 3, {scenario} : aucune colonne ne dérive, et votre fonction signale "
                f"{flagged[:5]}. Sur 50 colonnes, « p < 0,05 » sans correction sonne presque à "
                "chaque lot : décidez avec la p-value corrigée (Holm) de tout le lot."
            )

    reference, production = scenarios.scenario_million_de_lignes()
    scenario = "scénario « un million de lignes »"
    table = _run_detector(detecter_drift, reference, production, scenario)
    expect(
        not bool(table.at["panier_moyen", "drift"]),
        f"Exercice 3, {scenario} : le panier moyen bouge de 0,02 écart-type, ce qui ne compte "
        "pour personne ; sur un million de lignes, KS le trouve pourtant significatif. "
        "Significatif n'est pas important : exigez aussi un effet ≥ effet_min "
        "(Wasserstein / écart-type de la référence).",
    )

    reference, production = scenarios.scenario_derive_reelle()
    scenario = "scénario « dérives réelles » avec effet_min=0.8"
    table = _run_detector(detecter_drift, reference, production, scenario, effet_min=0.8)
    _check_rule(
        table,
        reference,
        0.05,
        0.8,
        scenario,
        note=" Lisez le seuil dans le paramètre effet_min, pas une valeur écrite en dur.",
    )
    success(
        "Votre detecter_drift voit les vraies dérives (nombres, catégories, avec des manquants) "
        f"et reste muet sur {len(scenarios.NULL_SEEDS)} lots de 50 colonnes sans drift et sur "
        "un décalage négligeable d'un million de lignes."
    )
