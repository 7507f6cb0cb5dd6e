"""The situations the checks of notebook 09_capstone_pipeline put the learner's code in.

- :func:`scene_runs`: three logged models, built once per MLflow store: the old champion
  (trained on the chapter's split), a model retrained on recent drifted data, a weak one;
  and unbalanced recent held-out data on which accuracy, macro F1 and weighted F1 differ;
- :func:`history`: a registered model rebuilt with a given history of versions, gate
  decisions and champions (registry metadata only, as the gate and a promotion write it);
- :func:`course_api`: the course's API, in process, serving ``models:/<name>@champion``;
- :class:`Replica`: a scripted API (``httpx.MockTransport``) that answers what a replica
  restarting after a reload answers, and records what it was asked;
- :func:`alert_answers`: ``GET /monitoring/alertes`` answers made by real monitors.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from mlops_course import data, registry, tracking

#: The configurations of the three models (small: each trains in a fraction of a second).
CHAPTER_CONFIG = {"n_estimators": 10, "max_depth": 3, "min_samples_split": 2}
GOOD_CONFIG = {"n_estimators": 10, "max_depth": 3, "min_samples_split": 2}
WEAK_CONFIG = {"n_estimators": 3, "max_depth": 1, "min_samples_split": 2}
#: Experiment of the checks' runs (never the chapter's or the capstone's).
EXPERIMENT = "capstone-verifications"
#: Held-out rows kept per class: few setosa, so the three scores differ.
HELD_OUT_SETOSA = 6


@dataclass(frozen=True)
class SceneRuns:
    """Run ids of the three models, and the recent held-out data."""

    chapter: str
    good: str
    weak: str
    X_held_out: Any
    y_held_out: Any


_RUNS: dict[str, SceneRuns] = {}


def recent_split() -> data.Split:
    """Recent production data (petals measured with the new protocol), with true labels."""
    import pandas as pd

    from mlops_course.capstone import production_stream

    stream, labels = production_stream(600, drift_from=0, seed=11)
    return data.split(stream, pd.Series(labels, name=data.TARGET))


def scene_runs() -> SceneRuns:
    """The three models of the checks, logged once per store (reused while they exist)."""
    import numpy as np
    from mlflow.exceptions import MlflowException

    from mlops_course.monitoring.references import log_training_data

    uri = tracking.use_store()
    cached = _RUNS.get(uri)
    if cached is not None:
        try:
            for run_id in (cached.chapter, cached.good, cached.weak):
                tracking.client().get_run(run_id)
            return cached
        except MlflowException:
            pass
    recent = recent_split()
    chapter = tracking.log_run(CHAPTER_CONFIG, experiment=EXPERIMENT, run_name="ancien-champion")
    good = tracking.log_run(GOOD_CONFIG, recent, experiment=EXPERIMENT, run_name="reentraine")
    weak = tracking.log_run(WEAK_CONFIG, recent, experiment=EXPERIMENT, run_name="faible")
    for run in (good, weak):
        log_training_data(run.run_id, recent.X_train, recent.y_train)
    codes = recent.y_test.to_numpy()
    keep = np.concatenate(
        [np.flatnonzero(codes == 0)[:HELD_OUT_SETOSA]]
        + [np.flatnonzero(codes == code) for code in (1, 2)]
    )
    runs = SceneRuns(
        chapter.run_id,
        good.run_id,
        weak.run_id,
        recent.X_test.iloc[keep].reset_index(drop=True),
        recent.y_test.iloc[keep].reset_index(drop=True),
    )
    _RUNS[uri] = runs
    return runs


def fresh_model(name: str) -> None:
    """Delete registered model ``name`` if it exists (its versions, aliases and tags)."""
    from mlflow.exceptions import MlflowException

    try:
        tracking.client().delete_registered_model(name)
    except MlflowException as error:
        if error.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise


def history(
    name: str, versions: Sequence[tuple[str, str | None]], champions: Sequence[str]
) -> None:
    """Rebuild ``name``: one version per ``(run_id, gate status)``, then each champion in turn.

    A status of None means the version has not been through the gate yet.

    Each promotion records the champion it replaced (tag ``previous_champion``), as a
    promotion behind the gate does; ``champions`` are version numbers, the last one serves.
    """
    client = tracking.client()
    fresh_model(name)
    client.create_registered_model(name)
    for run_id, status in versions:
        source = tracking.run_model_uri(run_id)
        version = client.create_model_version(name, source, run_id=run_id).version
        if status is not None:
            client.set_model_version_tag(name, str(version), registry.TAG_STATUS, status)
    previous = None
    for champion in champions:
        if previous is not None:
            client.set_model_version_tag(name, champion, registry.TAG_PREVIOUS, previous)
        client.set_registered_model_alias(name, registry.CHAMPION, champion)
        previous = champion


def champion_of(name: str) -> str | None:
    """The version ``champion`` points at (None if unset)."""
    return registry.aliases(name=name).get(registry.CHAMPION)


@contextmanager
def course_api(name: str) -> Iterator[Any]:
    """The course's API serving ``models:/<name>@champion`` (scikit-learn backend), started.

    It leaves no trace outside the check: its logs stay quiet and its prediction log goes
    to a temporary folder, not to the learner's ``logs/``.
    """
    from mlops_course.api import Settings, create_app
    from mlops_course.checks.serving.fixtures import course_client

    settings = Settings(
        model=registry.alias_uri(name=name),
        backend="sklearn",
        train_if_missing=False,
        log_predictions=False,
    )
    quiet = ("mlops_course.api", "mlops_course.monitoring")
    with course_client(
        create_app(settings), wait_s=120, level=logging.CRITICAL, loggers=quiet
    ) as client:
        yield client


@dataclass
class Replica:
    """A scripted API: after ``POST /admin/reload`` it restarts, then serves ``serves``.

    ``/ready`` answers 503 ``not_ready`` times after the reload (and ``/model`` 503 with
    it), then 200; ``reload_status`` is what ``POST /admin/reload`` answers. Every request
    is recorded in :attr:`asked` (``"GET /ready"``...).
    """

    serves: str
    not_ready: int = 0
    reload_status: int = 200
    announced: str | None = None
    asked: list[str] = field(default_factory=list)
    _left: int = 0

    def handler(self, request: Any) -> Any:
        import httpx

        asked = f"{request.method} {request.url.path}"
        self.asked.append(asked)
        if asked == "POST /admin/reload":
            if self.reload_status != 200:
                detail = f"reload failed (FileNotFoundError); still serving version {self.serves}"
                return httpx.Response(self.reload_status, json={"detail": detail})
            self._left = self.not_ready
            return httpx.Response(200, json={"version": self.announced or self.serves})
        if asked == "GET /health":  # the process answers, even while it loads
            return httpx.Response(200, json={"status": "healthy"})
        if asked == "GET /ready":
            if self._left > 0:
                self._left -= 1
                return httpx.Response(503, json={"status": "loading", "model_version": None})
            return httpx.Response(200, json={"status": "ready", "model_version": self.serves})
        if asked == "GET /model":
            if self._left > 0:
                return httpx.Response(503, json={"detail": "the model is still loading"})
            return httpx.Response(200, json={"name": "iris-classifier", "version": self.serves})
        return httpx.Response(404, json={"detail": "Not Found"})

    def client(self) -> Any:
        """An ``httpx.Client`` on this replica."""
        import httpx

        return httpx.Client(transport=httpx.MockTransport(self.handler), base_url="http://replique")

    def waited_for_ready(self) -> bool:
        """True when ``GET /ready`` was asked between the reload and the first ``GET /model``."""
        if "POST /admin/reload" not in self.asked:
            return False
        after = self.asked[self.asked.index("POST /admin/reload") + 1 :]
        end = after.index("GET /model") if "GET /model" in after else len(after)
        return "GET /ready" in after[:end]


def alert_answers() -> dict[str, dict[str, Any]]:
    """``GET /monitoring/alertes`` answers from real monitors, by situation.

    - ``drift``: the data-drift alert fires now;
    - ``resolue``: it fired, then resolved (the history still holds the firing event);
    - ``confiance``: low confidence fires, the drift alert is only pending.
    """
    import numpy as np

    from mlops_course.capstone import production_stream
    from mlops_course.constants import LABELS
    from mlops_course.drift import DriftDetector
    from mlops_course.monitoring import ModelMonitor, make_records

    reference = DriftDetector().fit(data.split().X_train)
    clean, _ = production_stream(600, drift_from=600, seed=3)
    drifted, _ = production_stream(600, drift_from=0, seed=4)

    def records(frame: Any, confidence: float) -> list[Any]:
        proba = np.full((len(frame), 3), (1 - confidence) / 2)
        proba[np.arange(len(frame)), np.arange(len(frame)) % 3] = confidence
        return make_records(frame, proba, labels=LABELS)

    def answer(*batches: tuple[Any, float]) -> dict[str, Any]:
        monitor = ModelMonitor(reference=reference, log_events=False)
        for frame, confidence in batches:
            monitor.record_many(records(frame, confidence))
        return {"alertes": monitor.alerts(limit=20), "etats": monitor.states()}

    return {
        "drift": answer((clean.iloc[:200], 0.9), (drifted.iloc[:300], 0.9)),
        "resolue": answer((drifted.iloc[:300], 0.9), (clean.iloc[:300], 0.9)),
        "confiance": answer((clean.iloc[:300], 0.5), (drifted.iloc[:200], 0.5)),
    }
