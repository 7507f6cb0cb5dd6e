"""Checks for notebook 04 (serving the model with FastAPI)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlops_course import config
from mlops_course.checks import NotDoneError, call, expect, require, success

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
LABELS = ["setosa", "versicolor", "virginica"]


def _onnx_model() -> Path:
    """The notebook's ONNX model (``model_dir()/pipeline_v1.onnx``), trained if missing."""
    path = config.model_dir() / "pipeline_v1.onnx"
    if not path.is_file():
        from mlops_course import serialization

        serialization.build_model_files(path.parent, n_estimators=10)
    return path


def _api() -> Any:
    from mlops_course.api import Settings, create_app

    return create_app(Settings(model=str(_onnx_model()), train_if_missing=False))


@contextmanager
def _client(app: Any) -> Iterator[Any]:
    """A started test client on ``app``, its model loaded."""
    with warnings.catch_warnings():
        # Starlette 1.10 prefers the `httpx2` package for its test client and says so on
        # import; the course uses httpx. Not the learner's concern.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        app.state.model.wait(60)
        yield client


def exercice_1(EntreeAvecClient: Any) -> None:
    """The learner adds a validated ``client_id`` field to the prediction input."""
    from pydantic import BaseModel, ValidationError

    from mlops_course.api.schemas import PredictionInput

    schema = require(EntreeAvecClient, "Exercice 1")
    expect(
        isinstance(schema, type) and issubclass(schema, BaseModel),
        "on attend une classe Pydantic (class EntreeAvecClient(PredictionInput): ...).",
    )
    expect(
        issubclass(schema, PredictionInput),
        "héritez de PredictionInput : vous gardez ainsi les quatre mesures et leurs règles.",
    )

    def errors(body: dict[str, Any]) -> list[tuple[str, str]]:
        try:
            schema.model_validate(body)
        except ValidationError as error:
            return [(".".join(map(str, e["loc"])), e["type"]) for e in error.errors()]
        return []

    good = {**SETOSA, "client_id": "boutique-42"}
    expect(errors(good) == [], f"{good} doit être accepté ; erreurs : {errors(good)}")
    missing = errors(dict(SETOSA))
    expect(
        ("client_id", "missing") in missing,
        "client_id doit être obligatoire : Field(...) sans valeur par défaut.",
    )
    for bad in ("AB", "x", "a" * 33, "boutique 42", "boutique_42"):
        found = errors({**SETOSA, "client_id": bad})
        expect(
            any(field == "client_id" for field, _ in found),
            f"client_id={bad!r} doit être refusé : seulement minuscules, chiffres et tirets, "
            "de 3 à 32 caractères (Field(pattern=...)).",
        )
    expect(
        errors({**SETOSA, "client_id": 42}) != [],
        "client_id=42 (un nombre) doit être refusé : on attend une chaîne.",
    )
    expect(
        errors({**good, "petal_length": -1.0}) != [],
        "les règles des mesures (0 à 10 cm) doivent toujours s'appliquer.",
    )
    success("client_id est validé, et les règles des quatre mesures sont conservées.")


def exercice_2(ajouter_route_especes: Callable[[Any], Any]) -> None:
    """The learner adds ``GET /especes`` (labels and version of the served model)."""
    from fastapi import FastAPI

    require(ajouter_route_especes, "Exercice 2")
    app = _api()
    try:
        returned = call(ajouter_route_especes, app, what="Exercice 2")
    except NotDoneError:
        added = any(getattr(route, "path", None) == "/especes" for route in app.routes)
        expect(not added, "la route est ajoutée, mais la fonction doit renvoyer l'application "
               "(return app).")  # fmt: skip
        raise
    expect(isinstance(returned, FastAPI), "la fonction doit renvoyer l'application (return app).")
    with _client(returned) as client:
        response = client.get("/especes")
        expect(
            response.status_code == 200,
            f"GET /especes répond {response.status_code} au lieu de 200 : avez-vous déclaré "
            "la route avec @app.get('/especes') ?",
        )
        body = response.json()
        expect(isinstance(body, dict), f"on attend un objet JSON, reçu {body!r}")
        expect(
            body.get("especes") == LABELS,
            f"'especes' vaut {body.get('especes')!r} au lieu de {LABELS} : lisez "
            "request.app.state.model.require().labels.",
        )
        version = client.get("/model").json()["version"]
        expect(
            str(body.get("model_version")) == version,
            f"'model_version' vaut {body.get('model_version')!r} au lieu de {version!r}.",
        )
        expect(
            "/especes" in client.get("/openapi.json").json()["paths"],
            "la route doit apparaître dans /docs (déclarez-la sur l'application).",
        )
    success("GET /especes répond avec les espèces et la version du modèle servi.")


def exercice_3(comparer: Callable[[Any, list[dict[str, float]]], tuple[float, float]]) -> None:
    """The learner times n calls to /predict against one call to /predict/batch."""
    from mlops_course import data

    require(comparer, "Exercice 3")
    rows = data.jittered(data.load_iris_frame()[0], 40, seed=4).round(1).to_dict("records")
    calls: dict[str, int] = {}

    def count(request: Any) -> None:
        key = f"{request.method} {request.url.path}"
        calls[key] = calls.get(key, 0) + 1

    with _client(_api()) as client:
        client.event_hooks = {"request": [count], "response": []}
        result = call(comparer, client, rows, what="Exercice 3")
    expect(
        isinstance(result, tuple) and len(result) == 2,
        f"on attend un tuple (secondes_boucle, secondes_lot), reçu {result!r}",
    )
    loop, batch = result
    expect(
        all(isinstance(x, float) and x > 0 for x in (loop, batch)),
        f"les deux durées doivent être des secondes (float > 0), reçu {result!r} : "
        "utilisez time.perf_counter().",
    )
    singles, batches = calls.get("POST /predict", 0), calls.get("POST /predict/batch", 0)
    expect(
        singles == len(rows),
        f"la boucle doit envoyer un POST /predict par fleur ({len(rows)}), elle en a envoyé "
        f"{singles}.",
    )
    expect(batches == 1, f"le lot doit tenir en un seul POST /predict/batch, reçu {batches}.")
    expect(
        loop > batch,
        f"la boucle ({loop:.4f} s) devrait être plus lente que le lot ({batch:.4f} s) : "
        "mesurez-vous bien chaque partie séparément ?",
    )
    success(f"{len(rows)} appels : la boucle prend {loop / batch:.0f}× le temps d'un seul lot.")
