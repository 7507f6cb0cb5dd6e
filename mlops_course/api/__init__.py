"""The prediction API of chapter 04: ``uvicorn mlops_course.api:app``.

Taught in notebook 04_serving_fastapi; notebook 07_monitoring_drift adds its monitoring.

``app`` is created at import from the environment's settings (``MLOPS_COURSE_*``, see
:mod:`mlops_course.api.settings`) but loads nothing: the model is loaded when the server
starts (the lifespan). ``create_app(settings)`` builds another one, e.g. for tests.
"""

from __future__ import annotations

from mlops_course.api.application import create_app
from mlops_course.api.settings import Settings

__all__ = ["Settings", "app", "create_app"]

app = create_app()
