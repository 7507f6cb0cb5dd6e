"""Chapter 06 (notebook ``06_ci_cd``, §6.3): the model tests the pipeline runs, and its gate.

- the chapter's thresholds (:data:`ACCURACY_MINIMALE`, :data:`F1_MINIMAL`) and
  :func:`gate`, which says whether metrics pass them and why not;
- :func:`regressed_model`: a deliberately bad model (one stump) the gate must block;
- :func:`run_model_tests`: ``pytest tests/test_model.py`` in a subprocess, as the CI runs
  it, with pytest's cache and temporary files in a folder of your choice;
  :func:`judge_with_model_tests` applies model tests to one model, in this process.

The workflows that run them are read and reviewed by ``mlops_course.workflows`` (the CI)
and ``mlops_course.release`` (the image published for a version tag).

Two gates, one vocabulary. Both judge ``training.evaluate``'s metrics on the held-out
part of the chapter's split. This one is the CI's *regression floor* (§6.3: accuracy
>= 0.90 and weighted F1 >= 0.88): every commit's model must clear it, or the pipeline
stops. ``constants.PROMOTION_MIN_F1`` is the registry's *promotion bar* (§2.5: weighted
F1 > 0.95): only a version above it becomes ``champion``. The floor is lower on purpose: it catches
a broken model, not a merely average one (notebook 06 shows both verdicts side by side).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from mlops_course.config import project_root
from mlops_course.constants import CI_MIN_ACCURACY, CI_MIN_F1
from mlops_course.workflows import (
    CHAPTER_WORKFLOW,
    WORKFLOWS,
    check_parts,
    load_workflow,
    make_calls,
    makefile_targets,
    review_workflow,
    steps,
    triggers,
    validate_workflow,
    workflow_paths,
    workflow_summary,
)

__all__ = [
    "ACCURACY_MINIMALE",
    "CHAPTER_WORKFLOW",
    "F1_MINIMAL",
    "MODEL_TESTS",
    "THRESHOLDS",
    "WORKFLOWS",
    "GateResult",
    "TestOutcome",
    "TestRun",
    "check_parts",
    "evaluate_gate",
    "gate",
    "judge_with_model_tests",
    "load_model_tests",
    "load_workflow",
    "make_calls",
    "makefile_targets",
    "regressed_model",
    "review_workflow",
    "run_model_tests",
    "steps",
    "triggers",
    "validate_workflow",
    "workflow_paths",
    "workflow_summary",
]


#: The chapter's thresholds (§6.3), under the chapter's names: below either one, the CI
#: gate blocks the deployment. The registry's promotion gate (§2.5, "F1 > 0.95") is a
#: higher bar for another move: see :mod:`mlops_course.constants`.
ACCURACY_MINIMALE = CI_MIN_ACCURACY
F1_MINIMAL = CI_MIN_F1
#: The same thresholds, keyed by the metric names of ``training.evaluate``.
THRESHOLDS: dict[str, float] = {"accuracy": ACCURACY_MINIMALE, "f1_weighted": F1_MINIMAL}
#: The chapter's model tests.
MODEL_TESTS = Path("tests") / "test_model.py"


# --------------------------------------------------------------------------------------
# The model gate


@dataclass(frozen=True)
class GateResult:
    """The gate's verdict on a set of metrics."""

    metrics: dict[str, float]
    thresholds: dict[str, float]
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every metric reaches its threshold."""
        return not self.failures

    def summary(self) -> str:
        """Return one line per metric, then the verdict."""
        lines = [
            f"{name:<12} {self.metrics[name]:.4f}  (seuil {threshold:.2f})"
            f"  {'ok' if self.metrics[name] >= threshold else 'SOUS LE SEUIL'}"
            for name, threshold in self.thresholds.items()
        ]
        verdict = "porte franchie : déploiement autorisé" if self.passed else "déploiement BLOQUÉ"
        return "\n".join([*lines, verdict])


def gate(metrics: Mapping[str, float], thresholds: Mapping[str, float] | None = None) -> GateResult:
    """Compare ``metrics`` with ``thresholds`` (the chapter's by default).

    A metric passes when it is greater than or equal to its threshold. A threshold whose
    metric is missing is an error, not a pass.
    """
    thresholds = dict(THRESHOLDS if thresholds is None else thresholds)
    missing = sorted(set(thresholds) - set(metrics))
    if missing:
        raise KeyError(f"métriques absentes : {missing} ; reçu {sorted(metrics)}")
    for name, value in thresholds.items():
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"threshold {name!r} doit être dans [0, 1], reçu {value!r}")
    values = {name: float(metrics[name]) for name in thresholds}
    failures = [
        f"{name} {values[name]:.4f} < seuil {threshold}"
        for name, threshold in thresholds.items()
        if values[name] < threshold
    ]
    return GateResult(values, thresholds, failures)


def evaluate_gate(
    model: Any, split: Any = None, thresholds: Mapping[str, float] | None = None
) -> GateResult:
    """Evaluate ``model`` on the chapter's test split (or ``split``) and apply :func:`gate`."""
    from mlops_course import data, training

    split = split or data.split()
    return gate(training.evaluate(model, split.X_test, split.y_test), thresholds)


def regressed_model() -> Any:
    """Return a deliberately bad model: one tree of depth 1 (it cannot tell 3 classes apart)."""
    from mlops_course import training

    return training.train({"n_estimators": 1, "max_depth": 1, "min_samples_split": 2})


# --------------------------------------------------------------------------------------
# The chapter's model tests, run like CI runs them


@dataclass(frozen=True)
class TestRun:
    """The outcome of one ``pytest`` run in a subprocess."""

    returncode: int
    output: str
    command: list[str]

    __test__ = False  # not a pytest test class

    @property
    def passed(self) -> bool:
        """True when pytest exited with 0 (every test passed)."""
        return self.returncode == 0

    def counts(self) -> dict[str, int]:
        """Return pytest's final counts (``{"passed": 8, "failed": 2}``)."""
        last = next((line for line in reversed(self.output.splitlines()) if " in " in line), "")
        return {
            word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|error|skipped)", last)
        }

    def failed_tests(self) -> list[str]:
        """Return the names of the tests that failed."""
        return sorted(set(re.findall(r"^FAILED \S+::(\S+)", self.output, flags=re.MULTILINE)))

    def summary(self) -> str:
        """Return one French line: what passed, what failed, and the verdict."""
        counts = self.counts()
        failed = counts.get("failed", 0) + counts.get("error", 0)
        parts = [f"{counts.get('passed', 0)} réussis", f"{failed} en échec"]
        if counts.get("skipped"):
            parts.append(f"{counts['skipped']} ignorés")
        verdict = "vert" if self.passed else "ROUGE"
        return f"{', '.join(parts)} : {verdict}"


def run_model_tests(
    folder: str | Path | None = None,
    *,
    tests: str | Path | None = None,
    args: Sequence[str] = (),
    timeout: float = 300.0,
) -> TestRun:
    """Run the chapter's model tests (``pytest tests/test_model.py``) in a subprocess.

    That is the CI's gate step. The tests build their own model files in pytest's
    temporary folder; it and pytest's cache go to ``folder`` (pass one under
    ``MLOPS_COURSE_HOME``; default: a new temporary folder). Nothing is written in the
    repository: no cache, no bytecode.
    """
    import tempfile

    root = project_root()
    target = Path(tests) if tests is not None else root / MODEL_TESTS
    if not target.is_file():
        raise FileNotFoundError(f"tests du modèle introuvables : {target}")
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="model-tests-"))
    folder.mkdir(parents=True, exist_ok=True)
    # The model tests use no pytest plugin: not auto-loading the installed ones (nbval,
    # schemathesis, hypothesis, xdist...) halves pytest's start-up.
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    command = [
        sys.executable, "-m", "pytest", str(target), "-q", "--no-header", "-rf",
        f"--basetemp={folder.resolve() / 'tmp'}", "-o", f"cache_dir={folder.resolve() / 'cache'}",
        *args,
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return TestRun(done.returncode, done.stdout + done.stderr, command)


@dataclass(frozen=True)
class TestOutcome:
    """One of the chapter's model tests applied to a given model."""

    name: str
    failure: str | None = None

    __test__ = False  # not a pytest test class

    @property
    def passed(self) -> bool:
        """True when the test's assertions held."""
        return self.failure is None


def load_model_tests(path: str | Path | None = None) -> ModuleType:
    """Import ``tests/test_model.py`` as a module (its thresholds, its test classes)."""
    import importlib.util

    path = Path(path) if path is not None else project_root() / MODEL_TESTS
    spec = importlib.util.spec_from_file_location("chapter_model_tests", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"impossible d'importer les tests du modèle de {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def judge_with_model_tests(
    model: Any,
    *,
    module: ModuleType | None = None,
    classes: Sequence[type] | None = None,
    test_data: tuple[Any, Any] | None = None,
) -> list[TestOutcome]:
    """Apply model tests to ``model``, in this process, as pytest would with that fixture.

    The tests are the ``Test*`` classes of ``classes`` (e.g. written in a notebook), else
    of ``module`` (default: ``tests/test_model.py``). Every ``test_*`` method that takes
    ``model`` (and possibly ``test_data``: the chapter's test split unless given) runs
    once; the others need other fixtures (files on disk) and are left to pytest. A test
    fails on a failed ``assert``, a failed ``pytest.raises`` or any other exception.
    """
    import inspect

    from mlops_course import data

    if classes is None:
        module = module or load_model_tests()
        classes = [
            cls
            for name, cls in vars(module).items()
            if name.startswith("Test") and isinstance(cls, type)
        ]
    if test_data is None:
        split = data.split()
        test_data = (split.X_test, split.y_test)
    fixtures = {"model": model, "test_data": test_data}
    outcomes = []
    for cls in classes:
        for name, function in vars(cls).items():
            if not name.startswith("test_") or not callable(function):
                continue
            wanted = [p for p in inspect.signature(function).parameters if p != "self"]
            if "model" not in wanted or not set(wanted) <= set(fixtures):
                continue
            failure = _run_test(function, cls(), {p: fixtures[p] for p in wanted})
            outcomes.append(TestOutcome(f"{cls.__name__}::{name}", failure))
    return outcomes


def _run_test(function: Any, instance: Any, arguments: dict[str, Any]) -> str | None:
    """Call one test method; return None if it passed, else its first line of failure."""
    import pytest

    try:
        function(instance, **arguments)
    except (AssertionError, pytest.fail.Exception) as error:  # assert, pytest.raises
        text = str(error) or "assertion fausse"
        return text.splitlines()[0]
    except Exception as error:
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return None
