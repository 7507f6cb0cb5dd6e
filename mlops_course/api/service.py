"""The model the API serves, and how it predicts: plain code, usable without HTTP.

Taught in notebook 04_serving_fastapi (§4.3): :func:`predict_records` runs one vectorized
model call and returns one :class:`~mlops_course.records.PredictionRecord` per row;
:class:`ModelService` holds the current model and swaps it atomically on
:meth:`~ModelService.reload` (a request uses the model it started with, never a
half-loaded one). Where the model comes from is :mod:`mlops_course.api.loading`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from mlops_course.api.loading import (
    Backend,
    LoadedModel,
    ModelSource,
    default_files,
    ensure_default_model,
    load_model,
    now,
    resolve_source,
    resolve_source_text,
    warm_up,
)
from mlops_course.api.settings import Settings
from mlops_course.records import PredictionRecord, build_records

__all__ = [
    "Backend",
    "LoadedModel",
    "ModelNotReadyError",
    "ModelService",
    "ModelSource",
    "PredictionError",
    "default_files",
    "ensure_default_model",
    "load_model",
    "predict_records",
    "resolve_source",
    "resolve_source_text",
    "to_matrix",
    "warm_up",
]

logger = logging.getLogger("mlops_course.api")


class ModelNotReadyError(RuntimeError):
    """No model is loaded yet (still loading, or loading failed)."""


class PredictionError(RuntimeError):
    """The model raised while predicting (not the client's fault)."""


# --- predicting --------------------------------------------------------------------------


def to_matrix(rows: list[Any], feature_names: tuple[str, ...]) -> np.ndarray:
    """Return the (n, 4) float matrix of validated inputs, columns in the model's order."""
    return np.array([[getattr(r, f) for f in feature_names] for r in rows], dtype=float)


def predict_records(model: LoadedModel, X: np.ndarray) -> list[PredictionRecord]:
    """Predict every row of ``X`` in one model call; return one record per row.

    ``latency_ms`` is the time of this call, shared by its rows. Raises
    :class:`PredictionError` if the model fails.
    """
    start = time.perf_counter()
    try:
        proba = model.predict_proba(X)
        codes = model.classes[proba.argmax(axis=1)]
    except Exception as error:
        raise PredictionError(f"{type(error).__name__}: {error}") from error
    latency_ms = round((time.perf_counter() - start) * 1000.0, 3)
    return build_records(
        model.feature_names,
        X.tolist(),
        proba,
        codes.tolist(),
        labels=model.labels,
        model_version=model.version,
        timestamp=now(),
        latency_ms=latency_ms,
    )


# --- the current model -------------------------------------------------------------------


class ModelService:
    """Holds the model being served; loads, reloads and swaps it atomically.

    ``app.state.model`` is one of these. :attr:`current` is replaced in one assignment,
    after the new model is fully loaded and warmed up: a request that read it keeps a
    complete model until it finishes.

    :attr:`warm_ups` are run once, after the first load of :meth:`load_in_background`, in
    the same thread (e.g. the monitor's references): the server reports :attr:`ready`
    only once they are done, so traffic does not compete with the rest of the start-up.
    :attr:`on_swap` functions are called with every model swapped in, first load included
    (the monitor follows the served model's training data).
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._current: LoadedModel | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._starting = False
        self.warm_ups: list[Callable[[], object]] = []
        self.on_swap: list[Callable[[LoadedModel], object]] = []
        self.state: Literal["idle", "loading", "ready", "failed"] = "idle"
        self.error: str | None = None

    @property
    def ready(self) -> bool:
        """A model is loaded and the start-up warm-ups are done: send traffic."""
        return self._current is not None and not self._starting

    @property
    def current(self) -> LoadedModel | None:
        """The model being served, or None before the first successful load."""
        return self._current

    @property
    def version(self) -> str | None:
        """Version of the model being served."""
        return self._current.version if self._current else None

    def require(self) -> LoadedModel:
        """Return the current model or raise :class:`ModelNotReadyError`."""
        model = self._current
        if model is None:
            raise ModelNotReadyError(self.error or "le modèle est encore en cours de chargement")
        return model

    def load(self) -> LoadedModel:
        """(Re)read the model source, warm the new model up, then swap it in.

        If loading fails, the previous model (if any) keeps serving and the error is raised.
        """
        with self._lock:
            if self._current is None:
                self.state = "loading"
            started = time.perf_counter()
            try:
                model = load_model(self.settings)
            except Exception as error:
                if self._current is None:
                    self.state, self.error = "failed", f"{type(error).__name__}: {error}"
                logger.exception(
                    "échec du chargement du modèle (%s)", resolve_source_text(self.settings)
                )
                raise
            self._current = model  # the atomic swap
            self.state, self.error = "ready", None
            for follow in list(self.on_swap):
                try:
                    follow(model)
                except Exception:  # the new model serves either way
                    logger.exception("after loading version %s, %r failed", model.version, follow)
            if not self._starting:
                self._ready.set()
            logger.info(
                "modèle %s version %s chargé depuis %s (%s) en %.2f s",
                model.name,
                model.version,
                model.source,
                model.backend,
                time.perf_counter() - started,
            )
            return model

    reload = load

    def load_in_background(self) -> threading.Thread:
        """Start :meth:`load`, then the :attr:`warm_ups`, in a daemon thread.

        The server answers /health meanwhile. One thread does both, one after the other:
        two threads importing scikit-learn at once (training the default model, loading
        the monitor's references) can fail with "partially initialized module".
        """
        self._starting = True

        def run() -> None:
            try:
                self.load()
            except Exception:  # already logged; state says "failed"
                pass
            finally:
                for warm_up in list(self.warm_ups):
                    try:
                        warm_up()
                    except Exception:
                        logger.exception("échec de la tâche de démarrage %r", warm_up)
                self._starting = False
                self._ready.set()

        thread = threading.Thread(target=run, name="model-loader", daemon=True)
        thread.start()
        return thread

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the first load and the warm-ups finished; True if a model is ready."""
        self._ready.wait(timeout)
        return self.ready
