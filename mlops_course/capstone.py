"""The capstone: the whole MLOps loop, end to end, offline (``make pipeline``).

Taught in notebook 09_capstone_pipeline, which writes each step by hand first.

train and track → gate → register and promote ``champion`` → serve it (ONNX, from the
registry) → a production stream whose data drift mid-way → the monitor fires → the alert
triggers the retraining (level 3): retrain on recent labelled data → gate → promote →
the running API reloads the new champion without a restart, and its monitor now compares
production with the new model's training data → roll back → the API serves v1 again.

Every step logs one line saying what happened, and :func:`run` raises
:class:`CapstoneError` when a step does not do what it should (the alert never fires, the
API serves the wrong version...), so ``make pipeline`` and notebook 09 fail loudly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from mlops_course import config, data, training
from mlops_course.cli import ArgumentParser
from mlops_course.constants import MODEL_NAME
from mlops_course.monitoring.alerts import DATA_DRIFT as DRIFT_ALERT

#: What the "new measurement protocol" adds to the petal measurements (cm) once drift starts.
DRIFT_SHIFT = {"petal_length": 1.2, "petal_width": 0.4}
#: Experiments of the capstone (kept apart from notebook 02's, so reruns pick the same winner).
GRID_EXPERIMENT = "capstone-iris"
RETRAIN_EXPERIMENT = "capstone-iris-retrain"
#: State of an alert that fires now (``GET /monitoring/alertes`` → ``etats``).
FIRING = "firing"
#: Seconds :func:`deploy` waits for ``/ready`` after a reload.
READY_TIMEOUT = 60.0

T = TypeVar("T")


class CapstoneError(RuntimeError):
    """A step of the loop did not do what it should; the message says which and why."""


@dataclass
class Step:
    """One step of the loop and what it produced."""

    name: str
    detail: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class CapstoneResult:
    """Everything the loop did, in order."""

    steps: list[Step] = field(default_factory=list)

    def step(self, name: str) -> Step:
        """Return the step called ``name``."""
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(f"no step {name!r}; steps: {[s.name for s in self.steps]}")

    def to_frame(self) -> pd.DataFrame:
        """One row per step."""
        return pd.DataFrame([{"étape": s.name, "résultat": s.detail} for s in self.steps])


def production_stream(
    n_rows: int, *, drift_from: int, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Return ``n_rows`` simulated production flowers and their true labels.

    Rows are jittered Iris rows; from row ``drift_from`` on, a new measurement protocol adds
    :data:`DRIFT_SHIFT` to the petal measurements (the flowers, and so the labels, are the same).
    """
    if not 0 <= drift_from <= n_rows:
        raise ValueError(f"drift_from must be in 0..{n_rows}, got {drift_from}")
    X, y = data.load_iris_frame()
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(X), size=n_rows)
    base = X.iloc[rows].reset_index(drop=True)
    noise = rng.normal(0.0, 1.0, size=base.shape) * (X.std(ddof=0).to_numpy() * 0.05)
    stream = pd.DataFrame(np.clip(base.to_numpy() + noise, 0.05, None), columns=X.columns)
    for column, shift in DRIFT_SHIFT.items():
        stream.loc[drift_from:, column] += shift
    return stream.round(2), y.to_numpy()[rows]


def _ensure(condition: bool, message: str) -> None:
    if not condition:
        raise CapstoneError(message)


# --- the steps, each usable alone ---------------------------------------------------------


def retrain(
    split: data.Split,
    configs: Sequence[Mapping[str, Any]] = training.CONFIGS,
    *,
    experiment: str = RETRAIN_EXPERIMENT,
) -> str:
    """Train and log ``configs`` on ``split`` (recent labelled data); return the best run's id.

    Each run also records its training data (``reference/training_data.csv``): the monitor
    compares production with it once that model serves (notebook 09).
    """
    from mlops_course import tracking
    from mlops_course.monitoring.references import log_training_data

    runs = tracking.run_grid(configs, split, experiment=experiment)
    for logged in runs:
        log_training_data(logged.run_id, split.X_train, split.y_train)
    return str(tracking.best_run(experiment)["run_id"])


def drift_is_firing(alerts: Mapping[str, Any]) -> bool:
    """True when a ``GET /monitoring/alertes`` answer says the data-drift alert fires *now*.

    The current state (``etats``) decides, not the event history: an alert that fired and
    was resolved since must not trigger anything.
    """
    return alerts.get("etats", {}).get(DRIFT_ALERT) == FIRING


def retrain_on_drift(http: Any, sequence: Callable[[], T]) -> T | None:
    """Level 3: read ``GET /monitoring/alertes``; if the drift alert fires, run ``sequence``.

    ``http`` is an ``httpx.Client`` on the API; ``sequence`` is the retrain → register →
    gate → promote → reload sequence. Returns its result, or None when nothing fires.
    """
    response = http.get("/monitoring/alertes")
    response.raise_for_status()
    return sequence() if drift_is_firing(response.json()) else None


def deploy(http: Any, version: str, *, timeout: float = READY_TIMEOUT) -> dict[str, Any]:
    """``POST /admin/reload``, wait for ``/ready``, then check ``GET /model`` serves ``version``.

    Returns the ``/model`` description. Raises :class:`CapstoneError` if the reload is
    refused, the API is not ready in ``timeout`` seconds, or another version is served.
    """
    reloaded = http.post("/admin/reload")
    _ensure(
        reloaded.status_code == 200,
        f"POST /admin/reload -> {reloaded.status_code}: {reloaded.text[:300]}",
    )
    deadline = time.monotonic() + timeout
    while http.get("/ready").status_code != 200:
        _ensure(time.monotonic() < deadline, f"the API was not ready within {timeout:.0f} s")
        time.sleep(0.2)
    served = http.get("/model").json()
    _ensure(
        str(served.get("version")) == str(version),
        f"the API serves v{served.get('version')}, expected v{version}",
    )
    return served


class _Api:
    """Thin HTTP client of the running API for the capstone."""

    def __init__(self, url: str) -> None:
        import httpx

        self.http = httpx.Client(base_url=url, timeout=60.0)

    def get(self, path: str) -> Any:
        response = self.http.get(path)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, payload: Any = None) -> Any:
        response = self.http.post(path, json=payload)
        if response.status_code >= 400:
            raise CapstoneError(f"POST {path} -> {response.status_code}: {response.text[:300]}")
        return response.json()

    def predict(self, frame: pd.DataFrame, *, window: int = 100) -> list[dict[str, Any]]:
        predictions: list[dict[str, Any]] = []
        for start in range(0, len(frame), window):
            rows = frame.iloc[start : start + window].to_dict(orient="records")
            predictions += self.post("/predict/batch", {"instances": rows})
        return predictions


# --- the loop -----------------------------------------------------------------------------


def run(
    *,
    configs: Sequence[Mapping[str, Any]] = training.CONFIGS,
    log: Callable[[str], None] = print,
) -> CapstoneResult:
    """Run the whole loop against the MLflow store and model folder of ``config``.

    ``configs`` is the grid trained at first and at the retraining (the chapter's four by
    default; notebook 09 passes two in fast mode).
    """
    from mlops_course import registry, tracking
    from mlops_course.api.server import run_in_background

    result = CapstoneResult()
    started = time.perf_counter()

    def record(name: str, detail: str, **values: Any) -> None:
        result.steps.append(Step(name, detail, values))
        log(f"[{time.perf_counter() - started:5.1f} s] {name:<14} {detail}")

    uri = tracking.use_store()
    record("store", f"MLflow : {uri}")

    # 1. Train and track the grid, register the best run, promote it behind the gate.
    # (Fewer trees would save about a second but drop every configuration under the gate.)
    split = data.split()
    runs = tracking.run_grid(configs, split, experiment=GRID_EXPERIMENT)
    best = tracking.best_run(GRID_EXPERIMENT)
    record("tracking", f"{len(runs)} runs ; meilleur F1 = {best['metrics.f1_weighted']:.3f}")
    first = registry.register(best["run_id"])
    decision = registry.promote(first.version, split=split)
    _ensure(
        decision.passed and decision.champion_after == first.version,
        f"the first model should pass the gate and be champion: {decision.summary()}",
    )
    record("promotion", f"{MODEL_NAME} v{first.version} -> champion ({decision.summary()})")

    # 2. Serve the champion (ONNX, loaded from the registry) in a real uvicorn process.
    env = {
        "MLFLOW_TRACKING_URI": uri,
        "MLOPS_COURSE_HOME": str(config.home_dir()),
        "MLOPS_COURSE_LOG_PREDICTIONS": "false",
    }
    server = run_in_background(registry.alias_uri(registry.CHAMPION), env=env)
    try:
        api = _Api(server.url)
        served = api.get("/model")
        _ensure(
            str(served["version"]) == str(first.version),
            f"the API serves v{served['version']}, expected v{first.version}",
        )
        record(
            "service", f"API prête sur {server.url} : v{served['version']} ({served['backend']})"
        )
        _loop(api, record, first.version, server.pid, configs)
    finally:
        server.stop()
    record("fin", f"boucle complète en {time.perf_counter() - started:.0f} s")
    return result


def _loop(
    api: _Api,
    record: Callable[..., None],
    first: str,
    pid: int,
    configs: Sequence[Mapping[str, Any]],
) -> None:
    """Steps 3 to 7, against the running API that serves ``first``."""
    from mlops_course import registry

    # 3. A production stream that drifts mid-way; feedback arrives with the true labels.
    window, n_windows, drift_from = 100, 8, 300
    stream, truth = production_stream(window * n_windows, drift_from=drift_from)
    predictions = api.predict(stream, window=window)
    for prediction, label in zip(predictions, truth, strict=True):
        api.post(
            "/feedback", {"prediction_id": prediction["prediction_id"], "true_label": int(label)}
        )
    correct = np.array([p["prediction"] for p in predictions]) == truth
    before, after = correct[:drift_from].mean(), correct[drift_from:].mean()
    record(
        "production",
        f"{len(predictions)} prédictions ; drift à partir de la n°{drift_from} ; "
        f"accuracy réalisée {before:.2f} avant, {after:.2f} après",
        accuracy_before=float(before),
        accuracy_after=float(after),
    )
    alerts = api.get("/monitoring/alertes")
    firing = [e for e in alerts["alertes"] if e.get("type") == DRIFT_ALERT and e["etat"] == FIRING]
    _ensure(drift_is_firing(alerts), f"the monitor raised no data-drift alert: {alerts}")
    record("alerte", firing[-1].get("message", DRIFT_ALERT), n_alerts=len(alerts["alertes"]))

    # 4-5. Level 3: the alert triggers retrain → register → gate → promote → reload.
    recent = data.split(
        stream.iloc[drift_from:].reset_index(drop=True),
        pd.Series(truth[drift_from:], name=data.TARGET),
    )

    def sequence() -> str:
        second = registry.register(retrain(recent, configs))
        decision = registry.promote(second.version, split=recent)
        _ensure(
            decision.promoted,
            f"the retrained model should pass the gate and replace v{first}: {decision.summary()}",
        )
        record("réentraînement", f"déclenché par l'alerte : {decision.summary()}")
        deploy(api.http, second.version)
        return second.version

    second = retrain_on_drift(api.http, sequence)
    _ensure(second is not None, "the drift alert no longer fires: nothing was retrained")
    fresh = api.predict(recent.X_test)
    accuracy = float(np.mean([p["prediction"] for p in fresh] == recent.y_test.to_numpy()))
    record(
        "rechargement",
        f"sans redémarrage (pid {pid}) : l'API sert v{second} ; "
        f"accuracy sur les données récentes {accuracy:.2f}",
        accuracy=accuracy,
    )

    # 6. The monitor now compares production with v2's training data: the alert resolves.
    more, _ = production_stream(window * 3, drift_from=0, seed=1)
    api.predict(more, window=window)
    alerts = api.get("/monitoring/alertes")
    _ensure(
        alerts["etats"][DRIFT_ALERT] != FIRING,
        f"the drift alert still fires against v{second}'s own training data: {alerts['etats']}",
    )
    record(
        "surveillance",
        f"la référence suit le champion v{second} : DATA_DRIFT « {alerts['etats'][DRIFT_ALERT]} » "
        f"sur {len(more)} nouvelles prédictions dérivées",
        state=alerts["etats"][DRIFT_ALERT],
    )

    # 7. Roll back to the previous champion; the API serves it again.
    previous = registry.rollback()
    _ensure(previous.version == first, f"rollback went to v{previous.version}, not v{first}")
    served = deploy(api.http, previous.version)
    record(
        "rollback",
        f"champion -> v{previous.version} ; l'API sert de nouveau v{served['version']}",
    )


def cli(argv: list[str]) -> int:
    """``mlops-course pipeline``: run the loop; exit 1 if a step fails."""
    parser = ArgumentParser(
        prog="mlops-course pipeline",
        description="Exécute la boucle du capstone de bout en bout (hors ligne, une minute).",
    )
    parser.parse_args(argv)
    try:
        run()
    except CapstoneError as error:
        print(f"échec du capstone : {error}")
        return 1
    return 0
