"""The model monitor: prediction records in, windows, alerts, metrics and health out (§7.4).

Taught in notebook 07_monitoring_drift: the chapter's ``calculer_metriques`` and
``verifier_sante``, with windows instead of "the last N predictions" so that an alert is
raised once per incident. Thread-safe: the API feeds it from its sink thread.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from mlops_course.constants import MODEL_NAME
from mlops_course.monitoring.alerts import AlertBook
from mlops_course.monitoring.feedback import FeedbackBook
from mlops_course.monitoring.windows import ClassReference, WindowJudge, WindowResult

if TYPE_CHECKING:  # pragma: no cover
    from mlops_course.drift import DriftDetector


class ModelMonitor:
    """Watch a model in production from its prediction records (thread-safe).

    Args:
        model_name: shown in ``metrics()`` and ``health()``.
        window_size: predictions per window (count windows), when ``window_seconds`` is None.
        window_seconds: length of time windows, by the records' timestamps; a window with
            fewer than ``min_window`` predictions gives no verdict.
        history: how many recent predictions ``metrics()`` summarizes (the chapter's
            ``taille_fenetre``).
        confidence_threshold: a window whose mean confidence is below is bad.
        class_reference: expected share of each predicted label (e.g. the training
            labels), or a function returning it (called once, lazily).
        class_alpha, class_threshold: a window's class counts are bad when a chi-square
            goodness-of-fit test rejects the reference at ``class_alpha`` *and* the
            Jensen–Shannon distance is at least ``class_threshold``.
        reference: a fitted :class:`~mlops_course.drift.DriftDetector` on the training
            inputs, or a function returning one (called once, lazily): a window whose
            inputs drift from it is bad.
        alert_after: bad windows in a row before an alert fires (pending until then).
        resolve_after: good windows in a row before a firing alert is resolved.
        max_events, max_tracked, feedback_window: memory bounds (alert events kept,
            predictions remembered for feedback, feedback used for realized accuracy).
        clock: returns the current time (tests inject one); default ``datetime.now(UTC)``.
        log_events: also log each alert event (logger ``mlops_course.monitoring``).
    """

    def __init__(
        self,
        model_name: str = MODEL_NAME,
        *,
        window_size: int = 100,
        window_seconds: float | None = None,
        min_window: int = 30,
        history: int = 1000,
        confidence_threshold: float = 0.7,
        class_reference: ClassReference | None = None,
        class_alpha: float = 0.01,
        class_threshold: float = 0.1,
        reference: DriftDetector | Callable[[], DriftDetector | None] | None = None,
        alert_after: int = 3,
        resolve_after: int = 3,
        max_events: int = 1000,
        max_tracked: int = 100_000,
        feedback_window: int = 1000,
        clock: Callable[[], datetime] | None = None,
        log_events: bool = True,
    ) -> None:
        _validate_settings(
            sizes={
                "window_size": window_size, "min_window": min_window, "history": history,
                "alert_after": alert_after, "resolve_after": resolve_after,
                "max_events": max_events, "max_tracked": max_tracked,
                "feedback_window": feedback_window,
            },
            window_seconds=window_seconds, confidence_threshold=confidence_threshold,
            class_alpha=class_alpha, class_threshold=class_threshold,
        )  # fmt: skip
        self.model_name = model_name
        self.window_size = int(window_size)
        self.window_seconds = None if window_seconds is None else float(window_seconds)
        self.min_window = int(min_window)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._judge = WindowJudge(
            confidence_threshold=float(confidence_threshold),
            class_alpha=float(class_alpha),
            class_threshold=float(class_threshold),
            class_reference=class_reference,
            reference=reference,
        )
        self._alerts = AlertBook(
            alert_after=int(alert_after),
            resolve_after=int(resolve_after),
            max_events=int(max_events),
            log_events=bool(log_events),
        )
        self._lock = threading.RLock()
        self._recent: deque[dict[str, Any]] = deque(maxlen=int(history))
        self._window: list[dict[str, Any]] = []
        self._window_bucket: int | None = None
        self._windows: deque[WindowResult] = deque(maxlen=max(int(history), 100))
        self._n_windows = 0
        self._feedback = FeedbackBook(max_tracked=int(max_tracked), window=int(feedback_window))
        self._total = 0
        self._by_version: Counter[str] = Counter()

    def __repr__(self) -> str:
        how = f"window_seconds={self.window_seconds}" if self.window_seconds else ""
        return f"ModelMonitor({self.model_name!r}, {how or f'window_size={self.window_size}'})"

    # ---- recording

    def record(self, record: Mapping[str, Any]) -> None:
        """Record one prediction."""
        self.record_many([record])

    def record_many(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Record predictions (the API's records); windows that close are evaluated now."""
        batch = [compact_record(r) for r in records]
        with self._lock:
            for item in batch:
                self._total += 1
                self._by_version[item["model_version"]] += 1
                self._recent.append(item)
                if item["prediction_id"] is not None:
                    self._feedback.track(item["prediction_id"], item["prediction"], item["label"])
                self._add_to_window(item)
        return len(batch)

    def __call__(self, records: Iterable[Mapping[str, Any]]) -> None:
        """A monitor is a prediction sink (see :mod:`mlops_course.api.sinks`)."""
        self.record_many(records)

    def _add_to_window(self, item: dict[str, Any]) -> None:
        if self.window_seconds is None:
            self._window.append(item)
            if len(self._window) >= self.window_size:
                self._close_window()
            return
        moment = item["time"] if item["time"] is not None else self._clock()
        bucket = math.floor(moment.timestamp() / self.window_seconds)
        if self._window_bucket is None:
            self._window_bucket = bucket
        elif bucket > self._window_bucket:
            self._close_window()
            self._window_bucket = bucket
        self._window.append(item)

    def close_window(self) -> WindowResult | None:
        """Evaluate the open window now (e.g. at the end of a period); None if it is empty."""
        with self._lock:
            return self._close_window()

    def _close_window(self) -> WindowResult | None:
        items, self._window = self._window, []
        if not items:
            return None
        needed = self.min_window if self.window_seconds else min(self.min_window, self.window_size)
        result = self._judge.judge(self._n_windows, items, enough=len(items) >= needed)
        self._n_windows += 1
        self._windows.append(result)
        self._alerts.update(
            result.verdicts,
            window=result.index,
            timestamp=result.end,
            describe=lambda name: self._judge.describe(name, result),
        )
        return result

    def load_references(self) -> None:
        """Load the lazy references now (the API does it in a thread at startup)."""
        with self._lock:
            self._judge.load_references()

    def use_references(self, *, reference: Any, class_reference: Any) -> WindowResult | None:
        """Judge the next windows against new references (as in ``__init__``): a new model.

        The open window (the previous model's) is judged first and returned. Alerts keep
        their state: a firing one resolves after ``resolve_after`` good windows.
        """
        with self._lock:
            closed = self._close_window()
            self._judge.replace_references(reference=reference, class_reference=class_reference)
            return closed

    # ---- feedback

    def add_feedback(self, prediction_id: str, true_label: str | int) -> bool:
        """Record the true label of a past prediction; return whether the model was right.

        Raises:
            KeyError: the prediction is unknown (never seen, or older than ``max_tracked``).
        """
        with self._lock:
            return self._feedback.add(prediction_id, true_label)

    # ---- reading

    def alerts(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Alert events (firing / resolved), oldest first; the last ``limit`` if given."""
        with self._lock:
            events = [dict(e) for e in self._alerts.events]
        return events[-limit:] if limit else events

    def states(self) -> dict[str, str]:
        """Current state of each alert: ``ok``, ``pending`` or ``firing``."""
        with self._lock:
            return self._alerts.states()

    def windows(self) -> list[WindowResult]:
        """The evaluated windows kept in memory, oldest first."""
        with self._lock:
            return list(self._windows)

    @property
    def total_predictions(self) -> int:
        """Predictions recorded since the start."""
        with self._lock:
            return self._total

    def metrics(self) -> dict[str, Any]:
        """Metrics of the recent predictions (the chapter's ``calculer_metriques``), plus totals.

        Reading metrics never creates alerts: alerts come from closed windows only.
        """
        with self._lock:
            recent = list(self._recent)
            out: dict[str, Any] = {
                "modele": self.model_name,
                "nb_predictions": len(recent),
                "total_predictions": self._total,
                "proba_moyenne": None,
                "proba_min": None,
                "proba_max": None,
                "distribution_classes": {},
                "versions": dict(sorted(self._by_version.items())),
                "fenetres_evaluees": self._n_windows,
                "derniere_fenetre": self._windows[-1].to_dict() if self._windows else None,
                "feedback": self._feedback.summary(),
            }
        if recent:
            confidences = np.array([r["confidence"] for r in recent], dtype=float)
            out["proba_moyenne"] = round(float(np.nanmean(confidences)), 4)
            out["proba_min"] = round(float(np.nanmin(confidences)), 4)
            out["proba_max"] = round(float(np.nanmax(confidences)), 4)
            out["distribution_classes"] = dict(sorted(Counter(r["label"] for r in recent).items()))
        return out

    def health(self) -> dict[str, Any]:
        """The chapter's ``verifier_sante``: ``DEGRADEE`` while an alert fires."""
        metrics = self.metrics()
        states = self.states()
        firing = [name for name, state in states.items() if state == "firing"]
        pending = [name for name, state in states.items() if state == "pending"]
        if firing:
            status = "DEGRADEE"
        elif metrics["total_predictions"] == 0:
            status = "INCONNUE"
        else:
            status = "OK"
        return {
            "modele": self.model_name,
            "timestamp": self._clock().isoformat(),
            "sante": status,
            "alertes_actives": firing,
            "alertes_en_attente": pending,
            "etats": states,
            "metriques": metrics,
            "alertes_recentes": self.alerts(limit=5),
        }


def _validate_settings(
    *,
    sizes: Mapping[str, int],
    window_seconds: float | None,
    confidence_threshold: float,
    class_alpha: float,
    class_threshold: float,
) -> None:
    """Raise an error naming the argument and its value for a setting out of range."""
    for name, value in sizes.items():
        if int(value) < 1:
            raise ValueError(f"{name} doit être >= 1, reçu {value!r}")
    if window_seconds is not None and not window_seconds > 0:
        raise ValueError(f"window_seconds doit être > 0 ou None, reçu {window_seconds!r}")
    if not 0.0 <= confidence_threshold <= 1.0:
        raise ValueError(
            f"confidence_threshold doit être dans [0, 1], reçu {confidence_threshold!r}"
        )
    if not 0.0 < class_alpha < 1.0:
        raise ValueError(f"class_alpha doit être dans ]0, 1[, reçu {class_alpha!r}")
    if not 0.0 <= class_threshold <= 1.0:
        raise ValueError(f"class_threshold doit être dans [0, 1], reçu {class_threshold!r}")


def compact_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """What the monitor keeps of a record, validated; raise ValueError naming the field."""
    try:
        confidence = float(record["confidence"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            "un enregistrement doit avoir une 'confidence' numérique, reçu "
            f"{record.get('confidence')!r}"
        ) from error
    timestamp = record.get("timestamp")
    moment = None
    if timestamp is not None:
        try:
            moment = datetime.fromisoformat(str(timestamp))
        except ValueError as error:
            raise ValueError(
                f"le 'timestamp' d'un enregistrement doit être en ISO 8601, reçu {timestamp!r}"
            ) from error
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    prediction = record.get("prediction")
    pid = record.get("prediction_id")
    return {
        "prediction_id": None if pid is None else str(pid),
        "timestamp": None if timestamp is None else str(timestamp),
        "time": moment,
        "model_version": str(record.get("model_version", "unknown")),
        "prediction": None if prediction is None else int(prediction),
        "label": str(record.get("label", prediction)),
        "confidence": confidence,
        "inputs": dict(record.get("inputs") or {}),
    }
