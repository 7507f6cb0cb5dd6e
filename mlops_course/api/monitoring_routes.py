"""The API's monitoring (§7.4): ``install(app)`` adds its endpoints and its sinks.

Taught in notebook 07_monitoring_drift:

- ``GET /monitoring/metriques``, ``GET /monitoring/sante``, ``GET /monitoring/alertes``: the
  chapter's three endpoints, served by a :class:`~mlops_course.monitoring.ModelMonitor`;
- ``POST /feedback``: the true label of a past prediction (delayed feedback), 404 if the
  ``prediction_id`` is unknown; it is also appended to ``logs/feedback.jsonl``;
- ``GET /metrics``: Prometheus text format (:mod:`mlops_course.api.metrics`).

``install`` adds three sinks to the app's :class:`~mlops_course.api.sinks.PredictionSinks`:
the prediction log (``logs/predictions.jsonl``), the monitor and the Prometheus counters.
The routes are closures over one :class:`Monitoring`. Each model the API loads (a reload
after a promotion included) becomes the monitor's reference: :meth:`Monitoring.follow`
(notebook 09_capstone_pipeline).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mlops_course import config
from mlops_course.api.metrics import MAX_LABEL_VALUES, PrometheusMetrics
from mlops_course.api.schemas import ValidationErrorResponse, french, ok
from mlops_course.api.sinks import PredictionSinks
from mlops_course.constants import MODEL_NAME
from mlops_course.monitoring import (
    ModelMonitor,
    PredictionLog,
    training_class_shares,
    training_reference,
)
from mlops_course.monitoring.references import references_for

if TYPE_CHECKING:  # pragma: no cover
    from mlops_course.api.loading import LoadedModel

__all__ = ["MAX_LABEL_VALUES", "FeedbackInput", "Monitoring", "install"]


class FeedbackInput(BaseModel):
    """The true label of a prediction, once it is known."""

    model_config = french(
        "La vraie étiquette d'une prédiction passée, une fois connue.",
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"prediction_id": "3f2a9c0e4b7d4e1f9a8b7c6d5e4f3a2b", "true_label": "setosa"}
            ]
        },
    )

    prediction_id: str = Field(
        ...,
        min_length=1,
        max_length=64,
        title="Identifiant de la prédiction",
        description="L'identifiant que l'API a rendu avec la prédiction.",
    )
    true_label: str | int = Field(
        ...,
        title="Vraie étiquette",
        description='La vraie espèce ("setosa"...) ou son code de classe (0, 1, 2).',
    )


class FeedbackOutput(BaseModel):
    """What the monitor recorded."""

    model_config = french("Ce que le moniteur a enregistré.")

    prediction_id: str = Field(title="Identifiant de la prédiction")
    true_label: str | int = Field(title="Vraie étiquette")
    correct: bool = Field(title="Juste", description="La prédiction du modèle était-elle juste ?")


class ErrorBody(BaseModel):
    """An error answer (the API's handlers add the ``error`` code)."""

    model_config = french("Une réponse d'erreur : un code stable et un message.")

    error: str | None = Field(
        default=None, title="Code d'erreur", description="Par exemple not_found."
    )
    detail: str = Field(title="Message", description="Ce qui ne va pas.")


_FEEDBACK_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Le corps n'est pas du JSON en UTF-8"},
    404: {"model": ErrorBody, "description": "prediction_id inconnu"},
    413: {"model": ErrorBody, "description": "Corps trop gros"},
    415: {"model": ErrorBody, "description": "Corps non envoyé en application/json"},
    422: {"model": ValidationErrorResponse, "description": "Un champ enfreint une règle"},
}


@dataclass(frozen=True)
class Monitoring:
    """Everything the monitoring routes use; ``app.state.monitoring`` once installed."""

    monitor: ModelMonitor
    metrics: PrometheusMetrics
    feedback_log: PredictionLog
    prediction_log: PredictionLog
    sinks: PredictionSinks

    async def settled(self) -> None:
        """Wait until every prediction already answered has reached the sinks.

        The API delivers records on a background thread: reading the monitor before that
        delivery would miss the latest predictions (read-your-writes).
        """
        await run_in_threadpool(self.sinks.flush)

    def follow(self, model: LoadedModel) -> None:
        """Make the model just loaded the monitor's reference (its training data).

        Called by the model service on every swap. The predictions of the previous model
        are delivered first, and judged against the previous references. The new ones are
        loaded lazily: by the start-up warm-up, or when the next window closes (loading the
        model itself stays free of pandas and scikit-learn on the ONNX path).
        """
        self.sinks.flush()
        drift, classes = references_for(model.run_id)
        self.monitor.use_references(reference=drift, class_reference=classes)

    def record_feedback(self, feedback: FeedbackInput) -> bool:
        """Give the monitor a true label, count it, log it; return whether the model was right."""
        correct = self.monitor.add_feedback(feedback.prediction_id, feedback.true_label)
        self.metrics.feedback.labels("correct" if correct else "incorrect").inc()
        self.feedback_log.append(
            {
                "prediction_id": feedback.prediction_id,
                "true_label": feedback.true_label,
                "timestamp": datetime.now(UTC).isoformat(),
            }
        )
        return correct


def router(monitoring: Monitoring) -> APIRouter:
    """The monitoring endpoints, each one reading ``monitoring``."""
    routes = APIRouter(tags=["monitoring"])

    @routes.get(
        "/monitoring/metriques",
        responses={200: ok("Les métriques", "Métriques")},
        summary="Métriques récentes",
        description="Les métriques des dernières prédictions (confiance, classes, versions, "
        "retours terrain).",
    )
    async def get_metriques() -> dict[str, Any]:
        """Metrics of the recent predictions (confidence, classes, versions, feedback)."""
        await monitoring.settled()
        return monitoring.monitor.metrics()

    @routes.get(
        "/monitoring/sante",
        responses={200: ok("La santé du modèle", "Santé")},
        summary="Santé du modèle",
        description="`OK`, `DEGRADEE` tant qu'une alerte est déclenchée (`firing`), "
        "`INCONNUE` avant la première prédiction.",
    )
    async def get_sante() -> dict[str, Any]:
        """Model health: ``OK``, ``DEGRADEE`` while an alert fires, ``INCONNUE`` at first."""
        await monitoring.settled()
        return monitoring.monitor.health()

    @routes.get(
        "/monitoring/alertes",
        responses={
            200: ok("Les alertes et leurs états", "Alertes"),
            422: {"model": ValidationErrorResponse, "description": "Paramètre limit invalide"},
        },
        summary="Alertes",
        description="Les derniers événements d'alerte (un par transition : `firing` "
        "déclenchée, `resolved` résolue) et l'état courant de chaque alerte.",
    )
    async def get_alertes(
        limit: Annotated[
            int,
            Query(ge=1, le=1000, title="Nombre", description="Combien d'événements récents."),
        ] = 20,
    ) -> dict[str, Any]:
        """Recent alert events (one per transition: firing, resolved) and the current states."""
        await monitoring.settled()
        monitor = monitoring.monitor
        return {"alertes": monitor.alerts(limit=limit), "etats": monitor.states()}

    @routes.post(
        "/feedback",
        response_model=FeedbackOutput,
        responses={200: ok("Le retour enregistré"), **_FEEDBACK_ERRORS},
        summary="Retour terrain",
        description="Enregistre la vraie étiquette d'une prédiction passée (reliée par "
        "`prediction_id`) ; 404 si la prédiction est inconnue.",
    )
    async def post_feedback(feedback: FeedbackInput) -> dict[str, Any]:
        """Record the true label of a past prediction (joined by ``prediction_id``)."""
        await monitoring.settled()
        try:
            correct = monitoring.record_feedback(feedback)
        except KeyError as error:
            raise HTTPException(status_code=404, detail=str(error.args[0])) from error
        except TypeError as error:
            raise HTTPException(status_code=422, detail=str(error)) from error
        return {
            "prediction_id": feedback.prediction_id,
            "true_label": feedback.true_label,
            "correct": correct,
        }

    @routes.get(
        "/metrics",
        response_class=Response,
        responses={200: ok("Les métriques au format texte de Prometheus")},
        summary="Métriques Prometheus",
        description="Format texte d'exposition de Prometheus.",
    )
    async def get_metrics() -> Response:
        """Prometheus metrics (text exposition format)."""
        from prometheus_client import CONTENT_TYPE_LATEST

        await monitoring.settled()
        return Response(monitoring.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return routes


def default_monitor() -> ModelMonitor:
    """The API's monitor: windows of 100 predictions, training references loaded lazily."""
    return ModelMonitor(
        MODEL_NAME, reference=training_reference, class_reference=training_class_shares
    )


class _DefaultLocationLog(PredictionLog):
    """The API's default log: its file is chosen at first use, not when the app is built.

    ``mlops_course.api:app`` is built at import; resolving ``config.log_dir()`` then would
    freeze whatever ``MLOPS_COURSE_HOME`` was at import time.
    """

    def __init__(self, file_name: str) -> None:
        self._file_name = file_name
        self._resolved: Path | None = None
        super().__init__(file_name)

    @property  # type: ignore[override]
    def path(self) -> Path:
        if self._resolved is None:
            self._resolved = config.log_dir() / self._file_name
        return self._resolved

    @path.setter
    def path(self, value: Path) -> None:  # the base class assigns it; the location waits
        pass


def install(
    app: FastAPI,
    *,
    monitor: ModelMonitor | None = None,
    log: PredictionLog | None = None,
    feedback_log: PredictionLog | None = None,
    warm_ups: list[Callable[[], object]] | None = None,
    on_swap: list[Callable[[LoadedModel], object]] | None = None,
) -> FastAPI:
    """Add the monitoring routes and sinks to ``app``; return it.

    The monitor's training references are loaded off the request path: by one of
    ``warm_ups`` (the model service's start-up tasks, run after the model), or else in a
    thread of their own when the app starts. With ``on_swap`` (the model service's), they
    follow each model the service loads (:meth:`Monitoring.follow`). Installing twice is a
    no-op, unless the second call brings its own monitor or logs: that raises ``RuntimeError``.
    """
    installed: Monitoring | None = getattr(app.state, "monitoring", None)
    if installed is not None:
        if monitor is not None or log is not None or feedback_log is not None:
            raise RuntimeError(
                "le monitoring est déjà installé sur cette application : passez "
                "monitor/log/feedback_log au premier appel install(app, ...)"
            )
        return app
    monitor = monitor or default_monitor()
    log = log or _DefaultLocationLog("predictions.jsonl")
    metrics = PrometheusMetrics(monitor)
    sinks = PredictionSinks.of(app)
    monitoring = Monitoring(
        monitor=monitor,
        metrics=metrics,
        feedback_log=feedback_log or _DefaultLocationLog("feedback.jsonl"),
        prediction_log=log,
        sinks=sinks,
    )
    sinks.sinks.extend(
        [
            metrics.counting_errors("log", log.append_many),
            metrics.counting_errors("monitor", monitor.record_many),
            metrics.counting_errors("metrics", metrics),
        ]
    )
    app.state.monitoring = monitoring
    app.include_router(router(monitoring))
    if on_swap is not None:
        on_swap.append(monitoring.follow)
    if warm_ups is not None:
        warm_ups.append(monitor.load_references)
    else:
        _load_references_on_startup(app, monitor)
    return app


def _load_references_on_startup(app: FastAPI, monitor: ModelMonitor) -> None:
    """Load the monitor's references in a thread when the app starts, off the event loop."""
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        threading.Thread(
            target=monitor.load_references, name="monitor-warm-up", daemon=True
        ).start()
        async with previous(application) as maybe_state:
            yield maybe_state

    app.router.lifespan_context = lifespan
