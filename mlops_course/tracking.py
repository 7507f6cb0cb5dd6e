"""Chapter 02: experiment tracking and model registry with MLflow (§2.2–2.5).

The whole loop, with today's API and a local store that does not depend on the working
directory:

- :func:`use_store` points MLflow at ``config.tracking_uri()`` (a SQLite file and an
  artifact folder under ``MLOPS_COURSE_HOME/mlruns`` by default; ``MLFLOW_TRACKING_URI``
  overrides it);
- :func:`log_run` / :func:`run_grid` log one run per configuration of experiment
  :data:`EXPERIMENT`: params (with ``random_state`` and ``test_size``), metrics, tags, the
  model (signature, input example, skops format, explicit requirements) and a confusion
  matrix;
- :func:`compare_runs` / :func:`best_run` rank the runs (§2.4), with a documented tie-break;
- :func:`register`, :func:`validate`, :func:`promote`, :func:`rollback`,
  :func:`load_by_alias` run the registry with aliases (``challenger``, ``champion``) and a
  validation gate whose decision is kept in model-version tags (§2.5). Registry *stages*
  are deprecated since MLflow 2.9 and are never used here.

MLflow takes seconds to import, so it is imported inside the functions: importing this
module stays cheap.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from mlops_course import config, data

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from mlflow import MlflowClient
    from mlflow.models.model import ModelInfo
    from mlflow.models.signature import ModelSignature
    from sklearn.pipeline import Pipeline

#: The chapter's experiment (§2.3).
EXPERIMENT = "classification-iris"
#: The chapter's registered model (§2.5).
MODEL_NAME = "iris-classifier"
#: Alias of a registered candidate waiting for (or refused by) the validation gate.
CHALLENGER = "challenger"
#: Alias of the version that serves production (the API loads ``models:/iris-classifier@champion``).
CHAMPION = "champion"
#: Metric that ranks runs and that the gate checks.
METRIC = "f1_weighted"
#: The gate's threshold: §2.5 advises "F1 > 0.95" on held-out data (strictly greater).
THRESHOLD = 0.95
#: Tags of every run of the chapter (§2.3).
RUN_TAGS: Mapping[str, str] = {"auteur": "equipe-ml", "type": "classification", "dataset": "iris"}
#: Name of the model inside each run (``name=`` of ``log_model``).
MODEL_ARTIFACT = "model"
#: Artifact file of the confusion matrix in each run.
CONFUSION_MATRIX = "confusion_matrix.png"

#: Types that skops refuses by default and that we reviewed and accept when loading the
#: chapter's pipeline. ``Tree`` is scikit-learn's compiled decision tree (the trees of the
#: forest): a data structure rebuilt from arrays, with no code to run. Anything else found
#: in a model makes :func:`log_sklearn_model` refuse it until someone reviews it.
TRUSTED_TYPES: tuple[str, ...] = ("sklearn.tree._tree.Tree",)

#: Packages the pyfunc model needs, pinned to the installed versions (MLflow adds itself).
REQUIREMENTS: tuple[str, ...] = ("scikit-learn", "skops", "numpy", "scipy", "pandas")

# Version tags written by the gate and the rollback.
TAG_STATUS = "validation_status"  # "passed" or "rejected"
TAG_METRIC = "validation_metric"
TAG_VALUE = "validation_value"
TAG_THRESHOLD = "validation_threshold"
TAG_DATA = "validation_data"
TAG_AT = "validated_at"
TAG_PREVIOUS = "previous_champion"  # the champion this version replaced
TAG_ROLLED_BACK = "rolled_back_to"  # set on a champion that was rolled back
PASSED, REJECTED = "passed", "rejected"


# --------------------------------------------------------------------------- store


#: MLflow log lines not worth a red box in a notebook, by logger (see :func:`quiet_mlflow`).
_QUIET_MESSAGES: Mapping[str, str] = {
    # Only concerns the conda.yaml MLflow writes beside a model: a uv environment has no pip.
    "mlflow.utils.environment": "Failed to resolve installed pip version",
}


class _DropMessage(logging.Filter):
    """Drop the log records of one logger whose message starts with ``prefix``."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.prefix)


def quiet_mlflow() -> None:
    """Keep MLflow's informational output out of notebooks; its warnings still show.

    Idempotent, and cheap after the first call. What it silences, and how:

    - MLflow's INFO log lines ("Creating initial MLflow database tables...", "Updating
      database tables", "Experiment ... does not exist. Creating a new experiment"): the
      ``mlflow`` and ``alembic`` loggers are set to WARNING, unless ``MLFLOW_LOGGING_LEVEL``
      says otherwise;
    - the "Downloading artifacts" progress bars: ``MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR``
      defaults to false (an explicit setting is kept);
    - tqdm's "IProgress not found" warning, raised when importing MLflow in a Jupyter kernel
      without ipywidgets (it is about the progress bars switched off above);
    - three messages about MLflow's own code, each matched by its text and the MLflow
      module emitting it: the UserWarning importing ``mlflow.pyfunc`` raises about an
      ``Any`` type hint of its schemas, the pandas 3 deprecation (``Pandas4Warning``)
      inside its input-example writer, and the "Failed to resolve installed pip version"
      log line (:data:`_QUIET_MESSAGES`).

    Call it before ``import mlflow`` to silence the tqdm warning too; :func:`use_store`
    calls it.
    """
    import os

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    warnings.filterwarnings("ignore", message="IProgress not found", module="tqdm")
    warnings.filterwarnings(
        "ignore", message=".*Any type hint is inferred", module="mlflow.types.type_hints"
    )
    warnings.filterwarnings(
        "ignore", message="Operation with range is deprecated", module="mlflow.models.utils"
    )
    import mlflow  # noqa: F401  (MLflow configures its loggers on import: adjust them after)

    if not os.environ.get("MLFLOW_LOGGING_LEVEL"):
        for name in ("mlflow", "alembic"):
            logger = logging.getLogger(name)
            logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    for name, prefix in _QUIET_MESSAGES.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropMessage) and f.prefix == prefix for f in logger.filters):
            logger.addFilter(_DropMessage(prefix))


def use_store() -> str:
    """Point MLflow's tracking and registry at ``config.tracking_uri()`` and return it.

    With the default local store, the folder of the SQLite file is created. The URI is
    absolute, so the store is the same from any working directory. MLflow's informational
    output is silenced first (:func:`quiet_mlflow`).
    """
    quiet_mlflow()
    import mlflow

    uri = config.tracking_uri()
    database = _sqlite_path(uri)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def _sqlite_path(uri: str) -> Path | None:
    """Return the database file of a ``sqlite:///`` URI (None for other stores)."""
    if not uri.startswith("sqlite:///"):
        return None
    path = unquote(uri.removeprefix("sqlite:///"))
    if path in {"", ":memory:"}:
        return None
    return Path(path).resolve()  # a relative path is relative to the working directory


def artifact_location(experiment: str, uri: str | None = None) -> str | None:
    """Return where a new experiment of a local store keeps its artifacts, as a file URI.

    For the default store this is ``config.artifact_root()/<experiment>``; for another
    SQLite file, the ``artifacts`` folder beside it. A tracking server decides by itself
    (None), and MLflow's own default (``./mlruns`` in the working directory) is never used.
    """
    uri = uri or config.tracking_uri()
    database = _sqlite_path(uri)
    if database is None:
        return None
    default = (config.mlflow_dir() / "mlflow.db").resolve()
    root = config.artifact_root() if database == default else database.parent / "artifacts"
    return (root / _slug(experiment)).as_uri()


def _slug(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip("-.")
    if not cleaned:
        raise ValueError(f"experiment name must contain a letter or digit, got {name!r}")
    return cleaned


def client() -> MlflowClient:
    """Return an ``MlflowClient`` on the store of :func:`use_store`."""
    from mlflow import MlflowClient

    uri = use_store()
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def ensure_experiment(name: str = EXPERIMENT) -> str:
    """Return the id of experiment ``name``, creating it (or restoring it) if needed.

    A new experiment of a local store gets its artifact folder from
    :func:`artifact_location`, so nothing is written relative to the working directory.
    """
    mlflow_client = client()
    experiment = mlflow_client.get_experiment_by_name(name)
    if experiment is None:
        return mlflow_client.create_experiment(name, artifact_location=artifact_location(name))
    if experiment.lifecycle_stage == "deleted":
        mlflow_client.restore_experiment(experiment.experiment_id)
    return experiment.experiment_id


# --------------------------------------------------------------------------- model logging


def untrusted_types(model: Any) -> list[str]:
    """Return the types skops would refuse to load from ``model`` without a trusted list."""
    import skops.io

    return sorted(skops.io.get_untrusted_types(data=skops.io.dumps(model)))


def pip_requirements() -> list[str]:
    """Return :data:`REQUIREMENTS` pinned to the installed versions (``name==version``)."""
    from importlib.metadata import version

    return [f"{package}=={version(package)}" for package in REQUIREMENTS]


@contextmanager
def _quiet_mlflow() -> Iterator[None]:
    """Hide three messages MLflow 3.17 emits when it logs or loads a model, all harmless here.

    Each is matched by its text *and* the MLflow module that emits it, for the duration
    of the call only:

    - pandas 3 warns (``Pandas4Warning``) inside MLflow's input-example writer
      (``mlflow/models/utils.py``: ``df.columns == range(...)``);
    - importing ``mlflow.pyfunc`` warns (``UserWarning``) about an ``Any`` type hint of
      MLflow's own agent schemas (``mlflow/types/type_hints.py``);
    - ``mlflow.utils.environment`` logs "Failed to resolve installed pip version" because
      a uv environment has no pip: it concerns only the conda.yaml MLflow writes for conda
      users (that logger is raised to ERROR).
    """
    import logging

    logger = logging.getLogger("mlflow.utils.environment")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="Operation with range is deprecated", module="mlflow.models.utils"
            )
            warnings.filterwarnings(
                "ignore", message=".*Any type hint is inferred", module="mlflow.types.type_hints"
            )
            yield
    finally:
        logger.setLevel(level)


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
    with _quiet_mlflow():
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
        raise ValueError("configs must hold at least one configuration, got none")
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
        raise LookupError(f"experiment {experiment!r} does not exist: log runs into it first")
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
        raise LookupError(f"experiment {experiment!r} has no finished run with metric {metric!r}")
    return ranked.iloc[0]


def run_model_uri(run_id: str, *, name: str = MODEL_ARTIFACT) -> str:
    """Return the ``models:/m-<id>`` URI of the model named ``name`` logged by run ``run_id``.

    In MLflow 3 a model is a LoggedModel linked to its run; the run's artifacts no longer
    list it. A run with a single model needs no name; with several (a run of chapter 03
    logs a scikit-learn and an ONNX model), the one called ``name`` is returned.
    """
    mlflow_client = client()
    outputs = mlflow_client.get_run(run_id).outputs
    model_ids = [m.model_id for m in outputs.model_outputs] if outputs is not None else []
    if not model_ids:
        raise LookupError(f"run {run_id!r} logged no model")
    if len(model_ids) == 1:
        return f"models:/{model_ids[0]}"
    names = {model_id: mlflow_client.get_logged_model(model_id).name for model_id in model_ids}
    matching = [model_id for model_id, found in names.items() if found == name]
    if not matching:
        raise LookupError(
            f"run {run_id!r} logged several models {sorted(names.values())}, none named {name!r}"
        )
    return f"models:/{matching[-1]}"


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class RegisteredVersion:
    """One version of a registered model, as the notebooks and the capstone need it."""

    name: str
    version: str
    run_id: str
    run_name: str
    source: str
    aliases: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        """The registry URI of this exact version (``models:/iris-classifier/3``)."""
        return f"models:/{self.name}/{self.version}"


def _version(mlflow_client: MlflowClient, model_version: Any) -> RegisteredVersion:
    run_name = ""
    if model_version.run_id:
        run_name = mlflow_client.get_run(model_version.run_id).info.run_name or ""
    return RegisteredVersion(
        name=model_version.name,
        version=str(model_version.version),
        run_id=model_version.run_id or "",
        run_name=run_name,
        source=model_version.source,
        aliases=tuple(model_version.aliases or ()),
        tags=dict(model_version.tags or {}),
    )


def get_version(version: str | int, *, name: str = MODEL_NAME) -> RegisteredVersion:
    """Return version ``version`` of registered model ``name``."""
    mlflow_client = client()
    return _version(mlflow_client, mlflow_client.get_model_version(name, str(version)))


def version_by_alias(alias: str = CHAMPION, *, name: str = MODEL_NAME) -> RegisteredVersion | None:
    """Return the version ``alias`` points at, or None if the alias (or model) is not set."""
    return _version_by_alias(client(), alias, name)


def _version_by_alias(
    mlflow_client: MlflowClient, alias: str, name: str
) -> RegisteredVersion | None:
    version = aliases(name=name).get(alias)
    if version is None:
        return None
    return _version(mlflow_client, mlflow_client.get_model_version(name, version))


def aliases(*, name: str = MODEL_NAME) -> dict[str, str]:
    """Return the aliases of registered model ``name`` (alias → version); empty if none."""
    from mlflow.exceptions import MlflowException

    try:
        registered = client().get_registered_model(name)
    except MlflowException as error:
        if error.error_code == "RESOURCE_DOES_NOT_EXIST":
            return {}
        raise
    return {alias: str(version) for alias, version in sorted(registered.aliases.items())}


def register(
    run_id: str, *, name: str = MODEL_NAME, alias: str | None = CHALLENGER
) -> RegisteredVersion:
    """Register the model of run ``run_id`` as a version of ``name`` and point ``alias`` at it.

    Idempotent: if that run's model is already a version of ``name``, that version is
    reused instead of creating a duplicate. ``alias`` (``challenger`` by default) marks the
    candidate that the gate must now check; pass None to set no alias.
    """
    mlflow_client = client()
    source = run_model_uri(run_id)
    existing = [
        v
        for v in mlflow_client.search_model_versions(f"name = '{name}' and run_id = '{run_id}'")
        if v.source == source
    ]
    if existing:
        version = str(min(int(v.version) for v in existing))
    else:
        # The client, not mlflow.register_model: same result, without its stderr messages.
        if not mlflow_client.search_registered_models(filter_string=f"name = '{name}'"):
            mlflow_client.create_registered_model(name)
        version = str(mlflow_client.create_model_version(name, source, run_id=run_id).version)
    if alias is not None:
        mlflow_client.set_registered_model_alias(name, alias, version)
    return get_version(version, name=name)


@dataclass(frozen=True)
class GateDecision:
    """What the validation gate decided for one version, and where ``champion`` stands."""

    name: str
    version: str
    metric: str
    value: float
    threshold: float
    passed: bool
    champion_before: str | None = None
    champion_after: str | None = None

    @property
    def promoted(self) -> bool:
        """True when this decision moved ``champion`` to :attr:`version`."""
        return self.champion_after == self.version and self.champion_before != self.version

    def summary(self) -> str:
        """Return a short French sentence describing the decision."""
        comparison = ">" if self.passed else "≤"
        verdict = "validée" if self.passed else "refusée"
        head = (
            f"{self.name} v{self.version} : {self.metric} = {self.value:.4f} {comparison} "
            f"{self.threshold} → {verdict}"
        )
        if self.promoted:
            before = f"v{self.champion_before}" if self.champion_before else "aucun"
            return f"{head} ; champion : {before} → v{self.version}."
        champion = f"v{self.champion_after}" if self.champion_after else "aucun"
        return f"{head} ; champion inchangé ({champion})."


def _check_threshold(threshold: float) -> float:
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    return float(threshold)


def validate(
    version: str | int,
    *,
    name: str = MODEL_NAME,
    split: data.Split | None = None,
    metric: str = METRIC,
    threshold: float = THRESHOLD,
) -> GateDecision:
    """Run the validation gate on one version and record the decision in its tags.

    The version's model is loaded from the registry and scored on held-out data (the test
    part of ``split``, the chapter's split by default); it passes when ``metric`` is
    strictly greater than ``threshold``. Aliases are not moved: see :func:`promote`.
    """
    import mlflow.sklearn

    from mlops_course import training

    threshold = _check_threshold(threshold)
    if metric not in training.METRICS:
        raise ValueError(f"metric must be one of {list(training.METRICS)}, got {metric!r}")
    split = split or data.split()
    mlflow_client = client()
    version = str(version)
    with _quiet_mlflow():
        model = mlflow.sklearn.load_model(f"models:/{name}/{version}")
    value = training.evaluate(model, split.X_test, split.y_test)[metric]
    passed = value > threshold
    recorded = {
        TAG_STATUS: PASSED if passed else REJECTED,
        TAG_METRIC: metric,
        TAG_VALUE: f"{value:.6f}",
        TAG_THRESHOLD: str(threshold),
        TAG_DATA: f"test split ({len(split.X_test)} rows)",
        TAG_AT: datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for key, text in recorded.items():
        mlflow_client.set_model_version_tag(name, version, key, text)
    champion = aliases(name=name).get(CHAMPION)
    return GateDecision(name, version, metric, value, threshold, passed, champion, champion)


def promote(
    version: str | int | None = None,
    *,
    name: str = MODEL_NAME,
    split: data.Split | None = None,
    metric: str = METRIC,
    threshold: float = THRESHOLD,
) -> GateDecision:
    """Validate a version (the ``challenger`` by default) and make it ``champion`` if it passes.

    On success the version replaced is kept in the tag ``previous_champion`` (what
    :func:`rollback` returns to) and the ``challenger`` alias is removed. On refusal
    nothing moves: ``champion`` keeps serving, and ``challenger`` stays on the refused
    version for inspection; the decision is in the version's tags either way.
    """
    mlflow_client = client()
    if version is None:
        challenger = aliases(name=name).get(CHALLENGER)
        if challenger is None:
            raise LookupError(f"model {name!r} has no {CHALLENGER!r} alias: register a candidate")
        version = challenger
    decision = validate(version, name=name, split=split, metric=metric, threshold=threshold)
    if not decision.passed:
        return decision
    before = decision.champion_before
    if before != decision.version:
        if before is not None:
            mlflow_client.set_model_version_tag(name, decision.version, TAG_PREVIOUS, before)
        mlflow_client.set_registered_model_alias(name, CHAMPION, decision.version)
    if aliases(name=name).get(CHALLENGER) == decision.version:
        mlflow_client.delete_registered_model_alias(name, CHALLENGER)
    return GateDecision(
        name,
        decision.version,
        metric,
        decision.value,
        decision.threshold,
        True,
        before,
        decision.version,
    )


def rollback(to_version: str | int | None = None, *, name: str = MODEL_NAME) -> RegisteredVersion:
    """Point ``champion`` back at an earlier version and return it.

    By default, the version the current champion replaced (its ``previous_champion``
    tag). The target must have passed the gate. The abandoned version is tagged
    ``rolled_back_to``; the target's own history is left as it was, so a second rollback
    goes further back instead of bouncing forward.

    Raises:
        LookupError: there is no champion, or no previous champion is recorded.
        ValueError: the target did not pass the validation gate.
    """
    mlflow_client = client()
    current = _version_by_alias(mlflow_client, CHAMPION, name)
    if current is None:
        raise LookupError(f"model {name!r} has no {CHAMPION!r}: there is nothing to roll back")
    if to_version is None:
        previous = current.tags.get(TAG_PREVIOUS)
        if previous is None:
            raise LookupError(
                f"champion v{current.version} of {name!r} records no {TAG_PREVIOUS!r}; "
                "pass to_version explicitly"
            )
        to_version = previous
    target = get_version(to_version, name=name)
    if target.tags.get(TAG_STATUS) != PASSED:
        raise ValueError(
            f"to_version must be a version that passed the gate; v{target.version} has "
            f"{TAG_STATUS}={target.tags.get(TAG_STATUS)!r}"
        )
    if target.version != current.version:
        mlflow_client.set_model_version_tag(name, current.version, TAG_ROLLED_BACK, target.version)
        mlflow_client.set_registered_model_alias(name, CHAMPION, target.version)
    return get_version(target.version, name=name)


def alias_uri(alias: str = CHAMPION, *, name: str = MODEL_NAME) -> str:
    """Return the URI that follows an alias (``models:/iris-classifier@champion``)."""
    return f"models:/{name}@{alias}"


def load_by_alias(alias: str = CHAMPION, *, name: str = MODEL_NAME) -> Pipeline:
    """Load the scikit-learn model an alias points at, from the registry.

    The skops file is loaded with the trusted types stored beside it (see
    :data:`TRUSTED_TYPES`).
    """
    import mlflow.sklearn

    use_store()
    with _quiet_mlflow():
        return mlflow.sklearn.load_model(alias_uri(alias, name=name))
