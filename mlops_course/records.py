"""The prediction record: what the API returns, logs and monitors for each prediction.

Taught in notebooks 04_serving_fastapi (``POST /predict``) and 07_monitoring_drift (the
prediction log and the monitor read it). One typed shape, built in one place,
:func:`build_records`, whether the API or a simulation made the prediction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import numpy as np
import pydantic_core


class PredictionRecord(TypedDict):
    """One prediction: the chapter's fields (§4.3), plus an id, the model version and timing.

    ``probabilites`` keeps the chapter's spelling; ``confidence`` is its largest value;
    ``latency_ms`` is the time of the model call that made it (shared by a batch's rows).
    """

    prediction_id: str
    timestamp: str
    model_version: str
    inputs: dict[str, float]
    prediction: int
    label: str
    probabilites: list[float]
    confidence: float
    latency_ms: float


def build_records(
    feature_names: Sequence[str],
    rows: list[list[float]],
    proba: np.ndarray,
    codes: Sequence[int],
    *,
    labels: Sequence[str],
    model_version: str,
    timestamp: str | Sequence[str],
    latency_ms: float = 0.0,
) -> list[PredictionRecord]:
    """One record per row: its inputs, its class code and label, its rounded probabilities.

    ``timestamp`` is one ISO 8601 time for every row (one model call) or one per row.
    Probabilities are rounded to 4 decimals, as the API answers them.
    """
    stamps = [timestamp] * len(rows) if isinstance(timestamp, str) else list(timestamp)
    rounded = np.round(np.asarray(proba, dtype=float), 4).tolist()
    return [
        {
            "prediction_id": uuid.uuid4().hex,
            "timestamp": stamp,
            "model_version": model_version,
            "inputs": dict(zip(feature_names, values, strict=True)),
            "prediction": int(code),
            "label": labels[int(code)],
            "probabilites": probs,
            "confidence": max(probs),
            "latency_ms": latency_ms,
        }
        for values, code, probs, stamp in zip(rows, codes, rounded, stamps, strict=True)
    ]


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
    raise TypeError(f"une valeur de type {type(value).__name__} ne se sérialise pas en JSON")
