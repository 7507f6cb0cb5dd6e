"""The chapter's model tests (§6.3), run against both artifacts of `make model`.

The same tests apply to the scikit-learn pipeline (``pipeline_v1.joblib``) and to its ONNX
export (``pipeline_v1.onnx``, served by onnxruntime): if the export drifts from the
pipeline, these tests say so before anything is deployed. The artifacts are built once per
session into a temporary folder with ``build_model_files`` (as ``make model`` does).

- ``TestModelPerformance``: the CI's floor (accuracy and weighted F1 on held-out data);
- ``TestModelRobustesse``: what a well-scored model can still break (one prediction per
  row, probabilities, edge values, malformed input, a row alone or in a batch);
- ``TestModelReproductibilite``: the same code, data and seed rebuild the same model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import f1_score

from mlops_course import data, serialization
from mlops_course.cicd import ACCURACY_MINIMALE, F1_MINIMAL  # seuils minimaux (§6.3)


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
        assert ((probas >= 0) & (probas <= 1)).all()
        np.testing.assert_allclose(probas.sum(axis=1), 1.0, atol=1e-6)


class TestModelRobustesse:
    """Tests de robustesse du modèle."""

    def test_prediction_unitaire(self, model) -> None:
        """Le modèle doit gérer une seule instance."""
        prediction = model.predict(_rows([[5.1, 3.5, 1.4, 0.2]]))
        assert prediction.tolist() == [0]  # a textbook setosa

    def test_une_prediction_par_ligne(self, model, test_data) -> None:
        """Une prédiction par ligne, même quand une fleur apparaît deux fois dans le lot."""
        X_test, _ = test_data
        batch = pd.concat([X_test, X_test.iloc[:1]], ignore_index=True)
        assert model.predict(batch).shape == (len(batch),)
        assert model.predict_proba(batch).shape == (len(batch), 3)

    def test_valeurs_extremes(self, model) -> None:
        """Le modèle ne doit pas planter avec des valeurs extrêmes."""
        extreme = _rows([[0.0, 0.0, 0.0, 0.0], [1e6, 1e6, 1e6, 1e6], [-1e6, 0.0, 1e-9, 50.0]])
        prediction = model.predict(extreme)
        assert prediction.shape == (3,) and set(prediction.tolist()) <= {0, 1, 2}
        probas = model.predict_proba(extreme)
        assert np.isfinite(probas).all()
        np.testing.assert_allclose(probas.sum(axis=1), 1.0, atol=1e-6)

    def test_meme_prediction_seule_ou_en_lot(self, model, test_data) -> None:
        """Une fleur reçoit la même prédiction seule ou au milieu d'un lot."""
        X_test, _ = test_data
        in_batch = model.predict_proba(X_test)
        alone = np.vstack([model.predict_proba(X_test.iloc[[i]]) for i in range(len(X_test))])
        np.testing.assert_allclose(alone, in_batch, atol=1e-6)

    def test_refuse_une_entree_mal_formee(self, model) -> None:
        """Une variable manquante ou une valeur non numérique : une erreur, pas une prédiction."""
        row = _rows([[5.1, 3.5, 1.4, 0.2]])
        with pytest.raises(ValueError):
            model.predict(row.drop(columns="petal_width"))
        with pytest.raises(ValueError):
            model.predict(row.astype(object).assign(petal_width="0,2"))

    def test_reproductibilite(self, model, test_data) -> None:
        """Deux appels identiques doivent donner le même résultat.

        Kept from the chapter. It only shows that ``predict`` is deterministic: it cannot
        fail for a forest already trained. What must be reproducible is the *training*:
        see ``TestModelReproductibilite``.
        """
        X_test, _ = test_data
        np.testing.assert_array_equal(model.predict(X_test), model.predict(X_test))

    def test_rechargement_identique(self, model, model_files, test_data) -> None:
        """Un modèle rechargé depuis le disque prédit la même chose."""
        X_test, _ = test_data
        kind = "onnx" if isinstance(model, serialization.OnnxPredictor) else "joblib"
        reloaded = _load(model_files, kind)
        np.testing.assert_array_equal(reloaded.predict_proba(X_test), model.predict_proba(X_test))


@pytest.fixture(scope="session")
def shipped(model_files: serialization.ModelFiles):
    """The pipeline `make model` wrote (joblib): what must be rebuilt identically."""
    return serialization.load_joblib(model_files.joblib)


def _trees(pipeline) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each tree of the pipeline's forest, as (split features, split thresholds)."""
    return [(t.tree_.feature, t.tree_.threshold) for t in pipeline.named_steps["model"].estimators_]


def _same_trees(a, b) -> bool:
    pairs = list(zip(_trees(a), _trees(b), strict=True))
    return all(np.array_equal(fa, fb) and np.array_equal(ta, tb) for (fa, ta), (fb, tb) in pairs)


class TestModelReproductibilite:
    """Réentraîner le modèle livré : même graine, même modèle ; autre graine, autre forêt."""

    def test_meme_graine_meme_modele(self, shipped, test_data) -> None:
        """Mêmes réglages, mêmes données, même graine : les mêmes arbres, les mêmes probabilités."""
        split = data.split()
        retrained = clone(shipped).fit(split.X_train, split.y_train)
        X_test, _ = test_data
        assert _same_trees(retrained, shipped)
        np.testing.assert_array_equal(
            retrained.predict_proba(X_test), shipped.predict_proba(X_test)
        )

    def test_autre_graine_autre_foret(self, shipped, test_data) -> None:
        """Une autre graine donne une autre forêt : la graine fixée est bien ce qui reproduit."""
        split = data.split()
        other = clone(shipped).set_params(model__random_state=7).fit(split.X_train, split.y_train)
        X_test, _ = test_data
        assert not _same_trees(other, shipped)
        assert not np.array_equal(other.predict_proba(X_test), shipped.predict_proba(X_test))


def test_both_artifacts_are_the_files_make_model_writes(model_files) -> None:
    paths = (model_files.joblib, model_files.onnx, model_files.manifest)
    names = sorted(Path(p).name for p in paths)
    assert names == ["pipeline_v1.joblib", "pipeline_v1.manifest.json", "pipeline_v1.onnx"]
