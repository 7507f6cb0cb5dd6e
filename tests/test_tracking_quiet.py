"""tracking.quiet_mlflow: MLflow's informational output is silenced, its warnings are not."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent(
    """
    import logging, os, sys
    from mlops_course import tracking

    tracking.quiet_mlflow()
    tracking.quiet_mlflow()  # idempotent: one filter, not two

    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{sys.argv[1]}")
    mlflow.set_experiment("bruit")  # creates the tables, then a new experiment (INFO lines)
    environment = logging.getLogger("mlflow.utils.environment")
    environment.warning("Failed to resolve installed pip version. pip is added without version")
    environment.warning("une vraie alerte de MLflow")
    print("progress bar:", os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"])
    print("filters:", len(environment.filters))
    """
)


def test_quiet_mlflow_drops_info_lines_and_keeps_real_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "mlflow.db")],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={**_env_without("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "MLFLOW_LOGGING_LEVEL")},
    )

    assert "Creating initial MLflow database tables" not in result.stderr
    assert "does not exist. Creating a new experiment" not in result.stderr
    assert "Failed to resolve installed pip version" not in result.stderr
    assert "une vraie alerte de MLflow" in result.stderr
    assert "progress bar: false" in result.stdout
    assert "filters: 1" in result.stdout


def _env_without(*names: str) -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if key not in names}
