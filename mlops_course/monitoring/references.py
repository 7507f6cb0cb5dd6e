"""What the API's monitor compares production with: the chapter's training data (§7.4).

Taught in notebook 07_monitoring_drift. Both references are loaded lazily by the monitor;
the serving image has neither pandas nor scikit-learn, so each one says what it falls back
to without them.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any

from mlops_course.constants import LABELS

if TYPE_CHECKING:  # pragma: no cover
    from mlops_course.drift import DriftDetector

logger = logging.getLogger("mlops_course.monitoring")


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
        logger.info(
            "%s n'est pas installé : chaque classe compte pour un tiers de l'entraînement",
            error.name,
        )
        return {label: 1 / len(LABELS) for label in LABELS}
    counts = Counter(data.label_of(code) for code in y)
    return {label: counts[label] / len(y) for label in LABELS}
