"""Checks for notebook 07 (drift detection and monitoring), and the exercises' data."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from mlops_course.checks import call, expect, require, success

#: Columns of exercise 1; only ``canal`` really drifts.
EXERCISE_1_DRIFT = "canal"
#: Significant with 50,000 rows, but a shift of 0.03 standard deviation: not a drift.
EXERCISE_1_TRAP = "panier_moyen"
#: Predictions per window in exercise 3, and the window of its isolated glitch.
EXERCISE_3_WINDOW = 50
EXERCISE_3_GLITCH = 8


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
            "Ne gardez que celles dont report.columns[nom].drift est vrai.",
        )
        colonne = names[0]
    expect(
        colonne in reference.columns,
        f"{colonne!r} n'est pas une colonne ; les colonnes sont {list(reference.columns)}.",
    )
    expect(
        colonne != EXERCISE_1_TRAP,
        f"{EXERCISE_1_TRAP!r} a une p-value minuscule (50 000 lignes !), mais son effet "
        "(Wasserstein / écart-type) est d'environ 0,03, bien sous le seuil de 0,1 : "
        "significatif n'est pas important. Regardez la colonne `effect` de report.to_frame().",
    )
    expect(
        colonne == EXERCISE_1_DRIFT,
        f"{colonne!r} ne dérive pas. Ajustez DriftDetector sur la référence, comparez la "
        "production, et lisez report.drifted_columns (pensez aux colonnes catégorielles).",
    )
    success(f"C'est bien {EXERCISE_1_DRIFT!r} qui dérive : le canal de vente a changé.")


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
        ("catégorie nouvelle", _new_category, "low"),
    ]
    for name, make, expected in cases:
        reference, production = make()
        p_value = call(test_chi2, reference, production, what="Exercice 2")
        expect(
            isinstance(p_value, float | int | np.floating) and 0.0 <= float(p_value) <= 1.0,
            f"cas « {name} » : on attend une p-value (un nombre entre 0 et 1), reçu {p_value!r}.",
        )
        p_value = float(p_value)
        if expected == "low":
            expect(
                not math.isnan(p_value) and p_value < 1e-4,
                f"cas « {name} » : p = {p_value:.3g}, le drift n'est pas vu. Testez-vous des "
                "proportions ? Le Chi-2 se calcule sur des effectifs : construisez un tableau "
                "2 × K (référence, production) avec value_counts() sans normalize, alignez les "
                "catégories (fill_value=0) et passez-le à scipy.stats.chi2_contingency.",
            )
        else:
            expect(
                p_value > 0.01,
                f"cas « {name} » : p = {p_value:.3g} alors que les deux échantillons viennent de "
                "la même distribution. Comparez-vous bien des effectifs alignés catégorie par "
                "catégorie ?",
            )
    success("Votre Chi-2 sur les effectifs voit les drifts que la version naïve manquait.")


def flux_exercice_3() -> list[float]:
    """Mean confidence of each window of the stream of exercise 3 (50 predictions each)."""
    normal, glitch = 0.93, 0.6
    dip = [0.55, 0.58, 0.9, 0.52, 0.5, 0.56, 0.6]
    return [normal] * EXERCISE_3_GLITCH + [glitch] + [normal] * 6 + dip + [normal] * 8


def _run_stream(alert_after: int, resolve_after: int) -> list[dict[str, Any]]:
    from mlops_course.monitoring import LOW_CONFIDENCE, ModelMonitor

    monitor = ModelMonitor(
        window_size=EXERCISE_3_WINDOW,
        alert_after=alert_after,
        resolve_after=resolve_after,
        log_events=False,
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for index, confidence in enumerate(flux_exercice_3()):
        monitor.record_many(
            {
                "prediction_id": f"w{index}-{i}",
                "timestamp": (start + timedelta(minutes=index, seconds=i)).isoformat(),
                "prediction": 0,
                "label": "setosa",
                "confidence": confidence,
            }
            for i in range(EXERCISE_3_WINDOW)
        )
    return [e for e in monitor.alerts() if e["type"] == LOW_CONFIDENCE]


def exercice_3(fenetres_pour_alerter: Any, fenetres_pour_resoudre: Any) -> None:
    """The learner tunes the alert so that the dip gives one alert, resolved at the end."""
    alert_after = require(fenetres_pour_alerter, "Exercice 3 (fenetres_pour_alerter)")
    resolve_after = require(fenetres_pour_resoudre, "Exercice 3 (fenetres_pour_resoudre)")
    for name, value in (
        ("fenetres_pour_alerter", alert_after),
        ("fenetres_pour_resoudre", resolve_after),
    ):
        expect(
            isinstance(value, int) and not isinstance(value, bool) and value >= 1,
            f"{name} doit être un entier >= 1, reçu {value!r}.",
        )
    events = _run_stream(alert_after, resolve_after)
    firing = [e for e in events if e["etat"] == "firing"]
    resolved = [e for e in events if e["etat"] == "resolved"]
    glitch = EXERCISE_3_GLITCH
    expect(
        not any(e["fenetre"] == glitch for e in firing),
        f"le pic isolé (fenêtre {glitch}) déclenche une alerte : une seule fenêtre basse ne "
        "doit pas suffire, augmentez fenetres_pour_alerter.",
    )
    expect(
        len(firing) >= 1,
        "le creux ne déclenche aucune alerte : avec autant de fenêtres exigées, la vraie baisse "
        "passe inaperçue. Diminuez fenetres_pour_alerter.",
    )
    expect(
        len(firing) == 1,
        f"le creux donne {len(firing)} alertes (fenêtres {[e['fenetre'] for e in firing]}) : "
        "l'alerte se résout sur la fenêtre normale au milieu du creux, puis repart. "
        "Augmentez fenetres_pour_resoudre.",
    )
    expect(
        len(resolved) == 1,
        "l'alerte ne se résout jamais : le flux finit par 8 fenêtres normales, "
        "fenetres_pour_resoudre doit être au plus 8.",
    )
    success(
        f"Une alerte (fenêtre {firing[0]['fenetre']}), résolue à la fenêtre "
        f"{resolved[0]['fenetre']} : le pic isolé est ignoré."
    )
