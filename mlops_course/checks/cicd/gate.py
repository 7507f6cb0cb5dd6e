"""Checks of notebook 06_ci_cd, exercise 1: a performance test that blocks exactly what the
chapter's gate blocks, on held-out data where accuracy alone or F1 alone judge wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlops_course import cicd
from mlops_course.checks import NotDoneError, expect, fail, require, success
from mlops_course.checks.cicd.running import _is_stub, _outcome


def _metrics(verdict: cicd.GateResult) -> str:
    return ", ".join(f"{name} {value:.4f}" for name, value in verdict.metrics.items())


class _Scripted:
    """A classifier whose predictions on known rows are fixed (a model already evaluated)."""

    def __init__(self, X: pd.DataFrame, predictions: np.ndarray) -> None:
        self._by_row = {_key(row): int(p) for row, p in zip(X.to_numpy(), predictions, strict=True)}
        self.classes_ = np.arange(3)

    def predict(self, X: Any) -> np.ndarray:
        rows = np.asarray(X, dtype=float)
        return np.array([self._by_row[_key(row)] for row in rows], dtype=np.int64)

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.eye(3)[self.predict(X)]

    def score(self, X: Any, y: Any) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))


def _key(row: Any) -> tuple[float, ...]:
    return tuple(np.round(np.asarray(row, dtype=float), 6).tolist())


@dataclass(frozen=True)
class _Case:
    """A model, held-out data, the gate's verdict on them, and what to say if judged wrong."""

    name: str
    model: Any
    X: pd.DataFrame
    y: pd.Series
    verdict: cicd.GateResult
    note: str = ""


def _iris_rows(counts: tuple[int, int, int]) -> tuple[pd.DataFrame, pd.Series]:
    """Held-out rows of Iris with ``counts`` flowers per class (no duplicated flower)."""
    from mlops_course import data

    X, y = data.load_iris_frame()
    keep = ~X.duplicated(keep="first")
    X, y = X[keep], y[keep]
    index = np.concatenate([y.index[y == k][-n:] for k, n in enumerate(counts)])
    return X.loc[index].reset_index(drop=True), y.loc[index].reset_index(drop=True)


def _confused(y: pd.Series, errors: dict[tuple[int, int], int]) -> np.ndarray:
    """Predictions equal to ``y`` except ``errors[(true, predicted)]`` rows per pair."""
    predicted = y.to_numpy().copy()
    for (true, wrong), n in errors.items():
        predicted[np.flatnonzero(predicted == true)[:n]] = wrong
    return predicted


@functools.cache
def _cases() -> tuple[_Case, ...]:
    """The models the gate exercise judges; the verdicts are computed, not assumed."""
    from sklearn.dummy import DummyClassifier
    from sklearn.metrics import f1_score

    from mlops_course import data, training

    split = data.split()

    def case(name: str, model: Any, X: pd.DataFrame, y: pd.Series, note: str = "") -> _Case:
        return _Case(name, model, X, y, cicd.gate(training.evaluate(model, X, y)), note)

    X_skew, y_skew = _iris_rows((36, 2, 2))
    X_unbal, y_unbal = _iris_rows((20, 12, 8))
    uneven = _confused(y_unbal, {(0, 2): 3, (1, 2): 2})
    minority = _confused(y_unbal, {(2, 0): 2, (2, 1): 2})
    macro = f1_score(y_unbal, minority, average="macro")
    return (
        case(
            "le modèle du §2.3 (profondeur 5)",
            training.train(training.CONFIGS[1]),
            split.X_test,
            split.y_test,
        ),
        case(
            "le modèle dégradé (un arbre de profondeur 1)",
            cicd.regressed_model(),
            split.X_test,
            split.y_test,
        ),
        case(
            "un modèle dont l'accuracy est exactement au seuil, sur un lot déséquilibré",
            _Scripted(X_unbal, minority),
            X_unbal,
            y_unbal,
            "Atteindre le seuil suffit ; et sur des classes déséquilibrées, le F1 pondéré "
            f"(average='weighted') n'est pas le F1 macro ({macro:.4f} ici).",
        ),
        case(
            "un modèle qui prédit toujours la classe majoritaire, sur un lot déséquilibré",
            DummyClassifier(strategy="most_frequent").fit(X_skew, y_skew),
            X_skew,
            y_skew,
        ),
        case(
            "un modèle dont toutes les erreurs tombent dans la plus petite classe",
            _Scripted(X_unbal, uneven),
            X_unbal,
            y_unbal,
        ),
    )


def exercice_1(test_pas_de_regression: Callable[..., Any]) -> None:
    """The learner writes a performance test that blocks what the chapter's gate blocks."""
    test = require(test_pas_de_regression, "Exercice 1")
    expect(
        callable(test), "on attend une fonction de test `test_pas_de_regression(model, test_data)`."
    )
    if _is_stub(test):
        raise NotDoneError(
            "⏳ Exercice 1 : pas encore fait. Écrivez le corps de la fonction de test "
            "(des assert), exécutez la cellule, puis relancez cette vérification."
        )
    for case in _cases():
        outcome = _outcome(test, {"model": case.model, "test_data": (case.X, case.y)})
        if case.verdict.passed:
            expect(
                outcome is None,
                f"votre test refuse {case.name} ({_metrics(case.verdict)}), que la porte du "
                f"chapitre accepte ({outcome}). {case.note}".rstrip(),
            )
            continue
        if outcome is None:
            below = " et ".join(f.split()[0] for f in case.verdict.failures)
            raise fail(
                f"votre test laisse passer {case.name} ({_metrics(case.verdict)}) : {below} "
                "sous le seuil, la CI le déploierait. Chaque métrique de la porte doit être "
                "testée, sur les données reçues."
            )
        expect(
            outcome == "AssertionError",
            f"sur {case.name}, votre test plante ({outcome}) au lieu d'échouer sur un assert : "
            "pytest le compterait comme une erreur, pas comme une régression.",
        )
    success(
        "Votre test bloque exactement ce que la porte bloque, y compris quand accuracy et F1 "
        "ne sont pas d'accord."
    )
