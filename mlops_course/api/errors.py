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


def error_body(code: str, detail: str) -> dict[str, str]:
    """Return the JSON body of a non-validation error."""
    return {"error": code, "detail": detail}


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turn Pydantic/FastAPI errors into ``{field, type, msg, loc}`` items."""
    out = []
    for item in errors:
        loc = [part if isinstance(part, int) else str(part) for part in item.get("loc", ())]
        path = loc[1:] if loc[:1] == ["body"] else loc
        kind = str(item.get("type", "invalid"))
        msg = str(item.get("msg", "invalid value"))
        if kind == "json_invalid":
            reason = (item.get("ctx") or {}).get("error")
            position = path[0] if path and isinstance(path[0], int) else None
            msg = f"the body is not valid JSON ({reason or 'decode error'}"
            msg += f" at character {position})" if position is not None else ")"
            path = []
        out.append(
            {"field": ".".join(map(str, path)) or "body", "type": kind, "msg": msg, "loc": loc}
        )
    return out


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming each field and rule; 415 when the body was not sent as JSON."""
    if request.method in {"POST", "PUT", "PATCH"} and not _is_json(request):
        sent = request.headers.get("content-type") or "no Content-Type"
        return JSONResponse(
            error_body(
                "unsupported_media_type",
                f"send the body as JSON with 'Content-Type: application/json' (got {sent})",
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
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 400 and detail == "There was an error parsing the body":
        detail = "the body could not be read: send UTF-8 encoded JSON"
    if exc.status_code == 413:
        return JSONResponse(
            json.loads(too_large_body(request.app.state.settings.max_body_bytes)), status_code=413
        )
    return JSONResponse(error_body(code, detail), status_code=exc.status_code, headers=exc.headers)


async def model_not_ready(request: Request, exc: ModelNotReadyError) -> JSONResponse:
    """503 while the model loads (or if it could not be loaded): retry later."""
    return JSONResponse(
        error_body("model_not_ready", "the model is not loaded yet; see GET /ready"),
        status_code=503,
        headers={"Retry-After": "1"},
    )


async def prediction_failed(request: Request, exc: PredictionError) -> JSONResponse:
    """500 with a stable message; the cause is logged, never sent to the client."""
    logger.error("prediction failed on %s: %s", request.url.path, exc, exc_info=exc)
    return JSONResponse(
        error_body("prediction_failed", "the model could not make this prediction; it was logged"),
        status_code=500,
    )


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """Last resort: 500 with a stable message (the server logs the traceback)."""
    logger.error("unhandled error on %s", request.url.path, exc_info=exc)
    return JSONResponse(error_body("internal_error", "internal server error"), status_code=500)


def install(app: FastAPI) -> None:
    """Register the handlers above on ``app``."""
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(ModelNotReadyError, model_not_ready)
    app.add_exception_handler(PredictionError, prediction_failed)
    app.add_exception_handler(Exception, internal_error)
