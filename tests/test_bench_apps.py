"""The apps under bench/ still start and answer: a bench that no longer runs measures nothing."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mlops_course import serialization
from mlops_course.api.schemas import PredictionOutput

BENCH = Path(__file__).resolve().parents[1] / "bench"
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}

pytestmark = pytest.mark.filterwarnings(
    "ignore:Using `httpx` with `starlette.testclient` is deprecated:UserWarning"
)


def load(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        sys.modules.pop(name, None)
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture
def model(tmp_path: Path) -> serialization.ModelFiles:
    return serialization.build_model_files(tmp_path / "model", n_estimators=5)


@pytest.fixture
def layers(model: serialization.ModelFiles, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    monkeypatch.setenv("MLOPS_COURSE_MODEL", str(model.onnx))
    app = load("layers_app").app
    with TestClient(app) as client:
        assert app.state.model.wait(60)
        yield client
    app.state.sinks.close()


def test_each_layer_of_predict_answers_and_only_the_last_one_feeds_the_sinks(layers: Any) -> None:
    module = sys.modules["layers_app"]
    seen: list[dict[str, Any]] = []
    layers.app.state.prediction_sinks.append(seen.extend)
    answers = {name: layers.post(f"/layers/{name}", json=SETOSA) for name in module.LAYERS}
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(module.LAYERS, 200)
    for name in ("record", "sinks"):
        answer = PredictionOutput.model_validate(answers[name].json())
        assert answer.label == "setosa" and answer.model_version == "1"
    layers.app.state.sinks.flush()
    assert [r["prediction_id"] for r in seen] == [answers["sinks"].json()["prediction_id"]]
    bad = layers.post("/layers/body", json={**SETOSA, "petal_width": "x"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "petal_width"
    assert not any(
        path.startswith("/layers") for path in layers.get("/openapi.json").json()["paths"]
    )


# The chapter's code passes a bare array to a pipeline fitted on a DataFrame: scikit-learn
# warns, and with warnings as errors its `except Exception` would answer 500.
@pytest.mark.filterwarnings("ignore:X does not have valid feature names:UserWarning")
def test_the_naive_app_of_the_chapter_still_serves(
    model: serialization.ModelFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    monkeypatch.setenv("NAIVE_MODEL_PATH", str(model.joblib))
    with TestClient(load("naive_app").app) as client:
        one = client.post("/predict", json=SETOSA)
        batch = client.post("/predict/batch", json={"instances": [SETOSA, SETOSA]})
    assert one.status_code == 200 and one.json()["label"] == "setosa"
    assert batch.status_code == 200 and len(batch.json()) == 2
