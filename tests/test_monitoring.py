"""Prediction log, delayed feedback and the model monitor's alert state machine (chapter 07)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlops_course.drift import DriftDetector
from mlops_course.monitoring import (
    CLASS_SHIFT,
    DATA_DRIFT,
    LOW_CONFIDENCE,
    AlertRule,
    ModelMonitor,
    PredictionLog,
    feedback_metrics,
    join_feedback,
    make_records,
)

LABELS = ("setosa", "versicolor", "virginica")
START = datetime(2026, 1, 1, tzinfo=UTC)


def records(
    n: int,
    *,
    confidence: float = 0.95,
    label: str | None = None,
    start: datetime = START,
    step: float = 1.0,
    inputs: dict[str, float] | None = None,
    version: str = "1",
) -> list[dict]:
    """n API-shaped records; labels cycle through the three classes unless one is given."""
    out = []
    for i in range(n):
        code = LABELS.index(label) if label else i % 3
        out.append(
            {
                "prediction_id": f"{start.timestamp():.0f}-{i}-{code}-{confidence}",
                "timestamp": (start + timedelta(seconds=i * step)).isoformat(),
                "model_version": version,
                "inputs": inputs or {"a": float(i % 7), "b": float(i % 5)},
                "prediction": code,
                "label": LABELS[code],
                "probabilites": [
                    confidence if k == code else (1 - confidence) / 2 for k in range(3)
                ],
                "confidence": confidence,
                "latency_ms": 0.5,
            }
        )
    return out


# --------------------------------------------------------------------------- the log


def test_log_appends_one_json_line_per_record(tmp_path: Path) -> None:
    log = PredictionLog(tmp_path / "logs" / "predictions.jsonl")
    assert log.read() == []
    assert log.append_many(records(3)) == 3
    log.append(records(1)[0])
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    assert [r["prediction_id"] for r in log.read()] == [
        json.loads(x)["prediction_id"] for x in lines
    ]


def test_reader_skips_a_truncated_last_line_and_the_writer_starts_a_fresh_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "predictions.jsonl"
    PredictionLog(path).append_many(records(5))
    with path.open("ab") as handle:  # a crash in the middle of a write
        handle.write(b'{"prediction_id": "half-writ')
    survivor = PredictionLog(path)
    assert len(survivor.read()) == 5
    assert survivor.skipped_lines == 1
    restarted = PredictionLog(path)  # the service restarts and goes on logging
    restarted.append_many(records(2, start=START + timedelta(days=1)))
    assert len(restarted.read()) == 7
    assert restarted.skipped_lines == 1  # the broken line stays broken, nothing else


def test_a_skipped_line_is_logged_once_in_french_not_at_every_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "predictions.jsonl"
    PredictionLog(path).append_many(records(3))
    with path.open("ab") as handle:
        handle.write(b'{"prediction_id": "coup')
    log = PredictionLog(path)
    with caplog.at_level(logging.WARNING, logger="mlops_course.monitoring"):
        for _ in range(3):
            assert len(log.read()) == 3 and log.skipped_lines == 1
    assert [r.getMessage().split(" : ", 1)[1] for r in caplog.records] == [
        "dernière ligne incomplète (écriture interrompue), ligne 4 ignorée"
    ]


_WRITER = """
import sys
from mlops_course.monitoring import PredictionLog
log = PredictionLog(sys.argv[1])
batch = [{"prediction_id": f"{i}", "inputs": {"x": float(i)}, "confidence": 0.9,
          "padding": "x" * 500} for i in range(50)]
while True:
    log.append_many(batch)
"""


def test_log_survives_a_killed_writer(tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)])
    try:
        deadline = time.monotonic() + 60
        while (
            not path.exists() or path.stat().st_size < 2_000_000
        ) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        writer.kill()  # SIGKILL on POSIX: no chance to flush or close the file
        writer.wait()
    assert path.stat().st_size >= 2_000_000
    log = PredictionLog(path)
    found = log.read()
    assert len(found) >= 1000
    assert log.skipped_lines <= 1
    assert all(r["padding"] == "x" * 500 for r in found)


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    log = PredictionLog(tmp_path / "predictions.jsonl")

    def write(worker: int) -> None:
        for j in range(25):
            log.append_many(records(10, start=START + timedelta(hours=worker, minutes=j)))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found = log.read()
    assert len(found) == 8 * 25 * 10
    assert log.skipped_lines == 0


def test_log_is_a_sink_and_refuses_what_json_cannot_hold(tmp_path: Path) -> None:
    log = PredictionLog(tmp_path / "p.jsonl")
    log([{"prediction_id": "a", "confidence": np.float32(0.5), "inputs": np.arange(2)}])
    assert log.read() == [{"prediction_id": "a", "confidence": 0.5, "inputs": [0, 1]}]
    with pytest.raises(TypeError, match="ne se sérialise pas en JSON"):
        log.append({"prediction_id": "b", "model": object()})


# --------------------------------------------------------------------------- feedback


def test_feedback_is_joined_by_prediction_id() -> None:
    predictions = records(4)  # labels setosa, versicolor, virginica, setosa
    feedback = [
        {"prediction_id": predictions[0]["prediction_id"], "true_label": "setosa"},
        {"prediction_id": predictions[1]["prediction_id"], "true_label": 2},
        {"prediction_id": "unknown", "true_label": "setosa"},
    ]
    joined = join_feedback(predictions, feedback)
    assert list(joined["correct"].astype(object).where(joined["correct"].notna(), None)) == [
        True,
        False,
        None,
        None,
    ]
    summary = feedback_metrics(predictions, feedback)
    assert summary["nb_labels"] == 2
    assert summary["couverture_labels"] == 0.5
    assert summary["accuracy_realisee"] == 0.5
    assert summary["par_version"]["1"]["nb_predictions"] == 4
    assert feedback_metrics([], [])["accuracy_realisee"] is None


def test_monitor_feedback_gives_realized_accuracy_and_coverage() -> None:
    monitor = ModelMonitor(window_size=1000)
    batch = records(10)
    monitor.record_many(batch)
    assert monitor.add_feedback(batch[0]["prediction_id"], "setosa") is True
    assert monitor.add_feedback(batch[1]["prediction_id"], 0) is False  # it said versicolor
    assert monitor.add_feedback(batch[1]["prediction_id"], "versicolor") is True  # corrected
    with pytest.raises(KeyError, match="prediction_id inconnu"):
        monitor.add_feedback("nope", "setosa")
    feedback = monitor.metrics()["feedback"]
    assert feedback == {
        "nb_labels": 2,
        "total_feedbacks": 3,
        "couverture_labels": 0.2,
        "accuracy_realisee": 1.0,
    }


def test_monitor_memory_is_bounded() -> None:
    monitor = ModelMonitor(window_size=50, history=100, max_tracked=200, max_events=5)
    batch = records(1000)
    monitor.record_many(batch)
    assert monitor.metrics()["nb_predictions"] == 100
    assert monitor.total_predictions == 1000
    with pytest.raises(KeyError):
        monitor.add_feedback(batch[0]["prediction_id"], "setosa")  # too old
    assert monitor.add_feedback(batch[-1]["prediction_id"], batch[-1]["label"])


# --------------------------------------------------------------------------- alerts


def test_alert_rule_goes_pending_firing_resolved() -> None:
    rule = AlertRule("X", alert_after=2, resolve_after=2)
    assert [
        rule.update(bad) for bad in (True, False, True, True, True, False, True, False, False)
    ] == [
        None,  # pending
        None,  # back to ok: one bad window is not enough
        None,  # pending
        "firing",
        None,
        None,  # one good window
        None,  # bad again: the good streak restarts
        None,
        "resolved",
    ]
    assert rule.state == "ok"
    assert rule.update(None) is None and rule.state == "ok"


def _stream(monitor: ModelMonitor, confidences: list[float], size: int = 50) -> None:
    start = START
    for confidence in confidences:
        monitor.record_many(records(size, confidence=confidence, start=start))
        start += timedelta(seconds=size)


def test_one_dip_in_confidence_gives_one_alert_not_one_per_prediction() -> None:
    monitor = ModelMonitor(window_size=50, alert_after=3, resolve_after=3)
    _stream(monitor, [0.95] * 5 + [0.55] * 6 + [0.95] * 5)
    events = [(e["type"], e["etat"], e["fenetre"]) for e in monitor.alerts()]
    assert events == [(LOW_CONFIDENCE, "firing", 7), (LOW_CONFIDENCE, "resolved", 13)]
    assert [e["etat_libelle"] for e in monitor.alerts()] == ["déclenchée", "résolue"]
    assert monitor.alerts()[0]["message"].startswith(f"{LOW_CONFIDENCE} déclenchée : confiance")
    # the chapter's monitor appends an alert each time metrics are read while the mean is low
    for _ in range(100):
        monitor.metrics()
    assert len(monitor.alerts()) == 2


def test_a_short_dip_stays_pending_and_never_fires() -> None:
    monitor = ModelMonitor(window_size=50, alert_after=3)
    _stream(monitor, [0.95, 0.5, 0.5, 0.95, 0.5])
    assert monitor.alerts() == []
    assert monitor.states()[LOW_CONFIDENCE] == "pending"
    assert monitor.health()["alertes_en_attente"] == [LOW_CONFIDENCE]


def test_health_is_unknown_then_ok_then_degraded() -> None:
    monitor = ModelMonitor(window_size=50, alert_after=1)
    assert monitor.health()["sante"] == "INCONNUE"
    assert monitor.metrics()["proba_moyenne"] is None
    _stream(monitor, [0.95])
    assert monitor.health()["sante"] == "OK"
    _stream(monitor, [0.4])
    health = monitor.health()
    assert health["sante"] == "DEGRADEE"
    assert health["alertes_actives"] == [LOW_CONFIDENCE]
    assert health["alertes_recentes"][-1]["etat"] == "firing"


def test_class_distribution_shift_fires() -> None:
    monitor = ModelMonitor(
        window_size=60,
        alert_after=2,
        class_reference={"setosa": 1, "versicolor": 1, "virginica": 1},
    )
    monitor.record_many(records(120))  # balanced: fine
    assert monitor.states()[CLASS_SHIFT] == "ok"
    monitor.record_many(records(120, label="virginica", start=START + timedelta(hours=1)))
    assert monitor.states()[CLASS_SHIFT] == "firing"
    last = monitor.windows()[-1]
    assert last.class_p_value < 1e-6 and last.class_distance > 0.5


def test_data_drift_on_the_window_fires_against_the_training_reference() -> None:
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"a": rng.normal(5, 1, 500), "b": rng.normal(3, 0.5, 500)})
    loads = []

    def lazy_reference() -> DriftDetector:
        loads.append(1)
        return DriftDetector().fit(reference)

    monitor = ModelMonitor(
        window_size=100, alert_after=2, resolve_after=2, reference=lazy_reference
    )
    assert loads == []  # nothing heavy at construction
    normal = pd.DataFrame({"a": rng.normal(5, 1, 300), "b": rng.normal(3, 0.5, 300)})
    shifted = pd.DataFrame({"a": rng.normal(6, 1, 300), "b": rng.normal(3, 0.5, 300)})
    proba = np.tile([0.9, 0.05, 0.05], (300, 1))
    monitor.record_many(make_records(normal, proba, labels=LABELS))
    assert monitor.states()[DATA_DRIFT] == "ok"
    monitor.record_many(
        make_records(shifted, proba, labels=LABELS, start=START + timedelta(hours=1))
    )
    assert monitor.states()[DATA_DRIFT] == "firing"
    assert monitor.windows()[-1].drifted_columns == ["a"]
    assert loads == [1]


def test_data_drift_is_checked_on_text_and_missing_inputs_too() -> None:
    rng = np.random.default_rng(1)
    reference = pd.DataFrame(
        {"a": rng.normal(5, 1, 500), "canal": rng.choice(["web", "magasin"], 500)}
    )
    monitor = ModelMonitor(
        window_size=100, alert_after=1, resolve_after=1, reference=DriftDetector().fit(reference)
    )
    inputs = pd.DataFrame({"a": rng.normal(5, 1, 100)})
    records = make_records(inputs, np.tile([0.9, 0.05, 0.05], (100, 1)), labels=LABELS)
    for record in records:
        record["inputs"]["canal"] = "appli"  # a category the reference never saw
    del records[0]["inputs"]["a"]  # one record without a value for "a"
    monitor.record_many(records)
    assert monitor.windows()[-1].drifted_columns == ["canal"]
    assert monitor.states()[DATA_DRIFT] == "firing"


def test_time_windows_follow_the_records_timestamps() -> None:
    monitor = ModelMonitor(window_seconds=60, min_window=10, alert_after=1, resolve_after=1)
    monitor.record_many(records(30, confidence=0.9, step=1))  # 0 s .. 29 s: window 0
    monitor.record_many(records(30, confidence=0.5, start=START + timedelta(seconds=60)))
    assert [w.n for w in monitor.windows()] == [30]  # window 1 is still open
    monitor.record_many(records(30, confidence=0.9, start=START + timedelta(seconds=120)))
    assert [w.n for w in monitor.windows()] == [30, 30]
    assert monitor.states()[LOW_CONFIDENCE] == "firing"
    closed = monitor.close_window()
    assert closed is not None and closed.n == 30
    assert [e["etat"] for e in monitor.alerts()] == ["firing", "resolved"]
    assert monitor.close_window() is None


def test_concurrent_recording_loses_nothing() -> None:
    monitor = ModelMonitor(window_size=100)

    def push(worker: int) -> None:
        for j in range(20):
            monitor.record_many(records(10, start=START + timedelta(days=worker, minutes=j)))

    threads = [threading.Thread(target=push, args=(w,)) for w in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert monitor.total_predictions == 16 * 20 * 10
    assert monitor.metrics()["fenetres_evaluees"] == 32


def test_settings_and_records_are_validated() -> None:
    with pytest.raises(ValueError, match="window_size doit être >= 1, reçu 0"):
        ModelMonitor(window_size=0)
    with pytest.raises(ValueError, match="confidence_threshold doit être dans"):
        ModelMonitor(confidence_threshold=1.5)
    with pytest.raises(ValueError, match="'confidence' numérique"):
        ModelMonitor().record({"prediction_id": "a"})
    with pytest.raises(ValueError, match="ISO 8601"):
        ModelMonitor().record({"confidence": 0.9, "timestamp": "hier"})
    with pytest.raises(ValueError, match=r"proba doit avoir la forme \(2, 3\)"):
        make_records(pd.DataFrame({"a": [1.0, 2.0]}), np.ones((2, 2)), labels=LABELS)


def test_make_records_builds_api_shaped_records() -> None:
    inputs = pd.DataFrame({"a": [1.0, 2.0]})
    made = make_records(inputs, np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]]), labels=LABELS)
    assert [r["label"] for r in made] == ["versicolor", "setosa"]
    assert made[0]["confidence"] == 0.7
    assert made[1]["timestamp"] == "2026-01-01T00:00:01+00:00"
    assert set(made[0]) == {
        "prediction_id",
        "timestamp",
        "model_version",
        "inputs",
        "prediction",
        "label",
        "probabilites",
        "confidence",
        "latency_ms",
    }


# --------------------------------------------------------------------------- serving image


def test_chi2_survival_and_js_distance_need_no_scipy() -> None:
    from scipy import stats

    from mlops_course.monitoring import chi2_sf, js_distance

    for dof in (1, 2, 3, 4, 7):
        for statistic in (0.0, 0.5, 3.0, 12.0, 60.0):
            assert chi2_sf(statistic, dof) == pytest.approx(
                stats.chi2.sf(statistic, dof), rel=1e-9, abs=1e-300
            )
    assert js_distance([1, 1, 1], [2, 2, 2]) == 0.0
    assert js_distance([1, 0], [0, 1]) == pytest.approx(1.0)


def test_chapter_labels_match_the_data_module() -> None:
    from mlops_course import data
    from mlops_course.monitoring import CHAPTER_LABELS, training_class_shares

    assert CHAPTER_LABELS == data.LABELS
    assert training_class_shares() == pytest.approx({label: 1 / 3 for label in data.LABELS})


_SLIM = """
import asyncio, sys

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"pandas", "scipy", "sklearn", "matplotlib"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NotInstalled())

import httpx
from fastapi import FastAPI
from mlops_course.api.monitoring_routes import install

app = FastAPI()
app.state.prediction_sinks = []
install(app)
monitor = app.state.monitoring.monitor
low = {"prediction_id": "", "timestamp": "2026-01-01T00:00:00+00:00", "model_version": "1",
       "inputs": {"sepal_length": 5.0}, "prediction": 2, "label": "virginica", "confidence": 0.5}
for i in range(400):
    for sink in app.state.prediction_sinks:
        sink([dict(low, prediction_id=str(i))])

async def main():
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        health = (await client.get("/monitoring/sante")).json()
        metrics = (await client.get("/metrics")).text
    return health, metrics

health, metrics = asyncio.run(main())
print(health["sante"], sorted(health["alertes_actives"]), health["etats"]["DATA_DRIFT"])
print('mlops_alert_firing{alert="CONFIANCE_BASSE"} 1.0' in metrics)
print(sorted(m for m in sys.modules if m.split(".")[0] in {"pandas", "scipy", "sklearn"}))
"""


def test_monitoring_runs_in_the_serving_image_without_pandas_scipy_or_sklearn(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SLIM], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "DEGRADEE ['CONFIANCE_BASSE', 'DISTRIBUTION_CLASSES'] ok"
    assert lines[1:] == ["True", "[]"]
    assert "drift des données non vérifié" in done.stderr
