"""The API's Prometheus metrics (``GET /metrics``): counters fed by the prediction records.

Taught in notebook 07_monitoring_drift (§7.4). Each app has its own registry (two apps in
one process do not collide) and label values are bounded: model versions and labels
beyond the first few are counted as ``"autre"``.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mlops_course.monitoring import ALERTS, ModelMonitor

#: Distinct values a Prometheus label may take before the rest is counted as "autre".
MAX_LABEL_VALUES = 10


class BoundedLabels:
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
        self._version = BoundedLabels()
        self._label = BoundedLabels()
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

    def counting_errors(self, name: str, sink: Callable[[Any], object]) -> Callable[[Any], None]:
        """``sink``, counting its failures in ``mlops_sink_errors{sink=name}`` (then re-raising)."""

        def counted_sink(records: Any) -> None:
            try:
                sink(records)
            except Exception:
                self.sink_errors.labels(name).inc()
                raise

        counted_sink.__qualname__ = f"monitoring_sink[{name}]"
        return counted_sink

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
