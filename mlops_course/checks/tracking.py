"""Checks for notebook 02 (experiment tracking and model registry with MLflow).

The checks read the MLflow store the notebook uses (``tracking.use_store()``). Exercises 2
and 4 build their own small scenario (a verification run, a throw-away registered model)
so that a learner's code is tested on a known situation.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

from mlops_course import data, tracking
from mlops_course.checks import call, expect, fail, require, success

#: Experiment of the runs the checks create (kept apart from the chapter's runs).
VERIFICATION_EXPERIMENT = f"{tracking.EXPERIMENT}-verifications"
#: Registered model rebuilt by the check of exercise 4 (never the chapter's model).
ROLLBACK_MODEL = f"{tracking.MODEL_NAME}-exercice-4"


def _run_id(run: Any) -> str:
    """Accept a LoggedRun, an MLflow Run, a comparison row or a run id."""
    value = getattr(run, "run_id", None)
    if isinstance(value, str):
        return value
    info = getattr(run, "info", None)
    if info is not None and isinstance(getattr(info, "run_id", None), str):
        return info.run_id
    if isinstance(run, Mapping) and isinstance(run.get("run_id"), str):
        return run["run_id"]
    expect(
        isinstance(run, str),
        "mon_run doit être le résultat de tracking.log_run(...) (ou l'identifiant du run).",
    )
    return run


def exercice_1(ma_config: Mapping[str, Any], mon_run: Any, rang: int) -> None:
    """The learner logs a new configuration and finds its rank in the comparison."""
    from mlflow.exceptions import MlflowException

    from mlops_course import training

    ma_config = require(ma_config, "Exercice 1 (ma_config)")
    mon_run = require(mon_run, "Exercice 1 (mon_run)")
    rang = require(rang, "Exercice 1 (rang)")
    expect(
        isinstance(ma_config, Mapping) and "n_estimators" in ma_config,
        "ma_config doit être un dictionnaire de réglages du RandomForest, avec au moins "
        "n_estimators (par exemple {'n_estimators': 30, 'max_depth': 4, ...}).",
    )
    expect(
        dict(ma_config) not in [dict(c) for c in training.CONFIGS],
        "cette configuration est déjà l'une des quatre du chapitre : changez au moins un réglage.",
    )
    run_id = _run_id(mon_run)
    try:
        run = tracking.client().get_run(run_id)
    except MlflowException as error:
        raise fail(f"le run {run_id!r} est introuvable dans le store.") from error
    experiment = tracking.client().get_experiment(run.info.experiment_id)
    expect(
        experiment.name == tracking.EXPERIMENT,
        f"le run est dans l'expérience {experiment.name!r}, pas dans {tracking.EXPERIMENT!r}.",
    )
    params = run.data.params
    for key, value in ma_config.items():
        expect(
            params.get(key) == str(value),
            f"le run n'a pas le paramètre {key}={value!r} (il a {params.get(key)!r}) : "
            "loggez bien ma_config avec tracking.log_run(ma_config).",
        )
    for key in ("random_state", "test_size"):
        expect(key in params, f"le run doit aussi logger {key} (reproductibilité).")
    ranked = tracking.compare_runs()
    where = ranked.index[ranked["run_id"] == run_id]
    expect(len(where) == 1, "votre run n'apparaît pas dans tracking.compare_runs().")
    expected = int(where[0])
    expect(
        isinstance(rang, numbers.Integral) and not isinstance(rang, bool),
        f"rang doit être un entier (l'index de la ligne), pas {type(rang).__name__}.",
    )
    expect(
        int(rang) == expected,
        f"rang vaut {rang}, mais votre run est n°{expected}. Indice : filtrez "
        "comparaison[comparaison['run_id'] == mon_run.run_id] et lisez son index.",
    )
    success(f"Run {run.info.run_name} logué, n°{rang} sur {len(ranked)} dans la comparaison.")


def exercice_2(loguer_extras: Callable[..., float]) -> None:
    """The learner logs ``f1_macro`` and a ``rapport.txt`` artifact into an existing run."""
    import tempfile
    from pathlib import Path

    import mlflow
    from sklearn.metrics import f1_score

    from mlops_course import training

    require(loguer_extras, "Exercice 2")
    split = data.split()
    model = training.train(training.CONFIGS[0], split)
    mlflow_client = tracking.client()
    experiment_id = tracking.ensure_experiment(VERIFICATION_EXPERIMENT)
    run_id = mlflow_client.create_run(experiment_id, run_name="verification-exercice-2").info.run_id
    try:
        value = call(loguer_extras, run_id, model, split, what="Exercice 2")
    finally:
        stray = mlflow.active_run()
        if stray is not None:
            mlflow.end_run()
        if mlflow_client.get_run(run_id).info.status == "RUNNING":
            mlflow_client.set_terminated(run_id)
    expect(
        stray is None,
        "votre fonction a laissé un run ouvert : utilisez `with mlflow.start_run(run_id=run_id):`.",
    )
    expected = float(f1_score(split.y_test, model.predict(split.X_test), average="macro"))
    logged = mlflow_client.get_run(run_id).data.metrics
    expect(
        "f1_macro" in logged,
        "la métrique f1_macro est absente du run reçu en argument : loggez-la dans ce run "
        "(`with mlflow.start_run(run_id=run_id):`), pas dans un nouveau.",
    )
    expect(
        math.isclose(logged["f1_macro"], expected, abs_tol=1e-9),
        f"f1_macro vaut {logged['f1_macro']:.4f} au lieu de {expected:.4f} : "
        "f1_score(y_test, predictions, average='macro') sur les données de test.",
    )
    expect(
        isinstance(value, int | float) and math.isclose(float(value), expected, abs_tol=1e-9),
        f"la fonction doit renvoyer la valeur loggée ({expected:.4f}), pas {value!r}.",
    )
    names = [artifact.path for artifact in mlflow_client.list_artifacts(run_id)]
    expect("rapport.txt" in names, f"l'artefact rapport.txt manque ; le run contient {names}.")
    with tempfile.TemporaryDirectory() as folder:
        text = Path(mlflow_client.download_artifacts(run_id, "rapport.txt", folder)).read_text(
            encoding="utf-8"
        )
    expect(
        "precision" in text and "recall" in text,
        "rapport.txt doit contenir le classification_report de scikit-learn.",
    )
    success(f"f1_macro = {expected:.4f} et rapport.txt sont dans le run.")


def exercice_3(porte: Callable[..., bool]) -> None:
    """The learner writes the validation gate: weighted F1 on held-out data > threshold."""
    from mlops_course import training

    require(porte, "Exercice 3")
    split = data.split()
    good = training.train(training.CONFIGS[0], split)
    # A stub fails here, before the second model is trained.
    call(porte, good, split.X_test, split.y_test, 0.95, what="Exercice 3")
    weak = training.train(training.CONFIGS[3], split)
    f1_good = training.evaluate(good, split.X_test, split.y_test)["f1_weighted"]
    cases = [
        (good, 0.95, True, "un modèle à F1 0.9666 doit passer la porte à 0.95."),
        (weak, 0.95, False, "un modèle à F1 0.8997 ne doit pas passer la porte à 0.95."),
        (weak, 0.85, True, "un modèle à F1 0.8997 passe une porte à 0.85."),
        (
            good,
            0.9666,
            False,
            "avec un seuil de 0.9666, le modèle (F1 = 0.96658, accuracy = 0.96667) doit être "
            "refusé : comparez le F1 pondéré, pas l'accuracy.",
        ),
        (
            good,
            f1_good,
            False,
            "un F1 exactement égal au seuil ne passe pas : la règle est « F1 > seuil ».",
        ),
    ]
    for model, threshold, wanted, hint in cases:
        got = call(porte, model, split.X_test, split.y_test, threshold, what="Exercice 3")
        expect(
            isinstance(got, bool) or type(got).__name__ == "bool_",
            f"porte doit renvoyer True ou False, pas {type(got).__name__}.",
        )
        expect(bool(got) == wanted, hint)
    success("Votre porte de validation accepte et refuse les bons modèles.")


def _rollback_scenario() -> tuple[str, str]:
    """Rebuild :data:`ROLLBACK_MODEL`: v1 champion, v2 refused, v3 champion after v1.

    Returns ``(expected_version, current_champion)``. Only registry metadata is written
    (versions, aliases, tags), as the gate and :func:`tracking.promote` would.
    """
    from mlflow.exceptions import MlflowException

    mlflow_client = tracking.client()
    ranked = tracking.compare_runs()
    passing = ranked[ranked[f"metrics.{tracking.METRIC}"] > tracking.THRESHOLD]
    failing = ranked[ranked[f"metrics.{tracking.METRIC}"] <= tracking.THRESHOLD]
    expect(
        len(passing) >= 2 and len(failing) >= 1,
        "il faut les runs du chapitre dans le store : exécutez d'abord la cellule "
        "`tracking.run_grid()` en haut du notebook.",
    )
    try:
        mlflow_client.delete_registered_model(ROLLBACK_MODEL)
    except MlflowException as error:
        if error.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
    mlflow_client.create_registered_model(ROLLBACK_MODEL)
    history = [
        (passing.iloc[0], tracking.PASSED),
        (failing.iloc[0], tracking.REJECTED),
        (passing.iloc[1], tracking.PASSED),
    ]
    versions = []
    for row, status in history:
        source = tracking.run_model_uri(row["run_id"])
        created = mlflow_client.create_model_version(ROLLBACK_MODEL, source, run_id=row["run_id"])
        version = str(created.version)
        mlflow_client.set_model_version_tag(ROLLBACK_MODEL, version, tracking.TAG_STATUS, status)
        versions.append(version)
    first, _, third = versions
    mlflow_client.set_model_version_tag(ROLLBACK_MODEL, third, tracking.TAG_PREVIOUS, first)
    mlflow_client.set_registered_model_alias(ROLLBACK_MODEL, tracking.CHAMPION, third)
    return first, third


def exercice_4(revenir_en_arriere: Callable[[str], str]) -> None:
    """The learner rolls ``champion`` back to the version it replaced."""
    require(revenir_en_arriere, "Exercice 4")
    expected, current = _rollback_scenario()
    got = call(revenir_en_arriere, ROLLBACK_MODEL, what="Exercice 4")
    champion = tracking.aliases(name=ROLLBACK_MODEL).get(tracking.CHAMPION)
    expect(
        champion != current,
        f"l'alias champion pointe toujours sur v{current} : déplacez-le avec "
        "client.set_registered_model_alias(nom, 'champion', version).",
    )
    expect(
        champion == expected,
        f"champion pointe sur v{champion}, mais la version remplacée par v{current} est "
        f"v{expected} (la v2 avait été refusée par la porte). Lisez le tag "
        f"{tracking.TAG_PREVIOUS!r} de la version championne.",
    )
    expect(
        str(got) == expected,
        f"la fonction doit renvoyer la version devenue champion ({expected!r}), pas {got!r}.",
    )
    success(f"champion est revenu sur v{expected}, la version qu'avait remplacée v{current}.")
