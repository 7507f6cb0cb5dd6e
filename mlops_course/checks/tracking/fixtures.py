"""Shared data of the checks of notebook 02_experiment_tracking_mlflow.

The unbalanced held-out split, the names of the experiments and registered models the
checks build, small helpers that give each check a fresh experiment or model, and the hint
for a logged F1 that is another score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mlops_course import data, tracking
from mlops_course.checks import fail

#: Rows kept per class before splitting (setosa, versicolor, virginica): the held-out part
#: has 8, 20 and 20 rows.
HELD_OUT_COUNTS: tuple[int, int, int] = (20, 50, 50)
#: Share of the rows held out (stratified, seed 42).
HELD_OUT_SIZE = 0.4
#: A weak configuration: on the held-out rows its accuracy, macro F1 and weighted F1 differ.
WEAK_CONFIG: Mapping[str, Any] = {"n_estimators": 5, "max_depth": 2}

#: Experiments and registered models the checks build (never the chapter's ones).
EXPERIMENT_1 = "iris-exercice-1"
OTHER_EXPERIMENT_1 = "iris-exercice-1-autre"
EXPERIMENT_2 = "iris-exercice-2"
ROLLBACK_MODELS: tuple[str, str] = ("iris-classifier-exercice-4a", "iris-classifier-exercice-4b")
EXPERIMENT_5 = "iris-exercice-5"
CHAMPION_MODELS: tuple[str, str] = ("iris-classifier-exercice-5a", "iris-classifier-exercice-5b")

#: Configurations the check of exercise 5 has the learner log, in this order (their weighted
#: F1 on the held-out rows: 0.94, 0.96, 0.68, 0.92 — all different).
CONFIGS_5: tuple[dict[str, Any], ...] = (
    {"n_estimators": 10, "max_depth": 2},
    {"n_estimators": 50, "max_depth": 3},
    {"n_estimators": 3, "max_depth": 1},
    {"n_estimators": 5, "max_depth": 2},
)
#: The two orders in which exercise 5's models are registered (indices into CONFIGS_5):
#: the best is version 2 in the first registry and version 3 in the second.
ORDERS_5: tuple[tuple[int, ...], tuple[int, ...]] = ((0, 1, 2, 3), (3, 2, 1, 0))


def held_out_split() -> data.Split:
    """Return Iris with fewer setosa, split 60/40 stratified: 8/20/20 held-out rows."""
    import numpy as np

    X, y = data.load_iris_frame()
    codes = y.to_numpy()
    keep = np.concatenate(
        [np.flatnonzero(codes == code)[:count] for code, count in enumerate(HELD_OUT_COUNTS)]
    )
    X, y = X.iloc[keep].reset_index(drop=True), y.iloc[keep].reset_index(drop=True)
    return data.split(X, y, test_size=HELD_OUT_SIZE)


def _scores(model: Any, X: Any, y: Any) -> dict[str, float]:
    """Accuracy, macro F1 and weighted F1 of ``model`` on ``(X, y)``."""
    from sklearn.metrics import accuracy_score, f1_score

    predicted = model.predict(X)
    return {
        "accuracy": float(accuracy_score(y, predicted)),
        "macro": float(f1_score(y, predicted, average="macro")),
        "weighted": float(f1_score(y, predicted, average="weighted")),
    }


def _close(a: Any, b: float) -> bool:
    return isinstance(a, int | float) and math.isclose(float(a), b, abs_tol=1e-9)


#: The two F1 of :func:`_scores`, as a hint names them.
_F1_NAMES = {"macro": "le F1 macro", "weighted": "le F1 pondéré"}


def _refuse_another_score(metric: str, got: Any, scores: Mapping[str, float], average: str) -> None:
    """Refuse ``got``, logged as ``metric``, when it is the other F1 or the accuracy of
    ``scores`` instead of their ``average`` F1: the hint says which, and what to ask for."""
    other = "weighted" if average == "macro" else "macro"
    if _close(got, scores[other]):
        raise fail(f"{metric} contient {_F1_NAMES[other]} : demandez average='{average}'.")
    if _close(got, scores["accuracy"]):
        raise fail(f"{metric} contient l'accuracy : calculez f1_score(..., average='{average}').")


def _end_stray_run() -> bool:
    """End a run the learner's code left open; return True if there was one."""
    import mlflow

    if mlflow.active_run() is None:
        return False
    mlflow.end_run()
    return True


def _fresh_experiment(name: str) -> str:
    """Return the id of experiment ``name``, with its earlier runs deleted."""
    mlflow_client = tracking.client()
    experiment_id = tracking.ensure_experiment(name)
    for run in mlflow_client.search_runs([experiment_id], max_results=1000):
        mlflow_client.delete_run(run.info.run_id)
    return experiment_id


def _fresh_model(name: str) -> None:
    """Delete registered model ``name`` if it exists (versions, aliases and tags)."""
    from mlflow.exceptions import MlflowException

    try:
        tracking.client().delete_registered_model(name)
    except MlflowException as error:
        if error.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
