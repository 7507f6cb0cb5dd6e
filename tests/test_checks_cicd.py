"""Chapter 06 checks: 'pas encore fait' on the stub, a hint per typical mistake, ✅ when right."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, f1_score
from workflow_samples import CHECKOUT, LOGIN, RELEASE, publish_without, without

from mlops_course import cicd, data
from mlops_course.checks import WrongAnswerError
from mlops_course.checks import cicd as checks

ACCURACY_MINIMALE = cicd.ACCURACY_MINIMALE
F1_MINIMAL = cicd.F1_MINIMAL
FEATURES = list(data.FEATURES)


# --- exercise 1: the performance test -----------------------------------------------------


def _test_stub(model, test_data):
    """What the generated exercise holds."""
    # VOTRE CODE ICI
    ...


def _test_right(model, test_data):
    X_test, y_test = test_data
    accuracy = model.score(X_test, y_test)
    f1 = f1_score(y_test, model.predict(X_test), average="weighted")
    assert accuracy >= ACCURACY_MINIMALE, f"Accuracy {accuracy:.4f} < seuil {ACCURACY_MINIMALE}"
    assert f1 >= F1_MINIMAL, f"F1 {f1:.4f} < seuil {F1_MINIMAL}"


def _test_accuracy_only(model, test_data):
    X_test, y_test = test_data
    assert model.score(X_test, y_test) >= ACCURACY_MINIMALE


def _test_f1_only(model, test_data):
    X_test, y_test = test_data
    assert f1_score(y_test, model.predict(X_test), average="weighted") >= F1_MINIMAL


def _test_macro_f1(model, test_data):
    X_test, y_test = test_data
    assert model.score(X_test, y_test) >= ACCURACY_MINIMALE
    assert f1_score(y_test, model.predict(X_test), average="macro") >= F1_MINIMAL


def _test_strict(model, test_data):
    X_test, y_test = test_data
    assert model.score(X_test, y_test) > ACCURACY_MINIMALE
    assert f1_score(y_test, model.predict(X_test), average="weighted") > F1_MINIMAL


def _test_shape_only(model, test_data):
    X_test, _ = test_data
    assert model.predict(X_test).shape == (len(X_test),)


def _test_crashes(model, test_data):
    X_test, y_test = test_data
    if accuracy_score(y_test, model.predict(X_test)) < ACCURACY_MINIMALE:
        raise ValueError("régression")
    if f1_score(y_test, model.predict(X_test), average="weighted") < F1_MINIMAL:
        raise ValueError("régression")


def _test_too_strict(model, test_data):
    X_test, y_test = test_data
    assert model.score(X_test, y_test) >= 0.99


def test_exercice_1_refuses_tests_that_accuracy_and_f1_would_fool(check_contract) -> None:
    check_contract(
        checks.exercice_1,
        stub=_test_stub,
        right=_test_right,
        wrongs=[
            (_test_accuracy_only, r"laisse passer un modèle qui prédit toujours la classe"),
            (_test_f1_only, r"laisse passer un modèle dont toutes les erreurs.*accuracy sous"),
            (_test_macro_f1, r"refuse un modèle dont l'accuracy est exactement.*F1 macro"),
            (_test_strict, r"refuse un modèle dont l'accuracy est exactement au seuil"),
            (_test_shape_only, r"laisse passer le modèle dégradé"),
            (_test_crashes, r"plante \(ValueError: régression\) au lieu d'échouer sur un assert"),
            (_test_too_strict, r"refuse le modèle du §2.3"),
        ],
    )


def test_gate_cases_are_those_where_one_metric_alone_is_wrong() -> None:
    """The data behind exercise 1: each typical mistake meets a case it gets wrong."""
    cases = checks._cases()
    verdicts = [(c.verdict.metrics, c.verdict.passed) for c in cases]

    def passes(metric: str, threshold: float, metrics: dict) -> bool:
        return metrics[metric] >= threshold

    assert any(  # an accuracy-only test lets it through
        passes("accuracy", ACCURACY_MINIMALE, m) and not ok for m, ok in verdicts
    )
    assert any(passes("f1_weighted", F1_MINIMAL, m) and not ok for m, ok in verdicts)
    assert any(m["accuracy"] == ACCURACY_MINIMALE and ok for m, ok in verdicts)
    macro = [f1_score(c.y, c.model.predict(c.X), average="macro") >= F1_MINIMAL for c in cases]
    assert any(m != ok for m, (_, ok) in zip(macro, verdicts, strict=True))
    assert {True, False} == {ok for _, ok in verdicts}


# --- exercise 2: robustness tests ---------------------------------------------------------


class _RobustStub:
    def test_probabilites_valides(self, model, test_data):
        """Stub."""
        # VOTRE CODE ICI
        ...

    def test_une_prediction_par_ligne(self, model, test_data):
        """Stub."""
        # VOTRE CODE ICI
        ...


class _Robust:
    def test_probabilites_valides(self, model, test_data):
        X_test, _ = test_data
        probas = model.predict_proba(X_test)
        assert probas.shape == (len(X_test), 3)
        assert ((probas >= 0) & (probas <= 1)).all()
        np.testing.assert_allclose(probas.sum(axis=1), 1.0, atol=1e-6)

    def test_une_prediction_par_ligne(self, model, test_data):
        X_test, _ = test_data
        une_fleur = X_test.iloc[:1]
        avec_doublon = pd.concat([X_test, une_fleur])
        assert model.predict(une_fleur).shape == (1,)
        assert model.predict(avec_doublon).shape == (len(avec_doublon),)

    def test_valeurs_limites(self, model):
        limites = pd.DataFrame([[0.0] * 4, [1e6] * 4, [1e-9] * 4], columns=FEATURES)
        assert set(model.predict(limites).tolist()) <= {0, 1, 2}
        assert np.isfinite(model.predict_proba(limites)).all()

    def test_meme_prediction_seule_ou_en_lot(self, model, test_data):
        X_test, _ = test_data
        en_lot = model.predict_proba(X_test)
        seules = np.vstack([model.predict_proba(X_test.iloc[[i]]) for i in range(len(X_test))])
        np.testing.assert_allclose(seules, en_lot, atol=1e-6)

    def test_refuse_une_entree_mal_formee(self, model):
        fleur = pd.DataFrame([[5.1, 3.5, 1.4, 0.2]], columns=FEATURES)
        with pytest.raises(ValueError):
            model.predict(fleur.drop(columns="petal_width"))


class _BoundsOnly(_Robust):
    def test_probabilites_valides(self, model, test_data):
        probas = model.predict_proba(test_data[0])
        assert ((probas >= 0) & (probas <= 1)).all()


class _NoDuplicate(_Robust):
    def test_une_prediction_par_ligne(self, model, test_data):
        X_test, _ = test_data
        assert model.predict(X_test).shape == (len(X_test),)


class _ChaptersExtremes(_Robust):
    def test_valeurs_limites(self, model):
        extreme = np.array([[0.0, 0.0, 0.0, 0.0]])
        assert model.predict(extreme) is not None


class _SameCallTwice(_Robust):
    def test_meme_prediction_seule_ou_en_lot(self, model, test_data):
        X_test, _ = test_data
        np.testing.assert_array_equal(model.predict(X_test), model.predict(X_test))


class _WellFormedOnly(_Robust):
    def test_refuse_une_entree_mal_formee(self, model):
        fleur = pd.DataFrame([[5.1, 3.5, 1.4, 0.2]], columns=FEATURES)
        assert model.predict(fleur).shape == (1,)


class _ExactSum(_Robust):
    def test_probabilites_valides(self, model, test_data):
        assert (model.predict_proba(test_data[0]).sum(axis=1) == 1.0).all()


class _UnknownFixture(_Robust):
    def test_valeurs_limites(self, model, tmp_path):
        assert model is not None


def test_exercice_2_refuses_tests_that_miss_a_sabotage(check_contract) -> None:
    check_contract(
        checks.exercice_2,
        stub=_RobustStub,
        right=_Robust,
        wrongs=[
            (_BoundsOnly, r"ne somment pas à 1.*passe tous vos tests"),
            (_NoDuplicate, r"drop_duplicates.*même fleur apparaît deux fois"),
            (_ChaptersExtremes, r"NaN pour des mesures énormes"),
            (_SameCallTwice, r"fleur seule et la même fleur dans un lot"),
            (_WellFormedOnly, r"il manque une variable.*pytest.raises"),
            (_ExactSum, r"test_probabilites_valides échoue sur le bon modèle.*tolérance"),
            (_Robust(), r"pas une instance"),
            (_UnknownFixture, r"demande \['tmp_path'\]"),
        ],
    )


def test_a_half_written_class_is_not_done_yet_and_names_what_is_left() -> None:
    class Half(_Robust):
        def test_valeurs_limites(self, model):
            """Stub."""
            ...

    from mlops_course.checks import NotDoneError

    with pytest.raises(
        NotDoneError, match=r"pas encore fait\. Il reste à écrire : test_valeurs_limites"
    ):
        checks.exercice_2(Half)


def test_each_sabotage_passes_the_performance_gate() -> None:
    """Only robustness tests can catch them: the gate and the chapter's metrics do not."""
    for model in checks.sabotaged_models():
        assert cicd.evaluate_gate(model).passed, type(model).__name__


def test_each_sabotage_is_caught_by_some_robustness_test_and_the_good_models_by_none() -> None:
    for _, good in checks._good_models():
        assert set(checks._run_class(_Robust, good).values()) == {None}
    for model in checks.sabotaged_models():
        failing = [n for n, o in checks._run_class(_Robust, model).items() if o is not None]
        assert failing, type(model).__name__


# --- exercise 3: the CI workflow ----------------------------------------------------------

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


SETUP_PYTHON = (
    '      - uses: actions/setup-python@v6\n        with:\n          python-version: "3.11"\n'
)


def test_exercice_3_refuses_incomplete_ci_workflows(check_contract) -> None:
    check_contract(
        checks.exercice_3,
        stub=...,
        right=WORKFLOW,
        wrongs=[
            (cicd_chapter_workflow(), r"permissions"),
            (without(WORKFLOW, CHECKOUT), r"actions/checkout"),
            (
                without(WORKFLOW, SETUP_PYTHON),
                r"actions/setup-python",
            ),
            (without(WORKFLOW, "  pull_request:\n"), r"chaque pull request"),
            (WORKFLOW.replace("enable-cache: true", "version: 0.13.9"), r"enable-cache"),
            (WORKFLOW.replace("make check", "make test"), r"ne lance pas tout `make check`"),
            (without(WORKFLOW, "    runs-on: ubuntu-24.04\n"), r"GitHub refuserait"),
        ],
    )


def cicd_chapter_workflow() -> str:
    from mlops_course import workflows

    return workflows.CHAPTER_WORKFLOW


# --- exercise 4: the release workflow -----------------------------------------------------


def test_exercice_4_refuses_release_workflows_with_the_usual_mistakes(check_contract) -> None:
    check_contract(
        checks.exercice_4,
        stub=...,
        right=RELEASE,
        wrongs=[
            (RELEASE.replace('  push:\n    tags: ["v*"]\n', "  push:\n"), r"à chaque push"),
            (RELEASE.replace('tags: ["v*"]', "branches: [main]"), r"branches"),
            (without(RELEASE, "    needs: test\n"), r"needs"),
            (RELEASE.replace("secrets.GITHUB_TOKEN", "secrets.GHCR_TOKEN"), r"secret personnel"),
            (without(RELEASE, "      packages: write\n"), r"sans `packages: write`"),
            (
                RELEASE.replace(":${{ github.ref_name }}", ":latest"),
                r"`latest` comme seul tag",
            ),
            (publish_without(CHECKOUT), r"actions/checkout"),
            (publish_without(LOGIN), r"docker/login-action"),
            (without(RELEASE, "          context: .\n"), r"context"),
            (without(RELEASE, "      - run: make model\n"), r"make model"),
            (cicd_chapter_workflow(), r"branches"),
        ],
    )


def test_release_that_github_would_reject_is_refused() -> None:
    broken = RELEASE.replace(
        "    runs-on: ubuntu-24.04\n    timeout-minutes: 20\n", "    timeout-minutes: 20\n"
    )
    with pytest.raises(WrongAnswerError, match="GitHub refuserait"):
        checks.exercice_4(broken)
