"""Shared fixtures: every test runs with its own generated-state folder and MLflow store."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point MLOPS_COURSE_HOME (models, logs, MLflow store) at a fresh temporary folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MLOPS_COURSE_HOME", str(home))
    for name in ("MLOPS_COURSE_MODEL_DIR", "MLOPS_COURSE_LOG_DIR", "MLFLOW_TRACKING_URI"):
        monkeypatch.delenv(name, raising=False)
    return home
