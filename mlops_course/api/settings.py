"""The API's settings: one object, read from ``MLOPS_COURSE_*`` environment variables.

Taught in notebook 04_serving_fastapi (FastAPI's "Settings and Environment Variables").

- ``MLOPS_COURSE_MODEL`` (unset): the model source, a ``.onnx`` or ``.joblib`` file or an
  MLflow URI such as ``models:/iris-classifier@champion``; unset means
  ``model/pipeline_v1.onnx`` (or ``.joblib`` for the sklearn backend) in ``config.model_dir()``.
- ``MLOPS_COURSE_BACKEND`` (``onnx``): ``onnx`` (onnxruntime) or ``sklearn`` (scikit-learn).
- ``MLOPS_COURSE_TRAIN_IF_MISSING`` (``true``): with no source set and no model file, train
  the default pipeline once and save it there.
- ``MLOPS_COURSE_MAX_BODY_BYTES`` (``524288``): larger request bodies get a 413.
- ``MLOPS_COURSE_ADMIN_TOKEN`` (unset): when set, ``POST /admin/reload`` needs the header
  ``X-Admin-Token``.
- ``MLOPS_COURSE_ADMIN_FAIL_CLOSED`` (``false``): fail closed. When true and no token is
  set, ``POST /admin/reload`` is refused (403). The image, Compose and the Kubernetes
  manifests set it; the local lab (``make serve`` on 127.0.0.1) leaves it off.
- ``MLOPS_COURSE_LOG_PREDICTIONS`` (``true``): echo every prediction as one JSON line on
  the logger ``mlops_course.predictions`` (stderr). The prediction log
  ``logs/predictions.jsonl`` is written either way: it is the record the monitoring and
  the feedback rely on, not a console convenience.

The paths of ``mlops_course.config`` (``MLOPS_COURSE_HOME``, ``MLOPS_COURSE_MODEL_DIR``) are read
when the model is loaded, not here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Most instances one ``POST /predict/batch`` may carry.
MAX_BATCH = 1000


class Settings(BaseSettings):
    """Everything the API reads from its environment (prefix ``MLOPS_COURSE_``)."""

    model_config = SettingsConfigDict(env_prefix="MLOPS_COURSE_", extra="ignore")

    model: str | None = Field(
        default=None,
        description="Model source: a .onnx/.joblib file or a models:/ URI (unset: model_dir()).",
    )
    backend: Literal["onnx", "sklearn"] = Field(
        default="onnx", description="Serving backend used when the source does not decide it."
    )
    train_if_missing: bool = Field(
        default=True, description="Train and save the default pipeline when no model file exists."
    )
    max_body_bytes: int = Field(
        default=512 * 1024, ge=1024, description="Largest request body accepted, in bytes."
    )
    admin_token: str | None = Field(
        default=None, description="Secret required by POST /admin/reload when set."
    )
    admin_fail_closed: bool = Field(
        default=False,
        description="Refuse POST /admin/reload (403) while no admin_token is set.",
    )
    log_predictions: bool = Field(
        default=True,
        description="Echo each prediction as a JSON line on stderr (logs/ is written anyway).",
    )

    @field_validator("model", "admin_token")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        return value.strip() if value is not None else None
