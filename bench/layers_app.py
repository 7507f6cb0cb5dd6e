"""Our API plus one endpoint per layer of ``POST /predict``, for ``bench_api.py --layers``.

Bench only, do not serve it. Each ``/layers/<name>`` endpoint does what the previous one
does plus one step of the real ``/predict``, so the drop in requests/s from one to the next
is the cost of that step, measured in the same server process as ``GET /health``:

- ``body``: read the JSON body and validate it (``PredictionInput``), answer a constant;
- ``model``: + one ONNX call on the validated row;
- ``record``: + the prediction record (id, timestamp, version, rounding) and the
  ``PredictionOutput`` answer;
- ``sinks``: + hand the record to the log / monitor / Prometheus sinks.

The real ``/predict`` does the same as ``sinks``, through FastAPI's parameter and
response-model machinery instead of these hand-written calls.

    MLOPS_COURSE_MODEL=model/pipeline_v1.onnx uvicorn layers_app:app --app-dir bench
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from mlops_course.api import create_app, routes
from mlops_course.api.schemas import PredictionInput, PredictionOutput
from mlops_course.api.service import predict_records

LAYERS = ("body", "model", "record", "sinks")
_CONSTANT = b'{"prediction":0}'


def layer(name: str) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint of one layer: every step up to ``name``."""
    depth = LAYERS.index(name)

    async def endpoint(request: Request) -> Response:
        try:
            row = PredictionInput.model_validate_json(await request.body())
        except ValidationError as error:
            raise RequestValidationError(error.errors()) from None
        if depth == 0:
            return Response(_CONSTANT, media_type="application/json")
        model = request.app.state.model.require()
        X = np.array([[getattr(row, f) for f in model.feature_names]])
        if depth == 1:
            model.predict_proba(X)
            return Response(_CONSTANT, media_type="application/json")
        records = predict_records(model, X)
        if depth == 3:
            routes.emit(request.app, records)
        answer = PredictionOutput.model_validate(records[0]).model_dump_json()
        return Response(answer, media_type="application/json")

    endpoint.__name__ = f"layer_{name}"
    return endpoint


def build() -> FastAPI:
    """``create_app()`` with the ``/layers/*`` endpoints first (hidden from the docs).

    First, like ``/predict``: Starlette tries the routes in order, and each route tried
    before the right one costs a regular-expression match.
    """
    app = create_app()
    routes_before = len(app.router.routes)
    for name in LAYERS:
        app.add_api_route(f"/layers/{name}", layer(name), methods=["POST"], include_in_schema=False)
    added = app.router.routes[routes_before:]
    del app.router.routes[routes_before:]
    app.router.routes[:0] = added
    return app


app = build()
