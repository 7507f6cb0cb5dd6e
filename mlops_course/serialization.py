"""Saving the model (§3.1): joblib and pickle with a verified manifest, and ``make model``.

Taught in notebook 03_sauvegarde_versioning_onnx, which also uses the modules this one
re-exports: :mod:`~mlops_course.manifest` (integrity), :mod:`~mlops_course.onnx_export`
(§3.2), :mod:`~mlops_course.onnx_predictor` and :mod:`~mlops_course.versioning` (§3.3).

- :func:`save_joblib` / :func:`save_pickle` write the pipeline and record its sha256 in the
  manifest beside it; :func:`load_joblib` / :func:`load_pickle` hash the bytes **before**
  unpickling them and raise :class:`IntegrityError` (saying what differs) for a tampered or
  mismatched file: unpickling runs code (:func:`demonstrate_pickle_danger` shows it,
  harmlessly).
- :func:`build_model_files` / :func:`cli` write ``model/pipeline_v1.{joblib,onnx}`` + manifest.

Importing this module is cheap (standard library only): scikit-learn, skl2onnx, joblib and
MLflow are imported inside the functions that need them; :class:`OnnxPredictor`
(onnxruntime) and :func:`log_versioned` (MLflow) are re-exported lazily.
"""

from __future__ import annotations

import io
import os
import pickle
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_course import config
from mlops_course.cli import ArgumentParser
from mlops_course.constants import MODEL_NAME, MODEL_STEM
from mlops_course.manifest import (
    MANIFEST_NAME,
    MANIFEST_SUFFIX,
    IntegrityError,
    Manifest,
    VerifiedFile,
    labels_of,
    manifest_path,
    read_verified,
    record_file,
    sha256_of,
    sklearn_version,
    write_atomically,
)
from mlops_course.onnx_export import (
    ONNX_INPUT,
    ONNX_OPSETS,
    ParityReport,
    SpeedReport,
    compare_speed,
    export_onnx,
    median_seconds,
    parity,
)

if TYPE_CHECKING:  # pragma: no cover
    from mlops_course.onnx_predictor import OnnxPredictor
    from mlops_course.versioning import log_versioned

__all__ = [
    "MANIFEST_NAME",
    "MANIFEST_SUFFIX",
    "MODEL_STEM",
    "ONNX_INPUT",
    "ONNX_OPSETS",
    "IntegrityError",
    "Manifest",
    "ModelFiles",
    "OnnxPredictor",
    "ParityReport",
    "PickleDemo",
    "SpeedReport",
    "VerifiedFile",
    "build_model_files",
    "cli",
    "compare_speed",
    "demonstrate_pickle_danger",
    "export_onnx",
    "load_joblib",
    "load_pickle",
    "log_versioned",
    "manifest_path",
    "median_seconds",
    "parity",
    "read_verified",
    "save_joblib",
    "save_pickle",
    "sha256_of",
    "unsafe_pickle_payload",
]


def __getattr__(name: str) -> Any:
    # Imported on first use: importing this module must load neither onnxruntime nor MLflow.
    if name == "OnnxPredictor":
        from mlops_course.onnx_predictor import OnnxPredictor

        return OnnxPredictor
    if name == "log_versioned":
        from mlops_course.versioning import log_versioned

        return log_versioned
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def save_joblib(
    pipeline: Any,
    path: str | os.PathLike[str],
    *,
    name: str = MODEL_NAME,
    version: str = "1",
    metrics: Mapping[str, float] | None = None,
) -> Manifest:
    """Save ``pipeline`` with joblib and record its sha256 in ``<stem>.manifest.json``."""
    import joblib

    path = Path(path)
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    write_atomically(path, buffer.getvalue())
    return record_file(pipeline, path, name=name, version=version, metrics=metrics)


def save_pickle(
    pipeline: Any,
    path: str | os.PathLike[str],
    *,
    name: str = MODEL_NAME,
    version: str = "1",
    metrics: Mapping[str, float] | None = None,
) -> Manifest:
    """Save ``pipeline`` with pickle and record its sha256 in ``<stem>.manifest.json``."""
    path = Path(path)
    write_atomically(path, pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL))
    return record_file(pipeline, path, name=name, version=version, metrics=metrics)


def _verify_before_unpickling(verified: VerifiedFile) -> None:
    manifest = verified.manifest
    if manifest is not None and manifest.sklearn_version != sklearn_version():
        raise IntegrityError(
            f"{verified.path.name} a été enregistré avec scikit-learn "
            f"{manifest.sklearn_version}, cet environnement a la version {sklearn_version()} : "
            "un modèle picklé ne se recharge sans risque qu'avec la version qui l'a écrit. "
            "Réentraînez-le ou réexportez-le. Rien n'a été chargé."
        )


def _verify_after_unpickling(model: Any, verified: VerifiedFile) -> Any:
    manifest = verified.manifest
    if manifest is None:
        return model
    names = getattr(model, "feature_names_in_", None)
    if names is not None and [str(x) for x in names] != manifest.feature_names:
        raise IntegrityError(
            f"{verified.path.name} : le modèle attend les colonnes {[str(x) for x in names]}, "
            f"le manifeste annonce {manifest.feature_names}"
        )
    classes = getattr(model, "classes_", None)
    if classes is not None and labels_of(classes) != manifest.labels:
        raise IntegrityError(
            f"{verified.path.name} : les classes du modèle {labels_of(classes)} diffèrent des "
            f"étiquettes du manifeste {manifest.labels}"
        )
    return model


def load_joblib(path: str | os.PathLike[str], *, expected_sha256: str | None = None) -> Any:
    """Load a joblib file after checking its sha256 (manifest and/or ``expected_sha256``).

    The hash is checked on the bytes in memory, and only those bytes are unpickled.

    Raises:
        IntegrityError: the file differs from what was saved (nothing is unpickled), or the
            loaded model's feature names or classes differ from the manifest.
    """
    import joblib

    verified = read_verified(path, expected_sha256=expected_sha256)
    _verify_before_unpickling(verified)
    return _verify_after_unpickling(joblib.load(io.BytesIO(verified.data)), verified)


def load_pickle(path: str | os.PathLike[str], *, expected_sha256: str | None = None) -> Any:
    """Load a pickle file after checking its sha256; see :func:`load_joblib`."""
    verified = read_verified(path, expected_sha256=expected_sha256)
    _verify_before_unpickling(verified)
    return _verify_after_unpickling(pickle.loads(verified.data), verified)  # hash checked above


# --------------------------------------------------------------------------- pickle danger


def unsafe_pickle_payload(marker: str | os.PathLike[str], message: str | None = None) -> bytes:
    """Return pickle bytes that, **when unpickled**, write ``message`` into the file ``marker``.

    A harmless stand-in for an attack: pickle stores "call this function with these
    arguments" (``__reduce__``), and ``pickle.loads`` makes the call. Here the function is
    ``pathlib.Path.write_text``; an attacker would call ``os.system``.
    """
    marker = Path(marker).resolve()
    text = (
        message
        or "Ce fichier a été écrit pendant le chargement du pickle : du code a été exécuté.\n"
    )

    class _Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (Path.write_text, (marker, text))

    return pickle.dumps(_Payload(), protocol=4)


@dataclass(frozen=True)
class PickleDemo:
    """What :func:`demonstrate_pickle_danger` observed."""

    payload: Path
    marker: Path
    marker_before: bool
    marker_after: bool
    loaded: Any


def demonstrate_pickle_danger(folder: str | os.PathLike[str] | None = None) -> PickleDemo:
    """Write a booby-trapped pickle in ``folder`` (a new temporary folder by default), load it.

    Its only effect is a marker file in that folder: the point is that ``pickle.load`` ran
    code chosen by whoever wrote the file, before returning anything.
    """
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="pickle-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / "marqueur.txt"
    marker.unlink(missing_ok=True)
    payload = folder / "modele_piege.pkl"
    payload.write_bytes(unsafe_pickle_payload(marker))
    before = marker.exists()
    with payload.open("rb") as stream:
        loaded = pickle.load(stream)  # the point of the demonstration
    return PickleDemo(payload, marker, before, marker.exists(), loaded)


# --------------------------------------------------------------------------- make model


@dataclass(frozen=True)
class ModelFiles:
    """The chapter's model files: the pipeline (joblib), its ONNX export, their manifest."""

    joblib: Path
    onnx: Path
    manifest: Path


def build_model_files(
    directory: str | os.PathLike[str] | None = None, *, n_estimators: int | None = None
) -> ModelFiles:
    """Train the served model on the chapter's split and write its files in ``directory``.

    The model is the chapter's pipeline with ``training.DEFAULT_PARAMS`` (the champion
    configuration, which the promotion gate accepts); ``n_estimators`` overrides its number
    of trees (tests and fast mode use fewer). Writes ``pipeline_v1.joblib``,
    ``pipeline_v1.onnx`` and ``pipeline_v1.manifest.json`` (``directory`` defaults to
    ``config.model_dir()``). The export is checked before returning: labels must be
    identical to scikit-learn's on the test set and on 1,000 jittered rows.
    """
    from mlops_course import data, training
    from mlops_course.onnx_predictor import OnnxPredictor

    params = dict(training.DEFAULT_PARAMS)
    if n_estimators is not None:
        if n_estimators < 1:
            raise ValueError(f"n_estimators doit être >= 1, reçu {n_estimators}")
        params["n_estimators"] = n_estimators
    folder = Path(directory) if directory is not None else config.model_dir()
    split = data.split()
    pipeline = training.train(params, split)
    metrics = training.evaluate(pipeline, split.X_test, split.y_test)
    joblib_path = folder / f"{MODEL_STEM}.joblib"
    # A fresh manifest: files of an older model with the same stem must not stay listed.
    manifest_path(joblib_path).unlink(missing_ok=True)
    save_joblib(pipeline, joblib_path, metrics=metrics)
    onnx_path = export_onnx(pipeline, folder / f"{MODEL_STEM}.onnx")
    predictor = OnnxPredictor.from_file(onnx_path)
    for X in (split.X_test, data.jittered(split.X_test, 1000)):
        report = parity(pipeline, predictor, X)
        if not report.labels_equal:
            raise RuntimeError(f"l'export ONNX diffère de scikit-learn : {report.summary()}")
    return ModelFiles(joblib_path, onnx_path, manifest_path(joblib_path))


def cli(argv: list[str] | None = None) -> int:
    """``mlops-course model``: train the served model and write its files."""
    from mlops_course import training

    trees = training.DEFAULT_PARAMS["n_estimators"]
    parser = ArgumentParser(
        prog="mlops-course model",
        description=(
            f"Entraîne le modèle servi (la configuration championne du §2.3, "
            f"{training.DEFAULT_PARAMS}) ; écrit pipeline_v1.{{joblib,onnx}} + manifeste."
        ),
    )
    parser.add_argument(
        "--dir", type=Path, default=None, help="dossier de sortie (défaut : model/)"
    )
    parser.add_argument(
        "--n-estimators", type=int, default=None, help=f"nombre d'arbres (défaut : {trees})"
    )
    args = parser.parse_args(argv)
    files = build_model_files(args.dir, n_estimators=args.n_estimators)
    manifest = Manifest.load(files.manifest)
    for path in (files.joblib, files.onnx, files.manifest):
        print(f"écrit : {path}")
    metrics = ", ".join(f"{key}={value:.4f}" for key, value in manifest.metrics.items())
    print(f"métriques : {metrics}")
    return 0
