"""Chapter 06 checks: 'pas encore fait' on the stub, a hint on a wrong answer, ✅ when right."""

from __future__ import annotations

import pytest
from sklearn.metrics import f1_score

from mlops_course import cicd
from mlops_course.checks import cicd as checks

WORKFLOW = """\
name: CI
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v6
      - uses: actions/setup-python@v6
        with:
          python-version: "3.11"
      - uses: astral-sh/setup-uv@v7
        with:
          enable-cache: true
      - run: make check
"""


def _gate_stub(metriques):
    """What the generated exercise holds."""
    ...


def _gate_strict(metriques):
    return metriques["accuracy"] > 0.90 and metriques["f1_weighted"] > 0.88


def _gate(metriques):
    return (
        metriques["accuracy"] >= cicd.ACCURACY_MINIMALE
        and metriques["f1_weighted"] >= cicd.F1_MINIMAL
    )


def _test_stub(model, test_data):
    """Le modèle ne doit pas régresser."""
    # VOTRE CODE ICI
    ...


def _test_shape_only(model, test_data):
    X_test, _ = test_data
    assert model.predict(X_test).shape == (len(X_test),)


def _test_thresholds(model, test_data):
    X_test, y_test = test_data
    assert model.score(X_test, y_test) >= cicd.ACCURACY_MINIMALE
    assert f1_score(y_test, model.predict(X_test), average="weighted") >= cicd.F1_MINIMAL


@pytest.mark.parametrize(
    ("check", "stub", "wrong", "right", "hint"),
    [
        (checks.exercice_1, _gate_stub, _gate_strict, _gate, "laisser passer"),
        (checks.exercice_2, _test_stub, _test_shape_only, _test_thresholds, "laisse passer"),
        (checks.exercice_3, ..., cicd.CHAPTER_WORKFLOW, WORKFLOW, "permissions"),
    ],
    ids=["exercice_1", "exercice_2", "exercice_3"],
)
def test_check_says_not_done_then_hints_then_passes(
    check, stub, wrong, right, hint: str, check_contract
) -> None:
    check_contract(check, stub=stub, wrong=wrong, right=right, hint=hint)


def test_model_test_that_refuses_a_model_the_chapter_accepts_is_refused() -> None:
    def too_strict(model, test_data):
        X_test, y_test = test_data
        assert model.score(X_test, y_test) >= 0.99

    with pytest.raises(AssertionError, match="que la porte du chapitre accepte"):
        checks.exercice_2(too_strict)


def test_model_test_that_crashes_instead_of_asserting_is_refused() -> None:
    def crashes(model, test_data):
        X_test, y_test = test_data
        if model.score(X_test, y_test) < cicd.ACCURACY_MINIMALE:
            raise ValueError("régression")

    with pytest.raises(AssertionError, match="plante"):
        checks.exercice_2(crashes)


def test_workflow_without_uv_cache_is_refused() -> None:
    with pytest.raises(AssertionError, match="enable-cache"):
        checks.exercice_3(WORKFLOW.replace("enable-cache: true", "version: 0.13.9"))


def test_workflow_that_github_would_reject_is_refused() -> None:
    with pytest.raises(AssertionError, match="GitHub refuserait"):
        checks.exercice_3(WORKFLOW.replace("    runs-on: ubuntu-24.04\n", ""))
