"""Checks of notebook 04_serving_fastapi: the flowers they send, the course's API they drive.

Exercises 1 to 3 work on the course's API (``mlops_course.api``) serving the notebook's
ONNX model; exercise 2 serves a copy with other labels and another version.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlops_course import config

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.2, "petal_width": 2.3}
VERSICOLOR = {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 4.2, "petal_width": 1.5}
#: The chapter's column order: the order the model expects its features in.
FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")

#: Exercise 2 serves a model that is not the default one: its own labels and version.
SERVED_NAME, SERVED_VERSION = "iris-fleuriste", "3"
SERVED_LABELS = ["sétosa", "versicolore", "virginique"]


def _onnx_model() -> Path:
    """The notebook's ONNX model (``model_dir()/pipeline_v1.onnx``), trained if missing."""
    path = config.model_dir() / "pipeline_v1.onnx"
    if not path.is_file():
        from mlops_course import serialization

        serialization.build_model_files(path.parent, n_estimators=10)
    return path


def _renamed_model(folder: Path) -> Path:
    """A copy of the ONNX model in ``folder``, with other labels and another version.

    Only the manifest changes (the API reads name, version and labels from it); the file's
    hash is recorded again, so the API verifies and serves it like any other model.
    """
    import dataclasses
    import shutil

    from mlops_course import serialization

    source = _onnx_model()
    target = folder / f"{SERVED_NAME}.onnx"
    shutil.copyfile(source, target)
    manifest = serialization.Manifest.load(serialization.manifest_path(source))
    renamed = dataclasses.replace(
        manifest, name=SERVED_NAME, version=SERVED_VERSION, labels=list(SERVED_LABELS), files={}
    )
    renamed.with_file(target.name, serialization.sha256_of(target)).save(
        serialization.manifest_path(target)
    )
    return target


def _api(model: Path | None = None) -> Any:
    from mlops_course.api import Settings, create_app

    source = model or _onnx_model()
    # Closed admin route: a check never reloads, and an open route would (rightly) log a
    # warning meant for `make serve`, noise in a notebook.
    settings = Settings(
        model=str(source), train_if_missing=False, log_predictions=False, admin_fail_closed=True
    )
    return create_app(settings)


#: The loggers of the course's API: at INFO, they would write to the notebook's stderr.
API_LOGGERS = ("mlops_course.api",)


@contextmanager
def quiet_api(level: int = logging.WARNING, loggers: Sequence[str] = API_LOGGERS) -> Iterator[None]:
    """Run the course's API without a trace outside the check.

    No log line under ``level`` lands in the notebook (the API logs at INFO to stderr), and
    the prediction log of the check's requests goes to a temporary folder, not to the
    learner's ``logs/``.
    """
    logs = [logging.getLogger(name) for name in loggers]
    levels = [log.level for log in logs]
    saved = os.environ.get("MLOPS_COURSE_LOG_DIR")
    with tempfile.TemporaryDirectory(prefix="mlops-course-check-") as folder:
        os.environ["MLOPS_COURSE_LOG_DIR"] = folder
        for log in logs:
            log.setLevel(level)
        try:
            yield
        finally:
            for log, before in zip(logs, levels, strict=True):
                log.setLevel(before)
            if saved is None:
                os.environ.pop("MLOPS_COURSE_LOG_DIR", None)
            else:
                os.environ["MLOPS_COURSE_LOG_DIR"] = saved


@contextmanager
def course_client(
    app: Any,
    *,
    wait_s: float = 60,
    level: int = logging.WARNING,
    loggers: Sequence[str] = API_LOGGERS,
) -> Iterator[Any]:
    """A started test client on the course's ``app``, its model loaded within ``wait_s``.

    The API runs quietly (:func:`quiet_api` with ``level`` and ``loggers``).
    """
    from fastapi.testclient import TestClient

    with quiet_api(level, loggers), TestClient(app, raise_server_exceptions=False) as client:
        app.state.model.wait(wait_s)
        yield client
