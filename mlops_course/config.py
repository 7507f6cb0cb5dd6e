"""Paths and switches shared by the package, read from the environment at call time.

Nothing here is computed at import: every function reads the environment when called,
so tests and the notebook harness can redirect all generated state (models, MLflow
store, logs) with environment variables.

| variable | default | what it sets |
| --- | --- | --- |
| ``MLOPS_COURSE_HOME`` | the repository root | where generated state lives |
| ``MLOPS_COURSE_MODEL_DIR`` | ``$MLOPS_COURSE_HOME/model`` | serialized models |
| ``MLOPS_COURSE_LOG_DIR`` | ``$MLOPS_COURSE_HOME/logs`` | prediction logs |
| ``MLFLOW_TRACKING_URI`` | ``sqlite:///$MLOPS_COURSE_HOME/mlruns/mlflow.db`` | MLflow store |
| ``MLOPS_COURSE_FAST`` | off | fast mode for CI (fewer rows, fewer trees) |
"""

from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{name} doit valoir 1/0, true/false, yes/no ou on/off ; reçu {raw!r}")


def project_root() -> Path:
    """Return the repository root (where ``pyproject.toml`` is), or the working directory.

    The package is installed in editable mode by ``uv sync``, so its parent folder is the
    checkout. Installed elsewhere (a Docker image), the working directory is used.
    """
    candidate = Path(__file__).resolve().parent.parent
    if (candidate / "pyproject.toml").is_file():
        return candidate
    return Path.cwd().resolve()


def home_dir() -> Path:
    """Return the folder for generated state (``MLOPS_COURSE_HOME``, default: repo root)."""
    raw = os.environ.get("MLOPS_COURSE_HOME")
    return Path(raw).expanduser().resolve() if raw else project_root()


def model_dir() -> Path:
    """Return the folder for serialized models (``MLOPS_COURSE_MODEL_DIR``)."""
    raw = os.environ.get("MLOPS_COURSE_MODEL_DIR")
    return Path(raw).expanduser().resolve() if raw else home_dir() / "model"


def log_dir() -> Path:
    """Return the folder for prediction logs (``MLOPS_COURSE_LOG_DIR``)."""
    raw = os.environ.get("MLOPS_COURSE_LOG_DIR")
    return Path(raw).expanduser().resolve() if raw else home_dir() / "logs"


def mlflow_dir() -> Path:
    """Return the folder of the default local MLflow store (SQLite file and artifacts)."""
    return home_dir() / "mlruns"


def tracking_uri() -> str:
    """Return ``MLFLOW_TRACKING_URI`` or the default local SQLite store (absolute path)."""
    raw = os.environ.get("MLFLOW_TRACKING_URI")
    if raw:
        return raw
    return f"sqlite:///{mlflow_dir() / 'mlflow.db'}"


def artifact_root() -> Path:
    """Return the artifact folder used with the default local store."""
    return mlflow_dir() / "artifacts"


def fast_mode() -> bool:
    """Return True when ``MLOPS_COURSE_FAST`` asks for the fast (CI) mode."""
    return _flag("MLOPS_COURSE_FAST")
