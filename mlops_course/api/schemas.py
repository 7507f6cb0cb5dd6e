"""Request and response bodies of the API (Pydantic v2), with the examples ``/docs`` shows.

Taught in notebook 04_serving_fastapi (§4.3).

The chapter's contract (§4.3) is kept: the four measurements in, ``prediction``, ``label``,
``probabilites`` (the chapter's spelling) and ``timestamp`` out; a batch is
``{"instances": [...]}``. Inputs are strict: a number must be a JSON number (not ``"5.1"``),
finite, between 0 and 10 cm, and no other field is accepted.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mlops_course.api.settings import MAX_BATCH
from mlops_course.constants import FEATURES, SETOSA, VIRGINICA
from mlops_course.constants import VERSICOLOR as VERSICOLOR  # the examples' third flower

#: The four input fields, in the order of the chapter and of the model.
FEATURE_FIELDS: tuple[str, ...] = FEATURES

_STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def _cm(description: str, example: float) -> float:
    return Field(
        ..., ge=0, le=10, description=f"{description}, en cm (de 0 à 10)", examples=[example]
    )


class PredictionInput(BaseModel):
    """The measurements of one iris flower, in centimetres."""

    model_config = ConfigDict(**_STRICT, json_schema_extra={"examples": [SETOSA]})

    sepal_length: float = _cm("Longueur du sépale", 5.1)
    sepal_width: float = _cm("Largeur du sépale", 3.5)
    petal_length: float = _cm("Longueur du pétale", 1.4)
    petal_width: float = _cm("Largeur du pétale", 0.2)


class BatchInput(BaseModel):
    """Several flowers at once: one model call for all of them."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"instances": [SETOSA, VIRGINICA]}]}
    )

    instances: list[PredictionInput] = Field(
        ...,
        min_length=1,
        max_length=MAX_BATCH,
        description=f"De 1 à {MAX_BATCH} fleurs.",
    )


class PredictionOutput(BaseModel):
    """One prediction: the chapter's fields plus an id and the model version that made it."""

    prediction: int = Field(description="Code de la classe (0, 1 ou 2).", examples=[0])
    label: str = Field(description="Nom de la classe.", examples=["setosa"])
    probabilites: list[float] = Field(
        description="Probabilité de chaque classe, dans l'ordre des codes (4 décimales).",
        examples=[[1.0, 0.0, 0.0]],
    )
    confidence: float = Field(description="La plus grande des probabilités.", examples=[1.0])
    timestamp: str = Field(description="Date et heure de la prédiction (ISO 8601, UTC).")
    prediction_id: str = Field(
        description="Identifiant unique, pour relier retours terrain et journaux."
    )
    model_version: str = Field(description="Version du modèle qui a répondu.", examples=["1"])


class HealthResponse(BaseModel):
    """Liveness: the process answers. Does not depend on the model."""

    status: Literal["healthy"] = "healthy"
    model_loaded: bool
    timestamp: str


class ReadyResponse(BaseModel):
    """Readiness: 200 once a model is loaded and warmed up, 503 before (or if loading failed)."""

    status: Literal["ready", "loading", "failed"]
    model_version: str | None = None
    detail: str | None = None


class ModelInfo(BaseModel):
    """What is being served."""

    name: str
    version: str
    backend: Literal["onnx", "sklearn"]
    source: str = Field(description="Fichier ou URI MLflow d'où le modèle a été lu.")
    sha256: str | None = Field(
        description="Empreinte sha256 du fichier servi, lue dans son manifeste."
    )
    feature_names: list[str]
    labels: list[str]
    metrics: dict[str, float]
    loaded_at: str


class ReloadResponse(BaseModel):
    """Result of ``POST /admin/reload``."""

    previous_version: str | None
    version: str
    changed: bool
    model: ModelInfo


class FieldError(BaseModel):
    """One rule one field broke."""

    field: str = Field(description="Chemin du champ, par exemple instances.2.sepal_length.")
    type: str = Field(
        description="La règle enfreinte, par exemple missing, less_than_equal, extra_forbidden."
    )
    msg: str
    loc: list[str | int]


class ValidationErrorResponse(BaseModel):
    """422: the body does not follow the schema."""

    error: Literal["validation_error"] = "validation_error"
    detail: list[FieldError]


class ErrorResponse(BaseModel):
    """Any other error: a stable code and a message for humans."""

    error: str = Field(examples=["model_not_ready"])
    detail: str
