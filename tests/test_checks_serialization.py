"""Chapter 03 checks: 'pas encore fait' on the stub, a hint on a wrong answer, ✅ when right."""

from __future__ import annotations

import hashlib
import pickle
import statistics
import time
from pathlib import Path

import pytest

from mlops_course import data, serialization, training
from mlops_course.checks import NotDoneError
from mlops_course.checks import serialization as checks


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory):
    """The chapter's pipeline, its verified ONNX predictor and its parity report on X_test."""
    split = data.split()
    pipeline = training.train(split=split)
    path = serialization.export_onnx(pipeline, tmp_path_factory.mktemp("onnx") / "p.onnx")
    predictor = serialization.OnnxPredictor.from_file(path)
    return path, predictor, serialization.parity(pipeline, predictor, split.X_test)


def test_exercise_1_wants_a_verified_predictor_and_a_tight_parity_on_x_test(
    exported, check_contract
) -> None:
    path, predictor, report = exported
    float32_export = serialization.ParityReport(True, 0, 0.02, n_rows=30)
    check_contract(
        checks.exercice_1,
        stub=(..., ...),
        wrong=(predictor, float32_export),
        right=(predictor, report),
    )
    with pytest.raises(AssertionError, match="float32"):
        checks.exercice_1(predictor, float32_export)
    with pytest.raises(AssertionError, match="30 lignes"):
        checks.exercice_1(predictor, serialization.ParityReport(True, 0, 1e-7, n_rows=1000))
    with pytest.raises(AssertionError, match="verify=True"):
        unverified = serialization.OnnxPredictor.from_file(path, verify=False)
        checks.exercice_1(unverified, report)


def _stub_intact(chemin: Path) -> bool: ...


def _same_size(chemin: Path) -> bool:
    manifest = serialization.Manifest.load(serialization.manifest_path(chemin))
    return chemin.stat().st_size > 0 and chemin.name in manifest.files


def _right_intact(chemin: Path) -> bool:
    manifest = serialization.Manifest.load(serialization.manifest_path(chemin))
    return hashlib.sha256(chemin.read_bytes()).hexdigest() == manifest.files.get(chemin.name)


def test_exercise_2_wants_a_hash_comparison(check_contract) -> None:
    check_contract(
        checks.exercice_2, stub=(_stub_intact,), wrong=(_same_size,), right=(_right_intact,)
    )


def test_exercise_2_catches_a_function_that_unpickles_the_file() -> None:
    def loads_it(chemin: Path) -> bool:
        pickle.loads(chemin.read_bytes())
        return _right_intact(chemin)

    with pytest.raises(AssertionError, match="piège s'est déclenché"):
        checks.exercice_2(loads_it)


def _stub_median(fonction, X, repetitions): ...


def _timings(fonction, X, repetitions):
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        fonction(X)
        times.append(time.perf_counter() - start)
    return times


def _mean(fonction, X, repetitions):
    """A plausible wrong answer: the mean lets one slow call weigh on the result."""
    return statistics.fmean(_timings(fonction, X, repetitions))


def _median(fonction, X, repetitions):
    """The learner's right answer (written again here: it is what the check must accept)."""
    return statistics.median(_timings(fonction, X, repetitions))


def _milliseconds(fonction, X, repetitions):
    return _median(fonction, X, repetitions) * 1e3


def test_exercise_3_wants_a_median_in_seconds_and_a_speedup_above_one(check_contract) -> None:
    check_contract(
        checks.exercice_3, stub=(_stub_median, ...), wrong=(_mean, 300.0), right=(_median, 300.0)
    )
    with pytest.raises(NotDoneError):
        checks.exercice_3(_median, ...)
    with pytest.raises(AssertionError, match="en secondes"):
        checks.exercice_3(_milliseconds, 300.0)
    with pytest.raises(AssertionError, match="pas l'inverse"):
        checks.exercice_3(_median, 1 / 300)
