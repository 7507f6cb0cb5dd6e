"""Checks for notebook 04 (serving the model with FastAPI).

Exercises 1 to 3 work on the course's API (``mlops_course.api``); exercise 4 has the learner
write a FastAPI app of their own, ``creer_app(charger_modele)``, which the check drives
through Starlette's test client with a counting stand-in model whose labels are not Iris's.
"""

from __future__ import annotations

import math
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from mlops_course import config
from mlops_course.checks import NotDoneError, call, expect, fail, require, success

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.2, "petal_width": 2.3}
VERSICOLOR = {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 4.2, "petal_width": 1.5}
#: The chapter's column order: the order the model expects its features in.
FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")

#: Exercise 2 serves a model that is not the default one: its own labels and version.
SERVED_NAME, SERVED_VERSION = "iris-fleuriste", "3"
SERVED_LABELS = ["sétosa", "versicolore", "virginique"]


def _onnx_model() -> Path:
    """The notebook's ONNX model (``model_dir()/pipeline_v1.onnx``), trained if missing."""
    path = config.model_dir() / "pipeline_v1.onnx"
    if not path.is_file():
        from mlops_course import serialization

        serialization.build_model_files(path.parent, n_estimators=10)
    return path


def _renamed_model(folder: Path) -> Path:
    """A copy of the ONNX model in ``folder``, with other labels and another version.

    Only the manifest changes (the API reads name, version and labels from it); the file's
    hash is recorded again, so the API verifies and serves it like any other model.
    """
    import dataclasses
    import shutil

    from mlops_course import serialization

    source = _onnx_model()
    target = folder / f"{SERVED_NAME}.onnx"
    shutil.copyfile(source, target)
    manifest = serialization.Manifest.load(serialization.manifest_path(source))
    renamed = dataclasses.replace(
        manifest, name=SERVED_NAME, version=SERVED_VERSION, labels=list(SERVED_LABELS), files={}
    )
    renamed.with_file(target.name, serialization.sha256_of(target)).save(
        serialization.manifest_path(target)
    )
    return target


def _api(model: Path | None = None) -> Any:
    from mlops_course.api import Settings, create_app

    source = model or _onnx_model()
    return create_app(Settings(model=str(source), train_if_missing=False, log_predictions=False))


@contextmanager
def _quiet_api() -> Iterator[None]:
    """Run the course's API without a trace outside the check.

    No log line lands in the notebook (the API logs at INFO to stderr), and the prediction
    log of the check's requests goes to a temporary folder, not to the learner's ``logs/``.
    """
    import logging
    import os

    api_log = logging.getLogger("mlops_course.api")
    level, saved = api_log.level, os.environ.get("MLOPS_COURSE_LOG_DIR")
    with tempfile.TemporaryDirectory(prefix="mlops-course-check-") as folder:
        os.environ["MLOPS_COURSE_LOG_DIR"] = folder
        api_log.setLevel(logging.WARNING)
        try:
            yield
        finally:
            api_log.setLevel(level)
            if saved is None:
                os.environ.pop("MLOPS_COURSE_LOG_DIR", None)
            else:
                os.environ["MLOPS_COURSE_LOG_DIR"] = saved


@contextmanager
def _client(app: Any) -> Iterator[Any]:
    """A started test client on the course's ``app``, its model loaded."""
    from fastapi.testclient import TestClient

    with _quiet_api(), TestClient(app, raise_server_exceptions=False) as client:
        app.state.model.wait(60)
        yield client


# --- exercise 1: a validated field --------------------------------------------------------


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


# --- exercise 2: a new route on the course's API ------------------------------------------


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
    with _client(returned) as client:
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


# --- exercise 3: loop vs batch, measured ---------------------------------------------------


def exercice_3(comparer: Callable[[Any, list[dict[str, float]]], tuple[float, float]]) -> None:
    """The learner times n calls to /predict against one call to /predict/batch."""
    from mlops_course import data

    require(comparer, "Exercice 3")
    rows = data.jittered(data.load_iris_frame()[0], 40, seed=4).round(1).to_dict("records")
    calls: dict[str, int] = {}
    refused: dict[str, list[int]] = {}

    def count(request: Any) -> None:
        key = f"{request.method} {request.url.path}"
        calls[key] = calls.get(key, 0) + 1

    def status(response: Any) -> None:
        if response.status_code >= 400:
            key = f"{response.request.method} {response.request.url.path}"
            refused.setdefault(key, []).append(response.status_code)

    with _client(_api()) as client:
        client.event_hooks = {"request": [count], "response": [status]}
        start = time.perf_counter()
        result = call(comparer, client, rows, what="Exercice 3")
        elapsed = time.perf_counter() - start
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
    bad_singles = refused.get("POST /predict", [])
    expect(
        not bad_singles,
        f"{len(bad_singles)} requêtes POST /predict sur {singles} ont été refusées (codes "
        f"{sorted(set(bad_singles))}) : envoyez chaque fleur comme corps JSON (json=...). "
        "Une requête refusée ne mesure rien.",
    )
    bad_batch = refused.get("POST /predict/batch", [])
    expect(
        not bad_batch,
        f"POST /predict/batch a été refusé (code {bad_batch[0] if bad_batch else ''}) : le "
        "corps du lot est un objet JSON qui range les fleurs sous la clé instances, pas une "
        "liste nue. Une requête refusée ne mesure rien.",
    )
    expect(
        loop + batch <= elapsed * 1.05 + 0.01,
        f"vos durées ({loop:.4g} et {batch:.4g}) dépassent le temps réellement écoulé pendant "
        "l'appel : renvoyez des secondes, telles que time.perf_counter() les donne (pas des "
        "millisecondes).",
    )
    expect(
        loop > batch,
        f"la boucle ({loop:.4f} s) devrait être plus lente que le lot ({batch:.4f} s) : "
        "mesurez-vous bien chaque partie séparément, et les renvoyez-vous dans l'ordre "
        "(boucle, lot) ?",
    )
    success(f"{len(rows)} appels : la boucle prend {loop / batch:.0f}× le temps d'un seul lot.")


# --- exercise 4: the learner's own FastAPI app ---------------------------------------------

#: Centres of the stand-in model's three classes, in the chapter's column order. Its labels
#: are not Iris's, and its class 0 is not setosa: labels written down instead of read from
#: the model give wrong answers.
_CENTRES = np.array([[6.6, 3.0, 5.6, 2.0], [5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3]])
#: The rows of the batch: their classes are not in order, and reversed they differ.
_BATCH = [
    VIRGINICA,
    SETOSA,
    VERSICOLOR,
    {"sepal_length": 6.1, "sepal_width": 2.8, "petal_length": 4.7, "petal_width": 1.2},
    {"sepal_length": 4.8, "sepal_width": 3.0, "petal_length": 1.4, "petal_width": 0.1},
]
_CONTRACT = ("prediction", "label", "probabilites", "timestamp")


class ModeleDeVerification:
    """The model the check of exercise 4 serves: ``labels`` and ``predict_proba``, counted.

    ``predict_proba(X)`` takes an (n, 4) array in the chapter's column order and returns an
    (n, 3) array of probabilities (a soft nearest-centre rule); ``appels`` records the
    number of rows of each call.
    """

    def __init__(self) -> None:
        self.labels = ["rose", "tulipe", "lys"]
        self.appels: list[int] = []

    def predict_proba(self, X: Any) -> np.ndarray:
        """Return the probabilities of the three classes for each row of ``X``."""
        try:
            array = np.asarray(X, dtype=float)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"predict_proba attend un tableau numpy (n, 4) de nombres, reçu {type(X).__name__}"
            ) from error
        if array.ndim != 2 or array.shape[1] != len(FEATURES):
            raise ValueError(
                f"predict_proba attend un tableau de forme (n, 4), reçu la forme {array.shape}"
            )
        self.appels.append(len(array))
        return _probabilities(array)


def _probabilities(X: np.ndarray) -> np.ndarray:
    distances = ((X[:, None, :] - _CENTRES[None, :, :]) ** 2).sum(axis=2)
    scores = np.exp(-distances / 4.0)
    return scores / scores.sum(axis=1, keepdims=True)


def _expected(row: dict[str, float]) -> np.ndarray:
    return _probabilities(np.array([[row[name] for name in FEATURES]]))[0]


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
    package = str(Path(__file__).resolve().parent.parent)
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
