"""Checks of notebook 04_serving_fastapi, exercise 4: the stand-in model the learner's app
serves (labels that are not Iris's, calls counted) and the batch it is sent.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mlops_course.checks.serving.fixtures import FEATURES, SETOSA, VERSICOLOR, VIRGINICA

#: Centres of the stand-in model's three classes, in the chapter's column order. Its labels
#: are not Iris's, and its class 0 is not setosa: labels written down instead of read from
#: the model give wrong answers.
_CENTRES = np.array([[6.6, 3.0, 5.6, 2.0], [5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3]])
#: The rows of the batch: their classes are not in order, and reversed they differ.
_BATCH = [
    VIRGINICA,
    SETOSA,
    VERSICOLOR,
    {"sepal_length": 6.1, "sepal_width": 2.8, "petal_length": 4.7, "petal_width": 1.2},
    {"sepal_length": 4.8, "sepal_width": 3.0, "petal_length": 1.4, "petal_width": 0.1},
]
_CONTRACT = ("prediction", "label", "probabilites", "timestamp")


class ModeleDeVerification:
    """The model the check of exercise 4 serves: ``labels`` and ``predict_proba``, counted.

    ``predict_proba(X)`` takes an (n, 4) array in the chapter's column order and returns an
    (n, 3) array of probabilities (a soft nearest-centre rule); ``appels`` records the
    number of rows of each call.
    """

    def __init__(self) -> None:
        self.labels = ["rose", "tulipe", "lys"]
        self.appels: list[int] = []

    def predict_proba(self, X: Any) -> np.ndarray:
        """Return the probabilities of the three classes for each row of ``X``."""
        try:
            array = np.asarray(X, dtype=float)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"predict_proba attend un tableau numpy (n, 4) de nombres, reçu {type(X).__name__}"
            ) from error
        if array.ndim != 2 or array.shape[1] != len(FEATURES):
            raise ValueError(
                f"predict_proba attend un tableau de forme (n, 4), reçu la forme {array.shape}"
            )
        self.appels.append(len(array))
        return _probabilities(array)


def _probabilities(X: np.ndarray) -> np.ndarray:
    distances = ((X[:, None, :] - _CENTRES[None, :, :]) ** 2).sum(axis=2)
    scores = np.exp(-distances / 4.0)
    return scores / scores.sum(axis=1, keepdims=True)


def _expected(row: dict[str, float]) -> np.ndarray:
    return _probabilities(np.array([[row[name] for name in FEATURES]]))[0]
