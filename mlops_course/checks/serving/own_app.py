"""Checks of notebook 04_serving_fastapi, exercise 4: the learner's own FastAPI app, with its
lifespan, ``/health``, ``/ready``, ``/predict`` and ``/predict/batch``.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from mlops_course.checks import call, expect, fail, require, success
from mlops_course.checks.serving.contract import _check_prediction, _deprecated, _send, _status
from mlops_course.checks.serving.fixtures import SETOSA
from mlops_course.checks.serving.stand_in_model import _BATCH, ModeleDeVerification, _expected


def exercice_4(creer_app: Callable[[Callable[[], Any]], Any]) -> None:
    """The learner writes the FastAPI app: lifespan, /health, /ready, /predict, /predict/batch.

    ``creer_app(charger_modele)`` must return the app without loading anything; the
    lifespan calls ``charger_modele()`` once at start-up. The check serves
    :class:`ModeleDeVerification` and drives the app with Starlette's test client: first
    without running the lifespan (``/ready`` must say 503, ``/health`` 200), then started.
    """
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    require(creer_app, "Exercice 4")
    modele = ModeleDeVerification()
    chargements: list[int] = []

    def charger_modele() -> ModeleDeVerification:
        chargements.append(1)
        return modele

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = call(creer_app, charger_modele, what="Exercice 4")
        expect(
            isinstance(app, FastAPI),
            f"creer_app doit renvoyer l'application FastAPI (return app), reçu "
            f"{type(app).__name__}.",
        )
        expect(
            not chargements,
            "creer_app a chargé le modèle en créant l'application : chargez-le au démarrage du "
            "serveur, dans le lifespan (FastAPI(lifespan=...)), pas avant.",
        )
        expect(
            not app.router.on_startup,
            "@app.on_event est déprécié : chargez le modèle dans un lifespan "
            "(@asynccontextmanager, FastAPI(lifespan=...)).",
        )
        _before_startup(TestClient(app))
        with _started(TestClient(app)) as client:
            expect(
                len(chargements) == 1,
                f"le démarrage a appelé charger_modele() {len(chargements)} fois : le lifespan "
                "doit le charger une fois, et les routes le lire dans app.state.",
            )
            _predictions(client, modele)
    old = _deprecated(caught)
    expect(
        not old,
        "votre code utilise une API dépréciée ; la bibliothèque dit, en anglais : "
        f"« {old[0] if old else ''} ». Remplacez-la par celle qu'elle indique.",
    )
    success(
        "votre API charge le modèle au démarrage, distingue /health de /ready, respecte le "
        "contrat, refuse les entrées invalides (422) et prédit un lot en un seul appel."
    )


def _before_startup(client: Any) -> None:
    """No lifespan yet: the process answers (/health 200) but is not ready (/ready 503)."""
    health = _send(
        client, "GET", "/health", "/health ne doit pas dépendre du modèle (il n'est pas encore "
        "chargé à ce moment)."
    )  # fmt: skip
    _status(
        health, "GET", "/health", 200,
        "/health dit seulement que le processus répond ; il ne dépend pas du modèle.",
    )  # fmt: skip
    ready = _send(
        client, "GET", "/ready", "avant le démarrage, l'application n'a pas encore de modèle : "
        "donnez à app.state une valeur initiale (None) dans creer_app, et testez-la dans /ready."
    )  # fmt: skip
    expect(
        ready.status_code != 200,
        "GET /ready répond 200 alors que le lifespan n'a pas encore tourné (aucun modèle "
        "chargé) : /ready doit répondre 503 tant que le modèle n'est pas chargé.",
    )
    _status(ready, "GET", "/ready", 503, "sans modèle chargé, /ready répond 503.")


@contextmanager
def _started(client: Any) -> Iterator[Any]:
    """Run the lifespan, then wait (a few seconds at most) for /ready to say 200."""
    try:
        client.__enter__()
    except Exception as error:
        raise fail(f"le démarrage (lifespan) a levé {type(error).__name__}: {error}") from error
    try:
        deadline = time.monotonic() + 5.0
        while True:
            ready = _send(client, "GET", "/ready")
            if ready.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        _status(
            ready, "GET", "/ready", 200,
            "une fois le lifespan passé et le modèle chargé, /ready répond 200.",
        )  # fmt: skip
        health = _send(client, "GET", "/health")
        _status(health, "GET", "/health", 200, "/health répond 200, modèle chargé ou non.")
        yield client
    finally:
        client.__exit__(None, None, None)


def _predictions(client: Any, modele: ModeleDeVerification) -> None:
    labels = list(modele.labels)
    response = _send(client, "POST", "/predict", json=SETOSA)
    _status(
        response, "POST", "/predict", 200,
        f"une fleur valide a été refusée ({response.text[:200]}) : vérifiez les noms des "
        "champs du schéma.",
    )  # fmt: skip
    _check_prediction(response.json(), SETOSA, labels, "POST /predict")

    invalid = [
        ({**SETOSA, "sepal_width": "large"}, "une mesure qui n'est pas un nombre",
         "déclarez les mesures en float dans le schéma"),
        ({k: v for k, v in SETOSA.items() if k != "petal_width"}, "un champ manquant",
         "chaque mesure est obligatoire, sans valeur par défaut"),
        ({**SETOSA, "couleur": "bleue"}, "un champ inconnu (couleur)",
         "interdisez les champs en trop dans la configuration du schéma (model_config)"),
        ({**SETOSA, "petal_length": -1.0}, "une longueur négative",
         "bornez chaque mesure de 0 à 10 cm dans son Field"),
        ({**SETOSA, "sepal_length": 42.0}, "une longueur de 42 cm",
         "bornez chaque mesure de 0 à 10 cm dans son Field"),
    ]  # fmt: skip
    for body, case, fix in invalid:
        response = _send(client, "POST", "/predict", json=body)
        expect(
            response.status_code == 422,
            f"POST /predict avec {case} répond {response.status_code} au lieu de 422 : {fix}.",
        )

    before = len(modele.appels)
    response = _send(client, "POST", "/predict/batch", json={"instances": _BATCH})
    _status(
        response, "POST", "/predict/batch", 200,
        f"un lot valide {{'instances': [...]}} a été refusé ({response.text[:200]}).",
    )  # fmt: skip
    calls = modele.appels[before:]
    expect(
        len(calls) == 1,
        f"le lot de {len(_BATCH)} fleurs a fait {len(calls)} appels au modèle : construisez "
        "une seule matrice (n, 4) avec toutes les fleurs et appelez predict_proba une fois.",
    )
    expect(
        calls[0] == len(_BATCH),
        f"l'appel au modèle a reçu {calls[0]} lignes pour un lot de {len(_BATCH)} fleurs.",
    )
    answers = response.json()
    expect(
        isinstance(answers, list) and len(answers) == len(_BATCH),
        f"POST /predict/batch doit renvoyer une liste d'une réponse par fleur ({len(_BATCH)}), "
        f"reçu {str(answers)[:200]}.",
    )
    predictions = [a.get("prediction") if isinstance(a, dict) else None for a in answers]
    expected = [int(np.argmax(_expected(row))) for row in _BATCH]
    if predictions != expected and sorted(map(str, predictions)) == sorted(map(str, expected)):
        raise fail("les réponses du lot doivent suivre l'ordre des fleurs reçues.")
    for index, (answer, row) in enumerate(zip(answers, _BATCH, strict=True)):
        _check_prediction(answer, row, labels, f"POST /predict/batch, fleur {index}")
