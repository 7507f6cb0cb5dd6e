"""What the API's monitor compares production with: the served model's training data (§7.4).

Taught in notebook 07_monitoring_drift; notebook 09_capstone_pipeline makes the references
follow the champion. A model served from the MLflow registry is compared with the data its
run was trained on: the ``reference/training_data.csv`` artifact when the run logged one
(:func:`log_training_data`, e.g. a retrained model), else the split its parameters describe
(``random_state``, ``test_size`` of the chapter's Iris). A model file (``make model``) is
compared with the chapter's split. Both references are loaded lazily by the monitor; the
serving image has neither pandas nor scikit-learn, so each one says what it falls back to.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mlops_course.constants import LABELS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from mlops_course.drift import DriftDetector

logger = logging.getLogger("mlops_course.monitoring")

#: Where a run keeps the data its model was trained on (features and target, CSV).
TRAINING_DATA_ARTIFACT = "reference/training_data.csv"
#: Name of the target column in :data:`TRAINING_DATA_ARTIFACT`.
TARGET_COLUMN = "species"


def training_reference(X: pd.DataFrame | None = None, **settings: Any) -> DriftDetector:
    """A :class:`DriftDetector` fitted on training inputs ``X`` (the chapter's by default)."""
    from mlops_course.drift import DriftDetector

    if X is None:
        from mlops_course import data

        X = data.split().X_train
    return DriftDetector(**settings).fit(X)


def training_class_shares(y: Any = None) -> dict[str, float]:
    """Share of each label in training targets ``y`` (class codes; the chapter's by default).

    Without pandas and scikit-learn (the serving image), the chapter's split cannot be
    redone; it is stratified on a balanced dataset, so each label is then a third.
    """
    if y is None:
        try:
            from mlops_course import data

            y = data.split().y_train
        except ImportError as error:
            logger.info(
                "%s n'est pas installé : chaque classe compte pour un tiers de l'entraînement",
                error.name,
            )
            return {label: 1 / len(LABELS) for label in LABELS}
    counts = Counter(LABELS[int(code)] for code in y)
    return {label: counts[label] / len(y) for label in LABELS}


def log_training_data(run_id: str, X: pd.DataFrame, y: Any) -> None:
    """Record in run ``run_id`` the data its model was trained on (its monitoring reference).

    Needed when the training data cannot be rebuilt from the run's parameters, e.g. a
    model retrained on recent production data.
    """
    from mlops_course.mlflow_store import client

    frame = X.reset_index(drop=True).copy()
    frame[TARGET_COLUMN] = [int(code) for code in y]
    client().log_text(run_id, frame.to_csv(index=False), TRAINING_DATA_ARTIFACT)


def training_data_of_run(run_id: str) -> tuple[pd.DataFrame, pd.Series]:
    """Return ``(X, y)``, the data run ``run_id`` trained its model on.

    The run's :data:`TRAINING_DATA_ARTIFACT` if it has one, else the split its parameters
    describe (``test_size``, ``random_state``), which must be of the chapter's dataset.

    Raises:
        LookupError: the run neither logged its data nor describes an Iris split.
    """
    import pandas as pd

    from mlops_course import data
    from mlops_course.mlflow_store import client

    mlflow_client = client()
    if any(a.path == TRAINING_DATA_ARTIFACT for a in _artifacts(mlflow_client, run_id)):
        import mlflow.artifacts

        text = mlflow.artifacts.load_text(f"runs:/{run_id}/{TRAINING_DATA_ARTIFACT}")
        frame = pd.read_csv(io.StringIO(text))
        return frame.drop(columns=[TARGET_COLUMN]), frame[TARGET_COLUMN]
    run = mlflow_client.get_run(run_id).data
    if run.tags.get("dataset", "iris") != "iris" or "random_state" not in run.params:
        raise LookupError(
            f"le run {run_id!r} n'a pas enregistré {TRAINING_DATA_ARTIFACT} et ses paramètres "
            "ne décrivent pas un découpage des données du chapitre"
        )
    split = data.split(
        test_size=float(run.params.get("test_size", data.TEST_SIZE)),
        random_state=int(run.params["random_state"]),
    )
    return split.X_train, split.y_train


def _artifacts(mlflow_client: Any, run_id: str) -> list[Any]:
    folder = TRAINING_DATA_ARTIFACT.rpartition("/")[0]
    return list(mlflow_client.list_artifacts(run_id, folder))


def references_for(
    run_id: str | None,
) -> tuple[Callable[[], DriftDetector], Callable[[], dict[str, float]]]:
    """The monitor's two lazy references for a model trained by run ``run_id``.

    ``(drift reference, class shares)``; with no run (a model file), the chapter's. The
    run's data is read once, by whichever reference is loaded first.
    """
    if run_id is None:
        return training_reference, training_class_shares
    cache: dict[str, Any] = {}

    def training_data() -> tuple[pd.DataFrame, Any]:
        if "data" not in cache:
            try:
                cache["data"] = training_data_of_run(run_id)
            except LookupError as error:
                logger.warning(
                    "%s : les données d'entraînement du chapitre servent de référence", error
                )
                cache["data"] = (None, None)
        return cache["data"]

    return (
        lambda: training_reference(training_data()[0]),
        lambda: training_class_shares(training_data()[1]),
    )
