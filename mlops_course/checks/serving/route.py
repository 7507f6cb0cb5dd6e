"""Checks of notebook 04_serving_fastapi, exercise 2: ``GET /especes`` on the course's API.

The route must read the labels and version of the model it serves, not write them down.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlops_course.checks import NotDoneError, call, expect, require, success
from mlops_course.checks.serving.fixtures import (
    SERVED_LABELS,
    SERVED_VERSION,
    _api,
    _renamed_model,
    course_client,
)


def exercice_2(ajouter_route_especes: Callable[[Any], Any]) -> None:
    """The learner adds ``GET /especes`` (labels and version of the served model).

    The API serves a model whose labels and version are not the default ones, so a route
    that writes them down instead of reading them from the served model is refused.
    """
    require(ajouter_route_especes, "Exercice 2")
    with tempfile.TemporaryDirectory(prefix="mlops-course-check-") as folder:
        _route_especes(ajouter_route_especes, _api(_renamed_model(Path(folder))))
    success("GET /especes répond avec les espèces et la version du modèle servi.")


def _route_especes(ajouter_route_especes: Callable[[Any], Any], app: Any) -> None:
    from fastapi import FastAPI

    try:
        returned = call(ajouter_route_especes, app, what="Exercice 2")
    except NotDoneError:
        added = any(getattr(route, "path", None) == "/especes" for route in app.routes)
        expect(not added, "la route est ajoutée, mais la fonction doit renvoyer l'application "
               "(return app).")  # fmt: skip
        raise
    expect(isinstance(returned, FastAPI), "la fonction doit renvoyer l'application (return app).")
    with course_client(returned) as client:
        response = client.get("/especes")
        expect(
            response.status_code != 405,
            "GET /especes répond 405 (méthode non autorisée) : la route doit répondre à GET "
            "(@app.get), on ne fait que lire.",
        )
        expect(
            response.status_code == 200,
            f"GET /especes répond {response.status_code} au lieu de 200 : avez-vous déclaré "
            "la route avec @app.get('/especes') ?",
        )
        body = response.json()
        expect(isinstance(body, dict), f"on attend un objet JSON, reçu {body!r}")
        especes = body.get("especes")
        expect(
            isinstance(especes, list) and all(isinstance(x, str) for x in especes),
            f"'especes' doit être la liste des noms des classes (des chaînes), reçu {especes!r}.",
        )
        expect(
            especes == SERVED_LABELS,
            f"'especes' vaut {especes!r}, ce ne sont pas les classes du modèle que l'API sert "
            "ici (un autre modèle que celui du cours) : lisez-les sur le modèle servi "
            "(request.app.state.model.require().labels) au lieu de les écrire en dur.",
        )
        expect(
            str(body.get("model_version")) == SERVED_VERSION,
            f"'model_version' vaut {body.get('model_version')!r}, ce n'est pas la version du "
            "modèle servi : lisez-la sur le modèle (.version) au lieu de l'écrire en dur.",
        )
        expect(
            "/especes" in client.get("/openapi.json").json()["paths"],
            "la route doit apparaître dans /docs (déclarez-la sur l'application).",
        )
