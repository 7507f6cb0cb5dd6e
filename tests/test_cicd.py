"""Chapter 06's model gate (§6.3): thresholds, verdicts, model tests run as the CI runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_course import cicd


def test_gate_passes_at_the_thresholds_and_blocks_below() -> None:
    assert cicd.gate({"accuracy": 0.90, "f1_weighted": 0.88}).passed
    blocked = cicd.gate({"accuracy": 0.95, "f1_weighted": 0.8799, "recall_weighted": 0.1})
    assert not blocked.passed and blocked.failures == ["f1_weighted 0.8799 < seuil 0.88"]
    assert "déploiement BLOQUÉ" in blocked.summary()


def test_gate_refuses_missing_metrics_and_thresholds_out_of_range() -> None:
    with pytest.raises(KeyError, match="f1_weighted"):
        cicd.gate({"accuracy": 0.99})
    with pytest.raises(ValueError, match="threshold 'accuracy' doit être dans"):
        cicd.gate({"accuracy": 0.99}, {"accuracy": 90})


def test_model_tests_and_gate_share_the_chapters_thresholds() -> None:
    module = cicd.load_model_tests()
    assert (module.ACCURACY_MINIMALE, module.F1_MINIMAL) == (0.90, 0.88)
    assert cicd.THRESHOLDS == {"accuracy": 0.90, "f1_weighted": 0.88}


def test_regressed_model_is_blocked_by_the_gate_and_by_the_performance_tests() -> None:
    model = cicd.regressed_model()
    assert not cicd.evaluate_gate(model).passed
    failed = [o.name for o in cicd.judge_with_model_tests(model) if not o.passed]
    assert failed == [
        "TestModelPerformance::test_accuracy_minimale",
        "TestModelPerformance::test_f1_minimal",
    ]


def test_run_model_tests_reports_counts_and_failed_tests(tmp_path: Path) -> None:
    tests = tmp_path / "test_sample.py"
    tests.write_text("def test_ok():\n    assert True\n\ndef test_ko():\n    assert 1 == 2\n")
    run = cicd.run_model_tests(tmp_path / "work", tests=tests)
    assert not run.passed
    assert run.counts() == {"failed": 1, "passed": 1} and run.failed_tests() == ["test_ko"]
    assert (tmp_path / "work" / "cache").is_dir()  # pytest's cache went there, not to the repo


def test_judge_applies_test_classes_written_in_a_notebook() -> None:
    """Only methods taking `model` run; assert, pytest.raises and crashes all count as failures."""

    class TestSample:
        def test_ok(self, model, test_data) -> None:
            assert model.predict(test_data[0]).shape == (len(test_data[0]),)

        def test_assert(self, model) -> None:
            assert model.predict([[0.0] * 4]).tolist() == [2], "pas virginica"

        def test_does_not_raise(self, model) -> None:
            with pytest.raises(ValueError):
                model.predict([[0.0] * 4])

        def test_crash(self, model) -> None:
            raise RuntimeError("boum")

        def test_other_fixture(self, tmp_path) -> None:  # left to pytest
            raise AssertionError

    class Constant:
        def predict(self, X):
            import numpy as np

            return np.zeros(len(X), dtype=int)

    outcomes = {
        o.name: o.failure for o in cicd.judge_with_model_tests(Constant(), classes=[TestSample])
    }
    assert outcomes == {
        "TestSample::test_ok": None,
        "TestSample::test_assert": "pas virginica",
        "TestSample::test_does_not_raise": "DID NOT RAISE ValueError",
        "TestSample::test_crash": "RuntimeError: boum",
    }


def test_run_summary_says_what_passed_and_failed_in_french() -> None:
    green = cicd.TestRun(0, "....\n4 passed in 0.50s\n", [])
    red = cicd.TestRun(1, "FAILED t.py::test_a - x\n1 failed, 3 passed, 1 skipped in 1s\n", [])
    assert green.summary() == "4 réussis, 0 en échec : vert"
    assert red.summary() == "3 réussis, 1 en échec, 1 ignorés : ROUGE"
