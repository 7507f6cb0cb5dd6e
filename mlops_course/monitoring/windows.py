"""A window of predictions, judged by three rules: confidence, class shares, input drift.

Taught in notebook 07_monitoring_drift (§7.4). A window is bad for a rule when its mean
confidence is low, when its predicted classes no longer follow the training shares (a
chi-square test **and** a Jensen–Shannon distance), or when its inputs drift from the
training reference (:class:`~mlops_course.drift.DriftDetector`).
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mlops_course import stats
from mlops_course.monitoring.alerts import CLASS_SHIFT, DATA_DRIFT, LOW_CONFIDENCE

if TYPE_CHECKING:  # pragma: no cover
    from mlops_course.drift import DriftDetector

logger = logging.getLogger("mlops_course.monitoring")

#: The class reference: each label's expected share, or a function returning them.
ClassReference = Mapping[str, float] | Callable[[], Mapping[str, float]]


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
            "distance_classes": rounded(self.class_distance),
            "p_value_classes": rounded(self.class_p_value, 6),
            "colonnes_en_drift": list(self.drifted_columns),
            "verdicts": dict(self.verdicts),
        }


class WindowJudge:
    """Judge closed windows with the three rules; the references are loaded lazily, once."""

    def __init__(
        self,
        *,
        confidence_threshold: float,
        class_alpha: float,
        class_threshold: float,
        class_reference: ClassReference | None,
        reference: DriftDetector | Callable[[], DriftDetector | None] | None,
    ) -> None:
        self.confidence_threshold = confidence_threshold
        self.class_alpha = class_alpha
        self.class_threshold = class_threshold
        self._class_reference_source = class_reference
        self.class_reference: dict[str, float] | None = None
        self._reference_source = reference
        self.reference: DriftDetector | None = None

    def replace_references(
        self,
        *,
        reference: DriftDetector | Callable[[], DriftDetector | None] | None,
        class_reference: ClassReference | None,
    ) -> None:
        """Judge the next windows against new references (loaded lazily, as at first)."""
        self._reference_source, self.reference = reference, None
        self._class_reference_source, self.class_reference = class_reference, None

    def load_references(self) -> None:
        """Load the references now; a failure is logged, and that rule gives no verdict."""
        if self.reference is None and self._reference_source is not None:
            source, self._reference_source = self._reference_source, None
            try:
                self.reference = source() if callable(source) else source
            except ImportError as error:  # a serving image without pandas / scikit-learn
                logger.warning("drift des données non vérifié : %s n'est pas installé", error.name)
            except Exception:
                logger.exception(
                    "référence de drift illisible : le drift des données n'est pas vérifié"
                )
        if self.class_reference is None and self._class_reference_source is not None:
            source, self._class_reference_source = self._class_reference_source, None
            try:
                shares = source() if callable(source) else source
                total = float(sum(shares.values()))
                self.class_reference = {str(k): float(v) / total for k, v in shares.items()}
            except Exception:
                logger.exception(
                    "référence des classes illisible : leur distribution n'est pas vérifiée"
                )

    def judge(self, index: int, items: list[dict[str, Any]], *, enough: bool) -> WindowResult:
        """Measure a closed window; without ``enough`` predictions, no rule gives a verdict."""
        self.load_references()
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
        result.verdicts[LOW_CONFIDENCE] = (
            bool(result.mean_confidence < self.confidence_threshold) if enough else None
        )
        result.verdicts[CLASS_SHIFT] = self._class_verdict(result, counts) if enough else None
        result.verdicts[DATA_DRIFT] = self._drift_verdict(result, items) if enough else None
        return result

    def _class_verdict(self, result: WindowResult, counts: Counter[str]) -> bool | None:
        reference = self.class_reference
        if not reference:
            return None
        labels = sorted(set(reference) | set(counts))
        observed = np.array([counts.get(k, 0) for k in labels], dtype=float)
        shares = np.array([reference.get(k, 0.0) for k in labels], dtype=float)
        result.class_p_value = stats.chi2_goodness_of_fit(observed, shares).p_value
        result.class_distance = stats.js_distance(shares, observed)
        return bool(
            result.class_p_value < self.class_alpha
            and result.class_distance >= self.class_threshold
        )

    def _drift_verdict(self, result: WindowResult, items: list[dict[str, Any]]) -> bool | None:
        detector = self.reference
        if detector is None:
            return None
        try:
            report = detector.compare(input_columns(items))
        except Exception:
            logger.exception("la vérification du drift a échoué sur la fenêtre %d", result.index)
            return None
        result.drifted_columns = report.drifted_columns
        if report.status == "insufficient_data":
            return None
        return report.drift_detected

    def describe(self, name: str, result: WindowResult) -> tuple[Any, Any, str]:
        """What an alert event reports: the window's value, the rule's threshold, a sentence."""
        if name == LOW_CONFIDENCE:
            return (
                round(result.mean_confidence, 4),
                self.confidence_threshold,
                f"confiance moyenne {result.mean_confidence:.1%} (seuil "
                f"{self.confidence_threshold:.0%})",
            )
        if name == CLASS_SHIFT:
            return (
                rounded(result.class_distance),
                self.class_threshold,
                f"distribution des classes {result.class_counts}",
            )
        return (
            len(result.drifted_columns),
            None,
            f"drift sur {result.drifted_columns or 'aucune colonne'}",
        )


def input_columns(items: list[dict[str, Any]]) -> Any:
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


def rounded(value: float | None, digits: int = 4) -> float | None:
    """``value`` rounded, or None when it is missing or not finite."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)
