"""Checks of notebook 04_serving_fastapi, exercise 1: a validated ``client_id`` field."""

from __future__ import annotations

from typing import Any

from mlops_course.checks import expect, require, success
from mlops_course.checks.serving.fixtures import SETOSA


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

    for good in ("boutique-42", "abc", "a" * 32, "42-0"):
        found = errors({**SETOSA, "client_id": good})
        expect(found == [], f"client_id={good!r} doit être accepté ; erreurs : {found}")
    missing = errors(dict(SETOSA))
    expect(
        ("client_id", "missing") in missing,
        "client_id doit être obligatoire : Field(...) sans valeur par défaut.",
    )
    rule = (
        "seulement des minuscules, des chiffres et des tirets, de 3 à 32 caractères, et "
        "rien d'autre avant ou après (Field(pattern=...))."
    )
    for bad in ("Boutique-42", "BOUTIQUE", "ab", "a" * 33, "boutique 42", "boutique_42", "é-42"):
        found = errors({**SETOSA, "client_id": bad})
        expect(
            any(field == "client_id" for field, _ in found),
            f"client_id={bad!r} doit être refusé : {rule}",
        )
    expect(
        errors({**SETOSA, "client_id": 42}) != [],
        "client_id=42 (un nombre) doit être refusé : on attend une chaîne.",
    )
    expect(
        errors({**SETOSA, "client_id": "boutique-42", "petal_length": -1.0}) != [],
        "les règles des mesures (0 à 10 cm) doivent toujours s'appliquer.",
    )
    success("client_id est validé, et les règles des quatre mesures sont conservées.")
