"""Check of exercise 5 of notebook 02_experiment_tracking_mlflow: a run written by hand.

The learner logs a run (params, metrics, signed model), registers it and points
``champion`` at the best version by metric; the check inspects the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mlops_course import data, tracking
from mlops_course.checks import call, expect, fail, require, success
from mlops_course.checks.tracking.fixtures import (
    CHAMPION_MODELS,
    CONFIGS_5,
    EXPERIMENT_5,
    ORDERS_5,
    _close,
    _end_stray_run,
    _fresh_model,
    _refuse_another_score,
    _scores,
    held_out_split,
)


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
        _refuse_another_score("f1_weighted", got, test, "weighted")
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
