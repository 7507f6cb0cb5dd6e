"""The loop is closed: after a promotion and a reload, the monitor compares production with
the new champion's training data, and the drift alert can trigger the retraining (level 3)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from mlops_course import capstone, data, registry, tracking
from mlops_course.constants import LABELS
from mlops_course.drift import DriftDetector
from mlops_course.monitoring import DATA_DRIFT, ModelMonitor, make_records
from mlops_course.monitoring.references import (
    TRAINING_DATA_ARTIFACT,
    references_for,
    training_data_of_run,
)

SMALL = {"n_estimators": 10, "max_depth": 3, "min_samples_split": 2}

pytestmark = [
    # SQLAlchemy 2.1 deprecates a loader strategy MLflow 3.17's store uses (third-party).
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
]


def _records(frame: pd.DataFrame, version: str = "1") -> list[Any]:
    """Confident prediction records, classes in turn, whose inputs are the rows of ``frame``."""
    proba = np.full((len(frame), 3), 0.05)
    proba[np.arange(len(frame)), np.arange(len(frame)) % 3] = 0.9
    return make_records(frame, proba, labels=LABELS, model_version=version)


def test_new_references_make_a_firing_drift_alert_resolve() -> None:
    drifted, _ = capstone.production_stream(1000, drift_from=0, seed=2)
    monitor = ModelMonitor(reference=DriftDetector().fit(data.split().X_train), log_events=False)
    monitor.record_many(_records(drifted.iloc[:300]))
    assert monitor.states()[DATA_DRIFT] == "firing"
    monitor.record_many(_records(drifted.iloc[300:600]))
    assert monitor.states()[DATA_DRIFT] == "firing"  # the data alone changes nothing

    monitor.record_many(_records(drifted.iloc[600:650], version="2"))  # half a window
    closed = monitor.use_references(
        reference=lambda: DriftDetector().fit(drifted.iloc[:300]), class_reference=None
    )
    assert closed is not None and closed.n == 50  # judged against the previous reference
    assert closed.verdicts[DATA_DRIFT] is True
    monitor.record_many(_records(drifted.iloc[650:950], version="2"))
    assert monitor.states()[DATA_DRIFT] == "ok"
    assert [e["etat"] for e in monitor.alerts() if e["type"] == DATA_DRIFT] == [
        "firing",
        "resolved",
    ]


@pytest.fixture
def two_models() -> dict[str, Any]:
    """v1 trained on the chapter's split (champion), v2 retrained on drifted data."""
    tracking.use_store()
    first = tracking.log_run(SMALL, experiment="follows-champion")
    stream, labels = capstone.production_stream(500, drift_from=0, seed=5)
    recent = data.split(stream, pd.Series(labels, name=data.TARGET))
    second_run = capstone.retrain(recent, [SMALL], experiment="follows-champion-retrain")
    v1 = registry.register(first.run_id, alias=None)
    v2 = registry.register(second_run, alias=None)
    registry.client().set_registered_model_alias(registry.MODEL_NAME, registry.CHAMPION, "1")
    return {"v1": v1, "v2": v2, "recent": recent, "first_run": first.run_id, "second": second_run}


@pytest.mark.slow
def test_a_run_says_which_data_trained_its_model(two_models: dict[str, Any]) -> None:
    X, y = training_data_of_run(two_models["second"])
    recent = two_models["recent"]
    assert X.round(6).equals(recent.X_train.reset_index(drop=True).round(6))
    assert list(y) == [int(v) for v in recent.y_train]
    # a run of the chapter's split logged no data: its parameters describe the split
    X, y = training_data_of_run(two_models["first_run"])
    assert X.equals(data.split().X_train)
    artifacts = registry.client().list_artifacts(two_models["first_run"], "reference")
    assert TRAINING_DATA_ARTIFACT not in [a.path for a in artifacts]


@pytest.mark.slow
def test_a_run_with_unknown_data_falls_back_to_the_chapter_reference(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import mlflow

    tracking.use_store()
    with mlflow.start_run(experiment_id=tracking.ensure_experiment("other")) as run:
        mlflow.set_tag("dataset", "wine")
    with pytest.raises(LookupError, match=r"training_data\.csv"):
        training_data_of_run(run.info.run_id)
    drift, classes = references_for(run.info.run_id)
    assert classes() == pytest.approx({"setosa": 1 / 3, "versicolor": 1 / 3, "virginica": 1 / 3})
    assert drift().compare(data.split().X_test).drift_detected is False
    assert "les données d'entraînement du chapitre servent de référence" in caplog.text


@pytest.fixture
def api(two_models: dict[str, Any]) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from mlops_course.api import Settings, create_app

    settings = Settings(
        model="models:/iris-classifier@champion", backend="sklearn", log_predictions=False
    )
    app = create_app(settings)
    with TestClient(app) as client:
        assert app.state.model.wait(120)
        yield client


def _send(client: Any, frame: pd.DataFrame) -> None:
    for start in range(0, len(frame), 100):
        rows = frame.iloc[start : start + 100].to_dict(orient="records")
        assert client.post("/predict/batch", json={"instances": rows}).status_code == 200


@pytest.mark.slow
def test_after_a_promotion_and_reload_the_monitor_no_longer_alarms_on_the_new_models_data(
    two_models: dict[str, Any], api: Any
) -> None:
    like_v2, _ = capstone.production_stream(900, drift_from=0, seed=7)
    _send(api, like_v2.iloc[:300])
    assert api.get("/monitoring/alertes").json()["etats"][DATA_DRIFT] == "firing"

    registry.client().set_registered_model_alias(registry.MODEL_NAME, registry.CHAMPION, "2")
    assert capstone.deploy(api, "2")["version"] == "2"
    _send(api, like_v2.iloc[300:600])
    answer = api.get("/monitoring/alertes").json()
    assert answer["etats"][DATA_DRIFT] == "ok"
    assert [e["etat"] for e in answer["alertes"] if e["type"] == DATA_DRIFT][-1] == "resolved"

    # rolling back makes v1's training data the reference again: the same data alarms
    registry.client().set_registered_model_alias(registry.MODEL_NAME, registry.CHAMPION, "1")
    capstone.deploy(api, "1")
    _send(api, like_v2.iloc[600:900])
    assert api.get("/monitoring/alertes").json()["etats"][DATA_DRIFT] == "firing"


@pytest.mark.slow
def test_the_drift_alert_triggers_the_retraining_sequence_once(
    two_models: dict[str, Any], api: Any
) -> None:
    calls: list[str] = []

    def sequence() -> str:
        calls.append("retrain")
        return "2"

    assert capstone.retrain_on_drift(api, sequence) is None  # nothing fires yet
    like_v2, _ = capstone.production_stream(300, drift_from=0, seed=8)
    _send(api, like_v2)
    assert capstone.retrain_on_drift(api, sequence) == "2"
    assert calls == ["retrain"]


def _scripted(answers: dict[str, list[httpx.Response]]) -> httpx.Client:
    """An httpx client whose answers to ``METHOD /path`` are played in order (the last repeats)."""

    def handler(request: httpx.Request) -> httpx.Response:
        queue = answers[f"{request.method} {request.url.path}"]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return httpx.Client(transport=httpx.MockTransport(handler), base_url="http://api")


def _alerts(states: dict[str, str], events: list[dict[str, Any]]) -> httpx.Response:
    return httpx.Response(200, json={"alertes": events, "etats": states})


@pytest.mark.parametrize(
    ("answer", "triggered"),
    [
        (_alerts({DATA_DRIFT: "firing"}, [{"type": DATA_DRIFT, "etat": "firing"}]), True),
        (  # fired, then resolved: the history alone must not trigger a retraining
            _alerts(
                {DATA_DRIFT: "ok"},
                [{"type": DATA_DRIFT, "etat": "firing"}, {"type": DATA_DRIFT, "etat": "resolved"}],
            ),
            False,
        ),
        (_alerts({DATA_DRIFT: "pending", "CONFIANCE_BASSE": "firing"}, []), False),
    ],
)
def test_only_a_drift_alert_firing_now_triggers_a_retraining(
    answer: httpx.Response, triggered: bool
) -> None:
    with _scripted({"GET /monitoring/alertes": [answer]}) as http:
        assert (capstone.retrain_on_drift(http, lambda: "v") == "v") is triggered


def test_deploy_waits_for_ready_and_refuses_another_version() -> None:
    model = {"GET /model": [httpx.Response(200, json={"version": "3"})]}
    ready = [httpx.Response(503), httpx.Response(503), httpx.Response(200)]
    reload = {"POST /admin/reload": [httpx.Response(200, json={"version": "3"})]}
    with _scripted({**reload, "GET /ready": ready, **model}) as http:
        assert capstone.deploy(http, "3")["version"] == "3"
    with (
        _scripted({**reload, "GET /ready": [httpx.Response(200)], **model}) as http,
        pytest.raises(capstone.CapstoneError, match="serves v3, expected v4"),
    ):
        capstone.deploy(http, "4")
    refused = {"POST /admin/reload": [httpx.Response(503, json={"detail": "reload failed"})]}
    with _scripted(refused) as http, pytest.raises(capstone.CapstoneError, match="503"):
        capstone.deploy(http, "3")
