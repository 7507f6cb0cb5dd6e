"""The monitoring endpoints, and no prediction lost under concurrent load (chapter 07)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mlops_course.api.monitoring_routes import MAX_LABEL_VALUES, install
from mlops_course.monitoring import LOW_CONFIDENCE, ModelMonitor, PredictionLog

FLOWER = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def minimal_app(monitor: ModelMonitor, log: PredictionLog, feedback_log: PredictionLog) -> FastAPI:
    """An app that emits records the way the chapter-04 API does, from the thread pool."""
    app = FastAPI()
    app.state.prediction_sinks = []

    @app.post("/predict")
    def predict(payload: dict[str, float]) -> dict[str, Any]:
        confidence = float(payload.pop("confidence", 0.9))
        record = {
            "prediction_id": uuid.uuid4().hex,
            "timestamp": datetime.now(UTC).isoformat(),
            "model_version": str(payload.pop("version", "1")),
            "inputs": payload,
            "prediction": 0,
            "label": "setosa",
            "probabilites": [confidence, (1 - confidence) / 2, (1 - confidence) / 2],
            "confidence": confidence,
            "latency_ms": 0.1,
        }
        for sink in app.state.prediction_sinks:
            sink([record])
        return record

    return install(app, monitor=monitor, log=log, feedback_log=feedback_log)


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    monitor = ModelMonitor(window_size=20, alert_after=2, resolve_after=2)
    return minimal_app(
        monitor, PredictionLog(tmp_path / "predictions.jsonl"), PredictionLog(tmp_path / "fb.jsonl")
    )


def client(app: FastAPI, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", **kwargs
    )


async def _predict_many(http: httpx.AsyncClient, total: int, workers: int, body: dict) -> list[str]:
    ids: list[str] = []
    per_worker = total // workers

    async def worker() -> None:
        for _ in range(per_worker):
            response = await http.post("/predict", json=dict(body))
            assert response.status_code == 200, response.text
            ids.append(response.json()["prediction_id"])

    await asyncio.gather(*(worker() for _ in range(workers)))
    return ids


def test_the_chapter_endpoints_answer(app: FastAPI) -> None:
    async def scenario() -> None:
        async with client(app) as http:
            assert (await http.get("/monitoring/sante")).json()["sante"] == "INCONNUE"
            await _predict_many(http, 40, 4, {**FLOWER, "confidence": 0.95})
            await _predict_many(http, 40, 4, {**FLOWER, "confidence": 0.4})
            metrics = (await http.get("/monitoring/metriques")).json()
            assert metrics["total_predictions"] == 80
            assert metrics["distribution_classes"] == {"setosa": 80}
            health = (await http.get("/monitoring/sante")).json()
            assert health["sante"] == "DEGRADEE"
            assert health["alertes_actives"] == [LOW_CONFIDENCE]
            alerts = (await http.get("/monitoring/alertes", params={"limit": 5})).json()
            assert [(a["type"], a["etat"]) for a in alerts["alertes"]] == [
                (LOW_CONFIDENCE, "firing")
            ]
            assert (await http.get("/monitoring/alertes", params={"limit": 0})).status_code == 422

    asyncio.run(scenario())


def test_feedback_is_joined_logged_and_unknown_ids_get_404(app: FastAPI) -> None:
    async def scenario() -> None:
        async with client(app) as http:
            [pid] = await _predict_many(http, 1, 1, dict(FLOWER))
            ok = await http.post("/feedback", json={"prediction_id": pid, "true_label": "setosa"})
            assert ok.status_code == 200
            assert ok.json() == {"prediction_id": pid, "true_label": "setosa", "correct": True}
            wrong = await http.post("/feedback", json={"prediction_id": pid, "true_label": 2})
            assert wrong.json()["correct"] is False
            missing = await http.post("/feedback", json={"prediction_id": "x", "true_label": 0})
            assert missing.status_code == 404
            assert "prediction_id inconnu" in missing.text
            invalid = await http.post("/feedback", json={"prediction_id": pid})
            assert invalid.status_code == 422
            metrics = (await http.get("/monitoring/metriques")).json()
            assert metrics["feedback"]["accuracy_realisee"] == 0.0  # the last word counts

    asyncio.run(scenario())
    logged = app.state.monitoring.feedback_log.read()
    assert [item["true_label"] for item in logged] == ["setosa", 2]


def test_prometheus_metrics_have_bounded_label_values(app: FastAPI) -> None:
    async def scenario() -> str:
        async with client(app) as http:
            for version in range(3 * MAX_LABEL_VALUES):
                await http.post("/predict", json={**FLOWER, "version": version})
            response = await http.get("/metrics")
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/plain")
            return response.text

    text = asyncio.run(scenario())
    series = [line for line in text.splitlines() if line.startswith("mlops_predictions_total{")]
    assert len(series) == MAX_LABEL_VALUES + 1
    assert any('model_version="autre"' in line for line in series)
    assert 'mlops_alert_firing{alert="CONFIANCE_BASSE"} 0.0' in text
    assert "mlops_monitor_predictions_total 30.0" in text
    assert "mlops_prediction_confidence_bucket" in text


def test_concurrent_requests_through_the_thread_pool_lose_nothing(app: FastAPI) -> None:
    async def scenario() -> list[str]:
        limits = httpx.Limits(max_connections=16)
        async with client(app, limits=limits) as http:
            return await _predict_many(http, 2000, 16, dict(FLOWER))

    ids = asyncio.run(scenario())
    assert len(set(ids)) == 2000
    assert app.state.monitoring.monitor.total_predictions == 2000
    assert app.state.monitoring.monitor.metrics()["fenetres_evaluees"] == 100
    assert {r["prediction_id"] for r in app.state.monitoring.prediction_log.read()} == set(ids)


# --------------------------------------------------------------------------- real server


@pytest.fixture
def served_api(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The chapter-04 API (monitoring installed) in a real uvicorn process, on an ONNX model."""
    from mlops_course.api.server import run_in_background
    from mlops_course.serialization import build_model_files

    files = build_model_files(tmp_path / "model", n_estimators=10)
    env = {"MLOPS_COURSE_LOG_DIR": str(tmp_path / "logs"), "MLOPS_COURSE_LOG_PREDICTIONS": "false"}
    with run_in_background(files.onnx, env=env, timeout=60) as server:
        yield server.url, tmp_path / "logs" / "predictions.jsonl"


@pytest.mark.slow
def test_real_server_keeps_every_prediction_under_16_concurrent_connections(
    served_api: tuple[str, Path],
) -> None:
    base, log_path = served_api
    total, workers = 2000, 16

    async def scenario() -> list[str]:
        limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
            return await _predict_many(http, total, workers, dict(FLOWER))

    ids = asyncio.run(scenario())
    assert len(set(ids)) == total
    metrics = httpx.get(f"{base}/monitoring/metriques", timeout=10).json()
    assert metrics["total_predictions"] == total
    assert metrics["fenetres_evaluees"] == total // 100
    logged = PredictionLog(log_path).read()
    assert len(logged) == total
    assert {r["prediction_id"] for r in logged} == set(ids)
    assert "mlops_monitor_predictions_total 2000.0" in httpx.get(f"{base}/metrics").text


def test_installing_twice_is_a_no_op_but_a_second_monitor_is_refused(app: FastAPI) -> None:
    sinks = list(app.state.prediction_sinks)
    assert install(app) is app
    assert app.state.prediction_sinks == sinks
    with pytest.raises(RuntimeError, match="déjà installé"):
        install(app, monitor=ModelMonitor())


def test_the_default_log_goes_where_the_environment_points_at_first_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlops_course.api import Settings, create_app

    monkeypatch.setenv("MLOPS_COURSE_HOME", str(tmp_path / "at-build"))
    app = create_app(Settings(model=str(tmp_path / "absent.onnx"), train_if_missing=False))
    monkeypatch.setenv("MLOPS_COURSE_HOME", str(tmp_path / "at-write"))
    app.state.monitoring.prediction_log.append({"prediction_id": "x"})
    assert (tmp_path / "at-write" / "logs" / "predictions.jsonl").is_file()
    assert not (tmp_path / "at-build").exists()


def test_monitor_references_load_only_after_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    # Training the default model imports scikit-learn; loading the drift reference does too.
    # Two threads importing it at once can fail ("partially initialized module"), so the
    # monitor's references are a start-up warm-up of the model service: loaded after the
    # model (or its failure), in the same thread.
    from mlops_course.api import monitoring_routes, service
    from mlops_course.api.application import create_app

    order: list[tuple[str, str]] = []
    loading = threading.Event()
    gate = threading.Event()

    def slow_model(settings: Any) -> Any:
        loading.set()
        gate.wait(10)
        order.append(("model", threading.current_thread().name))
        raise RuntimeError("no model in this test")

    def reference() -> None:
        order.append(("reference", threading.current_thread().name))

    monkeypatch.setattr(service, "load_model", slow_model)
    monkeypatch.setattr(
        monitoring_routes, "default_monitor", lambda: ModelMonitor(reference=reference)
    )
    app = create_app()
    monitor = app.state.monitoring.monitor
    assert app.state.model.warm_ups == [monitor.load_references]

    async def start_and_stop() -> None:
        async with app.router.lifespan_context(app):
            assert await asyncio.to_thread(loading.wait, 10)  # the model is loading...
            gate.set()  # ...and only now may it finish
            assert not await asyncio.to_thread(app.state.model.wait, 10)  # failed, warmed up

    asyncio.run(start_and_stop())
    assert order == [("model", "model-loader"), ("reference", "model-loader")]
