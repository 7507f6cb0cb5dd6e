"""Checks for notebook 06_ci_cd (CI/CD for ML): model tests, then the workflows that run them.

1. a performance test that blocks exactly what the chapter's gate blocks, judged on
   held-out data where accuracy alone, F1 alone or macro F1 give the wrong verdict;
2. robustness tests, run against a good model (the pipeline and its ONNX export) and
   against sabotaged models that pass the performance gate: each must be caught;
3. the everyday CI workflow; 4. the release workflow that publishes the image.

Where each part lives: :mod:`.running` (running the learner's tests), :mod:`.gate`
(exercise 1), :mod:`.sabotages` and :mod:`.robustness` (exercise 2), :mod:`.ci_workflows`
(exercises 3 and 4).
"""

from __future__ import annotations

from mlops_course.checks.cicd.ci_workflows import exercice_3, exercice_4
from mlops_course.checks.cicd.gate import _cases as _cases  # used by the tests
from mlops_course.checks.cicd.gate import exercice_1
from mlops_course.checks.cicd.robustness import _run_class as _run_class  # used by the tests
from mlops_course.checks.cicd.robustness import exercice_2
from mlops_course.checks.cicd.sabotages import SABOTAGES, sabotaged_models
from mlops_course.checks.cicd.sabotages import _good_models as _good_models  # used by the tests

__all__ = [
    "SABOTAGES",
    "exercice_1",
    "exercice_2",
    "exercice_3",
    "exercice_4",
    "sabotaged_models",
]
