"""Checks of notebook 07_monitoring_drift, exercise 1: name the column that really drifts
(with ``DriftDetector``) among 50,000 clients where another one is only significant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from mlops_course.checks import expect, require, success

#: Columns of exercise 1; only ``canal`` really drifts.
EXERCISE_1_DRIFT = "canal"
#: Significant with 50,000 rows, but a shift of 0.03 standard deviation: not a drift.
EXERCISE_1_TRAP = "panier_moyen"


def donnees_exercice_1() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference and production data of exercise 1 (50,000 clients each, fixed seed)."""
    rng = np.random.default_rng(2026)
    n = 50_000

    def clients(canal: list[float], panier_shift: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "age": rng.normal(40, 12, n).round(),
                "revenu": rng.lognormal(10.6, 0.4, n).round(-1),
                "nb_achats": rng.poisson(5, n),
                "panier_moyen": rng.normal(60 + panier_shift * 15, 15, n),
                "anciennete": rng.exponential(3.0, n),
                "canal": rng.choice(["web", "magasin", "telephone"], n, p=canal),
                "region": rng.choice(["nord", "sud", "est", "ouest"], n),
            }
        )

    reference = clients([0.5, 0.3, 0.2], 0.0)
    production = clients([0.38, 0.34, 0.28], 0.03)
    return reference, production


def exercice_1(colonne: Any) -> None:
    """The learner names the column that drifts for real."""
    colonne = require(colonne, "Exercice 1")
    reference, _ = donnees_exercice_1()
    if not isinstance(colonne, str) and isinstance(colonne, Iterable):
        names = sorted(str(c) for c in colonne)
        expect(
            len(names) == 1,
            f"une seule colonne dérive vraiment, vous en proposez {len(names)} : {names}. "
            "Une p-value basse ne suffit pas : ne gardez que les colonnes dont "
            "rapport.columns[nom].drift est vrai (rapport.drifted_columns).",
        )
        colonne = names[0]
    expect(
        isinstance(colonne, str) and colonne in reference.columns,
        f"{colonne!r} n'est pas un nom de colonne ; les colonnes sont {list(reference.columns)}.",
    )
    expect(
        colonne != EXERCISE_1_TRAP,
        f"{EXERCISE_1_TRAP!r} a une p-value minuscule (50 000 lignes !), mais son effet "
        "(Wasserstein / écart-type) est bien sous le seuil de 0,1 : "
        "significatif n'est pas important. Regardez la colonne `effect` de rapport.to_frame().",
    )
    expect(
        colonne == EXERCISE_1_DRIFT,
        f"{colonne!r} ne dérive pas. Ajustez DriftDetector sur la référence, comparez la "
        "production, et lisez rapport.drifted_columns (pensez aux colonnes catégorielles).",
    )
    success(f"C'est bien {EXERCISE_1_DRIFT!r} qui dérive : le canal de vente a changé.")
