"""Checks for notebook 02 (experiment tracking and model registry with MLflow).

Every check builds the situation it tests in the store the notebook uses
(``tracking.use_store()``), under names of its own (experiments ``iris-exercice-N``,
registered models ``iris-classifier-exercice-N…``), so the learner's code meets a known
case and the chapter's runs are left alone; each check can be run again.

Held-out data are unbalanced (:func:`held_out_split`): there, accuracy, macro F1 and
weighted F1 differ, so a check can tell which one a learner computed. Registered versions
are arranged so that the right one is neither the first nor the last, and each registry
check runs two histories, so no fixed version number passes.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mlops_course import data, tracking
from mlops_course.checks import WrongAnswerError, call, expect, fail, require, success

#: Rows kept per class before splitting (setosa, versicolor, virginica): the held-out part
#: has 8, 20 and 20 rows.
HELD_OUT_COUNTS: tuple[int, int, int] = (20, 50, 50)
#: Share of the rows held out (stratified, seed 42).
HELD_OUT_SIZE = 0.4
#: A weak configuration: on the held-out rows its accuracy, macro F1 and weighted F1 differ.
WEAK_CONFIG: Mapping[str, Any] = {"n_estimators": 5, "max_depth": 2}

#: Experiments and registered models the checks build (never the chapter's ones).
EXPERIMENT_1 = "iris-exercice-1"
OTHER_EXPERIMENT_1 = "iris-exercice-1-autre"
EXPERIMENT_2 = "iris-exercice-2"
ROLLBACK_MODELS: tuple[str, str] = ("iris-classifier-exercice-4a", "iris-classifier-exercice-4b")
EXPERIMENT_5 = "iris-exercice-5"
CHAMPION_MODELS: tuple[str, str] = ("iris-classifier-exercice-5a", "iris-classifier-exercice-5b")

#: Configurations the check of exercise 5 has the learner log, in this order (their weighted
#: F1 on the held-out rows: 0.94, 0.96, 0.68, 0.92 — all different).
CONFIGS_5: tuple[dict[str, Any], ...] = (
    {"n_estimators": 10, "max_depth": 2},
    {"n_estimators": 50, "max_depth": 3},
    {"n_estimators": 3, "max_depth": 1},
    {"n_estimators": 5, "max_depth": 2},
)
#: The two orders in which exercise 5's models are registered (indices into CONFIGS_5):
#: the best is version 2 in the first registry and version 3 in the second.
ORDERS_5: tuple[tuple[int, ...], tuple[int, ...]] = ((0, 1, 2, 3), (3, 2, 1, 0))


def held_out_split() -> data.Split:
    """Return Iris with fewer setosa, split 60/40 stratified: 8/20/20 held-out rows."""
    import numpy as np

    X, y = data.load_iris_frame()
    codes = y.to_numpy()
    keep = np.concatenate(
        [np.flatnonzero(codes == code)[:count] for code, count in enumerate(HELD_OUT_COUNTS)]
    )
    X, y = X.iloc[keep].reset_index(drop=True), y.iloc[keep].reset_index(drop=True)
    return data.split(X, y, test_size=HELD_OUT_SIZE)


def _scores(model: Any, X: Any, y: Any) -> dict[str, float]:
    """Accuracy, macro F1 and weighted F1 of ``model`` on ``(X, y)``."""
    from sklearn.metrics import accuracy_score, f1_score

    predicted = model.predict(X)
    return {
        "accuracy": float(accuracy_score(y, predicted)),
        "macro": float(f1_score(y, predicted, average="macro")),
        "weighted": float(f1_score(y, predicted, average="weighted")),
    }


def _close(a: Any, b: float) -> bool:
    return isinstance(a, int | float) and math.isclose(float(a), b, abs_tol=1e-9)


def _end_stray_run() -> bool:
    """End a run the learner's code left open; return True if there was one."""
    import mlflow

    if mlflow.active_run() is None:
        return False
    mlflow.end_run()
    return True


def _fresh_experiment(name: str) -> str:
    """Return the id of experiment ``name``, with its earlier runs deleted."""
    mlflow_client = tracking.client()
    experiment_id = tracking.ensure_experiment(name)
    for run in mlflow_client.search_runs([experiment_id], max_results=1000):
        mlflow_client.delete_run(run.info.run_id)
    return experiment_id


def _fresh_model(name: str) -> None:
    """Delete registered model ``name`` if it exists (versions, aliases and tags)."""
    from mlflow.exceptions import MlflowException

    try:
        tracking.client().delete_registered_model(name)
    except MlflowException as error:
        if error.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise


# --------------------------------------------------------------------------- exercise 1


def _scenario_1() -> dict[str, str]:
    """Build experiment 1: accuracy and F1 rank the runs differently; the top run failed.

    Returns run names → ids. A run of another experiment scores higher than all of them.
    """
    import time

    mlflow_client = tracking.client()
    runs = {
        # name: (accuracy, f1_weighted, status)
        "run-a": (0.95, 0.88, "FINISHED"),
        "run-b": (0.90, 0.93, "FINISHED"),
        "run-c": (0.85, 0.80, "FINISHED"),
        "run-d": (0.99, 0.99, "FAILED"),
    }
    ids = {}
    experiment_id = _fresh_experiment(EXPERIMENT_1)
    for name, (accuracy, f1, status) in runs.items():
        run_id = mlflow_client.create_run(experiment_id, run_name=name).info.run_id
        now = int(time.time() * 1000)
        mlflow_client.log_metric(run_id, "accuracy", accuracy, timestamp=now)
        mlflow_client.log_metric(run_id, "f1_weighted", f1, timestamp=now)
        mlflow_client.set_terminated(run_id, status)
        ids[name] = run_id
    other = _fresh_experiment(OTHER_EXPERIMENT_1)
    run_id = mlflow_client.create_run(other, run_name="run-autre").info.run_id
    mlflow_client.log_metric(run_id, "accuracy", 0.999)
    mlflow_client.log_metric(run_id, "f1_weighted", 0.999)
    mlflow_client.set_terminated(run_id)
    ids["run-autre"] = run_id
    return ids


def exercice_1(meilleur_run: Callable[[str, str], str]) -> None:
    """The learner finds the best finished run of an experiment with ``mlflow.search_runs``."""
    require(meilleur_run, "Exercice 1")
    ids = _scenario_1()
    names = {run_id: name for name, run_id in ids.items()}
    answers = {}
    for metric in ("f1_weighted", "accuracy"):
        got = call(meilleur_run, EXPERIMENT_1, metric, what="Exercice 1")
        _end_stray_run()
        if not isinstance(got, str):
            raise fail(
                "meilleur_run doit renvoyer l'identifiant du run (une chaîne, la colonne "
                f"run_id), pas un objet {type(got).__name__}."
            )
        expect(
            got in names,
            "l'identifiant renvoyé n'est pas celui d'un run de l'expérience demandée : "
            "renvoyez la valeur de la colonne run_id.",
        )
        answers[metric] = names[got]
    for name in answers.values():
        expect(
            name != "run-autre",
            "ce run appartient à une autre expérience : limitez la recherche à celle reçue "
            "en argument (experiment_names=[experience]).",
        )
        expect(
            name != "run-d",
            "ce run a échoué (statut FAILED) : ne gardez que les runs terminés "
            "(filter_string=\"attributes.status = 'FINISHED'\").",
        )
        expect(
            name != "run-c",
            "vous renvoyez le moins bon run : triez par ordre décroissant (DESC).",
        )
    expect(
        answers["f1_weighted"] != answers["accuracy"],
        "votre fonction renvoie le même run quelle que soit la métrique : triez par la "
        'métrique reçue en argument (order_by=[f"metrics.{metrique} DESC"]).',
    )
    expect(
        answers == {"f1_weighted": "run-b", "accuracy": "run-a"},
        "ce n'est pas le run terminé qui a la meilleure valeur de la métrique demandée.",
    )
    success("meilleur_run trouve le meilleur run terminé, pour chaque métrique demandée.")


# --------------------------------------------------------------------------- exercise 2


def exercice_2(logger_extras: Callable[..., float]) -> None:
    """The learner logs ``f1_macro`` and a ``rapport.txt`` artifact into an existing run."""
    import tempfile
    from pathlib import Path

    from mlops_course import training

    require(logger_extras, "Exercice 2")
    split = held_out_split()
    model = training.train(WEAK_CONFIG, split)
    mlflow_client = tracking.client()
    experiment_id = _fresh_experiment(EXPERIMENT_2)
    run_id = mlflow_client.create_run(experiment_id, run_name="verification-exercice-2").info.run_id
    try:
        value = call(logger_extras, run_id, model, split, what="Exercice 2")
    except WrongAnswerError as error:
        if "active experiment ID does not match" in str(error.__cause__):
            raise fail(
                "MLflow refuse de rouvrir ce run : une autre expérience est active (un "
                "mlflow.set_experiment exécuté plus tôt, à l'exercice 5 par exemple). Loggez "
                "avec le client, qui prend le run en argument : "
                "MlflowClient().log_metric(run_id, ...) et .log_text(run_id, ...)."
            ) from error
        raise
    finally:
        stray = _end_stray_run()
        if mlflow_client.get_run(run_id).info.status == "RUNNING":
            mlflow_client.set_terminated(run_id)
    expect(
        not stray,
        "votre fonction a laissé un run ouvert : loggez avec le client "
        "(MlflowClient().log_metric(run_id, ...)) ou dans un bloc `with mlflow.start_run(...)`.",
    )
    logged = mlflow_client.get_run(run_id).data
    expect(
        "f1_macro" in logged.metrics or "f1_macro" not in logged.params,
        "f1_macro est loggé comme paramètre : une métrique se logge avec mlflow.log_metric.",
    )
    expect(
        "f1_macro" in logged.metrics,
        "la métrique f1_macro est absente du run reçu en argument : loggez-la dans ce run "
        "(MlflowClient().log_metric(run_id, ...)), pas dans un nouveau.",
    )
    test = _scores(model, split.X_test, split.y_test)
    got = logged.metrics["f1_macro"]
    if not _close(got, test["macro"]):
        if _close(got, test["weighted"]):
            raise fail("f1_macro contient le F1 pondéré : demandez average='macro'.")
        if _close(got, test["accuracy"]):
            raise fail("f1_macro contient l'accuracy : calculez f1_score(..., average='macro').")
        if _close(got, _scores(model, split.X_train, split.y_train)["macro"]):
            raise fail(
                "f1_macro est calculé sur les données d'entraînement : utilisez "
                "split.X_test et split.y_test."
            )
        raise fail(
            "f1_macro ne vaut pas le F1 macro de modele sur split.X_test / split.y_test "
            "(f1_score(y_vrai, y_predit, average='macro'))."
        )
    expect(
        _close(value, test["macro"]),
        "la fonction doit renvoyer la valeur qu'elle a loggée (un nombre).",
    )
    names = [artifact.path for artifact in mlflow_client.list_artifacts(run_id)]
    expect(
        "rapport.txt" in names,
        "l'artefact rapport.txt manque dans le run : mlflow.log_text(texte, 'rapport.txt').",
    )
    with tempfile.TemporaryDirectory() as folder:
        text = Path(mlflow_client.download_artifacts(run_id, "rapport.txt", folder)).read_text(
            encoding="utf-8"
        )
    expect(
        "precision" in text and "recall" in text,
        "rapport.txt doit contenir le classification_report de scikit-learn.",
    )
    support = re.search(r"accuracy\s+\S+\s+(\d+)", text)
    expect(
        support is None or int(support.group(1)) == len(split.y_test),
        "rapport.txt décrit d'autres données que le jeu de test : "
        "classification_report(split.y_test, predictions).",
    )
    success("f1_macro (sur les données de test) et rapport.txt sont dans le run reçu.")


# --------------------------------------------------------------------------- exercise 3

#: Gates a learner may write instead of the right one, with the hint each one gets.
_WRONG_GATES: tuple[tuple[str, bool, str], ...] = (
    ("weighted", True, "un score égal au seuil ne passe pas : la règle est « F1 > seuil »."),
    ("macro", False, "votre porte compare le F1 macro : demandez average='weighted'."),
    ("macro", True, "votre porte compare le F1 macro : demandez average='weighted'."),
    ("accuracy", False, "votre porte compare l'accuracy : comparez le F1 pondéré."),
    ("accuracy", True, "votre porte compare l'accuracy : comparez le F1 pondéré."),
)


def _thresholds(scores: Mapping[str, float]) -> list[float]:
    """Thresholds that separate every pair of scores: each score and each midpoint."""
    values = sorted(set(scores.values()))
    middles = [(low + high) / 2 for low, high in itertools.pairwise(values)]
    return sorted({values[0] - 0.05, *values, *middles, min(values[-1] + 0.02, 0.999)})


def exercice_3(porte: Callable[..., bool]) -> None:
    """The learner writes the validation gate: weighted F1 on held-out data > threshold."""
    from mlops_course import training

    require(porte, "Exercice 3")
    split = held_out_split()
    weak = training.train(WEAK_CONFIG, split)
    # A stub fails here, before the second model is trained.
    call(porte, weak, split.X_test, split.y_test, 0.95, what="Exercice 3")
    good = training.train(training.CONFIGS[0], split)
    cases = []
    for model in (weak, good):
        scores = _scores(model, split.X_test, split.y_test)
        cases += [(model, scores, threshold) for threshold in _thresholds(scores)]
    answers = []
    for model, _, threshold in cases:
        got = call(porte, model, split.X_test, split.y_test, threshold, what="Exercice 3")
        expect(
            isinstance(got, bool) or type(got).__name__ == "bool_",
            f"porte doit renvoyer True ou False (une comparaison), pas {type(got).__name__}.",
        )
        answers.append(bool(got))
    expected = [scores["weighted"] > threshold for _, scores, threshold in cases]
    if answers != expected:
        for metric, or_equal, hint in _WRONG_GATES:
            pattern = [
                scores[metric] >= threshold if or_equal else scores[metric] > threshold
                for _, scores, threshold in cases
            ]
            if answers == pattern:
                raise fail(hint)
        raise fail(
            "votre porte se trompe sur certains cas : elle doit renvoyer True si et seulement "
            "si le F1 pondéré de modele sur (X, y) (les arguments reçus) est strictement "
            "supérieur à seuil."
        )
    success(
        f"Votre porte décide juste dans les {len(cases)} cas (données déséquilibrées, "
        "seuils entre accuracy, F1 macro et F1 pondéré)."
    )


# --------------------------------------------------------------------------- exercise 4

#: Two registry histories, one version per row: (gate status, previous champion, rolled back
#: to). A: v1 champion, v2 replaced it, v3 replaced v2 and was rolled back to v2, v4 refused,
#: v5 replaced v2 (→ 2). B: v1 champion, v2 refused, v3 replaced v1 (→ 1). The last version
#: is the champion; the expected rollback target is its previous champion.
_HISTORIES: tuple[tuple[tuple[str, str | None, str | None], ...], ...] = (
    (
        (tracking.PASSED, None, None),
        (tracking.PASSED, "1", None),
        (tracking.PASSED, "2", "2"),
        (tracking.REJECTED, None, None),
        (tracking.PASSED, "2", None),
    ),
    ((tracking.PASSED, None, None), (tracking.REJECTED, None, None), (tracking.PASSED, "1", None)),
)


def _rollback_scenario(
    name: str, history: Sequence[tuple[str, str | None, str | None]]
) -> tuple[str, str]:
    """Rebuild registered model ``name`` from ``history``; return (expected, champion).

    Only registry metadata is written (versions, aliases, tags), as :func:`tracking.promote`
    and :func:`tracking.rollback` would; the versions point at the chapter's logged models.
    """
    mlflow_client = tracking.client()
    ranked = tracking.compare_runs()
    column = f"metrics.{tracking.METRIC}"
    passing = list(ranked[ranked[column] > tracking.THRESHOLD]["run_id"])
    failing = list(ranked[ranked[column] <= tracking.THRESHOLD]["run_id"])
    expect(
        bool(passing) and bool(failing),
        "il faut les runs du chapitre dans le store : exécutez d'abord la cellule "
        "`tracking.run_grid(...)` en haut du notebook.",
    )
    _fresh_model(name)
    mlflow_client.create_registered_model(name)
    for status, previous, rolled_back_to in history:
        run_id = (passing if status == tracking.PASSED else failing)[0]
        source = tracking.run_model_uri(run_id)
        version = str(mlflow_client.create_model_version(name, source, run_id=run_id).version)
        tags = {
            tracking.TAG_STATUS: status,
            tracking.TAG_PREVIOUS: previous,
            tracking.TAG_ROLLED_BACK: rolled_back_to,
        }
        for key, value in tags.items():
            if value is not None:
                mlflow_client.set_model_version_tag(name, version, key, value)
    champion = str(len(history))
    mlflow_client.set_registered_model_alias(name, tracking.CHAMPION, champion)
    expected = history[-1][1]
    if expected is None:  # pragma: no cover - the histories end with a replacing champion
        raise ValueError("a history must end with a champion that replaced another")
    return expected, champion


def exercice_4(revenir_en_arriere: Callable[[str], str]) -> None:
    """The learner rolls ``champion`` back to the version it replaced, in two histories."""
    require(revenir_en_arriere, "Exercice 4")
    outcomes = []
    for name, history in zip(ROLLBACK_MODELS, _HISTORIES, strict=True):
        expected, current = _rollback_scenario(name, history)
        got = call(revenir_en_arriere, name, what="Exercice 4")
        champion = tracking.aliases(name=name).get(tracking.CHAMPION)
        outcomes.append((name, expected, current, got, champion))
    for *_, current, _, champion in outcomes:
        expect(
            champion != current,
            "l'alias champion n'a pas bougé : déplacez-le avec "
            "client.set_registered_model_alias(nom, 'champion', version).",
        )
    champions = {champion for *_, champion in outcomes}
    expect(
        len(champions) > 1 or all(champion == expected for _, expected, *_, champion in outcomes),
        "votre fonction pose champion sur le même numéro de version quel que soit le modèle : "
        "lisez la version à restaurer dans le tag previous_champion du champion actuel.",
    )
    for name, expected, current, _, champion in outcomes:
        status = tracking.get_version(champion, name=name).tags.get(tracking.TAG_STATUS)
        expect(
            status == tracking.PASSED,
            f"dans {name}, champion pointe sur une version refusée par la porte : "
            "la version précédente n'est pas forcément celle d'avant (numéro - 1).",
        )
        expect(
            champion == expected,
            f"dans {name}, champion ne pointe pas sur la version que v{current} avait "
            f"remplacée : lisez le tag {tracking.TAG_PREVIOUS!r} de la version championne.",
        )
    for *_, got, champion in outcomes:
        expect(
            str(got) == champion,
            "la fonction doit renvoyer le numéro de la version devenue champion.",
        )
    success("champion est revenu sur la version qu'il avait remplacée, dans les deux historiques.")


# --------------------------------------------------------------------------- exercise 5


def _check_logged_run(info: Any, params: Mapping[str, Any], split: data.Split) -> float:
    """Check one run logged by the learner's ``logger_run``; return its model's weighted F1."""
    import mlflow
    from mlflow.exceptions import MlflowException

    model_uri, run_id = getattr(info, "model_uri", None), getattr(info, "run_id", None)
    expect(
        isinstance(model_uri, str) and isinstance(run_id, str),
        "logger_run doit renvoyer ce que renvoie mlflow.sklearn.log_model (un ModelInfo, "
        "avec model_uri et run_id), appelé dans le bloc `with mlflow.start_run()`.",
    )
    mlflow_client = tracking.client()
    run = mlflow_client.get_run(run_id)
    experiment = mlflow_client.get_experiment(run.info.experiment_id)
    expect(
        experiment.name == EXPERIMENT_5,
        f"le run est dans l'expérience {experiment.name!r}, pas dans celle reçue en argument : "
        "appelez mlflow.set_experiment(experience) avant mlflow.start_run().",
    )
    expect(
        run.info.status == "FINISHED",
        "le run n'est pas terminé : ouvrez-le avec `with mlflow.start_run():`.",
    )
    logged = run.data
    for key, value in params.items():
        expect(
            logged.params.get(key) == str(value),
            f"le run n'a pas le paramètre {key} reçu dans params : mlflow.log_params(params).",
        )
    expect(
        "f1_weighted" in logged.metrics or "f1_weighted" not in logged.params,
        "f1_weighted est loggé comme paramètre : une métrique se logge avec "
        "mlflow.log_metric (ou log_metrics), un nombre qu'on peut trier.",
    )
    expect(
        "f1_weighted" in logged.metrics,
        "le run n'a pas de métrique f1_weighted : mlflow.log_metric('f1_weighted', valeur).",
    )
    try:
        model_info = mlflow.models.get_model_info(model_uri)
    except MlflowException as error:
        raise fail(f"le modèle {model_uri!r} est introuvable dans le store.") from error
    expect(
        model_info.signature is not None,
        "le modèle est loggé sans signature : passez "
        "signature=infer_signature(entrées, prédictions) à log_model.",
    )
    names = model_info.signature.inputs.input_names()
    expect(
        list(names) == list(data.FEATURES),
        "la signature ne nomme pas les colonnes d'entrée : inférez-la depuis le DataFrame "
        "split.X_test, pas depuis un tableau numpy.",
    )
    model = mlflow.sklearn.load_model(model_uri)
    test = _scores(model, split.X_test, split.y_test)
    got = logged.metrics["f1_weighted"]
    if not _close(got, test["weighted"]):
        if _close(got, test["macro"]):
            raise fail("f1_weighted contient le F1 macro : demandez average='weighted'.")
        if _close(got, test["accuracy"]):
            raise fail(
                "f1_weighted contient l'accuracy : calculez f1_score(..., average='weighted')."
            )
        raise fail(
            "f1_weighted ne vaut pas le F1 pondéré du modèle loggé sur split.X_test / "
            "split.y_test (les données de test)."
        )
    return test["weighted"]


def _check_registry(
    name: str, infos: Sequence[Any], f1s: Sequence[float], got: Any
) -> tuple[str, str]:
    """Check the versions of ``name`` against ``infos``; return (champion, expected)."""
    mlflow_client = tracking.client()
    versions = sorted(
        mlflow_client.search_model_versions(f"name = '{name}'"), key=lambda v: int(v.version)
    )
    expect(
        len(versions) == len(infos),
        f"le modèle enregistré {name!r} doit avoir une version par modèle reçu "
        f"({len(infos)}), il en a {len(versions)} : enregistrez chaque modèle, une fois.",
    )
    for version, info in zip(versions, infos, strict=True):
        expect(
            version.source == info.model_uri or version.run_id == info.run_id,
            "les versions ne suivent pas l'ordre de la liste reçue : enregistrez les modèles "
            "dans cet ordre (la version 1 est le premier).",
        )
    champion = tracking.aliases(name=name).get(tracking.CHAMPION)
    expect(
        champion is not None,
        f"le modèle {name!r} n'a pas d'alias champion : "
        "client.set_registered_model_alias(nom, 'champion', version).",
    )
    best = max(range(len(f1s)), key=f1s.__getitem__)
    expected = str(best + 1)
    expect(
        str(got) == champion,
        "enregistrer_champion doit renvoyer le numéro de la version devenue champion.",
    )
    return champion, expected


def exercice_5(logger_run: Callable[..., Any], enregistrer_champion: Callable[..., Any]) -> None:
    """The learner logs runs with MLflow, registers their models and picks the champion."""
    require(logger_run, "Exercice 5 (logger_run)")
    require(enregistrer_champion, "Exercice 5 (enregistrer_champion)")
    split = held_out_split()
    tracking.ensure_experiment(EXPERIMENT_5)
    infos, f1s = [], []
    for params in CONFIGS_5:
        try:
            info = call(
                logger_run, EXPERIMENT_5, dict(params), split, what="Exercice 5 (logger_run)"
            )
        finally:
            stray = _end_stray_run()
        expect(
            not stray,
            "logger_run a laissé un run ouvert : utilisez `with mlflow.start_run():`.",
        )
        f1s.append(_check_logged_run(info, params, split))
        infos.append(info)
    results = []
    for name, order in zip(CHAMPION_MODELS, ORDERS_5, strict=True):
        _fresh_model(name)
        ordered = [infos[i] for i in order]
        got = call(enregistrer_champion, name, ordered, what="Exercice 5 (enregistrer_champion)")
        results.append(_check_registry(name, ordered, [f1s[i] for i in order], got))
    chosen = {champion for champion, _ in results}
    if len(chosen) == 1 and any(champion != expected for champion, expected in results):
        (number,) = chosen
        if number == "1":
            raise fail(
                "champion pointe toujours sur la version 1 : choisissez la version d'après la "
                "métrique f1_weighted de son run, pas d'après son numéro."
            )
        if number == str(len(CONFIGS_5)):
            raise fail(
                "champion pointe toujours sur la dernière version enregistrée, qui n'est pas "
                "forcément la meilleure : comparez la métrique f1_weighted des runs."
            )
        raise fail(
            "champion pointe sur le même numéro de version dans les deux registres : "
            "choisissez-la d'après la métrique f1_weighted, pas d'après un numéro fixe."
        )
    for (champion, expected), order in zip(results, ORDERS_5, strict=True):
        worst = str(min(range(len(order)), key=lambda i: f1s[order[i]]) + 1)
        expect(
            champion != worst,
            "champion pointe sur la version la plus faible : prenez le maximum de "
            "f1_weighted, pas le minimum.",
        )
        expect(
            champion == expected,
            "champion ne pointe pas sur la version dont le run a le meilleur f1_weighted.",
        )
    success(
        f"{len(infos)} runs loggés (paramètres, f1_weighted, modèle signé), enregistrés, et "
        "champion sur la meilleure version dans les deux registres."
    )
