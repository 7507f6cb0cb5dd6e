"""Le contrôle de dérive voit un vrai décalage, et se tait sans dérive (même sur 13 colonnes).

Fourni (notebook 07_monitoring_drift du cours) : votre ``detect_drift`` doit passer ces tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from src import data
from src.drift import detect_drift


@pytest.fixture(scope="module")
def wines() -> pd.DataFrame:
    return data.load_wine_frame()[0]


def _resample(frame: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = frame.iloc[rng.integers(0, len(frame), size=n)].to_numpy()
    noise = rng.normal(0.0, 0.02, size=rows.shape) * frame.std().to_numpy()
    return pd.DataFrame(rows + noise, columns=frame.columns)


def test_a_shifted_column_is_found_and_only_that_one(wines: pd.DataFrame) -> None:
    current = _resample(wines, 200, seed=1)
    current["alcohol"] += 1.5 * wines["alcohol"].std()
    report = detect_drift(wines, current)
    assert set(report) == set(wines.columns)
    assert [column for column, drifted in report.items() if drifted] == ["alcohol"]


def test_without_drift_few_batches_raise_an_alarm(wines: pd.DataFrame) -> None:
    # Two random halves of the same wines, 50 times: no drift at all. With 13 columns and
    # p < 0.05 but no correction, about one pair in four raises an alarm.
    alarms = 0
    for seed in range(50):
        order = np.random.default_rng(seed).permutation(len(wines))
        half = len(wines) // 2
        report = detect_drift(wines.iloc[order[:half]], wines.iloc[order[half:]])
        alarms += any(report.values())
    assert alarms <= 5, f"{alarms} paires sur 50 en alerte sans aucune dérive"


def test_a_missing_column_is_named(wines: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="proline"):
        detect_drift(wines, wines.drop(columns=["proline"]))
