"""Experiment tracking with MLflow (§2.2–2.4): log one run per configuration, compare them.

Taught in notebook 02_experiment_tracking_mlflow, with today's API:

- :func:`log_run` / :func:`run_grid` log one run per configuration of experiment
  :data:`EXPERIMENT`: params (with ``random_state`` and ``test_size``), metrics, tags, the
  model (signature, input example, skops format, explicit requirements) and a confusion
  matrix;
- :func:`compare_runs` / :func:`best_run` rank the runs (§2.4), with a documented tie-break.

The store is :mod:`mlops_course.mlflow_store` (:func:`use_store`), the registry (§2.5:
:func:`register`, :func:`promote`, :func:`rollback`...) is :mod:`mlops_course.registry`;
both are re-exported here, as notebook 02 uses them. MLflow takes seconds to import, so
it is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlops_course import data
from mlops_course.constants import EXPERIMENT, MODEL_NAME, PROMOTION_METRIC, PROMOTION_MIN_F1
from mlops_course.mlflow_store import (
    MODEL_ARTIFACT,
    artifact_location,
    client,
    ensure_experiment,
    quiet_mlflow,
    run_model_uri,
    use_store,
)
from mlops_course.registry import (
    CHALLENGER,
    CHAMPION,
    PASSED,
    REJECTED,
    TAG_AT,
    TAG_DATA,
    TAG_METRIC,
    TAG_PREVIOUS,
    TAG_ROLLED_BACK,
    TAG_STATUS,
    TAG_THRESHOLD,
    TAG_VALUE,
    GateDecision,
    RegisteredVersion,
    alias_uri,
    aliases,
    get_version,
    load_by_alias,
    promote,
    register,
    rollback,
    validate,
    version_by_alias,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure
    from mlflow.models.model import ModelInfo
    from mlflow.models.signature import ModelSignature

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "COMPARE_COLUMNS",
    "CONFUSION_MATRIX",
    "EXPERIMENT",
    "METRIC",
    "MODEL_ARTIFACT",
    "MODEL_NAME",
    "PASSED",
    "REJECTED",
    "REQUIREMENTS",
    "RUN_TAGS",
    "TAG_AT",
    "TAG_DATA",
    "TAG_METRIC",
    "TAG_PREVIOUS",
    "TAG_ROLLED_BACK",
    "TAG_STATUS",
    "TAG_THRESHOLD",
    "TAG_VALUE",
    "THRESHOLD",
    "TRUSTED_TYPES",
    "GateDecision",
    "LoggedRun",
    "RegisteredVersion",
    "alias_uri",
    "aliases",
    "artifact_location",
    "best_run",
    "client",
    "compare_runs",
    "confusion_figure",
    "ensure_experiment",
    "get_version",
    "load_by_alias",
    "log_run",
    "log_sklearn_model",
    "pip_requirements",
    "promote",
    "register",
    "rollback",
    "run_grid",
    "run_model_uri",
    "untrusted_types",
    "use_store",
    "validate",
    "version_by_alias",
]

#: Metric that ranks runs; the promotion gate of §2.5 checks it too.
METRIC = PROMOTION_METRIC
#: The promotion gate's threshold: §2.5 advises "F1 > 0.95" on held-out data (strictly
#: greater). Higher than the CI gate of §6.3 (``cicd.F1_MINIMAL``, 0.88): see ``constants``.
THRESHOLD = PROMOTION_MIN_F1
#: Tags of every run of the chapter (§2.3).
RUN_TAGS: Mapping[str, str] = {"auteur": "equipe-ml", "type": "classification", "dataset": "iris"}
#: Artifact file of the confusion matrix in each run.
CONFUSION_MATRIX = "confusion_matrix.png"

#: Types that skops refuses by default and that we reviewed and accept when loading the
#: chapter's pipeline. ``Tree`` is scikit-learn's compiled decision tree (the trees of the
#: forest): a data structure rebuilt from arrays, with no code to run. Anything else found
#: in a model makes :func:`log_sklearn_model` refuse it until someone reviews it.
TRUSTED_TYPES: tuple[str, ...] = ("sklearn.tree._tree.Tree",)

#: Packages the pyfunc model needs, pinned to the installed versions (MLflow adds itself).
REQUIREMENTS: tuple[str, ...] = ("scikit-learn", "skops", "numpy", "scipy", "pandas")


# --------------------------------------------------------------------------- model logging


def untrusted_types(model: Any) -> list[str]:
    """Return the types skops would refuse to load from ``model`` without a trusted list."""
    import skops.io

    return sorted(skops.io.get_untrusted_types(data=skops.io.dumps(model)))


def pip_requirements() -> list[str]:
    """Return :data:`REQUIREMENTS` pinned to the installed versions (``name==version``)."""
    from importlib.metadata import version

    return [f"{package}=={version(package)}" for package in REQUIREMENTS]


def log_sklearn_model(
    model: Any,
    *,
    name: str = MODEL_ARTIFACT,
    input_example: pd.DataFrame,
    signature: ModelSignature | None = None,
    trusted_types: Sequence[str] = TRUSTED_TYPES,
) -> ModelInfo:
    """Log a fitted scikit-learn model to the active run (or as a standalone LoggedModel).

    - explicit, pinned :func:`pip_requirements`: MLflow does not import-trace the model to
      infer them (about 8 s instead of 0.2–0.3 s);
    - skops format with a *reviewed* trusted-types list: MLflow reloads the file with
      ``trusted_types`` right after writing it, so a model holding any other type is
      refused (``MlflowException`` naming the type) instead of being trusted blindly;
    - a signature inferred from ``input_example`` and the model's predictions (unless given).

    Logs to the store MLflow currently uses: call :func:`use_store` first (the functions
    of this module do). Returns MLflow's ``ModelInfo`` (``model_uri`` is ``models:/m-<id>``).

    Raises:
        mlflow.exceptions.MlflowException: the model holds a type outside ``trusted_types``
            (list them with :func:`untrusted_types`, review them, then extend the list).
    """
    import mlflow.sklearn
    from mlflow.models import infer_signature

    if signature is None:
        signature = infer_signature(input_example, model.predict(input_example))
    quiet_mlflow()
    return mlflow.sklearn.log_model(
        model,
        name=name,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements(),
        serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_SKOPS,
        skops_trusted_types=list(trusted_types),
    )


def confusion_figure(y_true: Iterable[int], y_pred: Iterable[int]) -> Figure:
    """Return a matplotlib figure of the confusion matrix, labelled with :data:`data.LABELS`.

    Built without pyplot, so no global figure is left open.
    """
    from matplotlib.figure import Figure
    from sklearn.metrics import ConfusionMatrixDisplay

    figure = Figure(figsize=(4.5, 4))
    axes = figure.add_subplot()
    ConfusionMatrixDisplay.from_predictions(
        list(y_true),
        list(y_pred),
        labels=list(range(len(data.LABELS))),
        display_labels=list(data.LABELS),
        ax=axes,
        colorbar=False,
    )
    axes.set_title("Matrice de confusion (test)")
    axes.set_xlabel("Classe prédite")
    axes.set_ylabel("Classe réelle")
    figure.tight_layout()
    return figure


# --------------------------------------------------------------------------- runs


@dataclass(frozen=True)
class LoggedRun:
    """One logged run: its ids, what was logged, and the URI of its model."""

    run_id: str
    run_name: str
    params: dict[str, Any]
    metrics: dict[str, float]
    model_uri: str


def log_run(
    params: Mapping[str, Any],
    split: data.Split | None = None,
    *,
    experiment: str = EXPERIMENT,
    random_state: int = data.RANDOM_STATE,
    test_size: float = data.TEST_SIZE,
    tags: Mapping[str, str] | None = None,
    run_name: str | None = None,
) -> LoggedRun:
    """Train one configuration and log it as a run of ``experiment`` (§2.3).

    Logged: the RandomForest settings plus ``random_state`` and ``test_size`` (without
    them a result cannot be reproduced), the metrics of ``training.evaluate`` on the
    test part, :data:`RUN_TAGS` (and ``tags``), the model (:func:`log_sklearn_model`) and
    the confusion matrix (:data:`CONFUSION_MATRIX`).

    ``split`` defaults to the chapter's split made with ``test_size`` and ``random_state``.
    """
    import mlflow

    from mlops_course import training

    if split is None:
        split = data.split(test_size=test_size, random_state=random_state)
    model = training.train(params, split, random_state=random_state)
    metrics = training.evaluate(model, split.X_test, split.y_test)
    logged_params = {**params, "random_state": random_state, "test_size": test_size}
    experiment_id = ensure_experiment(experiment)
    name = run_name or training.run_name(params)
    with mlflow.start_run(experiment_id=experiment_id, run_name=name) as run:
        mlflow.log_params(logged_params)
        mlflow.log_metrics(metrics)
        mlflow.set_tags({**RUN_TAGS, **(tags or {})})
        info = log_sklearn_model(model, input_example=split.X_train.head(5))
        figure = confusion_figure(split.y_test, model.predict(split.X_test))
        mlflow.log_figure(figure, CONFUSION_MATRIX)
    return LoggedRun(run.info.run_id, name, logged_params, metrics, info.model_uri)


def run_grid(
    configs: Iterable[Mapping[str, Any]] | None = None,
    split: data.Split | None = None,
    *,
    experiment: str = EXPERIMENT,
    random_state: int = data.RANDOM_STATE,
) -> list[LoggedRun]:
    """Log one run per configuration (the chapter's four by default), on one shared split."""
    from mlops_course import training

    configs = list(training.CONFIGS if configs is None else configs)
    if not configs:
        raise ValueError("configs doit contenir au moins une configuration, reçu aucune")
    split = split or data.split(random_state=random_state)
    return [
        log_run(params, split, experiment=experiment, random_state=random_state)
        for params in configs
    ]


# --------------------------------------------------------------------------- comparison

#: Columns of :func:`compare_runs`, as MLflow's ``search_runs`` names them (§2.4).
COMPARE_COLUMNS: tuple[str, ...] = (
    "run_id",
    "tags.mlflow.runName",
    "params.n_estimators",
    "params.max_depth",
    "params.min_samples_split",
    "metrics.accuracy",
    "metrics.f1_weighted",
    "start_time",
)


def compare_runs(experiment: str = EXPERIMENT, *, metric: str = METRIC) -> pd.DataFrame:
    """Return the finished runs of ``experiment`` that have ``metric``, best first (§2.4).

    MLflow orders by ``metrics.<metric> DESC``; ties (three of the chapter's four
    configurations reach the same F1) are then broken, in this order, by **fewer trees**
    (the cheaper model to serve) and by **earlier start** (the first run that reached the
    score; re-running the grid does not change the winner). The index is the rank (1 = best).
    """
    import mlflow
    import pandas as pd

    use_store()
    found = mlflow.get_experiment_by_name(experiment)
    if found is None:
        raise LookupError(
            f"l'expérience {experiment!r} n'existe pas : enregistrez-y d'abord des runs"
        )
    runs = mlflow.search_runs(
        experiment_ids=[found.experiment_id],
        filter_string="attributes.status = 'FINISHED'",
        order_by=[f"metrics.{metric} DESC", "attributes.start_time ASC"],
    )
    column = f"metrics.{metric}"
    if runs.empty or column not in runs:
        return pd.DataFrame(columns=list(COMPARE_COLUMNS)).rename_axis("rang")
    runs = runs[runs[column].notna()].copy()
    for name in COMPARE_COLUMNS:
        if name not in runs:
            runs[name] = None
    trees = pd.to_numeric(runs["params.n_estimators"], errors="coerce")
    runs["_trees"] = trees.fillna(float("inf"))
    runs = runs.sort_values(
        [column, "_trees", "start_time"], ascending=[False, True, True], kind="stable"
    )
    extra = [c for c in runs.columns if c.startswith("metrics.") and c not in COMPARE_COLUMNS]
    ranked = runs[[*COMPARE_COLUMNS, *sorted(extra)]].reset_index(drop=True)
    ranked.index = pd.RangeIndex(1, len(ranked) + 1, name="rang")
    return ranked


def best_run(experiment: str = EXPERIMENT, *, metric: str = METRIC) -> pd.Series:
    """Return the first row of :func:`compare_runs` (the best run, tie-break included)."""
    ranked = compare_runs(experiment, metric=metric)
    if ranked.empty:
        raise LookupError(
            f"l'expérience {experiment!r} n'a aucun run terminé avec la métrique {metric!r}"
        )
    return ranked.iloc[0]
