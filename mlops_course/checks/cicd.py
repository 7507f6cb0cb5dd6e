"""Checks for notebook 06 (CI/CD for ML): model tests, then the workflows that run them.

1. a performance test that blocks exactly what the chapter's gate blocks, judged on
   held-out data where accuracy alone, F1 alone or macro F1 give the wrong verdict;
2. robustness tests, run against a good model (the pipeline and its ONNX export) and
   against sabotaged models that pass the performance gate: each must be caught;
3. the everyday CI workflow; 4. the release workflow that publishes the image.
"""

from __future__ import annotations

import functools
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlops_course import cicd, release, workflows
from mlops_course.checks import NotDoneError, expect, fail, require, success
from mlops_course.config import project_root

# --------------------------------------------------------------------------------------
# Running the learner's tests


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


def _outcome(test: Callable[..., Any], arguments: dict[str, Any]) -> str | None:
    """Run one learner test: None if it passed, "AssertionError" if an assert (or
    ``pytest.raises``) failed, else the exception it raised."""
    import pytest

    try:
        with warnings.catch_warnings():
            # A learner may pass a bare array: scikit-learn then warns that it has no
            # feature names. That is not what the test is about.
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
            test(**arguments)
    except (AssertionError, pytest.fail.Exception):
        return "AssertionError"
    except Exception as error:
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return None


def _metrics(verdict: cicd.GateResult) -> str:
    return ", ".join(f"{name} {value:.4f}" for name, value in verdict.metrics.items())


# --------------------------------------------------------------------------------------
# Exercise 1: the performance gate, on data where accuracy and F1 disagree


class _Scripted:
    """A classifier whose predictions on known rows are fixed (a model already evaluated)."""

    def __init__(self, X: pd.DataFrame, predictions: np.ndarray) -> None:
        self._by_row = {_key(row): int(p) for row, p in zip(X.to_numpy(), predictions, strict=True)}
        self.classes_ = np.arange(3)

    def predict(self, X: Any) -> np.ndarray:
        rows = np.asarray(X, dtype=float)
        return np.array([self._by_row[_key(row)] for row in rows], dtype=np.int64)

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.eye(3)[self.predict(X)]

    def score(self, X: Any, y: Any) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))


def _key(row: Any) -> tuple[float, ...]:
    return tuple(np.round(np.asarray(row, dtype=float), 6).tolist())


@dataclass(frozen=True)
class _Case:
    """A model, held-out data, the gate's verdict on them, and what to say if judged wrong."""

    name: str
    model: Any
    X: pd.DataFrame
    y: pd.Series
    verdict: cicd.GateResult
    note: str = ""


def _iris_rows(counts: tuple[int, int, int]) -> tuple[pd.DataFrame, pd.Series]:
    """Held-out rows of Iris with ``counts`` flowers per class (no duplicated flower)."""
    from mlops_course import data

    X, y = data.load_iris_frame()
    keep = ~X.duplicated(keep="first")
    X, y = X[keep], y[keep]
    index = np.concatenate([y.index[y == k][-n:] for k, n in enumerate(counts)])
    return X.loc[index].reset_index(drop=True), y.loc[index].reset_index(drop=True)


def _confused(y: pd.Series, errors: dict[tuple[int, int], int]) -> np.ndarray:
    """Predictions equal to ``y`` except ``errors[(true, predicted)]`` rows per pair."""
    predicted = y.to_numpy().copy()
    for (true, wrong), n in errors.items():
        predicted[np.flatnonzero(predicted == true)[:n]] = wrong
    return predicted


@functools.cache
def _cases() -> tuple[_Case, ...]:
    """The models the gate exercise judges; the verdicts are computed, not assumed."""
    from sklearn.dummy import DummyClassifier
    from sklearn.metrics import f1_score

    from mlops_course import data, training

    split = data.split()

    def case(name: str, model: Any, X: pd.DataFrame, y: pd.Series, note: str = "") -> _Case:
        return _Case(name, model, X, y, cicd.gate(training.evaluate(model, X, y)), note)

    X_skew, y_skew = _iris_rows((36, 2, 2))
    X_unbal, y_unbal = _iris_rows((20, 12, 8))
    uneven = _confused(y_unbal, {(0, 2): 3, (1, 2): 2})
    minority = _confused(y_unbal, {(2, 0): 2, (2, 1): 2})
    macro = f1_score(y_unbal, minority, average="macro")
    return (
        case(
            "le modèle du §2.3 (profondeur 5)",
            training.train(training.CONFIGS[1]),
            split.X_test,
            split.y_test,
        ),
        case(
            "le modèle dégradé (un arbre de profondeur 1)",
            cicd.regressed_model(),
            split.X_test,
            split.y_test,
        ),
        case(
            "un modèle dont l'accuracy est exactement au seuil, sur un lot déséquilibré",
            _Scripted(X_unbal, minority),
            X_unbal,
            y_unbal,
            "Atteindre le seuil suffit ; et sur des classes déséquilibrées, le F1 pondéré "
            f"(average='weighted') n'est pas le F1 macro ({macro:.4f} ici).",
        ),
        case(
            "un modèle qui prédit toujours la classe majoritaire, sur un lot déséquilibré",
            DummyClassifier(strategy="most_frequent").fit(X_skew, y_skew),
            X_skew,
            y_skew,
        ),
        case(
            "un modèle dont toutes les erreurs tombent dans la plus petite classe",
            _Scripted(X_unbal, uneven),
            X_unbal,
            y_unbal,
        ),
    )


def exercice_1(test_pas_de_regression: Callable[..., Any]) -> None:
    """The learner writes a performance test that blocks what the chapter's gate blocks."""
    test = require(test_pas_de_regression, "Exercice 1")
    expect(
        callable(test), "on attend une fonction de test `test_pas_de_regression(model, test_data)`."
    )
    if _is_stub(test):
        raise NotDoneError(
            "⏳ Exercice 1 : pas encore fait. Écrivez le corps de la fonction de test "
            "(des assert), exécutez la cellule, puis relancez cette vérification."
        )
    for case in _cases():
        outcome = _outcome(test, {"model": case.model, "test_data": (case.X, case.y)})
        if case.verdict.passed:
            expect(
                outcome is None,
                f"votre test refuse {case.name} ({_metrics(case.verdict)}), que la porte du "
                f"chapitre accepte ({outcome}). {case.note}".rstrip(),
            )
            continue
        if outcome is None:
            below = " et ".join(f.split()[0] for f in case.verdict.failures)
            raise fail(
                f"votre test laisse passer {case.name} ({_metrics(case.verdict)}) : {below} "
                "sous le seuil, la CI le déploierait. Chaque métrique de la porte doit être "
                "testée, sur les données reçues."
            )
        expect(
            outcome == "AssertionError",
            f"sur {case.name}, votre test plante ({outcome}) au lieu d'échouer sur un assert : "
            "pytest le compterait comme une erreur, pas comme une régression.",
        )
    success(
        "Votre test bloque exactement ce que la porte bloque, y compris quand accuracy et F1 "
        "ne sont pas d'accord."
    )


# --------------------------------------------------------------------------------------
# Exercise 2: robustness tests against sabotaged models


def _frame(X: Any) -> pd.DataFrame:
    """The input as a DataFrame (a bare array gets the first feature names)."""
    from mlops_course import data

    if isinstance(X, pd.DataFrame):
        return X
    array = np.asarray(X, dtype=float)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    return pd.DataFrame(array, columns=list(data.FEATURES)[: array.shape[1]])


class _Sabotaged:
    """A good pipeline behind one realistic bug that the performance gate does not see."""

    description = ""
    hint = ""

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        self.classes_ = pipeline.classes_

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.pipeline.predict_proba(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        return self._proba(_frame(X))

    def predict(self, X: Any) -> np.ndarray:
        return np.argmax(self.predict_proba(X), axis=1).astype(np.int64)

    def score(self, X: Any, y: Any) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))


class _Unnormalised(_Sabotaged):
    description = (
        "renvoie des probabilités qui ne somment pas à 1 (calibrées classe par classe, "
        "jamais renormalisées)"
    )
    hint = "Vérifiez que chaque ligne de probabilités somme à 1 (avec une tolérance)."

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-10.0 * (self.pipeline.predict_proba(X) - 0.5)))


class _DropsDuplicates(_Sabotaged):
    description = (
        "supprime les fleurs en double du lot avant de prédire (un drop_duplicates de trop)"
    )
    hint = "Comptez les prédictions sur un lot où la même fleur apparaît deux fois."

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.pipeline.predict_proba(X.drop_duplicates())


class _CrashesOnZero(_Sabotaged):
    description = "plante quand une mesure vaut 0 (un ratio longueur/largeur divisé par zéro)"
    hint = "Appelez le modèle sur une fleur dont toutes les mesures valent 0."

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = X["petal_length"].to_numpy(float) / X["petal_width"].to_numpy(float)
        if not np.isfinite(ratio).all():
            raise ValueError("Input X contains infinity or a value too large for dtype('float64').")
        return self.pipeline.predict_proba(X)


class _NanOnHuge(_Sabotaged):
    description = "renvoie des probabilités NaN pour des mesures énormes (un exp() qui déborde)"
    hint = "Vérifiez que les probabilités restent finies pour des mesures énormes (1e6)."

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        proba = self.pipeline.predict_proba(X)
        huge = np.abs(X.to_numpy(float)).max(axis=1) > 1e4
        proba[huge] = np.nan
        return proba

    def predict(self, X: Any) -> np.ndarray:
        return np.nan_to_num(np.argmax(np.nan_to_num(self.predict_proba(X)), axis=1)).astype(int)


class _FillsMissing(_Sabotaged):
    description = (
        "accepte une fleur à qui il manque une variable (il la complète par 0 sans rien dire)"
    )
    hint = (
        "Vérifiez qu'une fleur à qui il manque une variable lève une erreur "
        "(with pytest.raises(...))."
    )

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        from mlops_course import data

        return self.pipeline.predict_proba(X.reindex(columns=list(data.FEATURES), fill_value=0.0))


class _BatchScaled(_Sabotaged):
    description = (
        "prédit différemment une fleur seule et la même fleur dans un lot (il normalise "
        "chaque lot avec ses propres moyennes)"
    )
    hint = "Comparez la prédiction de chaque fleur seule à sa prédiction dans le lot."

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        values = X.to_numpy(float)
        spread = values.std(axis=0)
        scaled = (values - values.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
        return self.pipeline.named_steps["model"].predict_proba(scaled)


SABOTAGES: tuple[type[_Sabotaged], ...] = (
    _Unnormalised,
    _DropsDuplicates,
    _CrashesOnZero,
    _NanOnHuge,
    _FillsMissing,
    _BatchScaled,
)


@functools.cache
def _good_models() -> tuple[tuple[str, Any], ...]:
    """The chapter's pipeline and its ONNX export: both must pass the learner's tests."""
    from mlops_course import serialization, training

    pipeline = training.train()
    with tempfile.TemporaryDirectory() as folder:
        onnx = serialization.OnnxPredictor.from_file(
            serialization.export_onnx(pipeline, Path(folder) / "model.onnx")
        )
    return (("le pipeline scikit-learn", pipeline), ("son export ONNX (onnxruntime)", onnx))


def sabotaged_models() -> list[_Sabotaged]:
    """One model per sabotage, each wrapping the chapter's pipeline."""
    pipeline = _good_models()[0][1]
    return [sabotage(pipeline) for sabotage in SABOTAGES]


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


def _test_methods(tests: type) -> dict[str, Callable[..., Any]]:
    """The ``test_*`` methods pytest would collect, inherited ones included, in order."""
    found: dict[str, Callable[..., Any]] = {}
    for cls in reversed(tests.__mro__[:-1]):
        found.update(
            (name, method)
            for name, method in vars(cls).items()
            if name.startswith("test_") and callable(method)
        )
    return found


def _parameters(method: Callable[..., Any]) -> list[str]:
    import inspect

    return [p for p in inspect.signature(method).parameters if p != "self"]


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
            if kind.startswith("son export") and good["le pipeline scikit-learn"][name] is None:
                tip = (
                    " L'export ONNX calcule en float32 : comparez les nombres avec une "
                    "tolérance (np.testing.assert_allclose, pytest.approx)."
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


# --------------------------------------------------------------------------------------
# Exercises 3 and 4: the workflows


def _schema_errors(text: str) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workflow.yml"
        path.write_text(text)
        return workflows.validate_workflow(path)


def exercice_3(workflow_ci: str) -> None:
    """The learner writes a minimal CI workflow for the course."""
    text = require(workflow_ci, "Exercice 3")
    expect(isinstance(text, str), "on attend le texte YAML du workflow (une chaîne).")
    makefile = (project_root() / "Makefile").read_text()
    problems = workflows.review_workflow(text, makefile_text=makefile)
    expect(not problems, "la revue signale :\n  - " + "\n  - ".join(problems))
    workflow = workflows.load_workflow(text)
    expect(
        {"push", "pull_request"} <= workflows.triggers(workflow),
        "le workflow doit tourner à chaque push et sur chaque pull request.",
    )
    calls = workflows.make_calls(workflow)
    expect(
        "check" in calls or set(workflows.check_parts(makefile)) <= set(calls),
        "le workflow doit lancer `make check` (lint, tests, porte du modèle, notebooks).",
    )
    setup_uv = [
        s for _, s in workflows.steps(workflow) if workflows.step_action(s) == "astral-sh/setup-uv"
    ]
    expect(
        bool(setup_uv) and workflows.step_inputs(setup_uv[0]).get("enable-cache") is True,
        "installez uv avec astral-sh/setup-uv et `enable-cache: true` (le cache évite de "
        "tout retélécharger à chaque exécution).",
    )
    errors = _schema_errors(text)  # last: the schema check takes a second
    expect(not errors, "GitHub refuserait ce workflow :\n  " + "\n  ".join(errors))
    success("Workflow valide, sans secret, en lecture seule, qui lance tout make check.")


def exercice_4(workflow_release: str) -> None:
    """The learner writes the release workflow: a version tag builds and pushes the image."""
    text = require(workflow_release, "Exercice 4")
    expect(isinstance(text, str), "on attend le texte YAML du workflow (une chaîne).")
    makefile = (project_root() / "Makefile").read_text()
    problems = release.review_release(text, makefile_text=makefile)
    expect(not problems, "la revue signale :\n  - " + "\n  - ".join(problems))
    errors = _schema_errors(text)
    expect(not errors, "GitHub refuserait ce workflow :\n  " + "\n  ".join(errors))
    success(
        "Workflow de publication valide : un tag de version, les tests d'abord, puis l'image "
        "docker/Dockerfile poussée sur ghcr.io avec le jeton intégré, sous le numéro de version."
    )
