"""The endpoints of chapter 04: thin, validation is in :mod:`schemas`, the work in :mod:`service`.

Taught in notebook 04_serving_fastapi (§4.3–4.5).

ONNX inference takes microseconds (about 1 ms for 1,000 rows): it runs inline in
``async def`` endpoints, a thread hop would cost more. A scikit-learn call takes
milliseconds: it goes to the thread pool so the event loop keeps serving other requests.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Body, FastAPI, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from mlops_course.api import schemas
from mlops_course.api.schemas import (
    BatchInput,
    ErrorResponse,
    HealthResponse,
    ModelInfo,
    PredictionInput,
    PredictionOutput,
    ReadyResponse,
    ReloadResponse,
    ValidationErrorResponse,
    ok,
)
from mlops_course.api.service import ModelService, predict_records, to_matrix
from mlops_course.api.settings import Settings
from mlops_course.api.sinks import PredictionSinks
from mlops_course.records import PredictionRecord

logger = logging.getLogger("mlops_course.api")

# What /docs shows is French (the learner reads it); the docstrings stay English for the code.
_CLIENT_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Corps illisible (pas en UTF-8)"},
    413: {"model": ErrorResponse, "description": "Corps trop gros"},
    415: {"model": ErrorResponse, "description": "Corps non envoyé en application/json"},
    422: {"model": ValidationErrorResponse, "description": "Un champ enfreint une règle"},
    500: {"model": ErrorResponse, "description": "Le modèle a échoué (erreur dans le log)"},
    503: {"model": ErrorResponse, "description": "Le modèle n'est pas encore chargé"},
}
_INVALID = {"model": ValidationErrorResponse, "description": "Un paramètre enfreint une règle"}

_PREDICT_EXAMPLES = {
    "setosa": {"summary": "Une setosa (§4.4)", "value": schemas.SETOSA},
    "virginica": {"summary": "Une virginica", "value": schemas.VIRGINICA},
    "hors_limites": {
        "summary": "Invalide : longueur négative (422)",
        "value": {**schemas.SETOSA, "petal_length": -1.0},
    },
}
_BATCH_EXAMPLES = {
    "trois_fleurs": {
        "summary": "Le lot du §4.5",
        "value": {"instances": [schemas.SETOSA, schemas.VIRGINICA, schemas.VERSICOLOR]},
    },
    "vide": {"summary": "Invalide : lot vide (422)", "value": {"instances": []}},
}


def _service(request: Request) -> ModelService:
    return request.app.state.model


def emit(app: FastAPI, records: list[PredictionRecord]) -> None:
    """Hand a request's records to the app's sinks (delivered off the request path)."""
    PredictionSinks.of(app).submit(records)


async def run_predictions(app: FastAPI, rows: list[PredictionInput]) -> list[PredictionRecord]:
    """Predict validated rows with the current model (one call) and emit the records."""
    model = app.state.model.require()  # this request keeps this model, even across a reload
    X = to_matrix(rows, model.feature_names)
    if model.blocking:
        records = await run_in_threadpool(predict_records, model, X)
    else:
        records = predict_records(model, X)
    emit(app, records)
    return records


async def health(request: Request) -> dict[str, Any]:
    """Liveness: the process answers. 200 even while the model loads."""
    return {
        "status": "healthy",
        "model_loaded": _service(request).current is not None,
        "timestamp": datetime.now(UTC).isoformat(),
    }


async def ready(request: Request) -> Any:
    """Readiness: 200 once a model is loaded and warmed up, 503 before or if loading failed."""
    service = _service(request)
    if service.ready:
        return {"status": "ready", "model_version": service.version}
    state = "failed" if service.state == "failed" else "loading"
    detail = (
        "le chargement du modèle a échoué : voir le log du serveur" if state == "failed" else None
    )
    return JSONResponse(
        {"status": state, "model_version": None, "detail": detail},
        status_code=503,
        headers={"Retry-After": "1"},
    )


async def model_info(request: Request) -> dict[str, Any]:
    """Name, version, backend, file hash, features, labels and metrics of the served model."""
    return _service(request).require().info()


async def predict(
    request: Request,
    payload: Annotated[PredictionInput, Body(openapi_examples=_PREDICT_EXAMPLES)],
) -> PredictionRecord:
    """Predict the species of one iris flower."""
    records = await run_predictions(request.app, [payload])
    return records[0]


async def predict_batch(
    request: Request,
    batch: Annotated[BatchInput, Body(openapi_examples=_BATCH_EXAMPLES)],
) -> list[PredictionRecord]:
    """Predict up to 1,000 flowers in one model call; answers in the order received."""
    return await run_predictions(request.app, batch.instances)


#: The 403 of ``POST /admin/reload`` when it fails closed (French: the operator reads it).
ADMIN_CLOSED = (
    "route d'administration fermée : aucun jeton n'est configuré. Définissez "
    "MLOPS_COURSE_ADMIN_TOKEN (un secret : fichier docker/.env, Secret Kubernetes) et "
    "envoyez-le dans l'en-tête X-Admin-Token"
)


def log_admin_access(settings: Settings) -> None:
    """Say at start-up, in French, who may call ``POST /admin/reload``."""
    if settings.admin_token:
        logger.info("POST /admin/reload exige l'en-tête X-Admin-Token.")
    elif settings.admin_fail_closed:
        logger.info(
            "POST /admin/reload est fermé (403) : MLOPS_COURSE_ADMIN_FAIL_CLOSED=true et "
            "aucun MLOPS_COURSE_ADMIN_TOKEN n'est défini."
        )
    else:
        logger.warning(
            "POST /admin/reload est ouvert à quiconque atteint ce port (aucun "
            "MLOPS_COURSE_ADMIN_TOKEN) : acceptable pour le labo local sur 127.0.0.1 "
            "seulement. Ailleurs, définissez MLOPS_COURSE_ADMIN_TOKEN et "
            "MLOPS_COURSE_ADMIN_FAIL_CLOSED=true."
        )


def reload_model(
    request: Request,
    x_admin_token: Annotated[
        str | None, Header(title="Jeton d'administration", description="Exigé s'il est configuré.")
    ] = None,
) -> dict[str, Any]:
    """Re-read the model source (e.g. a new ``@champion``) and swap it in without a restart.

    The new model is loaded and warmed up before it replaces the old one; requests in flight
    finish with the model they started with. If loading fails, the old model keeps serving.
    With ``admin_fail_closed`` and no ``admin_token`` (the image's settings), it answers 403.
    """
    settings = request.app.state.settings
    expected = settings.admin_token
    if not expected and settings.admin_fail_closed:
        raise HTTPException(status_code=403, detail=ADMIN_CLOSED)
    if expected and not secrets.compare_digest((x_admin_token or "").encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="en-tête X-Admin-Token absent ou faux")
    service = _service(request)
    before = service.current
    previous = before.version if before else None
    try:
        model = service.reload()
    except Exception as error:
        still = f" ; la version {previous} reste servie" if previous else ""
        raise HTTPException(
            status_code=503, detail=f"échec du rechargement ({type(error).__name__}){still}"
        ) from error
    return {
        "previous_version": previous,
        "version": model.version,
        "changed": before is None
        or (before.version, before.sha256) != (model.version, model.sha256),
        "model": model.info(),
    }


#: What ``/docs`` says of each route, in French (summary, then description).
DOCS: dict[str, dict[str, str]] = {
    "health": {
        "summary": "Vivacité",
        "description": "Le processus répond : 200 même pendant le chargement du modèle.",
    },
    "ready": {
        "summary": "Disponibilité",
        "description": "200 une fois le modèle chargé et préchauffé ; 503 avant, ou si le "
        "chargement a échoué (en-tête Retry-After).",
    },
    "model_info": {
        "summary": "Le modèle servi",
        "description": "Nom, version, moteur, empreinte sha256 du fichier, variables, "
        "étiquettes et métriques du modèle servi.",
    },
    "predict": {
        "summary": "Prédire une fleur",
        "description": "Prédit l'espèce d'une fleur d'iris à partir de ses quatre mesures (cm).",
    },
    "predict_batch": {
        "summary": "Prédire un lot",
        "description": "Jusqu'à 1 000 fleurs en un seul appel au modèle ; les réponses "
        "suivent l'ordre reçu.",
    },
    "reload_model": {
        "summary": "Recharger le modèle",
        "description": "Relit la source du modèle (par exemple un nouveau `@champion`) et "
        "l'échange sans redémarrer. Le nouveau modèle est chargé et préchauffé avant de "
        "remplacer l'ancien ; les requêtes en cours finissent avec celui qui les a commencées ; "
        "en cas d'échec, l'ancien reste servi. Sans jeton et avec "
        "`MLOPS_COURSE_ADMIN_FAIL_CLOSED=true` (l'image Docker), la route répond 403.",
    },
}


def register(app: FastAPI) -> None:
    """Add the endpoints to ``app``, busiest first: FastAPI tries the routes in this order.

    They are added to the application itself rather than through an ``APIRouter``: an
    included router is matched a second time on every request.
    """
    app.add_api_route(
        "/predict", predict, methods=["POST"], response_model=PredictionOutput,
        responses={200: ok("La prédiction"), **_CLIENT_ERRORS}, tags=["prédiction"],
        **DOCS["predict"],
    )  # fmt: skip
    app.add_api_route(
        "/health", health, methods=["GET"], response_model=HealthResponse,
        responses={200: ok("Le processus répond")}, tags=["état"], **DOCS["health"],
    )  # fmt: skip
    app.add_api_route(
        "/predict/batch", predict_batch, methods=["POST"],
        response_model=list[PredictionOutput],
        responses={200: ok("Une prédiction par fleur", "Lot de prédictions"), **_CLIENT_ERRORS},
        tags=["prédiction"], **DOCS["predict_batch"],
    )  # fmt: skip
    app.add_api_route(
        "/ready", ready, methods=["GET"], response_model=ReadyResponse,
        responses={
            200: ok("Le modèle est prêt"),
            503: {"model": ReadyResponse, "description": "Modèle pas (encore) chargé"},
        },
        tags=["état"], **DOCS["ready"],
    )  # fmt: skip
    app.add_api_route(
        "/model", model_info, methods=["GET"], response_model=ModelInfo,
        responses={200: ok("Le modèle servi"), 503: _CLIENT_ERRORS[503]}, tags=["modèle"],
        **DOCS["model_info"],
    )  # fmt: skip
    app.add_api_route(
        "/admin/reload", reload_model, methods=["POST"], response_model=ReloadResponse,
        responses={
            200: ok("Le modèle rechargé"),
            401: {"model": ErrorResponse, "description": "En-tête X-Admin-Token absent ou faux"},
            403: {"model": ErrorResponse, "description": "Aucun jeton configuré : route fermée"},
            503: {
                "model": ErrorResponse,
                "description": "Échec du rechargement : l'ancien modèle reste servi",
            },
            422: _INVALID,
        },
        tags=["admin"], **DOCS["reload_model"],
    )  # fmt: skip
