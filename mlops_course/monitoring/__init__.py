"""Monitoring a model in production (§7.3–7.4), taught in notebook 07_monitoring_drift.

- :class:`PredictionLog` (:mod:`~.log`): the append-only JSON-lines log of predictions;
- :func:`join_feedback` / :func:`feedback_metrics` (:mod:`~.feedback`): delayed true labels
  joined by ``prediction_id`` (realized accuracy, label coverage);
- :class:`ModelMonitor` (:mod:`~.monitor`): cuts the stream of prediction records into
  windows, judges each one (:mod:`~.windows`: low confidence, class-distribution shift,
  data drift against the training reference of :mod:`~.references`) and runs one alert
  state machine per rule (:mod:`~.alerts`): pending, firing, resolved;
- :func:`make_records` (:mod:`~.simulation`): simulated traffic.

A record is the API's :class:`~mlops_course.records.PredictionRecord` (chapter 04).
"""

from __future__ import annotations

from mlops_course.constants import LABELS as CHAPTER_LABELS
from mlops_course.monitoring.alerts import (
    ALERTS,
    CLASS_SHIFT,
    DATA_DRIFT,
    LOW_CONFIDENCE,
    STATE_LABELS,
    AlertBook,
    AlertRule,
)
from mlops_course.monitoring.feedback import feedback_metrics, join_feedback
from mlops_course.monitoring.log import PredictionLog
from mlops_course.monitoring.monitor import ModelMonitor
from mlops_course.monitoring.references import training_class_shares, training_reference
from mlops_course.monitoring.simulation import make_records
from mlops_course.monitoring.windows import WindowResult
from mlops_course.records import PredictionRecord, json_line
from mlops_course.stats import chi2_sf, js_distance

__all__ = [
    "ALERTS",
    "CHAPTER_LABELS",
    "CLASS_SHIFT",
    "DATA_DRIFT",
    "LOW_CONFIDENCE",
    "STATE_LABELS",
    "AlertBook",
    "AlertRule",
    "ModelMonitor",
    "PredictionLog",
    "PredictionRecord",
    "WindowResult",
    "chi2_sf",
    "feedback_metrics",
    "join_feedback",
    "js_distance",
    "json_line",
    "make_records",
    "training_class_shares",
    "training_reference",
]
