"""The capstone: the whole MLOps loop, end to end, offline (``make pipeline``).

Taught in notebook 09_capstone_pipeline (which still imports it as ``pipeline``).

train and track → gate → register and promote ``champion`` → serve it (ONNX, from the
registry) → a production stream whose data drift mid-way → the monitor fires → retrain on
recent labelled data → gate → promote the new champion → the running API reloads it without
a restart → roll back to the previous champion → the API serves it again.

Every step logs one line saying what happened, and :func:`run` raises
:class:`CapstoneError` when a step does not do what it should (the alert never fires, the
API serves the wrong version...), so ``make pipeline`` and notebook 09 fail loudly.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlops_course import config, data, training
from mlops_course.constants import MODEL_NAME
from mlops_course.monitoring.alerts import DATA_DRIFT as DRIFT_ALERT

#: What the "new measurement protocol" adds to the petal measurements (cm) once drift starts.
DRIFT_SHIFT = {"petal_length": 1.2, "petal_width": 0.4}
#: Experiments of the capstone (kept apart from notebook 02's, so reruns pick the same winner).
GRID_EXPERIMENT = "capstone-iris"
RETRAIN_EXPERIMENT = "capstone-iris-retrain"


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

    def predict(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        return self.post("/predict/batch", {"instances": frame.to_dict(orient="records")})


def run(*, log: Callable[[str], None] = print) -> CapstoneResult:
    """Run the whole loop against the MLflow store and model folder of ``config``."""
    from mlops_course import registry, tracking
    from mlops_course.api.server import run_in_background

    result = CapstoneResult()
    started = time.perf_counter()

    def record(name: str, detail: str, **values: Any) -> None:
        result.steps.append(Step(name, detail, values))
        log(f"[{time.perf_counter() - started:5.1f} s] {name:<13} {detail}")

    uri = tracking.use_store()
    record("store", f"MLflow : {uri}")

    # 1. Train and track the chapter's grid, register the best run, promote it behind the gate.
    # (Fewer trees would save about a second but drop every configuration under the gate.)
    split = data.split()
    runs = tracking.run_grid(training.CONFIGS, split, experiment=GRID_EXPERIMENT)
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

        # 3. A production stream that drifts mid-way; feedback arrives with the true labels.
        window, n_windows = 100, 8
        stream, truth = production_stream(window * n_windows, drift_from=window * 3)
        predictions: list[dict[str, Any]] = []
        for start in range(0, len(stream), window):
            predictions += api.predict(stream.iloc[start : start + window])
        for prediction, label in zip(predictions, truth, strict=True):
            api.post(
                "/feedback",
                {"prediction_id": prediction["prediction_id"], "true_label": int(label)},
            )
        correct = np.array([p["prediction"] for p in predictions]) == truth
        before, after = correct[: window * 3].mean(), correct[window * 3 :].mean()
        record(
            "production",
            f"{len(predictions)} prédictions ; drift à partir de la n°{window * 3} ; "
            f"précision réalisée {before:.2f} avant, {after:.2f} après",
            accuracy_before=float(before),
            accuracy_after=float(after),
        )
        alerts = api.get("/monitoring/alertes")["alertes"]
        firing = [a for a in alerts if a.get("type") == DRIFT_ALERT and a.get("etat") == "firing"]
        _ensure(bool(firing), f"the monitor raised no data-drift alert; alerts: {alerts}")
        record("alerte", firing[0].get("message", DRIFT_ALERT), n_alerts=len(alerts))

        # 4. Retrain on the recent, labelled data; gate it on recent held-out rows.
        recent = data.split(
            stream.iloc[window * 3 :].reset_index(drop=True),
            pd.Series(truth[window * 3 :], name=data.TARGET),
        )
        tracking.run_grid(
            training.CONFIGS,
            recent,
            experiment=RETRAIN_EXPERIMENT,
        )
        retrained = tracking.best_run(RETRAIN_EXPERIMENT)
        second = registry.register(retrained["run_id"])
        decision = registry.promote(second.version, split=recent)
        _ensure(
            decision.promoted,
            f"the retrained model should pass the gate and replace v{first.version}: "
            f"{decision.summary()}",
        )
        record("réentraînement", f"v{second.version} -> champion ({decision.summary()})")

        # 5. The running API picks up the new champion without a restart.
        reloaded = api.post("/admin/reload")
        served = api.get("/model")
        _ensure(
            str(served["version"]) == str(second.version),
            f"after reload the API serves v{served['version']}, expected v{second.version}",
        )
        fresh = api.predict(recent.X_test)
        accuracy = float(np.mean([p["prediction"] for p in fresh] == recent.y_test.to_numpy()))
        record(
            "rechargement",
            f"sans redémarrage (pid {server.pid}) : l'API sert v{served['version']} ; "
            f"précision sur les données récentes {accuracy:.2f}",
            changed=reloaded.get("changed"),
            accuracy=accuracy,
        )

        # 6. Roll back to the previous champion; the API serves it again.
        previous = registry.rollback()
        api.post("/admin/reload")
        served = api.get("/model")
        _ensure(
            str(served["version"]) == str(first.version) == str(previous.version),
            f"after rollback the API serves v{served['version']}, expected v{first.version}",
        )
        record(
            "rollback",
            f"champion -> v{previous.version} ; l'API sert de nouveau v{served['version']}",
        )
    finally:
        server.stop()
    record("fin", f"boucle complète en {time.perf_counter() - started:.0f} s")
    return result


def cli(argv: list[str]) -> int:
    """``mlops-course pipeline``: run the loop; exit 1 if a step fails."""
    parser = argparse.ArgumentParser(
        prog="mlops-course pipeline",
        description="Run the capstone loop end to end (offline, about a minute).",
    )
    parser.parse_args(argv)
    try:
        run()
    except CapstoneError as error:
        print(f"capstone failed: {error}")
        return 1
    return 0
