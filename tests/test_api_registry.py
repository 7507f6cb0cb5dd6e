"""The API serving a registered model (``models:/iris-classifier@champion``) and following it."""

from __future__ import annotations

import pytest

from mlops_course.api import Settings, service

pytestmark = [
    # SQLAlchemy 2.1 deprecates a loader strategy MLflow 3.17's store uses (third-party).
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
    pytest.mark.slow,
]


@pytest.fixture
def champion() -> dict[str, float]:
    """Log one small model, register it twice (versions 1 and 2); ``champion`` → 1."""
    import mlflow

    from mlops_course import data, tracking, training

    tracking.use_store()
    split = data.split()
    pipeline = training.train({"n_estimators": 5, "max_depth": 3, "min_samples_split": 2}, split)
    metrics = training.evaluate(pipeline, split.X_test, split.y_test)
    with mlflow.start_run(experiment_id=tracking.ensure_experiment("api-registry")):
        mlflow.log_metrics(metrics)
        info = tracking.log_sklearn_model(pipeline, input_example=split.X_train.head(3))
    for _ in range(2):
        version = mlflow.register_model(info.model_uri, "iris-classifier").version
        if str(version) == "1":
            mlflow.MlflowClient().set_registered_model_alias("iris-classifier", "champion", "1")
    return metrics


def test_the_registry_champion_is_served_and_followed_on_reload(
    champion: dict[str, float],
) -> None:
    import numpy as np
    from mlflow import MlflowClient

    models = service.ModelService(Settings(model="models:/iris-classifier@champion"))
    model = models.load()
    assert (model.name, model.version, model.backend) == ("iris-classifier", "1", "onnx")
    assert model.metrics["accuracy"] == pytest.approx(champion["accuracy"])
    proba = model.predict_proba(np.array([[5.1, 3.5, 1.4, 0.2]]))
    assert model.labels[int(model.classes[proba.argmax()])] == "setosa"

    MlflowClient().set_registered_model_alias("iris-classifier", "champion", "2")
    assert models.reload().version == "2"

    sklearn = service.load_model(
        Settings(model="models:/iris-classifier@champion", backend="sklearn")
    )
    assert (sklearn.version, sklearn.backend) == ("2", "sklearn")
