"""Checks of notebook 03_sauvegarde_versioning_onnx: the chapter's pipeline they build, the
Iris rows they run it on, the ONNX session they open, and French number formatting.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

#: Largest probability gap a faithful ONNX export of the chapter's pipeline may show (the
#: float32 sum of the trees' votes stays below 1e-6; a float32 export is off by 0.02–0.15).
MAX_GAP = 1e-5


def _fr(value: float, spec: str) -> str:
    """Format a number for a French sentence: decimal comma (``0,15``, ``4,2e-07``)."""
    return format(value, spec).replace(".", ",")


@functools.cache
def _fitted_chapter_pipeline(
    columns: tuple[str, ...] | None = None, n_estimators: int = 100
) -> Any:
    """The chapter's pipeline fitted on the chapter's split (``columns``: a subset)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from mlops_course import data

    split = data.split()
    X_train = split.X_train if columns is None else split.X_train[list(columns)]
    pipeline = Pipeline(
        [
            ("scaler", StandardScaler()),
            ("model", RandomForestClassifier(n_estimators=n_estimators, random_state=42)),
        ]
    )
    return pipeline.fit(X_train, split.y_train)


def _chapter_pipeline(columns: tuple[str, ...] | None = None, n_estimators: int = 100) -> Any:
    """A private copy of the fitted pipeline: the learner's code may modify what it gets."""
    return copy.deepcopy(_fitted_chapter_pipeline(columns, n_estimators))


def _iris(columns: tuple[str, ...] | None = None) -> Any:
    """All 150 Iris rows (float64 DataFrame): many sit exactly on a split threshold."""
    from mlops_course import data

    X, _ = data.load_iris_frame()
    return X if columns is None else X[list(columns)]


def _session(source: Path | bytes) -> Any:
    import onnxruntime as ort

    return ort.InferenceSession(source, providers=["CPUExecutionProvider"])
