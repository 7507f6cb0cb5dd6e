"""Export the whole pipeline to ONNX (§3.2), then measure fidelity and speed, not claim them.

Taught in notebook 03_sauvegarde_versioning_onnx. :func:`export_onnx` converts the fitted
pipeline with skl2onnx (probabilities as a plain tensor, no ZipMap) and records the file
in the manifest; :func:`parity` and :func:`compare_speed` compare it with scikit-learn.

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

import json
import numbers
import os
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_course.constants import MODEL_NAME
from mlops_course.manifest import (
    feature_names_of,
    labels_of,
    record_file,
    sklearn_version,
    write_atomically,
)

#: Name of the ONNX graph's input (float64, shape ``(n, n_features)``).
ONNX_INPUT = "input"
#: The ONNX opsets written by :func:`export_onnx` (onnxruntime >= 1.14 runs them).
ONNX_OPSETS: Mapping[str, int] = {"": 17, "ai.onnx.ml": 3}


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
        raise ValueError(f"n_features doit être un entier positif, reçu {n_features!r}")
    fitted = getattr(pipeline, "n_features_in_", n_features)
    if fitted != n_features:
        raise ValueError(
            f"n_features doit être celui du pipeline ajusté ({fitted}), reçu {n_features}"
        )
    classes = list(getattr(pipeline, "classes_", []))
    if not all(isinstance(c, numbers.Integral) for c in classes):
        raise ValueError(
            f"export_onnx a besoin de codes de classe entiers, reçu les classes {classes}"
        )
    classes = [int(c) for c in classes]
    path = Path(path)
    export = _export_pipeline(pipeline)
    model = convert_sklearn(
        export,
        name=name or MODEL_NAME,
        initial_types=[(ONNX_INPUT, DoubleTensorType([None, n_features]))],
        options=_converter_options(export),
        target_opset=dict(ONNX_OPSETS),
    )
    onnx.helper.set_model_props(
        model,
        {
            "feature_names": json.dumps(feature_names_of(pipeline)),
            "labels": json.dumps(labels_of(classes)),
            "classes": json.dumps(classes),
            "sklearn_version": sklearn_version(),
        },
    )
    model.doc_string = "scikit-learn pipeline exported by mlops_course.onnx_export.export_onnx"
    write_atomically(path, model.SerializeToString())
    record_file(pipeline, path, name=name, version=version, metrics=metrics)
    return path


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
        raise ValueError(f"repeats doit être >= 1, reçu {repeats}")
    if warmup < 0:
        raise ValueError(f"warmup doit être >= 0, reçu {warmup}")
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
        raise ValueError(f"method doit être 'predict' ou 'predict_proba', reçu {method!r}")
    a, b = getattr(sklearn_model, method), getattr(onnx_predictor, method)
    # Alternate the two in small rounds so that a busy moment hits both alike.
    rounds = max(1, min(5, repeats))
    per_round = max(1, repeats // rounds)
    times_a, times_b = [], []
    for _ in range(rounds):
        times_a.append(median_seconds(a, X, repeats=per_round, warmup=1))
        times_b.append(median_seconds(b, X, repeats=per_round, warmup=1))
    return SpeedReport(len(X), statistics.median(times_a), statistics.median(times_b))
