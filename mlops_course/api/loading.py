"""Where the API's model comes from and how it is loaded: verified, checked, warmed up.

Taught in notebook 04_serving_fastapi (§4.3): :func:`resolve_source` turns the settings
into a :class:`ModelSource` (an ONNX or joblib file, or an MLflow registry URI);
:func:`load_model` reads it into an immutable :class:`LoadedModel`.

The ONNX path imports numpy and onnxruntime only; scikit-learn, pandas and MLflow are
imported inside the functions that need them.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from mlops_course import config
from mlops_course.api.schemas import FEATURE_FIELDS
from mlops_course.api.settings import Settings
from mlops_course.constants import MODEL_STEM, SETOSA
from mlops_course.manifest import IntegrityError, Manifest, manifest_path, sha256_of

logger = logging.getLogger("mlops_course.api")

MLFLOW_PREFIX = "models:/"

Backend = Literal["onnx", "sklearn"]


@dataclass(frozen=True)
class ModelSource:
    """Where the model comes from and which backend serves it."""

    kind: Literal["onnx", "joblib", "registry"]
    location: str
    backend: Backend
    default: bool = False

    def describe(self) -> str:
        """Return a short human description (``onnx file model/pipeline_v1.onnx``)."""
        what = {"onnx": "fichier ONNX", "joblib": "fichier joblib", "registry": "modèle MLflow"}
        return f"{what[self.kind]} {self.location} (backend {self.backend})"


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to serve, with what ``GET /model`` reports about it. Never mutated."""

    name: str
    version: str
    backend: Backend
    source: str
    sha256: str | None
    feature_names: tuple[str, ...]
    labels: tuple[str, ...]
    metrics: dict[str, float]
    classes: np.ndarray
    predictor: Any = field(repr=False)
    loaded_at: str = field(default_factory=lambda: now())
    #: The MLflow run that trained a registry model (None for a model file): it says which
    #: data the monitor compares production with (:mod:`mlops_course.monitoring.references`).
    run_id: str | None = None

    @property
    def blocking(self) -> bool:
        """True when one call takes milliseconds (scikit-learn): run it in the thread pool."""
        return self.backend == "sklearn"

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Return class probabilities for ``X`` (rows in :attr:`feature_names` order)."""
        if self.backend == "sklearn":
            import pandas as pd

            X = pd.DataFrame(X, columns=list(self.feature_names))
        return np.asarray(self.predictor.predict_proba(X), dtype=float)

    def info(self) -> dict[str, Any]:
        """Return the ``GET /model`` description."""
        return {
            "name": self.name,
            "version": self.version,
            "backend": self.backend,
            "source": self.source,
            "sha256": self.sha256,
            "feature_names": list(self.feature_names),
            "labels": list(self.labels),
            "metrics": dict(self.metrics),
            "loaded_at": self.loaded_at,
        }


def now() -> str:
    """The current UTC time in ISO 8601 (when a model was loaded, when a prediction was made)."""
    return datetime.now(UTC).isoformat()


# --- where the model comes from ----------------------------------------------------------


def default_files(directory: Path | None = None) -> dict[str, Path]:
    """Return the default model files (``pipeline_v1.onnx`` / ``.joblib``) of ``model_dir()``."""
    directory = directory or config.model_dir()
    return {
        "onnx": directory / f"{MODEL_STEM}.onnx",
        "sklearn": directory / f"{MODEL_STEM}.joblib",
    }


def resolve_source(settings: Settings) -> ModelSource:
    """Turn ``settings.model`` / ``settings.backend`` into a :class:`ModelSource`.

    A file's suffix decides its backend (``.onnx`` → onnx, ``.joblib`` → sklearn); an MLflow
    URI is served with ``settings.backend`` (ONNX converts the registered pipeline once at
    load); no source means the default file of ``config.model_dir()`` for the backend.
    """
    raw = settings.model
    if raw is None:
        path = default_files()[settings.backend]
        kind = "onnx" if settings.backend == "onnx" else "joblib"
        return ModelSource(kind, str(path), settings.backend, default=True)
    if raw.startswith(MLFLOW_PREFIX):
        return ModelSource("registry", raw, settings.backend)
    suffix = Path(raw).suffix.lower()
    if suffix == ".onnx":
        return ModelSource("onnx", str(Path(raw).expanduser().resolve()), "onnx")
    if suffix == ".joblib":
        return ModelSource("joblib", str(Path(raw).expanduser().resolve()), "sklearn")
    raise ValueError(
        "MLOPS_COURSE_MODEL doit être un fichier .onnx ou .joblib ou une URI MLflow "
        f"(models:/nom@alias ou models:/nom/version), reçu {raw!r}"
        + (" (l'API ne charge jamais de fichier pickle)" if suffix in {".pkl", ".pickle"} else "")
    )


def ensure_default_model(source: ModelSource, *, train_if_missing: bool = True) -> None:
    """Make sure the default model file exists: train and save it once if it does not.

    Files are written to a temporary folder first and moved into place, so a concurrent
    reader sees either no file or a complete one.
    """
    path = Path(source.location)
    if path.is_file():
        return
    if not train_if_missing:
        raise FileNotFoundError(
            f"aucun modèle dans {path} : lancez `make model` (ou `mlops-course model`) pour le "
            "créer, ou définissez MLOPS_COURSE_MODEL"
        )
    from mlops_course.serialization import build_model_files

    directory = path.parent
    logger.warning(
        "aucun fichier de modèle dans %s : entraînement du modèle par défaut, une fois, et "
        "enregistrement à cet endroit (`make model` le fait à l'avance)",
        path,
    )
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".training-", dir=directory))
    try:
        files = build_model_files(staging)
        for produced in (files.joblib, files.onnx, files.manifest):  # manifest last
            os.replace(produced, directory / Path(produced).name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --- loading -----------------------------------------------------------------------------


def load_model(settings: Settings) -> LoadedModel:
    """Load the model the settings point at, verified and warmed up."""
    source = resolve_source(settings)
    if source.default:
        ensure_default_model(source, train_if_missing=settings.train_if_missing)
    if source.kind == "onnx":
        model = _load_onnx(Path(source.location))
    elif source.kind == "joblib":
        model = _load_joblib(Path(source.location))
    else:
        model = _load_registry(source.location, backend=source.backend)
    _check_features(model)
    warm_up(model)
    return model


def _load_onnx(path: Path) -> LoadedModel:
    from mlops_course.onnx_predictor import OnnxPredictor

    predictor = OnnxPredictor.from_file(path, verify=True)
    manifest = predictor.manifest
    return LoadedModel(
        name=manifest.name,
        version=str(manifest.version),
        backend="onnx",
        source=str(path),
        sha256=manifest.files.get(path.name),
        feature_names=tuple(predictor.feature_names),
        labels=tuple(manifest.labels),
        metrics={k: float(v) for k, v in manifest.metrics.items()},
        classes=np.asarray(predictor.classes_),
        predictor=predictor,
    )


def _load_joblib(path: Path) -> LoadedModel:
    from mlops_course.serialization import load_joblib

    manifest_file = manifest_path(path)
    if not manifest_file.is_file():
        raise IntegrityError(
            f"{path} n'a pas de manifeste ({manifest_file.name}) : l'API ne désérialise pas un "
            "fichier dont l'empreinte n'est pas vérifiée"
        )
    manifest = Manifest.load(manifest_file)
    expected = manifest.files.get(path.name)
    if expected is None:
        raise IntegrityError(f"{manifest_file.name} ne donne pas l'empreinte de {path.name}")
    pipeline = load_joblib(path, expected_sha256=expected)
    return LoadedModel(
        name=manifest.name,
        version=str(manifest.version),
        backend="sklearn",
        source=str(path),
        sha256=expected,
        feature_names=tuple(manifest.feature_names),
        labels=tuple(manifest.labels),
        metrics={k: float(v) for k, v in manifest.metrics.items()},
        classes=np.asarray(pipeline.classes_),
        predictor=pipeline,
    )


def _registry_version(uri: str) -> tuple[str, str, str | None]:
    """Resolve ``models:/name@alias`` or ``models:/name/N`` to (name, version, run_id)."""
    from mlflow import MlflowClient

    client = MlflowClient()
    body = uri.removeprefix(MLFLOW_PREFIX)
    if "@" in body:
        name, alias = body.split("@", 1)
        mv = client.get_model_version_by_alias(name, alias)
    elif "/" in body:
        name, number = body.split("/", 1)
        mv = client.get_model_version(name, number)
    else:
        raise ValueError(
            "une URI du registre MLflow a besoin de @alias ou de /version "
            f"(models:/nom@champion), reçu {uri!r}"
        )
    return name, str(mv.version), mv.run_id


def _load_registry(uri: str, *, backend: Backend) -> LoadedModel:
    import mlflow

    from mlops_course import data, tracking

    tracking.use_store()
    name, version, run_id = _registry_version(uri)
    metrics: dict[str, float] = {}
    if run_id:
        run = mlflow.MlflowClient().get_run(run_id)
        metrics = {k: float(v) for k, v in run.data.metrics.items()}
    # The alias may move while we load: load the version it pointed at.
    pipeline = mlflow.sklearn.load_model(f"models:/{name}/{version}")
    features = tuple(getattr(pipeline, "feature_names_in_", data.FEATURES))
    common = {
        "name": name,
        "version": version,
        "source": uri,
        "feature_names": tuple(str(f) for f in features),
        "labels": data.LABELS,
        "metrics": metrics,
        "classes": np.asarray(pipeline.classes_),
        "run_id": run_id,
    }
    if backend == "sklearn":
        return LoadedModel(backend="sklearn", sha256=None, predictor=pipeline, **common)
    from mlops_course.onnx_export import export_onnx
    from mlops_course.onnx_predictor import OnnxPredictor

    with tempfile.TemporaryDirectory(prefix="registry-onnx-") as folder:
        onnx_path = export_onnx(pipeline, Path(folder) / "model.onnx")
        predictor = OnnxPredictor.from_file(onnx_path, verify=False)
        sha = sha256_of(onnx_path)
    return LoadedModel(backend="onnx", sha256=sha, predictor=predictor, **common)


def _check_features(model: LoadedModel) -> None:
    if sorted(model.feature_names) != sorted(FEATURE_FIELDS):
        raise ValueError(
            f"le modèle attend les variables {list(model.feature_names)}, "
            f"l'API accepte {list(FEATURE_FIELDS)}"
        )
    if len(model.labels) < len(model.classes):
        raise ValueError(
            f"le modèle a {len(model.classes)} classes mais les étiquettes {model.labels}"
        )


def warm_up(model: LoadedModel) -> None:
    """Run a few predictions so the first request does not pay for lazy initialisation."""
    row = np.array([[SETOSA[name] for name in model.feature_names]])
    for X in (row, np.repeat(row, 8, axis=0)):
        proba = model.predict_proba(X)
        if proba.shape != (len(X), len(model.classes)):
            raise ValueError(f"le modèle a rendu des probabilités de forme {proba.shape}")


def resolve_source_text(settings: Settings) -> str:
    """Describe the configured source, or why it is invalid (for log lines)."""
    try:
        return resolve_source(settings).describe()
    except ValueError as error:
        return str(error)
