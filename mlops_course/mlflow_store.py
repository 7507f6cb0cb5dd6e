"""Where MLflow keeps runs and models (§2.2): one local store, whatever the working directory.

Taught in notebook 02_experiment_tracking_mlflow: :func:`use_store` points MLflow at
``config.tracking_uri()`` (a SQLite file and an artifact folder under
``MLOPS_COURSE_HOME/mlruns``; ``MLFLOW_TRACKING_URI`` overrides it). Shared by tracking,
the registry and the model versioning of chapter 03.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from mlops_course import config
from mlops_course.constants import EXPERIMENT

if TYPE_CHECKING:  # pragma: no cover
    from mlflow import MlflowClient

#: Name of the model inside each run (``name=`` of ``log_model``).
MODEL_ARTIFACT = "model"


def quiet_mlflow_output() -> None:
    """Keep MLflow's informational output off stderr (a red box in a notebook); idempotent.

    - the INFO lines of its ``mlflow`` and ``alembic`` loggers ("Creating initial MLflow
      database tables...", "Updating database tables") are dropped: both loggers are set
      to WARNING, unless ``MLFLOW_LOGGING_LEVEL`` asks for another level;
    - the "Downloading artifacts" progress bars are off (``MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR``
      defaults to false), and so is tqdm's "IProgress not found" warning about them, raised
      in a Jupyter kernel without ipywidgets.

    Warnings from MLflow stay visible. :func:`use_store` calls it.
    """
    import os

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    warnings.filterwarnings("ignore", message="IProgress not found", module="tqdm")
    import mlflow  # noqa: F401  (MLflow sets its loggers up on import: adjust them after)

    if not os.environ.get("MLFLOW_LOGGING_LEVEL"):
        for name in ("mlflow", "alembic"):
            logger = logging.getLogger(name)
            logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))


def use_store() -> str:
    """Point MLflow's tracking and registry at ``config.tracking_uri()`` and return it.

    With the default local store, the folder of the SQLite file is created. The URI is
    absolute, so the store is the same from any working directory. MLflow's informational
    output is silenced first (:func:`quiet_mlflow_output`).
    """
    quiet_mlflow_output()
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


@contextmanager
def quiet_mlflow() -> Iterator[None]:
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
