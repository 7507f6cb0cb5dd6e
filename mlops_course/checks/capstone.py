"""Checks for notebook 09_capstone_pipeline: the loop's steps, written with MLflow and httpx.

Each check puts the learner's function in situations of its own
(:mod:`~mlops_course.checks.capstone_scenes`): registered models named
``iris-capstone-exercice-N`` with a known history (never the notebook's model), the course's
API in process, a scripted replica that restarts after a reload, alert answers made by real
monitors. Histories differ between calls, so no hard-coded version passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlops_course import registry, tracking
from mlops_course.checks import Feedback, expect, fail, require, success
from mlops_course.checks import capstone_scenes as scenes

PASSED, REJECTED = registry.PASSED, registry.REJECTED
#: The registered models the checks rebuild, by exercise.
MODELS = {
    1: "iris-capstone-exercice-1",
    2: "iris-capstone-exercice-2",
    3: ("iris-capstone-exercice-3a", "iris-capstone-exercice-3b"),
    4: "iris-capstone-exercice-4",
    5: ("iris-capstone-exercice-5a", "iris-capstone-exercice-5b"),
}


def _attempt(function: Callable[..., Any], *args: Any, what: str) -> tuple[Any, Exception | None]:
    """Call the learner's ``function``; return ``(result, error)`` instead of raising."""
    require(function, what)
    expect(callable(function), f"{what} : on attend une fonction, reçu {type(function).__name__}.")
    try:
        return function(*args), None
    except Feedback:
        raise
    except Exception as error:  # the learner's code failed: the check says why
        return None, error


def _raised(error: Exception, what: str, hint: str = "") -> Feedback:
    return fail(f"{what} : votre fonction a levé {type(error).__name__}: {error}. {hint}".strip())


def _version_text(value: Any, what: str) -> str:
    expect(
        isinstance(value, str | int) and not isinstance(value, bool) and str(value).isdigit(),
        f"{what} : renvoyez le numéro de la version (par exemple version.version), pas "
        f"{type(value).__name__}.",
    )
    return str(value)


# --------------------------------------------------------------------------- exercise 1


def exercice_1(enregistrer: Callable[[Any, str, str], Any]) -> None:
    """The learner registers a retrained run's model as a new version, champion untouched."""
    import mlflow.sklearn

    from mlops_course.mlflow_store import quiet_mlflow

    what = "Exercice 1"
    require(enregistrer, what)
    runs, name = scenes.scene_runs(), MODELS[1]
    scenes.history(name, [(runs.chapter, PASSED), (runs.weak, REJECTED)], champions=["1"])
    client = tracking.client()
    result, error = _attempt(enregistrer, client, name, runs.good, what=what)
    versions = {str(v.version): v for v in client.search_model_versions(f"name = '{name}'")}
    created = sorted((v for v in versions if int(v) > 2), key=int)
    if error is not None:
        raise _raised(
            error, what,
            "Le modèle enregistré existe déjà : créez seulement une nouvelle version "
            "(client.create_model_version)." if "already exists" in str(error) else "",
        )  # fmt: skip
    if result is None and not created:
        require(None, what)
    expect(
        len(created) == 1,
        f"{what} : un appel doit créer une seule version ; il y en a {len(created)} de "
        "nouvelles. Utilisez client.create_model_version(nom, source, run_id=run_id).",
    )
    version = versions[created[0]]
    expect(
        version.run_id == runs.good,
        f"{what} : la nouvelle version vient d'un autre run que celui reçu (run_id) : "
        "enregistrez le modèle du run passé en argument.",
    )
    try:
        quiet_mlflow()
        model = mlflow.sklearn.load_model(f"models:/{name}/{created[0]}")
    except Exception as load_error:
        raise fail(
            f"{what} : la version créée ne se charge pas ({type(load_error).__name__}). En "
            "MLflow 3, le modèle d'un run est un LoggedModel : sa source est "
            "models:/<model_id>, avec model_id = client.get_run(run_id).outputs"
            ".model_outputs[0].model_id (pas runs:/<run_id>/model)."
        ) from load_error
    expect(hasattr(model, "predict"), f"{what} : la version créée n'est pas un modèle.")
    expect(
        scenes.champion_of(name) == "1",
        f"{what} : l'alias champion a bougé à l'enregistrement. Une nouvelle version n'est "
        "qu'une candidate : seule la porte de validation décide si elle devient champion.",
    )
    expect(
        _version_text(result, what) == created[0],
        f"{what} : la fonction doit renvoyer le numéro de la version qu'elle vient de créer, "
        f"pas {result!r}.",
    )
    success(f"le modèle réentraîné est la version {created[0]} de {name} ; champion n'a pas bougé.")


# --------------------------------------------------------------------------- exercise 2


def _scores(run_id: str, X: Any, y: Any) -> dict[str, float]:
    import mlflow.sklearn
    from sklearn.metrics import accuracy_score, f1_score

    from mlops_course.mlflow_store import quiet_mlflow

    quiet_mlflow()
    predicted = mlflow.sklearn.load_model(tracking.run_model_uri(run_id)).predict(X)
    return {
        "accuracy": float(accuracy_score(y, predicted)),
        "macro": float(f1_score(y, predicted, average="macro")),
        "weighted": float(f1_score(y, predicted, average="weighted")),
    }


def gate_cases(runs: scenes.SceneRuns) -> list[tuple[str, float, bool, str]]:
    """``(version, threshold, verdict, hint)`` of exercise 2, from the models' real scores.

    Version 1 is the old champion, 2 the retrained model, 3 the weak one (the latest). In
    this order, a gate on macro F1 fails the second case, one on accuracy the third.
    """
    good = _scores(runs.good, runs.X_held_out, runs.y_held_out)
    weak = _scores(runs.weak, runs.X_held_out, runs.y_held_out)
    return [
        ("2", 0.95, True,
         "une version dont le F1 pondéré dépasse nettement 0.95 est refusée : évaluez la "
         "version reçue (models:/nom/version), ni le champion ni la dernière version, sur "
         "X_test, y_test."),
        ("2", (good["weighted"] + good["macro"]) / 2, False,
         "une version dont le F1 macro dépasse le seuil mais pas le F1 pondéré est acceptée : "
         "utilisez average='weighted' (chaque classe pèse selon son effectif)."),
        ("3", (weak["weighted"] + min(weak["accuracy"], weak["macro"])) / 2, False,
         "une version dont l'accuracy dépasse le seuil mais pas le F1 pondéré est acceptée : "
         "la porte du §2.5 compare le F1 pondéré, f1_score(y_test, predictions, "
         "average='weighted')."),
        ("2", good["weighted"], False,
         "un F1 pondéré exactement égal au seuil est accepté : la règle est « F1 > seuil », "
         "strictement."),
    ]  # fmt: skip


def exercice_2(passe_la_porte: Callable[..., Any]) -> None:
    """The learner writes the gate: load a version, weighted F1 on held-out data > threshold."""
    what = "Exercice 2"
    require(passe_la_porte, what)
    runs, name = scenes.scene_runs(), MODELS[2]
    scenes.history(
        name, [(runs.chapter, PASSED), (runs.good, None), (runs.weak, None)], champions=["1"]
    )
    X, y = runs.X_held_out, runs.y_held_out
    for version, threshold, verdict, hint in gate_cases(runs):
        result, error = _attempt(passe_la_porte, name, version, X, y, threshold, what=what)
        if error is not None:
            raise _raised(error, what, "Chargez la version avec mlflow.sklearn.load_model.")
        require(result, what)
        expect(
            type(result).__name__ in {"bool", "bool_"},
            f"{what} : la porte renvoie True ou False, pas {type(result).__name__} "
            "(comparez le F1 au seuil).",
        )
        expect(bool(result) == verdict, f"{what} : {hint}")
    success("votre porte charge la bonne version et compare son F1 pondéré au seuil, strictement.")


# --------------------------------------------------------------------------- exercise 3


def exercice_3(promouvoir: Callable[..., Any]) -> None:
    """The learner moves ``champion`` only when the gate passes, recording the one replaced."""
    what = "Exercice 3"
    require(promouvoir, what)
    runs = scenes.scene_runs()
    first, second = MODELS[3]
    scenes.history(
        first, [(runs.chapter, PASSED), (runs.weak, None), (runs.good, None)], champions=["1"]
    )
    scenes.history(
        second,
        [(runs.chapter, PASSED), (runs.good, PASSED), (runs.weak, None), (runs.good, None)],
        champions=["1", "2"],
    )
    client = tracking.client()
    for name, version, verdict, before in (
        (first, "2", False, "1"),
        (first, "3", True, "1"),
        (second, "4", True, "2"),
    ):
        asked: list[tuple[str, str | None]] = []

        def porte(
            candidate: Any, name: str = name, verdict: bool = verdict, asked: list = asked
        ) -> bool:
            asked.append((str(candidate), scenes.champion_of(name)))
            return verdict

        result, error = _attempt(promouvoir, client, name, version, porte, what=what)
        if error is not None:
            raise _raised(error, what)
        after = scenes.champion_of(name)
        if result is None and not asked and after == before:
            require(None, what)
        expect(
            [a for a, _ in asked] == [version],
            f"{what} : appelez la porte une fois, sur la version candidate : porte(version).",
        )
        expect(
            asked[0][1] == before,
            f"{what} : champion a bougé avant la porte. Appelez d'abord porte(version), et "
            "ne déplacez l'alias que si elle renvoie True.",
        )
        if not verdict:
            expect(
                after == before,
                f"{what} : la porte a refusé la version, mais champion a bougé : il doit "
                "rester sur la version qui sert.",
            )
        else:
            expect(
                after == version,
                f"{what} : la porte a accepté la version, mais champion ne pointe pas dessus : "
                "client.set_registered_model_alias(nom, 'champion', version), avec la version "
                "reçue (pas un numéro écrit en dur).",
            )
            tags = client.get_model_version(name, version).tags
            expect(
                tags.get(registry.TAG_PREVIOUS) == before,
                f"{what} : notez sur la nouvelle championne la version qu'elle remplace : "
                f"client.set_model_version_tag(nom, version, {registry.TAG_PREVIOUS!r}, "
                "ancienne). Le rollback en a besoin.",
            )
        expect(
            type(result).__name__ in {"bool", "bool_"} and bool(result) == verdict,
            f"{what} : renvoyez True si champion a bougé, False sinon (reçu {result!r}).",
        )
    success("champion ne bouge qu'après une porte réussie, et garde la trace de l'ancienne.")


# --------------------------------------------------------------------------- exercise 4


def _served(result: Any, expected: str, what: str) -> None:
    require(result, what)
    expect(
        isinstance(result, dict) and "version" in result,
        f"{what} : renvoyez la description de GET /model (response.json()), pas "
        f"{type(result).__name__}.",
    )
    expect(
        str(result["version"]) == expected,
        f"{what} : la description renvoyée n'est pas celle de la version attendue : "
        "renvoyez GET /model lu après le rechargement.",
    )


def exercice_4(recharger: Callable[[Any, str], Any]) -> None:
    """The learner reloads the API, waits for /ready and verifies GET /model."""
    what = "Exercice 4"
    require(recharger, what)
    restarting = scenes.Replica(serves="2", not_ready=2)
    with restarting.client() as http:
        result, error = _attempt(recharger, http, "2", what=what)
    if result is None and error is None and not restarting.asked:
        require(None, what)
    if "POST /admin/reload" not in restarting.asked:
        raise fail(f"{what} : appelez POST /admin/reload (http.post) pour recharger l'API.")
    if not restarting.waited_for_ready():
        raise fail(
            f"{what} : après un rechargement, l'API peut ne pas être prête tout de suite "
            "(GET /ready répond 503 quelques instants, GET /model aussi). Attendez que GET "
            "/ready réponde 200 (une boucle avec time.sleep et une limite de temps), puis "
            "lisez GET /model."
            + (f" Votre fonction a levé {type(error).__name__}: {error}" if error else "")
        )
    if error is not None:
        raise _raised(error, what)
    _served(result, "2", what)
    for replica, situation in (
        (scenes.Replica(serves="1", announced="2"), "répond 200 et annonce v2"),
        (scenes.Replica(serves="1", reload_status=503), "répond 503 (rechargement raté)"),
    ):
        with replica.client() as http:
            result, error = _attempt(recharger, http, "2", what=what)
        expect(
            error is not None,
            f"{what} : POST /admin/reload {situation}, mais GET /model sert encore v1 : votre "
            "fonction doit lever une erreur (raise RuntimeError(...)) quand GET /model ne "
            "sert pas la version attendue. Ne vous fiez pas à la réponse du rechargement.",
        )
    runs, name = scenes.scene_runs(), MODELS[4]
    scenes.history(name, [(runs.chapter, PASSED), (runs.good, PASSED)], champions=["1"])
    with scenes.course_api(name) as http:
        tracking.client().set_registered_model_alias(name, registry.CHAMPION, "2")
        result, error = _attempt(recharger, http, "2", what=what)
        if error is not None:
            raise _raised(error, what, "(sur l'API du cours, le champion est passé en v2)")
        _served(result, "2", what)
        served = http.get("/model").json()["version"]
    expect(served == "2", f"{what} : l'API du cours sert encore v{served} : rechargez-la.")
    success("vous rechargez l'API, attendez /ready et vérifiez la version servie par GET /model.")


# --------------------------------------------------------------------------- exercise 5


def exercice_5(revenir_en_arriere: Callable[[Any, Any, str], Any]) -> None:
    """The learner moves ``champion`` back to the version it replaced and reloads the API."""
    what = "Exercice 5"
    require(revenir_en_arriere, what)
    runs = scenes.scene_runs()
    first, second = MODELS[5]
    histories = (
        (first, [(runs.chapter, PASSED), (runs.weak, REJECTED), (runs.good, PASSED)],
         ["1", "3"], "1"),
        (second, [(runs.chapter, PASSED), (runs.good, PASSED), (runs.weak, REJECTED),
                  (runs.good, PASSED)], ["1", "2", "4"], "2"),
    )  # fmt: skip
    client = tracking.client()
    for name, versions, champions, expected in histories:
        scenes.history(name, versions, champions)
        with scenes.course_api(name) as http:
            result, error = _attempt(revenir_en_arriere, client, http, name, what=what)
            served = str(http.get("/model").json()["version"])
        champion = scenes.champion_of(name)
        if error is not None:
            raise _raised(error, what)
        if result is None and champion == champions[-1]:
            require(None, what)
        expect(
            champion != champions[-1],
            f"{what} : champion pointe toujours sur la version qui sert : déplacez l'alias "
            "vers la version que la championne avait remplacée.",
        )
        expect(
            champion == expected,
            f"{what} : champion pointe sur v{champion}, qui n'est pas la version remplacée "
            f"par la championne : lisez son tag {registry.TAG_PREVIOUS!r} "
            "(client.get_model_version(nom, version).tags), ni la version d'avant en "
            "numéro, ni la dernière.",
        )
        expect(
            served == expected,
            f"{what} : l'alias est revenu en arrière, mais l'API sert encore v{served} : "
            "rechargez-la (POST /admin/reload) et vérifiez GET /model (votre recharger de "
            "l'exercice 4).",
        )
        expect(
            _version_text(result, what) == expected,
            f"{what} : renvoyez la version redevenue champion, pas {result!r}.",
        )
    success("le rollback suit le tag previous_champion, et l'API sert de nouveau l'ancienne.")


# --------------------------------------------------------------------------- exercise 6


def exercice_6(reagir_aux_alertes: Callable[[Any, Callable[[], Any]], Any]) -> None:
    """Level 3: the learner starts the retraining when, and only when, drift fires now."""
    import httpx

    what = "Exercice 6"
    require(reagir_aux_alertes, what)
    hints = {
        "drift": "l'alerte DATA_DRIFT est « firing » dans etats : appelez reentrainer(), une fois.",
        "resolue": "l'alerte de drift s'est déclenchée puis a été résolue : lisez l'état "
        "actuel (réponse['etats']['DATA_DRIFT']), pas l'historique des événements (alertes).",
        "confiance": "seule l'alerte DATA_DRIFT déclenche un réentraînement, et seulement "
        "quand elle est « firing » (pas « pending »).",
    }
    for situation, answer in scenes.alert_answers().items():
        calls: list[int] = []
        asked: list[str] = []

        def handler(
            request: httpx.Request, answer: dict[str, Any] = answer, asked: list = asked
        ) -> httpx.Response:
            asked.append(request.url.path)
            if request.url.path == "/monitoring/alertes":
                return httpx.Response(200, json=answer)
            return httpx.Response(404, json={"detail": "Not Found"})

        transport = httpx.MockTransport(handler)
        with httpx.Client(transport=transport, base_url="http://api") as http:
            result, error = _attempt(
                reagir_aux_alertes, http, lambda calls=calls: calls.append(1), what=what
            )
        if error is not None:
            raise _raised(error, what, "Lisez GET /monitoring/alertes avec http.get(...).json().")
        if result is None and not calls and not asked:
            require(None, what)
        expect("/monitoring/alertes" in asked, f"{what} : lisez GET /monitoring/alertes.")
        wanted = situation == "drift"
        expect(len(calls) == int(wanted), f"{what} : {hints[situation]}")
        expect(
            type(result).__name__ in {"bool", "bool_"} and bool(result) == wanted,
            f"{what} : renvoyez True si le réentraînement a été lancé, False sinon "
            f"(reçu {result!r}).",
        )
    success("seule une alerte de drift active déclenche le réentraînement : c'est le niveau 3.")
