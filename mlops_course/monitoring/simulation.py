"""Production traffic without a server: prediction records from inputs and probabilities.

Taught in notebook 07_monitoring_drift, which feeds the log and the monitor with simulated
windows; the records are built by :func:`mlops_course.records.build_records`, as the API's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from mlops_course.records import PredictionRecord, build_records

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def make_records(
    inputs: pd.DataFrame,
    proba: np.ndarray,
    *,
    labels: Sequence[str],
    model_version: str = "1",
    start: datetime | None = None,
    step_seconds: float = 1.0,
    latency_ms: float = 0.0,
) -> list[PredictionRecord]:
    """Build API-shaped prediction records from inputs and class probabilities.

    Row ``i`` is stamped ``start + i * step_seconds`` (default start: 2026-01-01T00:00:00Z);
    its class code is the most probable class.
    """
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape[0] != len(inputs) or proba.shape[1] != len(labels):
        raise ValueError(
            f"proba doit avoir la forme ({len(inputs)}, {len(labels)}), reçu {proba.shape}"
        )
    start = start or datetime(2026, 1, 1, tzinfo=UTC)
    return build_records(
        list(inputs.columns),
        inputs.to_numpy(dtype=float).tolist(),
        proba,
        proba.argmax(axis=1).tolist(),
        labels=[str(label) for label in labels],
        model_version=model_version,
        timestamp=[
            (start + timedelta(seconds=i * step_seconds)).isoformat() for i in range(len(inputs))
        ],
        latency_ms=latency_ms,
    )
