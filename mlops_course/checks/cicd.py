"""Checks for notebook 06 (CI/CD for ML)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from mlops_course import cicd
from mlops_course.checks import NotDoneError, call, expect, fail, require, success
from mlops_course.config import project_root


def exercice_1(porte: Callable[[Mapping[str, float]], bool]) -> None:
    """The learner writes the gate: True when both metrics reach the chapter's thresholds."""
    cases = [
        ({"accuracy": 0.9667, "f1_weighted": 0.9666}, True),
        ({"accuracy": 0.90, "f1_weighted": 0.88}, True),
        ({"accuracy": 0.8999, "f1_weighted": 0.95}, False),
        ({"accuracy": 0.95, "f1_weighted": 0.8799}, False),
        ({"accuracy": 0.6667, "f1_weighted": 0.5556}, False),
        ({"accuracy": 0.93, "f1_weighted": 0.92, "precision_weighted": 0.10}, True),
    ]
    for metriques, attendu in cases:
        got = call(porte, dict(metriques), what="Exercice 1")
        expect(
            isinstance(got, bool) or type(got).__name__ == "bool_",
            f"la porte doit renvoyer True ou False, pas {type(got).__name__}.",
        )
        if bool(got) != attendu:
            verdict = "laisser passer" if attendu else "bloquer"
            raise fail(
                f"pour {metriques}, la porte devrait {verdict} le modèle. Indice : "
                f"accuracy >= {cicd.ACCURACY_MINIMALE} ET f1_weighted >= {cicd.F1_MINIMAL} "
                "(un seuil atteint exactement suffit ; les autres métriques ne comptent pas)."
            )
    success("Votre porte bloque exactement les modèles sous les seuils du chapitre.")


def _is_stub(function: Callable[..., Any]) -> bool:
    """True for a function whose body does nothing but return None (the ``...`` stub)."""
    import dis

    code = getattr(function, "__code__", None)
    if code is None:
        return False
    for instruction in dis.get_instructions(code):
        if instruction.opname in {"RESUME", "NOP", "CACHE"}:
            continue
        if instruction.opname not in {"LOAD_CONST", "RETURN_VALUE", "RETURN_CONST"}:
            return False
        if instruction.opname != "RETURN_VALUE" and instruction.argval is not None:
            return False
    return True


@cache
def _models() -> tuple[tuple[str, Any, cicd.GateResult], ...]:
    """Three models and the chapter gate's verdict on each (computed, not assumed)."""
    from mlops_course import training

    models = (
        ("bon", training.train(training.CONFIGS[1])),  # accuracy 0.9667 on the chapter's split
        ("limite", training.train()),  # the §3.1 pipeline: accuracy 0.90, right at the threshold
        ("dégradé", cicd.regressed_model()),  # one stump: accuracy 0.6667
    )
    return tuple((name, model, cicd.evaluate_gate(model)) for name, model in models)


def _outcome(test: Callable[..., Any], model: Any) -> str | None:
    """Run the learner's test on one model: None if it passed, else what it raised."""
    from mlops_course import data

    split = data.split()
    try:
        test(model, (split.X_test, split.y_test))
    except AssertionError:
        return "AssertionError"
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def _metrics(verdict: cicd.GateResult) -> str:
    return ", ".join(f"{name} {value:.4f}" for name, value in verdict.metrics.items())


def exercice_2(test_pas_de_regression: Callable[..., Any]) -> None:
    """The learner writes a model test that blocks what the chapter's gate blocks, only that."""
    test = require(test_pas_de_regression, "Exercice 2")
    expect(
        callable(test), "on attend une fonction de test `test_pas_de_regression(model, test_data)`."
    )
    if _is_stub(test):
        raise NotDoneError(
            "⏳ Exercice 2 : pas encore fait. Écrivez le corps de la fonction de test "
            "(des assert), exécutez la cellule, puis relancez cette vérification."
        )
    for name, model, verdict in _models():
        outcome = _outcome(test, model)
        if verdict.passed:
            expect(
                outcome is None,
                f"votre test refuse le modèle {name} ({_metrics(verdict)}), que la porte du "
                f"chapitre accepte : {outcome}. Indice : mêmes seuils, avec >= "
                f"(ACCURACY_MINIMALE={cicd.ACCURACY_MINIMALE}, F1_MINIMAL={cicd.F1_MINIMAL}).",
            )
            continue
        expect(
            outcome is not None,
            f"votre test laisse passer le modèle {name} ({_metrics(verdict)}) : la CI le "
            "déploierait. Comparez ses métriques aux seuils avec assert.",
        )
        expect(
            outcome == "AssertionError",
            f"sur le modèle {name}, votre test plante ({outcome}) au lieu d'échouer sur un "
            "assert : pytest le compterait comme une erreur, pas comme une régression.",
        )
    success("Votre test laisse passer les bons modèles et bloque la régression.")


def exercice_3(workflow_ci: str) -> None:
    """The learner writes a minimal CI workflow for the course."""
    text = require(workflow_ci, "Exercice 3")
    expect(isinstance(text, str), "on attend le texte YAML du workflow (une chaîne).")
    makefile = (project_root() / "Makefile").read_text()
    problems = cicd.review_workflow(text, makefile_text=makefile)
    expect(not problems, "la revue signale :\n  - " + "\n  - ".join(problems))
    workflow = cicd.load_workflow(text)
    expect(
        {"push", "pull_request"} <= cicd.triggers(workflow),
        "le workflow doit tourner à chaque push et sur chaque pull request.",
    )
    calls = cicd.make_calls(workflow)
    expect(
        "check" in calls or set(cicd.check_parts(makefile)) <= set(calls),
        "le workflow doit lancer `make check` (lint, tests, porte du modèle, notebooks).",
    )
    setup_uv = [
        s for _, s in cicd.steps(workflow) if "astral-sh/setup-uv" in str(s.get("uses", ""))
    ]
    expect(
        bool(setup_uv) and (setup_uv[0].get("with") or {}).get("enable-cache") is True,
        "installez uv avec astral-sh/setup-uv et `enable-cache: true` (le cache évite de "
        "tout retélécharger à chaque exécution).",
    )
    with tempfile.TemporaryDirectory() as folder:  # last: the schema check takes a second
        path = Path(folder) / "ci.yml"
        path.write_text(text)
        errors = cicd.validate_workflow(path)
    expect(not errors, "GitHub refuserait ce workflow :\n  " + "\n  ".join(errors))
    success("Workflow valide, sans secret, en lecture seule, qui lance tout make check.")
