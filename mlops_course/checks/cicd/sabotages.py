"""Checks of notebook 06_ci_cd, exercise 2: the good models (the pipeline, its ONNX export)
and the sabotaged ones, each with a realistic bug that the performance gate does not see.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _frame(X: Any) -> pd.DataFrame:
    """The input as a DataFrame (a bare array gets the first feature names)."""
    from mlops_course import data

    if isinstance(X, pd.DataFrame):
        return X
    array = np.asarray(X, dtype=float)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    return pd.DataFrame(array, columns=list(data.FEATURES)[: array.shape[1]])


class _Sabotaged:
    """A good pipeline behind one realistic bug that the performance gate does not see."""

    description = ""
    hint = ""

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        self.classes_ = pipeline.classes_

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.pipeline.predict_proba(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        return self._proba(_frame(X))

    def predict(self, X: Any) -> np.ndarray:
        return np.argmax(self.predict_proba(X), axis=1).astype(np.int64)

    def score(self, X: Any, y: Any) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))


class _Unnormalised(_Sabotaged):
    description = (
        "renvoie des probabilités qui ne somment pas à 1 (calibrées classe par classe, "
        "jamais renormalisées)"
    )
    hint = "Vérifiez que chaque ligne de probabilités somme à 1 (avec une tolérance)."

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-10.0 * (self.pipeline.predict_proba(X) - 0.5)))


class _DropsDuplicates(_Sabotaged):
    description = (
        "supprime les fleurs en double du lot avant de prédire (un drop_duplicates de trop)"
    )
    hint = "Comptez les prédictions sur un lot où la même fleur apparaît deux fois."

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.pipeline.predict_proba(X.drop_duplicates())


class _CrashesOnZero(_Sabotaged):
    description = "plante quand une mesure vaut 0 (un ratio longueur/largeur divisé par zéro)"
    hint = "Appelez le modèle sur une fleur dont toutes les mesures valent 0."

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = X["petal_length"].to_numpy(float) / X["petal_width"].to_numpy(float)
        if not np.isfinite(ratio).all():
            raise ValueError("Input X contains infinity or a value too large for dtype('float64').")
        return self.pipeline.predict_proba(X)


class _NanOnHuge(_Sabotaged):
    description = "renvoie des probabilités NaN pour des mesures énormes (un exp() qui déborde)"
    hint = "Vérifiez que les probabilités restent finies pour des mesures énormes (1e6)."

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        proba = self.pipeline.predict_proba(X)
        huge = np.abs(X.to_numpy(float)).max(axis=1) > 1e4
        proba[huge] = np.nan
        return proba

    def predict(self, X: Any) -> np.ndarray:
        return np.nan_to_num(np.argmax(np.nan_to_num(self.predict_proba(X)), axis=1)).astype(int)


class _FillsMissing(_Sabotaged):
    description = (
        "accepte une fleur à qui il manque une variable (il la complète par 0 sans rien dire)"
    )
    hint = (
        "Vérifiez qu'une fleur à qui il manque une variable lève une erreur "
        "(with pytest.raises(...))."
    )

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        from mlops_course import data

        return self.pipeline.predict_proba(X.reindex(columns=list(data.FEATURES), fill_value=0.0))


class _BatchScaled(_Sabotaged):
    description = (
        "prédit différemment une fleur seule et la même fleur dans un lot (il normalise "
        "chaque lot avec ses propres moyennes)"
    )
    hint = "Comparez la prédiction de chaque fleur seule à sa prédiction dans le lot."

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        values = X.to_numpy(float)
        spread = values.std(axis=0)
        scaled = (values - values.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
        return self.pipeline.named_steps["model"].predict_proba(scaled)


SABOTAGES: tuple[type[_Sabotaged], ...] = (
    _Unnormalised,
    _DropsDuplicates,
    _CrashesOnZero,
    _NanOnHuge,
    _FillsMissing,
    _BatchScaled,
)


@functools.cache
def _good_models() -> tuple[tuple[str, Any], ...]:
    """The chapter's pipeline and its ONNX export: both must pass the learner's tests."""
    from mlops_course import serialization, training

    pipeline = training.train()
    with tempfile.TemporaryDirectory() as folder:
        onnx = serialization.OnnxPredictor.from_file(
            serialization.export_onnx(pipeline, Path(folder) / "model.onnx")
        )
    return (("le pipeline scikit-learn", pipeline), ("son export ONNX (onnxruntime)", onnx))


def sabotaged_models() -> list[_Sabotaged]:
    """One model per sabotage, each wrapping the chapter's pipeline."""
    pipeline = _good_models()[0][1]
    return [sabotage(pipeline) for sabotage in SABOTAGES]
