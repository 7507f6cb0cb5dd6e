"""Check of exercise 2 of notebook 02_experiment_tracking_mlflow: log into an existing run.

The learner logs ``f1_macro`` and ``rapport.txt`` with ``MlflowClient``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mlops_course import tracking
from mlops_course.checks import WrongAnswerError, call, expect, fail, require, success
from mlops_course.checks.tracking.fixtures import (
    EXPERIMENT_2,
    WEAK_CONFIG,
    _close,
    _end_stray_run,
    _fresh_experiment,
    _refuse_another_score,
    _scores,
    held_out_split,
)


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
        _refuse_another_score("f1_macro", got, test, "macro")
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
