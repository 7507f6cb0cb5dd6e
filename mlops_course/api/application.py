"""The FastAPI application factory: settings in, app out, nothing loaded until startup.

Taught in notebook 04_serving_fastapi (§4.3: the lifespan); notebook 07_monitoring_drift
adds the monitoring that :func:`create_app` installs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from mlops_course.api import errors, http_metrics, routes
from mlops_course.api.middleware import BodySizeLimit
from mlops_course.api.monitoring_routes import install as install_monitoring
from mlops_course.api.service import ModelService
from mlops_course.api.settings import Settings
from mlops_course.api.sinks import PredictionSinks

DESCRIPTION = """
Prédit l'espèce d'une fleur d'iris à partir de quatre mesures (cm).

- `GET /health` : vivacité (le processus répond) ; `GET /ready` : 200 quand le modèle est prêt.
- `POST /predict` : une fleur ; `POST /predict/batch` : jusqu'à 1 000 fleurs, un seul appel
  au modèle.
- `GET /model` : version, backend, empreinte sha256, métriques du modèle servi.
- `POST /admin/reload` : relit la source du modèle (nouveau `@champion`) sans redémarrer.

Toute entrée invalide reçoit une erreur 4xx en JSON qui nomme le champ et la règle.
"""


def configure_prediction_log() -> None:
    """Send the one-line-per-prediction log to stderr unless logging is configured already."""
    log = logging.getLogger("mlops_course.predictions")
    log.setLevel(logging.INFO)
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
    api_log = logging.getLogger("mlops_course.api")
    if api_log.level == logging.NOTSET:
        api_log.setLevel(logging.INFO)
    if not api_log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        api_log.addHandler(handler)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start loading the model in the background; /health answers meanwhile, /ready says 503."""
    configure_prediction_log()
    routes.log_admin_access(app.state.settings)
    service: ModelService = app.state.model
    if service.current is None and service.state != "loading":
        service.load_in_background()
    yield
    PredictionSinks.of(app).close()  # deliver every queued prediction before exiting


def create_app(settings: Settings | None = None) -> FastAPI:
    """Return the prediction API. Reads settings (env) if not given; loads nothing yet.

    ``app.state`` holds the :class:`Settings`, the :class:`ModelService` (``model``), the
    :class:`PredictionSinks` (``sinks``; ``prediction_sinks`` is its list of sinks) and,
    once installed, the monitoring (``monitoring``).
    """
    settings = settings or Settings()
    app = FastAPI(
        title="API de Prédiction ML — Iris",
        description=DESCRIPTION,
        version="2.0.0",
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    service = ModelService(settings)
    sinks = PredictionSinks(log_lines=settings.log_predictions)
    app.state.settings = settings
    app.state.model = service
    app.state.sinks = sinks
    app.state.prediction_sinks = sinks.sinks
    errors.install(app)
    routes.register(app)
    # §7.4: /monitoring/*, /feedback, /metrics; the prediction log, the monitor, the counters
    install_monitoring(app, warm_ups=service.warm_ups, on_swap=service.on_swap)
    http_metrics.install(app)  # requests by route and status, for Prometheus (docker/monitoring)
    return app
