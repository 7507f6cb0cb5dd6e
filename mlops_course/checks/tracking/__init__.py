"""Checks for notebook 02 (experiment tracking and model registry with MLflow).

Every check builds the situation it tests in the store the notebook uses
(``tracking.use_store()``), under names of its own (experiments ``iris-exercice-N``,
registered models ``iris-classifier-exercice-N…``), so the learner's code meets a known
case and the chapter's runs are left alone; each check can be run again.

Held-out data are unbalanced (:func:`held_out_split`): there, accuracy, macro F1 and
weighted F1 differ, so a check can tell which one a learner computed. Registered versions
are arranged so that the right one is neither the first nor the last, and each registry
check runs two histories, so no fixed version number passes.
"""

from mlops_course.checks.tracking.compare import exercice_1
from mlops_course.checks.tracking.extras import exercice_2
from mlops_course.checks.tracking.fixtures import (
    CONFIGS_5,
    EXPERIMENT_1,
    EXPERIMENT_2,
    ORDERS_5,
    ROLLBACK_MODELS,
    WEAK_CONFIG,
    held_out_split,
)
from mlops_course.checks.tracking.fixtures import _scores as _scores  # used by the tests
from mlops_course.checks.tracking.gate import exercice_3
from mlops_course.checks.tracking.own_run import exercice_5
from mlops_course.checks.tracking.rollback import exercice_4

__all__ = [
    "CONFIGS_5",
    "EXPERIMENT_1",
    "EXPERIMENT_2",
    "ORDERS_5",
    "ROLLBACK_MODELS",
    "WEAK_CONFIG",
    "exercice_1",
    "exercice_2",
    "exercice_3",
    "exercice_4",
    "exercice_5",
    "held_out_split",
]
