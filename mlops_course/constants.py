"""The course's constants, in one place: the Iris contract, the names of what we store, the gates.

Used by every notebook (01 to 09); this module imports nothing, so the API, the monitor
and the serving image can read it without pandas or scikit-learn.
"""

from __future__ import annotations

from typing import Final

# --------------------------------------------------------------------------- the Iris contract

#: Feature names, in the order the model and the API use them (§4.3).
FEATURES: Final[tuple[str, ...]] = ("sepal_length", "sepal_width", "petal_length", "petal_width")
#: Class labels, indexed by the class code the model predicts.
LABELS: Final[tuple[str, ...]] = ("setosa", "versicolor", "virginica")

#: The sample flower of the chapter's ``curl`` call (§4.4): a textbook setosa (copy it to
#: change it: ``{**SETOSA, "petal_length": 2.0}``).
SETOSA: Final[dict[str, float]] = {
    "sepal_length": 5.1,
    "sepal_width": 3.5,
    "petal_length": 1.4,
    "petal_width": 0.2,
}
#: Two more flowers for examples (the batch of §4.5).
VIRGINICA: Final[dict[str, float]] = {
    "sepal_length": 6.7,
    "sepal_width": 3.0,
    "petal_length": 5.2,
    "petal_width": 2.3,
}
VERSICOLOR: Final[dict[str, float]] = {
    "sepal_length": 5.9,
    "sepal_width": 3.0,
    "petal_length": 4.2,
    "petal_width": 1.5,
}

# --------------------------------------------------------------------------- what we store

#: The MLflow experiment of the chapter's runs (§2.3).
EXPERIMENT: Final = "classification-iris"
#: The registered model (§2.5), also the name written in every manifest.
MODEL_NAME: Final = "iris-classifier"
#: Stem of the chapter's model files: ``model/pipeline_v1.{joblib,onnx}`` + its manifest.
MODEL_STEM: Final = "pipeline_v1"

# --------------------------------------------------------------------------- the two gates
# Two gates guard two different moves, on the same held-out data (the chapter's test split):

#: §6.3, the CI gate: the model tests block a *deployment* when accuracy falls below this
#: (``>=`` passes). A floor against regressions: it only catches a broken build.
CI_MIN_ACCURACY: Final = 0.90
#: §6.3, the CI gate on the weighted F1 (``>=`` passes).
CI_MIN_F1: Final = 0.88
#: §2.5, the promotion gate: the registry makes a version ``champion`` only when this metric...
PROMOTION_METRIC: Final = "f1_weighted"
#: ...is strictly greater than this ("F1 > 0.95"). A bar for the *best* model, so it is
#: higher than the CI floor: a model may be deployable (CI) yet not worth promoting.
PROMOTION_MIN_F1: Final = 0.95
