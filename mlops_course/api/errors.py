"""Error responses: every client mistake is a 4xx JSON body naming the field and the rule.

Taught in notebook 04_serving_fastapi (FastAPI's "Handling Errors").

- 422 ``validation_error``: ``detail`` lists ``{field, type, msg, loc}`` — ``type`` is the
  rule (``missing``, ``extra_forbidden``, ``float_type``, ``finite_number``,
  ``less_than_equal``, ``too_long``, ``json_invalid``...). The offending value is not echoed
  back (it may be huge, or NaN, which JSON cannot carry).
- 415 ``unsupported_media_type``: a body sent without ``Content-Type: application/json``.
- 413 ``payload_too_large``, 404, 405...: ``{"error": code, "detail": message}``.
- 503 ``model_not_ready``; 500 ``prediction_failed`` / ``internal_error``: a stable message,
  the details go to the log only.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mlops_course.api.middleware import too_large_body
from mlops_course.api.service import ModelNotReadyError, PredictionError

logger = logging.getLogger("mlops_course.api")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    503: "service_unavailable",
}
#: French details for Starlette's own errors, which carry only the English status phrase.
_DETAILS = {
    404: "route inconnue : la liste des routes est sur /docs",
    405: "méthode HTTP non acceptée par cette route (voir /docs)",
}


def error_body(code: str, detail: str) -> dict[str, str]:
    """Return the JSON body of a non-validation error."""
    return {"error": code, "detail": detail}


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


#: French messages for the rules of the API's schemas (``type`` stays Pydantic's code).
_MESSAGES: dict[str, str] = {
    "missing": "champ obligatoire absent",
    "extra_forbidden": "champ inconnu : le contrat n'accepte que les champs documentés",
    "float_type": "doit être un nombre JSON (pas une chaîne)",
    "float_parsing": "doit être un nombre JSON",
    "finite_number": "doit être un nombre fini (ni NaN ni infini)",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "too_short": "doit contenir au moins {min_length} élément(s)",
    "too_long": "doit contenir au plus {max_length} éléments",
    "list_type": "doit être une liste JSON",
    "model_type": "doit être un objet JSON",
    "model_attributes_type": "doit être un objet JSON",
    "dict_type": "doit être un objet JSON",
    "string_type": "doit être une chaîne",
    "int_type": "doit être un entier",
}


def french_message(kind: str, ctx: dict[str, Any] | None, default: str) -> str:
    """The French message of a validation rule; Pydantic's own for a rule we do not know."""
    template = _MESSAGES.get(kind)
    if template is None:
        return default
    values = {
        key: f"{value:g}".replace(".", ",") if isinstance(value, float) else value
        for key, value in (ctx or {}).items()
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return default


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turn Pydantic/FastAPI errors into ``{field, type, msg, loc}`` items (``msg`` in French)."""
    out = []
    for item in errors:
        loc = [part if isinstance(part, int) else str(part) for part in item.get("loc", ())]
        path = loc[1:] if loc[:1] == ["body"] else loc
        kind = str(item.get("type", "invalid"))
        msg = french_message(kind, item.get("ctx"), str(item.get("msg", "valeur invalide")))
        if kind == "json_invalid":
            reason = (item.get("ctx") or {}).get("error")
            position = path[0] if path and isinstance(path[0], int) else None
            msg = f"le corps n'est pas du JSON valide ({reason or 'décodage impossible'}"
            msg += f", caractère {position})" if position is not None else ")"
            path = []
        out.append(
            {"field": ".".join(map(str, path)) or "body", "type": kind, "msg": msg, "loc": loc}
        )
    return out


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming each field and rule; 415 when the body was not sent as JSON."""
    if request.method in {"POST", "PUT", "PATCH"} and not _is_json(request):
        sent = request.headers.get("content-type") or "aucun Content-Type"
        return JSONResponse(
            error_body(
                "unsupported_media_type",
                f"envoyez le corps en JSON avec 'Content-Type: application/json' (reçu : {sent})",
            ),
            status_code=415,
        )
    return JSONResponse(
        {"error": "validation_error", "detail": field_errors(list(exc.errors()))},
        status_code=422,
    )


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Any HTTPException (404, 405, 413, 401, ...) as ``{"error", "detail"}``."""
    code = _CODES.get(exc.status_code) or HTTPStatus(exc.status_code).phrase.lower().replace(
        " ", "_"
    )
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    if detail == phrase:
        detail = _DETAILS.get(exc.status_code, detail)
    if exc.status_code == 400 and detail == "There was an error parsing the body":
        detail = "le corps est illisible : envoyez du JSON encodé en UTF-8"
    if exc.status_code == 413:
        return JSONResponse(
            json.loads(too_large_body(request.app.state.settings.max_body_bytes)), status_code=413
        )
    return JSONResponse(error_body(code, detail), status_code=exc.status_code, headers=exc.headers)


async def model_not_ready(request: Request, exc: ModelNotReadyError) -> JSONResponse:
    """503 while the model loads (or if it could not be loaded): retry later."""
    return JSONResponse(
        error_body("model_not_ready", "le modèle n'est pas encore chargé ; voir GET /ready"),
        status_code=503,
        headers={"Retry-After": "1"},
    )


async def prediction_failed(request: Request, exc: PredictionError) -> JSONResponse:
    """500 with a stable message; the cause is logged, never sent to the client."""
    logger.error("échec de la prédiction sur %s : %s", request.url.path, exc, exc_info=exc)
    return JSONResponse(
        error_body(
            "prediction_failed",
            "le modèle n'a pas pu faire cette prédiction ; l'erreur est dans le log du serveur",
        ),
        status_code=500,
    )


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """Last resort: 500 with a stable message (the server logs the traceback)."""
    logger.error("erreur non gérée sur %s", request.url.path, exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "erreur interne du serveur (détails dans son log)"),
        status_code=500,
    )


def install(app: FastAPI) -> None:
    """Register the handlers above on ``app``."""
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(ModelNotReadyError, model_not_ready)
    app.add_exception_handler(PredictionError, prediction_failed)
    app.add_exception_handler(Exception, internal_error)
