"""Checks of notebook 06_ci_cd, exercise 2: the learner's robustness tests must pass the good
models and catch each sabotaged one.
"""

from __future__ import annotations

import functools
from typing import Any

from mlops_course.checks import NotDoneError, expect, fail, require, success
from mlops_course.checks.cicd.running import _is_stub, _outcome, _parameters, _test_methods
from mlops_course.checks.cicd.sabotages import _good_models, sabotaged_models


def _run_class(tests: type, model: Any) -> dict[str, str | None]:
    """Run every ``test_*`` method of ``tests`` on ``model``: name → outcome."""
    from mlops_course import data

    split = data.split()
    fixtures = {"model": model, "test_data": (split.X_test, split.y_test)}
    outcomes = {}
    for name, method in _test_methods(tests).items():
        arguments = {p: fixtures[p] for p in _parameters(method)}
        outcomes[name] = _outcome(functools.partial(method, tests()), arguments)
    return outcomes


def exercice_2(classe_de_tests: type) -> None:
    """The learner writes robustness tests; sabotaged models must each fail one of them."""
    tests = require(classe_de_tests, "Exercice 2")
    expect(
        isinstance(tests, type),
        "on attend la classe de tests elle-même (`TestRobustesse`), pas une instance ni une "
        "fonction.",
    )
    methods = _test_methods(tests)
    expect(bool(methods), "votre classe n'a aucune méthode test_… : pytest n'y trouverait rien.")
    empty = [name for name, method in methods.items() if _is_stub(method)]
    if len(empty) == len(methods):
        raise NotDoneError(
            "⏳ Exercice 2 : pas encore fait. Écrivez le corps de chaque test (des assert), "
            "exécutez la cellule, puis relancez cette vérification."
        )
    if empty:
        raise NotDoneError(
            f"⏳ Exercice 2 : pas encore fait. Il reste à écrire : {', '.join(empty)}. "
            "Remplacez les `...` par des assert, exécutez la cellule, puis relancez cette "
            "vérification."
        )
    for name, method in methods.items():
        unknown = sorted(set(_parameters(method)) - {"model", "test_data"})
        expect(
            not unknown,
            f"{name} demande {unknown} : les seules fixtures disponibles sont `model` et "
            "`test_data`.",
        )
    good = {kind: _run_class(tests, model) for kind, model in _good_models()}
    for kind, outcomes in good.items():
        for name, outcome in outcomes.items():
            if outcome is None:
                continue
            tip = ""
            if outcome == "AssertionError":
                tip = (
                    " Si ce test compare des nombres à virgule, donnez-lui une tolérance "
                    "(np.testing.assert_allclose, pytest.approx) : une moyenne d'arbres et "
                    "l'export ONNX, qui calcule en float32, arrondissent."
                )
            raise fail(
                f"{name} échoue sur le bon modèle, {kind} ({outcome}) : un test de robustesse "
                f"ne doit refuser que les modèles cassés.{tip}"
            )
    caught = 0
    for model in sabotaged_models():
        if all(outcome is None for outcome in _run_class(tests, model).values()):
            raise fail(f"un modèle qui {model.description} passe tous vos tests. {model.hint}")
        caught += 1
    success(
        f"Vos tests laissent passer le bon modèle (scikit-learn et ONNX) et attrapent les "
        f"{caught} modèles sabotés, que la porte de performance laissait passer."
    )
