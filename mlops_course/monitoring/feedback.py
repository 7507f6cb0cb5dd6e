"""Delayed feedback: the true labels of past predictions, joined by ``prediction_id`` (§7.3).

Taught in notebook 07_monitoring_drift: realized accuracy and label coverage, overall and
per model version, from the prediction log and the feedback log (:func:`feedback_metrics`)
or live, in the monitor (:class:`FeedbackBook`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


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
                "correct": None if true_label is None else is_correct(record, true_label),
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


def is_correct(record: Mapping[str, Any], true_label: Any) -> bool:
    """Whether a record's prediction matches ``true_label`` (a label, or a class code)."""
    if isinstance(true_label, bool):
        raise TypeError(
            f'true_label doit être une étiquette ("setosa") ou un code de classe (0, 1, 2), '
            f"reçu {true_label!r}"
        )
    if isinstance(true_label, int | np.integer):
        return int(record.get("prediction", -1)) == int(true_label)
    return str(record.get("label")) == str(true_label)


class FeedbackBook:
    """The monitor's memory for feedback: recent predictions, and whether each was right.

    Memory is bounded: the last ``max_tracked`` predictions can receive a label, and the
    realized accuracy is computed on the last ``window`` labels. Not thread-safe by itself
    (the monitor holds its lock).
    """

    def __init__(self, *, max_tracked: int, window: int) -> None:
        self.max_tracked = max_tracked
        self.window = window
        self._tracked: OrderedDict[str, tuple[int | None, str | None]] = OrderedDict()
        self._correct: OrderedDict[str, bool] = OrderedDict()
        self._received = 0

    def track(self, prediction_id: str, prediction: int | None, label: str | None) -> None:
        """Remember a prediction, forgetting the oldest one beyond ``max_tracked``."""
        self._tracked[prediction_id] = (prediction, label)
        if len(self._tracked) > self.max_tracked:
            old, _ = self._tracked.popitem(last=False)
            self._correct.pop(old, None)

    def add(self, prediction_id: str, true_label: str | int) -> bool:
        """Record the true label of a tracked prediction; return whether it was right.

        Raises:
            KeyError: the prediction is unknown (never seen, or older than ``max_tracked``).
        """
        known = self._tracked.get(str(prediction_id))
        if known is None:
            raise KeyError(
                f"prediction_id inconnu {prediction_id!r} : il n'est pas parmi les "
                f"{self.max_tracked} dernières prédictions"
            )
        code, label = known
        correct = is_correct({"prediction": code, "label": label}, true_label)
        self._correct[str(prediction_id)] = correct
        self._correct.move_to_end(str(prediction_id))
        self._received += 1
        return correct

    def summary(self) -> dict[str, Any]:
        """Labels received, coverage of the tracked predictions, realized accuracy."""
        recent = list(self._correct.values())[-self.window :]
        labelled, tracked = len(self._correct), len(self._tracked)
        return {
            "nb_labels": labelled,
            "total_feedbacks": self._received,
            "couverture_labels": round(labelled / tracked, 4) if tracked else None,
            "accuracy_realisee": round(sum(recent) / len(recent), 4) if recent else None,
        }
