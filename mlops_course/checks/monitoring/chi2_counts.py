"""Checks of notebook 07_monitoring_drift, exercise 2: the Chi-2 test of homogeneity on
counts aligned by category, on shifts that a test on proportions misses.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from mlops_course.checks import call, expect, success


def _binary_flip() -> tuple[pd.Series, pd.Series]:
    return pd.Series(["oui", "non"] * 500), pd.Series(["oui"] * 400)


def _channels(
    seed: int, sizes: tuple[int, int], shares: tuple[list[float], list[float]]
) -> tuple[pd.Series, pd.Series]:
    """Sales channels of a reference and a current batch, drawn with the given shares."""
    rng = np.random.default_rng(seed)
    values = ["web", "magasin", "telephone"]
    return tuple(  # type: ignore[return-value]
        pd.Series(rng.choice(values, size, p=p)) for size, p in zip(sizes, shares, strict=True)
    )


def _same_distribution() -> tuple[pd.Series, pd.Series]:
    return _channels(7, (2000, 500), ([0.5, 0.3, 0.2], [0.5, 0.3, 0.2]))


def _moderate_shift() -> tuple[pd.Series, pd.Series]:
    return _channels(8, (5000, 2000), ([0.5, 0.3, 0.2], [0.38, 0.34, 0.28]))


def _reversed_shares() -> tuple[pd.Series, pd.Series]:
    """The most frequent channel becomes the rarest: counts must be aligned by category."""
    return _channels(10, (3000, 1000), ([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]))


def _new_category() -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(9)
    values = ["FR", "BE", "CH"]
    return (
        pd.Series(rng.choice(values, 3000)),
        pd.Series(list(rng.choice(values, 450)) + ["CA"] * 50),
    )


def exercice_2(test_chi2: Callable[[pd.Series, pd.Series], float]) -> None:
    """The learner writes a Chi-2 test of homogeneity on counts; returns the p-value."""
    cases = [
        ("50/50 → 0/100", _binary_flip, "low"),
        ("même distribution", _same_distribution, "high"),
        ("50/30/20 → 38/34/28", _moderate_shift, "low"),
        ("50/30/20 → 20/30/50", _reversed_shares, "low"),
        ("catégorie nouvelle", _new_category, "low"),
    ]
    for name, make, expected in cases:
        reference, production = make()
        p_value = call(test_chi2, reference, production, what="Exercice 2")
        expect(
            isinstance(p_value, float | int | np.floating) and 0.0 <= float(p_value) <= 1.0,
            f"cas « {name} » : on attend une p-value (un nombre entre 0 et 1), reçu {p_value!r}. "
            "chi2_contingency renvoie un résultat dont la p-value est l'attribut `.pvalue`.",
        )
        p_value = float(p_value)
        if expected == "low":
            expect(
                not math.isnan(p_value) and p_value < 1e-4,
                f"cas « {name} » : p = {p_value:.3g}, le drift n'est pas vu. Testez-vous des "
                "proportions, ou des effectifs mal alignés ? Le Chi-2 se calcule sur des "
                "effectifs : un tableau 2 × K (référence, production) de value_counts() sans "
                "normalize, aligné catégorie par catégorie (concat ou reindex, 0 pour une "
                "catégorie absente), passé à scipy.stats.chi2_contingency.",
            )
        else:
            expect(
                p_value > 0.01,
                f"cas « {name} » : p = {p_value:.3g} alors que les deux échantillons viennent de "
                "la même distribution. Comparez-vous bien des effectifs alignés catégorie par "
                "catégorie ?",
            )
    success("Votre Chi-2 sur les effectifs voit les drifts que la version naïve manquait.")
