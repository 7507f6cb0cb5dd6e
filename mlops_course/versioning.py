"""Versioning with MLflow (§3.3): the pipeline and its ONNX export in one run, version tags.

Taught in notebook 03_sauvegarde_versioning_onnx: a run of experiment
``classification-iris`` carries the chapter's parameters, the metrics, tags (version,
training date, the ONNX file's sha256, library versions), the manifest, and two models.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata as _metadata
from typing import Any

from mlops_course.constants import EXPERIMENT, MODEL_NAME
from mlops_course.manifest import feature_names_of, read_verified, sklearn_version
from mlops_course.mlflow_store import ensure_experiment, quiet_mlflow, use_store


def log_versioned(
    pipeline: Any,
    onnx_path: str | os.PathLike[str],
    *,
    version: str,
    metrics: Mapping[str, float],
    name: str = MODEL_NAME,
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

    from mlops_course import data
    from mlops_course.tracking import log_sklearn_model

    verified = read_verified(onnx_path, require_manifest=False)
    if input_example is None:
        input_example = data.split().X_test.head(3)
    example = np.asarray(input_example, dtype=np.float64)
    features = feature_names_of(pipeline)
    model = getattr(pipeline, "steps", [("model", pipeline)])[-1][1]
    use_store()
    with mlflow.start_run(
        experiment_id=ensure_experiment(EXPERIMENT), run_name=f"{name}-v{version}"
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
                "sklearn_version": sklearn_version(),
                "onnxruntime_version": _metadata.version("onnxruntime"),
            }
        )
        info = log_sklearn_model(pipeline, name="sklearn-model", input_example=input_example)
        mlflow.set_logged_model_tags(info.model_id, {"version": str(version)})
        outputs = {
            "label": pipeline.predict(input_example).astype(np.int64),
            "probabilities": pipeline.predict_proba(input_example).astype(np.float32),
        }
        with quiet_mlflow():
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
