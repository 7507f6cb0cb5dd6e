"""Le script d'entraînement tient son contrat : pipeline complet, métriques, fichiers, MLflow.

Fourni (notebooks 02_experiment_tracking_mlflow et 03_sauvegarde_versioning_onnx du cours).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline

from src import data, train


def test_the_pipeline_prepares_the_data_and_classifies() -> None:
    pipeline = train.build_pipeline(train.PARAMS)
    assert isinstance(pipeline, Pipeline)
    assert len(pipeline.steps) >= 2, "la préparation des données fait partie du pipeline"
    assert is_classifier(pipeline.steps[-1][1])


def test_training_is_reproducible(trained: tuple[Any, dict[str, float]]) -> None:
    _, metrics = trained
    assert set(metrics) >= {"accuracy", "f1_weighted"}
    assert all(isinstance(value, float) for value in metrics.values())
    assert train.train()[1] == metrics


def test_the_saved_model_is_the_trained_one_and_its_hash_is_recorded(
    trained: tuple[Any, dict[str, float]], model_file: Path
) -> None:
    model, metrics = trained
    assert model_file.name == train.MODEL_FILE
    recorded = json.loads((model_file.parent / train.METRICS_FILE).read_text(encoding="utf-8"))
    assert recorded["f1_weighted"] == pytest.approx(metrics["f1_weighted"])
    assert recorded["sha256"] == hashlib.sha256(model_file.read_bytes()).hexdigest()
    X = data.split().X_test
    assert np.array_equal(joblib.load(model_file).predict(X), model.predict(X))


def test_training_logs_a_run_and_registers_a_new_version(
    trained: tuple[Any, dict[str, float]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.chdir(tmp_path)  # MLflow's artifacts stay in the temporary folder
    model, metrics = trained
    first = train.log_to_mlflow(model, metrics, train.PARAMS)
    second = train.log_to_mlflow(model, metrics, train.PARAMS)
    assert int(second) == int(first) + 1
    client = MlflowClient(tracking_uri=uri)
    version = client.get_model_version(train.MODEL_NAME, str(second))
    run = client.get_run(version.run_id)
    assert float(run.data.metrics["f1_weighted"]) == pytest.approx(metrics["f1_weighted"])
    assert {"random_state", "test_size"} <= set(run.data.params), "de quoi reproduire le run"
