"""Chapter 03: manifests and hash checks, the pickle danger, ONNX export, parity, MLflow."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from mlops_course import config, data, serialization
from mlops_course.constants import (
    CI_MIN_ACCURACY,
    CI_MIN_F1,
    PROMOTION_METRIC,
    PROMOTION_MIN_F1,
)
from mlops_course.serialization import IntegrityError, Manifest, OnnxPredictor


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> serialization.ModelFiles:
    """The chapter's model files, built once for this module (never modified by tests)."""
    return serialization.build_model_files(tmp_path_factory.mktemp("model"))


@pytest.fixture
def files(built: serialization.ModelFiles, tmp_path: Path) -> serialization.ModelFiles:
    """A private copy of the model files, which a test may tamper with."""
    for path in (built.joblib, built.onnx, built.manifest):
        shutil.copy2(path, tmp_path / path.name)
    return serialization.ModelFiles(
        tmp_path / built.joblib.name, tmp_path / built.onnx.name, tmp_path / built.manifest.name
    )


@pytest.fixture(scope="module")
def pipeline(built: serialization.ModelFiles):
    return serialization.load_joblib(built.joblib)


@pytest.fixture(scope="module")
def split() -> data.Split:
    return data.split()


def _flip_one_byte(path: Path, position: int | None = None) -> None:
    content = bytearray(path.read_bytes())
    index = len(content) // 2 if position is None else position
    content[index] ^= 0x01
    path.write_bytes(bytes(content))


# --------------------------------------------------------------------------- manifest


def test_manifest_records_hash_identity_environment_schema_and_metrics(built, pipeline) -> None:
    manifest = Manifest.load(built.manifest)
    assert built.manifest.name == serialization.MANIFEST_NAME
    assert manifest.files == {
        "pipeline_v1.joblib": serialization.sha256_of(built.joblib),
        "pipeline_v1.onnx": serialization.sha256_of(built.onnx),
    }
    assert (manifest.name, manifest.version) == ("iris-classifier", "1")
    assert manifest.feature_names == list(data.FEATURES)
    assert manifest.labels == list(data.LABELS)
    assert manifest.sklearn_version == __import__("sklearn").__version__
    assert manifest.metrics["accuracy"] >= 0.9
    assert datetime.fromisoformat(manifest.created_at).utcoffset() == timedelta(0)  # UTC


def test_joblib_and_pickle_files_of_one_stem_share_one_manifest(pipeline, tmp_path, split) -> None:
    serialization.save_joblib(pipeline, tmp_path / "m.joblib", version="2", metrics={"f1": 0.9})
    manifest = serialization.save_pickle(pipeline, tmp_path / "m.pkl", version="2")
    assert serialization.manifest_path(tmp_path / "m.pkl") == tmp_path / "m.manifest.json"
    assert sorted(manifest.files) == ["m.joblib", "m.pkl"]
    assert manifest.metrics == {"f1": 0.9}  # kept from the same version
    for loaded in (
        serialization.load_joblib(tmp_path / "m.joblib"),
        serialization.load_pickle(tmp_path / "m.pkl"),
    ):
        np.testing.assert_array_equal(loaded.predict(split.X_test), pipeline.predict(split.X_test))


def test_saving_another_version_starts_a_new_manifest(pipeline, tmp_path) -> None:
    serialization.save_joblib(pipeline, tmp_path / "m.joblib", version="1")
    manifest = serialization.save_pickle(pipeline, tmp_path / "m.pkl", version="2")
    assert list(manifest.files) == ["m.pkl"]


def test_a_malformed_manifest_is_an_integrity_error(files) -> None:
    files.manifest.write_text(json.dumps({"name": "x"}), encoding="utf-8")
    with pytest.raises(IntegrityError, match="manquantes"):
        serialization.load_joblib(files.joblib)
    files.manifest.write_text("{not json", encoding="utf-8")
    with pytest.raises(IntegrityError, match="pas du JSON valide"):
        serialization.load_joblib(files.joblib)


# --------------------------------------------------------------------------- integrity


def test_changing_one_byte_of_the_joblib_file_fails_before_unpickling(
    files, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = Manifest.load(files.manifest).files[files.joblib.name]
    _flip_one_byte(files.joblib)
    actual = serialization.sha256_of(files.joblib)

    def must_not_run(*args, **kwargs):
        raise AssertionError("the file was unpickled")

    monkeypatch.setattr("joblib.load", must_not_run)
    with pytest.raises(IntegrityError, match="empreinte sha256 différente") as error:
        serialization.load_joblib(files.joblib)
    assert recorded in str(error.value) and actual in str(error.value)


def test_a_booby_trapped_file_is_refused_and_its_code_never_runs(files, tmp_path) -> None:
    marker = tmp_path / "trap" / "executed.txt"
    marker.parent.mkdir()
    payload = serialization.unsafe_pickle_payload(marker)
    files.joblib.write_bytes(payload)
    pkl = files.joblib.with_suffix(".pkl")
    pkl.write_bytes(payload)

    with pytest.raises(IntegrityError, match="empreinte sha256 différente"):
        serialization.load_joblib(files.joblib)
    with pytest.raises(IntegrityError, match="ne mentionne pas"):
        serialization.load_pickle(pkl)
    assert not marker.exists(), "the payload ran: the file was unpickled"

    pickle.loads(payload)  # control: the payload does run when unpickled without a check
    assert marker.exists()


def test_a_file_without_manifest_needs_an_expected_hash(files, pipeline) -> None:
    digest = serialization.sha256_of(files.joblib)
    files.manifest.unlink()
    with pytest.raises(IntegrityError, match="pas de manifeste"):
        serialization.load_joblib(files.joblib)
    loaded = serialization.load_joblib(files.joblib, expected_sha256=digest)
    split = data.split()
    np.testing.assert_array_equal(loaded.predict(split.X_test), pipeline.predict(split.X_test))
    with pytest.raises(IntegrityError, match="expected_sha256"):
        serialization.load_joblib(files.joblib, expected_sha256="0" * 64)


def test_a_model_saved_with_another_scikit_learn_is_refused(files) -> None:
    raw = json.loads(files.manifest.read_text(encoding="utf-8"))
    raw["sklearn_version"] = "0.24.2"
    files.manifest.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(IntegrityError, match=r"scikit-learn 0\.24\.2"):
        serialization.load_joblib(files.joblib)


def test_a_manifest_describing_other_features_is_refused(files) -> None:
    raw = json.loads(files.manifest.read_text(encoding="utf-8"))
    raw["feature_names"] = ["a", "b", "c", "d"]
    files.manifest.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(IntegrityError, match="colonnes"):
        serialization.load_joblib(files.joblib)


def test_the_pickle_demo_runs_code_but_only_writes_a_marker_in_its_folder(tmp_path) -> None:
    demo = serialization.demonstrate_pickle_danger(tmp_path)
    assert (demo.marker_before, demo.marker_after) == (False, True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marqueur.txt", "modele_piege.pkl"]
    assert "code a été exécuté" in demo.marker.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- ONNX


def test_onnx_labels_match_scikit_learn_on_the_test_set_and_jittered_rows(
    built, pipeline, split
) -> None:
    """Labels are identical; probabilities differ only by the float32 sum of 100 votes.

    The graph scales in float64 exactly as scikit-learn does, then casts to float32 before
    the trees (as scikit-learn's trees do); its probabilities output is float32.
    """
    predictor = OnnxPredictor.from_file(built.onnx)
    for X in (split.X_test, data.jittered(split.X_test, 1000), data.jittered(split.X_train, 1000)):
        report = serialization.parity(pipeline, predictor, X)
        assert report.labels_equal, report
        assert report.max_proba_gap < 1e-5, report


def test_the_chapters_float32_export_shifts_probabilities_on_iris(built, pipeline, split) -> None:
    """Why export_onnx takes float64: the chapter's float32 call moves rows across thresholds."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    model = convert_sklearn(
        pipeline,
        initial_types=[("float_input", FloatTensorType([None, 4]))],
        options={id(pipeline.steps[-1][1]): {"zipmap": False}},
    )
    chapters = OnnxPredictor(model.SerializeToString())
    ours = OnnxPredictor.from_file(built.onnx)
    gap_chapter = serialization.parity(pipeline, chapters, split.X_test).max_proba_gap
    gap_ours = serialization.parity(pipeline, ours, split.X_test).max_proba_gap
    assert gap_chapter > 1e-3 > 1e-5 > gap_ours


def test_onnx_graph_returns_a_plain_probability_tensor_without_zipmap(built) -> None:
    import onnx

    model = onnx.load(built.onnx)
    assert "ZipMap" not in {node.op_type for node in model.graph.node}
    predictor = OnnxPredictor.from_file(built.onnx)
    outputs = {o.name: o.type for o in predictor.session.get_outputs()}
    assert outputs == {"label": "tensor(int64)", "probabilities": "tensor(float)"}
    assert predictor.session.get_inputs()[0].type == "tensor(double)"
    assert predictor.session.get_providers() == ["CPUExecutionProvider"]
    assert predictor.session.get_session_options().intra_op_num_threads == 1


def test_onnx_predictor_reads_columns_by_name_and_accepts_arrays(built, pipeline, split) -> None:
    predictor = OnnxPredictor.from_file(built.onnx)
    assert predictor.feature_names == list(data.FEATURES)
    assert predictor.classes_.tolist() == [0, 1, 2] and predictor.labels == list(data.LABELS)
    expected = pipeline.predict(split.X_test)
    shuffled = split.X_test[list(reversed(data.FEATURES))]
    np.testing.assert_array_equal(predictor.predict(shuffled), expected)
    np.testing.assert_array_equal(predictor.predict(split.X_test.to_numpy()), expected)
    np.testing.assert_array_equal(predictor.predict(split.X_test.to_numpy().tolist()), expected)
    assert predictor.predict_proba([[5.1, 3.5, 1.4, 0.2]]).shape == (1, 3)


def test_onnx_predictor_explains_bad_input(built, split) -> None:
    predictor = OnnxPredictor.from_file(built.onnx)
    with pytest.raises(ValueError, match=r"il manque à X les colonnes \['petal_width'\]"):
        predictor.predict(split.X_test.drop(columns="petal_width"))
    with pytest.raises(ValueError, match="2 dimensions"):
        predictor.predict(np.array([5.1, 3.5, 1.4, 0.2]))
    with pytest.raises(ValueError, match="4 colonnes"):
        predictor.predict(np.ones((2, 3)))


def test_a_tampered_onnx_file_is_refused(files) -> None:
    _flip_one_byte(files.onnx, position=len(files.onnx.read_bytes()) - 3)
    with pytest.raises(IntegrityError, match=r"pipeline_v1\.onnx : empreinte sha256 différente"):
        OnnxPredictor.from_file(files.onnx)
    files.manifest.unlink()
    with pytest.raises(IntegrityError, match="pas de manifeste"):
        OnnxPredictor.from_file(files.onnx)


def test_verify_false_skips_the_manifest_but_not_an_expected_hash(files) -> None:
    raw = json.loads(files.manifest.read_text(encoding="utf-8"))
    raw["files"]["pipeline_v1.onnx"] = "0" * 64
    files.manifest.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(IntegrityError, match="empreinte sha256 différente"):
        OnnxPredictor.from_file(files.onnx)
    assert OnnxPredictor.from_file(files.onnx, verify=False).manifest is None
    with pytest.raises(IntegrityError, match="expected_sha256"):
        OnnxPredictor.from_file(files.onnx, verify=False, expected_sha256="1" * 64)


def test_verify_false_loads_an_onnx_file_without_manifest(built, tmp_path) -> None:
    copy = Path(shutil.copy2(built.onnx, tmp_path / "alone.onnx"))
    predictor = OnnxPredictor.from_file(copy, verify=False)
    assert predictor.manifest is None
    assert predictor.feature_names == list(data.FEATURES)  # from the ONNX metadata


def test_importing_the_onnx_predictor_loads_neither_sklearn_nor_mlflow() -> None:
    code = (
        "import sys\n"
        "from mlops_course.serialization import OnnxPredictor\n"
        "heavy = {'sklearn', 'mlflow', 'skl2onnx', 'pandas', 'scipy', 'joblib'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_export_onnx_names_a_wrong_feature_count(pipeline, tmp_path) -> None:
    with pytest.raises(ValueError, match="n_features"):
        serialization.export_onnx(pipeline, tmp_path / "x.onnx", n_features=3)


# --------------------------------------------------------------------------- parity, speed


class _Constant:
    def __init__(self, label: int) -> None:
        self.label = label

    def predict(self, X):
        return np.full(len(X), self.label)

    def predict_proba(self, X):
        proba = np.zeros((len(X), 3))
        proba[:, self.label] = 1.0
        return proba


def test_parity_counts_label_mismatches_and_the_largest_gap(split) -> None:
    report = serialization.parity(_Constant(0), _Constant(1), split.X_test)
    assert report == serialization.ParityReport(
        labels_equal=False, n_label_mismatches=30, max_proba_gap=1.0, n_rows=30
    )
    assert "30 différentes" in report.summary()


def test_speed_helpers_return_medians_and_a_ratio(pipeline, built, split) -> None:
    with pytest.raises(ValueError, match="repeats"):
        serialization.median_seconds(len, [1], repeats=0)
    report = serialization.compare_speed(
        pipeline, OnnxPredictor.from_file(built.onnx), split.X_test.head(1), repeats=5
    )
    assert report.n_rows == 1
    assert report.sklearn_seconds > 0 and report.onnx_seconds > 0
    assert report.speedup == pytest.approx(report.sklearn_seconds / report.onnx_seconds)
    assert "×" in report.summary()


# --------------------------------------------------------------------------- make model, MLflow


def test_make_model_writes_the_three_files_in_the_model_dir(capsys) -> None:
    assert serialization.cli([]) == 0
    folder = config.model_dir()
    assert sorted(p.name for p in folder.iterdir()) == [
        "pipeline_v1.joblib",
        "pipeline_v1.manifest.json",
        "pipeline_v1.onnx",
    ]
    assert "accuracy=" in capsys.readouterr().out


def test_the_served_model_passes_the_promotion_gate_and_the_ci_floor_with_margin(built) -> None:
    """`make model` serves what the course's own gates accept, not a model on the CI floor."""
    metrics = Manifest.load(built.manifest).metrics
    assert metrics[PROMOTION_METRIC] > PROMOTION_MIN_F1  # §2.5: the registry would promote it
    assert metrics["accuracy"] >= CI_MIN_ACCURACY + 0.05  # §6.3: well above the floor
    assert metrics["f1_weighted"] >= CI_MIN_F1 + 0.05


@pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated")
def test_log_versioned_logs_both_formats_in_one_run_with_version_tags(
    built, pipeline, split
) -> None:
    import mlflow

    metrics = Manifest.load(built.manifest).metrics
    run_id = serialization.log_versioned(pipeline, built.onnx, version="1.2", metrics=metrics)

    assert mlflow.get_tracking_uri() == config.tracking_uri()
    run = mlflow.get_run(run_id)
    assert run.data.tags["version"] == "1.2"
    assert run.data.tags["onnx_sha256"] == serialization.sha256_of(built.onnx)
    assert run.data.metrics["accuracy"] == pytest.approx(metrics["accuracy"])
    assert json.loads(run.data.params["feature_names"]) == list(data.FEATURES)
    models = {
        model.name: model
        for model in (mlflow.get_logged_model(o.model_id) for o in run.outputs.model_outputs)
    }
    assert sorted(models) == ["onnx-model", "sklearn-model"]
    assert all(model.tags["version"] == "1.2" for model in models.values())
    served = mlflow.pyfunc.load_model(models["onnx-model"].model_uri)
    out = served.predict(split.X_test.to_numpy())
    np.testing.assert_array_equal(out["label"], pipeline.predict(split.X_test))
