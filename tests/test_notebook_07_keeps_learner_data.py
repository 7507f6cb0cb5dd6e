"""Notebook 07 must never delete or overwrite a file it did not create in its run.

It once deleted every ``logs/*.jsonl`` of the home "to start from an empty journal": with the
default home (the repository) that is the API's prediction log, written by notebook 04 or
``make serve`` — a learner's data. This test runs the real notebook, with the course's runner,
in a home that already holds that log.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlops_course import data
from mlops_course.config import project_root
from mlops_course.courseware import runner
from mlops_course.monitoring import PredictionLog, make_records

pytestmark = pytest.mark.slow


def _write_the_apis_logs(home: Path) -> None:
    """What the API leaves in ``logs/`` after a few requests and one feedback."""
    flowers = pd.DataFrame(
        {
            "sepal_length": [5.1, 6.2, 7.7],
            "sepal_width": [3.5, 2.9, 3.0],
            "petal_length": [1.4, 4.3, 6.1],
            "petal_width": [0.2, 1.3, 2.3],
        }
    )
    proba = np.array([[0.97, 0.02, 0.01], [0.05, 0.85, 0.10], [0.01, 0.09, 0.90]])
    records = make_records(flowers, proba, labels=data.LABELS, model_version="3")
    PredictionLog(home / "logs" / "predictions.jsonl").append_many(records)
    PredictionLog(home / "logs" / "feedback.jsonl").append(
        {"prediction_id": records[1]["prediction_id"], "true_label": "versicolor"}
    )


def test_notebook_07_leaves_the_learners_logs_byte_for_byte(tmp_path: Path) -> None:
    root = project_root()
    env = runner.isolated_env("guard-07-learner-data", root, fast=True)
    home = Path(env["MLOPS_COURSE_HOME"])
    _write_the_apis_logs(home)
    before = {path: path.read_bytes() for path in home.rglob("*") if path.is_file()}

    notebook = root / "notebooks" / "07_monitoring_drift.ipynb"
    outcome = runner.execute(notebook, tmp_path / notebook.name, env=env)

    assert outcome.ok, outcome.describe()
    for path, content in before.items():
        assert path.is_file(), f"notebook 07 deleted {path.relative_to(home)}"
        assert path.read_bytes() == content, f"notebook 07 changed {path.relative_to(home)}"
    assert sorted(p.name for p in (home / "logs").iterdir()) == [
        "feedback.jsonl",
        "predictions.jsonl",
    ], "notebook 07 wrote into the learner's logs/ folder"
