"""Checks of notebook 04_serving_fastapi, exercise 4: requests to the learner's app, and
each answer held against the chapter's ``/predict`` contract and the model's output.
"""

from __future__ import annotations

import math
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

import mlops_course
from mlops_course.checks import expect, fail
from mlops_course.checks.serving.fixtures import FEATURES
from mlops_course.checks.serving.stand_in_model import _CONTRACT, _expected


def _send(client: Any, method: str, path: str, hint: str = "", **kwargs: Any) -> Any:
    """Send one request; an exception raised by the learner's app becomes a hint."""
    try:
        return client.request(method, path, **kwargs)
    except Exception as error:
        text = f"{type(error).__name__}: {error}"
        if "numpy" in text:
            hint = "convertissez les valeurs numpy en int/float Python (int(...), float(...))."
        elif isinstance(error, AttributeError) and "predict" in str(error):
            hint = "le modèle n'offre que .labels et .predict_proba(X)."
        raise fail(f"{method} {path} a levé {text}" + (f" — {hint}" if hint else "")) from error


def _status(response: Any, method: str, path: str, expected: int, hint: str) -> None:
    got = response.status_code
    if got == expected:
        return
    if got == 404:
        raise fail(f"{method} {path} répond 404 : la route n'existe pas, déclarez-la.")
    if got == 405:
        decorator = "@app.post" if method == "POST" else "@app.get"
        raise fail(
            f"{method} {path} répond 405 (méthode non autorisée) : déclarez la route pour "
            f"{method} ({decorator})."
        )
    raise fail(f"{method} {path} répond {got} au lieu de {expected} : {hint}")


def _deprecated(caught: list[warnings.WarningMessage]) -> list[str]:
    """Deprecation warnings raised from the learner's code (not from a library's own)."""
    package = str(Path(mlops_course.__file__).resolve().parent)
    return [
        str(w.message).strip().splitlines()[0]
        for w in caught
        if (issubclass(w.category, DeprecationWarning) or "Deprecat" in w.category.__name__)
        and "site-packages" not in w.filename
        and not w.filename.startswith(package)
    ]


def _check_prediction(answer: Any, row: dict[str, float], labels: list[str], where: str) -> None:
    """One answer of the learner's API against the contract and the model's output."""
    expect(
        isinstance(answer, dict),
        f"{where} : on attend un objet JSON (prediction, label, probabilites, timestamp), "
        f"reçu {answer!r}.",
    )
    missing = [key for key in _CONTRACT if key not in answer]
    expect(not missing, f"{where} : il manque {missing} (le contrat du chapitre).")
    prediction, label = answer["prediction"], answer["label"]
    probabilites, timestamp = answer["probabilites"], answer["timestamp"]
    expect(
        isinstance(probabilites, list)
        and len(probabilites) == len(labels)
        and all(isinstance(p, int | float) and not isinstance(p, bool) for p in probabilites),
        f"{where} : probabilites doit être la liste des probabilités de chaque classe du "
        f"modèle servi ({len(labels)} nombres, dans l'ordre de ses classes), reçu "
        f"{probabilites!r}.",
    )
    expect(
        math.isclose(sum(probabilites), 1.0, abs_tol=2e-3),
        f"{where} : les probabilités doivent sommer à 1, elles somment à {sum(probabilites):.4f}.",
    )
    expected = _expected(row)
    expect(
        np.allclose(probabilites, expected, atol=2e-3),
        f"{where} : probabilites ne correspond pas à ce que predict_proba renvoie pour cette "
        "fleur : passez au modèle une matrice (n, 4) dont les colonnes suivent l'ordre du "
        f"chapitre ({', '.join(FEATURES)}).",
    )
    expect(
        isinstance(prediction, int) and not isinstance(prediction, bool),
        f"{where} : prediction doit être un entier (l'indice de la classe), reçu {prediction!r}.",
    )
    expect(
        prediction == int(np.argmax(expected)),
        f"{where} : prediction doit être l'indice de la plus grande probabilité.",
    )
    expect(
        isinstance(label, str) and label in labels,
        f"{where} : label vaut {label!r}, qui n'est pas une classe du modèle servi (ce n'est "
        "pas le modèle Iris du cours) : lisez les noms sur le modèle (modele.labels), ne les "
        "écrivez pas en dur.",
    )
    expect(
        label == labels[prediction],
        f"{where} : label doit être le nom de la classe prédite, celui de l'indice prediction "
        "dans modele.labels.",
    )
    try:
        datetime.fromisoformat(timestamp)
    except (TypeError, ValueError):
        raise fail(
            f"{where} : timestamp doit être une date au format ISO 8601 (une chaîne), reçu "
            f"{timestamp!r}."
        ) from None
