"""HTTP metrics of the API for Prometheus: requests by route and status, and their duration.

Taught in notebooks 05_docker (the monitoring profile) and 07_monitoring_drift (``/metrics``).

The monitoring metrics (``mlops_predictions_total``...) count predictions; these count
requests, errors included, which is what a request-rate panel and an error-rate alert need
(``docker/monitoring/``):

- ``mlops_http_requests_total{route, status}``: one per answered request;
- ``mlops_http_request_duration_seconds{route}``: a histogram of the time to answer.

``route`` is the route template FastAPI matched (``/predict``, ``/monitoring/alertes``),
``"autre"`` when none did: label values stay bounded whatever paths clients send. A pure
ASGI middleware, as :mod:`mlops_course.api.middleware` explains (``BaseHTTPMiddleware``
halves the throughput).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Metric names, as Prometheus exposes them (the counter gets its ``_total`` suffix there).
REQUESTS = "mlops_http_requests"
DURATION = "mlops_http_request_duration_seconds"
#: Route label of a request that matched no route (404 on an unknown path).
UNMATCHED = "autre"
#: Request durations, in seconds (a prediction takes about a millisecond, a batch tens).
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class RequestMetrics:
    """The two metrics, registered in the app's Prometheus registry (``GET /metrics``)."""

    def __init__(self, registry: Any) -> None:
        from prometheus_client import Counter, Histogram

        self.requests = Counter(
            REQUESTS, "HTTP requests answered, by route and status.", ["route", "status"],
            registry=registry,
        )  # fmt: skip
        self.duration = Histogram(
            DURATION, "Time to answer an HTTP request, by route.", ["route"],
            buckets=BUCKETS, registry=registry,
        )  # fmt: skip
        # Label lookups take a lock in prometheus_client: keep the children at hand.
        self._counters: dict[tuple[str, int], Any] = {}
        self._timers: dict[str, Any] = {}

    def record(self, route: str, status: int, seconds: float) -> None:
        """Count one request to ``route`` answered with ``status`` in ``seconds``."""
        counter = self._counters.get((route, status))
        if counter is None:
            counter = self._counters.setdefault(
                (route, status), self.requests.labels(route, str(status))
            )
        timer = self._timers.get(route)
        if timer is None:
            timer = self._timers.setdefault(route, self.duration.labels(route))
        counter.inc()
        timer.observe(seconds)


class HttpMetrics:
    """ASGI middleware: time every HTTP request and count it by route template and status."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # an exception before any answer is a server error

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            # The routing wrote the matched route into the scope (none: an unknown path).
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            self.metrics.record(route, status, time.perf_counter() - start)


def install(app: FastAPI) -> RequestMetrics:
    """Count ``app``'s requests in its Prometheus registry (after monitoring is installed)."""
    from mlops_course.api.monitoring_routes import Monitoring

    monitoring = getattr(app.state, "monitoring", None)
    if not isinstance(monitoring, Monitoring):
        raise RuntimeError("installez d'abord le monitoring : il possède le registre Prometheus")
    metrics = RequestMetrics(monitoring.metrics.registry)
    app.add_middleware(HttpMetrics, metrics=metrics)
    app.state.http_metrics = metrics
    return metrics
