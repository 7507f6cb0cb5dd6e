"""The chapter's model tests (§6.3), run against both artifacts of `make model`.

The same tests apply to the scikit-learn pipeline (``pipeline_v1.joblib``) and to its ONNX
export (``pipeline_v1.onnx``, served by onnxruntime): if the export drifts from the
pipeline, these tests say so before anything is deployed. The artifacts are built once per
session into a temporary folder with ``build_model_files`` (as ``make model`` does).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score

from mlops_course import data, serialization

# Seuils de performance minimale (§6.3)
ACCURACY_MINIMALE = 0.90
F1_MINIMAL = 0.88


@pytest.fixture(scope="session")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> serialization.ModelFiles:
    """`make model`, once per session, into a temporary folder."""
    return serialization.build_model_files(tmp_path_factory.mktemp("model"))


def _load(files: serialization.ModelFiles, kind: str):
    if kind == "joblib":
        return serialization.load_joblib(files.joblib)
    return serialization.OnnxPredictor.from_file(files.onnx)


@pytest.fixture(scope="session", params=["joblib", "onnx"])
def model(request: pytest.FixtureRequest, model_files: serialization.ModelFiles):
    """Charger le modèle de production (the pipeline, then its ONNX export)."""
    return _load(model_files, request.param)


@pytest.fixture(scope="session")
def test_data() -> tuple[pd.DataFrame, pd.Series]:
    """Préparer les données de test (the chapter's split: 20 %, seed 42, stratified)."""
    split = data.split()
    return split.X_test, split.y_test


def _rows(values: list[list[float]]) -> pd.DataFrame:
    return pd.DataFrame(values, columns=list(data.FEATURES))


class TestModelPerformance:
    """Tests de performance du modèle."""

    def test_accuracy_minimale(self, model, test_data) -> None:
        """Le modèle doit avoir une accuracy supérieure au seuil."""
        X_test, y_test = test_data
        accuracy = model.score(X_test, y_test)
        assert accuracy >= ACCURACY_MINIMALE, f"Accuracy {accuracy:.4f} < seuil {ACCURACY_MINIMALE}"

    def test_f1_minimal(self, model, test_data) -> None:
        """Le modèle doit avoir un F1 supérieur au seuil."""
        X_test, y_test = test_data
        f1 = f1_score(y_test, model.predict(X_test), average="weighted")
        assert f1 >= F1_MINIMAL, f"F1 {f1:.4f} < seuil {F1_MINIMAL}"

    def test_prediction_shape(self, model, test_data) -> None:
        """Les prédictions doivent avoir la bonne forme."""
        X_test, _ = test_data
        assert model.predict(X_test).shape == (X_test.shape[0],)

    def test_classes_valides(self, model, test_data) -> None:
        """Les prédictions doivent être dans les classes connues."""
        X_test, _ = test_data
        assert set(model.predict(X_test).tolist()) <= {0, 1, 2}

    def test_probabilites(self, model, test_data) -> None:
        """Les probabilités doivent sommer à 1."""
        X_test, _ = test_data
        probas = model.predict_proba(X_test)
        assert probas.shape == (len(X_test), 3)
        np.testing.assert_allclose(probas.sum(axis=1), 1.0, atol=1e-6)


class TestModelRobustesse:
    """Tests de robustesse du modèle."""

    def test_prediction_unitaire(self, model) -> None:
        """Le modèle doit gérer une seule instance."""
        prediction = model.predict(_rows([[5.1, 3.5, 1.4, 0.2]]))
        assert prediction.tolist() == [0]  # a textbook setosa

    def test_valeurs_extremes(self, model) -> None:
        """Le modèle ne doit pas planter avec des valeurs extrêmes."""
        extreme = _rows([[0.0, 0.0, 0.0, 0.0], [1e6, 1e6, 1e6, 1e6], [-1e6, 0.0, 1e-9, 50.0]])
        prediction = model.predict(extreme)
        assert prediction.shape == (3,) and set(prediction.tolist()) <= {0, 1, 2}
        assert np.isfinite(model.predict_proba(extreme)).all()

    def test_reproductibilite(self, model, test_data) -> None:
        """Deux appels identiques doivent donner le même résultat."""
        # The chapter's test: it only shows that one loaded model is deterministic. That
        # retraining with the same seed gives the same model is tested in
        # test_data_training.py::test_retraining_with_the_same_seed_gives_the_same_model.
        X_test, _ = test_data
        np.testing.assert_array_equal(model.predict(X_test), model.predict(X_test))

    def test_rechargement_identique(self, model, model_files, test_data) -> None:
        """Un modèle rechargé depuis le disque prédit la même chose."""
        X_test, _ = test_data
        kind = "onnx" if isinstance(model, serialization.OnnxPredictor) else "joblib"
        reloaded = _load(model_files, kind)
        np.testing.assert_array_equal(reloaded.predict_proba(X_test), model.predict_proba(X_test))


def test_both_artifacts_are_the_files_make_model_writes(model_files) -> None:
    paths = (model_files.joblib, model_files.onnx, model_files.manifest)
    names = sorted(Path(p).name for p in paths)
    assert names == ["pipeline_v1.joblib", "pipeline_v1.manifest.json", "pipeline_v1.onnx"]
