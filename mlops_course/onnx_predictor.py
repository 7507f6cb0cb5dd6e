"""Serve an ONNX export with onnxruntime: the API's fast path (numpy + onnxruntime only).

Taught in notebooks 03_sauvegarde_versioning_onnx (§3.2) and 04_serving_fastapi.

:class:`OnnxPredictor` has the ``predict`` / ``predict_proba`` interface of the scikit-learn
pipeline it was exported from, so tests and the API can use either. It imports neither
scikit-learn, nor skl2onnx, nor MLflow: a serving image needs none of them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from mlops_course.manifest import IntegrityError, Manifest, read_verified

_DTYPES = {"tensor(double)": np.float64, "tensor(float)": np.float32}


def session_options(threads: int = 1) -> ort.SessionOptions:
    """Return the session options the predictor uses: sequential, ``threads`` intra-op threads.

    One thread per request is the better default for small models: spreading a few
    microseconds of work over threads costs more than it saves, and the server already
    runs requests in parallel.
    """
    if threads < 1:
        raise ValueError(f"threads doit être >= 1, reçu {threads}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return options


class OnnxPredictor:
    """An ONNX classifier behind scikit-learn's ``predict`` / ``predict_proba`` interface.

    Create one per model and reuse it: building the ``InferenceSession`` costs milliseconds,
    running it microseconds. Accepts a DataFrame (columns reordered by name) or a 2-D array
    whose columns are in :attr:`feature_names` order.
    """

    def __init__(
        self,
        model: bytes | str | os.PathLike[str],
        *,
        manifest: Manifest | None = None,
        threads: int = 1,
    ) -> None:
        source = model if isinstance(model, bytes) else str(Path(model))
        self.session = ort.InferenceSession(
            source, sess_options=session_options(threads), providers=["CPUExecutionProvider"]
        )
        self.manifest = manifest
        inputs = self.session.get_inputs()
        if len(inputs) != 1:
            raise ValueError(f"le modèle ONNX doit avoir une seule entrée, il en a {len(inputs)}")
        self._input = inputs[0].name
        self._dtype = _DTYPES.get(inputs[0].type)
        if self._dtype is None:
            raise ValueError(
                f"type d'entrée ONNX non pris en charge {inputs[0].type} : float ou double attendu"
            )
        width = inputs[0].shape[1] if len(inputs[0].shape) == 2 else None
        outputs = [o.name for o in self.session.get_outputs()]
        if len(outputs) != 2:
            raise ValueError(f"sorties attendues (étiquette, probabilités), reçu {outputs}")
        self._label, self._proba = outputs
        props = self.session.get_modelmeta().custom_metadata_map
        names = json.loads(props["feature_names"]) if "feature_names" in props else None
        if names is None and manifest is not None:
            names = list(manifest.feature_names)
        self.feature_names: list[str] | None = names
        self.n_features: int | None = width if isinstance(width, int) else None
        if self.n_features is None and names is not None:
            self.n_features = len(names)
        if "classes" in props:
            self.classes_ = np.asarray(json.loads(props["classes"]), dtype=np.int64)
        else:  # an export without our metadata (e.g. the chapter's convert_sklearn call)
            width_out = self.session.get_outputs()[1].shape[-1]
            if not isinstance(width_out, int):
                width_out = len(manifest.labels) if manifest is not None else 0
            self.classes_ = np.arange(width_out, dtype=np.int64)
        labels = json.loads(props["labels"]) if "labels" in props else None
        if labels is None and manifest is not None:
            labels = list(manifest.labels)
        self.labels: list[str] = labels or [str(c) for c in self.classes_]
        if manifest is not None and names is not None and manifest.feature_names != names:
            raise IntegrityError(
                f"les variables du manifeste {manifest.feature_names} diffèrent de celles du "
                f"modèle ONNX {names}"
            )

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        *,
        verify: bool = True,
        expected_sha256: str | None = None,
        threads: int = 1,
    ) -> OnnxPredictor:
        """Load an ONNX file; with ``verify`` (default) its sha256 must match its manifest.

        ``expected_sha256``, when given, is checked too (even with ``verify=False``). The
        session is built from the bytes that were hashed, not by re-reading the path.

        Raises:
            IntegrityError: the file differs from its manifest (or from ``expected_sha256``),
                or, with ``verify``, there is no manifest to check it against.
        """
        if not verify and expected_sha256 is None:
            return cls(Path(path).read_bytes(), threads=threads)
        verified = read_verified(path, expected_sha256=expected_sha256, require_manifest=verify)
        return cls(verified.data, manifest=verified.manifest if verify else None, threads=threads)

    def _as_input(self, X: Any) -> np.ndarray:
        if hasattr(X, "columns"):  # a DataFrame: take the columns by name
            columns = [str(c) for c in X.columns]
            X = X.to_numpy(dtype=self._dtype)
            names = self.feature_names
            if names is not None and columns != names:
                missing = [name for name in names if name not in columns]
                if missing:
                    raise ValueError(f"il manque à X les colonnes {missing} ; attendu : {names}")
                X = X[:, [columns.index(name) for name in names]]
        array = np.asarray(X, dtype=self._dtype)
        if array.ndim != 2:
            raise ValueError(
                f"X doit être en 2 dimensions (n_lignes, {self.n_features}), reçu la forme "
                f"{array.shape} ; pour une seule ligne : X.reshape(1, -1)"
            )
        if self.n_features is not None and array.shape[1] != self.n_features:
            raise ValueError(
                f"X doit avoir {self.n_features} colonnes {self.feature_names}, "
                f"reçu {array.shape[1]}"
            )
        return np.ascontiguousarray(array)

    def predict(self, X: Any) -> np.ndarray:
        """Return the predicted class codes (int64, shape ``(n,)``)."""
        (labels,) = self.session.run([self._label], {self._input: self._as_input(X)})
        return np.asarray(labels, dtype=np.int64).reshape(-1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Return the class probabilities (float64 copy of the graph's float32, ``(n, k)``)."""
        (proba,) = self.session.run([self._proba], {self._input: self._as_input(X)})
        return np.asarray(proba, dtype=np.float64)

    def score(self, X: Any, y: Any) -> float:
        """Return the accuracy on ``(X, y)``, like scikit-learn's ``score``."""
        return float(np.mean(self.predict(X) == np.asarray(y).reshape(-1)))

    def __repr__(self) -> str:
        version = f" v{self.manifest.version}" if self.manifest else ""
        name = self.manifest.name if self.manifest else "onnx"
        return f"OnnxPredictor({name}{version}, features={self.feature_names})"
