"""Request and response bodies of the API (Pydantic v2), with the examples ``/docs`` shows.

Taught in notebook 04_serving_fastapi (§4.3).

The chapter's contract (§4.3) is kept: the four measurements in, ``prediction``, ``label``,
``probabilites`` (the chapter's spelling) and ``timestamp`` out; a batch is
``{"instances": [...]}``. Inputs are strict: a number must be a JSON number (not ``"5.1"``),
finite, between 0 and 10 cm, and no other field is accepted.

``/docs`` shows what is written here to learners, so every schema carries a French
description (:func:`french`, over the English docstring) and every field a French
``title``; the field *names* are the chapter's contract and stay as they are.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mlops_course.api.settings import MAX_BATCH
from mlops_course.constants import FEATURES, SETOSA, VIRGINICA
from mlops_course.constants import VERSICOLOR as VERSICOLOR  # the examples' third flower

#: The four input fields, in the order of the chapter and of the model.
FEATURE_FIELDS: tuple[str, ...] = FEATURES

_STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def french(description: str, **config: Any) -> ConfigDict:
    """A model config whose ``/docs`` description is ``description`` (not the docstring)."""
    extra = {**config.pop("json_schema_extra", {}), "description": description}
    return ConfigDict(**config, json_schema_extra=extra)


def ok(description: str, title: str | None = None) -> dict[str, Any]:
    """The ``responses[200]`` entry of a route: its French description and schema title."""
    entry: dict[str, Any] = {"description": description}
    if title is not None:
        entry["content"] = {"application/json": {"schema": {"title": title}}}
    return entry


def _cm(title: str, example: float) -> float:
    return Field(
        ...,
        ge=0,
        le=10,
        title=title,
        description=f"{title}, en cm (de 0 à 10).",
        examples=[example],
    )


class PredictionInput(BaseModel):
    """The measurements of one iris flower, in centimetres."""

    model_config = french(
        "Les quatre mesures d'une fleur d'iris, en centimètres.",
        **_STRICT,
        json_schema_extra={"examples": [SETOSA]},
    )

    sepal_length: float = _cm("Longueur du sépale", 5.1)
    sepal_width: float = _cm("Largeur du sépale", 3.5)
    petal_length: float = _cm("Longueur du pétale", 1.4)
    petal_width: float = _cm("Largeur du pétale", 0.2)


class BatchInput(BaseModel):
    """Several flowers at once: one model call for all of them."""

    model_config = french(
        "Plusieurs fleurs à la fois : un seul appel au modèle pour toutes.",
        extra="forbid",
        json_schema_extra={"examples": [{"instances": [SETOSA, VIRGINICA]}]},
    )

    instances: list[PredictionInput] = Field(
        ...,
        min_length=1,
        max_length=MAX_BATCH,
        title="Fleurs",
        description=f"De 1 à {MAX_BATCH} fleurs.",
    )


class PredictionOutput(BaseModel):
    """One prediction: the chapter's fields plus an id and the model version that made it."""

    model_config = french(
        "Une prédiction : les champs du chapitre, plus un identifiant et la version du modèle."
    )

    prediction: int = Field(
        title="Classe prédite", description="Code de la classe (0, 1 ou 2).", examples=[0]
    )
    label: str = Field(title="Espèce", description="Nom de la classe.", examples=["setosa"])
    probabilites: list[float] = Field(
        title="Probabilités",
        description="Probabilité de chaque classe, dans l'ordre des codes (4 décimales).",
        examples=[[1.0, 0.0, 0.0]],
    )
    confidence: float = Field(
        title="Confiance", description="La plus grande des probabilités.", examples=[1.0]
    )
    timestamp: str = Field(
        title="Horodatage", description="Date et heure de la prédiction (ISO 8601, UTC)."
    )
    prediction_id: str = Field(
        title="Identifiant de la prédiction",
        description="Identifiant unique, pour relier retours terrain et journaux.",
    )
    model_version: str = Field(
        title="Version du modèle", description="Version du modèle qui a répondu.", examples=["1"]
    )


class HealthResponse(BaseModel):
    """Liveness: the process answers. Does not depend on the model."""

    model_config = french("Vivacité : le processus répond. Ne dépend pas du modèle.")

    status: Literal["healthy"] = Field("healthy", title="État")
    model_loaded: bool = Field(title="Modèle chargé")
    timestamp: str = Field(title="Horodatage", description="ISO 8601, UTC.")


class ReadyResponse(BaseModel):
    """Readiness: 200 once a model is loaded and warmed up, 503 before (or if loading failed)."""

    model_config = french(
        "Disponibilité : 200 une fois le modèle chargé et préchauffé, 503 avant "
        "(ou si le chargement a échoué)."
    )

    status: Literal["ready", "loading", "failed"] = Field(
        title="État", description="`ready` (prêt), `loading` (en chargement) ou `failed` (échec)."
    )
    model_version: str | None = Field(None, title="Version du modèle")
    detail: str | None = Field(None, title="Détail")


class ModelInfo(BaseModel):
    """What is being served."""

    model_config = french("Le modèle servi.")

    name: str = Field(title="Nom")
    version: str = Field(title="Version")
    backend: Literal["onnx", "sklearn"] = Field(
        title="Moteur", description="onnx (onnxruntime) ou sklearn (scikit-learn)."
    )
    source: str = Field(
        title="Source", description="Fichier ou URI MLflow d'où le modèle a été lu."
    )
    sha256: str | None = Field(
        title="Empreinte sha256",
        description="Empreinte sha256 du fichier servi, lue dans son manifeste.",
    )
    feature_names: list[str] = Field(title="Variables", description="Dans l'ordre du modèle.")
    labels: list[str] = Field(title="Étiquettes", description="Nom de chaque classe.")
    metrics: dict[str, float] = Field(
        title="Métriques", description="Mesurées sur le jeu de test à l'entraînement."
    )
    loaded_at: str = Field(title="Chargé le", description="ISO 8601, UTC.")


class ReloadResponse(BaseModel):
    """Result of ``POST /admin/reload``."""

    model_config = french("Résultat de POST /admin/reload.")

    previous_version: str | None = Field(title="Version précédente")
    version: str = Field(title="Version")
    changed: bool = Field(title="Modèle changé")
    model: ModelInfo = Field(title="Modèle")


class FieldError(BaseModel):
    """One rule one field broke."""

    model_config = french("Une règle qu'un champ enfreint.")

    field: str = Field(
        title="Champ", description="Chemin du champ, par exemple instances.2.sepal_length."
    )
    type: str = Field(
        title="Règle",
        description="La règle enfreinte, par exemple missing, less_than_equal, extra_forbidden.",
    )
    msg: str = Field(title="Message", description="La règle, en français.")
    loc: list[str | int] = Field(title="Emplacement", description="Chemin complet dans la requête.")


class ValidationErrorResponse(BaseModel):
    """422: the body does not follow the schema."""

    model_config = french("422 : le corps ne suit pas le schéma.")

    error: Literal["validation_error"] = Field("validation_error", title="Code d'erreur")
    detail: list[FieldError] = Field(title="Erreurs", description="Une par règle enfreinte.")


class ErrorResponse(BaseModel):
    """Any other error: a stable code and a message for humans."""

    model_config = french("Toute autre erreur : un code stable et un message pour les humains.")

    error: str = Field(title="Code d'erreur", examples=["model_not_ready"])
    detail: str = Field(title="Message")
