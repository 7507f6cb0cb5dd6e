"""Checks for notebook 04_serving_fastapi (serving the model with FastAPI).

Exercises 1 to 3 work on the course's API (``mlops_course.api``); exercise 4 has the learner
write a FastAPI app of their own, ``creer_app(charger_modele)``, which the check drives
through Starlette's test client with a counting stand-in model whose labels are not Iris's.

Where each part lives: :mod:`.fixtures` (the flowers, the course's API in a test client),
:mod:`.field` (exercise 1), :mod:`.route` (exercise 2), :mod:`.batch_timing` (exercise 3),
and for exercise 4 :mod:`.stand_in_model` (the model served), :mod:`.contract` (requests
and the ``/predict`` contract) and :mod:`.own_app` (the check itself).
"""

from __future__ import annotations

from mlops_course.checks.serving.batch_timing import exercice_3
from mlops_course.checks.serving.field import exercice_1
from mlops_course.checks.serving.fixtures import (
    FEATURES,
    SERVED_LABELS,
    SERVED_NAME,
    SERVED_VERSION,
    SETOSA,
    VERSICOLOR,
    VIRGINICA,
)
from mlops_course.checks.serving.own_app import exercice_4
from mlops_course.checks.serving.route import exercice_2
from mlops_course.checks.serving.stand_in_model import _BATCH as _BATCH  # used by the tests
from mlops_course.checks.serving.stand_in_model import ModeleDeVerification

__all__ = [
    "FEATURES",
    "SERVED_LABELS",
    "SERVED_NAME",
    "SERVED_VERSION",
    "SETOSA",
    "VERSICOLOR",
    "VIRGINICA",
    "ModeleDeVerification",
    "exercice_1",
    "exercice_2",
    "exercice_3",
    "exercice_4",
]
