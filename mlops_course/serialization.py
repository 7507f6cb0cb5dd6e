"""Chapter 03: saving, verifying and exporting the model (§3.1–3.3).

- :func:`save_joblib` / :func:`save_pickle` write the pipeline and, beside it, a
  :class:`Manifest` (``<stem>.manifest.json``): sha256 of each file, model name and version,
  scikit-learn version, feature names, labels, metrics, creation time.
- :func:`load_joblib` / :func:`load_pickle` hash the bytes **before** unpickling them and
  raise :class:`IntegrityError` (saying what differs) for a tampered or mismatched file:
  unpickling runs code (:func:`demonstrate_pickle_danger` shows it, harmlessly).
- :func:`export_onnx` converts the whole pipeline with skl2onnx (probabilities as a plain
  tensor, no ZipMap); :class:`OnnxPredictor` serves it with onnxruntime only;
  :func:`parity` and :func:`compare_speed` measure fidelity and speed rather than claim them.
- :func:`log_versioned` logs the pipeline and its ONNX export in one MLflow run (§3.3);
  :func:`build_model_files` / :func:`cli` write ``model/pipeline_v1.{joblib,onnx}`` + manifest.

Importing this module is cheap (standard library only): scikit-learn, skl2onnx, joblib and
MLflow are imported inside the functions that need them, and :class:`OnnxPredictor` lives in
:mod:`mlops_course.onnx_predictor` (numpy + onnxruntime), re-exported here lazily.

Why the ONNX graph takes float64 input: scikit-learn scales in float64, then its trees cast
the scaled values to float32 and compare them with thresholds that sit half-way between two
training values. Iris is measured to the millimetre, so many thresholds fall exactly on a
value that occurs in the data, and the last bit decides the branch. A float32 input, or a
float32 scaler, changes that bit: probabilities then differ by up to 0.02–0.2 on the test
set. :func:`export_onnx` reproduces scikit-learn's arithmetic instead (float64 input,
``(x - mean) / scale`` in float64, cast to float32, float32 trees): the only gap left is the
float32 sum of the trees' votes (below 1e-6).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import logging
import numbers
import os
import pickle
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata as _metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_course import config

if TYPE_CHECKING:
    from mlops_course.onnx_predictor import OnnxPredictor

__all__ = [
    "DEFAULT_NAME",
    "MANIFEST_NAME",
    "MODEL_STEM",
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

#: Stem of the chapter's model files (``model/pipeline_v1.joblib``, ``.onnx``, ``.pkl``).
MODEL_STEM = "pipeline_v1"
#: Suffix of a manifest: ``<stem>.manifest.json`` describes every ``<stem>.*`` file.
MANIFEST_SUFFIX = ".manifest.json"
#: Manifest of the chapter's model files.
MANIFEST_NAME = f"{MODEL_STEM}{MANIFEST_SUFFIX}"
#: Default model name (the registry name of chapter 02).
DEFAULT_NAME = "iris-classifier"
#: Name of the ONNX graph's input (float64, shape ``(n, n_features)``).
ONNX_INPUT = "input"
#: The ONNX opsets written by :func:`export_onnx` (onnxruntime >= 1.14 runs them).
ONNX_OPSETS: Mapping[str, int] = {"": 17, "ai.onnx.ml": 3}
#: Experiment used by :func:`log_versioned` (chapter 02's experiment).
EXPERIMENT = "classification-iris"


class IntegrityError(Exception):
    """A model file's hash or metadata does not match its manifest (or the expected hash)."""


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Return the hex sha256 of a file's bytes (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(model_file: str | os.PathLike[str]) -> Path:
    """Return the manifest beside a model file (``a.onnx`` → ``a.manifest.json``).

    Every file of one stem (``.joblib``, ``.pkl``, ``.onnx``) shares this manifest.
    """
    path = Path(model_file)
    if not path.suffix:
        raise ValueError(f"model_file must have an extension (.joblib, .pkl, .onnx), got {path}")
    return path.with_name(path.stem + MANIFEST_SUFFIX)


@dataclass(frozen=True)
class Manifest:
    """What was saved: identity, environment, schema, metrics, and the sha256 of each file."""

    name: str
    version: str
    sklearn_version: str
    feature_names: list[str]
    labels: list[str]
    metrics: dict[str, float] = field(default_factory=dict)
    created_at: str = ""
    files: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest as plain JSON-ready data."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Manifest:
        """Build a manifest from :meth:`to_dict` data; unknown or missing keys are errors."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown, missing = sorted(set(raw) - names), sorted(names - set(raw))
        if unknown or missing:
            raise IntegrityError(
                f"manifeste mal formé : clés inconnues {unknown}, clés manquantes {missing}"
            )
        return cls(
            name=str(raw["name"]),
            version=str(raw["version"]),
            sklearn_version=str(raw["sklearn_version"]),
            feature_names=[str(x) for x in raw["feature_names"]],
            labels=[str(x) for x in raw["labels"]],
            metrics={str(k): float(v) for k, v in raw["metrics"].items()},
            created_at=str(raw["created_at"]),
            files={str(k): str(v) for k, v in raw["files"].items()},
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Manifest:
        """Read a manifest JSON file."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise IntegrityError(
                f"le manifeste {path} n'est pas du JSON valide : {error}"
            ) from error
        if not isinstance(raw, dict):
            raise IntegrityError(f"le manifeste {path} doit contenir un objet JSON")
        return cls.from_dict(raw)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the manifest as indented JSON (atomically: a reader never sees half a file)."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        return _write_atomically(Path(path), text.encode("utf-8"))

    def with_file(self, file_name: str, sha256: str) -> Manifest:
        """Return a copy that also records ``file_name`` with its hash."""
        return dataclasses.replace(self, files={**self.files, file_name: sha256})


@dataclass(frozen=True)
class VerifiedFile:
    """The bytes of a model file whose hash was checked, and the manifest that vouched for it."""

    path: Path
    data: bytes
    sha256: str
    manifest: Manifest | None


def read_verified(
    path: str | os.PathLike[str],
    *,
    expected_sha256: str | None = None,
    require_manifest: bool = True,
) -> VerifiedFile:
    """Read a model file and check its sha256 against its manifest and/or ``expected_sha256``.

    The bytes returned are the bytes that were hashed: load the model from them, not from
    the path again (the file could change in between).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        IntegrityError: the hash differs, the manifest does not list the file, or there is
            nothing to check against (no manifest and no ``expected_sha256``).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"fichier de modèle introuvable : {path}")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if expected_sha256 is not None and actual != expected_sha256.strip().lower():
        raise IntegrityError(
            f"{path.name} : son empreinte sha256 {actual} diffère de l'empreinte attendue "
            f"(expected_sha256) {expected_sha256} : le fichier a été modifié, ou ce n'est pas "
            "celui que vous attendez. Rien n'a été chargé."
        )
    where = manifest_path(path)
    manifest = Manifest.load(where) if where.is_file() else None
    if manifest is None:
        if require_manifest and expected_sha256 is None:
            raise IntegrityError(
                f"{path.name} : pas de manifeste ({where}) ni d'empreinte attendue "
                "(expected_sha256) : l'origine du fichier ne peut pas être vérifiée. Rien n'a "
                "été chargé."
            )
        return VerifiedFile(path, data, actual, None)
    recorded = manifest.files.get(path.name)
    if recorded is None:
        raise IntegrityError(
            f"{path.name} : le manifeste {where.name} ne mentionne pas ce fichier (il "
            f"mentionne {sorted(manifest.files)}). Rien n'a été chargé."
        )
    if recorded != actual:
        raise IntegrityError(
            f"{path.name} : empreinte sha256 différente : le fichier donne {actual}, le "
            f"manifeste {where.name} a enregistré {recorded} ({len(data)} octets sur le "
            "disque). Le fichier a été modifié après son enregistrement, ou le manifeste "
            "décrit un autre fichier. Rien n'a été chargé."
        )
    return VerifiedFile(path, data, actual, manifest)


# --------------------------------------------------------------------------- save / load


def _sklearn_version() -> str:
    return _metadata.version("scikit-learn")


def _write_atomically(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a model is read by other users
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _labels_of(classes: Any) -> list[str]:
    from mlops_course import data

    labels = []
    for code in list(classes):
        try:
            labels.append(data.label_of(int(code)))
        except (TypeError, ValueError):
            labels.append(str(code))
    return labels


def _feature_names_of(pipeline: Any) -> list[str]:
    from mlops_course import data

    names = getattr(pipeline, "feature_names_in_", None)
    return [str(x) for x in names] if names is not None else list(data.FEATURES)


def _record(
    pipeline: Any,
    path: Path,
    *,
    name: str | None,
    version: str | None,
    metrics: Mapping[str, float] | None,
) -> Manifest:
    """Record ``path``'s hash in the manifest beside it, and return the manifest written.

    One manifest describes one model version in several formats: the entries of the other
    files (same stem) are kept when the existing manifest has the same name and version.
    """
    where = manifest_path(path)
    try:
        previous = Manifest.load(where) if where.is_file() else None
    except IntegrityError:  # an unreadable manifest is replaced, not merged
        previous = None
    name = name or (previous.name if previous else DEFAULT_NAME)
    version = str(version or (previous.version if previous else "1"))
    same = previous is not None and (previous.name, previous.version) == (name, version)
    if metrics is None and same:
        metrics = previous.metrics
    manifest = Manifest(
        name=name,
        version=version,
        sklearn_version=_sklearn_version(),
        feature_names=_feature_names_of(pipeline),
        labels=_labels_of(getattr(pipeline, "classes_", [])),
        metrics={str(k): float(v) for k, v in (metrics or {}).items()},
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        files=dict(previous.files) if same else {},
    ).with_file(path.name, sha256_of(path))
    manifest.save(where)
    return manifest


def save_joblib(
    pipeline: Any,
    path: str | os.PathLike[str],
    *,
    name: str = DEFAULT_NAME,
    version: str = "1",
    metrics: Mapping[str, float] | None = None,
) -> Manifest:
    """Save ``pipeline`` with joblib and record its sha256 in ``<stem>.manifest.json``."""
    import joblib

    path = Path(path)
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    _write_atomically(path, buffer.getvalue())
    return _record(pipeline, path, name=name, version=version, metrics=metrics)


def save_pickle(
    pipeline: Any,
    path: str | os.PathLike[str],
    *,
    name: str = DEFAULT_NAME,
    version: str = "1",
    metrics: Mapping[str, float] | None = None,
) -> Manifest:
    """Save ``pipeline`` with pickle and record its sha256 in ``<stem>.manifest.json``."""
    path = Path(path)
    _write_atomically(path, pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL))
    return _record(pipeline, path, name=name, version=version, metrics=metrics)


def _check_before_unpickling(verified: VerifiedFile) -> None:
    manifest = verified.manifest
    if manifest is not None and manifest.sklearn_version != _sklearn_version():
        raise IntegrityError(
            f"{verified.path.name} a été enregistré avec scikit-learn "
            f"{manifest.sklearn_version}, cet environnement a la version {_sklearn_version()} : "
            "un modèle picklé ne se recharge sans risque qu'avec la version qui l'a écrit. "
            "Réentraînez-le ou réexportez-le. Rien n'a été chargé."
        )


def _check_after_unpickling(model: Any, verified: VerifiedFile) -> Any:
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
    if classes is not None and _labels_of(classes) != manifest.labels:
        raise IntegrityError(
            f"{verified.path.name} : les classes du modèle {_labels_of(classes)} diffèrent des "
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
    _check_before_unpickling(verified)
    return _check_after_unpickling(joblib.load(io.BytesIO(verified.data)), verified)


def load_pickle(path: str | os.PathLike[str], *, expected_sha256: str | None = None) -> Any:
    """Load a pickle file after checking its sha256; see :func:`load_joblib`."""
    verified = read_verified(path, expected_sha256=expected_sha256)
    _check_before_unpickling(verified)
    return _check_after_unpickling(pickle.loads(verified.data), verified)  # hash checked above


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


# --------------------------------------------------------------------------- ONNX


def _export_pipeline(pipeline: Any) -> Any:
    """Return the pipeline to convert: a float32 cast is inserted before a tree ensemble.

    scikit-learn's trees compare float32 values; the steps before them work in float64.
    """
    import numpy as np
    from skl2onnx.sklapi import CastTransformer
    from sklearn.pipeline import Pipeline

    steps = list(pipeline.steps) if isinstance(pipeline, Pipeline) else [("model", pipeline)]
    if _is_tree_model(steps[-1][1]):
        steps.insert(len(steps) - 1, ("to_float32", CastTransformer(dtype=np.float32)))
    return Pipeline(steps)


def _is_tree_model(model: Any) -> bool:
    from sklearn.ensemble import BaseEnsemble
    from sklearn.tree import BaseDecisionTree

    if isinstance(model, BaseDecisionTree):
        return True
    estimators = getattr(model, "estimators_", None)
    return (
        isinstance(model, BaseEnsemble)
        and bool(estimators)
        and all(isinstance(e, BaseDecisionTree) for e in estimators)
    )


def _converter_options(export: Any) -> dict[int, dict[str, Any]]:
    from sklearn.preprocessing import StandardScaler

    options: dict[int, dict[str, Any]] = {}
    for _, step in export.steps:
        if isinstance(step, StandardScaler):
            # (x - mean) / scale, as scikit-learn computes it (not x * (1/scale)).
            options[id(step)] = {"div": "div"}
    final = export.steps[-1][1]
    if hasattr(final, "predict_proba"):
        options[id(final)] = {"zipmap": False}  # probabilities as a plain (n, k) tensor
    return options


def export_onnx(
    pipeline: Any,
    path: str | os.PathLike[str],
    *,
    n_features: int = 4,
    name: str | None = None,
    version: str | None = None,
    metrics: Mapping[str, float] | None = None,
) -> Path:
    """Convert the whole fitted ``pipeline`` to ONNX, write it to ``path``, record its hash.

    The graph takes a float64 ``input`` of shape ``(n, n_features)`` and returns ``label``
    (int64 class codes) and ``probabilities`` (float32, shape ``(n, n_classes)``, no ZipMap).
    Feature names, labels and class codes are stored in the model's metadata, and the file's
    sha256 in ``<stem>.manifest.json`` (name/version/metrics default to the manifest's).
    """
    import onnx
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType

    if not isinstance(n_features, int) or n_features < 1:
        raise ValueError(f"n_features must be a positive integer, got {n_features!r}")
    fitted = getattr(pipeline, "n_features_in_", n_features)
    if fitted != n_features:
        raise ValueError(f"n_features must match the fitted pipeline ({fitted}), got {n_features}")
    classes = list(getattr(pipeline, "classes_", []))
    if not all(isinstance(c, numbers.Integral) for c in classes):
        raise ValueError(f"export_onnx needs integer class codes, got classes {classes}")
    classes = [int(c) for c in classes]
    path = Path(path)
    export = _export_pipeline(pipeline)
    model = convert_sklearn(
        export,
        name=name or DEFAULT_NAME,
        initial_types=[(ONNX_INPUT, DoubleTensorType([None, n_features]))],
        options=_converter_options(export),
        target_opset=dict(ONNX_OPSETS),
    )
    onnx.helper.set_model_props(
        model,
        {
            "feature_names": json.dumps(_feature_names_of(pipeline)),
            "labels": json.dumps(_labels_of(classes)),
            "classes": json.dumps(classes),
            "sklearn_version": _sklearn_version(),
        },
    )
    model.doc_string = "scikit-learn pipeline exported by mlops_course.serialization.export_onnx"
    _write_atomically(path, model.SerializeToString())
    _record(pipeline, path, name=name, version=version, metrics=metrics)
    return path


def __getattr__(name: str) -> Any:
    # OnnxPredictor is imported on first use: importing this module must not load onnxruntime.
    if name == "OnnxPredictor":
        from mlops_course.onnx_predictor import OnnxPredictor

        return OnnxPredictor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class ParityReport:
    """How closely two models agree on the same rows."""

    labels_equal: bool
    n_label_mismatches: int
    max_proba_gap: float
    n_rows: int

    def summary(self) -> str:
        """Return a short French sentence (used in the notebooks)."""
        verdict = "identiques" if self.labels_equal else f"{self.n_label_mismatches} différentes"
        return (
            f"{self.n_rows} lignes : étiquettes {verdict}, "
            f"écart max de probabilité {self.max_proba_gap:.1e}"
        )


def parity(sklearn_model: Any, onnx_predictor: Any, X: Any) -> ParityReport:
    """Compare labels and probabilities of two models on ``X`` (any ``predict_proba`` models)."""
    import numpy as np

    labels_a = np.asarray(sklearn_model.predict(X))
    labels_b = np.asarray(onnx_predictor.predict(X))
    proba_a = np.asarray(sklearn_model.predict_proba(X), dtype=np.float64)
    proba_b = np.asarray(onnx_predictor.predict_proba(X), dtype=np.float64)
    if labels_a.shape != labels_b.shape or proba_a.shape != proba_b.shape:
        raise ValueError(
            f"les deux modèles ne donnent pas les mêmes formes : étiquettes {labels_a.shape} "
            f"contre {labels_b.shape}, probabilités {proba_a.shape} contre {proba_b.shape}"
        )
    mismatches = int((labels_a != labels_b).sum())
    gap = float(np.abs(proba_a - proba_b).max()) if proba_a.size else 0.0
    return ParityReport(
        labels_equal=mismatches == 0,
        n_label_mismatches=mismatches,
        max_proba_gap=gap,
        n_rows=len(labels_a),
    )


# --------------------------------------------------------------------------- speed


def median_seconds(
    function: Callable[[Any], Any], X: Any, *, repeats: int = 50, warmup: int = 3
) -> float:
    """Return the median wall time of ``function(X)`` over ``repeats`` calls, after ``warmup``.

    The median ignores the slow first calls (caches, lazy setup) and the odd pause of a
    busy machine; compare two functions measured side by side in the same process.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    if warmup < 0:
        raise ValueError(f"warmup must be >= 0, got {warmup}")
    for _ in range(warmup):
        function(X)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(X)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@dataclass(frozen=True)
class SpeedReport:
    """Median seconds per call of two models on the same rows, and their ratio."""

    n_rows: int
    sklearn_seconds: float
    onnx_seconds: float

    @property
    def speedup(self) -> float:
        """How many times faster ONNX is (scikit-learn time / ONNX time)."""
        return self.sklearn_seconds / self.onnx_seconds if self.onnx_seconds else float("inf")

    def summary(self) -> str:
        """Return one line: sizes, times in µs, ratio."""
        return (
            f"{self.n_rows:>5} ligne(s) : scikit-learn {self.sklearn_seconds * 1e6:9.1f} µs, "
            f"ONNX {self.onnx_seconds * 1e6:8.1f} µs  →  ×{self.speedup:.1f}"
        )


def compare_speed(
    sklearn_model: Any,
    onnx_predictor: Any,
    X: Any,
    *,
    repeats: int = 50,
    method: str = "predict_proba",
) -> SpeedReport:
    """Time ``method`` of both models on ``X`` (median of ``repeats``), interleaved in one run."""
    if method not in {"predict", "predict_proba"}:
        raise ValueError(f"method must be 'predict' or 'predict_proba', got {method!r}")
    a, b = getattr(sklearn_model, method), getattr(onnx_predictor, method)
    # Alternate the two in small rounds so that a busy moment hits both alike.
    rounds = max(1, min(5, repeats))
    per_round = max(1, repeats // rounds)
    times_a, times_b = [], []
    for _ in range(rounds):
        times_a.append(median_seconds(a, X, repeats=per_round, warmup=1))
        times_b.append(median_seconds(b, X, repeats=per_round, warmup=1))
    return SpeedReport(len(X), statistics.median(times_a), statistics.median(times_b))


# --------------------------------------------------------------------------- MLflow (§3.3)


@contextmanager
def _quiet_pip_version_log() -> Iterator[None]:
    """Hide MLflow's "Failed to resolve installed pip version": a uv environment has no pip,
    and the message concerns only the conda.yaml MLflow writes beside the model."""
    logger = logging.getLogger("mlflow.utils.environment")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def log_versioned(
    pipeline: Any,
    onnx_path: str | os.PathLike[str],
    *,
    version: str,
    metrics: Mapping[str, float],
    name: str = DEFAULT_NAME,
    input_example: Any = None,
) -> str:
    """Log the pipeline and its ONNX export in one MLflow run with version tags; return its id.

    The run (experiment ``classification-iris``, store ``config.tracking_uri()``) carries
    the chapter's parameters (model type, features), ``metrics``, tags (``version``,
    ``model_name``, ``date_training``, the ONNX file's sha256, library versions), the
    manifest, and two models: ``sklearn-model`` (skops) and ``onnx-model`` (ONNX flavour on
    the CPU provider). The ONNX file is hash-checked first, like any load.
    """
    import mlflow
    import mlflow.onnx
    import numpy as np
    import onnx
    from mlflow.models import infer_signature

    from mlops_course import data, tracking

    verified = read_verified(onnx_path, require_manifest=False)
    if input_example is None:
        input_example = data.split().X_test.head(3)
    example = np.asarray(input_example, dtype=np.float64)
    features = _feature_names_of(pipeline)
    model = getattr(pipeline, "steps", [("model", pipeline)])[-1][1]
    tracking.use_store()
    with mlflow.start_run(
        experiment_id=tracking.ensure_experiment(EXPERIMENT), run_name=f"{name}-v{version}"
    ) as run:
        mlflow.log_params(
            {
                "model_type": type(model).__name__,
                "n_features": len(features),
                "feature_names": json.dumps(features),
                **{
                    key: value
                    for key, value in model.get_params().items()
                    if key in {"n_estimators", "max_depth", "min_samples_split", "random_state"}
                },
            }
        )
        mlflow.log_metrics({key: float(value) for key, value in metrics.items()})
        mlflow.set_tags(
            {
                "version": str(version),
                "model_name": name,
                "date_training": datetime.now(UTC).isoformat(timespec="seconds"),
                "formats": "sklearn,onnx",
                "onnx_sha256": verified.sha256,
                "sklearn_version": _sklearn_version(),
                "onnxruntime_version": _metadata.version("onnxruntime"),
            }
        )
        info = tracking.log_sklearn_model(
            pipeline, name="sklearn-model", input_example=input_example
        )
        mlflow.set_logged_model_tags(info.model_id, {"version": str(version)})
        outputs = {
            "label": pipeline.predict(input_example).astype(np.int64),
            "probabilities": pipeline.predict_proba(input_example).astype(np.float32),
        }
        with _quiet_pip_version_log():
            mlflow.onnx.log_model(
                onnx.load_from_string(verified.data),
                name="onnx-model",
                signature=infer_signature(example, outputs),
                pip_requirements=[
                    f"{package}=={_metadata.version(package)}"
                    for package in ("onnx", "onnxruntime", "numpy")
                ],
                onnx_execution_providers=["CPUExecutionProvider"],
                save_as_external_data=False,
                tags={"version": str(version)},
            )
        if verified.manifest is not None:
            mlflow.log_dict(verified.manifest.to_dict(), "manifest.json")
    return run.info.run_id


# --------------------------------------------------------------------------- make model


@dataclass(frozen=True)
class ModelFiles:
    """The chapter's model files: the pipeline (joblib), its ONNX export, their manifest."""

    joblib: Path
    onnx: Path
    manifest: Path


def build_model_files(
    directory: str | os.PathLike[str] | None = None, *, n_estimators: int = 100
) -> ModelFiles:
    """Train the chapter's pipeline on the chapter's split and write its files in ``directory``.

    Writes ``pipeline_v1.joblib``, ``pipeline_v1.onnx`` and ``pipeline_v1.manifest.json``
    (``directory`` defaults to ``config.model_dir()``). The export is checked before
    returning: labels must be identical to scikit-learn's on the test set and on 1,000
    jittered rows.
    """
    from mlops_course import data, training
    from mlops_course.onnx_predictor import OnnxPredictor

    if n_estimators < 1:
        raise ValueError(f"n_estimators must be >= 1, got {n_estimators}")
    folder = Path(directory) if directory is not None else config.model_dir()
    split = data.split()
    params = {**training.DEFAULT_PARAMS, "n_estimators": n_estimators}
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
    """``mlops-course model``: train the chapter's pipeline and write its files."""
    parser = argparse.ArgumentParser(
        prog="mlops-course model",
        description="Train the chapter's pipeline; write pipeline_v1.{joblib,onnx} + manifest.",
    )
    parser.add_argument("--dir", type=Path, default=None, help="output folder (default: model/)")
    parser.add_argument("--n-estimators", type=int, default=100, help="trees (default: 100)")
    args = parser.parse_args(argv)
    files = build_model_files(args.dir, n_estimators=args.n_estimators)
    manifest = Manifest.load(files.manifest)
    for path in (files.joblib, files.onnx, files.manifest):
        print(f"écrit : {path}")
    metrics = ", ".join(f"{key}={value:.4f}" for key, value in manifest.metrics.items())
    print(f"métriques : {metrics}")
    return 0
