"""Monitoring endpoints of the API (§7.4): ``install(app)`` plugs them in.

- ``GET /monitoring/metriques``, ``GET /monitoring/sante``, ``GET /monitoring/alertes``: the
  chapter's three endpoints, served by a :class:`~mlops_course.monitoring.ModelMonitor`;
- ``POST /feedback``: the true label of a past prediction (delayed feedback), 404 if the
  ``prediction_id`` is unknown; it is also appended to ``logs/feedback.jsonl``;
- ``GET /metrics``: Prometheus text format, from a registry that belongs to this app
  (label values are bounded: model versions and labels beyond the first few become
  ``"autre"``).

``install(app)`` appends three sinks to ``app.state.prediction_sinks``: the prediction log
(``logs/predictions.jsonl``), the monitor and the Prometheus counters. The API calls them
with the records of each request.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from mlops_course import config
from mlops_course.monitoring import ALERTS, ModelMonitor, PredictionLog

logger = logging.getLogger("mlops_course.monitoring")

#: Distinct values a Prometheus label may take before the rest is counted as "autre".
MAX_LABEL_VALUES = 10

router = APIRouter(tags=["monitoring"])


class FeedbackInput(BaseModel):
    """The true label of a prediction, once it is known."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"prediction_id": "3f2a9c0e4b7d4e1f9a8b7c6d5e4f3a2b", "true_label": "setosa"}
            ]
        },
    )

    prediction_id: str = Field(
        ..., min_length=1, max_length=64, description="The id the API returned with the prediction."
    )
    true_label: str | int = Field(
        ..., description='The true label ("setosa"...) or class code (0, 1, 2).'
    )


class ErrorBody(BaseModel):
    """An error answer (the API's handlers add the ``error`` code)."""

    error: str | None = Field(default=None, description="Error code, e.g. not_found.")
    detail: str = Field(description="What went wrong.")


_NOT_INSTALLED = {503: {"model": ErrorBody, "description": "Monitoring is not installed"}}
_FEEDBACK_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body is not UTF-8 JSON"},
    404: {"model": ErrorBody, "description": "Unknown prediction_id"},
    413: {"model": ErrorBody, "description": "Body too large"},
    415: {"model": ErrorBody, "description": "Body not sent as application/json"},
    **_NOT_INSTALLED,
}


class FeedbackOutput(BaseModel):
    """What the monitor recorded."""

    prediction_id: str
    true_label: str | int
    correct: bool = Field(description="Whether the model's prediction was right.")


# --------------------------------------------------------------------------- Prometheus


class _Bounded:
    """Map label values to at most ``limit`` distinct ones; later newcomers become "autre"."""

    def __init__(self, limit: int = MAX_LABEL_VALUES) -> None:
        self.limit = limit
        self.seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: Any) -> str:
        text = str(value)[:64]
        with self._lock:
            if text in self.seen:
                return text
            if len(self.seen) < self.limit:
                self.seen.add(text)
                return text
        return "autre"


class PrometheusMetrics:
    """Prometheus counters fed by the prediction records, plus gauges read from the monitor.

    Each instance has its own registry: two apps in one process (tests) do not collide.
    """

    def __init__(self, monitor: ModelMonitor) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.monitor = monitor
        self.registry = CollectorRegistry(auto_describe=True)
        self._version = _Bounded()
        self._label = _Bounded()
        self.predictions = Counter(
            "mlops_predictions",
            "Predictions served, by model version and predicted label.",
            ["model_version", "label"],
            registry=self.registry,
        )
        self.confidence = Histogram(
            "mlops_prediction_confidence",
            "Confidence (highest class probability) of each prediction.",
            buckets=(0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0),
            registry=self.registry,
        )
        self.latency = Histogram(
            "mlops_model_latency_seconds",
            "Time of the model call that produced each prediction.",
            buckets=(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0),
            registry=self.registry,
        )
        self.feedback = Counter(
            "mlops_feedback",
            "True labels received, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.sink_errors = Counter(
            "mlops_sink_errors",
            "Monitoring sinks that failed on a request's records.",
            ["sink"],
            registry=self.registry,
        )
        self.registry.register(_MonitorCollector(monitor))

    def __call__(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Sink: count the records of one delivery (one counter update per label pair)."""
        counts: collections.Counter[tuple[Any, Any]] = collections.Counter()
        observe_confidence = self.confidence.observe
        observe_latency = self.latency.observe
        for record in records:
            counts[
                record.get("model_version", "unknown"),
                record.get("label", record.get("prediction")),
            ] += 1
            confidence = record.get("confidence")
            if confidence is not None:
                observe_confidence(float(confidence))
            latency = record.get("latency_ms")
            if latency is not None:
                observe_latency(float(latency) / 1000.0)
        for (version, label), n in counts.items():
            self.predictions.labels(self._version(version), self._label(label)).inc(n)

    def exposition(self) -> bytes:
        """The registry in Prometheus text format."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


class _MonitorCollector:
    """Gauges computed from the monitor at scrape time (fixed, bounded label values)."""

    def __init__(self, monitor: ModelMonitor) -> None:
        self.monitor = monitor

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Iterable[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        states = self.monitor.states()
        metrics = self.monitor.metrics()
        firing = GaugeMetricFamily(
            "mlops_alert_firing", "1 while the alert fires, else 0.", labels=["alert"]
        )
        pending = GaugeMetricFamily(
            "mlops_alert_pending", "1 while the alert is pending, else 0.", labels=["alert"]
        )
        for name in ALERTS:
            firing.add_metric([name], float(states.get(name) == "firing"))
            pending.add_metric([name], float(states.get(name) == "pending"))
        yield firing
        yield pending
        yield CounterMetricFamily(
            "mlops_monitor_predictions",
            "Predictions recorded by the monitor.",
            value=metrics["total_predictions"],
        )
        yield CounterMetricFamily(
            "mlops_monitor_windows",
            "Windows the monitor has evaluated.",
            value=metrics["fenetres_evaluees"],
        )
        feedback = metrics["feedback"]
        for name, value, text in (
            ("mlops_recent_confidence_mean", metrics["proba_moyenne"], "Mean recent confidence."),
            ("mlops_realized_accuracy", feedback["accuracy_realisee"], "Accuracy on feedback."),
            (
                "mlops_label_coverage",
                feedback["couverture_labels"],
                "Labelled share.",
            ),
        ):
            if value is not None:
                yield GaugeMetricFamily(name, text, value=float(value))


# --------------------------------------------------------------------------- routes


async def _settled(request: Request) -> None:
    """Wait until every prediction already answered has reached the sinks (read-your-writes).

    The API delivers records on a background thread (``mlops_course.api.sinks``); reading
    the monitor before that delivery would miss the latest predictions.
    """
    worker = getattr(request.app.state, "sink_worker", None)
    if worker is not None:
        await run_in_threadpool(worker.flush)


def _monitor(request: Request) -> ModelMonitor:
    monitor = getattr(request.app.state, "monitor", None)
    if monitor is None:
        raise HTTPException(status_code=503, detail="monitoring is not installed on this app")
    return monitor


@router.get("/monitoring/metriques", responses=_NOT_INSTALLED)
async def get_metriques(request: Request) -> dict[str, Any]:
    """Metrics of the recent predictions (confidence, classes, versions, feedback)."""
    await _settled(request)
    return _monitor(request).metrics()


@router.get("/monitoring/sante", responses=_NOT_INSTALLED)
async def get_sante(request: Request) -> dict[str, Any]:
    """Model health: ``OK``, ``DEGRADEE`` while an alert fires, ``INCONNUE`` before any traffic."""
    await _settled(request)
    return _monitor(request).health()


@router.get("/monitoring/alertes", responses=_NOT_INSTALLED)
async def get_alertes(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000, description="How many recent events.")] = 20,
) -> dict[str, Any]:
    """Recent alert events (one per transition: firing, resolved) and the current states."""
    await _settled(request)
    monitor = _monitor(request)
    return {"alertes": monitor.alerts(limit=limit), "etats": monitor.states()}


@router.post("/feedback", response_model=FeedbackOutput, responses=_FEEDBACK_ERRORS)
async def post_feedback(request: Request, feedback: FeedbackInput) -> dict[str, Any]:
    """Record the true label of a past prediction (joined by ``prediction_id``)."""
    await _settled(request)
    monitor = _monitor(request)
    try:
        correct = monitor.add_feedback(feedback.prediction_id, feedback.true_label)
    except KeyError as error:
        raise HTTPException(status_code=404, detail=str(error.args[0])) from error
    except TypeError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    state = request.app.state
    metrics: PrometheusMetrics | None = getattr(state, "prometheus", None)
    if metrics is not None:
        metrics.feedback.labels("correct" if correct else "incorrect").inc()
    feedback_log: PredictionLog | None = getattr(state, "feedback_log", None)
    if feedback_log is not None:
        feedback_log.append(
            {
                "prediction_id": feedback.prediction_id,
                "true_label": feedback.true_label,
                "timestamp": datetime.now(UTC).isoformat(),
            }
        )
    return {
        "prediction_id": feedback.prediction_id,
        "true_label": feedback.true_label,
        "correct": correct,
    }


@router.get("/metrics", response_class=Response, responses=_NOT_INSTALLED)
async def get_metrics(request: Request) -> Response:
    """Prometheus metrics (text exposition format)."""
    from prometheus_client import CONTENT_TYPE_LATEST

    await _settled(request)
    metrics: PrometheusMetrics | None = getattr(request.app.state, "prometheus", None)
    if metrics is None:
        raise HTTPException(status_code=503, detail="monitoring is not installed on this app")
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


# --------------------------------------------------------------------------- install


def default_monitor() -> ModelMonitor:
    """The API's monitor: windows of 100 predictions, training references loaded lazily."""
    from mlops_course.monitoring import training_class_shares, training_reference

    return ModelMonitor(
        "iris-classifier",
        reference=training_reference,
        class_reference=training_class_shares,
    )


def _counted(name: str, sink: Callable[[Any], Any], metrics: PrometheusMetrics) -> Callable:
    def counted_sink(records: Any) -> None:
        try:
            sink(records)
        except Exception:
            metrics.sink_errors.labels(name).inc()
            raise

    counted_sink.__qualname__ = f"monitoring_sink[{name}]"
    return counted_sink


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
) -> FastAPI:
    """Add the monitoring routes and sinks to ``app``; return it.

    Sets ``app.state.monitor``, ``prediction_log``, ``feedback_log`` and ``prometheus``,
    and appends the log, monitor and Prometheus sinks to ``app.state.prediction_sinks``.
    Nothing heavy runs here: the training references are loaded in a background thread
    when the app starts (or on the first window, whichever comes first).

    Installing twice is a no-op, unless the second call brings its own monitor or logs:
    that raises ``RuntimeError`` rather than silently keeping the first ones.
    """
    if getattr(app.state, "monitor", None) is not None:
        if monitor is not None or log is not None or feedback_log is not None:
            raise RuntimeError(
                "monitoring is already installed on this app; pass monitor/log/feedback_log "
                "to the first install(app, ...) call"
            )
        return app
    monitor = monitor or default_monitor()
    log = log or _DefaultLocationLog("predictions.jsonl")
    feedback_log = feedback_log or _DefaultLocationLog("feedback.jsonl")
    metrics = PrometheusMetrics(monitor)
    state = app.state
    state.monitor = monitor
    state.prediction_log = log
    state.feedback_log = feedback_log
    state.prometheus = metrics
    if not hasattr(state, "prediction_sinks"):
        state.prediction_sinks = []
    state.prediction_sinks.extend(
        [
            _counted("log", log.append_many, metrics),
            _counted("monitor", monitor.record_many, metrics),
            _counted("metrics", metrics, metrics),
        ]
    )
    app.include_router(router)
    _warm_up_on_startup(app, monitor)
    return app


def _warm_up_on_startup(app: FastAPI, monitor: ModelMonitor) -> None:
    """Load the monitor's references when the app starts, off the event loop.

    With the API's model service, it is one of the service's start-up warm-ups: it runs
    after the model, in the loader thread, and /ready waits for it. Another app gets a
    thread of its own when it starts.
    """
    service = getattr(app.state, "model", None)
    if isinstance(getattr(service, "warm_ups", None), list):
        service.warm_ups.append(monitor.load_references)
        return
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        threading.Thread(
            target=monitor.load_references, name="monitor-warm-up", daemon=True
        ).start()
        async with previous(application) as maybe_state:
            yield maybe_state

    app.router.lifespan_context = lifespan
