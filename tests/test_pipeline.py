"""The capstone's simulated production stream (the loop itself runs in notebook 09)."""

from __future__ import annotations

import numpy as np
import pytest

from mlops_course import capstone, pipeline


def test_the_drift_shifts_petal_measurements_from_the_requested_row_only() -> None:
    stream, labels = pipeline.production_stream(400, drift_from=100, seed=3)
    clean, drifted = stream.iloc[:100], stream.iloc[100:]
    assert len(stream) == len(labels) == 400
    shift = drifted["petal_length"].mean() - clean["petal_length"].mean()
    assert shift == pytest.approx(1.2, abs=0.4)
    assert abs(drifted["sepal_length"].mean() - clean["sepal_length"].mean()) < 0.3
    assert set(np.unique(labels)) == {0, 1, 2}


def test_the_stream_is_reproducible_and_drift_from_is_checked() -> None:
    a, _ = pipeline.production_stream(50, drift_from=25, seed=1)
    b, _ = pipeline.production_stream(50, drift_from=25, seed=1)
    assert a.equals(b)
    with pytest.raises(ValueError, match="drift_from"):
        pipeline.production_stream(50, drift_from=60)


def test_a_failed_step_is_reported_by_the_cli_with_exit_code_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail() -> None:
        raise capstone.CapstoneError("the monitor raised no data-drift alert")

    monkeypatch.setattr(capstone, "run", fail)
    assert capstone.cli([]) == 1
    assert "no data-drift alert" in capsys.readouterr().out


def test_pipeline_is_the_former_name_of_the_capstone_module() -> None:
    assert pipeline.run is capstone.run and pipeline.CapstoneError is capstone.CapstoneError
