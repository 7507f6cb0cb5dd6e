"""Check of exercise 1 of notebook 02_experiment_tracking_mlflow: find the best run.

The learner writes ``meilleur_run`` with ``mlflow.search_runs``.
"""

from __future__ import annotations

from collections.abc import Callable

from mlops_course import tracking
from mlops_course.checks import call, expect, fail, require, success
from mlops_course.checks.tracking.fixtures import (
    EXPERIMENT_1,
    OTHER_EXPERIMENT_1,
    _end_stray_run,
    _fresh_experiment,
)


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
