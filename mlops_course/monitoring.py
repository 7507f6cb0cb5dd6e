"""Chapter 07: monitoring a model in production (§7.3–7.4).

- :class:`PredictionLog`: an append-only JSON-lines log, one record per prediction. Each
  call writes whole lines with one ``O_APPEND`` write, so a crash leaves at most the last
  line incomplete; the reader skips it (and a writer restarting after a crash first ends
  that line, so the next record starts on a fresh line).
- :func:`join_feedback` / :func:`feedback_metrics`: delayed true labels joined to the
  predictions by ``prediction_id`` (realized accuracy, label coverage).
- :class:`ModelMonitor`: thread-safe; keeps the recent predictions, cuts the stream into
  windows (``window_size`` predictions, or ``window_seconds``) and runs an alert state
  machine per rule (low confidence, class-distribution shift, data drift against the
  training reference). An alert goes *pending* on a bad window, *firing* after
  ``alert_after`` bad windows in a row, and *resolved* after ``resolve_after`` good ones;
  events are recorded only on transitions, so one dip gives one alert, not one per call.

A record is the API's prediction record (chapter 04): ``prediction_id``, ``timestamp``
(ISO 8601), ``model_version``, ``inputs`` (feature -> value), ``prediction`` (class code),
``label``, ``probabilites``, ``confidence``, ``latency_ms``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import uuid
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pydantic_core

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from mlops_course.drift import DriftDetector

logger = logging.getLogger("mlops_course.monitoring")

#: Alert names (the chapter's ``CONFIANCE_BASSE`` and two more).
LOW_CONFIDENCE = "CONFIANCE_BASSE"
CLASS_SHIFT = "DISTRIBUTION_CLASSES"
DATA_DRIFT = "DATA_DRIFT"
ALERTS: tuple[str, ...] = (LOW_CONFIDENCE, CLASS_SHIFT, DATA_DRIFT)
#: Alert states.
STATES: tuple[str, ...] = ("ok", "pending", "firing")
#: The chapter's labels (``data.LABELS``, repeated here: ``data`` needs pandas).
CHAPTER_LABELS: tuple[str, ...] = ("setosa", "versicolor", "virginica")


# --------------------------------------------------------------------------- the log


class PredictionLog:
    """Append-only JSON-lines log of prediction records (also used for feedback).

    Args:
        path: the ``.jsonl`` file (its folder is created on first write).
        fsync: also flush each write to disk (survives a power loss, slower).
    """

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.fsync = bool(fsync)
        self._lock = threading.Lock()
        self._tail_checked = False
        self.skipped_lines = 0

    def __repr__(self) -> str:
        return f"PredictionLog({str(self.path)!r})"

    def _end_partial_line(self, fd: int) -> None:
        """After a crash the file may end in the middle of a line: end it first."""
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            os.write(fd, b"\n")

    def append_many(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Append one line per record in a single write; return the number written."""
        lines = [json_line(r) for r in records]
        if not lines:
            return 0
        payload = b"\n".join(lines) + b"\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                if not self._tail_checked:
                    self._end_partial_line(fd)
                    self._tail_checked = True
                view = memoryview(payload)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                if self.fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
        return len(lines)

    def append(self, record: Mapping[str, Any]) -> None:
        """Append one record."""
        self.append_many([record])

    def __call__(self, records: Iterable[Mapping[str, Any]]) -> None:
        """A log is a prediction sink: ``app.state.prediction_sinks.append(log)``."""
        self.append_many(records)

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Yield the records in order; an incomplete or corrupt line is skipped and counted."""
        self.skipped_lines = 0
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.endswith(b"\n"):
                    if line.strip():
                        self.skipped_lines += 1
                        logger.warning("%s: incomplete last line %d skipped", self.path, number)
                    break
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    self.skipped_lines += 1
                    logger.warning("%s: corrupt line %d skipped", self.path, number)
                    continue
                if isinstance(record, dict):
                    yield record
                else:
                    self.skipped_lines += 1

    def read(self) -> list[dict[str, Any]]:
        """Return every complete record (see :meth:`iter_records`)."""
        return list(self.iter_records())


def json_line(record: Mapping[str, Any]) -> bytes:
    """Encode one record as compact UTF-8 JSON (numpy values become plain numbers, a
    datetime its ISO 8601 text).

    pydantic-core's encoder (Rust): about 1 µs a record, six times ``json.dumps``; it runs
    for every prediction. Raises ``TypeError`` for a value JSON cannot hold.
    """
    try:
        return pydantic_core.to_json(dict(record), fallback=_jsonable)
    except pydantic_core.PydanticSerializationError as error:
        message = str(error).removeprefix("Error serializing to JSON: ")
        raise TypeError(message.removeprefix("TypeError: ")) from None


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"record value of type {type(value).__name__} is not JSON serializable")


# --------------------------------------------------------------------------- feedback


def join_feedback(
    predictions: Iterable[Mapping[str, Any]], feedback: Iterable[Mapping[str, Any]]
) -> pd.DataFrame:
    """One row per prediction with its true label (or NaN) joined by ``prediction_id``.

    ``feedback`` records carry ``prediction_id`` and ``true_label`` (a label or a class
    code); when several arrive for one prediction, the last one wins. Columns:
    prediction_id, timestamp, model_version, prediction, label, confidence, true_label,
    correct (True/False, or NA without feedback).
    """
    import pandas as pd

    truth: dict[str, Any] = {}
    for item in feedback:
        truth[str(item["prediction_id"])] = item["true_label"]
    rows = []
    for record in predictions:
        pid = str(record["prediction_id"])
        true_label = truth.get(pid)
        rows.append(
            {
                "prediction_id": pid,
                "timestamp": record.get("timestamp"),
                "model_version": record.get("model_version"),
                "prediction": record.get("prediction"),
                "label": record.get("label"),
                "confidence": record.get("confidence"),
                "true_label": true_label,
                "correct": None if true_label is None else _is_correct(record, true_label),
            }
        )
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else None)
    if "correct" in frame:
        frame["correct"] = frame["correct"].astype("boolean")
    return frame


def feedback_metrics(
    predictions: Iterable[Mapping[str, Any]], feedback: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """Realized accuracy and label coverage, overall and per model version."""
    joined = join_feedback(predictions, feedback)
    if joined.empty:
        return {"nb_predictions": 0, "nb_labels": 0, "couverture_labels": None,
                "accuracy_realisee": None, "par_version": {}}  # fmt: skip

    def summary(part: pd.DataFrame) -> dict[str, Any]:
        labelled = part["correct"].dropna()
        return {
            "nb_predictions": len(part),
            "nb_labels": len(labelled),
            "couverture_labels": round(len(labelled) / len(part), 4),
            "accuracy_realisee": round(float(labelled.mean()), 4) if len(labelled) else None,
        }

    out = summary(joined)
    out["par_version"] = {
        str(version): summary(part) for version, part in joined.groupby("model_version")
    }
    return out


def _is_correct(record: Mapping[str, Any], true_label: Any) -> bool:
    if isinstance(true_label, bool):
        raise TypeError(f"true_label must be a label or a class code, got {true_label!r}")
    if isinstance(true_label, int | np.integer):
        return int(record.get("prediction", -1)) == int(true_label)
    return str(record.get("label")) == str(true_label)


# --------------------------------------------------------------------------- alerts


@dataclass
class AlertRule:
    """The state machine of one alert: ok → pending → firing → (resolved) ok.

    ``update(bad)`` takes the verdict of one window (None: no verdict, nothing changes)
    and returns ``"firing"`` or ``"resolved"`` on those transitions, else None.
    """

    name: str
    alert_after: int = 3
    resolve_after: int = 3
    state: str = "ok"
    bad_streak: int = 0
    good_streak: int = 0
    since: str | None = None

    def update(self, bad: bool | None) -> str | None:
        """Advance the machine by one window; return the event, if any."""
        if bad is None:
            return None
        if self.state == "firing":
            self.good_streak = 0 if bad else self.good_streak + 1
            if self.good_streak >= self.resolve_after:
                self.state, self.bad_streak, self.good_streak = "ok", 0, 0
                return "resolved"
            return None
        if not bad:
            self.state, self.bad_streak = "ok", 0
            return None
        self.bad_streak += 1
        if self.bad_streak >= self.alert_after:
            self.state, self.good_streak = "firing", 0
            return "firing"
        self.state = "pending"
        return None


@dataclass
class WindowResult:
    """What one closed window measured, and each rule's verdict (True = bad)."""

    index: int
    start: str | None
    end: str | None
    n: int
    mean_confidence: float
    class_counts: dict[str, int]
    class_distance: float | None = None
    class_p_value: float | None = None
    drifted_columns: list[str] = field(default_factory=list)
    verdicts: dict[str, bool | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (French keys, as the API returns it)."""
        return {
            "fenetre": self.index,
            "debut": self.start,
            "fin": self.end,
            "nb_predictions": self.n,
            "confiance_moyenne": round(self.mean_confidence, 4),
            "distribution_classes": dict(self.class_counts),
            "distance_classes": _round(self.class_distance),
            "p_value_classes": _round(self.class_p_value, 6),
            "colonnes_en_drift": list(self.drifted_columns),
            "verdicts": dict(self.verdicts),
        }


# --------------------------------------------------------------------------- the monitor


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
        class_alpha, class_threshold: a window's class counts are bad when a Chi-2
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
        model_name: str = "iris-classifier",
        *,
        window_size: int = 100,
        window_seconds: float | None = None,
        min_window: int = 30,
        history: int = 1000,
        confidence_threshold: float = 0.7,
        class_reference: Mapping[str, float] | Callable[[], Mapping[str, float]] | None = None,
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
        for name, value in (
            ("window_size", window_size),
            ("min_window", min_window),
            ("history", history),
            ("alert_after", alert_after),
            ("resolve_after", resolve_after),
            ("max_events", max_events),
            ("max_tracked", max_tracked),
            ("feedback_window", feedback_window),
        ):
            if int(value) < 1:
                raise ValueError(f"{name} must be >= 1, got {value!r}")
        if window_seconds is not None and not window_seconds > 0:
            raise ValueError(f"window_seconds must be > 0 or None, got {window_seconds!r}")
        if not 0.0 <= confidence_threshold <= 1.0:
            raise ValueError(
                f"confidence_threshold must be in [0, 1], got {confidence_threshold!r}"
            )
        if not 0.0 < class_alpha < 1.0:
            raise ValueError(f"class_alpha must be in (0, 1), got {class_alpha!r}")
        if not 0.0 <= class_threshold <= 1.0:
            raise ValueError(f"class_threshold must be in [0, 1], got {class_threshold!r}")
        self.model_name = model_name
        self.window_size = int(window_size)
        self.window_seconds = None if window_seconds is None else float(window_seconds)
        self.min_window = int(min_window)
        self.history = int(history)
        self.confidence_threshold = float(confidence_threshold)
        self.class_alpha = float(class_alpha)
        self.class_threshold = float(class_threshold)
        self.alert_after = int(alert_after)
        self.resolve_after = int(resolve_after)
        self.feedback_window = int(feedback_window)
        self.max_tracked = int(max_tracked)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.log_events = bool(log_events)
        self._class_reference_source = class_reference
        self._class_reference: dict[str, float] | None = None
        self._reference_source = reference
        self._reference: DriftDetector | None = None
        self._lock = threading.RLock()
        self._recent: deque[dict[str, Any]] = deque(maxlen=self.history)
        self._window: list[dict[str, Any]] = []
        self._window_bucket: int | None = None
        self._windows: deque[WindowResult] = deque(maxlen=max(self.history, 100))
        self._n_windows = 0
        self._rules = {
            name: AlertRule(name, self.alert_after, self.resolve_after) for name in ALERTS
        }
        self._events: deque[dict[str, Any]] = deque(maxlen=int(max_events))
        self._n_events = 0
        self._tracked: OrderedDict[str, tuple[int | None, str | None]] = OrderedDict()
        self._feedback: OrderedDict[str, bool] = OrderedDict()
        self._feedback_total = 0
        self._total = 0
        self._by_version: Counter[str] = Counter()
        self._by_label: Counter[str] = Counter()

    def __repr__(self) -> str:
        how = (
            f"window_seconds={self.window_seconds}"
            if self.window_seconds
            else f"window_size={self.window_size}"
        )
        return f"ModelMonitor({self.model_name!r}, {how})"

    # ---- recording

    def record(self, record: Mapping[str, Any]) -> None:
        """Record one prediction."""
        self.record_many([record])

    def record_many(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Record predictions (the API's records); windows that close are evaluated now."""
        batch = [_compact(r) for r in records]
        with self._lock:
            for item in batch:
                self._total += 1
                self._by_version[item["model_version"]] += 1
                self._by_label[item["label"]] += 1
                self._recent.append(item)
                pid = item["prediction_id"]
                if pid is not None:
                    self._tracked[pid] = (item["prediction"], item["label"])
                    if len(self._tracked) > self.max_tracked:
                        old, _ = self._tracked.popitem(last=False)
                        self._feedback.pop(old, None)
                self._add_to_window(item)
        return len(batch)

    def __call__(self, records: Iterable[Mapping[str, Any]]) -> None:
        """A monitor is a prediction sink: ``app.state.prediction_sinks.append(monitor)``."""
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

    # ---- feedback

    def add_feedback(self, prediction_id: str, true_label: str | int) -> bool:
        """Record the true label of a past prediction; return whether the model was right.

        Raises:
            KeyError: the prediction is unknown (never seen, or older than ``max_tracked``).
        """
        with self._lock:
            known = self._tracked.get(str(prediction_id))
            if known is None:
                raise KeyError(
                    f"unknown prediction_id {prediction_id!r}: not among the last "
                    f"{self.max_tracked} predictions"
                )
            code, label = known
            correct = _is_correct({"prediction": code, "label": label}, true_label)
            self._feedback[str(prediction_id)] = correct
            self._feedback.move_to_end(str(prediction_id))
            self._feedback_total += 1
            return correct

    # ---- windows and alerts

    def load_references(self) -> None:
        """Load the lazy references now (the API does it in a thread at startup)."""
        with self._lock:
            self._load_references()

    def _load_references(self) -> None:
        if self._reference is None and self._reference_source is not None:
            source, self._reference_source = self._reference_source, None
            try:
                self._reference = source() if callable(source) else source
            except ImportError as error:  # a serving image without pandas / scikit-learn
                logger.warning("data drift is not checked: %s is not installed", error.name)
            except Exception:
                logger.exception("could not load the drift reference; data drift is not checked")
        if self._class_reference is None and self._class_reference_source is not None:
            source, self._class_reference_source = self._class_reference_source, None
            try:
                shares = source() if callable(source) else source
                total = float(sum(shares.values()))
                self._class_reference = {str(k): float(v) / total for k, v in shares.items()}
            except Exception:
                logger.exception("could not load the class reference; class shift is not checked")

    def _close_window(self) -> WindowResult | None:
        items, self._window = self._window, []
        if not items:
            return None
        self._load_references()
        index = self._n_windows
        self._n_windows += 1
        confidences = np.array([i["confidence"] for i in items], dtype=float)
        counts = Counter(i["label"] for i in items)
        result = WindowResult(
            index=index,
            start=items[0]["timestamp"],
            end=items[-1]["timestamp"],
            n=len(items),
            mean_confidence=float(np.nanmean(confidences)) if len(items) else math.nan,
            class_counts=dict(sorted(counts.items())),
        )
        needed = self.min_window if self.window_seconds else min(self.min_window, self.window_size)
        enough = len(items) >= needed
        result.verdicts[LOW_CONFIDENCE] = (
            bool(result.mean_confidence < self.confidence_threshold) if enough else None
        )
        result.verdicts[CLASS_SHIFT] = self._class_verdict(result, counts) if enough else None
        result.verdicts[DATA_DRIFT] = self._drift_verdict(result, items) if enough else None
        self._windows.append(result)
        for name, rule in self._rules.items():
            event = rule.update(result.verdicts[name])
            if event is not None:
                self._emit(name, event, result)
        return result

    def _class_verdict(self, result: WindowResult, counts: Counter[str]) -> bool | None:
        reference = self._class_reference
        if not reference:
            return None
        labels = sorted(set(reference) | set(counts))
        observed = np.array([counts.get(k, 0) for k in labels], dtype=float)
        shares = np.array([reference.get(k, 0.0) for k in labels], dtype=float)
        expected = observed.sum() * shares
        if np.any((expected == 0) & (observed > 0)):
            p_value = 0.0
        else:
            keep = expected > 0
            statistic = float(((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum())
            p_value = chi2_sf(statistic, max(int(keep.sum()) - 1, 1))
        result.class_p_value = p_value
        result.class_distance = js_distance(shares, observed)
        return bool(p_value < self.class_alpha and result.class_distance >= self.class_threshold)

    def _drift_verdict(self, result: WindowResult, items: list[dict[str, Any]]) -> bool | None:
        detector = self._reference
        if detector is None:
            return None
        try:
            report = detector.compare(_input_columns(items))
        except Exception:
            logger.exception("drift check failed on window %d", result.index)
            return None
        result.drifted_columns = report.drifted_columns
        if report.status == "insufficient_data":
            return None
        return report.drift_detected

    def _emit(self, name: str, event: str, result: WindowResult) -> None:
        value, threshold, what = {
            LOW_CONFIDENCE: (
                round(result.mean_confidence, 4),
                self.confidence_threshold,
                f"confiance moyenne {result.mean_confidence:.1%} (seuil "
                f"{self.confidence_threshold:.0%})",
            ),
            CLASS_SHIFT: (
                _round(result.class_distance),
                self.class_threshold,
                f"distribution des classes {result.class_counts}",
            ),
            DATA_DRIFT: (
                len(result.drifted_columns),
                None,
                f"drift sur {result.drifted_columns or 'aucune colonne'}",
            ),
        }[name]
        if event == "firing":
            message = f"{name} : {what}, {self.alert_after} fenêtre(s) de suite"
        else:
            message = f"{name} résolue : {self.resolve_after} fenêtre(s) normales de suite"
        self._n_events += 1
        self._events.append(
            {
                "id": self._n_events,
                "type": name,
                "etat": event,
                "timestamp": result.end,
                "fenetre": result.index,
                "valeur": value,
                "seuil": threshold,
                "message": message,
            }
        )
        if self.log_events:
            log = logger.warning if event == "firing" else logger.info
            log("ALERTE %s", message)

    # ---- reading

    def alerts(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Alert events (firing / resolved), oldest first; the last ``limit`` if given."""
        with self._lock:
            events = [dict(e) for e in self._events]
        return events[-limit:] if limit else events

    def states(self) -> dict[str, str]:
        """Current state of each alert: ``ok``, ``pending`` or ``firing``."""
        with self._lock:
            return {name: rule.state for name, rule in self._rules.items()}

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
            feedback = list(self._feedback.values())[-self.feedback_window :]
            labelled = len(self._feedback)
            tracked = len(self._tracked)
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
                "feedback": {
                    "nb_labels": labelled,
                    "total_feedbacks": self._feedback_total,
                    "couverture_labels": round(labelled / tracked, 4) if tracked else None,
                    "accuracy_realisee": round(sum(feedback) / len(feedback), 4)
                    if feedback
                    else None,
                },
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


# --------------------------------------------------------------------------- helpers


def _input_columns(items: list[dict[str, Any]]) -> Any:
    """The window's inputs by column: float arrays when every value is an int or a float
    (the detector then skips pandas; a missing value is NaN), else a DataFrame."""
    names = list(dict.fromkeys(name for item in items for name in item["inputs"]))
    columns = {}
    for name in names:
        values = [item["inputs"].get(name, math.nan) for item in items]
        if not all(type(v) is float or type(v) is int for v in values):
            import pandas as pd

            return pd.DataFrame([item["inputs"] for item in items])
        columns[name] = np.array(values, dtype=float)
    return columns


def _compact(record: Mapping[str, Any]) -> dict[str, Any]:
    """Keep what the monitor needs of a record, validated; raise ValueError naming the field."""
    try:
        confidence = float(record["confidence"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"record needs a numeric 'confidence', got {record.get('confidence')!r}"
        ) from error
    timestamp = record.get("timestamp")
    moment = None
    if timestamp is not None:
        try:
            moment = datetime.fromisoformat(str(timestamp))
        except ValueError as error:
            raise ValueError(f"record 'timestamp' must be ISO 8601, got {timestamp!r}") from error
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    prediction = record.get("prediction")
    return {
        "prediction_id": None
        if record.get("prediction_id") is None
        else str(record["prediction_id"]),
        "timestamp": None if timestamp is None else str(timestamp),
        "time": moment,
        "model_version": str(record.get("model_version", "unknown")),
        "prediction": None if prediction is None else int(prediction),
        "label": str(record.get("label", prediction)),
        "confidence": confidence,
        "inputs": dict(record.get("inputs") or {}),
    }


def chi2_sf(statistic: float, dof: int) -> float:
    """Survival function of the Chi-2 distribution (closed forms; numpy and math only).

    The monitor runs in the serving image, which has no scipy.
    """
    if dof < 1:
        raise ValueError(f"dof must be >= 1, got {dof!r}")
    x = max(float(statistic), 0.0)
    if dof % 2 == 0:
        term = total = 1.0
        for i in range(1, dof // 2):
            term *= (x / 2) / i
            total += term
        return min(1.0, math.exp(-x / 2) * total)
    tail = math.erfc(math.sqrt(x / 2))
    term = math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
    for i in range(1, (dof + 1) // 2):
        tail += term
        term *= x / (2 * i + 1)
    return min(1.0, tail)


def js_distance(p: Sequence[float] | np.ndarray, q: Sequence[float] | np.ndarray) -> float:
    """Jensen–Shannon distance (base 2, in [0, 1]) between two count or share vectors."""
    p = np.asarray(p, dtype=float) / np.sum(p)
    q = np.asarray(q, dtype=float) / np.sum(q)
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log2(p / m), 0.0).sum()
        kl_q = np.where(q > 0, q * np.log2(q / m), 0.0).sum()
    return float(math.sqrt(max((kl_p + kl_q) / 2, 0.0)))


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


# --------------------------------------------------------------------------- simulation


def make_records(
    inputs: pd.DataFrame,
    proba: np.ndarray,
    *,
    labels: Sequence[str],
    model_version: str = "1",
    start: datetime | None = None,
    step_seconds: float = 1.0,
    latency_ms: float = 0.0,
) -> list[dict[str, Any]]:
    """Build API-shaped prediction records from inputs and class probabilities.

    Used to simulate production traffic without a server: row ``i`` is stamped
    ``start + i * step_seconds`` (default start: 2026-01-01T00:00:00Z).
    """
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape[0] != len(inputs) or proba.shape[1] != len(labels):
        raise ValueError(f"proba must have shape ({len(inputs)}, {len(labels)}), got {proba.shape}")
    start = start or datetime(2026, 1, 1, tzinfo=UTC)
    codes = proba.argmax(axis=1)
    rounded = np.round(proba, 4)
    rows = inputs.to_dict(orient="records")
    return [
        {
            "prediction_id": uuid.uuid4().hex,
            "timestamp": (start + timedelta(seconds=i * step_seconds)).isoformat(),
            "model_version": model_version,
            "inputs": {k: float(v) for k, v in row.items()},
            "prediction": int(code),
            "label": str(labels[int(code)]),
            "probabilites": probs,
            "confidence": max(probs),
            "latency_ms": latency_ms,
        }
        for i, (row, code, probs) in enumerate(zip(rows, codes, rounded.tolist(), strict=True))
    ]


def training_reference(**settings: Any) -> DriftDetector:
    """A :class:`DriftDetector` fitted on the chapter's training inputs (Iris, §2.3 split)."""
    from mlops_course import data
    from mlops_course.drift import DriftDetector

    return DriftDetector(**settings).fit(data.split().X_train)


def training_class_shares() -> dict[str, float]:
    """Share of each label in the chapter's training targets (Iris: a third each).

    Without pandas and scikit-learn (the serving image), the split cannot be redone; the
    chapter's split is stratified on a balanced dataset, so each label is then a third.
    """
    try:
        from mlops_course import data

        y = data.split().y_train
    except ImportError as error:
        logger.info("%s is not installed: each label taken as a third of training", error.name)
        return {label: 1 / len(CHAPTER_LABELS) for label in CHAPTER_LABELS}
    counts = Counter(data.label_of(code) for code in y)
    return {label: counts[label] / len(y) for label in data.LABELS}
